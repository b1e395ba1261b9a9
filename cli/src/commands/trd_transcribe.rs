//! `das trd transcribe FILE…`: every file uploaded as a TRD job at once, each with a progress
//! line on stderr (upload bytes, then the job's status), results waited for by polling or by
//! one webhook receiver shared by all jobs; one line (or JSON document) per result on stdout.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use das::trd::{
    CreateJob, JobResult, JobWebhooks, Progress, ReceiverBuilder, Tls, Transcribe, TrdClient,
    TrdError, ValidateOptions, WebhookReceiver,
};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::trd::{client, exit_for, trd_error};
use crate::args_trd::TranscribeArgs;
use crate::exit::{CliError, Exit, OrExit};
use crate::stdio::{errln, outln};
use crate::terminal_text::{clean, field, MESSAGE};

/// Deadline of each request other than the upload (which also gets time for its size).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub async fn run(args: TranscribeArgs) -> Result<(), CliError> {
    if args.out.is_some() {
        refuse_shared_out_names(&args.files)?;
    }
    let trd = Arc::new(client(&args.trd, REQUEST_TIMEOUT)?);
    let hooks = match &args.webhook {
        Some(url) => {
            let hooks = webhook(&trd, url, !args.no_validate).await?;
            errln!("receiving results at {}", hooks.url());
            Some(hooks)
        }
        None => None,
    };
    let mut options = match &hooks {
        Some(hooks) => Transcribe::webhook(hooks.clone()),
        None => Transcribe::poll(),
    };
    options = options
        .timeout(Duration::from_secs(args.timeout))
        .stop_on_timeout(args.stop_on_timeout)
        .delete_after(args.delete_after);
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).or_exit(Exit::Input, &dir.display().to_string())?;
    }
    let bars = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
    let tasks: Vec<_> = args
        .files
        .iter()
        .map(|file| {
            let bar = bars.add(file_bar(file));
            let job = job_for(file, &args);
            let (trd, options) = (Arc::clone(&trd), with_progress(&options, bar.clone()));
            tokio::spawn(async move {
                let outcome = trd.transcribe(&job, &options).await;
                match &outcome {
                    Ok(result) => bar.finish_with_message(field(&result.job.status.to_string())),
                    Err(error) => {
                        bar.abandon_with_message(format!("failed: {}", field(&error.to_string())))
                    }
                }
                outcome
            })
        })
        .collect();
    let total = args.files.len();
    let mut failures = Vec::new();
    for (file, task) in args.files.iter().zip(tasks) {
        let outcome = task.await.or_exit(Exit::Failure, "transcription task")?;
        if let Err(error) = outcome.and_then(|result| report(file, &result, &args)) {
            // Server text (a failure reason, a job id) reaches the terminal cleaned.
            let line = format!("{}: {}", file.display(), clean(&error.to_string(), MESSAGE));
            // One recording's failure is the command's error, said once; of several, each
            // is said as it is known and the command's error counts them.
            if total > 1 {
                errln!("{line}");
            }
            failures.push((exit_for(&error), line));
        }
    }
    if let Some(hooks) = &hooks {
        hooks.shutdown().await;
    }
    let failed = failures.len();
    match failures.into_iter().next() {
        None => Ok(()),
        Some((exit, line)) if total == 1 => Err(CliError::new(exit, line)),
        Some((exit, _)) => Err(CliError::new(
            exit,
            format!("{failed} of {total} recordings failed (the exit code is the first's)"),
        )),
    }
}

fn job_for(file: &Path, args: &TranscribeArgs) -> CreateJob {
    let mut job = CreateJob::new(file);
    for item in &args.job_config {
        job = job.config(item.clone());
    }
    if let Some(tag) = &args.tag {
        job = job.tag(tag.clone());
    }
    job
}

/// The name of `file`'s result under `--out`.
fn out_name(file: &Path) -> String {
    let name = file
        .file_name()
        .map_or_else(|| "result".into(), |n| n.to_string_lossy().into_owned());
    format!("{name}.json")
}

