//! The process's binding runtime (`das::runtime::process`): started once for every thread,
//! held across a fork, forgotten by the child. Its own test binary: the child's hook empties
//! process-wide caches that other tests compare against.

use std::sync::Arc;
use std::time::Duration;

use das::runtime::process::{
    after_fork_in_child, after_fork_in_parent, before_fork, shared, shut_down, starts, Unavailable,
};
use das::runtime::BindingRuntime;

fn started_by_four_threads() -> Arc<BindingRuntime> {
    let runtimes: Vec<_> = std::thread::scope(|scope| {
        let callers: Vec<_> = (0..4).map(|_| scope.spawn(|| shared().unwrap())).collect();
        callers.into_iter().map(|c| c.join().unwrap()).collect()
    });
    assert!(runtimes.iter().all(|r| Arc::ptr_eq(r, &runtimes[0])));
    runtimes[0].clone()
}

/// One test: the runtime is the process's, and the last step shuts it down.
#[test]
fn one_runtime_per_process_held_across_a_fork_forgotten_by_the_child_and_shut_down() {
    let first = started_by_four_threads();
    assert_eq!(starts(), 1);
    assert_eq!(first.block_on(async { 40 + 2 }), 42);

    // Across the fork, a call waits for the forking thread to let the locks go.
    before_fork();
    let waiting = std::thread::spawn(shared);
    std::thread::sleep(Duration::from_millis(50));
    assert!(!waiting.is_finished(), "the locks are held across the fork");
    after_fork_in_parent();
    assert!(Arc::ptr_eq(&waiting.join().unwrap().unwrap(), &first));

    // The child's first call starts its own runtime.
    before_fork();
    after_fork_in_child();
    let child = started_by_four_threads();
    assert!(!Arc::ptr_eq(&child, &first));
    assert_eq!(starts(), 2);
    assert_eq!(child.block_on(async { 7 }), 7);

    // At exit, a task that asks for the runtime while it winds down is told it is shutting
    // down (it used to wait for a lock held by the thread joining it, which waited for it).
    // The task never yields: its runtime stops only once it has its answer. It holds the
    // runtime for an instant per millisecond, so that the shutdown finds itself the last
    // holder and joins the thread.
    let (asked, answered) = std::sync::mpsc::channel();
    let (running, started) = std::sync::mpsc::channel();
    child.handle().spawn(async move {
        running.send(()).unwrap();
        let unavailable = loop {
            let runtime = shared();
            match runtime {
                Ok(runtime) => drop(runtime),
                Err(unavailable) => break unavailable,
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        asked.send(unavailable).unwrap();
    });
    started.recv_timeout(Duration::from_secs(30)).unwrap();
    drop(child);
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        shut_down(Duration::from_secs(1));
        done.send(()).unwrap();
    });
    finished
        .recv_timeout(Duration::from_secs(30))
        .expect("the shutdown returns");
    assert!(matches!(
        answered.recv_timeout(Duration::from_secs(5)),
        Ok(Unavailable::ShuttingDown)
    ));
    assert!(matches!(shared(), Err(Unavailable::ShuttingDown)));
}
