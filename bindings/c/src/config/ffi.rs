//! The exported `das_config_*` functions: they decode C arguments, call the core's validated
//! setters of [`SessionSettings`](das_core::session::SessionSettings) and map refusals to
//! `das_result` codes naming the C argument.

use std::ffi::c_char;
use std::time::Duration;

use serde_json::Value;

use super::model::DasConfig;
use crate::enums::{
    das_audio_codec, das_audio_pacing, das_audio_protocol, das_log_level, das_metadata_field,
    das_session_kind, das_timeout, das_trusted_roots,
};
use crate::error::{refused, Error};
use crate::ffi_boundary;
use crate::handle::{self, OpaqueHandle};
use crate::result::das_result;
use crate::strings::{input_str, write_output};

/// A session configuration builder. Create with `das_config_new`, fill with the setters, release
/// with `das_config_free`. The functions taking `const das_config *` only read and may run on
/// several threads at once; a setter or `das_config_free` needs the handle to itself.
#[allow(non_camel_case_types)]
pub struct das_config {
    _private: [u8; 0],
}

// SAFETY: `das_config` is a zero-sized marker that is never constructed.
unsafe impl OpaqueHandle for das_config {
    type Rust = DasConfig;
    const NAME: &'static str = "das_config";
}

/// Decodes a string argument.
macro_rules! arg_str {
    ($ptr:ident, $len:ident) => {
        // SAFETY: the caller upholds the string-input contract of the preamble.
        unsafe { input_str($ptr, $len, stringify!($ptr)) }?
    };
}

/// Borrows the configuration behind a `const das_config *` for reading.
macro_rules! config_ref {
    ($config:ident) => {
        // SAFETY: the caller upholds the handle contract of the preamble: no setter or free runs
        // during a reading call.
        unsafe { handle::borrow_shared($config, "config") }?
    };
}

/// Borrows the configuration behind `config`.
macro_rules! config_mut {
    ($config:ident) => {
        // SAFETY: the caller upholds the handle contract of the preamble.
        unsafe { handle::borrow($config, "config") }?
    };
}

/// Creates an empty configuration with the documented defaults and stores it in `*out`.
///
/// Ownership: the caller owns `*out` and releases it with `das_config_free`.
///
/// # Safety
/// `out` must point to a writable `das_config *`.
#[no_mangle]
pub unsafe extern "C" fn das_config_new(out: *mut *mut das_config) -> das_result {
    ffi_boundary!({
        if out.is_null() {
            return Err(Error::null("out"));
        }
        let config = handle::into_raw::<das_config>(DasConfig::default());
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { out.write(config) };
        Ok(())
    })
}

/// Releases a configuration. NULL is ignored; a pointer that is not a live configuration (for
/// example one already freed) is ignored and recorded as the last error, never dereferenced.
///
/// Ownership: takes ownership of `config`; the pointer is invalid afterwards.
///
/// # Safety
/// No other thread may be using `config`.
#[no_mangle]
pub unsafe extern "C" fn das_config_free(config: *mut das_config) {
    ffi_boundary!({
        // SAFETY: the caller guarantees exclusive use.
        unsafe { handle::free(config, "config") }
    })
}

/// Sets the signalling (Socket.IO) base URL: `http`, `https`, `ws` or `wss`; otherwise
/// `DAS_RESULT_PARSE`.
///
/// Ownership: `url` is borrowed and copied.
///
/// # Safety
/// `config` is a live configuration; `url`/`len` follow the string-input convention.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_endpoint_url(
    config: *mut das_config,
    url: *const c_char,
    len: usize,
) -> das_result {
    ffi_boundary!({
        let url = arg_str!(url, len);
        (config_mut!(config).settings.set_endpoint_url(url)).map_err(refused("url"))
    })
}

/// Sets the OAuth2 token URL (`http` or `https`), required with client credentials.
///
/// Ownership: `url` is borrowed and copied.
///
/// # Safety
/// As `das_config_set_endpoint_url`.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_token_url(
    config: *mut das_config,
    url: *const c_char,
    len: usize,
) -> das_result {
    ffi_boundary!({
        let url = arg_str!(url, len);
        (config_mut!(config).settings.set_token_url(url)).map_err(refused("url"))
    })
}

