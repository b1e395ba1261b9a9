//! One description of a running emulator's endpoints and credentials. `das emulator` prints it
//! as its banner or, with `--json`, as one JSON line that programs read (Python's
//! `das.Emulator`, the C test helper), so every surface names the same fields.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::config::{
    DEMO_AUDIOHOOK_API_KEY, DEMO_AUDIOHOOK_CLIENT_SECRET, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
    DEMO_TRD_LICENSE_PASSWORD, DEMO_TRD_LICENSE_USER, DEMO_TRD_TOKEN,
};

/// Where a running emulator listens and the credentials it accepts (the first configured
/// client, AudioHook key, TRD token and license user; empty strings when none is configured).
///
/// `Debug` redacts the secrets; the JSON form carries them, since it goes to the program that
/// started the emulator and configured them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmulatorDescription {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// What a Socket.IO client connects to (`http://127.0.0.1:PORT/socket.io`).
    pub socketio_url: String,
    /// The OAuth2 client-credentials endpoint.
    pub token_url: String,
    /// The AudioHook consumer (`ws://127.0.0.1:PORT/audiohook/ws`).
    pub audiohook_url: String,
    /// The Twilio Media Streams consumer (`ws://127.0.0.1:PORT/twilio/ws`).
    pub twilio_url: String,
    /// The TRD v3 API base (`http://127.0.0.1:PORT/trd/v3`).
    pub trd_url: String,
    /// The TRD license server's token endpoint.
    pub trd_license_url: String,
    /// Emulator-only: `PUT` a JSON `Faults` object here to change the fault switches of the
    /// running emulator (loopback clients only).
    pub faults_url: String,
    pub client_id: String,
    pub client_secret: String,
    /// The AudioHook API key (`X-API-KEY`).
    pub audiohook_api_key: String,
    /// The base64 client secret that signs AudioHook requests made with that key.
    pub audiohook_client_secret: String,
    /// A bearer token the TRD endpoints accept.
    pub trd_token: String,
    pub trd_license_user: String,
    pub trd_license_password: String,
    /// Socket.IO through the TLS front (`https://localhost:PORT/socket.io`), whose certificate
    /// only `tls_ca_pem` vouches for.
    pub tls_socketio_url: String,
    /// The OAuth2 endpoint through the TLS front.
    pub tls_token_url: String,
    /// The AudioHook consumer through the TLS front (`wss://localhost:PORT/audiohook/ws`).
    pub tls_audiohook_url: String,
    /// The TRD v3 API base through the TLS front.
    pub tls_trd_url: String,
    /// The TRD license server's token endpoint through the TLS front.
    pub tls_trd_license_url: String,
    /// The PEM of the TLS front's private CA (trusted nowhere until a client adds it).
    pub tls_ca_pem: String,
}

impl fmt::Debug for EmulatorDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorDescription")
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .field("audiohook_api_key", &self.audiohook_api_key)
            .field("trd_license_user", &self.trd_license_user)
            .finish_non_exhaustive()
    }
}

