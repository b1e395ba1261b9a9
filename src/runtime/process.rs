//! The process's one [`BindingRuntime`], which the bindings run every session on: started on
//! first use ([`shared`]), caller-driven when the program asked for that first
//! ([`request_caller_driven`]), and left behind by a forked child, which has none of its
//! threads. The bindings only hook these into their platform: the C ABI's `pthread_atfork`
//! and exit destructor, Python's `os.register_at_fork`.

use std::cell::RefCell;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use super::{drive, BindingRuntime};

/// The runtime, once started. Read at every blocking call, written at the start and in a
/// forked child.
static SLOT: RwLock<Option<Arc<BindingRuntime>>> = RwLock::new(None);
/// Held while the runtime starts and while caller-driven mode is asked for, so that the two
/// are ordered; taken before `SLOT` wherever both are.
static STARTING: Mutex<()> = Mutex::new(());
/// Runtimes a forked child inherited: never dropped (their threads do not exist there) and
/// kept reachable, so leak checkers do not report them.
static ORPHANED: Mutex<Vec<Arc<BindingRuntime>>> = Mutex::new(Vec::new());
static SHUT_DOWN: AtomicBool = AtomicBool::new(false);
static STARTS: AtomicUsize = AtomicUsize::new(0);

/// Why [`shared`] has no runtime to give.
#[derive(Debug, thiserror::Error)]
pub enum Unavailable {
    /// [`shut_down`] ran: the process is exiting.
    #[error("libdas is shutting down (the process is exiting)")]
    ShuttingDown,
    /// The runtime's start failed (tried again at the next call).
    #[error("the async runtime could not start: {0}")]
    NotStarted(#[source] io::Error),
}

fn read() -> RwLockReadGuard<'static, Option<Arc<BindingRuntime>>> {
    // Every critical section on the slot only reads or replaces it.
    SLOT.read().unwrap_or_else(|p| p.into_inner())
}

fn write() -> RwLockWriteGuard<'static, Option<Arc<BindingRuntime>>> {
    SLOT.write().unwrap_or_else(|p| p.into_inner())
}

fn starting() -> MutexGuard<'static, ()> {
    STARTING.lock().unwrap_or_else(|p| p.into_inner())
}

/// The process's runtime, started on first call: caller-driven when asked for, else one
/// driver thread unless `DAS_RUNTIME_THREADS` asks for more (see [`super`] for why).
pub fn shared() -> Result<Arc<BindingRuntime>, Unavailable> {
    // Checked first: a shutdown from a runtime thread leaves the runtime in its slot.
    if SHUT_DOWN.load(Ordering::Acquire) {
        return Err(Unavailable::ShuttingDown);
    }
    if let Some(started) = read().as_ref() {
        return Ok(started.clone());
    }
    let _starting = starting();
    if SHUT_DOWN.load(Ordering::Acquire) {
        return Err(Unavailable::ShuttingDown);
    }
    if let Some(started) = read().as_ref() {
        return Ok(started.clone());
    }
    let started = match drive::requested() {
        true => BindingRuntime::caller_driven(),
        false => BindingRuntime::start("das-runtime"),
    }
    .map_err(Unavailable::NotStarted)?;
    let started = Arc::new(started);
    STARTS.fetch_add(1, Ordering::Relaxed);
    *write() = Some(started.clone());
    Ok(started)
}

/// Asks for caller-driven mode, refused once the runtime runs on a thread of its own (asking
/// again in caller-driven mode changes nothing).
pub fn request_caller_driven() -> Result<(), drive::AlreadyRunning> {
    let _starting = starting();
    drive::request(read().as_deref())
}

/// How many runtimes this process started (a forked child counts its parent's too).
pub fn starts() -> usize {
    STARTS.load(Ordering::Relaxed)
}

