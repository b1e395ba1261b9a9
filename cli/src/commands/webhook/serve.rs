//! `das webhook serve`: a TRD webhook receiver in the foreground. Each delivery is written to
//! a directory or piped to a command, and acknowledged (its spool file deleted) only when that
//! succeeded; a failed one stays in the spool and comes back at the next start.

use std::io::Write;
use std::net::SocketAddr;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use das::trd::{Delivery, JobStatus, Tls, WebhookReceiver};
use tokio::io::AsyncWriteExt;

use crate::args_tools::WebhookServeArgs;
use crate::commands::stop::StopSignals;
use crate::exit::{CliError, Exit, OrExit};
use crate::stdio::{errln, out, outln};
use crate::terminal_text::field;

/// How often the delivery wait wakes to notice a stop signal.
const POLL: Duration = Duration::from_millis(500);

/// What happens to each delivery.
enum Handler {
    /// Acknowledge after printing its line.
    Print,
    Write(PathBuf),
    Exec {
        command: String,
        timeout: Duration,
    },
}

pub async fn run(args: WebhookServeArgs) -> Result<(), CliError> {
    let mut stop = StopSignals::install()?;
    let ip = args.host;
    if args.token.is_none() && !args.no_token && !ip.is_loopback() {
        return Err(CliError::new(
            Exit::Usage,
            format!(
                "without --token anyone who reaches {ip} can post results: give --token \
                 (or DAS_WEBHOOK_TOKEN), listen on a loopback --host, or pass --no-token"
            ),
        ));
    }
    let mut builder = WebhookReceiver::builder().bind(SocketAddr::new(ip, args.port));
    if let Some(host) = &args.public_host {
        builder = builder.public_host(host);
    }
    if let Some(token) = &args.token {
        builder = builder.token(token);
    }
    builder = builder.tls(tls_mode(&args)?);
    if let Some(spool) = &args.spool {
        builder = builder.spool(spool);
    }
    let handler = match (&args.out, &args.exec) {
        (Some(dir), _) => {
            std::fs::create_dir_all(dir).or_exit(Exit::Input, &dir.display().to_string())?;
            Handler::Write(dir.clone())
        }
        (None, Some(command)) => Handler::Exec {
            command: command.clone(),
            timeout: Duration::from_secs(args.exec_timeout),
        },
        (None, None) => Handler::Print,
    };
    let receiver = builder.start().await.map_err(|e| match e {
        das::trd::ReceiverError::EmptyToken => CliError::new(
            Exit::Usage,
            "--token (or DAS_WEBHOOK_TOKEN) is empty: give the token TRD sends, or --no-token",
        ),
        das::trd::ReceiverError::Bind { .. } => {
            CliError::new(Exit::Network, format!("webhook receiver: {e}"))
        }
        _ => CliError::new(Exit::Input, format!("webhook receiver: {e}")),
    })?;
    outln!("listening on {}", receiver.url());
    if let Some(pem) = receiver.certificate_pem().filter(|_| args.cert.is_none()) {
        match &args.cert_out {
            Some(path) => {
                std::fs::write(path, pem).or_exit(Exit::Input, &path.display().to_string())?;
                outln!("certificate written to {}", path.display());
            }
            None => out!("{pem}"),
        }
    }
    if args.spool.is_none() && !matches!(handler, Handler::Print) {
        errln!(
            "das: warning: without --spool, TRD gets its 200 before a result is handled: \
             results acknowledged but not yet handled are lost if this process crashes or is \
             killed, and so is a result whose handling fails. Use --spool DIR to keep each \
             result on disk until it is handled."
        );
    }

    loop {
        tokio::select! {
            _ = stop.recv() => break,
            delivery = receiver.next_delivery(POLL) => {
                let Some(delivery) = delivery else { continue };
                // Ctrl-C does not reach an --exec command (a process group of its own):
                // stopping drops the handling, which kills the command, and the delivery,
                // not acknowledged, stays in the spool.
                tokio::select! {
                    line = handle(&handler, delivery) => outln!("{line}"),
                    _ = stop.recv() => {
                        errln!("das: stopped while a result was being handled; a spooled \
                                   result is delivered again at the next start");
                        break;
                    }
                }
            }
        }
    }
    receiver.shutdown().await;
    outln!("stopped");
    Ok(())
}

fn tls_mode(args: &WebhookServeArgs) -> Result<Tls, CliError> {
    if args.http {
        return Ok(Tls::Plain);
    }
    match (&args.cert, &args.key) {
        (Some(cert), Some(key)) => Ok(Tls::Pem {
            cert: read_text(cert)?,
            key: read_text(key)?,
        }),
        _ => Ok(Tls::SelfSigned {
            hosts: match &args.public_host {
                Some(host) => vec![host.clone()],
                None => vec!["127.0.0.1".into(), "localhost".into()],
            },
        }),
    }
}

fn read_text(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).or_exit(Exit::Input, &path.display().to_string())
}

