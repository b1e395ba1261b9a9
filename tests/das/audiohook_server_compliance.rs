//! The compliance cases of the Genesys suite (audiohook.md §5) and the server's validations,
//! driven by a raw WebSocket client speaking JSON to our AudioHook server.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use das::audiohook::messages::{DisconnectReason, MediaChannel};
use das::audiohook::secret::ClientSecret;
use das::audiohook::server::{AudioHookServer, Incoming, ServerConfig, SessionEnd, SessionEvent};
use das::audiohook::signature::{
    mac, new_nonce, serialize_params, signature_base, ParamValue, SignedRequest, COMPONENTS,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use uuid::Uuid;

const API_KEY: &str = "SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh";
const SECRET: &str = "TXlTdXBlclNlY3JldEtleVRlbGxOby0xITJAMyM0JDU=";
const WAIT: Duration = Duration::from_secs(10);
const PATH: &str = "/api/v1/audiohook/ws";

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

fn secret() -> ClientSecret {
    ClientSecret::from_base64(SECRET).unwrap()
}

async fn server() -> (SocketAddr, Incoming) {
    server_with(ServerConfig::with_key(API_KEY, secret())).await
}

async fn server_with(config: ServerConfig) -> (SocketAddr, Incoming) {
    let any_port = "127.0.0.1:0".parse().unwrap();
    let (addr, incoming, _) = AudioHookServer::bind(config, any_port, PATH).await.unwrap();
    (addr, incoming)
}

/// A raw client: the envelope bookkeeping of the Genesys compliance suite, nothing more.
struct Raw {
    ws: Ws,
    id: Uuid,
    org: Uuid,
    seq: u64,
    serverseq: u64,
}

/// What one upgrade request carries. Two connections with clones of one `Headers` send the
/// same request: a replay.
#[derive(Clone)]
struct Headers {
    created_offset: i64,
    secret: ClientSecret,
    session_id: Uuid,
    organization_id: Uuid,
    correlation_id: Uuid,
    nonce: String,
    created: i64,
    /// Leave `created` (and `expires`) out of the signature.
    unaged: bool,
}

impl Default for Headers {
    fn default() -> Self {
        Headers {
            created_offset: 0,
            secret: secret(),
            session_id: Uuid::new_v4(),
            organization_id: Uuid::new_v4(),
            correlation_id: Uuid::new_v4(),
            nonce: new_nonce(),
            created: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs() as i64,
            unaged: false,
        }
    }
}

impl Headers {
    /// Signed with a secret the server does not know.
    fn forged() -> Headers {
        Headers {
            secret: ClientSecret::from_bytes(*b"guess"),
            ..Headers::default()
        }
    }

    /// The signature headers, with `created`/`expires` or, when `unaged`, without.
    fn signature(&self, authority: &str) -> (String, String) {
        let (sid, oid, cid) = (
            self.session_id.to_string(),
            self.organization_id.to_string(),
            self.correlation_id.to_string(),
        );
        let created = self.created + self.created_offset;
        let signed = SignedRequest {
            request_target: PATH,
            authority,
            organization_id: &oid,
            session_id: &sid,
            correlation_id: &cid,
            api_key: API_KEY,
            nonce: &self.nonce,
            created,
            expires: created + 30,
        };
        if !self.unaged {
            let headers = signed.sign(&self.secret);
            return (headers.signature_input, headers.signature);
        }
        let params = serialize_params(
            &COMPONENTS,
            &[
                ("keyid", ParamValue::Text(API_KEY.into())),
                ("nonce", ParamValue::Text(self.nonce.clone())),
                ("alg", ParamValue::Text("hmac-sha256".into())),
            ],
        );
        let values = [PATH, authority, &oid, &sid, &cid, API_KEY];
        let pairs: Vec<(&str, &str)> = COMPONENTS.iter().copied().zip(values).collect();
        let mac = mac(self.secret.bytes(), &signature_base(&pairs, &params));
        (
            format!("sig1={params}"),
            format!("sig1=:{}:", STANDARD.encode(mac)),
        )
    }
}

impl Raw {
    async fn connect(addr: SocketAddr, headers: Headers) -> Raw {
        Raw::try_connect(addr, headers).await.unwrap()
    }

    async fn try_connect(
        addr: SocketAddr,
        headers: Headers,
    ) -> Result<Raw, tokio_tungstenite::tungstenite::Error> {
        let mut request = format!("ws://{addr}{PATH}").into_client_request().unwrap();
        let (signature_input, signature) = headers.signature(&addr.to_string());
        let h = request.headers_mut();
        let text = |uuid: Uuid| uuid.to_string().parse().unwrap();
        h.insert("audiohook-organization-id", text(headers.organization_id));
        h.insert("audiohook-session-id", text(headers.session_id));
        h.insert("audiohook-correlation-id", text(headers.correlation_id));
        h.insert("x-api-key", API_KEY.parse().unwrap());
        h.insert("signature-input", signature_input.parse().unwrap());
        h.insert("signature", signature.parse().unwrap());
        let (ws, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(Raw {
            ws,
            id: headers.session_id,
            org: headers.organization_id,
            seq: 0,
            serverseq: 0,
        })
    }

    async fn send(&mut self, kind: &str, parameters: Value) {
        self.seq += 1;
        let message = json!({"version": "2", "id": self.id, "type": kind, "seq": self.seq,
            "serverseq": self.serverseq, "position": "PT0S", "parameters": parameters});
        self.ws
            .send(Message::text(message.to_string()))
            .await
            .unwrap();
    }

    /// Receives one server message and applies the suite's `commonValidations`.
    async fn recv(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("no reply")
                .expect("closed")
                .unwrap();
            if let Message::Text(text) = message {
                let value: Value = serde_json::from_str(text.as_str()).unwrap();
                assert_eq!(value["version"], "2");
                assert_eq!(value["id"], self.id.to_string());
                assert_eq!(
                    value["seq"],
                    self.serverseq + 1,
                    "server seq increments by one"
                );
                if value["type"] == "disconnect" {
                    // A rejected message is not acknowledged.
                    assert!(value["clientseq"].as_u64().unwrap() <= self.seq);
                } else {
                    assert_eq!(
                        value["clientseq"], self.seq,
                        "clientseq echoes our last seq"
                    );
                }
                assert!(value["parameters"].is_object(), "parameters always present");
                self.serverseq += 1;
                return value;
            }
        }
    }

    async fn open(&mut self, media: Value) -> Value {
        let parameters = json!({"organizationId": self.org, "conversationId": Uuid::new_v4(),
            "participant": {"id": Uuid::new_v4(), "ani": "+1-555-555-1234", "aniName": "John Doe", "dnis": "+1-800-555-6789"},
            "media": media});
        self.send("open", parameters).await;
        let opened = self.recv().await;
        assert_eq!(opened["type"], "opened");
        opened
    }

    async fn open_stereo(&mut self) -> Value {
        self.open(media(&[
            &["external", "internal"],
            &["external"],
            &["internal"],
        ]))
        .await
    }

    async fn close(&mut self) {
        self.send("close", json!({"reason": "end"})).await;
        assert_eq!(self.recv().await["type"], "closed");
    }

    async fn expect_disconnect(&mut self, reason: &str, info: &str) {
        let message = self.recv().await;
        assert_eq!(message["type"], "disconnect", "{message}");
        assert_eq!(message["parameters"]["reason"], reason, "{message}");
        let text = message["parameters"]["info"].as_str().unwrap_or_default();
        assert!(text.contains(info), "{text:?} should contain {info:?}");
    }
}

fn media(offers: &[&[&str]]) -> Value {
    offers.iter().map(|channels| json!({"type": "audio", "format": "PCMU", "channels": channels, "rate": 8000})).collect()
}

async fn session_end(incoming: &mut Incoming) -> (Vec<SessionEvent>, SessionEnd) {
    let mut session = tokio::time::timeout(WAIT, incoming.next())
        .await
        .unwrap()
        .unwrap();
    let mut events = Vec::new();
    loop {
        match tokio::time::timeout(WAIT, session.next_event())
            .await
            .unwrap()
            .unwrap()
        {
            SessionEvent::Ended(end) => return (events, end),
            event => events.push(event),
        }
    }
}

#[tokio::test]
async fn media_selection_takes_the_first_offer_exactly() {
    let cases: [&[&[&str]]; 5] = [
        &[&["external", "internal"], &["external"], &["internal"]],
        &[&["internal", "external"], &["internal"], &["external"]],
        &[&["external", "internal"]],
        &[&["external"]],
        &[&["internal"]],
    ];
    for offers in cases {
        let (addr, _incoming) = server().await;
        let mut raw = Raw::connect(addr, Headers::default()).await;
        let opened = raw.open(media(offers)).await;
        let selected = opened["parameters"]["media"].as_array().unwrap();
        assert_eq!(selected.len(), 1, "at most one entry");
        assert_eq!(selected[0], media(offers)[0], "exactly the first offer");
        raw.close().await;
    }
}

#[tokio::test]
async fn ping_pong_sequence_numbers() {
    let (addr, _incoming) = server().await;
    let mut raw = Raw::connect(addr, Headers::default()).await;
    raw.open_stereo().await;
    raw.send("ping", json!({})).await;
    assert_eq!(raw.seq, 2);
    assert_eq!(raw.serverseq, 1);
    let pong = raw.recv().await;
    assert_eq!(
        (
            pong["type"].as_str(),
            pong["seq"].as_u64(),
            pong["clientseq"].as_u64()
        ),
        (Some("pong"), Some(2), Some(2))
    );
    raw.close().await;
}

#[tokio::test]
async fn update_discarded_error_and_pause_then_close() {
    let (addr, mut incoming) = server().await;
    let mut raw = Raw::connect(addr, Headers::default()).await;
    raw.open_stereo().await;
    raw.send("update", json!({"language": "en-US"})).await;
    assert_eq!(raw.recv().await["type"], "updated");
    raw.send(
        "discarded",
        json!({"start": "PT6.3S", "discarded": "PT0.3S"}),
    )
    .await;
    raw.send("error", json!({"code": 400, "message": "tough stuff"}))
        .await;
    raw.send("paused", json!({})).await;
    raw.send("resumed", json!({"start": "PT0S", "discarded": "PT10S"}))
        .await;
    raw.ws
        .send(Message::binary(vec![0xFF; 3200]))
        .await
        .unwrap();
    raw.close().await;
    let (events, end) = session_end(&mut incoming).await;
    assert_eq!(
        end,
        SessionEnd::Closed(das::audiohook::messages::CloseReason::End)
    );
    let summary: Vec<String> = events
        .iter()
        .map(|e| match e {
            SessionEvent::Update(u) => format!("update {}", u.language.as_deref().unwrap_or("")),
            SessionEvent::Discarded(gap) => format!("discarded {} {}", gap.start, gap.discarded),
            SessionEvent::ClientError(e) => format!("error {} {}", e.code, e.message),
            SessionEvent::Paused { .. } => "paused".into(),
            SessionEvent::Resumed(gap) => format!("resumed {}", gap.discarded),
            SessionEvent::Audio(frame) => format!(
                "audio {}",
                frame.channel(MediaChannel::Internal).unwrap().len()
            ),
            SessionEvent::Ended(_) => unreachable!(),
        })
        .collect();
    assert_eq!(
        summary,
        [
            "update en-US",
            "discarded PT6.3S PT0.3S",
            "error 400 tough stuff",
            "paused",
            "resumed PT10S",
            "audio 1600"
        ]
    );
}

#[tokio::test]
async fn application_pause_resume_and_events_reach_the_client() {
    let (addr, mut incoming) = server().await;
    let mut raw = Raw::connect(addr, Headers::default()).await;
    raw.open_stereo().await;
    let session = tokio::time::timeout(WAIT, incoming.next())
        .await
        .unwrap()
        .unwrap();
    let control = session.control();
    control.pause().unwrap();
    assert_eq!(raw.recv().await["type"], "pause");
    control.resume().unwrap();
    assert_eq!(raw.recv().await["type"], "resume");
    let entity = das::audiohook::messages::EventEntity {
        kind: "transcript".into(),
        data: json!({"id": "t1"}),
    };
    control.send_event(vec![entity]).unwrap();
    let event = raw.recv().await;
    assert_eq!(event["parameters"]["entities"][0]["type"], "transcript");
    control
        .disconnect(DisconnectReason::Completed, None)
        .unwrap();
    raw.expect_disconnect("completed", "").await;
    raw.send("close", json!({"reason": "disconnect"})).await;
    assert_eq!(raw.recv().await["type"], "closed");
}

#[tokio::test]
async fn seq_gap_is_a_protocol_error() {
    let (addr, mut incoming) = server().await;
    let mut raw = Raw::connect(addr, Headers::default()).await;
    raw.open_stereo().await;
    raw.seq += 1;
    raw.send("ping", json!({})).await;
    raw.expect_disconnect("error", "Invalid seq value").await;
    let (_, end) = session_end(&mut incoming).await;
    assert!(matches!(end, SessionEnd::ProtocolError(info) if info.contains("seq")));
}

#[tokio::test]
async fn serverseq_ahead_and_foreign_id_are_protocol_errors() {
    let (addr, _incoming) = server().await;
    let mut raw = Raw::connect(addr, Headers::default()).await;
    raw.open_stereo().await;
    raw.serverseq += 5;
    raw.send("ping", json!({})).await;
    raw.serverseq -= 5;
    raw.expect_disconnect("error", "serverseq").await;

    let (addr, _incoming) = server().await;
    let mut raw = Raw::connect(addr, Headers::default()).await;
    raw.open_stereo().await;
    let foreign = json!({"version":"2","id":Uuid::new_v4(),"type":"ping","seq":2,"serverseq":1,"position":"PT0S","parameters":{}});
    raw.ws
        .send(Message::text(foreign.to_string()))
        .await
        .unwrap();
    raw.seq += 1;
    raw.expect_disconnect("error", "Session identifier mismatch")
        .await;
}

#[tokio::test]
async fn oversize_text_is_rejected() {
    let (addr, _incoming) = server().await;
    let mut raw = Raw::connect(addr, Headers::default()).await;
    raw.open_stereo().await;
    raw.send("update", json!({"language": "x".repeat(70_000)}))
        .await;
    raw.expect_disconnect("error", "too large").await;
}

#[tokio::test]
async fn audio_while_paused_or_before_open_or_split_samples_is_rejected() {
    let (addr, _incoming) = server().await;
    let mut raw = Raw::connect(addr, Headers::default()).await;
    raw.open_stereo().await;
    raw.send("paused", json!({})).await;
    raw.ws
        .send(Message::binary(vec![0xFF; 3200]))
        .await
        .unwrap();
    raw.expect_disconnect("error", "Received audio in state Paused")
        .await;

    let (addr, _incoming) = server().await;
    let mut raw = Raw::connect(addr, Headers::default()).await;
    raw.ws.send(Message::binary(vec![0xFF; 160])).await.unwrap();
    raw.expect_disconnect("error", "Received audio in state Preparing")
        .await;

    let (addr, _incoming) = server().await;
    let mut raw = Raw::connect(addr, Headers::default()).await;
    raw.open_stereo().await;
    raw.ws
        .send(Message::binary(vec![0xFF; 3201]))
        .await
        .unwrap();
    raw.expect_disconnect("error", "not a whole number of samples")
        .await;
}

#[tokio::test]
async fn bad_and_expired_signatures_are_unauthorized() {
    let (addr, mut incoming) = server().await;
    let mut raw = Raw::connect(addr, Headers::forged()).await;
    raw.send("open", json!({"organizationId": raw.org, "conversationId": Uuid::new_v4(),
        "participant": {"id": Uuid::new_v4(), "ani": "", "aniName": "", "dnis": ""}, "media": media(&[&["external"]])}))
    .await;
    raw.expect_disconnect("unauthorized", "do not match").await;

    let mut raw = Raw::connect(
        addr,
        Headers {
            created_offset: -60,
            ..Headers::default()
        },
    )
    .await;
    raw.send("open", json!({"organizationId": raw.org, "conversationId": Uuid::new_v4(),
        "participant": {"id": Uuid::new_v4(), "ani": "", "aniName": "", "dnis": ""}, "media": media(&[&["external"]])}))
    .await;
    raw.expect_disconnect("unauthorized", "expired").await;

    let mut raw = Raw::connect(addr, Headers::default()).await;
    raw.org = Uuid::new_v4();
    raw.send("open", json!({"organizationId": raw.org, "conversationId": Uuid::new_v4(),
        "participant": {"id": Uuid::new_v4(), "ani": "", "aniName": "", "dnis": ""}, "media": media(&[&["external"]])}))
    .await;
    raw.expect_disconnect("unauthorized", "organizationId")
        .await;
    // None of these reached the application.
    assert!(
        tokio::time::timeout(Duration::from_millis(100), incoming.next())
            .await
            .is_err()
    );
}

/// An opened session that sends nothing (no audio, no `ping`) past `quiet_timeout` is ended
/// with the reason; one that keeps pinging, as Genesys does while paused, is not.
#[tokio::test]
async fn a_quiet_opened_session_is_disconnected_a_pinging_one_stays() {
    let config = ServerConfig {
        quiet_timeout: Some(Duration::from_secs(2)),
        ..ServerConfig::with_key(API_KEY, secret())
    };
    let (addr, _incoming) = server_with(config).await;
    let mut pinging = Raw::connect(addr, Headers::default()).await;
    pinging.open_stereo().await;
    let mut quiet = Raw::connect(addr, Headers::default()).await;
    quiet.open_stereo().await;
    for _ in 0..15 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        pinging.send("ping", json!({})).await;
        assert_eq!(pinging.recv().await["type"], "pong");
    }
    quiet.expect_disconnect("error", "sent nothing").await;
    pinging.close().await;
}

