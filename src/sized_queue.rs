//! A queue bounded by item count and by bytes: each item holds its weight of a shared byte
//! budget until the receiver takes it, so a burst of large items waits at the sender instead
//! of piling up in memory. An item heavier than the whole budget is let in
//! alone, once the queue is empty.

use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};

/// A queue of at most `count` items weighing at most `bytes` together.
pub(crate) fn channel<T>(count: usize, bytes: usize) -> (Sender<T>, Receiver<T>) {
    let (items, receiver) = mpsc::channel(count.max(1));
    // The semaphore counts permits in u32 steps per acquisition; budgets stay far below.
    let bytes = bytes.clamp(1, u32::MAX as usize);
    let sender = Sender {
        items,
        budget: Arc::new(Semaphore::new(bytes)),
        bytes,
    };
    (sender, Receiver { items: receiver })
}

type Weighed<T> = (T, OwnedSemaphorePermit);

pub(crate) struct Sender<T> {
    items: mpsc::Sender<Weighed<T>>,
    budget: Arc<Semaphore>,
    bytes: usize,
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Sender {
            items: self.items.clone(),
            budget: self.budget.clone(),
            bytes: self.bytes,
        }
    }
}

impl<T> std::fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender")
            .field("bytes", &self.bytes)
            .field("available", &self.budget.available_permits())
            .finish_non_exhaustive()
    }
}

impl<T> Sender<T> {
    fn permits(&self, weight: usize) -> u32 {
        weight.min(self.bytes) as u32
    }

    /// Waits for room (count and bytes), then queues `item`; `Err(item)` when the receiver
    /// is gone.
    pub(crate) async fn send(&self, item: T, weight: usize) -> Result<(), T> {
        // Room now, the usual case: no waiter is registered.
        let permits = self.permits(weight);
        if let Ok(permit) = self.budget.clone().try_acquire_many_owned(permits) {
            return match self.items.try_send((item, permit)) {
                Ok(()) => Ok(()),
                Err(mpsc::error::TrySendError::Closed((item, _))) => Err(item),
                Err(mpsc::error::TrySendError::Full(weighed)) => self
                    .items
                    .send(weighed)
                    .await
                    .map_err(|refused| refused.0 .0),
            };
        }
        let permit = tokio::select! {
            permit = self.budget.clone().acquire_many_owned(permits) => permit,
            () = self.items.closed() => return Err(item),
        };
        let Ok(permit) = permit else { return Err(item) };
        self.items
            .send((item, permit))
            .await
            .map_err(|refused| refused.0 .0)
    }
}

#[derive(Debug)]
pub(crate) struct Receiver<T> {
    items: mpsc::Receiver<Weighed<T>>,
}

impl<T> Receiver<T> {
    pub(crate) async fn recv(&mut self) -> Option<T> {
        self.items.recv().await.map(|(item, _)| item)
    }

    pub(crate) fn try_recv(&mut self) -> Result<T, mpsc::error::TryRecvError> {
        self.items.try_recv().map(|(item, _)| item)
    }

    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.items
            .poll_recv(cx)
            .map(|item| item.map(|(item, _)| item))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// Whether `send` completes at once, i.e. there is room.
    async fn has_room(sender: &Sender<u32>, item: u32, weight: usize) -> bool {
        tokio::time::timeout(Duration::from_millis(50), sender.send(item, weight))
            .await
            .is_ok()
    }

    #[tokio::test]
    async fn bytes_bound_the_queue_before_the_count_does() {
        let (sender, mut receiver) = channel::<u32>(100, 1000);
        assert!(has_room(&sender, 1, 600).await);
        let waiting = tokio::spawn({
            let sender = sender.clone();
            async move { sender.send(2, 600).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            !waiting.is_finished(),
            "over the byte budget: the item waits"
        );
        assert_eq!(receiver.recv().await, Some(1));
        waiting.await.unwrap().unwrap();
        assert_eq!(receiver.recv().await, Some(2));
    }

    #[tokio::test]
    async fn an_item_heavier_than_the_budget_passes_alone() {
        let (sender, mut receiver) = channel::<u32>(10, 100);
        assert!(has_room(&sender, 1, 5000).await);
        assert!(!has_room(&sender, 2, 1).await);
        assert_eq!(receiver.recv().await, Some(1));
        assert!(has_room(&sender, 3, 1).await);
    }

    #[tokio::test]
    async fn a_sender_waiting_for_room_is_released_when_the_receiver_goes() {
        let (sender, receiver) = channel::<u32>(10, 100);
        sender.send(1, 100).await.unwrap();
        let waiting = tokio::spawn({
            let sender = sender.clone();
            async move { sender.send(2, 100).await }
        });
        drop(receiver);
        assert_eq!(waiting.await.unwrap(), Err(2));
    }
}
