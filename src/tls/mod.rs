//! TLS client configuration shared by every client connection (token endpoint, Socket.IO,
//! audio channels, TRD): one rustls `ring` provider and one trust policy, the bundled roots,
//! the machine's roots and extra PEM roots (see [`TrustedRoots`]).

mod cache;
mod error;
mod roots;
mod verifier;

use std::borrow::Cow;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::ClientConfig;

pub(crate) use cache::{
    hold as hold_config_cache, try_hold as try_hold_config_cache, Held as HeldConfigs,
};
pub use error::{TlsError, UnknownIssuer};
pub use roots::{check_pem, CertEnv, RootsConsulted, TrustedRoots};
pub(crate) use roots::{hold_os_roots, HeldOsRoots};

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

    /// A rustls client configuration on the `ring` provider with these roots. Equal options
    /// (the same choice, extra PEM and `SSL_CERT_FILE` / `SSL_CERT_DIR` values) share one
    /// configuration per process: building one parses every root and reads the variables'
    /// files, milliseconds that each connection would otherwise pay.
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, TlsError> {
        let key = cache::RootsKey {
            trusted: self.trusted,
            env: self.cert_env.clone().unwrap_or_else(CertEnv::from_process),
            extra_roots_pem: Cow::Borrowed(&self.extra_roots_pem),
        };
        cache::shared(key, build_config)
    }
}

fn build_config(key: &cache::RootsKey) -> Result<Arc<ClientConfig>, TlsError> {
    let (roots, consulted) = roots::root_store(key.trusted, &key.env, &key.extra_roots_pem)?;
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

/// Installs *ring* as the process-wide rustls default unless a provider is already
/// installed, so libraries that build their own configs (reqwest is built with
/// `rustls-no-provider`) find one. Safe to call any number of times from any thread.
pub fn ensure_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing the race to another installer is fine: a provider is then in place.
        let _ = ring_provider().install_default();
    }
}

/// The crypto provider libdas builds its own configs with (`ring`); also makes sure a
/// process default exists.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    ensure_crypto_provider();
    Arc::new(ring_provider())
}

/// *ring*'s provider. rustls 0.23.48 deprecates it for lacking post-quantum key exchange,
/// which its aws-lc-rs provider has; that one needs a C toolchain and CMake to build and
/// adds megabytes to `libdas.so` and the wheel. libdas stays on *ring* (classical X25519
/// and P-256 key exchange, as the services it talks to offer) until it moves, deliberately.
#[allow(deprecated)]
pub(crate) fn ring_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_options_build_a_config() {
        TlsOptions::default().client_config().unwrap();
    }

    fn self_signed_pem(name: &str) -> String {
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(vec![name.to_owned()]).unwrap();
        params.self_signed(&key).unwrap().pem()
    }

    fn env_with_file(file: &std::path::Path) -> CertEnv {
        CertEnv {
            file: Some(file.to_owned()),
            dirs: Vec::new(),
        }
    }

    #[test]
    fn equal_options_share_one_configuration() {
        let pem = self_signed_pem("shared.example");
        let options = || TlsOptions::default().trust_pem(pem.clone());
        let first = options().client_config().unwrap();
        assert!(Arc::ptr_eq(&first, &options().client_config().unwrap()));
        let other = TlsOptions::default().trust_pem(self_signed_pem("other.example"));
        assert!(!Arc::ptr_eq(&first, &other.client_config().unwrap()));
        let bundled = options().trusted_roots(TrustedRoots::Bundled);
        assert!(!Arc::ptr_eq(&first, &bundled.client_config().unwrap()));
    }

    #[test]
    fn another_ssl_cert_file_builds_another_configuration() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.pem"), dir.path().join("b.pem"));
        std::fs::write(&a, self_signed_pem("a.example")).unwrap();
        std::fs::write(&b, self_signed_pem("b.example")).unwrap();
        let system = |file: &std::path::Path| {
            TlsOptions::default()
                .trusted_roots(TrustedRoots::System)
                .cert_env(env_with_file(file))
                .client_config()
                .unwrap()
        };
        let from_a = system(&a);
        assert!(Arc::ptr_eq(&from_a, &system(&a)));
        assert!(!Arc::ptr_eq(&from_a, &system(&b)));
    }

    #[test]
    fn a_failed_build_is_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("later.pem");
        let options = TlsOptions::default()
            .trusted_roots(TrustedRoots::System)
            .cert_env(env_with_file(&file));
        let err = options.client_config().unwrap_err();
        assert!(matches!(err, TlsError::CertEnv { .. }), "{err}");
        std::fs::write(&file, self_signed_pem("later.example")).unwrap();
        options.client_config().unwrap();
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
