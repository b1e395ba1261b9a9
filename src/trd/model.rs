//! The typed TRD result document: `{ "job": {...}, "segments": [...], "token": "..." }`, the body
//! of a webhook POST and of `GET /job/result/{id}`. Every object keeps unknown keys in `extra`;
//! fields that differ between TRD versions are `Option`s (absent stays absent when written back).

use std::fmt;

use compact_str::CompactString;

use serde_json::{Number, Value};

use super::seq::{scratch_buffers, ExactVec};
use super::status::{JobStatus, SegmentStatus};
use super::timestamp::Timestamp;
use super::wire::{required_wire_fields, wire_struct};

wire_struct! {
    /// The whole result document.
    #[derive(Clone, PartialEq)]
    pub struct JobResult {
        /// The job and its media/config echo.
        pub job: Job = "job",
        /// Transcribed segments; absent on QUEUED jobs and some FAILED ones.
        pub segments: Option<Vec<Segment>> = "segments" => ExactVec::new(),
        /// The client-side token registered through `webhook/validate`, when one was.
        pub token: Option<String> = "token",
    }
}

impl fmt::Debug for JobResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobResult")
            .field("job", &self.job)
            .field("segments", &self.segments)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("extra", &self.extra)
            .finish()
    }
}

wire_struct! {
    /// `job`: identity, lifecycle timestamps, media description and the effective config.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Job {
        /// The job id (a 24-hex MongoDB ObjectId in every known sample).
        pub id: String = "id",
        /// The uploaded file's name.
        pub filename: Option<String> = "filename",
        /// Where the job is in its lifecycle.
        pub status: JobStatus = "status",
        /// Also accepted under the documented spelling `create_at`; written back as `created_at`.
        pub created_at: Option<Timestamp> = "created_at" | "create_at",
        /// When processing began.
        pub started_at: Option<Timestamp> = "started_at",
        /// When diarization (segmentation by speaker) finished.
        pub diarized_at: Option<Timestamp> = "diarized_at",
        /// When the job reached its final status.
        pub completed_at: Option<Timestamp> = "completed_at",
        /// Free-form file identifier given at `job/create`.
        pub tag: Option<String> = "tag",
        /// Webhooks the result is POSTed to (`{url}/{job_id}`).
        pub callback_urls: Option<Vec<String>> = "callback_urls" => ExactVec::new(),
        /// `""` when callbacks succeeded.
        pub callback_failure_reason: Option<String> = "callback_failure_reason",
        /// `""` unless the job failed.
        pub failure_reason: Option<String> = "failure_reason",
        /// The uploaded media as TRD saw it.
        pub media: Option<Media> = "media",
        /// The effective configuration echoed back, kept as raw JSON; see [`Job::config`].
        pub config: Option<Value> = "config",
    }
}

wire_struct! {
    /// `job.media`: only `md5` and `size` while the job is queued.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Media {
        /// Hex MD5 of the uploaded bytes.
        pub md5: Option<String> = "md5",
        /// File size in bytes.
        pub size: Option<u64> = "size",
        /// The file as decoded.
        pub input: Option<MediaInput> = "input",
        /// Per-channel analysis.
        pub output: Option<MediaOutput> = "output",
    }
}

wire_struct! {
    /// `job.media.input`: the uploaded file as TRD decoded it.
    #[derive(Debug, Clone, PartialEq)]
    pub struct MediaInput {
        /// Samples per second.
        pub sample_rate: Option<u64> = "sample_rate",
        /// Channel count.
        pub channels: Option<u64> = "channels",
        /// Bits per second.
        pub bit_rate: Option<u64> = "bit_rate",
        /// Container format (`Wave` in the samples).
        pub format: Option<String> = "format",
        /// Audio codec (`PCM` in the samples).
        pub codec: Option<String> = "codec",
        /// Estimated bandwidth in Hz (3.11+; 3.2 reports it per output channel).
        pub bandwidth: Option<f64> = "bandwidth",
    }
}