/// Authenticates with OAuth2 client credentials; both non-empty. Replaces a static header.
/// Sessions with the same token URL, credentials, token timeout and trusted roots share one
/// cached token while any of them lives.
///
/// Ownership: both strings are borrowed and copied; the secret is never logged.
///
/// # Safety
/// `config` is a live configuration; both strings follow the string-input convention.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_client_credentials(
    config: *mut das_config,
    client_id: *const c_char,
    client_id_len: usize,
    client_secret: *const c_char,
    client_secret_len: usize,
) -> das_result {
    ffi_boundary!({
        let id = arg_str!(client_id, client_id_len);
        let secret = arg_str!(client_secret, client_secret_len);
        (config_mut!(config)
            .settings
            .set_client_credentials(id, secret))
        .map_err(Error::from)
    })
}

/// Authenticates with a fixed `Authorization` header value such as `"Bearer eyJ..."`; it must be
/// a valid HTTP header value (`DAS_RESULT_PARSE` otherwise). Replaces client credentials.
///
/// Ownership: `value` is borrowed and copied; it is never logged.
///
/// # Safety
/// As `das_config_set_endpoint_url`.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_authorization(
    config: *mut das_config,
    value: *const c_char,
    len: usize,
) -> das_result {
    ffi_boundary!({
        let value = arg_str!(value, len);
        (config_mut!(config).settings.set_authorization(value)).map_err(refused("authorization"))
    })
}

/// Sets the Socket.IO namespace (must start with `/`). Unset, the session chooses by kind.
///
/// Ownership: `ns` is borrowed and copied.
///
/// # Safety
/// As `das_config_set_endpoint_url`.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_namespace(
    config: *mut das_config,
    ns: *const c_char,
    len: usize,
) -> das_result {
    ffi_boundary!({
        let ns = arg_str!(ns, len);
        (config_mut!(config).settings.set_namespace(ns)).map_err(refused("namespace"))
    })
}

/// Sets the session kind, a `das_session_kind` value (`DAS_RESULT_INVALID_ENUM` otherwise).
///
/// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
///
/// # Safety
/// `config` is a live configuration.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_session_kind(
    config: *mut das_config,
    kind: u32,
) -> das_result {
    ffi_boundary!({
        let kind = das_session_kind::from_c(kind, "kind")?;
        config_mut!(config).settings.set_kind(kind.into());
        Ok(())
    })
}

/// Sets one `metadata` string (`field` is a `das_metadata_field`), sent verbatim. Unset fields
/// are derived from the audio channel settings; `call_id` must be set.
///
/// Ownership: `value` is borrowed and copied.
///
/// # Safety
/// As `das_config_set_endpoint_url`.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_metadata(
    config: *mut das_config,
    field: u32,
    value: *const c_char,
    len: usize,
) -> das_result {
    ffi_boundary!({
        let field = das_metadata_field::from_c(field, "field")?;
        let value = arg_str!(value, len);
        let mut config = config_mut!(config);
        match field {
            das_metadata_field::CallId => config.settings.set_call_id(value)?,
            _ => (config.settings).set_metadata_field(field.key(), Value::String(value.to_owned())),
        }
        Ok(())
    })
}

/// Copies the `metadata` value that will be sent for `field` (explicit or derived) into `buf`.
/// An unset `call_id` is `DAS_RESULT_NOT_READY`. Output-buffer convention as in the preamble.
///
/// Ownership: `buf` and `written` are borrowed for the call.
///
/// # Safety
/// `config` is a live configuration; `buf`/`len`/`written` follow the output-buffer convention.
#[no_mangle]
pub unsafe extern "C" fn das_config_get_metadata(
    config: *const das_config,
    field: u32,
    buf: *mut c_char,
    len: usize,
    written: *mut usize,
) -> das_result {
    ffi_boundary!({
        let config = config_ref!(config);
        let field = das_metadata_field::from_c(field, "field")?;
        let value = match config.settings.metadata().remove(field.key()) {
            Some(Value::String(text)) => text,
            Some(other) => other.to_string(),
            None => {
                return Err(Error::new(
                    das_result::NotReady,
                    format!("metadata `{}` is not set", field.key()),
                ))
            }
        };
        // SAFETY: the caller upholds the output-buffer contract.
        unsafe { write_output(&value, buf, len, written) }
    })
}

