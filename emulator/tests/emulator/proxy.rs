//! Every client connection through a real HTTP proxy (tinyproxy, scripts/proxy-bed): the
//! emulator is addressed by a name only the proxy resolves, so each connection that works went
//! through it. Registrations over AudioHook and Twilio, TRD whoami (plain, and TLS inside the
//! tunnel), proxy authentication right and wrong, NO_PROXY, and the typed failures: an
//! unreachable proxy, a refusal (403, 407) and a proxy that never answers the CONNECT.

use crate::common;
use crate::common::proxy_bed::{behind_proxy, free_port, ProxyBed};

use std::time::Duration;

use das::audio::pacing::Pacing;
use das::audiohook::secret::ClientSecret;
use das::auth::{AuthError, TokenProvider};
use das::channel::{AudioChannelConfig, ProtocolConfig};
use das::proxy::{ProxyEnv, ProxyError, ProxySetting};
use das::session::{Event, RegisterSession, SessionError};
use das::socketio::{Client, ConnectOptions, Reconnection, SocketIoError};
use das::tls::TlsOptions;
use das::trd::{TrdClient, TrdError};
use das::twilio::TwilioMode;
use das_emulator::{EmulatorConfig, EmulatorHandle, DEMO_TRD_TOKEN};

pub(super) const WAIT: Duration = Duration::from_secs(20);
pub(super) const CREDENTIALS: &str = "agent:s3cret-proxy";

pub(super) fn via(proxy: &ProxyBed, credentials: Option<&str>) -> ProxySetting {
    ProxySetting::parse(&proxy.url(credentials)).unwrap()
}

pub(super) fn token(emulator: &EmulatorHandle, proxy: ProxySetting) -> TokenProvider {
    token_trusting(emulator, proxy, TlsOptions::default())
}

fn token_trusting(
    emulator: &EmulatorHandle,
    proxy: ProxySetting,
    tls: TlsOptions,
) -> TokenProvider {
    TokenProvider::client_credentials(
        behind_proxy(&emulator.token_url()),
        emulator.client_id(),
        emulator.client_secret(),
    )
    .proxy(proxy)
    .tls(tls)
    .max_attempts(1)
    .build()
    .unwrap()
}

fn audiohook(emulator: &EmulatorHandle) -> AudioChannelConfig {
    AudioChannelConfig::new(
        behind_proxy(&emulator.audiohook_url()).parse().unwrap(),
        ProtocolConfig::AudioHook {
            organization_id: uuid::Uuid::new_v4(),
            api_key: emulator.audiohook_api_key().into(),
            client_secret: ClientSecret::from_base64(emulator.audiohook_client_secret()).unwrap(),
            media_offers: None,
        },
    )
}

fn twilio(emulator: &EmulatorHandle) -> AudioChannelConfig {
    AudioChannelConfig::new(
        behind_proxy(&emulator.twilio_url()).parse().unwrap(),
        ProtocolConfig::Twilio {
            mode: TwilioMode::Subset,
        },
    )
}

/// Registers speaker A with every connection through `proxy`, each trusting `tls` (an HTTPS
/// proxy's issuer); returns the result event.
async fn register(
    emulator: &EmulatorHandle,
    proxy: ProxySetting,
    channel: AudioChannelConfig,
    tls: TlsOptions,
) {
    let mut channel = channel;
    channel.pacing = Pacing::AsFastAsPossible;
    channel.tls = tls.clone();
    let mut session = RegisterSession::builder(
        behind_proxy(&emulator.socketio_url()),
        token_trusting(emulator, proxy.clone(), tls.clone()),
    )
    .audio_channel(channel)
    .tls(tls)
    .proxy(proxy)
    .start()
    .await
    .unwrap();
    let audio = session.audio();
    audio
        .push_wav(common::sample("speaker-a.wav"))
        .await
        .unwrap();
    audio.end();
    let result = loop {
        let event = session.next_event(WAIT).await.unwrap().expect("a result");
        if event.is_result() {
            break event;
        }
        if let Event::AudioEnded {
            error: Some(error), ..
        } = &event
        {
            panic!("audio channel failed: {error}");
        }
    };
    assert!(
        matches!(
            result,
            Event::ResultSuccess {
                credential: Some(_),
                ..
            }
        ),
        "{result:?}"
    );
    session.close().await;
}

