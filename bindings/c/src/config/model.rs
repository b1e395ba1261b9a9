//! [`DasConfig`]: the core's [`SessionSettings`] with the C API's defaults, plus the log level
//! that only C configures.

use das_core::session::SessionSettings;
use serde_json::Value;

use crate::enums::das_log_level;

/// Longest timeout accepted, by the timeout settings and by `das_session_poll_event`: one hour.
pub const DAS_MAX_TIMEOUT_MS: u32 = 3_600_000;
const _: () = assert!(
    DAS_MAX_TIMEOUT_MS as u128 == das_core::session::settings::MAX_TIMEOUT.as_millis(),
    "DAS_MAX_TIMEOUT_MS is the core's MAX_TIMEOUT"
);

/// What a `das_config` holds.
#[derive(Debug, Clone)]
pub struct DasConfig {
    /// Every session setting, validated by the core when set.
    pub settings: SessionSettings,
    /// Log level of sessions built from this configuration.
    pub log_level: das_log_level,
}

impl Default for DasConfig {
    /// The defaults `das.h` documents: a 1024-event queue, a 256 KiB audio buffer, and no
    /// session without an audio channel unless it is signalling only.
    fn default() -> Self {
        let mut settings = SessionSettings::default();
        settings.require_audio_channel(true);
        settings
            .set_event_capacity(1024)
            .and_then(|()| settings.set_audio_buffer_bytes(256 << 10))
            .expect("the documented C defaults are in range");
        Self {
            settings,
            log_level: das_log_level::Warn,
        }
    }
}

impl DasConfig {
    /// The core's redacted description, plus the log level.
    pub fn redacted_json(&self) -> Value {
        let mut described = self.settings.redacted_json();
        if let Value::Object(members) = &mut described {
            members.insert("log_level".into(), self.log_level.name().into());
        }
        described
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use das_core::session::settings::TimeoutKind;
    use std::time::Duration;

    #[test]
    fn the_defaults_are_those_das_h_documents() {
        let config = DasConfig::default();
        let settings = &config.settings;
        assert_eq!(settings.event_capacity(), 1024);
        assert_eq!(settings.audio_buffer_bytes(), 262_144);
        assert_eq!(
            settings.timeout(TimeoutKind::Connect),
            Duration::from_secs(10)
        );
        let missing = settings.validate().unwrap_err().to_string();
        assert!(missing.ends_with("audio URL"), "{missing}");
        assert_eq!(config.redacted_json()["log_level"], "warn");
    }
}
