//! Which roots a TLS client trusts: the bundled Mozilla roots, the machine's (its certificate
//! store, or `SSL_CERT_FILE` / `SSL_CERT_DIR` when set), both, plus extra PEM roots.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Mutex, MutexGuard};

use rustls::pki_types::{pem::PemObject, CertificateDer};
use rustls::RootCertStore;

use super::error::TlsError;

/// The root sets a client trusts besides explicit extra PEM roots.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum TrustedRoots {
    /// Only the Mozilla roots built into libdas (the same on every machine).
    Bundled,
    /// Only the machine's roots: `SSL_CERT_FILE` / `SSL_CERT_DIR` when either is set, otherwise
    /// the operating system's store (where IT installs an inspecting proxy's root).
    System,
    /// The bundled roots and the machine's.
    #[default]
    Both,
}

impl TrustedRoots {
    /// The lowercase name every surface uses: `bundled`, `system` or `both`.
    pub fn name(self) -> &'static str {
        match self {
            TrustedRoots::Bundled => "bundled",
            TrustedRoots::System => "system",
            TrustedRoots::Both => "both",
        }
    }

    fn bundled(self) -> bool {
        self != TrustedRoots::System
    }

    fn system(self) -> bool {
        self != TrustedRoots::Bundled
    }
}

impl fmt::Display for TrustedRoots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for TrustedRoots {
    type Err = TlsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "bundled" => Ok(TrustedRoots::Bundled),
            "system" => Ok(TrustedRoots::System),
            "both" => Ok(TrustedRoots::Both),
            other => Err(TlsError::UnknownPolicy(other.to_owned())),
        }
    }
}

/// The OpenSSL variables that replace the operating system's store: `SSL_CERT_FILE` (a PEM
/// bundle) and `SSL_CERT_DIR` (directories of PEM files, `:`-separated).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertEnv {
    /// `SSL_CERT_FILE`.
    pub file: Option<PathBuf>,
    /// `SSL_CERT_DIR`, split at `:`.
    pub dirs: Vec<PathBuf>,
}

impl CertEnv {
    /// The variables as this process sees them; empty values count as unset.
    pub fn from_process() -> Self {
        let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
        CertEnv {
            file: var("SSL_CERT_FILE").map(PathBuf::from),
            dirs: var("SSL_CERT_DIR")
                .map(|dirs| std::env::split_paths(&dirs).collect())
                .unwrap_or_default(),
        }
    }

    fn is_set(&self) -> bool {
        self.file.is_some() || !self.dirs.is_empty()
    }
}

/// Where the roots of one client configuration came from, for error messages: e.g.
/// `bundled Mozilla roots (146), SSL_CERT_FILE /etc/corp.pem (1), extra PEM (1)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RootsConsulted(Vec<(String, usize)>);

impl fmt::Display for RootsConsulted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("none");
        }
        for (i, (source, count)) in self.0.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{source} ({count})")?;
        }
        Ok(())
    }
}

/// Builds the root store for `policy`, the machine's roots read from `env`, plus `extra_pem`.
pub(super) fn root_store(
    policy: TrustedRoots,
    env: &CertEnv,
    extra_pem: &[Vec<u8>],
) -> Result<(RootCertStore, RootsConsulted), TlsError> {
    let mut roots = RootCertStore::empty();
    let mut consulted = Vec::new();
    if policy.bundled() {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        consulted.push((
            "bundled Mozilla roots".to_owned(),
            webpki_roots::TLS_SERVER_ROOTS.len(),
        ));
    }
    if policy.system() {
        for (source, certs) in machine_roots(env)? {
            // A store may hold a few certificates webpki cannot use; the rest still count.
            let (added, _ignored) = roots.add_parsable_certificates(certs);
            consulted.push((source, added));
        }
    }
    let mut extra = 0;
    for pem in extra_pem {
        for cert in pem_certificates(pem)? {
            roots.add(cert)?;
            extra += 1;
        }
    }
    if extra > 0 {
        consulted.push(("extra PEM".to_owned(), extra));
    }
    Ok((roots, RootsConsulted(consulted)))
}

type Certs = Vec<CertificateDer<'static>>;

/// Checks that `pem` holds certificates rustls accepts as roots, and says how many.
pub fn check_pem(pem: &[u8]) -> Result<usize, TlsError> {
    let mut roots = RootCertStore::empty();
    for cert in pem_certificates(pem)? {
        roots.add(cert)?;
    }
    Ok(roots.len())
}

fn pem_certificates(pem: &[u8]) -> Result<Certs, TlsError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Pem(e.to_string()))?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate);
    }
    Ok(certs)
}

/// The machine's roots, labelled by source: the variables' files when set (as OpenSSL does,
/// they replace the store), otherwise the operating system's store.
fn machine_roots(env: &CertEnv) -> Result<Vec<(String, Certs)>, TlsError> {
    if !env.is_set() {
        return Ok(vec![os_store()]);
    }
    let mut sources = Vec::new();
    if let Some(file) = &env.file {
        let loaded = rustls_native_certs::load_certs_from_paths(Some(file), None);
        let certs = loaded_or_error("SSL_CERT_FILE", file, loaded)?;
        sources.push((format!("SSL_CERT_FILE {}", file.display()), certs));
    }
    for dir in &env.dirs {
        let loaded = rustls_native_certs::load_certs_from_paths(None, Some(dir));
        let certs = loaded_or_error("SSL_CERT_DIR", dir, loaded)?;
        sources.push((format!("SSL_CERT_DIR {}", dir.display()), certs));
    }
    Ok(sources)
}

/// A path the user named must be readable: a typo there would otherwise surface only as an
/// unknown issuer at the first handshake.
fn loaded_or_error(
    variable: &'static str,
    path: &std::path::Path,
    loaded: rustls_native_certs::CertificateResult,
) -> Result<Certs, TlsError> {
    match loaded.errors.first() {
        Some(error) if loaded.certs.is_empty() => Err(TlsError::CertEnv {
            variable,
            path: path.to_owned(),
            message: error.to_string(),
        }),
        _ => Ok(loaded.certs),
    }
}

/// The operating system's store, read once per process (parsing it costs milliseconds). An
/// unreadable store (a minimal container) counts as empty and says why in the label.
fn os_store() -> (String, Certs) {
    let mut store = lock_os_store();
    store
        .get_or_insert_with(|| {
            let loaded = rustls_native_certs::load_native_certs();
            match loaded.errors.first() {
                Some(error) if loaded.certs.is_empty() => {
                    (format!("system store, unreadable: {error}"), Vec::new())
                }
                _ => ("system store".to_owned(), loaded.certs),
            }
        })
        .clone()
}

/// A lock rather than a `OnceLock`, so that a fork can wait for a load under way (see
/// `runtime::process`): a child forked during one would wait for it forever.
static OS_STORE: Mutex<Option<(String, Certs)>> = Mutex::new(None);

fn lock_os_store() -> MutexGuard<'static, Option<(String, Certs)>> {
    // Filled in one step: a panic while loading leaves it empty.
    OS_STORE.lock().unwrap_or_else(|p| p.into_inner())
}

/// The operating system store's lock, held by the forking thread across `fork()`.
pub(crate) struct HeldOsRoots {
    _held: MutexGuard<'static, Option<(String, Certs)>>,
}

/// Waits for the operating system store's lock (for a load under way to finish).
pub(crate) fn hold_os_roots() -> HeldOsRoots {
    HeldOsRoots {
        _held: lock_os_store(),
    }
}