/// Time the session waits on a full event queue (a slow application) is not the client's
/// silence: a client that streamed the whole time is not disconnected as quiet.
#[tokio::test]
async fn a_slow_application_does_not_make_a_streaming_client_quiet() {
    let config = ServerConfig {
        quiet_timeout: Some(Duration::from_millis(300)),
        event_queue_bytes: 1024,
        max_audio_lead: None,
        ..ServerConfig::with_key(API_KEY, secret())
    };
    let (addr, mut incoming) = server_with(config).await;
    let mut raw = Raw::connect(addr, Headers::default()).await;
    raw.open(media(&[&["external"]])).await;
    let mut session = tokio::time::timeout(WAIT, incoming.next())
        .await
        .unwrap()
        .unwrap();
    for _ in 0..8 {
        raw.ws.send(Message::binary(vec![0xFF; 800])).await.unwrap();
    }
    // The application takes one event every 500 ms: each wait outlasts the quiet timeout.
    for _ in 0..6 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        tokio::time::timeout(WAIT, session.next_event())
            .await
            .unwrap();
    }
    let drain = tokio::spawn(async move { while session.next_event().await.is_some() {} });
    raw.send("ping", json!({})).await;
    assert_eq!(raw.recv().await["type"], "pong");
    raw.close().await;
    drop(raw);
    drain.await.unwrap();
}

