//! rustls's webpki verifier, with an unknown issuer reported by name and with the roots that
//! were consulted (rustls says only `UnknownIssuer`).

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error, OtherError, SignatureScheme};

use super::error::UnknownIssuer;

#[derive(Debug)]
pub(super) struct NamingVerifier {
    pub(super) inner: Arc<WebPkiServerVerifier>,
    pub(super) consulted: String,
}

impl ServerCertVerifier for NamingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .map_err(|error| match error {
                Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
                    let unknown = UnknownIssuer {
                        issuer: issuer_name(intermediates.last().unwrap_or(end_entity)),
                        consulted: self.consulted.clone(),
                    };
                    Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(
                        unknown,
                    ))))
                }
                other => other,
            })
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// The issuer of the top certificate the server sent: the root the chain needs.
fn issuer_name(cert: &CertificateDer<'_>) -> String {
    match x509_parser::parse_x509_certificate(cert) {
        Ok((_, parsed)) => parsed.issuer().to_string(),
        Err(_) => "(unparsable certificate)".to_owned(),
    }
}
