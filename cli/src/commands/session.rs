//! `das register` and `das verify`: one session streaming a WAV (or, signalling only, waiting
//! for audio someone else streams), every event printed.

use std::time::{Duration, Instant};

use das::audio::codec::Codec;
use das::audio::pacing::Pacing;
use das::audio::wav::Wav;
use das::auth::AuthError;
use das::session::settings::AudioProtocol;
use das::session::{Event, RegisterSession, SessionBuilder, SessionError, Verdict, VerifySession};
use das::socketio::SocketIoError;

use super::collected_audio;
use super::credential::CredentialStore;
use super::service::Service;
use super::verify_command::TypedOptions;
use crate::args::{Protocol, SessionArgs, VerifyArgs};
use crate::exit::{CliError, Exit, OrExit};
use crate::render::{error_text, Renderer};

pub async fn register(args: SessionArgs, typed: TypedOptions) -> Result<(), CliError> {
    let store = CredentialStore::for_register(&args, typed);
    run(&args, Kind::Register(&store)).await
}

/// What a session does: register (keeping the credential) or verify against a credential.
#[derive(Clone, Copy)]
enum Kind<'a> {
    Register(&'a CredentialStore),
    Verify(&'a str),
}

pub async fn verify(args: VerifyArgs) -> Result<(), CliError> {
    let credential = std::fs::read_to_string(&args.credential).or_exit(
        Exit::Input,
        &format!("cannot read {}", args.credential.display()),
    )?;
    let credential = credential.trim();
    if credential.is_empty() {
        return Err(CliError::new(
            Exit::Input,
            format!("{} holds no credential", args.credential.display()),
        ));
    }
    run(&args.session, Kind::Verify(credential)).await
}

async fn run(args: &SessionArgs, kind: Kind<'_>) -> Result<(), CliError> {
    let protocol = args.protocol.unwrap_or(Protocol::Audiohook);
    let codec: Codec = match &args.codec {
        Some(name) => name.parse().or_exit(Exit::Usage, "--codec")?,
        None => Codec::Mulaw,
    };
    // Read the file first: a bad WAV should fail before anything connects.
    let wav = match &args.audio {
        Some(path) => Some((
            path,
            Wav::read(path).or_exit(Exit::Input, &path.display().to_string())?,
        )),
        None => None,
    };
    let service = Service::resolve(&args.service, protocol, wav.is_some()).await?;
    let renderer = Renderer::new(args.json);
    let builder = match kind {
        Kind::Verify(credential) => {
            VerifySession::builder(&service.url, service.token.clone(), credential)
        }
        Kind::Register(_) => RegisterSession::builder(&service.url, service.token.clone()),
    };
    let builder = configure(
        builder
            .tls(service.tls.clone())
            .proxy(service.proxy.clone()),
        args,
    );
    // The collected audio is in the session's codec, and in the WAV's layout when one streams.
    let format = (codec, wav.as_ref().map_or(1, |(_, wav)| wav.channels));
    let doing = match kind {
        Kind::Register(_) => "registering",
        Kind::Verify(_) => "verifying with",
    };
    let emulated = if service.is_emulator() {
        " (embedded emulator)"
    } else {
        ""
    };
    let builder = match (wav, service.audio_channel(protocol)) {
        (Some((path, wav)), Some(mut channel)) => {
            channel.codec = codec;
            channel.channels = wav.channels;
            channel.pacing = if args.fast {
                Pacing::AsFastAsPossible
            } else {
                Pacing::RealTime
            };
            // The protocol's own check (the session would make it at start): a codec it cannot
            // carry is refused before the banner says the session is under way.
            channel.check().map_err(|error| {
                CliError::new(
                    Exit::of_channel(error.kind()),
                    format!("cannot start the session: {error}"),
                )
            })?;
            renderer.note(&format!(
                "{doing} {} ({:.1} s, {} ch) over {} as {codec} to {}{emulated}",
                path.display(),
                wav.duration().as_secs_f64(),
                wav.channels,
                channel.url,
                service.url,
            ));
            builder.audio_channel(channel)
        }
        // Signalling only: the metadata announces the audio someone else streams.
        _ => {
            let wire = match protocol {
                Protocol::Audiohook => AudioProtocol::AudioHook,
                Protocol::Twilio => AudioProtocol::Twilio,
            }
            .wire_name();
            renderer.note(&format!(
                "{doing} call_id {} at {}{emulated}, signalling only: waiting for {wire} \
                 audio ({codec}) streamed by someone else with that call_id",
                builder.current_call_id(),
                service.url,
            ));
            builder
                .signalling_only()
                .audio_protocol(wire)
                .audio_codec(codec.das_name())
        }
    };
    let outcome = stream(builder, kind, &renderer, args, format).await;
    renderer.finish();
    service.close().await;
    outcome
}

fn configure(mut builder: SessionBuilder, args: &SessionArgs) -> SessionBuilder {
    if let Some(namespace) = &args.service.namespace {
        builder = builder.namespace(namespace);
    }
    if let Some(call_id) = &args.call_id {
        builder = builder.call_id(call_id);
    }
    if let Some(threshold) = args.authenticity_threshold {
        builder = builder.authenticity_threshold(threshold);
    }
    if let Some(seconds) = args.audio_total_duration {
        builder = builder.audio_total_duration(seconds);
    }
    if let Some(hash) = &args.model_hash {
        builder = builder.model_hash(hash);
    }
    builder
}

async fn stream(
    builder: SessionBuilder,
    kind: Kind<'_>,
    renderer: &Renderer,
    args: &SessionArgs,
    (codec, channels): (Codec, u16),
) -> Result<(), CliError> {
    let mut session = builder.start().await.map_err(start_error)?;
    // The WAV is queued at once; the session holds it until the consumer is ready.
    let pusher = args.audio.clone().map(|wav| {
        let audio = session.audio();
        tokio::spawn(async move {
            let pushed = audio.push_wav(&wav).await;
            audio.end();
            pushed
        })
    });
    let deadline = Instant::now() + Duration::from_secs_f64(args.timeout.max(0.0));
    let result = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let event = match session.next_event(left).await {
            Ok(Some(event)) => event,
            Ok(None) => {
                break Err(CliError::new(
                    Exit::Network,
                    "the session ended without a result",
                ))
            }
            Err(SessionError::Timeout(_)) => {
                break Err(CliError::new(
                    Exit::Network,
                    format!("no result within {} s (--timeout)", args.timeout),
                ))
            }
            Err(other) => break Err(CliError::new(Exit::Network, other)),
        };
        renderer.event(&event);
        if let (Kind::Register(store), Some(credential)) = (kind, approved_credential(&event)) {
            if let Err(error) = store.keep(credential, session.call_id(), renderer) {
                break Err(error);
            }
        }
        if let (
            Some(path),
            Event::ResultSuccess {
                collected_audio, ..
            },
        ) = (&args.collected_audio_out, &event)
        {
            let Some(audio) = collected_audio else {
                break Err(CliError::new(
                    Exit::Failure,
                    "the result carried no collected audio (--collected-audio-out)",
                ));
            };
            if let Err(error) = collected_audio::save(path, audio, codec, channels) {
                break Err(error);
            }
            renderer.note(&format!(
                "collected audio ({} bytes) saved to {}",
                audio.len(),
                path.display()
            ));
        }
        if let Some(outcome) = outcome(&event, matches!(kind, Kind::Register(_))) {
            break outcome;
        }
    };
    if let Some(pusher) = pusher {
        pusher.abort();
    }
    session.close().await;
    result
}

