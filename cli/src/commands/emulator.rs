//! `das emulator`: the das-Peak Streaming + TRD emulator in the foreground. It prints its
//! description (a banner, or one JSON line with `--json` for the program that started it) and
//! serves until Ctrl-C or SIGTERM, or with `--json` until its standard input closes.

use std::net::SocketAddr;
use std::path::Path;

use das_emulator::{
    ClientCredentials, Emulator, EmulatorConfig, EmulatorHandle, Faults, DEMO_AUDIOHOOK_API_KEY,
    DEMO_AUDIOHOOK_CLIENT_SECRET,
};
use serde_json::{Map, Value};
use tokio::signal::unix::{signal, Signal, SignalKind};

use crate::args::EmulatorArgs;
use crate::exit::{CliError, Exit, OrExit};
use crate::stdio::{out, outln};

pub async fn run(args: EmulatorArgs) -> Result<(), CliError> {
    let config = config(&args)?;
    // Listening before the description is out: a SIGTERM sent as soon as it arrives must stop
    // the emulator cleanly, not kill it.
    let signals = StopSignals::listen().or_exit(Exit::Failure, "cannot wait for a stop signal")?;
    let emulator = Emulator::start(config)
        .await
        .or_exit(Exit::Failure, "cannot start the emulator")?;
    let description = emulator.description();
    let stop = if args.json {
        let line = serde_json::to_string(&description)
            .or_exit(Exit::Failure, "cannot describe the emulator")?;
        outln!("{line}");
        StdinClosed::Stops
    } else {
        out!("{description}");
        users_audiohook_keys(&emulator);
        outln!("Ctrl-C stops it.");
        StdinClosed::Ignored
    };
    signals.stopped(stop).await;
    emulator.shutdown().await;
    Ok(())
}

/// The AudioHook keys a user added, by name only: their secrets are the user's (the
/// description shows the demo key, whose secret is public).
fn users_audiohook_keys(emulator: &EmulatorHandle) {
    for (key, secret) in &emulator.config().audiohook.keys {
        if key != DEMO_AUDIOHOOK_API_KEY || secret != DEMO_AUDIOHOOK_CLIENT_SECRET {
            outln!("  AudioHook key   {key} (your secret, not shown)");
        }
    }
}

/// Whether the end of standard input stops the emulator (`--json`: the program that started
/// it holds the other end, so the emulator dies with it).
#[derive(Clone, Copy, PartialEq, Eq)]
enum StdinClosed {
    Stops,
    Ignored,
}

/// Ctrl-C and SIGTERM, caught from the moment this exists.
struct StopSignals {
    interrupt: Signal,
    terminate: Signal,
}

impl StopSignals {
    fn listen() -> std::io::Result<Self> {
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    /// Waits for Ctrl-C, SIGTERM or (see [`StdinClosed`]) the end of standard input.
    async fn stopped(mut self, stdin: StdinClosed) {
        let stdin_closed = async {
            match stdin {
                StdinClosed::Stops => stdin_end().await,
                StdinClosed::Ignored => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
            () = stdin_closed => {}
        }
    }
}

/// Resolves once standard input reaches its end (or fails). A plain thread reads it: a read
/// blocked in tokio's blocking pool would hold up the runtime's shutdown.
async fn stdin_end() {
    let (closed, on_close) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        let _ = closed.send(());
    });
    let _ = on_close.await;
}

fn config(args: &EmulatorArgs) -> Result<EmulatorConfig, CliError> {
    let mut config = match &args.settings {
        Some(path) => read_settings(path)?,
        None => EmulatorConfig::default(),
    };
    config.bind = SocketAddr::new(args.host, args.port);
    if !args.clients.is_empty() {
        config.clients = args
            .clients
            .iter()
            .map(|pair| {
                let (id, secret) = split_pair(pair, "--client")?;
                Ok(ClientCredentials::new(id, secret))
            })
            .collect::<Result<_, CliError>>()?;
    }
    for pair in &args.audiohook_keys {
        let (key, secret) = split_pair(pair, "--audiohook-key")?;
        config
            .audiohook
            .keys
            .insert(key.to_owned(), secret.to_owned());
    }
    if !args.faults.is_empty() {
        config.faults = faults(&args.faults)?;
    }
    config.send_collected_audio |= args.send_collected_audio;
    config.collected_audio_in_payload |= args.collected_audio_in_payload;
    if let Some(path) = &args.event_timing_log {
        config.event_timing_log = Some(path.clone());
    }
    Ok(config)
}

