//! Stopping a foreground server on Ctrl-C (SIGINT) or SIGTERM. The handlers are installed when
//! [`StopSignals`] is created, so a signal sent right after the server printed its address is
//! never lost to the default action.

use tokio::signal::unix::{signal, Signal, SignalKind};

use crate::exit::{CliError, Exit, OrExit};

pub struct StopSignals {
    interrupt: Signal,
    terminate: Signal,
}

impl StopSignals {
    pub fn install() -> Result<StopSignals, CliError> {
        Ok(StopSignals {
            interrupt: signal(SignalKind::interrupt()).or_exit(Exit::Failure, "SIGINT handler")?,
            terminate: signal(SignalKind::terminate()).or_exit(Exit::Failure, "SIGTERM handler")?,
        })
    }

    /// Resolves at the next SIGINT or SIGTERM.
    pub async fn recv(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}
