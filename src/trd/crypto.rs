//! rustls needs one process-wide crypto provider for reqwest (built with `rustls-no-provider`);
//! this installs *ring* once unless the application already installed one.

/// Installs *ring* as the process default rustls crypto provider if none is installed yet.
/// Safe to call any number of times from any thread.
pub fn ensure_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing the race to another installer is fine: a provider is then in place.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
