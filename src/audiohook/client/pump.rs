//! Takes frames from the send buffer at the configured pace and hands them to the driver.

use tokio::sync::{mpsc, watch};

use super::config::ClientConfig;
use super::driver::PumpItem;
use crate::audio::pacing::{Pacer, Pacing};
use crate::audio::send_buffer::SendBuffer;
use crate::audiohook::duration::StreamDuration;
use crate::audiohook::messages::SAMPLE_RATE;

pub(super) async fn run(
    buffer: SendBuffer,
    config: ClientConfig,
    frames: mpsc::Sender<PumpItem>,
    mut paused: watch::Receiver<bool>,
) {
    let frame_bytes = config.frame_bytes();
    let sample_bytes = config.input_frame_bytes();
    let mut pacer = Pacer::new(config.pacing);
    loop {
        // Without a clock there is no timeline to discard against while paused: hold the audio.
        if config.pacing == Pacing::AsFastAsPossible && paused.wait_for(|p| !*p).await.is_err() {
            return;
        }
        let Some(mut frame) = buffer.next_frame(frame_bytes).await else {
            let _ = frames.send(PumpItem::Done).await;
            return;
        };
        frame.truncate(frame.len() - frame.len() % sample_bytes);
        let samples = (frame.len() / sample_bytes) as u64;
        if samples == 0 {
            continue;
        }
        pacer
            .wait_for_slot(StreamDuration::from_samples(samples, SAMPLE_RATE).0)
            .await;
        if frames
            .send(PumpItem::Frame {
                bytes: frame,
                samples,
            })
            .await
            .is_err()
        {
            return;
        }
    }
}
