//! The TRD job store: each job's `{job, segments}` document, its upload (kept so `job/retry`
//! can run it again) and a generation number. Stop and retry bump the generation, so a run
//! that was overtaken finds its writes refused instead of overwriting the newer state.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

/// An uploaded job's inputs.
pub(crate) struct Upload {
    pub(crate) audio: Vec<u8>,
    pub(crate) callback_urls: Vec<String>,
    pub(crate) transcript: Option<String>,
}

struct Entry {
    document: Value,
    upload: Arc<Upload>,
    generation: u64,
}

/// Jobs by id, in creation order.
#[derive(Default)]
pub(crate) struct JobStore {
    jobs: Mutex<(Vec<String>, HashMap<String, Entry>)>,
}

impl JobStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, (Vec<String>, HashMap<String, Entry>)> {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn insert(&self, id: &str, document: Value, upload: Upload) {
        let mut guard = self.lock();
        let (order, jobs) = &mut *guard;
        let entry = Entry {
            document,
            upload: Arc::new(upload),
            generation: 0,
        };
        if jobs.insert(id.to_owned(), entry).is_none() {
            order.push(id.to_owned());
        }
    }

    pub(crate) fn get(&self, id: &str) -> Option<Value> {
        self.lock().1.get(id).map(|e| e.document.clone())
    }

    /// The upload and current generation of a job.
    pub(crate) fn run_inputs(&self, id: &str) -> Option<(Arc<Upload>, u64)> {
        self.lock()
            .1
            .get(id)
            .map(|e| (Arc::clone(&e.upload), e.generation))
    }

    /// Applies `change` if the job still exists and is still at `generation`.
    pub(crate) fn update_if(
        &self,
        id: &str,
        generation: u64,
        change: impl FnOnce(&mut Value),
    ) -> Option<Value> {
        let mut guard = self.lock();
        let entry = guard.1.get_mut(id).filter(|e| e.generation == generation)?;
        change(&mut entry.document);
        Some(entry.document.clone())
    }

    /// Starts a new generation when `allowed` accepts the job's document (else returns the
    /// refusal), applies `change`, and returns the new document and generation.
    pub(crate) fn advance(
        &self,
        id: &str,
        allowed: impl FnOnce(&Value) -> Result<(), String>,
        change: impl FnOnce(&mut Value),
    ) -> Option<Result<(Value, u64), String>> {
        let mut guard = self.lock();
        let entry = guard.1.get_mut(id)?;
        if let Err(refusal) = allowed(&entry.document) {
            return Some(Err(refusal));
        }
        entry.generation += 1;
        change(&mut entry.document);
        Some(Ok((entry.document.clone(), entry.generation)))
    }

    pub(crate) fn remove(&self, id: &str) -> bool {
        let mut guard = self.lock();
        let (order, jobs) = &mut *guard;
        order.retain(|o| o != id);
        jobs.remove(id).is_some()
    }

    /// Every document, in creation order.
    pub(crate) fn documents(&self) -> Vec<Value> {
        let guard = self.lock();
        let (order, jobs) = &*guard;
        order
            .iter()
            .filter_map(|id| jobs.get(id))
            .map(|e| e.document.clone())
            .collect()
    }
}
