//! Arguments of `das webhook`, `das trd` and `das audiohook`.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use crate::listen_host;

// Parsed once per process: the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Summarise a TRD result document (status, durations, transcript by channel and speaker).
    #[command(
        after_help = "Examples:\n  das webhook parse result.json\n  das webhook parse --json result.json | jq .job.status"
    )]
    Parse {
        /// The result document (a webhook body or a `job/result` response).
        file: PathBuf,
        /// Print normalised JSON instead of the summary.
        #[arg(long)]
        json: bool,
    },
    /// Receive TRD results on POST /{job_id} and /{name}/{job_id}.
    #[command(after_help = "Examples:\n  \
        DAS_WEBHOOK_TOKEN=\"$HOOK_TOKEN\" das webhook serve --public-host trd-hook.example.com --cert-out hook.pem --spool spool --out results\n  \
        das webhook serve --http --host 127.0.0.1 --port 8080 --exec 'curl -sf --data-binary @- http://crm.local/trd/$DAS_JOB_ID'\n\n\
        Each delivery prints one line: job id, status, `duplicate`/`recovered` flags, outcome.\n\
        Without --out or --exec a delivery is only printed (and acknowledged).\n\
        With --spool a delivery stays on disk until written (--out) or the command succeeded (--exec);\n\
        without it TRD gets its 200 first, and a crash loses results acknowledged but not yet handled.")]
    Serve(WebhookServeArgs),
}

#[derive(Debug, Clone, Args)]
pub struct WebhookServeArgs {
    /// IP address to listen on (127.0.0.1, 0.0.0.0, ::1, [::1] or localhost).
    #[arg(long, default_value = "0.0.0.0", value_parser = listen_host::parse)]
    pub host: IpAddr,
    /// Port to listen on (0 picks a free one; the URL printed at start-up has it).
    #[arg(long, default_value_t = 8443)]
    pub port: u16,
    /// Host name or IP TRD uses to reach this receiver: goes into the printed URL and the
    /// self-signed certificate.
    #[arg(long)]
    pub public_host: Option<String>,
    /// Token TRD must send (the one registered with `webhook/validate`).
    #[arg(long, env = "DAS_WEBHOOK_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Accept deliveries without a token check on a non-loopback address (without --token
    /// and without this flag, only a loopback --host is allowed).
    #[arg(long, conflicts_with = "token")]
    pub no_token: bool,
    /// PEM certificate chain; with --key. A self-signed certificate is generated otherwise.
    #[arg(long, requires = "key")]
    pub cert: Option<PathBuf>,
    /// PEM private key of --cert.
    #[arg(long, requires = "cert")]
    pub key: Option<PathBuf>,
    /// Where to write the self-signed certificate's PEM (for `das trd validate --crt`);
    /// printed on stdout when not given.
    #[arg(long, conflicts_with_all = ["cert", "http"])]
    pub cert_out: Option<PathBuf>,
    /// Serve plain HTTP instead of HTTPS.
    #[arg(long, conflicts_with_all = ["cert", "key"])]
    pub http: bool,
    /// Spool directory: results are fsynced there before TRD gets its 200, and stay until
    /// handled.
    #[arg(long)]
    pub spool: Option<PathBuf>,
    /// Write each result to DIR/<job_id>.json, DIR/<name>/<job_id>.json for a named callback
    /// (the body as received, mode 0600).
    #[arg(long, value_name = "DIR", conflicts_with = "exec")]
    pub out: Option<PathBuf>,
    /// Run CMD (with `sh -c`, in a process group of its own) for each result with the body on
    /// stdin and DAS_JOB_ID, DAS_JOB_NAME and DAS_JOB_STATUS set; exit status 0 acknowledges
    /// the result. Its output goes to stderr; stopping das kills it.
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
    /// Seconds CMD may run before it is killed, with every process it started, and the
    /// delivery counts as failed.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub exec_timeout: u64,
}

