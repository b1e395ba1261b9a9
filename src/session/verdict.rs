//! [`Verdict`]: what a `result-success` decided, read from what the service sends.

use serde_json::Value;

use super::payload::field;

/// The outcome a `result-success` carries. The public documentation only shows a registration
/// (`"content": "Registration: approved"`); the rule, in order:
///
/// 1. a boolean `accepted` field in the payload;
/// 2. the last word of `content` (`Verification: accepted` / `approved` → accepted,
///    `rejected` / `denied` → rejected, any case);
/// 3. `score` against the threshold (the payload's `score_threshold`, else the session's):
///    at or above → accepted;
/// 4. otherwise unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Approved registration or accepted verification.
    Accepted,
    /// Rejected verification.
    Rejected,
    /// The result says neither.
    Unknown,
}

impl Verdict {
    /// Applies the rule to a `result-success` payload and the threshold known for it.
    pub fn read(data: &Value, score: Option<f64>, threshold: Option<f64>) -> Self {
        if let Some(accepted) = field(data, "accepted").and_then(Value::as_bool) {
            return Self::from_bool(accepted);
        }
        let word = field(data, "content")
            .and_then(Value::as_str)
            .and_then(|c| {
                c.split(|ch: char| ch == ':' || ch.is_whitespace())
                    .next_back()
            })
            .map(str::to_ascii_lowercase);
        match word.as_deref() {
            Some("accepted" | "approved") => Self::Accepted,
            Some("rejected" | "denied") => Self::Rejected,
            _ => match (score, threshold) {
                (Some(score), Some(threshold)) => Self::from_bool(score >= threshold),
                _ => Self::Unknown,
            },
        }
    }

    fn from_bool(accepted: bool) -> Self {
        if accepted {
            Self::Accepted
        } else {
            Self::Rejected
        }
    }

    /// `accepted`, `rejected` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Unknown => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_then_content_then_score_decide() {
        let read = |data: Value, score, threshold| Verdict::read(&data, score, threshold);
        assert_eq!(
            read(
                json!({"accepted": false, "content": "Verification: accepted"}),
                None,
                None
            ),
            Verdict::Rejected
        );
        assert_eq!(
            read(
                json!({"content": "Verification: REJECTED"}),
                Some(0.99),
                Some(0.5)
            ),
            Verdict::Rejected
        );
        assert_eq!(
            read(json!({"content": "Registration: approved"}), None, None),
            Verdict::Accepted
        );
        assert_eq!(
            read(json!({"content": "done"}), Some(0.7), Some(0.7)),
            Verdict::Accepted
        );
        assert_eq!(read(json!({}), Some(0.6), Some(0.7)), Verdict::Rejected);
        assert_eq!(read(json!({}), Some(0.6), None), Verdict::Unknown);
    }
}
