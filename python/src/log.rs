//! Core `tracing` events go to the Python logger `das` (level permitting), so applications
//! configure libdas logging with the standard `logging` module.

use std::fmt::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use pyo3::prelude::*;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

static LOGGER: OnceLock<Py<PyAny>> = OnceLock::new();
static FORWARDING: AtomicBool = AtomicBool::new(true);

/// At interpreter exit: runtime threads stop calling into Python.
pub fn stop_forwarding() {
    FORWARDING.store(false, Ordering::SeqCst);
}

/// Installs the forwarding subscriber once per process (a second call changes nothing).
pub fn install() {
    let only_das = Targets::new().with_target("das", Level::TRACE);
    let _ = tracing_subscriber::registry()
        .with(ForwardToLogging.with_filter(only_das))
        .try_init();
}

struct ForwardToLogging;

impl<S: Subscriber> Layer<S> for ForwardToLogging {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if !FORWARDING.load(Ordering::SeqCst) {
            return;
        }
        let level = match *event.metadata().level() {
            Level::ERROR => 40,
            Level::WARN => 30,
            Level::INFO => 20,
            Level::DEBUG => 10,
            Level::TRACE => 5,
        };
        // No interpreter (finalizing) means nobody is listening any more.
        let _ = Python::try_attach(|py| -> PyResult<()> {
            let logger = match LOGGER.get() {
                Some(logger) => logger.bind(py).clone(),
                None => {
                    let logger = py.import("logging")?.call_method1("getLogger", ("das",))?;
                    LOGGER
                        .get_or_init(|| logger.clone().unbind())
                        .bind(py)
                        .clone()
                }
            };
            if logger.call_method1("isEnabledFor", (level,))?.is_truthy()? {
                let mut text = Message::default();
                event.record(&mut text);
                logger.call_method1("log", (level, "%s", text.0))?;
            }
            Ok(())
        });
    }
}

/// `message key=value …`, as the fmt subscriber words an event.
#[derive(Default)]
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0.insert_str(0, &format!("{value:?}"));
        } else {
            let sep = if self.0.is_empty() { "" } else { " " };
            let _ = write!(self.0, "{sep}{}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.insert_str(0, value);
        } else {
            let sep = if self.0.is_empty() { "" } else { " " };
            let _ = write!(self.0, "{sep}{}={value}", field.name());
        }
    }
}