#[derive(Debug, Subcommand)]
pub enum TrdCommand {
    /// Ask TRD which address it sees this host as.
    #[command(
        after_help = "Example:\n  das trd whoami --api https://speech.cpqd.com.br/trd/v3 --token \"$TOKEN\""
    )]
    Whoami(TrdArgs),
    /// Ask TRD to check that it can reach a webhook URL (and register token + certificate).
    #[command(after_help = "Example:\n  \
        das trd validate --api https://speech.cpqd.com.br/trd/v3 --url https://203.0.113.7:8443 \\\n      \
        --webhook-token \"$HOOK_TOKEN\" --crt hook.pem\n\n\
        Exit status 0 when TRD reports the webhook reachable, 5 when it does not.")]
    Validate {
        #[command(flatten)]
        trd: TrdArgs,
        /// The webhook URL to validate (scheme://host[:port]).
        #[arg(long)]
        url: String,
        /// Token TRD will send with each result.
        #[arg(long, env = "DAS_WEBHOOK_TOKEN", hide_env_values = true)]
        webhook_token: Option<String>,
        /// PEM certificate of the webhook receiver.
        #[arg(long)]
        crt: Option<PathBuf>,
        /// Seconds TRD waits between its connection attempts.
        #[arg(long)]
        timeout: Option<u32>,
        /// Connection attempts TRD makes.
        #[arg(long)]
        retries: Option<u32>,
    },
    /// Upload recordings as TRD jobs and wait for their transcripts.
    #[command(after_help = "Examples:\n  \
        das trd transcribe --api https://speech.cpqd.com.br/trd/v3 call1.wav call2.wav --out results/\n  \
        das trd transcribe --api \"$API\" call.wav -C diarization.descriptor.enabled=True --json\n  \
        das trd transcribe --api \"$API\" call.wav --webhook https://203.0.113.7:8443\n\n\
        Each file shows its upload and status on stderr; stdout gets one line per result.\n\
        Exit status: 0 all done, 3 credentials refused, 4 network or timeout, 5 a job failed or\n\
        was refused, 6 unusable file.")]
    Transcribe(crate::args_trd::TranscribeArgs),
    /// Job calls: status, result, list, stop, retry, delete, query.
    #[command(subcommand)]
    Job(crate::args_trd::JobCommand),
}

#[derive(Debug, Clone, Args)]
pub struct TrdArgs {
    /// TRD API base URL, e.g. https://host/trd/v3.
    #[arg(long, env = "DAS_TRD_API")]
    pub api: String,
    /// Bearer token for the TRD API.
    #[arg(
        long,
        env = "DAS_TRD_TOKEN",
        hide_env_values = true,
        conflicts_with = "license_url"
    )]
    pub token: Option<String>,
    /// CPqD license server token URL (e.g. https://SL_HOST:SL_PORT/auth/token): tokens are
    /// fetched there with --username and --password (HTTP Basic) instead of --token.
    #[arg(long, env = "DAS_TRD_LICENSE_URL", requires_all = ["username", "password"])]
    pub license_url: Option<String>,
    /// License-server user; without --license-url, the TRD API's own HTTP Basic user.
    #[arg(
        long,
        env = "DAS_TRD_USERNAME",
        requires = "password",
        conflicts_with = "token"
    )]
    pub username: Option<String>,
    /// Password of --username (prefer DAS_TRD_PASSWORD or the config file).
    #[arg(
        long,
        env = "DAS_TRD_PASSWORD",
        hide_env_values = true,
        requires = "username"
    )]
    pub password: Option<String>,
    #[command(flatten)]
    pub tls: crate::args_tls::TlsArgs,
}

#[derive(Debug, Subcommand)]
pub enum AudiohookCommand {
    /// Stream a WAV to an AudioHook server as Genesys Cloud would; report RTT percentiles.
    #[command(after_help = "Examples:\n  \
        das audiohook send --uri wss://consumer.example/audiohook/ws --api-key KEY \\\n      \
        --client-secret TXlTdXBlclNlY3JldA== --wav samples/speaker-a.wav\n  \
        das audiohook send --uri ws://127.0.0.1:9000/audiohook/ws --api-key KEY --client-secret '' \\\n      \
        --sessions 20 --rate 5 --duration 10\n  \
        das audiohook send --uri wss://consumer.example/audiohook/ws --api-key KEY --client-secret S --probe")]
    Send(AudiohookSendArgs),
    /// Run an AudioHook server that verifies signatures and records sessions.
    #[command(after_help = "Example:\n  \
        das audiohook serve --port 9000 --api-key KEY:TXlTdXBlclNlY3JldA== --record recordings\n\n\
        Each session prints a line when opened and when closed; with --record it is saved as\n\
        DIR/<session-id>.wav (PCM16, channels as negotiated) and DIR/<session-id>.json (events).")]
    Serve(AudiohookServeArgs),
}

