//! How `das register`/`verify` show events: `--json` prints the service's events as the
//! documented example does (one `json.dumps`-style line each, local events on stderr);
//! otherwise a readable view, with a live VAD progress bar on a terminal, coloured as
//! `--color` says.

use std::io::IsTerminal;

use das::session::{Event, Verdict};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::stdio::{errln, outln};
use crate::terminal_text::field;
use das_emulator::python_json;

pub enum Renderer {
    Json,
    Human { progress: Option<ProgressBar> },
}

impl Renderer {
    pub fn new(json: bool) -> Self {
        if json {
            return Renderer::Json;
        }
        let progress = std::io::stdout().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(Some(100), ProgressDrawTarget::stdout());
            bar.set_style(
                ProgressStyle::with_template("  voice {bar:30.green/white} {pos:>3}%  {msg}")
                    .expect("static progress template is valid")
                    .progress_chars("█▉▊▋▌▍▎▏ "),
            );
            bar
        });
        Renderer::Human { progress }
    }

    /// A line that is not an event (what is about to happen), human view only.
    pub fn note(&self, text: &str) {
        if let Renderer::Human { progress } = self {
            match progress {
                Some(bar) => bar.println(text),
                None => outln!("{text}"),
            }
        }
    }

    pub fn event(&self, event: &Event) {
        match self {
            Renderer::Json => match event {
                Event::AudioEnded { .. } | Event::Disconnected { .. } => {
                    errln!("{}", python_json(event.data()))
                }
                _ => outln!("{}", python_json(event.data())),
            },
            Renderer::Human { progress } => {
                if let (Some(bar), Event::VadStatus { .. }) = (progress, event) {
                    update_bar(bar, event);
                    return;
                }
                let line = paint(describe(event));
                match progress {
                    Some(bar) => bar.println(line),
                    None => outln!("{line}"),
                }
            }
        }
    }

    pub fn finish(&self) {
        if let Renderer::Human {
            progress: Some(bar),
        } = self
        {
            bar.finish_and_clear();
        }
    }
}

fn update_bar(bar: &ProgressBar, event: &Event) {
    if let Event::VadStatus {
        audio_seconds,
        vad_percentage,
        ..
    } = event
    {
        let percent = vad_percentage.unwrap_or(0.0).clamp(0.0, 100.0);
        bar.set_position(percent as u64);
        bar.set_message(format!(
            "{:.2} s of audio received",
            audio_seconds.unwrap_or(0.0)
        ));
    }
}

/// A readable line with its leading mark coloured (✓ green, ✗ red) when `--color` allows;
/// `console` leaves the text plain otherwise.
fn paint(line: String) -> String {
    let mut chars = line.chars();
    let style = match chars.next() {
        Some('✓') => console::Style::new().green(),
        Some('✗') => console::Style::new().red(),
        _ => return line,
    };
    let mark = &line[..line.len() - chars.as_str().len()];
    format!("{}{}", style.apply_to(mark), chars.as_str())
}

/// The text of an `error` event: its `message`, else its `content`, safe to print.
pub fn error_text(content: &Option<String>, message: &Option<String>) -> String {
    field(
        message
            .as_deref()
            .or(content.as_deref())
            .unwrap_or("no message"),
    )
}

/// One readable line per event; the service's text in it is [`field`]-cleaned.
pub fn describe(event: &Event) -> String {
    let number = |value: &Option<f64>| value.map_or("?".to_owned(), |v| format!("{v}"));
    match event {
        // Neutral: a signalling-only session does not stream the audio itself.
        Event::ConsumerReady { .. } => "✓ audio consumer ready".to_owned(),
        Event::VadStatus {
            audio_seconds,
            vad_percentage,
            ..
        } => format!(
            "  voice {:>3}%  after {} s of audio",
            number(vad_percentage),
            number(audio_seconds)
        ),
        Event::ResultSuccess {
            authenticity,
            voice_audio_collected,
            content,
            score,
            verdict,
            ..
        } => {
            let score = score.map(|s| format!("  score {s}")).unwrap_or_default();
            let mark = match verdict {
                Verdict::Rejected => '✗',
                Verdict::Accepted | Verdict::Unknown => '✓',
            };
            let content = field(content.as_deref().unwrap_or("result-success"));
            format!(
                "{mark} {content}{score}  authenticity {}  voice collected {} s",
                number(authenticity),
                number(voice_audio_collected)
            )
        }
        Event::ResultFailure {
            content, reason, ..
        } => format!(
            "✗ {} ({})",
            field(content.as_deref().unwrap_or("result-failure")),
            field(reason.as_deref().unwrap_or("no reason given"))
        ),
        Event::Error {
            content, message, ..
        } => format!("✗ error: {}", error_text(content, message)),
        Event::Disconnected {
            reason,
            before_result,
            ..
        } => {
            let reason = field(reason);
            if *before_result {
                format!("✗ signalling lost before a result: {reason}")
            } else {
                format!("  signalling closed: {reason}")
            }
        }
        Event::AudioEnded {
            reason,
            error,
            bytes_sent,
            ..
        } => match error {
            Some(error) => format!(
                "✗ audio channel failed after {bytes_sent} bytes: {}",
                field(error)
            ),
            None => format!(
                "  audio channel ended ({}) after {bytes_sent} bytes",
                field(reason)
            ),
        },
        Event::Other { name, data, .. } => {
            format!("  {} {}", field(name), field(&data.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn readable_lines_carry_the_numbers() {
        let vad = Event::from_wire(
            "info-vad-status",
            json!({"audio_seconds": 2.57, "vad_percentage": 51}),
        );
        assert_eq!(describe(&vad), "  voice  51%  after 2.57 s of audio");
        let ok = Event::from_wire(
            "result-success",
            json!({"authenticity": 0.99, "voice_audio_collected": 5.13,
                   "content": "Registration: approved", "credential": "x"}),
        );
        assert_eq!(
            describe(&ok),
            "✓ Registration: approved  authenticity 0.99  voice collected 5.13 s"
        );
        let failed = Event::from_wire("result-failure", json!({"reason": "not_enough_voice"}));
        assert!(describe(&failed).contains("not_enough_voice"));
    }

    #[test]
    fn the_services_text_cannot_drive_the_terminal_or_flood_it() {
        let hostile = "\u{1b}]0;title\u{7}\u{1b}[2J\r\n✓ Registration: approved";
        let events = [
            Event::from_wire("error", json!({"message": hostile})),
            Event::from_wire(
                "result-failure",
                json!({"content": hostile, "reason": hostile}),
            ),
            Event::from_wire("x-unknown", json!({"field": hostile})),
            Event::from_wire("error", json!({"message": "x".repeat(50 << 20)})),
        ];
        for event in &events {
            let line = describe(event);
            assert!(!line.chars().any(char::is_control), "{line:?}");
            assert!(
                line.len() < 2 * crate::terminal_text::FIELD + 100,
                "{} bytes",
                line.len()
            );
        }
    }
}
