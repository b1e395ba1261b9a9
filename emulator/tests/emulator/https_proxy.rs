//! Connections through a real HTTPS proxy (tinyproxy behind stunnel, scripts/proxy-bed
//! --https): TLS to the proxy, checked against the connection's trusted roots, and the
//! target's own TLS inside the tunnel (TLS in TLS); a wrong password is the proxy's typed
//! refusal on das's tunnel and on reqwest's alike; a proxy certificate nobody trusts is a TLS
//! error, not a refusal. (A registration through it is in `proxy::`.)

use crate::common;
use crate::common::proxy_bed::{behind_proxy, ProxyBed};
use crate::proxy::{trd, via, CREDENTIALS};

use das::auth::{AuthError, TokenProvider};
use das::socketio::{Client, ConnectOptions, Reconnection, SocketIoError};
use das::tls::TlsOptions;
use das::trd::TrdError;
use das_emulator::{EmulatorConfig, EmulatorHandle};
use std::time::Duration;

fn signalling(
    emulator: &EmulatorHandle,
    bed: &ProxyBed,
    credentials: &str,
    tls: TlsOptions,
) -> ConnectOptions {
    let token = TokenProvider::client_credentials(
        emulator.token_url(),
        emulator.client_id(),
        emulator.client_secret(),
    )
    .proxy(das::proxy::ProxySetting::Direct)
    .build()
    .unwrap();
    ConnectOptions::new(behind_proxy(&emulator.socketio_url()))
        .token_provider(token)
        .namespace("/socket.io/register")
        .reconnection(Reconnection::disabled())
        .connect_timeout(Duration::from_secs(5))
        .tls(tls)
        .proxy(via(bed, Some(credentials)))
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_inside_the_proxys_tls_and_typed_failures() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let bed = ProxyBed::https(Some(CREDENTIALS));
    let trusted = TlsOptions::default()
        .trust_pem(bed.ca_pem())
        .trust_pem(emulator.tls_ca_pem());
    // TRD over TLS, inside the TLS to the proxy.
    let secure = behind_proxy(&emulator.tls_url("https", "/trd/v3"));
    let client = trd(&secure, via(&bed, Some(CREDENTIALS)), trusted.clone());
    assert_eq!(client.whoami().await.unwrap(), "127.0.0.1");

    // A wrong password: tinyproxy's 401, on the signalling's tunnel and on the token request.
    let wrong = "agent:wrong-password";
    match Client::connect(signalling(&emulator, &bed, wrong, trusted.clone())).await {
        Err(SocketIoError::Proxy(e)) => {
            assert_eq!(e.status(), Some(401), "{e}");
            assert!(!e.to_string().contains("wrong-password"), "{e}");
        }
        other => panic!("{:?}", other.err()),
    }
    let provider = TokenProvider::client_credentials(
        behind_proxy(&emulator.tls_url("https", "/socket.io/oauth2/token")),
        emulator.client_id(),
        emulator.client_secret(),
    )
    .tls(trusted)
    .proxy(via(&bed, Some(wrong)))
    .max_attempts(1)
    .build()
    .unwrap();
    match provider.token().await {
        Err(AuthError::Proxy(e)) => assert_eq!(e.status(), Some(401), "{e}"),
        other => panic!("{other:?}"),
    }

    // The proxy's certificate is checked like any server's: untrusted, the tunnel never opens.
    match Client::connect(signalling(
        &emulator,
        &bed,
        CREDENTIALS,
        TlsOptions::default(),
    ))
    .await
    {
        Err(SocketIoError::Tls(e)) => assert!(e.to_string().contains("certificate"), "{e}"),
        other => panic!("{:?}", other.err()),
    }
    let untrusting = trd(&secure, via(&bed, Some(CREDENTIALS)), TlsOptions::default());
    match untrusting.whoami().await {
        Err(TrdError::Tls(_)) => {}
        other => panic!("{other:?}"),
    }
}
