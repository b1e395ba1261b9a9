//! A TLS front for the emulator: a private CA issues a certificate for `localhost`, the front
//! terminates TLS with it and relays the bytes to the emulator's plain listener. Clients then
//! meet a server they trust only through that CA (an extra PEM root, `SSL_CERT_FILE`, a system
//! store), as behind an inspecting proxy or with an on-premises CA.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

/// The common name of every [`PrivateCa`], as an unknown-issuer error names it.
pub const PRIVATE_CA_NAME: &str = "das emulator private CA";

/// Why a [`PrivateCa`] could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PrivateCaError {
    /// Generating a key or certificate failed.
    #[error("generating the private CA: {0}")]
    Certificate(#[from] rcgen::Error),
    /// rustls refused the server certificate.
    #[error("TLS server configuration: {0}")]
    Tls(#[from] rustls::Error),
}

/// A fresh certificate authority and a `localhost` server certificate it signed.
#[derive(Debug)]
pub struct PrivateCa {
    ca_pem: String,
    server: rustls::ServerConfig,
}

impl PrivateCa {
    /// Generates the CA and the server certificate (for `localhost`, `127.0.0.1` and
    /// `das-emulator.test`, the name the proxy tests give the emulator, see docs/testing.md).
    pub fn generate() -> Result<Self, PrivateCaError> {
        let mut ca = CertificateParams::new(Vec::<String>::new())?;
        ca.distinguished_name
            .push(DnType::CommonName, PRIVATE_CA_NAME);
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_key = KeyPair::generate()?;
        let ca_pem = ca.self_signed(&ca_key)?.pem();
        let issuer = Issuer::new(ca, ca_key);

        let names = ["localhost", "127.0.0.1", "das-emulator.test"].map(str::to_owned);
        let mut leaf = CertificateParams::new(names.to_vec())?;
        leaf.distinguished_name
            .push(DnType::CommonName, "localhost");
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let leaf_key = KeyPair::generate()?;
        let leaf_cert = leaf.signed_by(&leaf_key, &issuer)?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let server = rustls::ServerConfig::builder_with_provider(das::tls::provider())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(vec![leaf_cert.der().clone()], key)?;
        Ok(PrivateCa { ca_pem, server })
    }

    /// The CA certificate, the root a client must trust.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }
}

/// A running TLS front; dropping it stops accepting connections.
#[derive(Debug)]
pub struct TlsFront {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl TlsFront {
    /// Listens on `127.0.0.1` and relays each TLS connection to `backend` (an emulator's
    /// `local_addr`). Failed handshakes (clients that do not trust the CA) just end.
    pub async fn start(backend: SocketAddr, ca: &PrivateCa) -> io::Result<TlsFront> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let acceptor = TlsAcceptor::from(Arc::new(ca.server.clone()));
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                tokio::spawn(relay(acceptor.clone(), tcp, backend));
            }
        });
        Ok(TlsFront { addr, task })
    }

    /// `scheme://localhost:PORT{path}`, e.g. `url("wss", "/audiohook/ws")`.
    pub fn url(&self, scheme: &str, path: &str) -> String {
        format!("{scheme}://localhost:{}{path}", self.addr.port())
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn relay(acceptor: TlsAcceptor, tcp: TcpStream, backend: SocketAddr) {
    // Events are small writes; Nagle must not hold them on either side (as on the emulator's
    // own listener). On the client's side it did: a response leaving as two TLS records
    // waited for the client's delayed ACK, 40 ms at every connection.
    let _ = tcp.set_nodelay(true);
    let Ok(mut tls) = acceptor.accept(tcp).await else {
        return;
    };
    let Ok(mut plain) = TcpStream::connect(backend).await else {
        return;
    };
    let _ = plain.set_nodelay(true);
    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
}
