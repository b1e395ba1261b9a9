//! Every client connection through a real SOCKS5 proxy (microsocks, scripts/proxy-bed
//! --socks5): the emulator is addressed by a name only the proxy resolves, so each connection
//! that works went through it (`socks5h://`), while `socks5://` resolves names here and
//! cannot reach it. TRD over TLS inside the tunnel chosen by `ALL_PROXY`, and the typed
//! refusals: no or wrong credentials, a target the proxy cannot connect to. (A registration
//! through it, with credentials, is in `proxy::`.)

use crate::common;
use crate::common::proxy_bed::{behind_proxy, free_port, ProxyBed};
use crate::proxy::{connect_signalling, trd, via, CREDENTIALS};

use das::auth::{AuthError, TokenProvider};
use das::proxy::{ProxyEnv, ProxyError, ProxySetting};
use das::socketio::SocketIoError;
use das::tls::TlsOptions;
use das::trd::TrdError;
use das_emulator::EmulatorConfig;

#[tokio::test(flavor = "multi_thread")]
async fn all_proxy_picks_socks5_for_tls_inside_the_tunnel_and_socks5_resolves_names_here() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let proxy = ProxyBed::socks5(None);
    let all_proxy = proxy.url(None);
    let env = ProxySetting::Environment(ProxyEnv::from_lookup(move |name| {
        (name == "ALL_PROXY").then(|| all_proxy.clone())
    }));
    let tls = TlsOptions::default().trust_pem(emulator.tls_ca_pem());
    let secure = behind_proxy(&emulator.tls_url("https", "/trd/v3"));
    assert_eq!(trd(&secure, env, tls).whoami().await.unwrap(), "127.0.0.1");
    // socks5:// sends addresses: the name only the proxy knows fails here, before the proxy;
    // an address goes through.
    let local_dns = ProxySetting::parse(&proxy.url(None).replace("socks5h", "socks5")).unwrap();
    let named = trd(
        &behind_proxy(&emulator.trd_url()),
        local_dns.clone(),
        TlsOptions::default(),
    );
    match named.whoami().await {
        Err(TrdError::Connect { .. }) => {}
        other => panic!("{other:?}"),
    }
    match connect_signalling(&emulator, local_dns.clone()).await {
        Err(SocketIoError::Transport(message)) => {
            assert!(!message.contains("socks5"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    let by_address = trd(&emulator.trd_url(), local_dns, TlsOptions::default());
    assert_eq!(by_address.whoami().await.unwrap(), "127.0.0.1");
}

#[tokio::test(flavor = "multi_thread")]
async fn socks5_refusals_say_why_and_never_show_the_password() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let proxy = ProxyBed::socks5(Some(CREDENTIALS));
    for (credentials, why) in [
        (None, "requires authentication"),
        (
            Some("agent:wrong-password"),
            "user name or password refused",
        ),
    ] {
        let setting = via(&proxy, credentials);
        match connect_signalling(&emulator, setting.clone()).await {
            Err(SocketIoError::Proxy(e @ ProxyError::SocksRefused { reply: None, .. })) => {
                assert!(e.to_string().contains(why), "{e}");
                assert!(!e.to_string().contains("wrong-password"), "{e}");
            }
            other => panic!("{other:?}"),
        }
        // The token request: reqwest's SOCKS5 client, whose refusal is read again.
        let provider = TokenProvider::client_credentials(
            behind_proxy(&emulator.token_url()),
            emulator.client_id(),
            emulator.client_secret(),
        )
        .proxy(setting)
        .max_attempts(1)
        .build()
        .unwrap();
        match provider.token().await {
            Err(AuthError::Proxy(e)) => assert!(e.to_string().contains(why), "{e}"),
            other => panic!("{other:?}"),
        }
    }
    // Nothing listens on the target's port: the proxy's CONNECT reply says so.
    let closed = format!("http://das-emulator.test:{}/trd/v3", free_port());
    let client = trd(
        &closed,
        via(&proxy, Some(CREDENTIALS)),
        TlsOptions::default(),
    );
    match client.whoami().await {
        Err(TrdError::Proxy(e @ ProxyError::SocksRefused { reply: Some(5), .. })) => {
            assert!(e.to_string().contains("connection refused"), "{e}")
        }
        other => panic!("{other:?}"),
    }
}
