//! The session ids open on one server: a session id is opened once at a time, so a replayed
//! or duplicated upgrade cannot run a second session under a live one's name.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use uuid::Uuid;

#[derive(Debug, Default)]
pub(super) struct LiveSessions {
    ids: Mutex<HashSet<Uuid>>,
}

impl LiveSessions {
    /// Claims `id` for one session; `None` when a session with that id is open.
    pub(super) fn claim(self: &Arc<Self>, id: Uuid) -> Option<LiveClaim> {
        let mut ids = self.ids.lock().unwrap_or_else(|p| p.into_inner());
        ids.insert(id).then(|| LiveClaim {
            sessions: self.clone(),
            id,
        })
    }
}

/// A session id in use; released when the session ends.
#[derive(Debug)]
pub(super) struct LiveClaim {
    sessions: Arc<LiveSessions>,
    id: Uuid,
}

impl Drop for LiveClaim {
    fn drop(&mut self) {
        let mut ids = self.sessions.ids.lock().unwrap_or_else(|p| p.into_inner());
        ids.remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_claimed_once_until_released() {
        let live = Arc::new(LiveSessions::default());
        let id = Uuid::new_v4();
        let claim = live.claim(id).unwrap();
        assert!(live.claim(id).is_none());
        drop(claim);
        assert!(live.claim(id).is_some());
    }
}
