//! The `initialize` payload: `{"metadata": {...}, "<kind>_request": {...}}` plus any extra
//! top-level keys. Unset metadata is derived from the audio channel settings.

use serde_json::{json, Map, Value};

use super::model::SessionSettings;
use super::SettingError;

impl SessionSettings {
    /// The `metadata` object: the typed values (set, else implied by the audio channel), the
    /// `call_id` once set, then the extra keys verbatim.
    pub fn metadata(&self) -> Map<String, Value> {
        let number = |n: u64| {
            if self.numbers_as_strings {
                json!(n.to_string())
            } else {
                json!(n)
            }
        };
        let overrides = &self.metadata;
        let audio = &self.audio;
        let mut metadata = Map::new();
        metadata.insert(
            "audio_protocol".into(),
            json!(overrides
                .audio_protocol
                .as_deref()
                .unwrap_or(audio.protocol.wire_name())),
        );
        metadata.insert("audio_format".into(), json!("raw"));
        metadata.insert(
            "audio_codec".into(),
            json!(overrides
                .audio_codec
                .as_deref()
                .unwrap_or(audio.codec.das_name())),
        );
        metadata.insert("sample_format".into(), json!(""));
        metadata.insert(
            "sample_rate".into(),
            number(overrides.sample_rate.unwrap_or(audio.sample_rate).into()),
        );
        metadata.insert(
            "channels".into(),
            number(overrides.channels.unwrap_or(audio.channels).into()),
        );
        if let Some(call_id) = &self.call_id {
            metadata.insert("call_id".into(), json!(call_id));
        }
        metadata.extend(overrides.extra.clone());
        metadata
    }

    /// The request object: the typed values that are set, then the extra keys.
    fn request(&self) -> Map<String, Value> {
        let request = &self.request;
        let mut object = Map::new();
        if let Some(threshold) = request.authenticity_threshold {
            object.insert("authenticity_threshold".into(), json!(threshold));
        }
        if let Some(threshold) = request.score_threshold {
            object.insert("score_threshold".into(), json!(threshold));
        }
        if let Some(seconds) = request.audio_total_duration {
            object.insert("audio_total_duration".into(), json!(seconds));
        }
        if let Some(hash) = &request.model_hash {
            object.insert("model_hash".into(), json!(hash));
        }
        if let Some(credential) = &request.credential {
            object.insert("credential".into(), json!(credential.expose()));
        }
        object.extend(request.extra.clone());
        object
    }

    /// The `initialize` payload exactly as it will be sent (with the credential, if any).
    pub fn initialize_payload(&self) -> Result<Value, SettingError> {
        let kind = self
            .kind
            .ok_or_else(|| SettingError::Missing(vec!["session kind"]))?;
        let mut payload = Map::new();
        payload.insert("metadata".into(), Value::Object(self.metadata()));
        payload.insert(kind.request_key().into(), Value::Object(self.request()));
        payload.extend(self.payload_extra.clone());
        Ok(Value::Object(payload))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::SessionKind;

    /// The das-Peak documentation's example `initialize`, the one literal copy in the project:
    /// other tests (the builder's, the emulator's) build theirs from `documented_example`.
    #[test]
    fn documented_settings_reproduce_the_documented_payload() {
        let mut settings = SessionSettings::documented_example(SessionKind::Register);
        settings
            .set_call_id("888806c3-3391-4d73-bb86-e5874e6ed5b4")
            .unwrap();
        assert_eq!(
            settings.initialize_payload().unwrap(),
            json!({
                "metadata": {
                    "audio_protocol": "audiohook", "audio_format": "raw", "audio_codec": "mulaw",
                    "sample_format": "", "sample_rate": "8000", "channels": "1",
                    "call_id": "888806c3-3391-4d73-bb86-e5874e6ed5b4"
                },
                "register_request": {
                    "authenticity_threshold": 0.8, "audio_total_duration": 5.0,
                    "model_hash": "<MODEL_HASH>"
                }
            })
        );
        assert_eq!(
            serde_json::to_string(&settings.initialize_payload().unwrap()["metadata"]).unwrap(),
            r#"{"audio_protocol":"audiohook","audio_format":"raw","audio_codec":"mulaw","sample_format":"","sample_rate":"8000","channels":"1","call_id":"888806c3-3391-4d73-bb86-e5874e6ed5b4"}"#,
            "keys in the documented order"
        );
    }

    #[test]
    fn the_audio_channel_implies_metadata_that_typed_and_extra_keys_override() {
        let mut settings = SessionSettings::default();
        settings.set_kind(SessionKind::Verify);
        settings.set_audio_protocol(super::super::AudioProtocol::Twilio);
        settings.set_audio_codec(crate::audio::codec::Codec::L16);
        settings.set_audio_sample_rate(16000).unwrap();
        let metadata = settings.metadata();
        assert_eq!(
            (&metadata["audio_protocol"], &metadata["audio_codec"]),
            (&json!("twilio"), &json!("l16"))
        );
        assert_eq!(metadata["sample_rate"], "16000");
        assert!(!metadata.contains_key("call_id"));

        settings.set_metadata_sample_rate(8000);
        settings.set_metadata_numbers_as_strings(false);
        settings.set_metadata_field("channels", json!("2"));
        settings.set_metadata_field("tenant", json!("t1"));
        let metadata = settings.metadata();
        assert_eq!(metadata["sample_rate"], 8000);
        assert_eq!(metadata["channels"], "2");
        assert_eq!(metadata["tenant"], "t1");
    }

    #[test]
    fn extra_request_keys_win_and_top_level_keys_are_added() {
        let mut settings = SessionSettings::default();
        assert_eq!(
            settings.initialize_payload(),
            Err(SettingError::Missing(vec!["session kind"]))
        );
        settings.set_kind(SessionKind::Verify);
        settings.set_credential("CRED").unwrap();
        settings.set_model_hash("m").unwrap();
        settings
            .set_request_extra_json(r#"{"model_hash": "override", "tenant": 7}"#)
            .unwrap();
        settings.set_request_field("similarity_threshold", json!(0.7));
        settings.set_payload_field("trace", json!(true));
        let payload = settings.initialize_payload().unwrap();
        let request = &payload["verify_request"];
        assert_eq!(request["credential"], "CRED");
        assert_eq!(request["model_hash"], "override");
        assert_eq!(request["tenant"], 7);
        assert_eq!(request["similarity_threshold"], 0.7);
        assert_eq!(payload["trace"], true);
        assert!(payload.get("register_request").is_none());
    }

    #[test]
    fn score_threshold_is_sent_and_read_back_as_the_request_has_it() {
        let mut settings = SessionSettings::documented_example(SessionKind::Verify);
        assert_eq!(settings.score_threshold(), None);
        settings.set_score_threshold(0.6).unwrap();
        let payload = settings.initialize_payload().unwrap();
        assert_eq!(payload["verify_request"]["score_threshold"], 0.6);
        assert_eq!(settings.score_threshold(), Some(0.6));
        // An extra request key is merged last, so it is the one sent and the one used.
        settings.set_request_field("score_threshold", json!(0.9));
        assert_eq!(settings.score_threshold(), Some(0.9));
    }
}
