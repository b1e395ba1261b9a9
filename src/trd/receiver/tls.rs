//! TLS for the receiver: the user's PEM certificate and key, or a freshly generated self-signed
//! certificate whose PEM is what `POST /webhook/validate` registers with TRD.

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use super::error::ReceiverError;

/// A server certificate chain with its key, and the PEM text of the chain.
pub(crate) struct ServerIdentity {
    pub(crate) acceptor: TlsAcceptor,
    pub(crate) certificate_pem: String,
}

/// Generates a self-signed certificate for `hosts` (DNS names or IP addresses).
pub(crate) fn self_signed(hosts: &[String]) -> Result<ServerIdentity, ReceiverError> {
    let generated = rcgen::generate_simple_self_signed(hosts.to_vec())?;
    from_pem(
        &generated.cert.pem(),
        &generated.signing_key.serialize_pem(),
    )
}

/// Loads a PEM certificate chain and private key.
pub(crate) fn from_pem(cert_pem: &str, key_pem: &str) -> Result<ServerIdentity, ReceiverError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| ReceiverError::Tls(format!("certificate PEM: {e}")))?;
    if chain.is_empty() {
        return Err(ReceiverError::Tls("no certificate in the PEM text".into()));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes())
        .map_err(|e| ReceiverError::Tls(format!("private key PEM: {e}")))?;
    let provider = Arc::new(crate::tls::ring_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ReceiverError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| ReceiverError::Tls(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(ServerIdentity {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        certificate_pem: cert_pem.to_owned(),
    })
}
