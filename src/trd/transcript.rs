//! Reading the transcript: text per channel and speaker, absolute word times, durations, DTMF.

use std::collections::BTreeMap;

use super::model::{Alternative, JobResult, OutputChannel, Segment, Word};

/// A word with times on the file's clock.
///
/// TRD does not document the reference of `start_time`/`end_time`; in every public sample they
/// are relative to the segment (the first word starts near 0 while the segment starts at 0.861).
/// This library therefore *infers* `absolute = segment.start + word.start_time`. The raw word is
/// kept alongside so callers can decide otherwise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimedWord<'a> {
    /// The word as received.
    pub word: &'a Word,
    /// Seconds from the start of the file (inferred, see above).
    pub start: f64,
    /// Seconds from the start of the file (inferred, see above).
    pub end: f64,
}

/// A speaker is identified by channel *and* label: labels restart on every channel.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpeakerId {
    /// 1-based channel number.
    pub channel: u32,
    /// `None` for segments without a speaker label.
    pub speaker: Option<String>,
}

impl Alternative {
    /// The hypothesis text, `""` when absent.
    pub fn text(&self) -> &str {
        self.text.as_deref().unwrap_or("")
    }

    /// The words, empty when absent.
    pub fn words(&self) -> &[Word] {
        self.words.as_deref().unwrap_or(&[])
    }

    /// The score as a number, when present.
    pub fn score(&self) -> Option<f64> {
        self.score.as_ref()?.as_f64()
    }
}

impl Word {
    /// The score as a number, when present.
    pub fn score(&self) -> Option<f64> {
        self.score.as_ref()?.as_f64()
    }
}

impl Segment {
    /// The hypotheses, best first; empty when absent.
    pub fn alternatives(&self) -> &[Alternative] {
        self.alternatives.as_deref().unwrap_or(&[])
    }

    /// The best hypothesis, when there is one.
    pub fn best(&self) -> Option<&Alternative> {
        self.alternatives().first()
    }

    /// The best hypothesis's text, `""` when nothing was recognized.
    pub fn text(&self) -> &str {
        self.best().map_or("", Alternative::text)
    }

    /// Segment length in seconds.
    pub fn duration(&self) -> f64 {
        self.end - self.start
    }

    /// Who spoke this segment.
    pub fn speaker_id(&self) -> SpeakerId {
        SpeakerId {
            channel: self.channel,
            speaker: self.speaker.clone(),
        }
    }

    /// The best hypothesis's words with absolute times (`segment.start + word time`, an
    /// inference documented on [`TimedWord`]).
    pub fn timed_words(&self) -> impl Iterator<Item = TimedWord<'_>> {
        let start = self.start;
        self.best()
            .map(Alternative::words)
            .unwrap_or(&[])
            .iter()
            .map(move |word| TimedWord {
                word,
                start: start + word.start_time,
                end: start + word.end_time,
            })
    }
}

impl OutputChannel {
    /// The DTMF keys of this channel in order (`"1234"`), empty when none were detected.
    pub fn dtmf_digits(&self) -> String {
        self.dtmf
            .iter()
            .flatten()
            .filter_map(|tone| tone.value.as_deref())
            .collect()
    }
}

impl JobResult {
    /// The segments, empty when absent.
    pub fn segments(&self) -> &[Segment] {
        self.segments.as_deref().unwrap_or(&[])
    }

    /// Segments in time order (by start, then channel), the order people read a dialogue in.
    pub fn segments_in_time_order(&self) -> Vec<&Segment> {
        let mut ordered: Vec<&Segment> = self.segments().iter().collect();
        ordered.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.channel.cmp(&b.channel)));
        ordered
    }

    /// The whole transcript: best-hypothesis texts in time order, separated by spaces; segments
    /// with no text are skipped.
    pub fn transcript(&self) -> String {
        join_texts(self.segments_in_time_order())
    }

    /// The transcript of one channel, in time order.
    pub fn transcript_of_channel(&self, channel: u32) -> String {
        join_texts(
            self.segments_in_time_order()
                .into_iter()
                .filter(|segment| segment.channel == channel),
        )
    }

    /// The transcript of one speaker (channel + label), in time order.
    pub fn transcript_of_speaker(&self, channel: u32, speaker: &str) -> String {
        join_texts(self.segments_in_time_order().into_iter().filter(|segment| {
            segment.channel == channel && segment.speaker.as_deref() == Some(speaker)
        }))
    }

    /// Transcript per channel, channels ascending.
    pub fn transcripts_by_channel(&self) -> BTreeMap<u32, String> {
        let mut by_channel: BTreeMap<u32, Vec<&Segment>> = BTreeMap::new();
        for segment in self.segments_in_time_order() {
            by_channel.entry(segment.channel).or_default().push(segment);
        }
        by_channel
            .into_iter()
            .map(|(channel, segments)| (channel, join_texts(segments)))
            .collect()
    }

    /// Transcript per speaker, ordered by channel then label.
    pub fn transcripts_by_speaker(&self) -> BTreeMap<SpeakerId, String> {
        let mut by_speaker: BTreeMap<SpeakerId, Vec<&Segment>> = BTreeMap::new();
        for segment in self.segments_in_time_order() {
            by_speaker
                .entry(segment.speaker_id())
                .or_default()
                .push(segment);
        }
        by_speaker
            .into_iter()
            .map(|(speaker, segments)| (speaker, join_texts(segments)))
            .collect()
    }

    /// Every speaker that has at least one segment, ordered by channel then label.
    pub fn speakers(&self) -> Vec<SpeakerId> {
        self.transcripts_by_speaker().into_keys().collect()
    }

    /// Seconds of speech per speaker (sum of segment lengths).
    pub fn speaking_time_by_speaker(&self) -> BTreeMap<SpeakerId, f64> {
        let mut totals = BTreeMap::new();
        for segment in self.segments() {
            *totals.entry(segment.speaker_id()).or_insert(0.0) += segment.duration();
        }
        totals
    }

    /// The output channels described in `job.media.output`, empty when absent.
    pub fn output_channels(&self) -> &[OutputChannel] {
        self.job
            .media
            .as_ref()
            .and_then(|media| media.output.as_ref())
            .and_then(|output| output.channels.as_deref())
            .unwrap_or(&[])
    }

    /// Audio length in seconds: the longest output channel.
    pub fn audio_duration(&self) -> Option<f64> {
        self.output_channels()
            .iter()
            .filter_map(|channel| channel.duration)
            .reduce(f64::max)
    }

    /// DTMF keys per channel, only channels where tones were detected.
    pub fn dtmf_digits(&self) -> BTreeMap<u32, String> {
        self.output_channels()
            .iter()
            .map(|channel| (channel.channel, channel.dtmf_digits()))
            .filter(|(_, digits)| !digits.is_empty())
            .collect()
    }
}

fn join_texts<'a>(segments: impl IntoIterator<Item = &'a Segment>) -> String {
    let mut out = String::new();
    for text in segments
        .into_iter()
        .map(Segment::text)
        .filter(|t| !t.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(text);
    }
    out
}
