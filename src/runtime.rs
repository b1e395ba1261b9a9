//! The runtime the bindings run sessions on, for programs that are not async themselves (the
//! C ABI, the Python module): started once, driven by its own thread(s), entered from any
//! caller thread with [`BindingRuntime::block_on`]. The process has one, kept in [`process`],
//! which also says what a forked child does with its parent's.
//!
//! By default one thread drives a current-thread runtime: sessions are I/O-bound and a fleet of
//! them needs a fraction of a core (about a fifth at 1,000 real-time sessions), and one thread
//! saves the hand-offs between the workers of a work-stealing runtime (measured with the C
//! bindings at 100 sessions: about 30 % fewer context switches and 10–15 % less CPU). Programs
//! that run thousands of sessions can ask for a multi-thread runtime with
//! `DAS_RUNTIME_THREADS=N` (N ≥ 2 workers). A program with its own event loop can drive the
//! runtime itself instead ([`BindingRuntime::caller_driven`]): no libdas thread, so nothing
//! is handed between threads; tasks run while one of its threads is inside
//! [`BindingRuntime::block_on`], and [`drive::run`] is that loop's wait. Their sessions deliver
//! events into a [`queue::EventQueue`].

pub mod drive;
pub mod process;
pub mod queue;

use std::future::Future;
use std::io;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::runtime::{Builder, Handle, Runtime};
use tokio::sync::oneshot;

/// The environment variable that sets the number of runtime threads.
pub const THREADS_VARIABLE: &str = "DAS_RUNTIME_THREADS";

/// A started runtime and what stops it.
#[derive(Debug)]
pub struct BindingRuntime {
    handle: Handle,
    threads: usize,
    owner: Owner,
}

#[derive(Debug)]
enum Owner {
    /// The current-thread runtime lives on its driver thread, which drops it when told to.
    Driver {
        stop: oneshot::Sender<Duration>,
        thread: JoinHandle<()>,
    },
    /// A multi-thread runtime drives itself.
    Workers(Runtime),
    /// A current-thread runtime driven by the callers' own `block_on`.
    Caller(Runtime),
}

impl BindingRuntime {
    /// Starts the runtime with the threads `DAS_RUNTIME_THREADS` asks for (1 when unset or not
    /// a positive number). `name` names its threads.
    pub fn start(name: &str) -> io::Result<Self> {
        let threads = std::env::var(THREADS_VARIABLE)
            .ok()
            .and_then(|value| value.trim().parse::<usize>().ok())
            .filter(|&threads| threads > 0)
            .unwrap_or(1);
        Self::with_threads(name, threads)
    }

    /// Starts a runtime driven by `threads` threads: one drives a current-thread runtime, more
    /// are the workers of a multi-thread one.
    pub fn with_threads(name: &str, threads: usize) -> io::Result<Self> {
        if threads > 1 {
            let runtime = Builder::new_multi_thread()
                .worker_threads(threads)
                .thread_name(name)
                .enable_all()
                .build()?;
            return Ok(BindingRuntime {
                handle: runtime.handle().clone(),
                threads,
                owner: Owner::Workers(runtime),
            });
        }
        let runtime = Builder::new_current_thread().enable_all().build()?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = oneshot::channel::<Duration>();
        let thread = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                // Drives every task until told to stop (or until every sender is gone).
                let grace = runtime.block_on(stopped).unwrap_or_default();
                runtime.shutdown_timeout(grace);
            })?;
        Ok(BindingRuntime {
            handle,
            threads: 1,
            owner: Owner::Driver { stop, thread },
        })
    }

    /// A current-thread runtime with no thread of its own: its tasks, timers and sockets make
    /// progress only while a caller is inside [`block_on`](Self::block_on).
    pub fn caller_driven() -> io::Result<Self> {
        let runtime = Builder::new_current_thread().enable_all().build()?;
        Ok(BindingRuntime {
            handle: runtime.handle().clone(),
            threads: 0,
            owner: Owner::Caller(runtime),
        })
    }

    /// True when the callers drive the runtime ([`caller_driven`](Self::caller_driven)).
    pub fn is_caller_driven(&self) -> bool {
        matches!(self.owner, Owner::Caller(_))
    }

    /// The runtime's handle, to spawn on and to enter.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// The threads driving the runtime (0 when the callers drive it).
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Runs `future` to completion, blocking the calling thread (not a runtime thread). A
    /// caller-driven runtime runs every task while it waits (one caller at a time; another
    /// waits for the first to return).
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        match &self.owner {
            Owner::Caller(runtime) => runtime.block_on(future),
            Owner::Driver { .. } | Owner::Workers(_) => self.handle.block_on(future),
        }
    }

    /// Drops every task (closing their sockets) and joins the runtime's threads, giving
    /// blocking tasks `grace` to finish. Must not be called from a runtime thread.
    pub fn shutdown(self, grace: Duration) {
        match self.owner {
            Owner::Driver { stop, thread } => {
                let _ = stop.send(grace);
                let _ = thread.join();
            }
            Owner::Workers(runtime) | Owner::Caller(runtime) => runtime.shutdown_timeout(grace),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_kinds_run_tasks_and_timers_for_callers_on_other_threads() {
        for threads in [1, 2] {
            let runtime = BindingRuntime::with_threads("das-test", threads).unwrap();
            assert_eq!(runtime.threads(), threads);
            let spawned = runtime.handle().spawn(async {
                tokio::time::sleep(Duration::from_millis(5)).await;
                7
            });
            let callers: Vec<_> = (0..3)
                .map(|i| {
                    let handle = runtime.handle().clone();
                    std::thread::spawn(move || {
                        handle.block_on(async move {
                            tokio::time::sleep(Duration::from_millis(1)).await;
                            i
                        })
                    })
                })
                .collect();
            let sum: i32 = callers.into_iter().map(|c| c.join().unwrap()).sum();
            assert_eq!(sum, 3);
            assert_eq!(runtime.block_on(spawned).unwrap(), 7);
            runtime.shutdown(Duration::from_millis(100));
        }
    }

    #[test]
    fn a_caller_driven_runtime_runs_tasks_only_inside_block_on() {
        let runtime = BindingRuntime::caller_driven().unwrap();
        assert!(runtime.is_caller_driven());
        assert_eq!(runtime.threads(), 0);
        let (tx, rx) = std::sync::mpsc::channel();
        let spawned = runtime.handle().spawn(async move {
            tokio::time::sleep(Duration::from_millis(1)).await;
            tx.send(5).unwrap();
        });
        // Nothing drives the task while no caller is inside block_on.
        assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
        runtime.block_on(spawned).unwrap();
        assert_eq!(rx.try_recv(), Ok(5));
        runtime.shutdown(Duration::from_millis(100));
    }

    #[test]
    fn shutdown_drops_pending_tasks() {
        let runtime = BindingRuntime::with_threads("das-test", 1).unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        runtime.handle().spawn(async move {
            let _held = tx;
            std::future::pending::<()>().await;
        });
        runtime.shutdown(Duration::from_millis(100));
        // The task was dropped with the runtime, and its sender with it.
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(5)),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected)
        );
    }
}
