//! A timer for a deadline that keeps moving later (a heartbeat renewed by every message, a
//! loop of event waits): it is moved only when it fires before the current deadline, instead
//! of being registered and cancelled again at every renewal.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::time::{Instant, Sleep};

#[derive(Debug, Default)]
pub(crate) struct LazyDeadline {
    /// Set at the first wait; between waits it may still fire, waking the last waiter once.
    timer: Option<Pin<Box<Sleep>>>,
}

impl LazyDeadline {
    /// Ready once `deadline` has passed; else registers `cx`'s waker for when it may have.
    pub fn poll_until(&mut self, deadline: Instant, cx: &mut Context<'_>) -> Poll<()> {
        let timer = self
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        // Later than this deadline only when an earlier wait allowed longer.
        if timer.deadline() > deadline {
            timer.as_mut().reset(deadline);
        }
        while timer.as_mut().poll(cx).is_ready() {
            if timer.deadline() >= deadline {
                return Poll::Ready(());
            }
            // Set for an earlier deadline, which came first: move it to this one.
            timer.as_mut().reset(deadline);
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use std::future::poll_fn;
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn each_wait_ends_on_its_own_deadline() {
        let mut timer = LazyDeadline::default();
        let start = Instant::now();
        let second = Duration::from_secs(1);
        poll_fn(|cx| timer.poll_until(start + second, cx)).await;
        assert_eq!(start.elapsed(), second);
        // Renewed later: the wait ends then, not when the timer was first set to fire.
        poll_fn(|cx| timer.poll_until(start + second * 3, cx)).await;
        assert_eq!(start.elapsed(), second * 3);
        // A shorter wait than the timer's current setting ends on its own deadline.
        let now = Instant::now();
        let renewed = poll_fn(|cx| timer.poll_until(now + second * 5, cx));
        let _ = tokio::time::timeout(second, renewed).await;
        poll_fn(|cx| timer.poll_until(now + second * 2, cx)).await;
        assert_eq!(now.elapsed(), second * 2);
    }
}