/// Over HTTP (tinyproxy), HTTPS (tinyproxy behind stunnel, its issuer trusted) and SOCKS5
/// (microsocks, `socks5h://`) alike.
#[tokio::test(flavor = "multi_thread")]
async fn a_registration_over_audiohook_goes_through_every_kind_of_proxy_with_credentials() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let https = ProxyBed::https(Some(CREDENTIALS));
    let trust_https = TlsOptions::default().trust_pem(https.ca_pem());
    for (proxy, tls) in [
        (ProxyBed::start(Some(CREDENTIALS)), TlsOptions::default()),
        (https, trust_https),
        (ProxyBed::socks5(Some(CREDENTIALS)), TlsOptions::default()),
    ] {
        register(
            &emulator,
            via(&proxy, Some(CREDENTIALS)),
            audiohook(&emulator),
            tls,
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_registration_over_twilio_goes_through_the_proxy() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let proxy = ProxyBed::start(None);
    register(
        &emulator,
        via(&proxy, None),
        twilio(&emulator),
        TlsOptions::default(),
    )
    .await;
}

pub(super) fn trd(url: &str, proxy: ProxySetting, tls: TlsOptions) -> TrdClient {
    TrdClient::builder(url)
        .bearer(DEMO_TRD_TOKEN)
        .timeout(WAIT)
        .tls(tls)
        .proxy(proxy)
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn trd_whoami_goes_through_the_proxy_plain_and_with_tls_inside_the_tunnel() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let proxy = ProxyBed::start(Some(CREDENTIALS));
    let setting = via(&proxy, Some(CREDENTIALS));
    let plain = trd(
        &behind_proxy(&emulator.trd_url()),
        setting.clone(),
        TlsOptions::default(),
    );
    assert_eq!(plain.whoami().await.unwrap(), "127.0.0.1");
    let tls = TlsOptions::default().trust_pem(emulator.tls_ca_pem());
    let secure = behind_proxy(&emulator.tls_url("https", "/trd/v3"));
    assert_eq!(
        trd(&secure, setting, tls).whoami().await.unwrap(),
        "127.0.0.1"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_proxy_the_name_does_not_resolve_and_no_proxy_bypasses_it() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let proxy = ProxyBed::start(None);
    let env = |no_proxy: &str| {
        let proxy_url = proxy.url(None);
        let no_proxy = no_proxy.to_owned();
        ProxySetting::Environment(ProxyEnv::from_lookup(move |name| match name {
            "https_proxy" | "http_proxy" => Some(proxy_url.clone()),
            "no_proxy" => Some(no_proxy.clone()),
            _ => None,
        }))
    };
    let url = behind_proxy(&emulator.trd_url());
    let direct = trd(&url, ProxySetting::Direct, TlsOptions::default());
    assert!(matches!(
        direct.whoami().await,
        Err(TrdError::Connect { .. })
    ));
    // The suffix names the host: the client looks it up itself, and cannot.
    let bypassed = trd(&url, env(".test"), TlsOptions::default());
    assert!(matches!(
        bypassed.whoami().await,
        Err(TrdError::Connect { .. })
    ));
    let proxied = trd(&url, env("other.test,10.0.0.0/8"), TlsOptions::default());
    assert_eq!(proxied.whoami().await.unwrap(), "127.0.0.1");
    // And NO_PROXY lets a loopback target skip the proxy (an unreachable one here).
    let unreachable = format!("http://127.0.0.1:{}", free_port());
    let loopback = ProxySetting::Environment(ProxyEnv::from_lookup(move |name| match name {
        "HTTP_PROXY" => Some(unreachable.clone()),
        "NO_PROXY" => Some("127.0.0.0/8".to_owned()),
        _ => None,
    }));
    let local = trd(&emulator.trd_url(), loopback, TlsOptions::default());
    assert_eq!(local.whoami().await.unwrap(), "127.0.0.1");
}

pub(super) async fn connect_signalling(
    emulator: &EmulatorHandle,
    proxy: ProxySetting,
) -> Result<(), SocketIoError> {
    // The token comes directly: only the signalling meets the proxy.
    let token = TokenProvider::client_credentials(
        emulator.token_url(),
        emulator.client_id(),
        emulator.client_secret(),
    )
    .proxy(ProxySetting::Direct)
    .build()
    .unwrap();
    let options = ConnectOptions::new(behind_proxy(&emulator.socketio_url()))
        .token_provider(token)
        .namespace("/socket.io/register")
        .reconnection(Reconnection::disabled())
        .connect_timeout(Duration::from_secs(2))
        .proxy(proxy);
    let (client, _events) = Client::connect(options).await?;
    client.disconnect().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_names_the_status_and_never_the_password() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let proxy = ProxyBed::start(Some(CREDENTIALS));
    let refused = |e: &ProxyError| e.status();
    // No credentials: 407; wrong ones: tinyproxy answers 401.
    for (credentials, status) in [(None, 407), (Some("agent:wrong-password"), 401)] {
        let setting = via(&proxy, credentials);
        match connect_signalling(&emulator, setting.clone()).await {
            Err(SocketIoError::Proxy(e)) => {
                assert_eq!(refused(&e), Some(status), "{e}");
                assert!(e.to_string().contains(&format!("HTTP {status}")), "{e}");
                assert!(!e.to_string().contains("wrong-password"), "{e}");
            }
            other => panic!("{other:?}"),
        }
        // The token request over TLS: reqwest's tunnel, whose refusal is read again.
        let provider = TokenProvider::client_credentials(
            behind_proxy(&emulator.tls_url("https", "/socket.io/oauth2/token")),
            emulator.client_id(),
            emulator.client_secret(),
        )
        .tls(TlsOptions::default().trust_pem(emulator.tls_ca_pem()))
        .proxy(setting)
        .build()
        .unwrap();
        match provider.token().await {
            Err(AuthError::Proxy(e)) => assert_eq!(refused(&e), Some(status), "{e}"),
            other => panic!("{other:?}"),
        }
    }
    // A target the proxy's filter refuses: 403 to the CONNECT (an http:// target gets the
    // proxy's answer in place of the server's, as with any HTTP client).
    let secure_blocked = trd(
        "https://blocked.test/trd/v3",
        via(&proxy, Some(CREDENTIALS)),
        TlsOptions::default(),
    );
    match secure_blocked.whoami().await {
        Err(TrdError::Proxy(e)) => assert_eq!(e.status(), Some(403), "{e}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_proxy_is_a_network_error_and_a_silent_one_a_timeout() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let unreachable = ProxySetting::parse(&format!("http://127.0.0.1:{}", free_port())).unwrap();
    match connect_signalling(&emulator, unreachable.clone()).await {
        Err(SocketIoError::Transport(message)) => {
            assert!(message.contains("refused"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    let session = RegisterSession::builder(
        behind_proxy(&emulator.socketio_url()),
        token(&emulator, unreachable),
    )
    .audio_channel(audiohook(&emulator))
    .start()
    .await;
    match session {
        Err(SessionError::Auth(e) | SessionError::Signalling(SocketIoError::Auth(e))) => {
            assert!(e.is_network(), "{e:?}")
        }
        other => panic!("{:?}", other.err()),
    }
    // A proxy that accepts the connection and never answers the CONNECT.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let silent_proxy = ProxySetting::parse(&format!("http://127.0.0.1:{port}")).unwrap();
    match connect_signalling(&emulator, silent_proxy).await {
        Err(SocketIoError::Proxy(e @ ProxyError::Timeout { .. })) => {
            assert!(e.to_string().contains("did not answer the CONNECT"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    held.abort();
}

/// The bed writes on the standard error it was given. It reopened it by path
/// (`exec 2>/dev/stderr`), which truncated the file the test runner's output went to: what the
/// tests had printed before became a run of NUL bytes in the CI log.
#[test]
fn the_bed_leaves_what_its_caller_logged_whole() {
    use std::io::{Read, Seek, Write};
    let mut log = tempfile::tempfile().unwrap();
    log.write_all(b"earlier output\n").unwrap();
    drop(ProxyBed::logging_to(&log));
    let mut written = Vec::new();
    log.rewind().unwrap();
    log.read_to_end(&mut written).unwrap();
    assert!(
        written.starts_with(b"earlier output\n") && !written.contains(&0),
        "{:?}",
        String::from_utf8_lossy(&written)
    );
}
