//! [`JobWebhooks`]: one [`WebhookReceiver`] shared by many jobs waiting for their results. A
//! task takes every delivery off the receiver and hands it to the job waiting for it; a result
//! that arrives before anyone waits for it (TRD can be faster than the `job/create` answer) is
//! kept until asked for.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::trd::{Delivery, JobResult, WebhookReceiver};

/// Results kept for jobs nobody waits for yet; the oldest is dropped beyond this.
const MAX_PARKED: usize = 1024;

/// How long the dispatch task waits on the receiver between checks that it is still wanted.
const POLL: Duration = Duration::from_millis(500);

/// A webhook receiver whose deliveries are routed to the jobs waiting for them; clone it freely.
/// Give it to [`Transcribe::webhook`](super::Transcribe::webhook): each `transcribe` call
/// registers [`url`](Self::url) as a callback and waits for its own job's result.
///
/// While it exists it takes every delivery of the receiver: do not also call
/// [`WebhookReceiver::next_delivery`].
#[derive(Clone)]
pub struct JobWebhooks {
    shared: Arc<Shared>,
}

struct Shared {
    receiver: Arc<WebhookReceiver>,
    routes: Arc<Mutex<Routes>>,
    dispatch: JoinHandle<()>,
}

impl std::fmt::Debug for JobWebhooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobWebhooks")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.dispatch.abort();
    }
}

#[derive(Default)]
struct Routes {
    waiting: HashMap<String, oneshot::Sender<JobResult>>,
    parked: HashMap<String, JobResult>,
    parked_order: VecDeque<String>,
}

impl Routes {
    fn route(&mut self, delivery: Delivery) {
        let job_id = delivery.job_id.clone();
        let result = delivery.result.clone();
        // The result now lives in memory until a waiter takes it or it is dropped as the
        // oldest; the spool (if any) need not keep it.
        if let Err(error) = delivery.ack() {
            tracing::warn!(%job_id, %error, "cannot acknowledge a routed delivery");
        }
        let result = match self.waiting.remove(&job_id) {
            Some(waiter) => match waiter.send(result) {
                Ok(()) => return,
                Err(result) => result,
            },
            None => result,
        };
        if self.parked.insert(job_id.clone(), result).is_none() {
            self.parked_order.push_back(job_id);
        }
        while self.parked_order.len() > MAX_PARKED {
            if let Some(oldest) = self.parked_order.pop_front() {
                self.parked.remove(&oldest);
                tracing::warn!(job_id = %oldest, "unclaimed TRD result dropped");
            }
        }
    }

    fn take_parked(&mut self, job_id: &str) -> Option<JobResult> {
        let result = self.parked.remove(job_id)?;
        self.parked_order.retain(|id| id != job_id);
        Some(result)
    }
}

impl JobWebhooks {
    /// Starts routing the deliveries of `receiver` (on the current tokio runtime).
    pub fn new(receiver: WebhookReceiver) -> Self {
        let receiver = Arc::new(receiver);
        let routes = Arc::new(Mutex::new(Routes::default()));
        let dispatch = tokio::spawn(dispatch(Arc::clone(&receiver), Arc::downgrade(&routes)));
        JobWebhooks {
            shared: Arc::new(Shared {
                receiver,
                routes,
                dispatch,
            }),
        }
    }

    /// The callback URL to register with `job/create`.
    pub fn url(&self) -> &str {
        self.shared.receiver.url()
    }

    /// The receiver behind it (its URL, certificate and token).
    pub fn receiver(&self) -> &WebhookReceiver {
        &self.shared.receiver
    }

    /// Waits up to `timeout` for the result of `job_id`; `None` when it did not come.
    pub async fn wait(&self, job_id: &str, timeout: Duration) -> Option<JobResult> {
        let waiting = {
            let mut routes = self.routes();
            if let Some(result) = routes.take_parked(job_id) {
                return Some(result);
            }
            let (sender, receiver) = oneshot::channel();
            routes.waiting.insert(job_id.to_owned(), sender);
            receiver
        };
        // Also when this wait is dropped (its caller found the result another way): a later
        // delivery is then parked, not sent to nobody.
        let _registered = Registered {
            hooks: self,
            job_id,
        };
        match tokio::time::timeout(timeout, waiting).await {
            Ok(Ok(result)) => Some(result),
            _ => None,
        }
    }

    /// Stops the receiver; waits still pending then time out.
    pub async fn shutdown(&self) {
        self.shared.receiver.shutdown().await;
    }

    fn routes(&self) -> std::sync::MutexGuard<'_, Routes> {
        // Routing never panics while holding the lock; a poisoned map is still consistent.
        self.shared
            .routes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

async fn dispatch(receiver: Arc<WebhookReceiver>, routes: std::sync::Weak<Mutex<Routes>>) {
    loop {
        let delivery = receiver.next_delivery(POLL).await;
        let Some(routes) = routes.upgrade() else {
            return;
        };
        if let Some(delivery) = delivery {
            routes
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .route(delivery);
        }
    }
}

/// A job's place in the waiting routes, given up when its wait ends.
struct Registered<'a> {
    hooks: &'a JobWebhooks,
    job_id: &'a str,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.hooks.routes().waiting.remove(self.job_id);
    }
}
