//! [`Metadata`]: the whole `metadata` object of `initialize`, typed, for
//! [`SessionBuilder::metadata`](super::SessionBuilder::metadata).

use super::settings::SessionSettings;

/// The `metadata` object of `initialize`. Defaults are the documented example's values.
#[derive(Clone, Debug, PartialEq)]
pub struct Metadata {
    /// `audiohook` or `twilio`.
    pub audio_protocol: String,
    /// `raw`.
    pub audio_format: String,
    /// `mulaw`, `alaw` or `l16`.
    pub audio_codec: String,
    /// Empty in the documented example.
    pub sample_format: String,
    /// Samples per second per channel (8000).
    pub sample_rate: u32,
    /// 1, or 2 interleaved (external first).
    pub channels: u16,
    /// Joins signalling and audio; a new UUIDv4 unless given.
    pub call_id: String,
    /// Send `sample_rate` and `channels` as strings (`"8000"`, `"1"`), as the example does.
    pub numbers_as_strings: bool,
}

impl Default for Metadata {
    fn default() -> Self {
        Self {
            audio_protocol: "audiohook".into(),
            audio_format: "raw".into(),
            audio_codec: "mulaw".into(),
            sample_format: String::new(),
            sample_rate: 8000,
            channels: 1,
            call_id: uuid::Uuid::new_v4().to_string(),
            numbers_as_strings: true,
        }
    }
}

impl Metadata {
    /// Sets every field in `settings`, as the builder's metadata setters do one by one.
    pub(super) fn apply_to(self, settings: &mut SessionSettings) {
        settings.set_metadata_audio_protocol(&self.audio_protocol);
        settings.set_metadata_field("audio_format", self.audio_format.into());
        settings.set_metadata_audio_codec(&self.audio_codec);
        settings.set_metadata_field("sample_format", self.sample_format.into());
        settings.set_metadata_sample_rate(self.sample_rate);
        settings.set_metadata_channels(self.channels);
        settings.set_call_id(&self.call_id);
        settings.set_metadata_numbers_as_strings(self.numbers_as_strings);
    }
}