fn read_settings(path: &Path) -> Result<EmulatorConfig, CliError> {
    let text = std::fs::read_to_string(path)
        .or_exit(Exit::Input, &format!("cannot read {}", path.display()))?;
    let context = format!("emulator settings {}", path.display());
    if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).or_exit(Exit::Input, &context)
    } else {
        toml::from_str(&text).or_exit(Exit::Input, &context)
    }
}

fn split_pair<'a>(pair: &'a str, flag: &str) -> Result<(&'a str, &'a str), CliError> {
    pair.split_once(':')
        .filter(|(a, b)| !a.is_empty() && !b.is_empty())
        .ok_or_else(|| CliError::new(Exit::Usage, format!("{flag} takes NAME:SECRET")))
}

/// `--fault` switches, named as the settings fields with dashes, into [`Faults`].
fn faults(switches: &[String]) -> Result<Faults, CliError> {
    let mut fields = Map::new();
    for switch in switches {
        let (name, value) = switch.split_once('=').unwrap_or((switch, ""));
        let key = name.replace('-', "_");
        let value = match (key.as_str(), value) {
            (_, "") => Value::Bool(true),
            ("audiohook_pause", value) => {
                let (after, resume) = value.split_once(':').unwrap_or((value, "1000"));
                serde_json::json!({
                    "after_audio_secs": after.parse::<f64>().or_exit(Exit::Usage, "audiohook-pause seconds")?,
                    "resume_after_ms": resume.parse::<u64>().or_exit(Exit::Usage, "audiohook-pause milliseconds")?,
                })
            }
            ("trd_reject", value) => {
                let (status, count) = value
                    .split_once(':')
                    .map_or((value, None), |(s, c)| (s, Some(c)));
                let count = count
                    .map(|count| {
                        count
                            .parse::<u32>()
                            .or_exit(Exit::Usage, "trd-reject count")
                    })
                    .transpose()?;
                serde_json::json!({
                    "status": status.parse::<u16>().or_exit(Exit::Usage, "trd-reject status")?,
                    "count": count,
                })
            }
            (_, value) => Value::from(
                value
                    .parse::<u64>()
                    .or_exit(Exit::Usage, &format!("--fault {name}"))?,
            ),
        };
        fields.insert(key, value);
    }
    serde_json::from_value(Value::Object(fields)).or_exit(Exit::Usage, "--fault")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_switches_map_onto_the_settings() {
        let faults = faults(&[
            "reject-auth".into(),
            "drop-signalling-after-events=3".into(),
            "audiohook-pause=1.5:2000".into(),
            "trd-reject=502:2".into(),
        ])
        .unwrap();
        assert!(faults.reject_auth);
        assert_eq!(faults.drop_signalling_after_events, Some(3));
        let pause = faults.audiohook_pause.unwrap();
        assert_eq!((pause.after_audio_secs, pause.resume_after_ms), (1.5, 2000));
        let reject = faults.trd_reject.unwrap();
        assert_eq!((reject.status, reject.count), (502, Some(2)));
        let always = super::faults(&["trd-reject=503".into()])
            .unwrap()
            .trd_reject
            .unwrap();
        assert_eq!((always.status, always.count), (503, None));
        assert!(super::faults(&["trd-reject=busy".into()]).is_err());
        assert!(super::faults(&["trd-reject=500:twice".into()]).is_err());
        assert!(super::faults(&["no-such-fault".into()]).is_err());
        assert!(super::faults(&["delay-consumer-ready-ms=soon".into()]).is_err());
    }

    #[test]
    fn client_pairs_need_both_halves() {
        assert_eq!(split_pair("id:s", "--client").unwrap(), ("id", "s"));
        assert!(split_pair("id", "--client").is_err());
        assert!(split_pair(":s", "--client").is_err());
    }
}
