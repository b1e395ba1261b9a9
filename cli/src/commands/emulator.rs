//! `das emulator`: the das-Peak Streaming + TRD emulator in the foreground.

use std::net::SocketAddr;
use std::path::Path;

use das_emulator::{
    ClientCredentials, Emulator, EmulatorConfig, EmulatorHandle, Faults, DEMO_AUDIOHOOK_API_KEY,
    DEMO_AUDIOHOOK_CLIENT_SECRET,
};
use serde_json::{Map, Value};

use crate::args::EmulatorArgs;
use crate::exit::{CliError, Exit, OrExit};

pub async fn run(args: EmulatorArgs) -> Result<(), CliError> {
    let config = config(&args)?;
    let custom_clients = !args.clients.is_empty();
    let emulator = Emulator::start(config)
        .await
        .or_exit(Exit::Failure, "cannot start the emulator")?;
    println!(
        "das-Peak Streaming + TRD emulator listening on {}",
        emulator.base_url()
    );
    println!("  Socket.IO URL   {}", emulator.socketio_url());
    println!("  token URL       {}", emulator.token_url());
    println!("  AudioHook URL   {}", emulator.audiohook_url());
    println!("  Twilio URL      {}", emulator.twilio_url());
    println!("  TRD API         {}", emulator.trd_url());
    println!("  TRD license     {}", emulator.trd_license_url());
    if custom_clients {
        println!("  clients         as given with --client");
    } else {
        println!(
            "  client          {} / {} (public demo credentials)",
            emulator.client_id(),
            emulator.client_secret()
        );
        audiohook_keys(&emulator);
    }
    if !emulator.trd_license_user().is_empty() {
        println!(
            "  TRD license     {} / {} (demo license user)",
            emulator.trd_license_user(),
            emulator.trd_license_password()
        );
    }
    println!("Ctrl-C stops it.");
    tokio::signal::ctrl_c()
        .await
        .or_exit(Exit::Failure, "cannot wait for Ctrl-C")?;
    emulator.shutdown().await;
    Ok(())
}

/// The AudioHook keys: the demo key with its public secret, any other key by name only
/// (its secret is the user's).
fn audiohook_keys(emulator: &EmulatorHandle) {
    for (key, secret) in &emulator.config().audiohook.keys {
        if key == DEMO_AUDIOHOOK_API_KEY && secret == DEMO_AUDIOHOOK_CLIENT_SECRET {
            println!("  AudioHook key   {key} / {secret} (public demo credentials)");
        } else {
            println!("  AudioHook key   {key} (your secret, not shown)");
        }
    }
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
        ])
        .unwrap();
        assert!(faults.reject_auth);
        assert_eq!(faults.drop_signalling_after_events, Some(3));
        let pause = faults.audiohook_pause.unwrap();
        assert_eq!((pause.after_audio_secs, pause.resume_after_ms), (1.5, 2000));
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
