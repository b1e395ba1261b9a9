//! Routes libdas `tracing` events to a C callback, filtered by a process-wide level.

use std::cell::Cell;
use std::ffi::{c_char, c_void, CString};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

use das_core::log_line::log_line;
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

use crate::enums::das_log_level;
use crate::error::Error;
use crate::log_sink::{self, Sink};
use crate::result::das_result;

/// Receives one log event. `target` (the Rust module, e.g. `"das::config"`) and `message` are
/// NUL-terminated UTF-8, valid only during the call. Called from any thread, one event at a time
/// per thread; it must not call `das_set_log_callback`.
#[allow(non_camel_case_types)]
pub type das_log_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        level: das_log_level,
        target: *const c_char,
        message: *const c_char,
    ),
>;

static THRESHOLD: AtomicU32 = AtomicU32::new(das_log_level::Warn as u32);
/// The outcome of installing libdas's subscriber (at the first `das_set_log_callback`).
static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
/// Held while that first install runs, and by a fork: a child forked mid-install would
/// otherwise wait for it for good. Never taken once the outcome is known, so a child forked
/// from inside the log callback (which skips the fork's wait) finds nothing to wait for.
static INSTALLING: Mutex<()> = Mutex::new(());

thread_local! {
    static IN_CALLBACK: Cell<bool> = const { Cell::new(false) };
}

/// The tests that set the process's callback, one at a time.
#[cfg(test)]
pub(crate) static CALLBACK_TESTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// True on a thread inside the log callback.
pub(crate) fn in_callback() -> bool {
    IN_CALLBACK.with(Cell::get)
}

struct CallbackLayer;

impl<S: Subscriber> Layer<S> for CallbackLayer {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        // The threshold changes at run time, so no callsite may be cached as "never".
        Interest::sometimes()
    }

    fn enabled(&self, metadata: &Metadata<'_>, _: Context<'_, S>) -> bool {
        das_log_level::of(metadata.level()) as u32 <= THRESHOLD.load(Ordering::Relaxed)
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if IN_CALLBACK.with(Cell::get) {
            return;
        }
        log_sink::call_with(|sink| {
            let target = c_string(event.metadata().target());
            let message = c_string(&log_line(event));
            IN_CALLBACK.with(|flag| flag.set(true));
            // SAFETY: the callback was registered by C for exactly this signature; both
            // strings outlive the call.
            unsafe {
                (sink.callback)(
                    sink.userdata,
                    das_log_level::of(event.metadata().level()),
                    target.as_ptr(),
                    message.as_ptr(),
                )
            };
            IN_CALLBACK.with(|flag| flag.set(false));
        });
    }
}

fn c_string(text: &str) -> CString {
    CString::new(text.replace('\0', "\\0")).unwrap_or_default()
}

fn route_events_to_the_callback() -> Result<(), String> {
    let subscriber = tracing_subscriber::registry().with(CallbackLayer);
    tracing::subscriber::set_global_default(subscriber).map_err(|e| e.to_string())
}

fn install() -> Result<(), Error> {
    install_with(route_events_to_the_callback)
}

/// Runs `init` if nothing was installed yet, and returns its outcome, then and at every later call.
pub(crate) fn install_with(init: impl FnOnce() -> Result<(), String>) -> Result<(), Error> {
    let outcome = match INSTALLED.get() {
        Some(outcome) => outcome,
        None => {
            let _installing = hold_install();
            INSTALLED.get_or_init(init)
        }
    };
    outcome.clone().map_err(|e| {
        Error::new(
            das_result::Internal,
            format!("cannot route logs: another tracing subscriber is installed ({e})"),
        )
    })
}

/// The first install's lock, held by a fork from before to after it.
pub(crate) type HeldInstall = MutexGuard<'static, ()>;

/// Waits for the first install's lock (nothing under it panics; a poisoned one is taken as it is).
pub(crate) fn hold_install() -> HeldInstall {
    INSTALLING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Sets (or, with `callback == NULL`, removes) the function that receives libdas log events.
///
/// After this returns, the previous callback is not running and will not be called again, so its
/// `userdata` may be released. Returns `DAS_RESULT_WOULD_BLOCK` when called from inside a log
/// callback. Events are filtered by `das_set_log_level` (default `DAS_LOG_LEVEL_WARN`).
///
/// Ownership: `userdata` stays owned by the caller and is passed back untouched; it must stay valid
/// until the callback is replaced or removed.
///
/// # Safety
/// `callback` must be safe to call from any thread with `userdata`.
#[no_mangle]
pub unsafe extern "C" fn das_set_log_callback(
    callback: das_log_callback,
    userdata: *mut c_void,
) -> das_result {
    crate::ffi_boundary!({
        if IN_CALLBACK.with(Cell::get) {
            return Err(Error::new(
                das_result::WouldBlock,
                "das_set_log_callback called from inside the log callback",
            ));
        }
        install()?;
        log_sink::replace(callback.map(|callback| Sink { callback, userdata }));
        Ok(())
    })
}

/// Sets the most verbose level delivered to the log callback (`das_log_level`; default
/// `DAS_LOG_LEVEL_WARN`; `DAS_LOG_LEVEL_OFF` silences it). Values outside the enum are
/// `DAS_RESULT_INVALID_ENUM`.
///
/// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
#[no_mangle]
pub extern "C" fn das_set_log_level(level: u32) -> das_result {
    crate::ffi_boundary!({
        let level = das_log_level::from_c(level, "level")?;
        THRESHOLD.store(level as u32, Ordering::Relaxed);
        tracing::callsite::rebuild_interest_cache();
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    static SEEN: Mutex<Vec<(das_log_level, String, String)>> = Mutex::new(Vec::new());

    unsafe extern "C" fn record(
        userdata: *mut c_void,
        level: das_log_level,
        target: *const c_char,
        message: *const c_char,
    ) {
        assert_eq!(userdata as usize, 7);
        let text = |p| {
            // SAFETY: libdas passes NUL-terminated strings valid during the call.
            unsafe { std::ffi::CStr::from_ptr(p) }
                .to_string_lossy()
                .into_owned()
        };
        SEEN.lock()
            .unwrap()
            .push((level, text(target), text(message)));
    }

    #[test]
    fn events_reach_the_callback_above_the_threshold_only() {
        let _serial = CALLBACK_TESTS.lock().unwrap_or_else(|p| p.into_inner());
        let userdata = 7usize as *mut c_void;
        assert_eq!(
            // SAFETY: `record` follows the callback contract; the userdata is never dereferenced.
            unsafe { das_set_log_callback(Some(record), userdata) },
            das_result::Ok
        );
        assert_eq!(
            das_set_log_level(das_log_level::Info as u32),
            das_result::Ok
        );
        tracing::info!(kind = "register", "session {} opened", 3);
        tracing::debug!("too verbose");
        assert_eq!(das_set_log_level(77), das_result::InvalidEnum);
        assert_eq!(
            // SAFETY: NULL removes the callback.
            unsafe { das_set_log_callback(None, std::ptr::null_mut()) },
            das_result::Ok
        );
        tracing::warn!("nobody listens");

        let seen = SEEN.lock().unwrap();
        let mine: Vec<_> = seen
            .iter()
            .filter(|(_, t, _)| t.starts_with("das::log"))
            .collect();
        assert_eq!(mine.len(), 1, "{seen:?}");
        assert_eq!(mine[0].0, das_log_level::Info);
        assert_eq!(mine[0].2, "session 3 opened kind=register");
    }
}
