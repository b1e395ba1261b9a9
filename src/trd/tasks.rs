//! Best-effort typed access to `segments[].task_results` (speech classifiers). No public sample
//! exists: the shapes below follow CPqD's ASR classifier outputs and are keyed by task name
//! (`{"age": {...}, "gender": {...}, "emotion": {...}}`). This is speculative; the raw JSON is
//! always available.

use serde_json::Value;

use super::model::Segment;

/// A view over one segment's `task_results`.
#[derive(Debug, Clone, Copy)]
pub struct TaskResults<'a> {
    raw: Option<&'a Value>,
}

/// Age classifier output.
#[derive(Debug, Clone, PartialEq)]
pub struct AgeEstimate<'a> {
    /// Estimated age in years.
    pub age: Option<i64>,
    /// The classifier's confidence label.
    pub confidence: Option<&'a str>,
    /// Probability per age bracket (`"20-30"` → 0.4), raw.
    pub probabilities: Option<&'a Value>,
}

/// Gender classifier output.
#[derive(Debug, Clone, PartialEq)]
pub struct GenderEstimate<'a> {
    /// The most likely class.
    pub gender: Option<&'a str>,
    /// Probability per class, raw.
    pub probabilities: Option<&'a Value>,
}

/// Emotion classifier output.
#[derive(Debug, Clone, PartialEq)]
pub struct EmotionEstimate<'a> {
    /// The most likely emotion.
    pub emotion: Option<&'a str>,
    /// The group the classifier puts the emotion in.
    pub group: Option<&'a str>,
    /// Probability per emotion, raw.
    pub probabilities: Option<&'a Value>,
}

impl<'a> TaskResults<'a> {
    /// The raw `task_results` value, when present.
    pub fn raw(&self) -> Option<&'a Value> {
        self.raw
    }

    /// One task's raw output by name.
    pub fn task(&self, name: &str) -> Option<&'a Value> {
        self.raw?.get(name)
    }

    /// The `age` task output.
    pub fn age(&self) -> Option<AgeEstimate<'a>> {
        let age = self.task("age")?;
        Some(AgeEstimate {
            age: age.get("age").and_then(Value::as_i64),
            confidence: age.get("confidence").and_then(Value::as_str),
            probabilities: age.get("p"),
        })
    }

    /// The `gender` task output.
    pub fn gender(&self) -> Option<GenderEstimate<'a>> {
        let gender = self.task("gender")?;
        Some(GenderEstimate {
            gender: gender.get("gender").and_then(Value::as_str),
            probabilities: gender.get("p"),
        })
    }

    /// The `emotion` task output.
    pub fn emotion(&self) -> Option<EmotionEstimate<'a>> {
        let emotion = self.task("emotion")?;
        Some(EmotionEstimate {
            emotion: emotion.get("emotion").and_then(Value::as_str),
            group: emotion.get("group").and_then(Value::as_str),
            probabilities: emotion.get("p"),
        })
    }
}

impl Segment {
    /// Typed access to this segment's `task_results`.
    pub fn tasks(&self) -> TaskResults<'_> {
        TaskResults {
            raw: self.task_results.as_ref(),
        }
    }
}
