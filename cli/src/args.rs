//! Command-line grammar of `das`. Most options also read a `DAS_*` environment variable;
//! values from `--config FILE` fill in whatever flags and environment left unset.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::args_tools::{AudiohookCommand, TrdCommand, WebhookCommand};
use crate::color::ColorChoice;
use crate::listen_host;

const EXAMPLES: &str = "\
Examples:
  das register --audio samples/speaker-a.wav            # against the embedded emulator
  das register --audio call.wav --url https://host/socket.io \\
      --token-url https://host/socket.io/oauth2/token --client-id ID --client-secret S
  das verify --credential cred.txt --audio samples/speaker-a-verify.wav
  das register --signalling-only --call-id CONVERSATION_ID --url …   # Genesys streams the call
  das emulator --port 8080
  das webhook parse result.json
  das webhook serve --port 8443 --token T --spool ./spool
  das audiohook serve --port 9000 --api-key KEY:SECRET --record ./recordings
  das audiohook send --uri ws://127.0.0.1:9000/audiohook/ws --api-key KEY \\
      --client-secret SECRET --wav samples/speaker-a.wav";

/// `das --version`: the version and the commit it was built from (see build.rs).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("DAS_GIT_COMMIT"),
    ")"
);

/// das: stream call audio to das-Peak Streaming and handle TRD transcription webhooks.
#[derive(Debug, Parser)]
#[command(name = "das", version = VERSION, about, after_help = EXAMPLES)]
pub struct Cli {
    /// TOML file of DAS_* variables, named without DAS_ in lower case with dashes
    /// (client-secret = "…", trd-token = "…"); flags and the environment win.
    #[arg(long, global = true, env = "DAS_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// More log output on stderr (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Colours in log lines and the readable view: auto (on a terminal, unless NO_COLOR is
    /// set), always or never.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t = ColorChoice::Auto,
        env = "DAS_COLOR",
        value_name = "WHEN"
    )]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Register a speaker: stream a WAV and print every event until the result.
    Register(SessionArgs),
    /// Verify a speaker against a stored credential and print the score.
    Verify(VerifyArgs),
    /// Run the das-Peak Streaming + TRD emulator in the foreground.
    Emulator(EmulatorArgs),
    /// TRD webhook tools: parse a result document, or receive results.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// TRD service calls: whoami, validate, transcribe and the job calls.
    #[command(subcommand)]
    Trd(TrdCommand),
    /// Genesys AudioHook tools: a client simulator and a recording server.
    #[command(subcommand)]
    Audiohook(AudiohookCommand),
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Protocol {
    Audiohook,
    Twilio,
}

/// Where a session connects and how it authenticates. Without `--url` the embedded
/// emulator is started in-process and used.
#[derive(Debug, Clone, Args)]
pub struct ServiceArgs {
    /// das-Peak Streaming Socket.IO URL, e.g. https://host/socket.io.
    #[arg(long, env = "DAS_URL")]
    pub url: Option<String>,
    /// OAuth2 token URL (client credentials).
    #[arg(long, env = "DAS_TOKEN_URL")]
    pub token_url: Option<String>,
    #[arg(long, env = "DAS_CLIENT_ID")]
    pub client_id: Option<String>,
    /// Read from the environment or the config file rather than the command line where possible.
    #[arg(long, env = "DAS_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: Option<String>,
    /// Socket.IO namespace (default /socket.io/register or /socket.io/verify).
    #[arg(long, env = "DAS_NAMESPACE")]
    pub namespace: Option<String>,
    /// Audio channel URL (the emulator's by default).
    #[arg(long, env = "DAS_AUDIO_URL")]
    pub audio_url: Option<String>,
    /// AudioHook API key (X-API-KEY) for the audio channel.
    #[arg(long, env = "DAS_AUDIOHOOK_API_KEY", hide_env_values = true)]
    pub audiohook_api_key: Option<String>,
    /// AudioHook client secret (base64) used to sign the upgrade request.
    #[arg(long, env = "DAS_AUDIOHOOK_CLIENT_SECRET", hide_env_values = true)]
    pub audiohook_client_secret: Option<String>,
    #[command(flatten)]
    pub tls: crate::args_tls::TlsArgs,
}

