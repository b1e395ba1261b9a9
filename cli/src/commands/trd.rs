//! `das trd whoami` and `das trd validate`: TRD's webhook set-up calls, answers printed, typed
//! errors mapped to exit codes (401/403 → 3, unreachable TRD → 4, `reachable: false` → 5);
//! `das trd transcribe` and `das trd job …` live beside this file.

use std::time::Duration;

use das::trd::{Credentials, TrdClient, TrdError, TrdErrorKind, ValidateOptions};

use crate::args_tools::{TrdArgs, TrdCommand};
use crate::exit::{CliError, Exit, OrExit};
use crate::stdio::outln;

/// The client's own deadline when TRD is not asked to retry.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn run(cmd: TrdCommand) -> Result<(), CliError> {
    match cmd {
        TrdCommand::Transcribe(args) => super::trd_transcribe::run(args).await,
        TrdCommand::Job(cmd) => super::trd_jobs::run(cmd).await,
        TrdCommand::Whoami(trd) => {
            let address = client(&trd, REQUEST_TIMEOUT)?
                .whoami()
                .await
                .map_err(|e| trd_error("whoami", e))?;
            outln!("{address}");
            Ok(())
        }
        TrdCommand::Validate {
            trd,
            url,
            webhook_token,
            crt,
            timeout,
            retries,
        } => {
            let crt = match &crt {
                Some(path) => Some(
                    std::fs::read_to_string(path)
                        .or_exit(Exit::Input, &path.display().to_string())?,
                ),
                None => None,
            };
            let options = ValidateOptions { timeout, retries };
            // TRD answers only after its own attempts, so wait for all of them.
            let attempts = u64::from(timeout.unwrap_or(0)) * u64::from(retries.unwrap_or(1));
            let deadline = REQUEST_TIMEOUT + Duration::from_secs(attempts);
            let reachable = client(&trd, deadline)?
                .validate(&url, options, webhook_token.as_deref(), crt.as_deref())
                .await
                .map_err(|e| trd_error("validate", e))?;
            outln!("reachable: {reachable}");
            if reachable {
                Ok(())
            } else {
                Err(CliError::new(
                    Exit::Rejected,
                    format!("TRD cannot reach {url}"),
                ))
            }
        }
    }
}

/// A client for `--api` with the credentials the arguments give.
pub fn client(trd: &TrdArgs, timeout: Duration) -> Result<TrdClient, CliError> {
    let mut builder = TrdClient::builder(&trd.api)
        .timeout(timeout)
        .tls(trd.tls.options()?)
        .proxy(trd.tls.proxy()?);
    if let Some(token) = &trd.token {
        builder = builder.bearer(token);
    }
    if let (Some(username), Some(password)) = (&trd.username, &trd.password) {
        let (username, password) = (username.clone(), password.clone());
        builder = builder.credentials(match &trd.license_url {
            Some(token_url) => Credentials::LicenseServer {
                token_url: token_url.clone(),
                username,
                password,
            },
            None => Credentials::Basic { username, password },
        });
    }
    builder.build().map_err(|e| trd_error("TRD client", e))
}

pub fn trd_error(call: &str, error: TrdError) -> CliError {
    CliError::new(exit_for(&error), format!("{call}: {error}"))
}

/// The exit code of a TRD failure, by the class the library gives it.
pub fn exit_for(error: &TrdError) -> Exit {
    if let TrdError::InvalidBaseUrl(_) | TrdError::EmptyToken | TrdError::EmptyBearer =
        error.underlying()
    {
        return Exit::Usage;
    }
    match error.kind() {
        TrdErrorKind::Auth => Exit::Auth,
        TrdErrorKind::Proxy => Exit::Proxy,
        TrdErrorKind::Timeout | TrdErrorKind::Network | TrdErrorKind::Tls | TrdErrorKind::Busy => {
            Exit::Network
        }
        TrdErrorKind::Rejected
        | TrdErrorKind::NotFound
        | TrdErrorKind::JobFailed
        | TrdErrorKind::NotReachable => Exit::Rejected,
        TrdErrorKind::InvalidInput => Exit::Input,
        TrdErrorKind::Protocol | TrdErrorKind::Receiver => Exit::Failure,
    }
}