/// The credential of a `result-success` that is not a rejection.
fn approved_credential(event: &Event) -> Option<&str> {
    match event {
        Event::ResultSuccess {
            credential: Some(credential),
            verdict,
            ..
        } if *verdict != Verdict::Rejected => Some(credential),
        _ => None,
    }
}

/// What an event means for the command: `None` to keep going (the core's `Event::is_final`
/// decides). A result the command cannot read (no credential, no verdict) is a failure, never
/// a silent success.
fn outcome(event: &Event, registering: bool) -> Option<Result<(), CliError>> {
    if !event.is_final() {
        return None;
    }
    match event {
        Event::AudioEnded {
            error, error_kind, ..
        } => Some(Err(CliError::new(
            error_kind.map_or(Exit::Network, Exit::of_channel),
            format!(
                "the audio channel failed before any audio was sent: {}",
                error.as_deref().unwrap_or("no reason given")
            ),
        ))),
        Event::ResultSuccess {
            content,
            verdict,
            credential,
            ..
        } => Some(match (verdict, registering, credential) {
            (Verdict::Rejected, _, _) => Err(CliError::new(
                Exit::Rejected,
                content.as_deref().unwrap_or("verification rejected"),
            )),
            (_, true, None) => Err(CliError::new(
                Exit::Failure,
                "the registration result carried no credential",
            )),
            (Verdict::Unknown, false, _) => Err(CliError::new(
                Exit::Failure,
                "the verification result says neither accepted nor rejected",
            )),
            _ => Ok(()),
        }),
        Event::ResultFailure {
            content, reason, ..
        } => Some(Err(CliError::new(
            Exit::Rejected,
            format!(
                "{} ({})",
                content.as_deref().unwrap_or("result-failure"),
                reason.as_deref().unwrap_or("no reason given")
            ),
        ))),
        Event::Error {
            content, message, ..
        } => Some(Err(CliError::new(
            Exit::Rejected,
            format!(
                "the service reported an error: {}",
                error_text(content, message)
            ),
        ))),
        Event::Disconnected {
            reason,
            before_result: true,
            ..
        } => Some(Err(CliError::new(
            Exit::Network,
            format!("signalling lost before a result: {reason}"),
        ))),
        // After the result (the loop ends at the result, so this is only for completeness).
        Event::Disconnected { .. } => Some(Ok(())),
        _ => None,
    }
}

