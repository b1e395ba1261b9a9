//! `das_emulator`: the local das-Peak Streaming + TRD emulator running inside the process, for
//! offline development, the examples and tests. Its URLs and demo credentials plug straight
//! into a `das_config`.

use std::ffi::c_char;
use std::net::SocketAddr;
use std::sync::Mutex;

use ::das_emulator::tls_front::{PrivateCa, TlsFront};
use ::das_emulator::{Emulator, EmulatorConfig, EmulatorHandle, DEMO_TRD_TOKEN};

use crate::error::Error;
use crate::ffi_boundary;
use crate::handle::{self, OpaqueHandle};
use crate::out::{self, lend, CText};
use crate::result::das_result;
use crate::runtime::block_on;

/// A running emulator. Thread-safe: any thread may read its URLs while another stops it;
/// `das_emulator_free` must come after every other call on it has returned.
#[allow(non_camel_case_types)]
pub struct das_emulator {
    _private: [u8; 0],
}

// SAFETY: `das_emulator` is a zero-sized marker that is never constructed.
unsafe impl OpaqueHandle for das_emulator {
    type Rust = EmulatorValue;
    const NAME: &'static str = "das_emulator";
}

/// What a `das_emulator` owns: the running server and the strings lent to C.
#[derive(Debug)]
pub struct EmulatorValue {
    running: Mutex<Option<EmulatorHandle>>,
    socketio_url: CText,
    token_url: CText,
    audiohook_url: CText,
    twilio_url: CText,
    trd_url: CText,
    client_id: CText,
    client_secret: CText,
    trd_token: CText,
    audiohook_api_key: CText,
    audiohook_client_secret: CText,
    trd_license_url: CText,
    trd_license_user: CText,
    trd_license_password: CText,
    tls_socketio_url: CText,
    tls_token_url: CText,
    tls_audiohook_url: CText,
    tls_trd_url: CText,
    tls_ca_pem: CText,
    /// Relays HTTPS/WSS to the emulator with a certificate from a private CA.
    tls_front: Mutex<Option<TlsFront>>,
}

impl EmulatorValue {
    fn stop(&self) -> Result<(), Error> {
        drop(
            self.tls_front
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take(),
        );
        let running = self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        match running {
            Some(emulator) => block_on(emulator.shutdown()),
            None => Ok(()),
        }
    }
}

impl Drop for EmulatorValue {
    fn drop(&mut self) {
        if let Err(error) = self.stop() {
            tracing::warn!("emulator shutdown skipped: {error}");
        }
    }
}

macro_rules! emulator {
    ($emulator:ident) => {
        // SAFETY: the caller upholds the handle contract (no concurrent free).
        unsafe { handle::borrow_shared($emulator, "emulator") }?
    };
}

/// Starts the emulator on `127.0.0.1:port` (0 picks a free port) with its defaults: the demo
/// OAuth2 client, Twilio and AudioHook consumers (demo API key) with real voice-activity
/// detection, and the TRD v3 endpoints; and a TLS front on another free port whose private
/// CA nothing trusts by default (the `DAS_EMULATOR_FIELD_TLS_*` fields), to rehearse a
/// private CA or an inspecting proxy. Errors: the port is taken, `DAS_RESULT_IO`.
///
/// Ownership: the caller owns `*out` and releases it with `das_emulator_free`.
///
/// # Safety
/// `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_emulator_start(port: u16, out: *mut *mut das_emulator) -> das_result {
    ffi_boundary!({
        out::require(out, "out")?;
        let config = EmulatorConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], port)),
            ..EmulatorConfig::default()
        };
        let emulator = block_on(Emulator::start(config))?
            .map_err(|e| Error::new(das_result::Io, format!("emulator: {e}")))?;
        let ca = PrivateCa::generate().map_err(|e| Error::new(das_result::Tls, e.to_string()))?;
        let front = block_on(TlsFront::start(emulator.local_addr(), &ca))?
            .map_err(|e| Error::new(das_result::Io, format!("emulator TLS front: {e}")))?;
        let value = EmulatorValue {
            socketio_url: CText::new(&emulator.socketio_url()),
            token_url: CText::new(&emulator.token_url()),
            audiohook_url: CText::new(&emulator.audiohook_url()),
            twilio_url: CText::new(&emulator.twilio_url()),
            trd_url: CText::new(&emulator.trd_url()),
            client_id: CText::new(emulator.client_id()),
            client_secret: CText::new(emulator.client_secret()),
            trd_token: CText::new(DEMO_TRD_TOKEN),
            audiohook_api_key: CText::new(emulator.audiohook_api_key()),
            audiohook_client_secret: CText::new(emulator.audiohook_client_secret()),
            trd_license_url: CText::new(&emulator.trd_license_url()),
            trd_license_user: CText::new(emulator.trd_license_user()),
            trd_license_password: CText::new(emulator.trd_license_password()),
            tls_socketio_url: CText::new(&front.url("https", "/socket.io")),
            tls_token_url: CText::new(&front.url("https", "/socket.io/oauth2/token")),
            tls_audiohook_url: CText::new(&front.url("wss", "/audiohook/ws")),
            tls_trd_url: CText::new(&front.url("https", "/trd/v3")),
            tls_ca_pem: CText::new(ca.ca_pem()),
            tls_front: Mutex::new(Some(front)),
            running: Mutex::new(Some(emulator)),
        };
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { out.write(handle::into_raw::<das_emulator>(value)) };
        Ok(())
    })
}