/// Sets `authenticity_threshold`, in `[0, 1]` (`DAS_RESULT_OUT_OF_RANGE` otherwise, NaN too).
///
/// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
///
/// # Safety
/// `config` is a live configuration.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_authenticity_threshold(
    config: *mut das_config,
    threshold: f64,
) -> das_result {
    ffi_boundary!({
        let mut config = config_mut!(config);
        config
            .settings
            .set_authenticity_threshold(threshold)
            .map_err(refused("threshold"))
    })
}

/// Sets a verification's `score_threshold`, in `[0, 1]` (`DAS_RESULT_OUT_OF_RANGE`
/// otherwise, NaN too): the similarity at or above which the speaker is accepted; also what
/// `das_event_verdict` compares the score with when the result says nothing else.
///
/// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
///
/// # Safety
/// `config` is a live configuration.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_score_threshold(
    config: *mut das_config,
    threshold: f64,
) -> das_result {
    ffi_boundary!({
        let mut config = config_mut!(config);
        config
            .settings
            .set_score_threshold(threshold)
            .map_err(refused("threshold"))
    })
}

/// Sets `audio_total_duration`, the seconds of speech to collect, in `(0, 3600]`.
///
/// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
///
/// # Safety
/// `config` is a live configuration.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_audio_total_duration(
    config: *mut das_config,
    seconds: f64,
) -> das_result {
    ffi_boundary!({
        let mut config = config_mut!(config);
        config
            .settings
            .set_audio_total_duration(seconds)
            .map_err(refused("seconds"))
    })
}

/// Sets `model_hash` (non-empty).
///
/// Ownership: `hash` is borrowed and copied.
///
/// # Safety
/// As `das_config_set_endpoint_url`.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_model_hash(
    config: *mut das_config,
    hash: *const c_char,
    len: usize,
) -> das_result {
    ffi_boundary!({
        let hash = arg_str!(hash, len);
        (config_mut!(config).settings.set_model_hash(hash)).map_err(refused("model_hash"))
    })
}

/// Sets `credential`, the voice credential a verify session compares against (non-empty).
///
/// Ownership: `credential` is borrowed and copied; it is never logged.
///
/// # Safety
/// As `das_config_set_endpoint_url`.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_credential(
    config: *mut das_config,
    credential: *const c_char,
    len: usize,
) -> das_result {
    ffi_boundary!({
        let credential = arg_str!(credential, len);
        (config_mut!(config).settings.set_credential(credential)).map_err(refused("credential"))
    })
}

/// Sets extra request keys from a JSON object, merged last into the request object (so they win
/// over the typed setters). Not an object or not JSON: `DAS_RESULT_PARSE`, nothing changes.
///
/// Ownership: `json` is borrowed and copied.
///
/// # Safety
/// As `das_config_set_endpoint_url`.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_extra_json(
    config: *mut das_config,
    json: *const c_char,
    len: usize,
) -> das_result {
    ffi_boundary!({
        let json = arg_str!(json, len);
        (config_mut!(config).settings.set_request_extra_json(json)).map_err(refused("json"))
    })
}

/// Sets the audio channel protocol, a `das_audio_protocol` (default AudioHook).
///
/// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
///
/// # Safety
/// `config` is a live configuration.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_audio_protocol(
    config: *mut das_config,
    protocol: u32,
) -> das_result {
    ffi_boundary!({
        let protocol = das_audio_protocol::from_c(protocol, "protocol")?;
        config_mut!(config)
            .settings
            .set_audio_protocol(protocol.into());
        Ok(())
    })
}

/// Makes sessions signalling only (`true`): no audio channel, even with an audio URL set,
/// and none required; someone else streams the call to the audio consumer with the session's
/// `call_id` (Genesys Cloud does, with the conversation id). The metadata still announces the
/// audio protocol, codec, rate and channels set here. Pushes then return
/// `DAS_RESULT_NOT_READY`. Default `false`: a session needs an audio URL.
///
/// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
///
/// # Safety
/// `config` is a live configuration.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_signalling_only(
    config: *mut das_config,
    signalling_only: bool,
) -> das_result {
    ffi_boundary!({
        config_mut!(config)
            .settings
            .set_signalling_only(signalling_only);
        Ok(())
    })
}

