//! The bounded send buffer between an application pushing audio and the task that paces it
//! onto the wire. `push` copies or refuses with [`PushError::WouldBlock`]; nothing is ever
//! silently dropped on the push side.
//!
//! No livelock: the reader waits for whole frames, and a push either fits whole or is refused.
//! A buffer holding less than a frame whose next push does not fit would wait forever on
//! both sides (a 1,024-byte buffer, 1,600-byte frames, 800-byte pushes), so a refused push
//! makes the reader send what is queued as a shorter frame: every push that is not larger
//! than the buffer fits after at most two frames.

use std::future::poll_fn;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_util::task::AtomicWaker;
use tokio::sync::Notify;
use tokio::time::Instant;

/// Why a push did not queue the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// The buffer has no room for the whole push right now; retry later or use `push_wait`.
    #[error("send buffer full ({queued} of {capacity} bytes queued)")]
    WouldBlock {
        /// Bytes waiting in the buffer.
        queued: usize,
        /// The buffer's size in bytes.
        capacity: usize,
    },
    /// The push is larger than the buffer could ever hold.
    #[error("push of {len} bytes exceeds the send buffer capacity of {capacity} bytes")]
    TooLarge {
        /// Bytes in the refused push.
        len: usize,
        /// The buffer's size in bytes.
        capacity: usize,
    },
    /// The channel finished or failed; no more audio is accepted.
    #[error("audio channel is closed")]
    Closed,
}

/// Byte counters of a send buffer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Bytes currently waiting to be sent.
    pub queued: u64,
    /// Bytes handed to the transport.
    pub sent: u64,
    /// Bytes refused by `push` (full or closed) or left unsent when the channel ended.
    pub dropped: u64,
}

#[derive(Debug, Default)]
struct State {
    /// The queued bytes; frames are split off its front without a copy, and once the
    /// transport dropped them a push's `reserve` takes their room back, so a stream allocates
    /// no memory per frame.
    bytes: BytesMut,
    finished: bool,
    closed: bool,
    /// A push was refused for room since the last frame: the reader sends what it has.
    starved: bool,
    /// Bytes the waiting reader needs for its frame: a push that leaves fewer queued does not
    /// wake it (a source pushing 20 ms pieces into 200 ms frames would wake it ten times).
    wanted: usize,
    /// When the first audio came in: real-time pacing counts from here.
    began: Option<Instant>,
    sent: u64,
    dropped: u64,
}

impl State {
    fn queue(&mut self, bytes: &[u8]) {
        self.began.get_or_insert_with(Instant::now);
        self.bytes.extend_from_slice(bytes);
    }
}

#[derive(Debug)]
struct Shared {
    capacity: usize,
    state: Mutex<State>,
    /// The one reader (the task writing the channel), registered while it waits for a frame:
    /// cheaper than a `Notify`, whose waiter a reader in `select!` would add and remove for
    /// every frame.
    readable: AtomicWaker,
    writable: Notify,
}

/// A cloneable handle to one bounded byte queue.
#[derive(Debug, Clone)]
pub struct SendBuffer {
    shared: Arc<Shared>,
}