/// A refused peer that never answers `disconnect` with `close` is closed soon (1 s), not at
/// the 10 s `idle_timeout`: refused peers reconnecting must not fill the server's places.
#[tokio::test]
async fn a_refused_peer_that_stays_is_closed_soon() {
    let (addr, _incoming) = server().await;
    let mut raw = Raw::connect(addr, Headers::forged()).await;
    raw.send("open", open_parameters(&raw)).await;
    raw.expect_disconnect("unauthorized", "do not match").await;
    let end = tokio::time::timeout(Duration::from_secs(4), async {
        loop {
            match raw.ws.next().await {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(end.is_ok(), "the refused peer was kept past 4 s");
}

#[tokio::test]
async fn malformed_upgrades_are_refused_with_400() {
    let (addr, _incoming) = server().await;
    let request = format!("ws://{addr}{PATH}").into_client_request().unwrap();
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 400)
        }
        other => panic!("expected HTTP 400, got {:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn the_http_401_strategy_refuses_the_upgrade() {
    let config = ServerConfig {
        auth_failure: das::audiohook::server::AuthFailure::Http401,
        ..ServerConfig::with_key(API_KEY, secret())
    };
    let (addr, _incoming) = server_with(config).await;
    match Raw::try_connect(addr, Headers::forged()).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 401)
        }
        other => panic!("expected HTTP 401, got {:?}", other.map(|_| ())),
    }
    let mut good = Raw::connect(addr, Headers::default()).await;
    good.open_stereo().await;
    good.close().await;
}

