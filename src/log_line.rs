//! One wording of a `tracing` event as a line of text, shared by the bindings that forward
//! the core's logs (the C callback, Python `logging`): `text: message key=value …`.

use std::fmt::{Display, Write};

use tracing::field::{Field, Visit};

/// Words `event` as `text[: message][ key=value]…`.
///
/// The event's text and a field named `message` (as in `warn!(%message, "audio channel
/// failed")`) both reach a visitor as `message`: the first is the text, later ones follow it
/// after `": "` instead of running into it.
pub fn log_line(event: &tracing::Event<'_>) -> String {
    let mut line = LogLine::default();
    event.record(&mut line);
    if line.text.is_empty() {
        line.fields.trim_start().to_owned()
    } else {
        line.text + &line.fields
    }
}

#[derive(Default)]
struct LogLine {
    text: String,
    fields: String,
}

impl LogLine {
    fn message(&mut self, value: impl Display) {
        let separator = if self.text.is_empty() { "" } else { ": " };
        let _ = write!(self.text, "{separator}{value}");
    }
}

impl Visit for LogLine {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message(format_args!("{value:?}"));
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::layer::{Context, SubscriberExt};
    use tracing_subscriber::Layer;

    use super::log_line;

    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<String>>>);

    impl<S: tracing::Subscriber> Layer<S> for Lines {
        fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
            self.0.lock().unwrap().push(log_line(event));
        }
    }

    #[test]
    fn a_message_field_follows_the_text_after_a_colon() {
        let lines = Lines::default();
        let subscriber = tracing_subscriber::registry().with(lines.clone());
        tracing::subscriber::with_default(subscriber, || {
            let message = "invalid audio channel configuration";
            tracing::warn!(call_id = "c1", %message, "audio channel failed");
            tracing::info!(status = 401, "webhook delivery rejected");
            tracing::info!(status = 401);
        });
        assert_eq!(
            *lines.0.lock().unwrap(),
            [
                "audio channel failed: invalid audio channel configuration call_id=c1",
                "webhook delivery rejected status=401",
                "status=401",
            ]
        );
    }
}
