//! `das audiohook send`: N client sessions started at R per second, each streaming the audio in
//! real time (or as fast as allowed), then a line per session and RTT percentiles over every
//! ping the clients measured. Exits non-zero when any session failed.

use std::sync::Arc;
use std::time::Duration;

use das::audio::pacing::Pacing;
use das::audiohook::client::{ClientConfig, ClientEnd, ClientError, ClientSession};
use das::audiohook::secret::ClientSecret;
use tokio::task::JoinSet;
use tokio::time::Instant;
use url::Url;
use uuid::Uuid;

use super::percentile::nearest_rank;
use super::source::Audio;
use crate::args_tools::AudiohookSendArgs;
use crate::exit::{CliError, Exit, OrExit};
use crate::stdio::outln;
use crate::terminal_text::field;

/// What one session reports.
struct Outcome {
    index: u32,
    session_id: Uuid,
    result: Result<ClientEnd, ClientError>,
    rtts: Vec<Duration>,
}

pub async fn run(args: AudiohookSendArgs) -> Result<(), CliError> {
    let url: Url = args.uri.parse().or_exit(Exit::Usage, "--uri")?;
    if !(args.rate.is_finite() && args.rate > 0.0) {
        return Err(CliError::new(Exit::Usage, "--rate must be positive"));
    }
    // The error names no part of the secret.
    let secret = ClientSecret::from_base64(&args.client_secret)
        .map_err(|_| CliError::new(Exit::Usage, "--client-secret is not valid base64"))?;
    let organization = args.organization_id.unwrap_or_else(Uuid::new_v4);
    let mut config = ClientConfig::new(url, organization, args.api_key.clone(), secret);
    config.tls = args.tls.options()?;
    config.proxy = args.tls.proxy()?;
    let audio = if args.probe {
        None
    } else {
        let audio = Audio::load(args.wav.as_deref(), args.duration, args.format)?;
        config.input_format = audio.format;
        config.input_channels = audio.channels.clone();
        config.media_offers = audio.offers();
        Some(Arc::new(audio))
    };
    if args.fast {
        config.pacing = Pacing::AsFastAsPossible;
    }
    if let Some(audio) = &audio {
        outln!(
            "streaming {:.3} s of {} {} audio per session, {} session(s) at {}/s",
            audio.seconds,
            if audio.channels.len() == 2 {
                "stereo"
            } else {
                "mono"
            },
            audio.format.codec(),
            args.sessions,
            args.rate
        );
    }

    let start = Instant::now();
    let spacing = Duration::from_secs_f64(1.0 / args.rate);
    let mut sessions = JoinSet::new();
    for index in 0..args.sessions {
        tokio::time::sleep_until(start + spacing * index).await;
        let mut config = config.clone();
        config.session_id = Uuid::new_v4();
        config.correlation_id = Uuid::new_v4();
        let conversation = args.conversation_id.unwrap_or_else(Uuid::new_v4);
        sessions.spawn(run_session(index + 1, config, conversation, audio.clone()));
    }

    let mut rtts = Vec::new();
    let mut failures = Vec::new();
    while let Some(joined) = sessions.join_next().await {
        let outcome = joined.or_exit(Exit::Failure, "session task")?;
        outln!("{}", describe(&outcome));
        rtts.extend(outcome.rtts);
        if let Err(error) = outcome.result {
            failures.push(error);
        }
    }
    outln!("{}", rtt_summary(rtts));
    outln!(
        "{} of {} session(s) ok",
        args.sessions as usize - failures.len(),
        args.sessions
    );
    match failures.first() {
        None => Ok(()),
        Some(first) => Err(CliError::new(
            Exit::of_channel(first.kind()),
            format!(
                "{} of {} session(s) failed; first: {first}",
                failures.len(),
                args.sessions
            ),
        )),
    }
}

async fn run_session(
    index: u32,
    config: ClientConfig,
    conversation: Uuid,
    audio: Option<Arc<Audio>>,
) -> Outcome {
    let session_id = config.session_id;
    let (result, rtts) = match audio {
        None => (
            ClientSession::probe(config)
                .await
                .map(|()| ClientEnd::Finished),
            Vec::new(),
        ),
        Some(audio) => match ClientSession::open(config, conversation).await {
            Err(error) => (Err(error), Vec::new()),
            Ok(session) => {
                let rtts = session.rtts();
                // A push refused because the server ended the stream early is reported by
                // `finish`, which knows why.
                let _ = session.push_wait(&audio.bytes).await;
                (session.finish().await, rtts.samples())
            }
        },
    };
    Outcome {
        index,
        session_id,
        result,
        rtts,
    }
}

fn describe(outcome: &Outcome) -> String {
    let head = format!("session {} {}", outcome.index, outcome.session_id);
    match &outcome.result {
        Ok(ClientEnd::Finished) => {
            format!("{head} ok: finished ({} RTT samples)", outcome.rtts.len())
        }
        Ok(ClientEnd::ConsumerClosed { info }) => format!(
            "{head} ok: server closed the stream{} ({} RTT samples)",
            info.as_deref()
                .map(|i| format!(" ({})", field(i)))
                .unwrap_or_default(),
            outcome.rtts.len()
        ),
        Err(error) => format!("{head} FAILED: {}", field(&error.to_string())),
    }
}

fn rtt_summary(mut rtts: Vec<Duration>) -> String {
    rtts.sort_unstable();
    let ms = |p: f64| nearest_rank(&rtts, p).map(|d| d.as_secs_f64() * 1000.0);
    match (ms(50.0), ms(90.0), ms(99.0)) {
        (Some(p50), Some(p90), Some(p99)) => format!(
            "rtt p50 {p50:.2} ms, p90 {p90:.2} ms, p99 {p99:.2} ms ({} samples)",
            rtts.len()
        ),
        _ => "rtt: no samples (the first ping goes out 1 s after opened)".to_owned(),
    }
}