#[tokio::test]
async fn a_connection_that_never_opens_is_dropped() {
    let config = ServerConfig {
        open_timeout: Duration::from_millis(100),
        ..ServerConfig::with_key(API_KEY, secret())
    };
    let (addr, _incoming) = server_with(config).await;
    let mut raw = Raw::connect(addr, Headers::default()).await;
    let end = tokio::time::timeout(WAIT, raw.ws.next())
        .await
        .expect("server kept the idle connection");
    assert!(
        matches!(end, None | Some(Ok(Message::Close(_))) | Some(Err(_))),
        "{end:?}"
    );
}

/// An `open` the server answers (or refuses) for `raw`.
fn open_parameters(raw: &Raw) -> Value {
    json!({"organizationId": raw.org, "conversationId": Uuid::new_v4(),
        "participant": {"id": Uuid::new_v4(), "ani": "", "aniName": "", "dnis": ""},
        "media": media(&[&["external"]])})
}

#[tokio::test]
async fn a_signature_without_created_is_refused() {
    let (addr, _incoming) = server().await;
    let unaged = Headers {
        unaged: true,
        ..Headers::default()
    };
    let mut raw = Raw::connect(addr, unaged).await;
    raw.send("open", open_parameters(&raw)).await;
    raw.expect_disconnect("unauthorized", "created missing")
        .await;
}