/// The human banner. Secrets are shown only when they are the public demo values.
impl fmt::Display for EmulatorDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "das-Peak Streaming + TRD emulator listening on {}",
            self.base_url
        )?;
        writeln!(f, "  Socket.IO URL   {}", self.socketio_url)?;
        writeln!(f, "  token URL       {}", self.token_url)?;
        writeln!(f, "  AudioHook URL   {}", self.audiohook_url)?;
        writeln!(f, "  Twilio URL      {}", self.twilio_url)?;
        writeln!(f, "  TRD API         {}", self.trd_url)?;
        writeln!(f, "  TRD license     {}", self.trd_license_url)?;
        writeln!(f, "  faults          {} (PUT JSON)", self.faults_url)?;
        writeln!(
            f,
            "  TLS front       {} (private CA: tls_ca_pem of --json)",
            self.tls_socketio_url
        )?;
        let demo = |pair: (&str, &str), expected: (&str, &str)| pair == expected;
        if demo(
            (&self.client_id, &self.client_secret),
            (DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
        ) {
            writeln!(
                f,
                "  client          {} / {} (public demo credentials)",
                self.client_id, self.client_secret
            )?;
        } else {
            writeln!(f, "  clients         as configured")?;
        }
        if demo(
            (&self.audiohook_api_key, &self.audiohook_client_secret),
            (DEMO_AUDIOHOOK_API_KEY, DEMO_AUDIOHOOK_CLIENT_SECRET),
        ) {
            writeln!(
                f,
                "  AudioHook key   {} / {} (public demo credentials)",
                self.audiohook_api_key, self.audiohook_client_secret
            )?;
        }
        if self.trd_token == DEMO_TRD_TOKEN {
            writeln!(
                f,
                "  TRD token       {} (public demo token)",
                self.trd_token
            )?;
        }
        if demo(
            (&self.trd_license_user, &self.trd_license_password),
            (DEMO_TRD_LICENSE_USER, DEMO_TRD_LICENSE_PASSWORD),
        ) {
            writeln!(
                f,
                "  TRD license     {} / {} (demo license user)",
                self.trd_license_user, self.trd_license_password
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn description(client_secret: &str) -> EmulatorDescription {
        let url = |path: &str| format!("http://127.0.0.1:1{path}");
        EmulatorDescription {
            base_url: url(""),
            socketio_url: url("/socket.io"),
            token_url: url("/socket.io/oauth2/token"),
            audiohook_url: "ws://127.0.0.1:1/audiohook/ws".into(),
            twilio_url: "ws://127.0.0.1:1/twilio/ws".into(),
            trd_url: url("/trd/v3"),
            trd_license_url: url("/auth/token"),
            faults_url: url("/emulator/faults"),
            client_id: DEMO_CLIENT_ID.into(),
            client_secret: client_secret.into(),
            audiohook_api_key: DEMO_AUDIOHOOK_API_KEY.into(),
            audiohook_client_secret: "c2VjcmV0LW9mLWEtdXNlcg==".into(),
            trd_token: "a-real-token".into(),
            trd_license_user: DEMO_TRD_LICENSE_USER.into(),
            trd_license_password: DEMO_TRD_LICENSE_PASSWORD.into(),
            tls_socketio_url: "https://localhost:2/socket.io".into(),
            tls_token_url: "https://localhost:2/socket.io/oauth2/token".into(),
            tls_audiohook_url: "wss://localhost:2/audiohook/ws".into(),
            tls_trd_url: "https://localhost:2/trd/v3".into(),
            tls_trd_license_url: "https://localhost:2/auth/token".into(),
            tls_ca_pem: "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n".into(),
        }
    }

    #[test]
    fn the_banner_shows_demo_secrets_and_hides_configured_ones() {
        let banner = description("a-configured-secret").to_string();
        assert!(banner.contains("  TRD license     http://127.0.0.1:1/auth/token\n"));
        assert!(banner.contains("  clients         as configured\n"));
        assert!(!banner.contains("a-configured-secret"));
        assert!(!banner.contains("c2VjcmV0LW9mLWEtdXNlcg=="));
        assert!(!banner.contains("a-real-token"));
        let demo = description(DEMO_CLIENT_SECRET).to_string();
        assert!(demo.contains(&format!("{DEMO_CLIENT_ID} / {DEMO_CLIENT_SECRET}")));
    }

    #[test]
    fn debug_redacts_every_secret() {
        let debug = format!("{:?}", description("a-configured-secret"));
        for secret in [
            "a-configured-secret",
            "c2VjcmV0LW9mLWEtdXNlcg==",
            "a-real-token",
            DEMO_TRD_LICENSE_PASSWORD,
        ] {
            assert!(!debug.contains(secret), "{debug}");
        }
    }

    #[test]
    fn the_json_form_round_trips_on_one_line() {
        let original = description("s");
        let line = serde_json::to_string(&original).unwrap();
        assert!(!line.contains('\n'));
        assert_eq!(
            serde_json::from_str::<EmulatorDescription>(&line).unwrap(),
            original
        );
    }
}
