//! The Socket.IO client delivering into a caller's [`IncomingSink`] against the python-socketio
//! peer: wire order with the connection-state changes, one item at a time, a stalled sink
//! holding the reader back without losing anything, reconnection, and the end exactly once.

use crate::support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use das::socketio::{
    Client, ConnectOptions, DisconnectReason, Incoming, IncomingSink, Reconnection,
};
use futures_util::future::BoxFuture;
use serde_json::json;
use support::{PythonPeer, WAIT};
use tokio::sync::{mpsc, Semaphore};

const REGISTER: &str = "/socket.io/register";

/// What the recorder saw: an item, or the end.
#[derive(Debug)]
enum Seen {
    Item(Incoming),
    End,
}

/// Records each item, taking one permit of `room` first (with no permits the sink stays
/// full), and counts deliveries in progress to catch overlapping ones.
struct Recorder {
    room: Arc<Semaphore>,
    in_progress: AtomicUsize,
    most_in_progress: Arc<AtomicUsize>,
    seen: mpsc::UnboundedSender<Seen>,
}

impl IncomingSink for Recorder {
    fn deliver(&self, item: Incoming) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let now = self.in_progress.fetch_add(1, Ordering::SeqCst) + 1;
            self.most_in_progress.fetch_max(now, Ordering::SeqCst);
            if let Ok(permit) = self.room.acquire().await {
                permit.forget();
                let _ = self.seen.send(Seen::Item(item));
            }
            self.in_progress.fetch_sub(1, Ordering::SeqCst);
        })
    }

    fn end(&self) {
        let _ = self.seen.send(Seen::End);
    }
}

struct Recording {
    room: Arc<Semaphore>,
    most_in_progress: Arc<AtomicUsize>,
    seen: mpsc::UnboundedReceiver<Seen>,
}

fn recorder(room: usize) -> (Recorder, Recording) {
    let room = Arc::new(Semaphore::new(room));
    let most_in_progress = Arc::new(AtomicUsize::new(0));
    let (seen, rx) = mpsc::unbounded_channel();
    let sink = Recorder {
        room: room.clone(),
        in_progress: AtomicUsize::new(0),
        most_in_progress: most_in_progress.clone(),
        seen,
    };
    let recording = Recording {
        room,
        most_in_progress,
        seen: rx,
    };
    (sink, recording)
}

impl Recording {
    async fn next(&mut self) -> Seen {
        tokio::time::timeout(WAIT, self.seen.recv())
            .await
            .expect("an item or the end in time")
            .expect("the recorder is alive")
    }

    async fn item(&mut self) -> Incoming {
        match self.next().await {
            Seen::Item(item) => item,
            Seen::End => panic!("ended early"),
        }
    }

    /// The end comes next, and nothing after it (the client dropped the sink).
    async fn expect_end(&mut self) {
        assert!(matches!(self.next().await, Seen::End), "the end");
        let after = tokio::time::timeout(WAIT, self.seen.recv()).await;
        assert!(
            matches!(after, Ok(None)),
            "nothing after the end: {after:?}"
        );
    }
}

/// One line per item, for comparing sequences.
fn describe(item: &Incoming) -> String {
    match item {
        Incoming::Event(e) => match e.args.first().and_then(|a| a.get("i")) {
            Some(i) => format!("event {} {} {i}", e.namespace, e.name),
            None => format!("event {} {}", e.namespace, e.name),
        },
        Incoming::Connected { namespace, .. } => format!("connected {namespace}"),
        Incoming::Disconnected { reason } => format!("disconnected {reason}"),
        Incoming::Reconnecting { attempt, .. } => format!("reconnecting {attempt}"),
    }
}

async fn peer() -> PythonPeer {
    PythonPeer::start("sio_server.py", &[]).await
}

fn options(peer: &PythonPeer) -> ConnectOptions {
    ConnectOptions::new(peer.url())
        .header("Authorization", "Bearer test-token")
        .namespace("/")
        .connect_timeout(WAIT)
}

/// The items of a connection to `/` and REGISTER that asked for a burst of `count` ticks,
/// through the default queue: what a sink must see too.
fn expected_burst(count: usize) -> Vec<String> {
    let mut expected = vec![
        "event / welcome".to_owned(),
        "connected /".to_owned(),
        format!("event {REGISTER} welcome"),
        format!("connected {REGISTER}"),
    ];
    expected.extend((0..count).map(|i| format!("event / tick {i}")));
    expected.push(format!(
        "disconnected {}",
        DisconnectReason::ClientDisconnect
    ));
    expected
}