/// Two recordings of one name (`a/call.wav`, `b/call.wav`) would write one result file, the
/// second replacing the first: refused before anything is uploaded.
fn refuse_shared_out_names(files: &[std::path::PathBuf]) -> Result<(), CliError> {
    let mut seen = std::collections::HashMap::new();
    for file in files {
        if let Some(first) = seen.insert(out_name(file), file) {
            return Err(CliError::new(
                Exit::Usage,
                format!(
                    "{} and {} would both write {} under --out: rename one, or run them apart",
                    first.display(),
                    file.display(),
                    out_name(file)
                ),
            ));
        }
    }
    Ok(())
}

/// Prints (and with --out writes) one result.
fn report(file: &Path, result: &JobResult, args: &TranscribeArgs) -> Result<(), TrdError> {
    if let Some(dir) = &args.out {
        let path = dir.join(out_name(file));
        std::fs::write(&path, result.to_json_pretty())
            .map_err(|source| TrdError::File { path, source })?;
    }
    if args.json {
        outln!("{}", result.to_json());
    } else {
        outln!(
            "{}: {} {} {}",
            file.display(),
            field(&result.job.id),
            field(&result.job.status.to_string()),
            // Escaped, not cut: the whole transcript is this line's point.
            clean(&result.transcript(), usize::MAX)
        );
    }
    Ok(())
}

/// Starts the receiver TRD posts results to, at the port and host of `url`.
async fn webhook(trd: &TrdClient, url: &str, validate: bool) -> Result<JobWebhooks, CliError> {
    let parsed = url::Url::parse(url).or_exit(Exit::Usage, "--webhook")?;
    let (Some(host), Some(port)) = (parsed.host_str(), parsed.port_or_known_default()) else {
        return Err(CliError::new(
            Exit::Usage,
            "--webhook needs scheme://host:port",
        ));
    };
    let host = host.trim_matches(['[', ']']).to_owned();
    let mut receiver: ReceiverBuilder = WebhookReceiver::builder()
        .bind(SocketAddr::new(listen_address(&host), port))
        .public_host(host.clone());
    receiver = match parsed.scheme() {
        "https" => receiver.tls(Tls::SelfSigned { hosts: vec![host] }),
        "http" => receiver.tls(Tls::Plain),
        other => {
            return Err(CliError::new(
                Exit::Usage,
                format!("--webhook must be http or https, not {other}"),
            ))
        }
    };
    let validate = validate.then(ValidateOptions::default);
    trd.start_job_webhooks(receiver, validate)
        .await
        .map_err(|e| trd_error("webhook", e))
}

/// Where the receiver listens: the URL's loopback address when it names one (TRD runs on this
/// machine), else every interface of the URL's family (IPv4 for a name), as the URL may be an
/// address a NAT forwards here.
fn listen_address(host: &str) -> IpAddr {
    match crate::listen_host::parse(host) {
        Ok(ip) if ip.is_loopback() => ip,
        Ok(IpAddr::V6(_)) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        _ => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
    }
}

fn file_bar(file: &Path) -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{prefix} {bar:24} {bytes}/{total_bytes} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_prefix(short_name(file));
    bar
}

fn short_name(file: &Path) -> String {
    file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The options with a progress handler that drives `bar`.
fn with_progress(options: &Transcribe, bar: ProgressBar) -> Transcribe {
    options.clone().on_progress(move |step| match step {
        Progress::Uploading { sent, total } => {
            bar.set_length(*total);
            bar.set_position(*sent);
            if sent == total {
                bar.set_message("uploaded");
            }
        }
        Progress::Created(job) | Progress::Status(job) => bar.set_message(format!(
            "{} {}",
            field(&job.id),
            field(&job.status.to_string())
        )),
        Progress::Finished(_) => {}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loopback_webhook_url_listens_on_loopback_only() {
        assert_eq!(listen_address("127.0.0.1"), IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(listen_address("localhost"), IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert!(listen_address("::1").is_loopback());
        assert_eq!(
            listen_address("203.0.113.7"),
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        );
        assert_eq!(
            listen_address("2001:db8::7"),
            IpAddr::V6(Ipv6Addr::UNSPECIFIED)
        );
        assert_eq!(
            listen_address("hook.example.com"),
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        );
    }
}