/// Sets the audio consumer URL (`ws` or `wss`).
///
/// Ownership: `url` is borrowed and copied.
///
/// # Safety
/// As `das_config_set_endpoint_url`.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_audio_url(
    config: *mut das_config,
    url: *const c_char,
    len: usize,
) -> das_result {
    ffi_boundary!({
        let url = arg_str!(url, len);
        (config_mut!(config).settings.set_audio_url(url)).map_err(refused("url"))
    })
}

/// Sets the audio codec, a `das_audio_codec` (default µ-law).
///
/// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
///
/// # Safety
/// `config` is a live configuration.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_audio_codec(
    config: *mut das_config,
    codec: u32,
) -> das_result {
    ffi_boundary!({
        let codec = das_audio_codec::from_c(codec, "codec")?;
        config_mut!(config).settings.set_audio_codec(codec.into());
        Ok(())
    })
}

/// Sets the audio sample rate in Hz, `8000..=48000` (default 8000).
///
/// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
///
/// # Safety
/// `config` is a live configuration.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_audio_sample_rate(
    config: *mut das_config,
    hz: u32,
) -> das_result {
    ffi_boundary!({
        let mut config = config_mut!(config);
        config
            .settings
            .set_audio_sample_rate(hz)
            .map_err(refused("hz"))
    })
}

/// Sets the number of audio channels, 1 or 2 (default 1).
///
/// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
///
/// # Safety
/// `config` is a live configuration.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_audio_channels(
    config: *mut das_config,
    channels: u32,
) -> das_result {
    ffi_boundary!({
        let mut config = config_mut!(config);
        config
            .settings
            .set_audio_channels(channels)
            .map_err(refused("channels"))
    })
}

/// Sets the AudioHook API key (non-empty) and client secret (base64, may be empty for unsigned
/// requests; `DAS_RESULT_PARSE` when not base64).
///
/// Ownership: both strings are borrowed and copied; the secret is never logged.
///
/// # Safety
/// `config` is a live configuration; both strings follow the string-input convention.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_audiohook_credentials(
    config: *mut das_config,
    api_key: *const c_char,
    api_key_len: usize,
    client_secret: *const c_char,
    client_secret_len: usize,
) -> das_result {
    ffi_boundary!({
        let key = arg_str!(api_key, api_key_len);
        let secret = arg_str!(client_secret, client_secret_len);
        let mut config = config_mut!(config);
        config
            .settings
            .set_audiohook_credentials(key, secret)
            .map_err(Error::from)
    })
}

/// Sets the AudioHook `organizationId` sent in the `open` message, a UUID (`DAS_RESULT_PARSE`
/// otherwise; default the nil UUID).
///
/// Ownership: `id` is borrowed and copied.
///
/// # Safety
/// As `das_config_set_endpoint_url`.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_audiohook_organization_id(
    config: *mut das_config,
    id: *const c_char,
    len: usize,
) -> das_result {
    ffi_boundary!({
        let id = arg_str!(id, len);
        let mut config = config_mut!(config);
        config
            .settings
            .set_audiohook_organization_id(id)
            .map_err(refused("id"))
    })
}

/// Sets how fast pushed audio is sent, a `das_audio_pacing` (default
/// `DAS_AUDIO_PACING_REAL_TIME`; `DAS_AUDIO_PACING_AS_FAST_AS_POSSIBLE` for files and tests).
///
/// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
///
/// # Safety
/// `config` is a live configuration.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_audio_pacing(
    config: *mut das_config,
    pacing: u32,
) -> das_result {
    ffi_boundary!({
        let pacing = das_audio_pacing::from_c(pacing, "pacing")?;
        config_mut!(config).settings.set_audio_pacing(pacing.into());
        Ok(())
    })
}

