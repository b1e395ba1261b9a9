//! State shared by every route and socket handler of one emulator.

use std::sync::{Arc, RwLock};

use crate::auth::TokenStore;
use crate::config::EmulatorConfig;
use crate::faults::Faults;
use crate::session::SessionRegistry;
use crate::timing::EventTimingLog;
use crate::trd::{JobStore, ValidatedHooks};

pub(crate) struct AppState {
    pub(crate) config: EmulatorConfig,
    pub(crate) tokens: TokenStore,
    /// Tokens issued by the TRD license server (a realm apart from das-Peak's).
    pub(crate) trd_license_tokens: TokenStore,
    pub(crate) registry: SessionRegistry,
    pub(crate) faults: FaultSwitch,
    pub(crate) trd_jobs: JobStore,
    pub(crate) trd_hooks: ValidatedHooks,
    /// TRD requests rejected by the `trd_reject` fault since it was last set.
    pub(crate) trd_rejected: std::sync::atomic::AtomicU32,
    /// Where emitted events are timed, when `event_timing_log` is set.
    pub(crate) timing: Option<Arc<EventTimingLog>>,
}

impl AppState {
    pub(crate) fn new(config: EmulatorConfig, timing: Option<Arc<EventTimingLog>>) -> Arc<Self> {
        let faults = FaultSwitch::new(config.faults.clone());
        Arc::new(AppState {
            config,
            tokens: TokenStore::default(),
            trd_license_tokens: TokenStore::default(),
            registry: SessionRegistry::default(),
            faults,
            trd_jobs: JobStore::default(),
            trd_hooks: ValidatedHooks::default(),
            trd_rejected: std::sync::atomic::AtomicU32::new(0),
            timing,
        })
    }

    /// The fault switches as they are now.
    pub(crate) fn faults(&self) -> Faults {
        self.faults.get()
    }

    /// Replaces the fault switches (`EmulatorHandle::set_faults`, `PUT /emulator/faults`); a
    /// new `trd_reject` switch counts its rejections afresh.
    pub(crate) fn replace_faults(&self, faults: Faults) {
        self.faults.set(faults);
        self.trd_rejected
            .store(0, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The live fault switches, shared with audio consumers (the AudioHook consumer reads
/// [`Faults::audiohook_pause`] from here).
#[derive(Debug, Clone, Default)]
pub struct FaultSwitch {
    faults: Arc<RwLock<Faults>>,
}

impl FaultSwitch {
    pub(crate) fn new(faults: Faults) -> Self {
        FaultSwitch {
            faults: Arc::new(RwLock::new(faults)),
        }
    }

    /// A snapshot of the current switches.
    pub fn get(&self) -> Faults {
        self.faults
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces every switch.
    pub fn set(&self, faults: Faults) {
        *self.faults.write().unwrap_or_else(|e| e.into_inner()) = faults;
    }
}
