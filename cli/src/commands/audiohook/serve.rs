//! `das audiohook serve`: an AudioHook endpoint that verifies signatures, prints a line per
//! session opened and closed, and with `--record` streams each session to disk (see `record`).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use das::audiohook::secret::ClientSecret;
use das::audiohook::server::{
    AudioHookServer, ServerConfig, ServerSession, SessionEnd, SessionEvent,
};
use das::serve::ConnectionLimits;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::record::Recording;
use crate::args_tools::AudiohookServeArgs;
use crate::commands::stop::StopSignals;
use crate::exit::{CliError, Exit, OrExit};
use crate::stdio::outln;
use crate::terminal_text::field;

/// How long sessions still running at a stop get to save their recordings.
const SAVE_GRACE: Duration = Duration::from_secs(5);

pub async fn run(args: AudiohookServeArgs) -> Result<(), CliError> {
    let mut stop = StopSignals::install()?;
    let defaults = ServerConfig::default();
    let config = ServerConfig {
        keys: parse_keys(&args.api_keys)?,
        connection_limits: ConnectionLimits {
            max_connections: args.max_connections as usize,
            ..defaults.connection_limits
        },
        max_audio_lead: (args.max_audio_lead > 0.0)
            .then(|| Duration::from_secs_f64(args.max_audio_lead)),
        quiet_timeout: (args.quiet_timeout > 0.0)
            .then(|| Duration::from_secs_f64(args.quiet_timeout)),
        ..defaults
    };
    if let Some(dir) = &args.record {
        std::fs::create_dir_all(dir).or_exit(Exit::Input, &dir.display().to_string())?;
    }
    if !args.path.starts_with('/') {
        return Err(CliError::new(Exit::Usage, "--path must start with /"));
    }
    let bind = SocketAddr::new(args.host, args.port);
    let (local, mut incoming, server) = AudioHookServer::bind(config, bind, &args.path)
        .await
        .or_exit(Exit::Network, &format!("cannot listen on {bind}"))?;
    outln!("listening on ws://{local}{}", args.path);

    let (stopping_tx, stopping) = watch::channel(false);
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.recv() => break,
            session = incoming.next() => match session {
                Some(session) => {
                    sessions.spawn(serve_session(session, args.record.clone(), stopping.clone()));
                }
                None => break,
            },
        }
    }
    server.abort();
    let _ = stopping_tx.send(true);
    let _ = tokio::time::timeout(SAVE_GRACE, async {
        while sessions.join_next().await.is_some() {}
    })
    .await;
    outln!("stopped");
    Ok(())
}

/// `KEY:BASE64SECRET` entries; an empty secret accepts unsigned requests for that key.
fn parse_keys(entries: &[String]) -> Result<HashMap<String, ClientSecret>, CliError> {
    let mut keys = HashMap::new();
    for entry in entries {
        let (key, secret) = entry
            .split_once(':')
            .filter(|(key, _)| !key.is_empty())
            .ok_or_else(|| CliError::new(Exit::Usage, "--api-key expects KEY:BASE64SECRET"))?;
        // Neither message repeats the secret.
        let secret = ClientSecret::from_base64(secret).map_err(|_| {
            CliError::new(
                Exit::Usage,
                format!("--api-key {key}: secret is not valid base64"),
            )
        })?;
        keys.insert(key.to_owned(), secret);
    }
    Ok(keys)
}

async fn serve_session(
    mut session: ServerSession,
    record: Option<PathBuf>,
    mut stopping: watch::Receiver<bool>,
) {
    let id = session.session_id.to_string();
    let media = match &session.media {
        Some(media) => format!(
            "{} {}",
            media.format.codec(),
            media
                .channels
                .iter()
                .map(|c| format!("{c:?}").to_lowercase())
                .collect::<Vec<_>>()
                .join("+")
        ),
        None => "no media".to_owned(),
    };
    let kind = if session.is_probe() { " (probe)" } else { "" };
    outln!(
        "opened {id}{kind} conversation {} media {media}",
        session.open.conversation_id
    );
    let mut recording = Recording::start(&session, record.as_deref());
    let mut how = "server stopped".to_owned();
    loop {
        tokio::select! {
            event = session.next_event() => match event {
                Some(event) => {
                    recording.event(&event);
                    if let SessionEvent::Ended(end) = event {
                        how = describe(&end);
                        break;
                    }
                }
                None => break,
            },
            _ = stopping.wait_for(|stopped| *stopped) => {
                recording.server_stopped();
                break;
            }
        }
    }
    let mut line = format!(
        "closed {id}: {how} after {:.3} s of audio",
        recording.seconds()
    );
    match recording.finish() {
        Ok(paths) => {
            for path in paths {
                line.push_str(&format!(" -> {}", path.display()));
            }
        }
        Err(problem) => line.push_str(&format!("; recording incomplete: {problem}")),
    }
    outln!("{line}");
}

fn describe(end: &SessionEnd) -> String {
    match end {
        SessionEnd::Closed(reason) => format!(
            "closed by the client ({})",
            format!("{reason:?}").to_lowercase()
        ),
        SessionEnd::ProtocolError(info) => format!("protocol error: {}", field(info)),
        SessionEnd::Unauthorized(info) => format!("unauthorized: {}", field(info)),
        SessionEnd::RateExceeded(info) => format!("disconnected: {}", field(info)),
        SessionEnd::ConnectionLost => "connection lost".to_owned(),
    }
}