/// Sets one timeout (`which` is a `das_timeout`) in milliseconds, `1..=3600000`.
///
/// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
///
/// # Safety
/// `config` is a live configuration.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_timeout_ms(
    config: *mut das_config,
    which: u32,
    ms: u32,
) -> das_result {
    ffi_boundary!({
        let which = das_timeout::from_c(which, "which")?;
        let timeout = Duration::from_millis(u64::from(ms));
        let mut config = config_mut!(config);
        config
            .settings
            .set_timeout(which.into(), timeout)
            .map_err(refused("ms"))
    })
}

/// Copies one timeout in milliseconds into `*ms`.
///
/// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
///
/// # Safety
/// `config` is a live configuration; `ms` points to a writable `uint32_t`.
#[no_mangle]
pub unsafe extern "C" fn das_config_get_timeout_ms(
    config: *const das_config,
    which: u32,
    ms: *mut u32,
) -> das_result {
    ffi_boundary!({
        let config = config_ref!(config);
        let which = das_timeout::from_c(which, "which")?;
        if ms.is_null() {
            return Err(Error::null("ms"));
        }
        // Setters cap timeouts at one hour, so the value fits.
        let value = u32::try_from(config.settings.timeout(which.into()).as_millis())
            .map_err(|_| Error::new(das_result::Internal, "timeout overflow"))?;
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { ms.write(value) };
        Ok(())
    })
}

/// Sets the most audio bytes queued before pushes return `DAS_RESULT_WOULD_BLOCK`,
/// `1024..=67108864` (default 262144).
///
/// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
///
/// # Safety
/// `config` is a live configuration.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_audio_buffer_bytes(
    config: *mut das_config,
    bytes: usize,
) -> das_result {
    ffi_boundary!({
        let mut config = config_mut!(config);
        config
            .settings
            .set_audio_buffer_bytes(bytes)
            .map_err(refused("bytes"))
    })
}

/// Also trusts the certificates in `pem` (one or more PEM `CERTIFICATE` blocks) for every TLS
/// connection a session makes: the token endpoint, the signalling and the audio channel. The
/// roots chosen with `das_config_set_trusted_roots` stay trusted. A PEM that holds no valid
/// certificate fails with `DAS_RESULT_PARSE` and leaves the configuration unchanged.
///
/// Ownership: `pem` is borrowed and copied.
///
/// # Safety
/// As `das_config_set_endpoint_url`.
#[no_mangle]
pub unsafe extern "C" fn das_config_add_trusted_root_pem(
    config: *mut das_config,
    pem: *const c_char,
    len: usize,
) -> das_result {
    ffi_boundary!({
        let pem = arg_str!(pem, len);
        (config_mut!(config).settings.add_trusted_root_pem(pem)).map_err(refused("pem"))
    })
}

/// Chooses which roots every TLS connection of a session trusts besides the PEM roots added
/// with `das_config_add_trusted_root_pem`, a `das_trusted_roots`: the bundled Mozilla roots,
/// the machine's (`SSL_CERT_FILE` / `SSL_CERT_DIR` when set, else the operating system's
/// store, where an inspecting proxy's root is installed), or both (the default). A server
/// certificate no trusted root knows fails the session start with `DAS_RESULT_TLS`, and the
/// message names its issuer and the roots consulted.
///
/// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
///
/// # Safety
/// `config` is a live configuration.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_trusted_roots(
    config: *mut das_config,
    roots: u32,
) -> das_result {
    ffi_boundary!({
        let roots = das_trusted_roots::from_c(roots, "roots")?;
        config_mut!(config)
            .settings
            .set_trusted_roots(roots.policy());
        Ok(())
    })
}