/// Handles one delivery and returns its report line.
async fn handle(handler: &Handler, delivery: Delivery) -> String {
    // The job id passed the receiver's path check; the status is whatever the body says.
    let status = field(delivery.result.job.status.as_str());
    let mut line = format!("{} {status}", delivery_path(&delivery));
    if delivery.duplicate {
        line.push_str(" duplicate");
    }
    if delivery.recovered {
        line.push_str(" recovered");
    }
    let outcome = match handler {
        Handler::Print => Ok("received".to_owned()),
        Handler::Write(dir) => write_result(dir, &delivery),
        Handler::Exec { command, timeout } => exec(command, *timeout, &delivery).await,
    };
    match outcome {
        Ok(done) => match delivery.ack() {
            Ok(()) => format!("{line} -> {done}"),
            Err(e) => format!("{line} -> {done}; acknowledging failed: {e}"),
        },
        Err(problem) => {
            let kept = match delivery.spool_file() {
                Some(file) => format!("kept in {}", file.display()),
                None => "not spooled, lost".to_owned(),
            };
            format!("{line} -> FAILED: {problem}; {kept}")
        }
    }
}

/// The delivery's URL path: `NAME/JOB_ID` for a named callback, else `JOB_ID` (the receiver
/// let through only names and ids that are safe path components).
fn delivery_path(delivery: &Delivery) -> String {
    match &delivery.name {
        Some(name) => format!("{name}/{}", delivery.job_id),
        None => delivery.job_id.clone(),
    }
}

/// Writes the body as received to `dir/<job_id>.json` (`dir/<name>/<job_id>.json` for a named
/// callback, so that one job's results for two callbacks stay apart), through a temporary file
/// so a reader never sees half a document; readable by its owner only, as the body carries the
/// webhook token. A result that is not `COMPLETED` never replaces a `COMPLETED` one (a job
/// stopped after it finished posts a `FAILED` document): it goes beside it, to
/// `<job_id>+failed.json` (`+not-completed.json` for another status; `+` is in no job id, so
/// no other job's file has that name).
fn write_result(dir: &Path, delivery: &Delivery) -> Result<String, String> {
    let dir = match &delivery.name {
        Some(name) => dir.join(name),
        None => dir.to_owned(),
    };
    let job_id = &delivery.job_id;
    let completed = dir.join(format!("{job_id}.json"));
    let status = &delivery.result.job.status;
    let file_name = if *status != JobStatus::Completed && holds_completed_result(&completed) {
        match status {
            JobStatus::Failed => format!("{job_id}+failed.json"),
            _ => format!("{job_id}+not-completed.json"),
        }
    } else {
        format!("{job_id}.json")
    };
    let target = dir.join(&file_name);
    let temp = dir.join(format!(".{file_name}.tmp"));
    let write = || {
        std::fs::create_dir_all(&dir)?;
        // A leftover of an earlier crash keeps its mode: start afresh.
        let _ = std::fs::remove_file(&temp);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)?;
        file.write_all(&delivery.body)?;
        std::fs::rename(&temp, &target)
    };
    write().map_err(|e| format!("{}: {e}", target.display()))?;
    Ok(target.display().to_string())
}

/// Whether `path` holds a `COMPLETED` result (a file that cannot be read or parsed holds none).
fn holds_completed_result(path: &Path) -> bool {
    std::fs::read(path)
        .ok()
        .and_then(|body| das::trd::parse_webhook(&body).ok())
        .is_some_and(|stored| stored.job.status == JobStatus::Completed)
}

/// Kills a command's process group when dropped before it finished: at the timeout, or when
/// das stops while it runs.
struct GroupGuard(Option<rustix::process::Pid>);

impl GroupGuard {
    fn finished(&mut self) {
        self.0 = None;
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if let Some(group) = self.0 {
            let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        }
    }
}

/// Runs `sh -c command` with the body on stdin; success is exit status 0 within `timeout`.
/// The command runs in a process group of its own, killed whole at the timeout or when das
/// stops: what `sh` started must not carry on (and, say, deliver again) after the failure is
/// reported.
async fn exec(command: &str, timeout: Duration, delivery: &Delivery) -> Result<String, String> {
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .env("DAS_JOB_ID", &delivery.job_id)
        .env("DAS_JOB_NAME", delivery.name.as_deref().unwrap_or_default())
        .env("DAS_JOB_STATUS", delivery.result.job.status.as_str())
        .stdin(Stdio::piped())
        // Our stdout carries one line per delivery; the command's output goes to stderr.
        .stdout(std::io::stderr())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start sh: {e}"))?;
    let group = child
        .id()
        .and_then(|id| rustix::process::Pid::from_raw(id as i32));
    let mut guard = GroupGuard(group);
    let body = delivery.body.clone();
    let mut stdin = child.stdin.take();
    let run = async {
        if let Some(stdin) = stdin.as_mut() {
            // A command that does not read its input is judged by its exit status alone.
            if let Err(e) = stdin.write_all(&body).await {
                tracing::debug!(error = %e, "command did not read the whole result");
            }
        }
        drop(stdin);
        child.wait().await
    };
    let outcome = tokio::time::timeout(timeout, run).await;
    if outcome.is_ok() {
        guard.finished();
    }
    drop(guard);
    match outcome {
        Err(_) => Err(format!("command still running after {timeout:?}, killed")),
        Ok(Err(e)) => Err(format!("command failed: {e}")),
        Ok(Ok(status)) if status.success() => Ok("command succeeded".to_owned()),
        Ok(Ok(status)) => Err(format!("command {status}")),
    }
}
