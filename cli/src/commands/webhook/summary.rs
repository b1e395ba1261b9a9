//! The human summary of a TRD result: identity, status, times, audio, transcript, DTMF.

use std::fmt::Write as _;
use std::time::Duration;

use das::trd::{JobResult, Timestamp};

use crate::terminal_text::{clean, field, TRANSCRIPT};

/// Renders the summary, one fact per line, transcript lines as `[mm:ss.ss] speaker: text`.
pub fn summary(result: &JobResult) -> String {
    let job = &result.job;
    let mut out = String::new();
    let mut line = |label: &str, value: &str| {
        let _ = writeln!(out, "{label:<11}{}", field(value));
    };
    line("job", &job.id);
    line("status", job.status.as_str());
    if let Some(reason) = job.failure_reason.as_deref().filter(|r| !r.is_empty()) {
        line("failure", reason);
    }
    if let Some(reason) = job
        .callback_failure_reason
        .as_deref()
        .filter(|r| !r.is_empty())
    {
        line("callback", reason);
    }
    if let Some(file) = &job.filename {
        line("file", file);
    }
    if let Some(tag) = job.tag.as_deref().filter(|t| !t.is_empty()) {
        line("tag", tag);
    }
    let created = job.created_at.as_ref();
    for (label, time) in [
        ("created", &job.created_at),
        ("started", &job.started_at),
        ("diarized", &job.diarized_at),
        ("completed", &job.completed_at),
    ] {
        if let Some(time) = time {
            line(label, &with_offset(time, created));
        }
    }
    if let (Some(started), Some(completed)) = (&job.started_at, &job.completed_at) {
        if let Some(took) = started.duration_until(completed) {
            line("processing", &seconds(took.as_secs_f64()));
        }
    }
    for channel in result.output_channels() {
        let mut text = format!("channel {}:", channel.channel);
        if let Some(duration) = channel.duration {
            let _ = write!(text, " {}", seconds(duration));
        }
        if let Some(speech) = channel.speech {
            let _ = write!(text, " (speech {})", seconds(speech));
        }
        if channel.silence == Some(true) {
            text.push_str(" silent");
        }
        line("audio", &text);
    }
    for (channel, digits) in result.dtmf_digits() {
        line("dtmf", &format!("channel {channel}: {digits}"));
    }
    out.push_str(&transcript(result));
    out
}

fn transcript(result: &JobResult) -> String {
    let mut out = String::new();
    let mut channels: Vec<u32> = result.segments().iter().map(|s| s.channel).collect();
    channels.sort_unstable();
    channels.dedup();
    for channel in channels {
        let _ = writeln!(out, "transcript channel {channel}");
        for segment in result
            .segments_in_time_order()
            .into_iter()
            .filter(|s| s.channel == channel)
        {
            let speaker = segment.speaker.as_deref().unwrap_or("?");
            let text = match segment.text() {
                "" => format!(
                    "({})",
                    field(segment.status.as_ref().map_or("no text", |s| s.as_str()))
                ),
                text => clean(text, TRANSCRIPT),
            };
            let _ = writeln!(
                out,
                "  [{}] speaker {}: {text}",
                clock(segment.start),
                field(speaker)
            );
        }
    }
    out
}

/// `time`, plus how long after `created` it was.
fn with_offset(time: &Timestamp, created: Option<&Timestamp>) -> String {
    match created.and_then(|created| created.duration_until(time)) {
        Some(after) if after > Duration::ZERO => {
            format!("{time} (+{})", seconds(after.as_secs_f64()))
        }
        _ => time.to_string(),
    }
}

fn seconds(value: f64) -> String {
    format!("{value:.3} s")
}

/// `[mm:ss.ss]`; minutes keep counting past 59 (TRD audio is rarely over an hour).
fn clock(seconds: f64) -> String {
    // Rounded to hundredths first, so 59.999 shows as 01:00.00, not 00:60.00.
    let hundredths = (seconds.max(0.0) * 100.0).round() as u64;
    let (minutes, rest) = (hundredths / 6000, hundredths % 6000);
    format!("{minutes:02}:{:02}.{:02}", rest / 100, rest % 100)
}

#[cfg(test)]
mod tests {
    use super::clock;

    #[test]
    fn clock_is_minutes_and_hundredths() {
        assert_eq!(clock(0.861), "00:00.86");
        assert_eq!(clock(75.5), "01:15.50");
        assert_eq!(clock(-1.0), "00:00.00");
        assert_eq!(clock(59.999), "01:00.00");
    }
}
