//! Trusted roots for every client connection (token endpoint, Socket.IO, AudioHook, TRD):
//! the emulator's TLS front, whose private CA the client trusts through `SSL_CERT_FILE` (given
//! to the policy explicitly; the variable itself is read in the `das` command's tests), through
//! an extra PEM root, or not at all (a typed unknown-issuer error naming the CA).

use crate::common;

use std::future::Future;
use std::time::Duration;

use das::audiohook::client::{ClientConfig, ClientError, ClientSession};
use das::audiohook::secret::ClientSecret;
use das::auth::{AuthError, TokenProvider};
use das::socketio::{Client, ConnectOptions, Reconnection, SocketIoError};
use das::tls::{CertEnv, TlsError, TlsOptions};
use das::trd::{TrdClient, TrdError};
use das_emulator::tls_front::PRIVATE_CA_NAME;
use das_emulator::{EmulatorConfig, EmulatorHandle, DEMO_TRD_TOKEN};

const WAIT: Duration = Duration::from_secs(15);

/// An emulator, and its TLS front's CA in a file (what `SSL_CERT_FILE` names).
struct Bed {
    emulator: EmulatorHandle,
    ca_file: tempfile::NamedTempFile,
}

impl Bed {
    async fn start() -> Bed {
        let emulator = common::start(EmulatorConfig::default()).await;
        let ca_file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(ca_file.path(), emulator.tls_ca_pem()).unwrap();
        Bed { emulator, ca_file }
    }

    /// The three ways to trust (or not) the CA; none reads this process's environment.
    fn trust(&self) -> [(Trust, TlsOptions); 3] {
        let no_env = || TlsOptions::default().cert_env(CertEnv::default());
        let cert_file = CertEnv {
            file: Some(self.ca_file.path().to_owned()),
            dirs: Vec::new(),
        };
        [
            (Trust::CertFile, TlsOptions::default().cert_env(cert_file)),
            (Trust::Pem, no_env().trust_pem(self.emulator.tls_ca_pem())),
            (Trust::Neither, no_env()),
        ]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trust {
    CertFile,
    Pem,
    Neither,
}

async fn bounded<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(WAIT, future)
        .await
        .unwrap_or_else(|_| panic!("{what}: no answer within {WAIT:?}"))
}

/// The unknown-issuer error names the private CA and the roots that were consulted.
fn assert_unknown_private_ca(error: &TlsError, consulted: &str) {
    let TlsError::UnknownIssuer(unknown) = error else {
        panic!("expected an unknown issuer, got {error:?}");
    };
    assert!(unknown.issuer.contains(PRIVATE_CA_NAME), "{unknown:?}");
    assert!(unknown.consulted.contains(consulted), "{unknown:?}");
    assert!(error.to_string().contains(PRIVATE_CA_NAME), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn token_endpoint() {
    let bed = Bed::start().await;
    for (trust, tls) in bed.trust() {
        let token = TokenProvider::client_credentials(
            bed.emulator.tls_url("https", "/socket.io/oauth2/token"),
            bed.emulator.client_id(),
            bed.emulator.client_secret(),
        )
        .tls(tls)
        .max_attempts(3)
        .build()
        .unwrap();
        let result = bounded("token", token.token()).await;
        match (trust, result) {
            (Trust::Neither, Err(AuthError::Tls(error))) => {
                assert_unknown_private_ca(&error, "bundled Mozilla roots")
            }
            (Trust::CertFile | Trust::Pem, Ok(token)) => assert_eq!(token.token_type(), "Bearer"),
            (trust, other) => panic!("{trust:?}: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn socketio() {
    let bed = Bed::start().await;
    // The token comes over plain HTTP: only the signalling connection meets the CA.
    let token = TokenProvider::client_credentials(
        bed.emulator.token_url(),
        bed.emulator.client_id(),
        bed.emulator.client_secret(),
    )
    .build()
    .unwrap();
    for (trust, tls) in bed.trust() {
        let options = ConnectOptions::new(bed.emulator.tls_url("https", "/socket.io"))
            .token_provider(token.clone())
            .namespace("/socket.io/register")
            .reconnection(Reconnection::disabled())
            .connect_timeout(WAIT)
            .tls(tls);
        match (trust, bounded("connect", Client::connect(options)).await) {
            (Trust::Neither, Err(SocketIoError::Tls(error))) => {
                assert_unknown_private_ca(&error, "bundled Mozilla roots")
            }
            (Trust::CertFile | Trust::Pem, Ok((client, _events))) => client.disconnect().await,
            (trust, Err(other)) => panic!("{trust:?}: {other:?}"),
            (trust, Ok(_)) => panic!("{trust:?}: connected"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn audiohook() {
    let bed = Bed::start().await;
    for (trust, tls) in bed.trust() {
        let mut config = ClientConfig::new(
            bed.emulator
                .tls_url("wss", "/audiohook/ws")
                .parse()
                .unwrap(),
            uuid::Uuid::new_v4(),
            bed.emulator.audiohook_api_key(),
            ClientSecret::from_base64(bed.emulator.audiohook_client_secret()).unwrap(),
        );
        config.tls = tls;
        match (trust, bounded("probe", ClientSession::probe(config)).await) {
            (Trust::Neither, Err(ClientError::Tls(error))) => {
                assert_unknown_private_ca(&error, "bundled Mozilla roots")
            }
            (Trust::CertFile | Trust::Pem, Ok(())) => {}
            (trust, other) => panic!("{trust:?}: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn trd() {
    let bed = Bed::start().await;
    for (trust, tls) in bed.trust() {
        let client = TrdClient::builder(bed.emulator.tls_url("https", "/trd/v3"))
            .bearer(DEMO_TRD_TOKEN)
            .timeout(WAIT)
            .tls(tls)
            .build()
            .unwrap();
        match (trust, bounded("whoami", client.whoami()).await) {
            (Trust::Neither, Err(TrdError::Tls(error))) => {
                assert_unknown_private_ca(&error, "bundled Mozilla roots")
            }
            (Trust::CertFile | Trust::Pem, Ok(address)) => assert_eq!(address, "127.0.0.1"),
            (trust, other) => panic!("{trust:?}: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bundled_only_ignores_ssl_cert_file() {
    let bed = Bed::start().await;
    let env = CertEnv {
        file: Some(bed.ca_file.path().to_owned()),
        dirs: Vec::new(),
    };
    let tls = TlsOptions::default()
        .cert_env(env)
        .trusted_roots(das::tls::TrustedRoots::Bundled);
    let client = TrdClient::builder(bed.emulator.tls_url("https", "/trd/v3"))
        .bearer(DEMO_TRD_TOKEN)
        .timeout(WAIT)
        .tls(tls)
        .build()
        .unwrap();
    match bounded("whoami", client.whoami()).await {
        Err(TrdError::Tls(error)) => {
            assert_unknown_private_ca(&error, "bundled Mozilla roots (");
            let TlsError::UnknownIssuer(unknown) = error else {
                unreachable!("checked above")
            };
            assert!(!unknown.consulted.contains("SSL_CERT_FILE"), "{unknown:?}");
        }
        other => panic!("{other:?}"),
    }
}