impl SendBuffer {
    /// A buffer holding at most `capacity` bytes (at least 1).
    pub fn new(capacity: usize) -> Self {
        SendBuffer {
            shared: Arc::new(Shared {
                capacity: capacity.max(1),
                state: Mutex::new(State::default()),
                readable: AtomicWaker::new(),
                writable: Notify::new(),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means another thread panicked mid-update of plain counters.
        self.shared
            .state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// The configured bound in bytes.
    pub fn capacity(&self) -> usize {
        self.shared.capacity
    }

    /// Copies `bytes` into the buffer if all of them fit, without waiting.
    pub fn push(&self, bytes: &[u8]) -> Result<(), PushError> {
        let capacity = self.shared.capacity;
        let mut state = self.state();
        if state.closed || state.finished {
            state.dropped += bytes.len() as u64;
            return Err(PushError::Closed);
        }
        if bytes.len() > capacity {
            return Err(PushError::TooLarge {
                len: bytes.len(),
                capacity,
            });
        }
        if state.bytes.len() + bytes.len() > capacity {
            state.dropped += bytes.len() as u64;
            state.starved = true;
            let queued = state.bytes.len();
            drop(state);
            self.shared.readable.wake();
            return Err(PushError::WouldBlock { queued, capacity });
        }
        state.queue(bytes);
        let frame_ready = state.bytes.len() >= state.wanted;
        drop(state);
        if frame_ready {
            self.shared.readable.wake();
        }
        Ok(())
    }

    /// Copies `bytes` into the buffer, waiting for room. Whatever fits is queued at once, so
    /// a reader waiting for a whole frame always gets it: waiting for room for a large piece
    /// while the reader waits for more bytes would deadlock.
    pub async fn push_wait(&self, bytes: &[u8]) -> Result<(), PushError> {
        let mut rest = bytes;
        while !rest.is_empty() {
            let writable = self.shared.writable.notified();
            tokio::pin!(writable);
            writable.as_mut().enable();
            match self.queue_what_fits(rest)? {
                0 => writable.await,
                queued => rest = &rest[queued..],
            }
        }
        Ok(())
    }

    /// Queues as much of `bytes` as there is room for and says how much that was.
    fn queue_what_fits(&self, bytes: &[u8]) -> Result<usize, PushError> {
        let mut state = self.state();
        if state.closed || state.finished {
            return Err(PushError::Closed);
        }
        let room = self.shared.capacity.saturating_sub(state.bytes.len());
        let take = room.min(bytes.len());
        if take > 0 {
            state.queue(&bytes[..take]);
            let frame_ready = state.bytes.len() >= state.wanted;
            drop(state);
            if frame_ready {
                self.shared.readable.wake();
            }
        }
        Ok(take)
    }

    /// Marks the end of the audio: pushes are refused, and the reader drains what is queued.
    pub fn finish(&self) {
        self.state().finished = true;
        self.shared.readable.wake();
        self.shared.writable.notify_waiters();
    }

    /// Ends the buffer for both sides (the transport is gone); queued bytes count as dropped.
    pub fn close(&self) {
        let mut state = self.state();
        state.closed = true;
        state.dropped += state.bytes.len() as u64;
        state.bytes.clear();
        drop(state);
        self.shared.readable.wake();
        self.shared.writable.notify_waiters();
    }

    /// Waits for a frame of exactly `frame_bytes` bytes (at most the capacity, rounded down to
    /// whole `sample_bytes`), or the shorter remainder once the audio is finished. After a push
    /// was refused for room, the frame is what is queued, in whole samples (a last piece
    /// shorter than a sample goes as it is, so the next push fits). `None` when nothing more
    /// will come. The bytes count as sent. One reader at a time: a buffer feeds one channel.
    pub async fn next_frame(&self, frame_bytes: usize, sample_bytes: usize) -> Option<Bytes> {
        poll_fn(|cx| self.poll_frame(cx, frame_bytes, sample_bytes)).await
    }

    /// [`next_frame`](Self::next_frame) as a poll: `Pending` registers `cx`'s waker, which the
    /// next push, `finish` or `close` wakes (the last reader's waker only).
    pub fn poll_frame(
        &self,
        cx: &mut Context<'_>,
        frame_bytes: usize,
        sample_bytes: usize,
    ) -> Poll<Option<Bytes>> {
        let sample_bytes = sample_bytes.clamp(1, self.shared.capacity);
        let whole = |n: usize| (n - n % sample_bytes).max(sample_bytes.min(n));
        let frame_bytes = whole(frame_bytes.clamp(1, self.shared.capacity));
        let mut state = self.state();
        let have = state.bytes.len();
        if state.closed || (state.finished && have == 0) {
            return Poll::Ready(None);
        }
        let take = if have >= frame_bytes {
            frame_bytes
        } else if state.finished {
            have
        } else if state.starved && have > 0 {
            whole(have)
        } else {
            // Registered under the lock: a push, which wakes after taking it, cannot be missed.
            state.wanted = frame_bytes;
            self.shared.readable.register(cx.waker());
            return Poll::Pending;
        };
        let frame = state.bytes.split_to(take).freeze();
        state.sent += take as u64;
        state.starved = false;
        drop(state);
        self.shared.writable.notify_waiters();
        Poll::Ready(Some(frame))
    }

    /// Drops everything queued (e.g. audio that fell into a pause) and returns how many
    /// bytes were discarded.
    pub fn discard_queued(&self) -> usize {
        let mut state = self.state();
        let n = state.bytes.len();
        state.bytes.clear();
        state.dropped += n as u64;
        drop(state);
        self.shared.writable.notify_waiters();
        n
    }

    /// When audio was first queued: the instant a live stream began, which real-time pacing
    /// counts from (not from when the channel, opening meanwhile, took its first frame).
    pub fn began(&self) -> Option<Instant> {
        self.state().began
    }

    /// A snapshot of the counters.
    pub fn counters(&self) -> Counters {
        let state = self.state();
        Counters {
            queued: state.bytes.len() as u64,
            sent: state.sent,
            dropped: state.dropped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_stream_reuses_one_allocation_once_frames_are_dropped() {
        let buffer = SendBuffer::new(6400);
        buffer.push(&[1; 1600]).unwrap();
        let first = buffer.next_frame(1600, 1).await.unwrap();
        let at = first.as_ptr();
        drop(first);
        for round in 0..3 {
            buffer.push(&[round; 1600]).unwrap();
            let frame = buffer.next_frame(1600, 1).await.unwrap();
            assert_eq!(
                frame.as_ptr(),
                at,
                "round {round}: the frame's room was taken back"
            );
            assert!(frame.iter().all(|&b| b == round));
        }
    }

    #[test]
    fn push_refuses_when_full_and_counts() {
        let buffer = SendBuffer::new(4);
        buffer.push(&[1, 2, 3]).unwrap();
        assert_eq!(
            buffer.push(&[4, 5]),
            Err(PushError::WouldBlock {
                queued: 3,
                capacity: 4
            })
        );
        assert_eq!(
            buffer.push(&[0; 5]),
            Err(PushError::TooLarge {
                len: 5,
                capacity: 4
            })
        );
        buffer.push(&[4]).unwrap();
        assert_eq!(
            buffer.counters(),
            Counters {
                queued: 4,
                sent: 0,
                dropped: 2
            }
        );
    }

    #[tokio::test]
    async fn frames_come_out_whole_and_the_tail_after_finish() {
        let buffer = SendBuffer::new(16);
        buffer.push(&[1, 2, 3, 4, 5]).unwrap();
        assert_eq!(buffer.next_frame(2, 1).await.as_deref(), Some(&[1, 2][..]));
        assert_eq!(buffer.next_frame(2, 1).await.as_deref(), Some(&[3, 4][..]));
        buffer.finish();
        assert_eq!(buffer.push(&[9]), Err(PushError::Closed));
        assert_eq!(buffer.next_frame(2, 1).await.as_deref(), Some(&[5][..]));
        assert!(buffer.next_frame(2, 1).await.is_none());
        assert_eq!(
            buffer.counters(),
            Counters {
                queued: 0,
                sent: 5,
                dropped: 1
            }
        );
    }

    #[tokio::test]
    async fn push_wait_never_deadlocks_against_a_reader_waiting_for_a_whole_frame() {
        // Capacity 10, frames of 4: after two frames 2 bytes stay queued, which a push of
        // capacity-sized pieces could never join (it needed an empty buffer).
        let buffer = SendBuffer::new(10);
        let writer = {
            let buffer = buffer.clone();
            tokio::spawn(async move {
                buffer.push_wait(&[1; 10]).await?;
                buffer.push_wait(&[2; 30]).await?;
                buffer.finish();
                Ok::<_, PushError>(())
            })
        };
        let mut received = Vec::new();
        let read = async {
            while let Some(frame) = buffer.next_frame(4, 1).await {
                received.extend(frame);
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(5), read)
            .await
            .expect("reader and writer make progress");
        writer.await.unwrap().unwrap();
        assert_eq!(received.len(), 40);
        assert!(received[..10].iter().all(|&b| b == 1));
        assert!(received[10..].iter().all(|&b| b == 2));
    }

    /// Pushes `total` bytes in pieces of `push` with `push` (never waiting), taking a frame
    /// whenever one is refused: every refusal must leave a frame ready at once, or the pusher
    /// and the reader would wait on each other forever.
    fn drains(capacity: usize, push: usize, frame: usize, sample: usize) -> Result<(), String> {
        use futures_util::FutureExt;
        let buffer = SendBuffer::new(capacity);
        let total = 2 * capacity + frame;
        let (mut pushed, mut received, mut refusals) = (0, 0, 0);
        while pushed < total {
            let len = push.min(total - pushed);
            match buffer.push(&vec![0; len]) {
                Ok(()) => pushed += len,
                Err(PushError::WouldBlock { queued, .. }) => {
                    refusals += 1;
                    if refusals > 3 * total {
                        return Err(format!("no progress with {queued} bytes queued"));
                    }
                    let Some(Some(taken)) = buffer.next_frame(frame, sample).now_or_never() else {
                        return Err(format!("push refused and no frame ready ({queued} queued)"));
                    };
                    received += taken.len();
                }
                Err(other) => return Err(other.to_string()),
            }
        }
        buffer.finish();
        while let Some(Some(taken)) = buffer.next_frame(frame, sample).now_or_never() {
            received += taken.len();
        }
        match received == total {
            true => Ok(()),
            false => Err(format!("{received} of {total} bytes came out")),
        }
    }

    #[test]
    fn every_accepted_buffer_drains_for_every_push_size_and_frame_geometry() {
        let smallest = *crate::session::settings::AUDIO_BUFFER_RANGE.start();
        // Frames as the channels cut them: AudioHook 200 ms, Twilio 20 ms, and a long
        // configured frame; µ-law/A-law (1 byte) or L16 (2), mono or stereo, 8 to 48 kHz.
        let mut geometries = Vec::new();
        for millis in [20, 200, 1000] {
            for rate in [8000, 16000, 48000] {
                for sample in [1, 2, 4] {
                    geometries.push((rate * millis / 1000 * sample, sample));
                }
            }
        }
        let buffers = [0, 1, 575, 576, 577, 1023, 2176, 3199, 6400, 15_000].map(|n| smallest + n);
        for capacity in buffers {
            // Every size near the edges (a sample, a frame, the buffer), and a stride between.
            let mut pushes: Vec<usize> = (1..=capacity).step_by(97).collect();
            pushes.extend([1, 2, 3, 4, 799, 800, 801, 1600, capacity / 2, capacity - 3]);
            pushes.extend(capacity - 1..=capacity);
            pushes.retain(|&push| push <= capacity);
            for &push in &pushes {
                for &(frame, sample) in &geometries {
                    if let Err(why) = drains(capacity, push, frame, sample) {
                        panic!("buffer {capacity}, pushes of {push}, frames of {frame}/{sample}: {why}");
                    }
                }
            }
        }
    }

    #[tokio::test]
    async fn push_wait_blocks_until_the_reader_makes_room() {
        let buffer = SendBuffer::new(4);
        let writer = {
            let buffer = buffer.clone();
            tokio::spawn(async move { buffer.push_wait(&[7; 10]).await })
        };
        let mut got = Vec::new();
        while got.len() < 10 {
            got.extend(buffer.next_frame(2, 1).await.unwrap());
        }
        writer.await.unwrap().unwrap();
        assert_eq!(got, vec![7; 10]);
    }

    #[tokio::test]
    async fn close_wakes_both_sides() {
        let buffer = SendBuffer::new(2);
        buffer.push(&[1, 2]).unwrap();
        let writer = {
            let buffer = buffer.clone();
            tokio::spawn(async move { buffer.push_wait(&[3]).await })
        };
        tokio::task::yield_now().await;
        buffer.close();
        assert_eq!(writer.await.unwrap(), Err(PushError::Closed));
        assert!(buffer.next_frame(2, 1).await.is_none());
        assert_eq!(buffer.counters().dropped, 2);
    }

    /// A waker that counts its wake-ups.
    struct CountingWaker(std::sync::atomic::AtomicUsize);

    impl futures_util::task::ArcWake for CountingWaker {
        fn wake_by_ref(this: &Arc<Self>) {
            this.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    #[test]
    fn the_reader_wakes_once_its_frame_is_queued_not_for_every_piece() {
        let buffer = SendBuffer::new(6400);
        let wakes = Arc::new(CountingWaker(Default::default()));
        let waker = futures_util::task::waker(wakes.clone());
        let mut cx = Context::from_waker(&waker);
        let woken = || wakes.0.load(std::sync::atomic::Ordering::SeqCst);
        assert!(buffer.poll_frame(&mut cx, 1600, 1).is_pending());
        // Nine 20 ms pieces of a 200 ms frame: the reader sleeps on.
        for _ in 0..9 {
            buffer.push(&[7; 160]).unwrap();
        }
        assert_eq!(woken(), 0);
        buffer.push(&[7; 160]).unwrap();
        assert_eq!(woken(), 1);
        assert!(buffer.poll_frame(&mut cx, 1600, 1).is_ready());
        // The next frame: pieces through `push_wait`, then `finish` wakes for the remainder.
        assert!(buffer.poll_frame(&mut cx, 1600, 1).is_pending());
        futures_util::FutureExt::now_or_never(buffer.push_wait(&[7; 800]))
            .unwrap()
            .unwrap();
        assert_eq!(woken(), 1);
        buffer.finish();
        assert_eq!(woken(), 2);
        assert!(
            matches!(buffer.poll_frame(&mut cx, 1600, 1), Poll::Ready(Some(f)) if f.len() == 800)
        );
    }
}
