//! Text that servers and peers control (event fields, error messages, TRD results), made safe
//! for a terminal: control and bidirectional-override characters are shown escaped (`\u{1b}`)
//! instead of driving the terminal, and long text is cut with a note of what was left out.
//! JSON output needs none of this: it escapes control characters itself.

use std::fmt::Write as _;

/// Characters kept of one field (an event's message, a disconnect reason, a status).
pub const FIELD: usize = 500;
/// Characters kept of a whole error message.
pub const MESSAGE: usize = 2000;
/// Characters kept of one transcript segment of a TRD result.
pub const TRANSCRIPT: usize = 4000;

/// `text` with control characters escaped, cut after `max_chars` characters.
pub fn clean(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars.saturating_add(16)));
    for (kept, (at, c)) in text.char_indices().enumerate() {
        if kept == max_chars {
            let _ = write!(out, "… ({} more bytes)", text.len() - at);
            break;
        }
        if c.is_control() || is_bidi_control(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A [`FIELD`]-sized [`clean`].
pub fn field(text: &str) -> String {
    clean(text, FIELD)
}

/// Characters that reorder how the rest of a line is displayed.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_line_breaks_are_shown_not_obeyed() {
        assert_eq!(
            field("\u{1b}[2J\u{1b}]0;pwned\u{7}done\r\nfake line"),
            "\\u{1b}[2J\\u{1b}]0;pwned\\u{7}done\\r\\nfake line"
        );
        assert_eq!(field("a\u{9b}b\u{202e}c"), "a\\u{9b}b\\u{202e}c");
        assert_eq!(field("plain ✓ text"), "plain ✓ text");
    }

    #[test]
    fn long_text_is_cut_with_what_was_left_out() {
        let long = "é".repeat(FIELD + 10);
        let cut = field(&long);
        assert!(cut.starts_with(&"é".repeat(FIELD)));
        assert!(cut.ends_with("… (20 more bytes)"), "{cut}");
    }
}
