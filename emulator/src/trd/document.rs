//! The job document (`{job, segments}`), shaped field for field like TRD v3 results.

use md5::{Digest, Md5};
use serde_json::{json, Map, Value};

use das::audio::wav::Wav;

/// One transcribed (or unmatched) segment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Segment {
    pub(crate) channel: u16,
    pub(crate) start: f64,
    pub(crate) end: f64,
    pub(crate) text: Option<String>,
}

impl Segment {
    pub(crate) fn to_json(&self) -> Value {
        let (status, alternatives) = match &self.text {
            None => ("NO_MATCH", json!([])),
            Some(text) => (
                "RECOGNIZED",
                json!([alternative(text, self.end - self.start)]),
            ),
        };
        json!({
            "channel": self.channel,
            "speaker": self.channel.to_string(),
            "start": round3(self.start),
            "end": round3(self.end),
            "status": status,
            "alternatives": alternatives,
        })
    }
}

/// Words spread evenly over the segment; times relative to the segment start, as in
/// TRD's samples.
fn alternative(text: &str, duration: f64) -> Value {
    let words: Vec<&str> = text.split_whitespace().collect();
    let step = duration / words.len().max(1) as f64;
    let words: Vec<Value> = words
        .iter()
        .enumerate()
        .map(|(i, word)| {
            json!({"text": word, "score": 100, "start_time": round3(i as f64 * step),
                   "end_time": round3((i + 1) as f64 * step)})
        })
        .collect();
    json!({"text": text, "score": 100, "lm": "emulator", "words": words})
}

/// What TRD knows of an upload before decoding it: `media.md5` (hex) and `media.size`.
pub(crate) fn upload_identity(audio: &[u8]) -> Value {
    let digest = Md5::digest(audio);
    let md5: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    json!({"md5": md5, "size": audio.len()})
}

/// `media` of a decoded upload: its identity, input format and per-channel duration and speech.
pub(crate) fn media(audio: &[u8], wav: &Wav, segments: &[Segment]) -> Value {
    let channels = usize::from(wav.channels);
    let duration = wav.samples.len() as f64 / channels as f64 / f64::from(wav.sample_rate);
    let outputs: Vec<Value> = (1..=wav.channels)
        .map(|channel| {
            let speech: f64 = segments
                .iter()
                .filter(|s| s.channel == channel)
                .map(|s| s.end - s.start)
                .sum();
            json!({"channel": channel, "duration": round3(duration),
                   "speech": round3(speech), "silence": speech == 0.0})
        })
        .collect();
    let mut media = upload_identity(audio);
    media["input"] = json!({
            "sample_rate": wav.sample_rate, "channels": wav.channels,
            "bit_rate": wav.sample_rate * 16 * u32::from(wav.channels),
            "format": "Wave", "codec": "PCM", "bandwidth": f64::from(wav.sample_rate) / 2.0
    });
    media["output"] = json!({"redundant_channel": false, "channels": outputs});
    media
}

/// The `config` form fields as TRD echoes them: JSON objects merged, `key=value` pairs
/// set as (dotted) keys.
pub(crate) fn config_echo(fields: &[String]) -> Value {
    let mut config = Map::new();
    for field in fields {
        match serde_json::from_str::<Value>(field) {
            Ok(Value::Object(object)) => config.extend(object),
            _ => {
                for pair in field.split(',') {
                    if let Some((key, value)) = pair.split_once('=') {
                        config.insert(
                            key.trim().to_owned(),
                            Value::String(value.trim().to_owned()),
                        );
                    }
                }
            }
        }
    }
    Value::Object(config)
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_and_config_follow_the_trd_shapes() {
        let matched = Segment {
            channel: 1,
            start: 0.5,
            end: 1.5,
            text: Some("olá mundo".into()),
        };
        let value = matched.to_json();
        assert_eq!(value["status"], "RECOGNIZED");
        assert_eq!(value["speaker"], "1");
        assert_eq!(value["alternatives"][0]["words"][1]["start_time"], 0.5);
        let unmatched = Segment {
            text: None,
            ..matched
        };
        assert_eq!(unmatched.to_json()["alternatives"], json!([]));
        let config = config_echo(&["a=1,b=2".into(), r#"{"recognition": {"lm": "x"}}"#.into()]);
        assert_eq!(
            config,
            json!({"a": "1", "b": "2", "recognition": {"lm": "x"}})
        );
    }
}