fn start_error(error: SessionError) -> CliError {
    let exit = match &error {
        // Options that cannot go together (an A-law AudioHook channel).
        SessionError::Settings(_) => Exit::Usage,
        SessionError::Auth(AuthError::Rejected { .. })
        | SessionError::Signalling(SocketIoError::Auth(AuthError::Rejected { .. })) => Exit::Auth,
        SessionError::Signalling(SocketIoError::ConnectRefused { .. }) => Exit::Auth,
        SessionError::Auth(AuthError::Proxy(e))
        | SessionError::Signalling(SocketIoError::Proxy(e))
        | SessionError::Signalling(SocketIoError::Auth(AuthError::Proxy(e)))
            if !e.is_timeout() =>
        {
            Exit::Proxy
        }
        _ => Exit::Network,
    };
    CliError::new(exit, format!("cannot start the session: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use das::channel::ChannelErrorKind;
    use serde_json::json;

    /// The exit code `event` ends the command with (`None`: success or keep going).
    fn exit(event: Event, registering: bool) -> Option<Exit> {
        outcome(&event, registering).and_then(|result| result.err().map(|e| e.exit))
    }

    #[test]
    fn an_audio_channel_that_fails_before_any_audio_ends_the_command() {
        let failed = |kind, bytes_sent| Event::AudioEnded {
            reason: "error".into(),
            error: Some("the reason".into()),
            error_kind: Some(kind),
            bytes_sent,
            data: json!({}),
        };
        assert_eq!(
            exit(failed(ChannelErrorKind::Auth, 0), true),
            Some(Exit::Auth)
        );
        assert_eq!(
            exit(failed(ChannelErrorKind::Proxy, 0), true),
            Some(Exit::Proxy)
        );
        let unreachable = failed(ChannelErrorKind::Network, 0);
        assert_eq!(exit(unreachable, true), Some(Exit::Network));
        assert_eq!(exit(failed(ChannelErrorKind::Auth, 32_000), true), None);
    }

    #[test]
    fn the_command_ends_at_the_events_the_core_calls_final() {
        let events = [
            Event::from_wire("info-consumer-ready", json!({})),
            Event::from_wire("info-vad-status", json!({"vad_percentage": 40})),
            Event::from_wire("result-failure", json!({"reason": "audio_timeout"})),
            Event::from_wire("error", json!({"code": "duplicate_call_id"})),
            Event::from_wire("something-new", json!({})),
            Event::Disconnected {
                reason: "server disconnect".into(),
                before_result: false,
                data: json!({}),
            },
            Event::AudioEnded {
                reason: "error".into(),
                error: Some("refused".into()),
                error_kind: None,
                bytes_sent: 0,
                data: json!({}),
            },
        ];
        for event in events {
            let ends = outcome(&event, true).is_some();
            assert_eq!(ends, event.is_final(), "{}", event.name());
        }
    }

    #[test]
    fn a_result_the_command_cannot_read_never_exits_zero() {
        let approved = |data| Event::from_wire("result-success", data);
        let no_credential = approved(json!({"content": "Registration: approved"}));
        assert_eq!(exit(no_credential, true), Some(Exit::Failure));
        let with_credential = json!({"content": "Registration: approved", "credential": "C"});
        assert_eq!(exit(approved(with_credential), true), None);
        let silent = approved(json!({"score": 0.9}));
        assert_eq!(exit(silent, false), Some(Exit::Failure));
        let rejected = approved(json!({"content": "Verification: rejected", "score": 0.2}));
        assert_eq!(exit(rejected, false), Some(Exit::Rejected));
    }
}
