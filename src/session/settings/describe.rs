//! A description of every setting for logs and support: secrets appear as `"<redacted>"`.

use serde_json::{json, Map, Value};
use url::Url;

use super::model::{Auth, SessionSettings, TimeoutKind};
use crate::audio::pacing::Pacing;

const REDACTED: &str = "<redacted>";

impl SessionSettings {
    /// Every setting as JSON, secrets replaced by `"<redacted>"` (safe to log).
    pub fn redacted_json(&self) -> Value {
        let auth = match &self.auth {
            None => Value::Null,
            Some(Auth::ClientCredentials { client_id, .. }) => {
                json!({ "client_id": client_id, "client_secret": REDACTED })
            }
            Some(Auth::Header(_)) => json!({ "authorization": REDACTED }),
            Some(Auth::Provider(_)) => json!({ "token_provider": REDACTED }),
        };
        let mut metadata = self.metadata();
        metadata.entry("call_id").or_insert(Value::Null);
        let request = &self.request;
        let audio = &self.audio;
        let timeouts: Map<String, Value> = TimeoutKind::ALL
            .into_iter()
            .map(|which| {
                let ms = u64::try_from(self.timeout(which).as_millis()).unwrap_or(u64::MAX);
                (which.name().to_owned(), json!(ms))
            })
            .collect();
        json!({
            "endpoint_url": self.endpoint_url.as_ref().map(Url::as_str),
            "token_url": self.token_url.as_ref().map(Url::as_str),
            "auth": auth,
            "namespace": self.namespace,
            "session_kind": self.kind.map(|kind| kind.name()),
            "metadata": metadata,
            "authenticity_threshold": request.authenticity_threshold,
            "audio_total_duration": request.audio_total_duration,
            "model_hash": request.model_hash,
            "credential": request.credential.as_ref().map(|_| REDACTED),
            "extra": request.extra,
            "signalling_only": self.signalling_only,
            "audio": {
                "protocol": audio.protocol.wire_name(),
                "url": audio.url.as_ref().map(Url::as_str),
                "codec": audio.codec.das_name(),
                "sample_rate": audio.sample_rate,
                "channels": audio.channels,
                "api_key": audio.api_key,
                "api_secret": audio.client_secret.as_ref().map(|_| REDACTED),
                "organization_id": audio.organization_id.to_string(),
                "pacing": match audio.pacing {
                    Pacing::RealTime => "real-time",
                    Pacing::AsFastAsPossible => "as-fast-as-possible",
                },
            },
            "timeouts_ms": timeouts,
            "audio_buffer_bytes": self.audio_buffer_bytes,
            "event_queue_capacity": self.event_capacity,
            "event_queue_bytes": self.event_queue_bytes,
            "tls": {
                "trusted_roots": self.tls.trusted().name(),
                "extra_roots": self.tls.extra_root_count(),
            },
            "proxy": self.proxy.describe(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::SessionKind;

    #[test]
    fn secrets_never_appear_in_debug_or_the_description() {
        let mut settings = SessionSettings::default();
        settings.set_kind(SessionKind::Verify);
        settings
            .set_token_url("https://auth.example/token")
            .unwrap();
        settings
            .set_client_credentials("my-client", "s3cr3t-value")
            .unwrap();
        settings.set_credential("voice-credential-blob").unwrap();
        settings
            .set_audiohook_credentials("key", "c2VjcmV0")
            .unwrap();
        let debug = format!("{settings:?}");
        let described = settings.redacted_json().to_string();
        for secret in ["s3cr3t-value", "voice-credential-blob", "c2VjcmV0"] {
            assert!(!debug.contains(secret), "{secret} in {debug}");
            assert!(!described.contains(secret), "{secret} in {described}");
        }
        assert!(described.contains(r#""client_id":"my-client""#));
        settings.set_authorization("Bearer abc.def").unwrap();
        assert!(!format!("{settings:?}").contains("abc.def"));
        assert!(!settings.redacted_json().to_string().contains("abc.def"));
    }

    #[test]
    fn the_description_names_every_setting() {
        let mut settings = SessionSettings::default();
        settings
            .set_timeout(TimeoutKind::Ready, std::time::Duration::from_millis(1500))
            .unwrap();
        let described = settings.redacted_json();
        assert_eq!(described["timeouts_ms"]["ready"], 1500);
        assert_eq!(described["timeouts_ms"]["connect"], 10000);
        assert_eq!(described["metadata"]["call_id"], Value::Null);
        assert_eq!(described["metadata"]["sample_rate"], "8000");
        assert_eq!(described["audio"]["pacing"], "real-time");
        assert_eq!(described["tls"]["extra_roots"], 0);
        assert_eq!(described["auth"], Value::Null);
    }
}