#[tokio::test]
async fn a_replayed_upgrade_is_refused_and_the_first_session_runs_on() {
    let (addr, mut incoming) = server().await;
    let headers = Headers::default();
    let mut first = Raw::connect(addr, headers.clone()).await;
    first.open(media(&[&["external"]])).await;
    let mut replays = Vec::new();
    for _ in 0..5 {
        replays.push(Raw::connect(addr, headers.clone()).await);
    }
    for replay in &mut replays {
        replay.send("open", open_parameters(replay)).await;
        replay
            .expect_disconnect("unauthorized", "signature already used")
            .await;
    }
    let _session = tokio::time::timeout(WAIT, incoming.next())
        .await
        .unwrap()
        .unwrap();
    assert!(
        tokio::time::timeout(Duration::from_millis(200), incoming.next())
            .await
            .is_err(),
        "only the first upgrade opened a session"
    );
    first.close().await;
}

#[tokio::test]
async fn a_live_session_id_is_not_opened_twice() {
    let (addr, _incoming) = server().await;
    let first_headers = Headers::default();
    let mut first = Raw::connect(addr, first_headers.clone()).await;
    first.open(media(&[&["external"]])).await;
    // A fresh, valid signature for the same session id.
    let again = Headers {
        session_id: first_headers.session_id,
        ..Headers::default()
    };
    let mut second = Raw::connect(addr, again.clone()).await;
    second.send("open", open_parameters(&second)).await;
    second.expect_disconnect("error", "already open").await;
    first.close().await;
    drop(first);
    // Once the first has ended, the id may be used again (Genesys never does, but nothing
    // is left behind).
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let later = Headers {
            nonce: new_nonce(),
            ..again.clone()
        };
        let mut third = Raw::connect(addr, later).await;
        third.send("open", open_parameters(&third)).await;
        let answer = third.recv().await;
        if answer["type"] == "opened" {
            third.close().await;
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the id stayed claimed: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_unauthenticated_peer_gets_no_answer_to_ping_or_update_before_open() {
    let (addr, _incoming) = server().await;
    for kind in ["ping", "update"] {
        let mut raw = Raw::connect(addr, Headers::forged()).await;
        raw.send(kind, json!({"language": "en-US"})).await;
        raw.expect_disconnect("unauthorized", "do not match").await;
    }
    // An authenticated peer's ping before open is answered, as the reference server does.
    let mut raw = Raw::connect(addr, Headers::default()).await;
    raw.send("ping", json!({})).await;
    assert_eq!(raw.recv().await["type"], "pong");
}

#[tokio::test]
async fn an_oversized_frame_is_closed_with_code_1009() {
    let (addr, _incoming) = server().await;
    let mut raw = Raw::connect(addr, Headers::default()).await;
    raw.open(media(&[&["external"]])).await;
    let huge = vec![0xffu8; 2 << 20];
    // The server may close before the whole frame is written.
    let _ = raw.ws.send(Message::binary(huge)).await;
    loop {
        match tokio::time::timeout(WAIT, raw.ws.next()).await.unwrap() {
            Some(Ok(Message::Close(Some(frame)))) => {
                assert_eq!(u16::from(frame.code), 1009, "{frame:?}");
                break;
            }
            Some(Ok(Message::Close(None))) | None | Some(Err(_)) => {
                panic!("closed without close code 1009")
            }
            Some(Ok(_)) => {}
        }
    }
}

#[tokio::test]
async fn audio_running_ahead_of_real_time_is_disconnected_with_the_reason() {
    let config = ServerConfig {
        max_audio_lead: Some(Duration::from_secs(1)),
        ..ServerConfig::with_key(API_KEY, secret())
    };
    let (addr, mut incoming) = server_with(config).await;
    let mut raw = Raw::connect(addr, Headers::default()).await;
    raw.open(media(&[&["external"]])).await;
    // 3 s of µ-law sent at once.
    for _ in 0..150 {
        raw.ws
            .send(Message::binary(vec![0xffu8; 160]))
            .await
            .unwrap();
    }
    raw.expect_disconnect("error", "faster than real time")
        .await;
    let (_, end) = session_end(&mut incoming).await;
    assert!(matches!(end, SessionEnd::RateExceeded(_)), "{end:?}");
}

/// A server whose accept loop lets at most `max` connections in and waits `header` for a
/// request.
async fn limited_server(max: usize, header: Duration) -> (SocketAddr, Incoming) {
    server_with(ServerConfig {
        connection_limits: das::serve::ConnectionLimits {
            max_connections: max,
            header_read_timeout: header,
        },
        ..ServerConfig::with_key(API_KEY, secret())
    })
    .await
}

/// Whether the server closed `socket` within `wait`.
async fn closed_by_server(socket: &mut TcpStream, wait: Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 512];
    matches!(
        tokio::time::timeout(wait, socket.read(&mut buf)).await,
        Ok(Ok(0) | Err(_))
    )
}

#[tokio::test]
async fn a_silent_connection_is_closed_at_the_header_deadline() {
    let (addr, _incoming) = limited_server(64, Duration::from_millis(300)).await;
    let mut silent = TcpStream::connect(addr).await.unwrap();
    assert!(closed_by_server(&mut silent, WAIT).await);
}

#[tokio::test]
async fn idle_sockets_beyond_the_limit_make_room_for_a_real_session() {
    let (addr, mut incoming) = limited_server(20, Duration::from_secs(30)).await;
    let mut idle = Vec::new();
    for _ in 0..200 {
        idle.push(TcpStream::connect(addr).await.unwrap());
    }
    let mut raw = Raw::connect(addr, Headers::default()).await;
    raw.open(media(&[&["external"]])).await;
    assert!(tokio::time::timeout(WAIT, incoming.next()).await.is_ok());
    raw.close().await;
    // Room was made by closing the oldest silent sockets, not by keeping them all.
    let mut closed = 0;
    for socket in &mut idle {
        if closed_by_server(socket, Duration::from_millis(20)).await {
            closed += 1;
        }
    }
    assert!(
        closed >= 180,
        "only {closed} of 200 idle sockets were closed"
    );
}

#[tokio::test]
async fn a_server_full_of_sessions_refuses_newcomers_with_503() {
    let (addr, _incoming) = limited_server(2, Duration::from_secs(30)).await;
    let mut first = Raw::connect(addr, Headers::default()).await;
    first.open(media(&[&["external"]])).await;
    let mut second = Raw::connect(addr, Headers::default()).await;
    second.open(media(&[&["external"]])).await;
    match Raw::try_connect(addr, Headers::default()).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 503)
        }
        other => panic!("expected HTTP 503, got {:?}", other.map(|_| ())),
    }
    first.close().await;
    second.close().await;
}