/// Sets the proxy of every connection a session makes (token endpoint, signalling, audio
/// channel) and of a TRD client made with this configuration: `http://[user:password@]host[:port]`
/// (CONNECT tunnels), `https://…` (the same over TLS to the proxy, trusting this configuration's
/// roots), `socks5h://…` (SOCKS5, the proxy resolves names) or `socks5://…` (SOCKS5, names
/// resolved here); hosts `NO_PROXY` names still connect directly. Or `""` (len 0) to connect
/// directly whatever the environment says. Without this call the proxy comes from the
/// environment as curl reads it (`https_proxy`, `http_proxy`, `all_proxy`, `no_proxy`, upper
/// case too). The credentials never appear in `das_config_to_json` or in messages. A URL that
/// is none of these fails with `DAS_RESULT_PARSE` and leaves the configuration unchanged.
///
/// Ownership: `url` is borrowed and copied.
///
/// # Safety
/// As `das_config_set_endpoint_url`.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_proxy(
    config: *mut das_config,
    url: *const c_char,
    len: usize,
) -> das_result {
    ffi_boundary!({
        let url = arg_str!(url, len);
        let proxy = das_core::proxy::ProxySetting::parse(url)
            .map_err(|e| Error::new(das_result::Parse, e.to_string()))?;
        config_mut!(config).settings.set_proxy(proxy);
        Ok(())
    })
}

/// Sets the most events a session queues, `1..=1000000` (default 1024).
///
/// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
///
/// # Safety
/// `config` is a live configuration.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_event_queue_capacity(
    config: *mut das_config,
    events: usize,
) -> das_result {
    ffi_boundary!({
        let mut config = config_mut!(config);
        config
            .settings
            .set_event_capacity(events)
            .map_err(refused("events"))
    })
}

/// Sets the byte budget of a session's event queue (default 16 MiB; each event counted at its
/// size on the wire): a poller that falls behind holds at most this much in queued events
/// (plus one event heavier than the budget); the signalling then waits, and the server's sends
/// back up. At least 1.
///
/// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
///
/// # Safety
/// `config` is a live configuration.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_event_queue_bytes(
    config: *mut das_config,
    bytes: usize,
) -> das_result {
    ffi_boundary!({
        let mut config = config_mut!(config);
        config.settings.set_event_queue_bytes(bytes);
        Ok(())
    })
}

/// Sets the log level of sessions built from this configuration, a `das_log_level`.
///
/// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
///
/// # Safety
/// `config` is a live configuration.
#[no_mangle]
pub unsafe extern "C" fn das_config_set_log_level(
    config: *mut das_config,
    level: u32,
) -> das_result {
    ffi_boundary!({
        let mut config = config_mut!(config);
        config.log_level = das_log_level::from_c(level, "level")?;
        Ok(())
    })
}

/// Checks that a session can start from this configuration; `DAS_RESULT_NOT_READY` with a
/// message naming every missing setting otherwise.
///
/// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
///
/// # Safety
/// `config` is a live configuration.
#[no_mangle]
pub unsafe extern "C" fn das_config_validate(config: *const das_config) -> das_result {
    ffi_boundary!({ Ok(config_ref!(config).settings.validate()?) })
}

/// Copies the JSON `initialize` payload the session will emit (metadata plus
/// `register_request`/`verify_request`, extra JSON merged) into `buf`. It contains the credential
/// if one is set. `DAS_RESULT_NOT_READY` without a session kind.
///
/// Ownership: `buf` and `written` are borrowed for the call.
///
/// # Safety
/// `config` is a live configuration; `buf`/`len`/`written` follow the output-buffer convention.
#[no_mangle]
pub unsafe extern "C" fn das_config_initialize_json(
    config: *const das_config,
    buf: *mut c_char,
    len: usize,
    written: *mut usize,
) -> das_result {
    ffi_boundary!({
        let text = config_ref!(config)
            .settings
            .initialize_payload()?
            .to_string();
        // SAFETY: the caller upholds the output-buffer contract.
        unsafe { write_output(&text, buf, len, written) }
    })
}

/// Copies every setting as JSON into `buf`, with secrets replaced by `"<redacted>"` (safe to
/// log).
///
/// Ownership: `buf` and `written` are borrowed for the call.
///
/// # Safety
/// `config` is a live configuration; `buf`/`len`/`written` follow the output-buffer convention.
#[no_mangle]
pub unsafe extern "C" fn das_config_to_json(
    config: *const das_config,
    buf: *mut c_char,
    len: usize,
    written: *mut usize,
) -> das_result {
    ffi_boundary!({
        let text = config_ref!(config).redacted_json().to_string();
        // SAFETY: the caller upholds the output-buffer contract.
        unsafe { write_output(&text, buf, len, written) }
    })
}