#[tokio::test]
async fn a_sink_receives_what_events_would_in_wire_order_then_one_end() {
    let peer = peer().await;
    let count = 300;

    let (client, mut events) = Client::connect(options(&peer).namespace(REGISTER))
        .await
        .unwrap();
    client.emit("/", "burst", vec![json!(count)]).await.unwrap();
    let mut queued = Vec::new();
    while queued.len() < 4 + count {
        let item = events.recv_timeout(WAIT).await.unwrap().expect("open");
        queued.push(describe(&item));
    }
    client.disconnect().await;
    while let Some(item) = events.recv_timeout(WAIT).await.unwrap() {
        queued.push(describe(&item));
    }
    assert_eq!(queued, expected_burst(count));

    let (sink, mut recording) = recorder(usize::MAX >> 4);
    let client = Client::connect_with_sink(options(&peer).namespace(REGISTER), sink)
        .await
        .unwrap();
    client.emit("/", "burst", vec![json!(count)]).await.unwrap();
    let mut delivered = Vec::new();
    while delivered.len() < 4 + count {
        delivered.push(describe(&recording.item().await));
    }
    client.disconnect().await;
    delivered.push(describe(&recording.item().await));
    recording.expect_end().await;
    assert_eq!(delivered, queued);
    assert_eq!(recording.most_in_progress.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_stalled_sink_holds_the_reader_and_loses_nothing() {
    let peer = peer().await;
    // 400 × 32 KiB: more than the socket buffers between the peer and the client hold.
    let (count, pad) = (400, 32 << 10);
    // Room for the welcome and the connect, none for the ticks.
    let (sink, mut recording) = recorder(2);
    let client = Client::connect_with_sink(options(&peer), sink)
        .await
        .unwrap();
    assert_eq!(describe(&recording.item().await), "event / welcome");
    assert_eq!(describe(&recording.item().await), "connected /");
    client
        .emit("/", "burst", vec![json!(count), json!(pad)])
        .await
        .unwrap();

    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        recording.seen.try_recv().is_err(),
        "delivered into a full sink"
    );
    // Ticks are read one at a time: the first waits in `deliver`, the rest stay unread.
    assert_eq!(recording.most_in_progress.load(Ordering::SeqCst), 1);

    recording.room.add_permits(1);
    assert_eq!(describe(&recording.item().await), "event / tick 0");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(recording.seen.try_recv().is_err(), "one permit, one item");

    recording.room.add_permits(count + 16);
    for i in 1..count {
        let Incoming::Event(tick) = recording.item().await else {
            panic!("tick {i} expected")
        };
        assert_eq!(
            (tick.name.as_str(), &tick.args[0]["i"]),
            ("tick", &json!(i))
        );
        assert_eq!(tick.args[0]["pad"].as_str().map(str::len), Some(pad));
    }
    // The connection survived the stall: it still answers.
    let ack = client
        .emit_with_ack("/", "whoami", vec![], WAIT)
        .await
        .unwrap();
    assert_eq!(ack.args, vec![json!("Bearer test-token")]);
    client.disconnect().await;
    assert_eq!(
        describe(&recording.item().await),
        format!("disconnected {}", DisconnectReason::ClientDisconnect)
    );
    recording.expect_end().await;
    assert_eq!(recording.most_in_progress.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn reconnection_state_changes_reach_the_sink_in_order_and_the_end_comes_once() {
    let mut peer = peer().await;
    let reconnection = Reconnection {
        max_attempts: 50,
        delay: Duration::from_millis(50),
        delay_max: Duration::from_millis(200),
        ..Reconnection::default()
    };
    let (sink, mut recording) = recorder(usize::MAX >> 4);
    let client = Client::connect_with_sink(options(&peer).reconnection(reconnection), sink)
        .await
        .unwrap();
    assert_eq!(describe(&recording.item().await), "event / welcome");
    assert_eq!(describe(&recording.item().await), "connected /");

    peer.restart().await;
    let Incoming::Disconnected { reason } = recording.item().await else {
        panic!("the transport loss first")
    };
    assert!(reason.is_reconnectable(), "{reason}");
    // Attempts may fail while the peer restarts; each is announced, in order, before the
    // new connection's welcome and connect.
    let mut attempt = 0;
    let welcome = loop {
        match recording.item().await {
            Incoming::Reconnecting { attempt: n, .. } => {
                attempt += 1;
                assert_eq!(n, attempt);
            }
            other => break describe(&other),
        }
    };
    assert!(attempt >= 1);
    assert_eq!(welcome, "event / welcome");
    assert_eq!(describe(&recording.item().await), "connected /");
    assert!(client.connected());

    client.disconnect().await;
    assert_eq!(
        describe(&recording.item().await),
        format!("disconnected {}", DisconnectReason::ClientDisconnect)
    );
    recording.expect_end().await;
}

#[tokio::test]
async fn a_refused_connect_ends_the_sink_with_nothing_delivered() {
    let peer = peer().await;
    let (sink, mut recording) = recorder(16);
    let refused = Client::connect_with_sink(
        ConnectOptions::new(peer.url())
            .header("Authorization", "Basic nope")
            .namespace(REGISTER),
        sink,
    )
    .await;
    assert!(refused.is_err());
    recording.expect_end().await;
}