wire_struct! {
    /// `job.media.output`: per-channel analysis.
    #[derive(Debug, Clone, PartialEq)]
    pub struct MediaOutput {
        /// Undocumented; probably flags stereo files whose channels are identical.
        pub redundant_channel: Option<bool> = "redundant_channel",
        /// One entry per channel.
        pub channels: Option<Vec<OutputChannel>> = "channels" => ExactVec::new(),
    }
}

wire_struct! {
    /// One entry of `job.media.output.channels`.
    #[derive(Debug, Clone, PartialEq)]
    pub struct OutputChannel {
        /// 1-based channel number, as used by `segments[].channel`.
        pub channel: u32 = "channel",
        /// Channel length in seconds.
        pub duration: Option<f64> = "duration",
        /// Seconds of speech found in the channel.
        pub speech: Option<f64> = "speech",
        /// True when the channel holds no speech.
        pub silence: Option<bool> = "silence",
        /// 3.2-era location of the bandwidth estimate.
        pub bandwidth: Option<f64> = "bandwidth",
        /// DTMF tones, present when `diarization.vad.dual_tone.enabled` was set.
        pub dtmf: Option<Vec<DtmfTone>> = "dtmf" => ExactVec::new(),
    }
}

wire_struct! {
    /// One DTMF tone detected in a channel.
    #[derive(Debug, Clone, PartialEq)]
    pub struct DtmfTone {
        /// Seconds from the start of the file.
        pub start: Option<f64> = "start",
        /// Seconds from the start of the file.
        pub end: Option<f64> = "end",
        /// The tone's row frequency in Hz.
        pub row_freq: Option<u32> = "row_freq",
        /// The tone's column frequency in Hz.
        pub col_freq: Option<u32> = "col_freq",
        /// The key: `"0"`–`"9"`, `"*"`, `"#"`, `"A"`–`"D"`.
        pub value: Option<String> = "value",
    }
}

wire_struct! {
    /// One transcribed stretch of speech of one speaker on one channel.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Segment {
        /// 1-based channel number.
        pub channel: u32 = "channel",
        /// Speaker label, unique within its channel only.
        pub speaker: Option<String> = "speaker",
        /// Seconds from the start of the file.
        pub start: f64 = "start",
        /// Seconds from the start of the file.
        pub end: f64 = "end",
        /// The recognition outcome (`RECOGNIZED`, `NO_MATCH`, …).
        pub status: Option<SegmentStatus> = "status",
        /// n-best hypotheses, best first; empty or absent when nothing was recognized.
        pub alternatives: Option<Vec<Alternative>> = "alternatives" => ExactVec::new(),
        /// Speech-classifier output (age, gender, emotion) as raw JSON; see [`Segment::tasks`].
        pub task_results: Option<Value> = "task_results",
    }
}

wire_struct! {
    /// One recognition hypothesis of a segment.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Alternative {
        /// The transcript of the segment.
        pub text: Option<String> = "text",
        /// Absent when `word_details` is 0 (and for non-first hypotheses with 1).
        pub words: Option<Vec<Word>> = "words" => ExactVec::new(),
        /// Confidence 0–100; kept as the JSON number it was (integer in every sample).
        pub score: Option<Number> = "score",
        /// Language model that produced the hypothesis.
        pub lm: Option<String> = "lm",
    }
}

wire_struct! {
    /// One recognized word. Times are relative to the segment start (see
    /// [`Segment::timed_words`] for absolute times).
    #[derive(Debug, Clone, PartialEq)]
    pub struct Word {
        /// The word.
        pub text: CompactString = "text",
        /// Confidence 0–100; kept as the JSON number it was.
        pub score: Option<Number> = "score",
        /// Seconds from the segment start.
        pub start_time: f64 = "start_time",
        /// Seconds from the segment start.
        pub end_time: f64 = "end_time",
    }
}

required_wire_fields!(Job, CompactString);
scratch_buffers!(Segment, Alternative, Word, OutputChannel, DtmfTone, String);
