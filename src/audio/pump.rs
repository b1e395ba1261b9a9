//! Moves audio from a [`SendBuffer`] to a transport task as paced frames of whole samples.

use tokio::sync::{mpsc, watch};

use super::pacing::{Pacer, Pacing};
use super::send_buffer::SendBuffer;

/// One paced frame, or the end of the audio.
#[derive(Debug, PartialEq, Eq)]
pub enum PumpItem {
    /// `samples` sample frames (all channels) of wire bytes.
    Frame { bytes: Vec<u8>, samples: u64 },
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
    pub pacing: Pacing,
}

/// Runs until the buffer ends or the receiver is gone. While `hold` reads `true` and pacing
/// is as fast as possible, nothing is taken (there is no clock to discard against).
pub async fn run(
    buffer: SendBuffer,
    config: PumpConfig,
    frames: mpsc::Sender<PumpItem>,
    mut hold: Option<watch::Receiver<bool>>,
) {
    let sample_bytes = config.sample_bytes.max(1);
    let mut pacer = Pacer::new(config.pacing);
    loop {
        if config.pacing == Pacing::AsFastAsPossible {
            if let Some(hold) = hold.as_mut() {
                if hold.wait_for(|held| !*held).await.is_err() {
                    return;
                }
            }
        }
        let Some(mut frame) = buffer.next_frame(config.frame_bytes).await else {
            let _ = frames.send(PumpItem::Done).await;
            return;
        };
        frame.truncate(frame.len() - frame.len() % sample_bytes);
        let samples = (frame.len() / sample_bytes) as u64;
        if samples == 0 {
            continue;
        }
        let duration = std::time::Duration::from_secs_f64(
            samples as f64 / f64::from(config.sample_rate.max(1)),
        );
        pacer.wait_for_slot(duration).await;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn frames_are_whole_samples_and_paced() {
        let buffer = SendBuffer::new(100);
        buffer.push(&[1; 7]).unwrap();
        buffer.finish();
        let (tx, mut rx) = mpsc::channel(8);
        let config = PumpConfig {
            frame_bytes: 4,
            sample_bytes: 2,
            sample_rate: 2,
            pacing: Pacing::RealTime,
        };
        let start = tokio::time::Instant::now();
        tokio::spawn(run(buffer, config, tx, None));
        assert_eq!(
            rx.recv().await,
            Some(PumpItem::Frame {
                bytes: vec![1; 4],
                samples: 2
            })
        );
        assert_eq!(
            rx.recv().await,
            Some(PumpItem::Frame {
                bytes: vec![1; 2],
                samples: 1
            })
        );
        assert_eq!(
            start.elapsed(),
            std::time::Duration::from_secs(1),
            "second frame one frame later"
        );
        assert_eq!(rx.recv().await, Some(PumpItem::Done));
    }
}
