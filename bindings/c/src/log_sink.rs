//! The registered log callback and its calls under way. No lock is held while the callback
//! runs: it may call other das functions, and a fork must not wait for it. Replacing the
//! callback waits for the calls of the one it replaces, so that its userdata may be released.

use std::ffi::{c_char, c_void};
use std::sync::{Condvar, Mutex, MutexGuard};

use crate::enums::das_log_level;

/// A callback and its userdata, as registered.
#[derive(Clone, Copy)]
pub(crate) struct Sink {
    pub callback: unsafe extern "C" fn(*mut c_void, das_log_level, *const c_char, *const c_char),
    pub userdata: *mut c_void,
}

// SAFETY: the C contract requires the callback and its userdata to be usable from any thread.
unsafe impl Send for Sink {}
// SAFETY: as above.
unsafe impl Sync for Sink {}

struct State {
    sink: Option<Sink>,
    /// Advanced by each replacement.
    generation: u64,
    /// Calls under way, by the parity of the generation they started in: a replacement waits
    /// for its generation's calls only, not for those that started after it.
    calls: [usize; 2],
}

/// Held only to copy, count or replace (never while a callback runs).
static STATE: Mutex<State> = Mutex::new(State {
    sink: None,
    generation: 0,
    calls: [0, 0],
});
static CALL_RETURNED: Condvar = Condvar::new();

fn state() -> MutexGuard<'static, State> {
    // Every critical section below is panic-free bookkeeping.
    STATE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Calls `call` with the registered sink, if any, counted as under way until it returns.
pub(crate) fn call_with(call: impl FnOnce(Sink)) {
    let (sink, parity) = {
        let mut state = state();
        let Some(sink) = state.sink else { return };
        let parity = (state.generation % 2) as usize;
        state.calls[parity] += 1;
        (sink, parity)
    };
    let _returned = Returned(parity);
    call(sink);
}

/// Counts a call's return (on unwinding too).
struct Returned(usize);

impl Drop for Returned {
    fn drop(&mut self) {
        let mut state = state();
        // Saturating: a forked child forgets the parent's calls while one of its own runs.
        state.calls[self.0] = state.calls[self.0].saturating_sub(1);
        if state.calls[self.0] == 0 {
            CALL_RETURNED.notify_all();
        }
    }
}

/// Registers `sink` (`None`: no callback), and returns once no call of the replaced one is
/// under way. Must not be called from inside a callback (it would wait for itself).
pub(crate) fn replace(sink: Option<Sink>) {
    let mut state = state();
    state.sink = sink;
    let replaced = (state.generation % 2) as usize;
    state.generation += 1;
    while state.calls[replaced] > 0 {
        state = CALL_RETURNED
            .wait(state)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
    }
}

/// The sink's lock, held by the forking thread across `fork()` (see `runtime`).
pub(crate) struct Held(MutexGuard<'static, State>);

/// Waits for the sink's lock (held only for bookkeeping: never for a callback's run).
pub(crate) fn hold() -> Held {
    Held(state())
}

/// The sink's lock if no one holds it (it is never poisoned: no section under it panics).
pub(crate) fn try_hold() -> Option<Held> {
    STATE.try_lock().ok().map(Held)
}

impl Held {
    /// In a forked child: the calls under way were the parent's other threads', which do not
    /// exist here; a replacement must not wait for them.
    pub(crate) fn forget_calls(mut self) {
        self.0.calls = [0, 0];
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use super::*;

    unsafe extern "C" fn ignore(
        _: *mut c_void,
        _: das_log_level,
        _: *const c_char,
        _: *const c_char,
    ) {
    }

    /// Lets the blocked call return however the test ends.
    struct Release(std::sync::Arc<AtomicBool>);

    impl Drop for Release {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_replacement_waits_for_the_calls_of_the_replaced_callback_only() {
        let _serial = crate::log::CALLBACK_TESTS
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let sink = Sink {
            callback: ignore,
            userdata: std::ptr::null_mut(),
        };
        replace(Some(sink));
        let release = std::sync::Arc::new(AtomicBool::new(false));
        let releasing = Release(release.clone());
        let in_call = std::sync::Arc::new(AtomicBool::new(false));
        let caller = std::thread::spawn({
            let (release, in_call) = (release.clone(), in_call.clone());
            move || {
                call_with(|_| {
                    in_call.store(true, Ordering::SeqCst);
                    while !release.load(Ordering::SeqCst) {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                })
            }
        });
        while !in_call.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(1));
        }
        // No lock is held during the call: another call, and the fork's hold, go through.
        call_with(|_| {});
        drop(hold());
        let replacer = std::thread::spawn(|| replace(None));
        std::thread::sleep(Duration::from_millis(50));
        assert!(
            !replacer.is_finished(),
            "the replaced callback is still running"
        );
        drop(releasing);
        replacer.join().unwrap();
        caller.join().unwrap();
        // A forked child does not wait for calls of threads it does not have.
        replace(Some(sink));
        state().calls = [3, 3];
        hold().forget_calls();
        replace(None);
    }
}
