//! The task behind one session: announces the consumer, analyses audio as it arrives,
//! reports VAD progress and ends with exactly one result event.

use std::time::Duration;

use bytes::Bytes;
use das::audio::channels::downmix;
use das::audio::codec::Codec;
use tokio::time::timeout;

use super::events::{Event, FailureReason};
use super::feed::AudioChunk;
use super::registry::{SessionChannels, SessionRegistry};
use super::spec::{SessionKind, SessionSpec};
use crate::analysis::VoiceAnalyzer;
use crate::config::{VadChannel, VadConfig};
use crate::signalling::EventSink;

/// Per-session knobs taken from the config (and the faults) when the session starts.
#[derive(Debug, Clone)]
pub(crate) struct RunSettings {
    pub(crate) audio_timeout: Duration,
    pub(crate) vad: VadConfig,
    pub(crate) consumer_ready_delay: Option<Duration>,
    pub(crate) malformed_event: bool,
    pub(crate) oversized_event: Option<usize>,
    /// Send the collected audio with `result-success`.
    pub(crate) send_collected_audio: bool,
    /// In its payload, rather than as a second argument.
    pub(crate) collected_audio_in_payload: bool,
}

/// Seconds of audio kept for `send_collected_audio`: bounds a session's memory.
const MAX_COLLECTED_SECS: u64 = 60;

/// Runs a registered session to its end, then removes it from the registry.
pub(crate) async fn run_session(
    spec: SessionSpec,
    channels: SessionChannels,
    registry: SessionRegistry,
    sink: EventSink,
    settings: RunSettings,
) {
    let SessionChannels {
        mut inbox,
        close_audio,
        mut cancelled,
    } = channels;
    let mut session = Progress::new(&spec, &settings.vad);
    let mut collected = settings.send_collected_audio.then(|| Collected::new(&spec));
    let outcome = tokio::select! {
        _ = cancelled.wait_for(|c| *c) => None,
        outcome = async {
            if let Some(delay) = settings.consumer_ready_delay {
                tokio::time::sleep(delay).await;
            }
            sink.emit(&Event::ConsumerReady);
            if settings.malformed_event {
                sink.emit(&Event::Malformed);
            }
            if let Some(padding) = settings.oversized_event {
                sink.emit(&Event::Oversized { padding });
            }
            loop {
                match timeout(settings.audio_timeout, inbox.recv()).await {
                    Err(_) => break session.failure(FailureReason::AudioTimeout),
                    Ok(None | Some(AudioChunk::End)) => break session.finish_early(),
                    Ok(Some(AudioChunk::Attached)) => sink.emit(&session.status()),
                    Ok(Some(AudioChunk::Samples { samples, channels })) => {
                        if let Some(collected) = &mut collected {
                            collected.push(&samples);
                        }
                        if let Some(result) = session.push(&samples, channels, &sink) {
                            break result;
                        }
                    }
                }
            }
        } => Some(outcome),
    };
    match outcome {
        Some(result) => {
            tracing::info!(call_id = %spec.call_id, event = result.name(), "session finished");
            match (&collected, result.name()) {
                (Some(audio), "result-success") if settings.collected_audio_in_payload => {
                    sink.emit_with_nested_audio(&result, audio.wire())
                }
                (Some(audio), "result-success") => sink.emit_with_audio(&result, audio.wire()),
                _ => sink.emit(&result),
            }
        }
        None => tracing::info!(call_id = %spec.call_id, "session cancelled"),
    }
    close_audio.send_replace(true);
    registry.remove(&spec.call_id);
}

/// The audio a session received, kept for `send_collected_audio` (up to
/// [`MAX_COLLECTED_SECS`]), given back in the session's wire codec.
struct Collected {
    codec: Codec,
    samples: Vec<i16>,
    limit: usize,
}

impl Collected {
    fn new(spec: &SessionSpec) -> Self {
        let format = &spec.format;
        let per_second = u64::from(format.sample_rate) * u64::from(format.channels.max(1));
        Collected {
            codec: format.codec,
            samples: Vec::new(),
            limit: (per_second * MAX_COLLECTED_SECS) as usize,
        }
    }

    fn push(&mut self, interleaved: &[i16]) {
        let room = self.limit.saturating_sub(self.samples.len());
        self.samples
            .extend_from_slice(&interleaved[..room.min(interleaved.len())]);
    }

    fn wire(&self) -> Bytes {
        Bytes::from(self.codec.encode(&self.samples))
    }
}

/// The analysis state of one session and its reporting schedule.
struct Progress<'a> {
    spec: &'a SessionSpec,
    channel: VadChannel,
    interval: f64,
    analyzer: VoiceAnalyzer,
    samples: u64,
    next_status_at: f64,
}