/// At process exit: later calls to [`shared`] fail, and the runtime's tasks are dropped
/// (closing their sockets) and its threads joined within `grace`, unless a call still inside
/// `block_on` holds it (it then goes with that call). On a runtime thread (`exit()` called
/// from a callback), which cannot wait for its own runtime, only the first part happens.
pub fn shut_down(grace: Duration) {
    SHUT_DOWN.store(true, Ordering::Release);
    if tokio::runtime::Handle::try_current().is_ok() {
        return;
    }
    let runtime = {
        let _starting = starting();
        write().take()
    };
    // Without the lock: a task that calls `shared` while its runtime winds down gets
    // `ShuttingDown` instead of waiting for a lock held by the thread joining it.
    if let Some(Ok(runtime)) = runtime.map(Arc::try_unwrap) {
        runtime.shutdown(grace);
    }
}

/// The process-wide locks a session takes, held by the forking thread across `fork()`: a
/// thread inside one at that moment (starting the runtime, a session building its token
/// provider or looking up its TLS configuration) would leave it locked for good in the child,
/// whose first session would then wait forever. Taken in the order the code below them nests.
/// (The machine's roots, loaded once, stay valid in the child: only their lock is held.)
struct HeldLocks {
    _starting: MutexGuard<'static, ()>,
    slot: RwLockWriteGuard<'static, Option<Arc<BindingRuntime>>>,
    providers: crate::auth::HeldProviders,
    tls_configs: crate::tls::HeldConfigs,
    _os_roots: crate::tls::HeldOsRoots,
}

impl HeldLocks {
    fn wait() -> Self {
        let starting = starting();
        let slot = write();
        let providers = crate::auth::hold_shared_providers();
        let tls_configs = crate::tls::hold_config_cache();
        let os_roots = crate::tls::hold_os_roots();
        HeldLocks {
            _starting: starting,
            slot,
            providers,
            tls_configs,
            _os_roots: os_roots,
        }
    }
}

thread_local! {
    /// Thread-local: the hooks before and after `fork()` run on the forking thread.
    static HELD_ACROSS_FORK: RefCell<Option<HeldLocks>> = const { RefCell::new(None) };
}

/// Just before `fork()`, on the forking thread: waits for the process-wide locks (a runtime
/// start under way finishes first).
pub fn before_fork() {
    let held = HeldLocks::wait();
    HELD_ACROSS_FORK.with(|slot| *slot.borrow_mut() = Some(held));
}

/// In the parent, after `fork()` (or a failed one): lets the locks go.
pub fn after_fork_in_parent() {
    HELD_ACROSS_FORK.with(|slot| slot.borrow_mut().take());
}

/// In the child, on its only thread: forgets the parent's runtime, whose threads do not exist
/// here (a wait on it would hang past every timeout), and what refers to that runtime or to
/// locks its threads use: the token providers sessions share, whose connections it served,
/// and the TLS configurations. The child's next call starts its own runtime; objects made
/// before the fork stay the parent's.
pub fn after_fork_in_child() {
    match HELD_ACROSS_FORK.with(|slot| slot.borrow_mut().take()) {
        Some(mut held) => {
            orphan(held.slot.take());
            held.providers.forget_all();
            held.tls_configs.forget_all();
        }
        // The binding did not call `before_fork` (a fork from inside a log callback): each
        // lock on its own, if no thread of the parent held it at the fork.
        None => {
            if let Some(mut slot) = crate::try_lock::try_write(&SLOT) {
                orphan(slot.take());
            }
            if let Some(providers) = crate::auth::try_hold_shared_providers() {
                providers.forget_all();
            }
            if let Some(configs) = crate::tls::try_hold_config_cache() {
                configs.forget_all();
            }
        }
    }
}

/// Keeps the parent's runtime reachable (never dropped: its threads do not exist here).
fn orphan(parent: Option<Arc<BindingRuntime>>) {
    if let Some(parent) = parent {
        match crate::try_lock::try_lock(&ORPHANED) {
            Some(mut orphaned) => orphaned.push(parent),
            None => std::mem::forget(parent),
        }
    }
}
