//! TLS client configuration shared by every client connection (token endpoint, Socket.IO,
//! audio channels, TRD): one rustls `ring` provider and one trust policy, the bundled roots,
//! the machine's roots and extra PEM roots (see [`TrustedRoots`]).

mod error;
mod roots;
mod verifier;

use std::sync::{Arc, OnceLock};

use rustls::client::WebPkiServerVerifier;
use rustls::ClientConfig;

pub use error::{TlsError, UnknownIssuer};
pub use roots::{check_pem, CertEnv, RootsConsulted, TrustedRoots};

/// Which roots a TLS client trusts: by default the bundled (Mozilla) roots and the machine's,
/// plus any extra PEM roots.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    trusted: TrustedRoots,
    cert_env: Option<CertEnv>,
    extra_roots_pem: Vec<Vec<u8>>,
}

impl std::fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsOptions")
            .field("trusted", &self.trusted)
            .field("cert_env", &self.cert_env)
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

    /// Which root sets to trust besides the extra PEM roots. Default [`TrustedRoots::Both`].
    pub fn trusted_roots(mut self, trusted: TrustedRoots) -> Self {
        self.trusted = trusted;
        self
    }

    /// Reads the machine's roots as if `SSL_CERT_FILE` / `SSL_CERT_DIR` were `env`, instead of
    /// this process's variables.
    pub fn cert_env(mut self, env: CertEnv) -> Self {
        self.cert_env = Some(env);
        self
    }

    /// The root sets trusted besides the extra PEM roots.
    pub fn trusted(&self) -> TrustedRoots {
        self.trusted
    }

    /// How many PEM inputs were added with [`trust_pem`](Self::trust_pem).
    pub fn extra_root_count(&self) -> usize {
        self.extra_roots_pem.len()
    }

    /// A rustls client configuration on the `ring` provider with these roots. The default
    /// options share one configuration per process (the roots cost tens of KB and reading the
    /// system store milliseconds).
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, TlsError> {
        static DEFAULT: OnceLock<Arc<ClientConfig>> = OnceLock::new();
        if *self == TlsOptions::default() {
            if let Some(shared) = DEFAULT.get() {
                return Ok(shared.clone());
            }
            let config = self.build_config()?;
            return Ok(DEFAULT.get_or_init(|| config).clone());
        }
        self.build_config()
    }

    fn build_config(&self) -> Result<Arc<ClientConfig>, TlsError> {
        let env = self.cert_env.clone().unwrap_or_else(CertEnv::from_process);
        let (roots, consulted) = roots::root_store(self.trusted, &env, &self.extra_roots_pem)?;
        if roots.is_empty() {
            return Err(TlsError::NoRoots(consulted));
        }
        let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()
            .map_err(|e| TlsError::Rejected(rustls::Error::General(e.to_string())))?;
        let verifier = verifier::NamingVerifier {
            inner,
            consulted: consulted.to_string(),
        };
        let config = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .dangerous() // rustls's name for "custom verifier": still webpki, see verifier.rs
            .with_custom_certificate_verifier(Arc::new(verifier))
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
        let err = check_pem(b"not a certificate").unwrap_err();
        assert!(matches!(err, TlsError::NoCertificate), "{err}");
    }

    #[test]
    fn policy_names_round_trip() {
        for policy in [
            TrustedRoots::Bundled,
            TrustedRoots::System,
            TrustedRoots::Both,
        ] {
            assert_eq!(policy.name().parse::<TrustedRoots>().unwrap(), policy);
        }
        let err = "all".parse::<TrustedRoots>().unwrap_err();
        assert!(matches!(err, TlsError::UnknownPolicy(_)), "{err}");
    }

    #[test]
    fn a_missing_ssl_cert_file_is_named() {
        let env = CertEnv {
            file: Some("/nonexistent/das-roots.pem".into()),
            dirs: Vec::new(),
        };
        let err = TlsOptions::default()
            .cert_env(env)
            .client_config()
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("SSL_CERT_FILE=/nonexistent/das-roots.pem"),
            "{err}"
        );
    }

    #[test]
    fn system_only_with_an_empty_ssl_cert_dir_has_no_roots() {
        let dir = tempfile::tempdir().unwrap();
        let env = CertEnv {
            file: None,
            dirs: vec![dir.path().to_owned()],
        };
        let err = TlsOptions::default()
            .trusted_roots(TrustedRoots::System)
            .cert_env(env)
            .client_config()
            .unwrap_err();
        assert!(matches!(err, TlsError::NoRoots(_)), "{err}");
    }
}
