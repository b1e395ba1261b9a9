//! Typed, read-only access to the documented keys of `job.config`, which is kept as raw JSON
//! because its shape changes between TRD versions (3.2 `params`, 3.11 `textify`/`decoder`/…).

use std::time::Duration;

use serde_json::Value;

use super::model::Job;

/// A view over `job.config`. Every getter returns `None` when the key is absent or has another
/// type than documented.
#[derive(Debug, Clone, Copy)]
pub struct ConfigView<'a> {
    raw: &'a Value,
}

impl<'a> ConfigView<'a> {
    /// Views any JSON value as a TRD config.
    pub fn new(raw: &'a Value) -> Self {
        ConfigView { raw }
    }

    /// The whole config as received.
    pub fn raw(&self) -> &'a Value {
        self.raw
    }

    /// Any key by JSON pointer (`/diarization/vad/chunk_max_silence`).
    pub fn get(&self, pointer: &str) -> Option<&'a Value> {
        self.raw.pointer(pointer)
    }

    /// `priority`.
    pub fn priority(&self) -> Option<i64> {
        self.get("/priority")?.as_i64()
    }

    /// `sample_rate_hertz` (8000 or 16000).
    pub fn sample_rate_hertz(&self) -> Option<u64> {
        self.get("/sample_rate_hertz")?.as_u64()
    }

    /// `diarization.version` (`"v2"` enables diarization v2; v1 when absent).
    pub fn diarization_version(&self) -> Option<&'a str> {
        self.get("/diarization/version")?.as_str()
    }

    /// `diarization.clustering.enabled`.
    pub fn clustering_enabled(&self) -> Option<bool> {
        self.get("/diarization/clustering/enabled")?.as_bool()
    }

    /// `diarization.clustering.threshold`.
    pub fn clustering_threshold(&self) -> Option<f64> {
        self.get("/diarization/clustering/threshold")?.as_f64()
    }

    /// Speakers per channel: `diarization.num_speakers` (v2) or `diarization.clustering.speakers`
    /// (v1).
    pub fn speakers_per_channel(&self) -> Option<u64> {
        self.get("/diarization/num_speakers")
            .or_else(|| self.get("/diarization/clustering/speakers"))?
            .as_u64()
    }

    /// `diarization.vad.chunk_max_silence` (the unit is not documented).
    pub fn chunk_max_silence(&self) -> Option<f64> {
        self.get("/diarization/vad/chunk_max_silence")?.as_f64()
    }

    /// `diarization.vad.chunk_max_length` (the unit is not documented).
    pub fn chunk_max_length(&self) -> Option<f64> {
        self.get("/diarization/vad/chunk_max_length")?.as_f64()
    }

    /// `diarization.vad.dual_tone.enabled`: whether DTMF tones were detected and reported.
    pub fn dtmf_enabled(&self) -> Option<bool> {
        self.get("/diarization/vad/dual_tone/enabled")?.as_bool()
    }

    /// `diarization.descriptor.enabled`.
    pub fn descriptor_enabled(&self) -> Option<bool> {
        self.get("/diarization/descriptor/enabled")?.as_bool()
    }

    /// `recognition.lm`, either a string or `{ "uri": … }`.
    pub fn language_model(&self) -> Option<&'a str> {
        let lm = self.get("/recognition/lm")?;
        lm.as_str()
            .or_else(|| lm.get("uri").and_then(Value::as_str))
    }

    /// `recognition.textify.enabled`.
    pub fn textify_enabled(&self) -> Option<bool> {
        self.get("/recognition/textify/enabled")?.as_bool()
    }

    /// `recognition.hints_words` (or `recognition.hints.words`), string entries only.
    pub fn hint_words(&self) -> Option<Vec<&'a str>> {
        let recognition = self.get("/recognition")?;
        let words = recognition
            .get("hints_words")
            .or_else(|| recognition.get("hints.words"))
            .or_else(|| recognition.pointer("/hints/words"))?;
        Some(words.as_array()?.iter().filter_map(Value::as_str).collect())
    }

    /// `recognition.decoder.max_sentences`: how many n-best alternatives were requested.
    pub fn max_sentences(&self) -> Option<u64> {
        self.get("/recognition/decoder/max_sentences")?.as_u64()
    }

    /// `recognition.decoder.word_details` (or `wordDetails`): 0 none, 1 first hypothesis, 2 all.
    pub fn word_details(&self) -> Option<u64> {
        let decoder = self.get("/recognition/decoder")?;
        decoder
            .get("word_details")
            .or_else(|| decoder.get("wordDetails"))?
            .as_u64()
    }

    /// `recognition.tasks` (`["emotion", "age", "gender"]`), string entries only.
    pub fn tasks(&self) -> Option<Vec<&'a str>> {
        let tasks = self.get("/recognition/tasks")?.as_array()?;
        Some(tasks.iter().filter_map(Value::as_str).collect())
    }
}

impl Job {
    /// Typed access to the documented config keys, when the job carries a config echo.
    pub fn config(&self) -> Option<ConfigView<'_>> {
        self.config.as_ref().map(ConfigView::new)
    }

    /// Time spent queued: `started_at - created_at`.
    pub fn queue_duration(&self) -> Option<Duration> {
        self.created_at
            .as_ref()?
            .duration_until(self.started_at.as_ref()?)
    }

    /// Time from start to the end of diarization: `diarized_at - started_at`.
    pub fn diarization_duration(&self) -> Option<Duration> {
        self.started_at
            .as_ref()?
            .duration_until(self.diarized_at.as_ref()?)
    }

    /// Time from submission to completion: `completed_at - created_at`.
    pub fn turnaround(&self) -> Option<Duration> {
        self.created_at
            .as_ref()?
            .duration_until(self.completed_at.as_ref()?)
    }

    /// The failure reason when it is present and not empty.
    pub fn failure(&self) -> Option<&str> {
        self.failure_reason
            .as_deref()
            .filter(|reason| !reason.is_empty())
    }

    /// The callback failure reason when it is present and not empty.
    pub fn callback_failure(&self) -> Option<&str> {
        self.callback_failure_reason
            .as_deref()
            .filter(|reason| !reason.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::ConfigView;

    #[test]
    fn older_and_alternative_key_spellings() {
        let raw = json!({
            "sample_rate_hertz": 16000,
            "diarization": {"version": "v2", "num_speakers": 1},
            "recognition": {"lm": {"uri": "builtin:slm/general"}, "hints.words": ["mexirica"],
                            "decoder": {"wordDetails": 2}}
        });
        let config = ConfigView::new(&raw);
        assert_eq!(config.sample_rate_hertz(), Some(16000));
        assert_eq!(config.diarization_version(), Some("v2"));
        assert_eq!(config.speakers_per_channel(), Some(1));
        assert_eq!(config.language_model(), Some("builtin:slm/general"));
        assert_eq!(config.hint_words(), Some(vec!["mexirica"]));
        assert_eq!(config.word_details(), Some(2));
        assert_eq!(config.priority(), None);
        assert_eq!(config.tasks(), None);
    }
}
