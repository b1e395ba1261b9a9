//! Paced frames of whole samples, taken from a [`SendBuffer`] by the task that writes them
//! (no task or channel in between: a frame costs the writer one wake-up).

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use tokio::time::{Instant, Sleep};

use super::pacing::{Pacer, Pacing};
use super::send_buffer::SendBuffer;

/// One paced frame, or the end of the audio.
#[derive(Debug, PartialEq, Eq)]
pub enum PumpItem {
    /// A frame of wire bytes.
    Frame {
        /// The encoded audio, whole sample frames only.
        bytes: Bytes,
        /// Sample frames (all channels) in `bytes`.
        samples: u64,
    },
    /// The buffer was finished and drained (or closed).
    Done,
}

/// Frame geometry and pace of a pump.
#[derive(Debug, Clone, Copy)]
pub struct PumpConfig {
    /// Bytes per frame; a multiple of `sample_bytes`.
    pub frame_bytes: usize,
    /// Bytes per sample frame (all channels).
    pub sample_bytes: usize,
    /// Samples per second per channel.
    pub sample_rate: u32,
    /// Real time or as fast as the writer takes the frames.
    pub pacing: Pacing,
}

/// The frames of one buffer, each handed out once its pacing slot has come.
#[derive(Debug)]
pub struct PacedFrames {
    buffer: SendBuffer,
    config: PumpConfig,
    pacer: Pacer,
    /// A frame taken from the buffer, its sample count, and whether it waits for `slot`.
    waiting: Option<(Bytes, u64, bool)>,
    /// The timer for the waiting frame's slot: one for the stream, moved from slot to slot.
    slot: Option<Pin<Box<Sleep>>>,
    done: bool,
}

impl PacedFrames {
    /// Frames of `config.frame_bytes` taken from `buffer` at `config.pacing`.
    pub fn new(buffer: SendBuffer, config: PumpConfig) -> Self {
        PacedFrames {
            buffer,
            config,
            pacer: Pacer::new(config.pacing),
            waiting: None,
            slot: None,
            done: false,
        }
    }

    /// The next frame once its slot has come, then [`PumpItem::Done`] once, then `None`.
    /// Cancel-safe, for use in `select!`: a frame taken before its slot is kept for the
    /// next call.
    pub async fn next(&mut self) -> Option<PumpItem> {
        poll_fn(|cx| self.poll_next(cx)).await
    }

    /// [`next`](Self::next) as a poll, for a writer polling its sources itself: `Pending`
    /// registers `cx`'s waker with the buffer or the slot's timer.
    pub fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<PumpItem>> {
        if self.done {
            return Poll::Ready(None);
        }
        let sample_bytes = self.config.sample_bytes.max(1);
        while self.waiting.is_none() {
            let polled = self
                .buffer
                .poll_frame(cx, self.config.frame_bytes, sample_bytes);
            let Some(mut frame) = ready!(polled) else {
                self.done = true;
                return Poll::Ready(Some(PumpItem::Done));
            };
            frame.truncate(frame.len() - frame.len() % sample_bytes);
            let samples = (frame.len() / sample_bytes) as u64;
            if samples > 0 {
                let duration = Duration::from_secs_f64(
                    samples as f64 / f64::from(self.config.sample_rate.max(1)),
                );
                let buffer = &self.buffer;
                let began = || buffer.began().unwrap_or_else(Instant::now);
                let slot = self.pacer.next_slot(duration, began);
                if let Some(slot) = slot {
                    match &mut self.slot {
                        Some(timer) => timer.as_mut().reset(slot),
                        None => self.slot = Some(Box::pin(tokio::time::sleep_until(slot))),
                    }
                }
                self.waiting = Some((frame, samples, slot.is_some()));
            }
        }
        if let (Some((_, _, true)), Some(timer)) = (&self.waiting, &mut self.slot) {
            ready!(timer.as_mut().poll(cx));
        }
        Poll::Ready(
            self.waiting
                .take()
                .map(|(bytes, samples, _)| PumpItem::Frame { bytes, samples }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn frames_are_whole_samples_and_paced() {
        let buffer = SendBuffer::new(100);
        buffer.push(&[1; 7]).unwrap();
        buffer.finish();
        let config = PumpConfig {
            frame_bytes: 4,
            sample_bytes: 2,
            sample_rate: 2,
            pacing: Pacing::RealTime,
        };
        let mut frames = PacedFrames::new(buffer, config);
        let start = Instant::now();
        assert_eq!(
            frames.next().await,
            Some(PumpItem::Frame {
                bytes: Bytes::from_static(&[1; 4]),
                samples: 2
            })
        );
        assert_eq!(
            frames.next().await,
            Some(PumpItem::Frame {
                bytes: Bytes::from_static(&[1; 2]),
                samples: 1
            })
        );
        assert_eq!(
            start.elapsed(),
            Duration::from_secs(1),
            "second frame one frame later"
        );
        assert_eq!(frames.next().await, Some(PumpItem::Done));
        assert_eq!(frames.next().await, None);
    }

    /// Live audio pushed before the writer starts (the channel was still opening) goes out
    /// at once, and frames pushed on time after that leave as they arrive: the schedule
    /// counts from the first push, not from when the writer took its first frame.
    #[tokio::test(start_paused = true)]
    async fn audio_pushed_before_the_writer_started_is_not_held_back() {
        let buffer = SendBuffer::new(100);
        let config = PumpConfig {
            frame_bytes: 2,
            sample_bytes: 1,
            sample_rate: 10,
            pacing: Pacing::RealTime,
        };
        let frame = Duration::from_millis(200);
        let start = Instant::now();
        // Three live frames while the channel opens for 700 ms.
        for _ in 0..3 {
            buffer.push(&[1; 2]).unwrap();
            tokio::time::advance(frame).await;
        }
        tokio::time::advance(Duration::from_millis(100)).await;
        let mut frames = PacedFrames::new(buffer.clone(), config);
        for _ in 0..3 {
            assert!(matches!(frames.next().await, Some(PumpItem::Frame { .. })));
        }
        assert_eq!(
            start.elapsed(),
            Duration::from_millis(700),
            "the backlog leaves at once"
        );
        // The next frame is pushed on its time, 800 ms after the first: it leaves then.
        let pushed = tokio::spawn({
            let buffer = buffer.clone();
            async move {
                tokio::time::sleep_until(start + frame * 4).await;
                buffer.push(&[1; 2]).unwrap();
            }
        });
        assert!(matches!(frames.next().await, Some(PumpItem::Frame { .. })));
        assert_eq!(
            start.elapsed(),
            frame * 4,
            "a frame pushed on time leaves at once"
        );
        pushed.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_wait_keeps_its_frame() {
        let buffer = SendBuffer::new(100);
        buffer.push(&[7; 8]).unwrap();
        let config = PumpConfig {
            frame_bytes: 4,
            sample_bytes: 1,
            sample_rate: 4,
            pacing: Pacing::RealTime,
        };
        let mut frames = PacedFrames::new(buffer.clone(), config);
        assert!(matches!(frames.next().await, Some(PumpItem::Frame { .. })));
        // The second frame's slot is 1 s away: give up after 100 ms, then wait again.
        let early = tokio::time::timeout(Duration::from_millis(100), frames.next()).await;
        assert!(early.is_err());
        assert_eq!(buffer.counters().queued, 0, "the frame was taken once");
        assert_eq!(
            frames.next().await,
            Some(PumpItem::Frame {
                bytes: Bytes::from_static(&[7; 4]),
                samples: 4
            })
        );
    }
}