impl Raw {
    /// Closes the WebSocket with code 1000 and returns the code of the server's reply
    /// (`None`: the connection dropped without one, which the peer sees as 1006).
    async fn close_socket(&mut self) -> Option<u16> {
        use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
        use tokio_tungstenite::tungstenite::protocol::CloseFrame;
        let bye = CloseFrame {
            code: CloseCode::Normal,
            reason: "bye".into(),
        };
        self.ws.send(Message::Close(Some(bye))).await.unwrap();
        loop {
            match tokio::time::timeout(WAIT, self.ws.next()).await.unwrap() {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => {}
                None | Some(Err(_)) => return None,
            }
        }
    }
}

#[tokio::test]
async fn the_clients_close_is_answered_with_its_code() {
    let (addr, mut incoming) = server().await;
    let mut raw = Raw::connect(addr, Headers::default()).await;
    raw.open(media(&[&["external"]])).await;
    raw.ws.send(Message::binary(vec![0xFF; 160])).await.unwrap();
    raw.close().await;
    assert_eq!(raw.close_socket().await, Some(1000));
    let (_, end) = session_end(&mut incoming).await;
    assert!(matches!(end, SessionEnd::Closed(_)), "{end:?}");

    // A peer that closes the socket without the close transaction is answered too.
    let (addr, _incoming) = server().await;
    let mut raw = Raw::connect(addr, Headers::default()).await;
    raw.open(media(&[&["external"]])).await;
    assert_eq!(raw.close_socket().await, Some(1000));
}