/// Which emulator string `das_emulator_string` lends.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum das_emulator_field {
    /// The Socket.IO URL (`http://127.0.0.1:PORT/socket.io`) for `das_config_set_endpoint_url`.
    SocketioUrl = 1,
    /// The OAuth2 token URL for `das_config_set_token_url`.
    TokenUrl = 2,
    /// The AudioHook consumer (`ws://127.0.0.1:PORT/audiohook/ws`).
    AudiohookUrl = 3,
    /// The Twilio Media Streams consumer (`ws://127.0.0.1:PORT/twilio/ws`).
    TwilioUrl = 4,
    /// The TRD v3 API base (`http://127.0.0.1:PORT/trd/v3`) for `das_trd_*`.
    TrdUrl = 5,
    /// The demo OAuth2 client id.
    ClientId = 6,
    /// The demo OAuth2 client secret.
    ClientSecret = 7,
    /// The Bearer token the TRD endpoints accept.
    TrdToken = 8,
    /// The AudioHook API key (`X-API-KEY`) the AudioHook consumer accepts.
    AudiohookApiKey = 9,
    /// The base64 AudioHook client secret that signs requests with that key.
    AudiohookClientSecret = 10,
    /// The license server's token URL (`http://127.0.0.1:PORT/auth/token`) for
    /// `das_trd_license_token`.
    TrdLicenseUrl = 11,
    /// The demo license-server user.
    TrdLicenseUser = 12,
    /// The demo license-server password.
    TrdLicensePassword = 13,
    /// The Socket.IO URL over TLS (`https://localhost:PORT/socket.io`): a TLS front relaying
    /// to the emulator with a certificate from a private CA that nothing trusts by default.
    TlsSocketioUrl = 14,
    /// The OAuth2 token URL over TLS.
    TlsTokenUrl = 15,
    /// The AudioHook consumer over TLS (`wss://localhost:PORT/audiohook/ws`).
    TlsAudiohookUrl = 16,
    /// The TRD v3 API base over TLS.
    TlsTrdUrl = 17,
    /// The PEM of the private CA behind the `TLS_*` URLs, for `das_config_add_trusted_root_pem`
    /// or a file named by `SSL_CERT_FILE`.
    TlsCaPem = 18,
}

impl das_emulator_field {
    fn from_c(value: u32) -> Result<Self, Error> {
        [
            Self::SocketioUrl,
            Self::TokenUrl,
            Self::AudiohookUrl,
            Self::TwilioUrl,
            Self::TrdUrl,
            Self::ClientId,
            Self::ClientSecret,
            Self::TrdToken,
            Self::AudiohookApiKey,
            Self::AudiohookClientSecret,
            Self::TrdLicenseUrl,
            Self::TrdLicenseUser,
            Self::TrdLicensePassword,
            Self::TlsSocketioUrl,
            Self::TlsTokenUrl,
            Self::TlsAudiohookUrl,
            Self::TlsTrdUrl,
            Self::TlsCaPem,
        ]
        .into_iter()
        .find(|field| *field as u32 == value)
        .ok_or_else(|| Error::invalid_enum("field", "das_emulator_field", value))
    }
}

/// Lends one of the emulator's URLs or demo credentials (`field` is a `das_emulator_field`;
/// `DAS_RESULT_INVALID_ENUM` otherwise). They stay readable after `das_emulator_stop`.
///
/// Ownership: `*text` (NUL-terminated) is owned by `emulator`, valid until `das_emulator_free`.
///
/// # Safety
/// `emulator` is a live emulator; `text` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_emulator_string(
    emulator: *const das_emulator,
    field: u32,
    text: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        let emulator = emulator!(emulator);
        let value = match das_emulator_field::from_c(field)? {
            das_emulator_field::SocketioUrl => &emulator.socketio_url,
            das_emulator_field::TokenUrl => &emulator.token_url,
            das_emulator_field::AudiohookUrl => &emulator.audiohook_url,
            das_emulator_field::TwilioUrl => &emulator.twilio_url,
            das_emulator_field::TrdUrl => &emulator.trd_url,
            das_emulator_field::ClientId => &emulator.client_id,
            das_emulator_field::ClientSecret => &emulator.client_secret,
            das_emulator_field::TrdToken => &emulator.trd_token,
            das_emulator_field::AudiohookApiKey => &emulator.audiohook_api_key,
            das_emulator_field::AudiohookClientSecret => &emulator.audiohook_client_secret,
            das_emulator_field::TrdLicenseUrl => &emulator.trd_license_url,
            das_emulator_field::TrdLicenseUser => &emulator.trd_license_user,
            das_emulator_field::TrdLicensePassword => &emulator.trd_license_password,
            das_emulator_field::TlsSocketioUrl => &emulator.tls_socketio_url,
            das_emulator_field::TlsTokenUrl => &emulator.tls_token_url,
            das_emulator_field::TlsAudiohookUrl => &emulator.tls_audiohook_url,
            das_emulator_field::TlsTrdUrl => &emulator.tls_trd_url,
            das_emulator_field::TlsCaPem => &emulator.tls_ca_pem,
        };
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { lend(value, text, len) }
    })
}

/// Stops the emulator: cancels its sessions, disconnects clients and closes the port (bounded
/// grace period). Stopping twice is harmless.
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `emulator` is a live emulator.
#[no_mangle]
pub unsafe extern "C" fn das_emulator_stop(emulator: *const das_emulator) -> das_result {
    ffi_boundary!({ emulator!(emulator).stop() })
}

/// Stops (if needed) and releases the emulator. NULL is ignored; a pointer that is not a live
/// emulator is ignored and recorded as the last error.
///
/// Ownership: takes ownership of `emulator`; lent strings become invalid.
///
/// # Safety
/// Every other call on `emulator` must have returned.
#[no_mangle]
pub unsafe extern "C" fn das_emulator_free(emulator: *mut das_emulator) {
    ffi_boundary!({
        // SAFETY: the caller guarantees no concurrent use.
        unsafe { handle::free(emulator, "emulator") }
    })
}
