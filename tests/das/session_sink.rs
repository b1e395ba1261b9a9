//! Sessions delivering into a caller's [`EventSink`] against the python-socketio peer: the
//! same events in the same order as `next_event`, the reader held while the sink has no room,
//! and the end.

use crate::session::{service, unheard_channel, DROPPED};
use crate::support;

use std::sync::Arc;
use std::time::Duration;

use das::auth::TokenProvider;
use das::session::{Event, EventSink, RegisterSession, SessionBuilder};
use futures_util::future::BoxFuture;
use support::{PythonPeer, WAIT};
use tokio::sync::{mpsc, Semaphore};

/// Records each event (`None` for the end), taking one permit of `room` per event first:
/// with no permits the sink stays full.
struct Recorder {
    room: Arc<Semaphore>,
    seen: mpsc::UnboundedSender<Option<Event>>,
}

impl EventSink for Recorder {
    fn deliver(&self, event: Event, _weight: usize) -> BoxFuture<'_, bool> {
        Box::pin(async move {
            match self.room.acquire().await {
                Ok(permit) => permit.forget(),
                Err(_) => return false,
            }
            self.seen.send(Some(event)).is_ok()
        })
    }

    fn end(&self) {
        let _ = self.seen.send(None);
    }
}

fn recorder(
    room: usize,
) -> (
    Recorder,
    Arc<Semaphore>,
    mpsc::UnboundedReceiver<Option<Event>>,
) {
    let room = Arc::new(Semaphore::new(room));
    let (seen, rx) = mpsc::unbounded_channel();
    let sink = Recorder {
        room: room.clone(),
        seen,
    };
    (sink, room, rx)
}

/// Everything the recorder saw up to and including the end (`None`).
async fn until_end(seen: &mut mpsc::UnboundedReceiver<Option<Event>>) -> Vec<Option<Event>> {
    let mut all = Vec::new();
    loop {
        let item = tokio::time::timeout(WAIT, seen.recv())
            .await
            .expect("an event or the end in time")
            .expect("the recorder is alive");
        let end = item.is_none();
        all.push(item);
        if end {
            return all;
        }
    }
}

/// A session the peer drops after `info-consumer-ready`, with an audio channel nobody
/// listens on: signalling events, `disconnected` and `audio-ended`, then the end.
fn dropped_session(peer: &PythonPeer, provider: TokenProvider) -> SessionBuilder {
    RegisterSession::builder(peer.url(), provider)
        .call_id("CA-sink")
        .model_hash("drop")
        .audio_channel(unheard_channel().0)
}

/// `audio-ended` comes from the channel's task: its place among the signalling events is
/// not fixed. The signalling events in order, and the audio's end.
fn split(events: Vec<Event>) -> (Vec<Event>, Vec<Event>) {
    events
        .into_iter()
        .partition(|event| !matches!(event, Event::AudioEnded { .. }))
}

#[tokio::test]
async fn a_sink_receives_what_next_event_would_in_the_same_order_then_the_end() {
    let (peer, _tokens, provider) = service().await;
    let mut session = dropped_session(&peer, provider.clone())
        .start()
        .await
        .unwrap();
    let mut queued = Vec::new();
    while let Some(event) = session.next_event(WAIT).await.unwrap() {
        queued.push(event);
    }

    let (sink, _room, mut seen) = recorder(usize::MAX >> 4);
    let mut session = dropped_session(&peer, provider)
        .start_with_sink(sink)
        .await
        .unwrap();
    let mut delivered = until_end(&mut seen).await;
    assert_eq!(delivered.pop(), Some(None), "the end comes last");
    let delivered: Vec<Event> = delivered.into_iter().map(Option::unwrap).collect();
    assert!(seen.recv().await.is_none(), "nothing after the end");
    assert!(
        session.next_event(WAIT).await.unwrap().is_none(),
        "the session's own queue is not used"
    );

    let (queued_signalling, queued_audio) = split(queued);
    let (signalling, audio) = split(delivered);
    let names: Vec<&str> = signalling.iter().map(Event::name).collect();
    assert_eq!(names, DROPPED);
    assert_eq!(signalling, queued_signalling);
    assert_eq!(audio.len(), 1, "{audio:?}");
    assert_eq!(audio[0].name(), queued_audio[0].name());
    assert!(matches!(
        &audio[0],
        Event::AudioEnded { reason, bytes_sent: 0, .. } if reason == "error"
    ));
}

#[tokio::test]
async fn a_full_sink_holds_the_signalling_reader_and_loses_nothing() {
    let (peer, _tokens, provider) = service().await;
    let (sink, room, mut seen) = recorder(0);
    let session = RegisterSession::builder(peer.url(), provider)
        .model_hash("drop")
        .start_with_sink(sink)
        .await
        .unwrap();
    // The peer sends its four events at once; with no room, none gets through, and the
    // `info-consumer-ready` behind the first is not even read.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(seen.try_recv().is_err(), "delivered into a full sink");
    assert!(!session.consumer_ready());

    room.add_permits(1);
    let first = tokio::time::timeout(WAIT, seen.recv()).await.unwrap();
    assert_eq!(first.unwrap().unwrap().name(), "welcome");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(seen.try_recv().is_err(), "one permit, one event");
    assert!(!session.consumer_ready());

    room.add_permits(16);
    let rest = until_end(&mut seen).await;
    let names: Vec<Option<&str>> = rest.iter().map(|e| e.as_ref().map(Event::name)).collect();
    assert_eq!(
        names,
        [
            Some("x-initialize-echo"),
            Some("info-consumer-ready"),
            Some("disconnected"),
            None
        ]
    );
    assert!(session.consumer_ready());
}

#[tokio::test]
async fn a_failed_start_ends_the_sink() {
    let peer = PythonPeer::start("sio_server.py", &[]).await;
    let (sink, _room, mut seen) = recorder(16);
    let refused = RegisterSession::builder(peer.url(), TokenProvider::static_header("Basic wrong"))
        .start_with_sink(sink)
        .await;
    assert!(refused.is_err());
    let end = tokio::time::timeout(WAIT, seen.recv()).await.unwrap();
    assert_eq!(end, Some(None), "the end, and no event");
}