/// Audio and request options shared by register and verify.
#[derive(Debug, Clone, Args)]
pub struct SessionArgs {
    #[command(flatten)]
    pub service: ServiceArgs,
    /// WAV file to stream (PCM16, µ-law or A-law; other rates are resampled to 8 kHz).
    #[arg(long, env = "DAS_AUDIO", required_unless_present = "signalling_only")]
    pub audio: Option<PathBuf>,
    /// Run only the signalling, with no audio channel: someone else streams the call with
    /// this session's call_id (Genesys Cloud does, with call_id = the conversation id).
    /// Prints events until the result.
    #[arg(long, conflicts_with_all = ["audio", "fast", "realtime"])]
    pub signalling_only: bool,
    #[arg(long, value_enum, env = "DAS_PROTOCOL")]
    pub protocol: Option<Protocol>,
    /// Wire codec: mulaw, alaw or l16.
    #[arg(long, env = "DAS_CODEC")]
    pub codec: Option<String>,
    /// Stream as fast as the channel allows instead of in real time.
    #[arg(long, conflicts_with = "realtime")]
    pub fast: bool,
    /// Stream at 1x real time (the default).
    #[arg(long)]
    pub realtime: bool,
    #[arg(long, env = "DAS_AUTHENTICITY_THRESHOLD")]
    pub authenticity_threshold: Option<f64>,
    /// Seconds of voice the service should collect.
    #[arg(long, env = "DAS_AUDIO_TOTAL_DURATION")]
    pub audio_total_duration: Option<f64>,
    #[arg(long, env = "DAS_MODEL_HASH")]
    pub model_hash: Option<String>,
    /// call_id joining signalling and audio (a new UUIDv4 by default).
    #[arg(long, env = "DAS_CALL_ID")]
    pub call_id: Option<String>,
    /// Print events as JSON lines, exactly as the documented example prints them.
    #[arg(long)]
    pub json: bool,
    /// Write the credential of a successful registration to FILE (replacing it). Without
    /// it the readable view saves a new file under $XDG_DATA_HOME/das/credentials.
    #[arg(long, value_name = "FILE")]
    pub credential_out: Option<PathBuf>,
    /// Write the audio the service collected (sent with `result-success`) to FILE as a WAV
    /// at the session's rate; exit 1 when the result carries none.
    #[arg(long, value_name = "FILE.wav")]
    pub collected_audio_out: Option<PathBuf>,
    /// Seconds to wait for the result before giving up.
    #[arg(long, default_value_t = 120.0, value_parser = crate::seconds::parse)]
    pub timeout: f64,
}

#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// File holding the credential that `das register` saved (it prints the path).
    #[arg(long, env = "DAS_CREDENTIAL")]
    pub credential: PathBuf,
    #[command(flatten)]
    pub session: SessionArgs,
}

#[derive(Debug, Clone, Args)]
pub struct EmulatorArgs {
    /// IP address to listen on (127.0.0.1, 0.0.0.0, ::1, [::1] or localhost).
    #[arg(long, default_value = "127.0.0.1", env = "DAS_EMULATOR_HOST", value_parser = listen_host::parse)]
    pub host: IpAddr,
    #[arg(long, default_value_t = 8080, env = "DAS_EMULATOR_PORT")]
    pub port: u16,
    /// Accepted OAuth2 client as ID:SECRET (repeatable; a demo client when none given).
    #[arg(long = "client", value_name = "ID:SECRET")]
    pub clients: Vec<String>,
    /// Accepted AudioHook API key as KEY:BASE64SECRET (repeatable).
    #[arg(long = "audiohook-key", value_name = "KEY:SECRET")]
    pub audiohook_keys: Vec<String>,
    /// Fault switch NAME[=VALUE] (repeatable): reject-auth, expire-tokens-after-secs=N,
    /// drop-signalling-after-events=N, delay-consumer-ready-ms=N,
    /// close-audio-after-messages=N, malformed-event, oversized-event-bytes=N,
    /// stall-audio-after-messages=N, audiohook-pause=AFTER_SECS:RESUME_MS,
    /// trd-reject=STATUS[:COUNT].
    #[arg(long = "fault", value_name = "NAME[=VALUE]")]
    pub faults: Vec<String>,
    /// Emulator settings file (TOML or JSON; any subset of the settings, see docs/emulator.md).
    #[arg(long, env = "DAS_EMULATOR_SETTINGS", value_name = "FILE")]
    pub settings: Option<PathBuf>,
    /// Send the collected audio as a second, binary argument of `result-success`.
    #[arg(long, env = "DAS_EMULATOR_SEND_COLLECTED_AUDIO")]
    pub send_collected_audio: bool,
    /// With --send-collected-audio: nest the audio in the `result-success` payload, in binary,
    /// as its `collected_audio` field (python-socketio's form of `bytes` in a dict).
    #[arg(long, env = "DAS_EMULATOR_COLLECTED_AUDIO_IN_PAYLOAD")]
    pub collected_audio_in_payload: bool,
    /// Append `call_id sequence event unix_ns bytes` per emitted event to FILE (benchmarks).
    #[arg(long, value_name = "FILE")]
    pub event_timing_log: Option<PathBuf>,
    /// For programs that start the emulator: print its URLs and credentials as one JSON line
    /// instead of the banner, and also stop when standard input closes.
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::{Command, CommandFactory};

    /// `--help` shows `[env: NAME=value]`: a secret's value, from the environment or a config
    /// file, must not appear there.
    #[test]
    fn help_shows_no_secret_variable_s_value() {
        fn check(command: &Command) {
            for arg in command.get_arguments() {
                let Some(name) = arg.get_env().map(|n| n.to_string_lossy().into_owned()) else {
                    continue;
                };
                let secret = ["_SECRET", "_TOKEN", "_KEY", "_KEYS", "_PASSWORD"]
                    .iter()
                    .any(|suffix| name.ends_with(suffix));
                assert!(
                    !secret || arg.is_hide_env_values_set(),
                    "{name} of `{}` shows its value in --help",
                    command.get_name()
                );
            }
            command.get_subcommands().for_each(check);
        }
        check(&Cli::command());
    }
}
