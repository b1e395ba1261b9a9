//! TLS client configuration shared by the token provider (reqwest) and the Socket.IO client
//! (tokio-tungstenite): one rustls `ring` provider, the webpki root store, plus optional extra
//! roots given in PEM (the emulator may serve TLS with a self-signed certificate).

use std::sync::{Arc, OnceLock};

use rustls::pki_types::{pem::PemObject, CertificateDer};
use rustls::{ClientConfig, RootCertStore};

/// A PEM input that could not be turned into trusted roots.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The text is not valid PEM.
    #[error("extra root certificates: invalid PEM: {0}")]
    Pem(String),
    /// Valid PEM without a `CERTIFICATE` block.
    #[error("extra root certificates: the PEM holds no certificate")]
    NoCertificate,
    /// A certificate rustls cannot use as a root.
    #[error("extra root certificates: rejected by rustls: {0}")]
    Rejected(#[from] rustls::Error),
}

/// Which roots a TLS client trusts: always the webpki (Mozilla) roots, plus any extra PEM roots.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    extra_roots_pem: Vec<Vec<u8>>,
}

impl std::fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsOptions")
            .field("extra_roots", &self.extra_root_count())
            .finish()
    }
}

impl TlsOptions {
    /// Also trust the certificates in `pem` (one or more `BEGIN CERTIFICATE` blocks).
    pub fn trust_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.extra_roots_pem.push(pem.into());
        self
    }

    /// How many PEM inputs were added with [`trust_pem`](Self::trust_pem).
    pub fn extra_root_count(&self) -> usize {
        self.extra_roots_pem.len()
    }

    /// A rustls client configuration on the `ring` provider with these roots. Without extra
    /// roots every caller shares one configuration (a root store costs tens of KB).
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, TlsError> {
        static WEBPKI_ONLY: OnceLock<Arc<ClientConfig>> = OnceLock::new();
        if self.extra_roots_pem.is_empty() {
            if let Some(shared) = WEBPKI_ONLY.get() {
                return Ok(shared.clone());
            }
            let config = self.build_config()?;
            return Ok(WEBPKI_ONLY.get_or_init(|| config).clone());
        }
        self.build_config()
    }

    fn build_config(&self) -> Result<Arc<ClientConfig>, TlsError> {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for pem in &self.extra_roots_pem {
            let certs = CertificateDer::pem_slice_iter(pem)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| TlsError::Pem(e.to_string()))?;
            if certs.is_empty() {
                return Err(TlsError::NoCertificate);
            }
            for cert in certs {
                roots.add(cert)?;
            }
        }
        let config = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Arc::new(config))
    }
}

/// Installs *ring* as the process-wide rustls default unless a provider is already
/// installed, so libraries that build their own configs (reqwest is built with
/// `rustls-no-provider`) find one. Safe to call any number of times from any thread.
pub fn ensure_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing the race to another installer is fine: a provider is then in place.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// The crypto provider libdas builds its own configs with (`ring`); also makes sure a
/// process default exists.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    ensure_crypto_provider();
    Arc::new(rustls::crypto::ring::default_provider())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_options_build_a_config() {
        TlsOptions::default().client_config().unwrap();
    }

    #[test]
    fn garbage_pem_is_rejected() {
        let err = TlsOptions::default()
            .trust_pem("not a certificate")
            .client_config()
            .unwrap_err();
        assert!(matches!(err, TlsError::NoCertificate), "{err}");
    }
}
