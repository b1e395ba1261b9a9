//! One call that does what trd-sdk-python's client start-up does, with its gaps closed: start
//! the receiver, learn the public address from `whoami` when none is given, generate a fresh
//! token and certificate, register both with `validate` and require `reachable`.

use super::error::TrdError;
use super::http::{TrdClient, ValidateOptions};
use super::webhooks::JobWebhooks;
use crate::trd::{ReceiverBuilder, Tls, WebhookReceiver};

impl TrdClient {
    /// Starts a webhook receiver registered with TRD and returns it; pass
    /// [`WebhookReceiver::url`] as `callback_urls` to `job/create`.
    ///
    /// Settings left unset on `receiver` are filled in: the public host from `whoami`, a random
    /// UUID v4 token, and a self-signed certificate for that host. The receiver is stopped again
    /// when TRD answers `reachable: false` ([`TrdError::NotReachable`]) or the call fails.
    pub async fn start_webhook(
        &self,
        mut receiver: ReceiverBuilder,
        options: ValidateOptions,
    ) -> Result<WebhookReceiver, TrdError> {
        let host = match receiver.public_host.clone() {
            Some(host) => host,
            None => self.whoami().await?,
        };
        receiver = receiver.public_host(host.clone());
        if receiver.token.is_none() {
            receiver = receiver.token(uuid::Uuid::new_v4().to_string());
        }
        if receiver.tls.is_none() {
            receiver = receiver.tls(Tls::SelfSigned { hosts: vec![host] });
        }
        let started = receiver.start().await?;
        let reachable = self
            .validate(
                started.url(),
                options,
                started.token(),
                started.certificate_pem(),
            )
            .await;
        match reachable {
            Ok(true) => {
                tracing::info!(url = started.url(), "TRD webhook registered");
                Ok(started)
            }
            Ok(false) => {
                started.shutdown().await;
                Err(TrdError::NotReachable {
                    url: started.url().to_owned(),
                })
            }
            Err(error) => {
                started.shutdown().await;
                Err(error)
            }
        }
    }

    /// Starts a receiver for [`Transcribe::webhook`](super::Transcribe::webhook): registered
    /// with `validate` as [`start_webhook`](Self::start_webhook) does when `validate` is given,
    /// else started as configured (TRD then has no token to send, so none is required unless
    /// `receiver` sets one).
    pub async fn start_job_webhooks(
        &self,
        receiver: ReceiverBuilder,
        validate: Option<ValidateOptions>,
    ) -> Result<JobWebhooks, TrdError> {
        let started = match validate {
            Some(options) => self.start_webhook(receiver, options).await?,
            None => receiver.start().await?,
        };
        Ok(JobWebhooks::new(started))
    }
}