/// Codec of the audio the simulator offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OfferFormat {
    /// G.711 µ-law, what Genesys Cloud sends.
    Pcmu,
    /// Linear 16-bit PCM.
    L16,
}

#[derive(Debug, Clone, Args)]
pub struct AudiohookSendArgs {
    /// The server's ws:// or wss:// URI.
    #[arg(long)]
    pub uri: String,
    /// The X-API-KEY header and signature key id.
    #[arg(long, env = "DAS_AUDIOHOOK_API_KEY", hide_env_values = true)]
    pub api_key: String,
    /// Base64 client secret for the request signature (empty: unsigned).
    #[arg(long, env = "DAS_AUDIOHOOK_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: String,
    /// Audio to stream (PCM16, µ-law or A-law; mono or stereo; resampled to 8 kHz). A 1 kHz
    /// tone when not given.
    #[arg(long)]
    pub wav: Option<PathBuf>,
    /// Only probe the connection (open, then close), as Genesys does when an integration is saved.
    #[arg(long, conflicts_with = "wav")]
    pub probe: bool,
    /// Sessions to run.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub sessions: u32,
    /// New sessions per second when --sessions > 1.
    #[arg(long, default_value_t = 50.0, value_parser = crate::seconds::rate)]
    pub rate: f64,
    /// Seconds of audio per session: the tone's length (default 5), or a cut of the WAV.
    #[arg(long, value_name = "SECS")]
    pub duration: Option<f64>,
    /// Media format offered.
    #[arg(long, value_enum, default_value_t = OfferFormat::Pcmu)]
    pub format: OfferFormat,
    /// Organization id sent in the headers and `open` (random when not given).
    #[arg(long)]
    pub organization_id: Option<uuid::Uuid>,
    /// `conversationId` of `open` (random per session when not given). Genesys Cloud sends
    /// the call's conversation id, which das-Peak takes as the session's call_id.
    #[arg(long, value_name = "UUID", conflicts_with = "probe")]
    pub conversation_id: Option<uuid::Uuid>,
    /// Send as fast as the server accepts instead of in real time.
    #[arg(long)]
    pub fast: bool,
    #[command(flatten)]
    pub tls: crate::args_tls::TlsArgs,
}

#[derive(Debug, Clone, Args)]
pub struct AudiohookServeArgs {
    /// IP address to listen on (127.0.0.1, 0.0.0.0, ::1, [::1] or localhost).
    #[arg(long, default_value = "127.0.0.1", value_parser = listen_host::parse)]
    pub host: IpAddr,
    /// Port to listen on (0 picks a free one; the URL printed at start-up has it).
    #[arg(long, default_value_t = 9000)]
    pub port: u16,
    /// WebSocket path of the endpoint.
    #[arg(long, default_value = "/audiohook/ws")]
    pub path: String,
    /// Accepted API key as KEY:BASE64SECRET (repeatable; an empty secret accepts unsigned
    /// requests for that key). The variable (kept out of `ps`) takes a comma-separated list.
    #[arg(
        long = "api-key",
        value_name = "KEY:SECRET",
        required = true,
        env = "DAS_AUDIOHOOK_SERVE_KEYS",
        hide_env_values = true,
        value_delimiter = ','
    )]
    pub api_keys: Vec<String>,
    /// Record each session as DIR/<session>.wav plus a JSON log of its messages, written as
    /// they arrive (an existing recording is never replaced: DIR/<session>.1.wav, … instead).
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
    /// Connections open at once; when full, the oldest connection that has sent nothing yet
    /// is closed to make room, else the oldest idle between requests, else a newcomer gets
    /// HTTP 503.
    #[arg(long, value_name = "N", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// How far a session's audio may run ahead of real time before the session is
    /// disconnected (Genesys streams in real time); 0 accepts any rate.
    #[arg(long, value_name = "SECS", default_value_t = 60.0, value_parser = crate::seconds::parse)]
    pub max_audio_lead: f64,
    /// How long an opened session may send nothing (no audio, no ping; Genesys pings every
    /// 5 s) before it is disconnected; 0: no limit.
    #[arg(long, value_name = "SECS", default_value_t = 60.0, value_parser = crate::seconds::parse)]
    pub quiet_timeout: f64,
}