impl<'a> Progress<'a> {
    fn new(spec: &'a SessionSpec, vad: &VadConfig) -> Self {
        let interval = vad.status_interval_secs.max(0.01);
        Progress {
            spec,
            channel: vad.channel,
            interval,
            analyzer: VoiceAnalyzer::with_detector(
                spec.format.sample_rate,
                vad.threshold,
                vad.detector,
            ),
            samples: 0,
            next_status_at: interval,
        }
    }

    /// Analyses one chunk, emitting a status at every interval boundary; returns the
    /// result once enough voice is collected.
    fn push(&mut self, interleaved: &[i16], channels: u16, sink: &EventSink) -> Option<Event> {
        let mono = select_channel(interleaved, channels, self.channel);
        let rate = f64::from(self.spec.format.sample_rate);
        let mut rest = &mono[..];
        while !rest.is_empty() {
            let boundary = (self.next_status_at * rate).ceil() as u64;
            let take = (boundary.saturating_sub(self.samples).max(1) as usize).min(rest.len());
            self.analyzer.push(&rest[..take]);
            self.samples += take as u64;
            rest = &rest[take..];
            if self.samples >= boundary {
                self.next_status_at += self.interval;
                sink.emit(&self.status());
                if self.enough_voice() {
                    return Some(self.result());
                }
            }
        }
        None
    }

    fn enough_voice(&self) -> bool {
        self.analyzer.voiced_seconds() >= self.spec.audio_total_duration
    }

    fn status(&self) -> Event {
        let percent = self.analyzer.voiced_seconds() / self.spec.audio_total_duration * 100.0;
        Event::VadStatus {
            audio_seconds: round2(self.analyzer.audio_seconds()),
            vad_percentage: percent.floor() as u64,
        }
    }

    /// The audio ended: a result if the voice is already there, else a failure.
    fn finish_early(&self) -> Event {
        if self.enough_voice() {
            self.result()
        } else {
            self.failure(FailureReason::AudioEnded)
        }
    }

    fn result(&self) -> Event {
        let authenticity = self.analyzer.authenticity();
        if authenticity < self.spec.authenticity_threshold {
            return self.failure(FailureReason::AuthenticityBelowThreshold);
        }
        let voice_audio_collected = round2(self.analyzer.voiced_seconds());
        let print = self.analyzer.voiceprint();
        match (self.spec.kind, &self.spec.verify, print) {
            (SessionKind::Verify, Some(target), Some(print)) => {
                let score = round2(target.reference.similarity(&print));
                Event::Verified {
                    authenticity,
                    voice_audio_collected,
                    accepted: score >= target.score_threshold,
                    score,
                }
            }
            (_, _, print) => Event::Registered {
                authenticity,
                voice_audio_collected,
                credential: print.map(|p| p.to_credential()).unwrap_or_default(),
            },
        }
    }

    fn failure(&self, reason: FailureReason) -> Event {
        let content = match reason {
            FailureReason::AudioEnded => "Audio ended before enough voice was collected".into(),
            FailureReason::AudioTimeout => "Timed out waiting for audio".into(),
            FailureReason::AuthenticityBelowThreshold => format!(
                "Authenticity {:.2} is below the threshold {}",
                self.analyzer.authenticity(),
                self.spec.authenticity_threshold
            ),
        };
        Event::Failure {
            reason,
            content,
            audio_seconds: round2(self.analyzer.audio_seconds()),
            voice_audio_collected: round2(self.analyzer.voiced_seconds()),
        }
    }
}

fn select_channel(interleaved: &[i16], channels: u16, which: VadChannel) -> Vec<i16> {
    let channels = usize::from(channels.max(1));
    if channels == 1 {
        return interleaved.to_vec();
    }
    match which {
        VadChannel::External => interleaved.iter().step_by(channels).copied().collect(),
        VadChannel::Internal => interleaved
            .iter()
            .skip(1)
            .step_by(channels)
            .copied()
            .collect(),
        VadChannel::Mix => downmix(interleaved, channels),
    }
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stereo_channels_are_selected_as_configured() {
        let frames = [1, 10, 2, 20];
        assert_eq!(select_channel(&frames, 2, VadChannel::External), vec![1, 2]);
        assert_eq!(
            select_channel(&frames, 2, VadChannel::Internal),
            vec![10, 20]
        );
        assert_eq!(
            select_channel(&frames, 1, VadChannel::Internal),
            frames.to_vec()
        );
        assert_eq!(round2(5.126), 5.13);
    }
}