/// The reference client's `--connection-probe` with media selected: `open` with nil ids, one
/// empty binary frame, then `close`.
#[tokio::test]
async fn the_reference_clients_connection_probe_ends_with_closed() {
    let (addr, mut incoming) = server().await;
    let mut raw = Raw::connect(addr, Headers::default()).await;
    let nil = Uuid::nil();
    let parameters = json!({"organizationId": raw.org, "conversationId": nil,
        "participant": {"id": nil, "ani": "", "aniName": "", "dnis": ""},
        "media": media(&[&["external", "internal"]])});
    raw.send("open", parameters).await;
    let opened = raw.recv().await;
    assert_eq!(opened["type"], "opened");
    assert_eq!(opened["parameters"]["media"].as_array().unwrap().len(), 1);
    raw.ws.send(Message::binary(Vec::new())).await.unwrap();
    raw.close().await;
    assert_eq!(raw.close_socket().await, Some(1000));
    let mut session = incoming.next().await.unwrap();
    assert!(session.is_probe());
    let mut events = Vec::new();
    while let Some(event) = tokio::time::timeout(WAIT, session.next_event())
        .await
        .unwrap()
    {
        events.push(event);
    }
    assert_eq!(
        events,
        [SessionEvent::Ended(SessionEnd::Closed(
            das::audiohook::messages::CloseReason::End
        ))]
    );
}
