//! The task that, once `info-consumer-ready` arrives, opens the audio channel with the
//! session's `call_id` and moves the session's buffered audio onto it.

use serde_json::json;
use tokio::sync::mpsc;

use super::Event;
use crate::audio::send_buffer::SendBuffer;
use crate::channel::{AudioChannel, AudioChannelConfig, ChannelEnd};

/// How much to hand the channel at a time: 100 ms of 8 kHz µ-law mono, so pauses and
/// the end of audio are noticed promptly whatever the channel's own frame size is.
const HANDOFF_BYTES: usize = 800;

/// Streams `buffer` into a channel opened for `call_id`, then reports how the audio ended
/// as an [`Event::AudioEnded`] on the session queue.
pub(crate) async fn feed(
    config: AudioChannelConfig,
    call_id: String,
    buffer: SendBuffer,
    events: mpsc::Sender<Event>,
) {
    let outcome = stream(&config, &call_id, &buffer).await;
    // Whatever happened, the application's pushes must now fail rather than wait forever.
    buffer.close();
    let bytes_sent = buffer.counters().sent;
    let (reason, error) = match outcome {
        Ok(ChannelEnd::Finished) => ("finished", None),
        Ok(ChannelEnd::ConsumerClosed { .. }) => ("consumer-closed", None),
        Err(message) => {
            tracing::warn!(%call_id, %message, "audio channel failed");
            ("error", Some(message))
        }
    };
    let data = json!({
        "event": "audio-ended",
        "reason": reason,
        "error": error,
        "bytes_sent": bytes_sent,
    });
    let _ = events
        .send(Event::AudioEnded {
            reason: reason.to_owned(),
            error,
            bytes_sent,
            data,
        })
        .await;
}

async fn stream(
    config: &AudioChannelConfig,
    call_id: &str,
    buffer: &SendBuffer,
) -> Result<ChannelEnd, String> {
    let channel = AudioChannel::open(config, call_id)
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!(%call_id, url = %config.url, "audio channel open");
    while let Some(chunk) = buffer.next_frame(HANDOFF_BYTES).await {
        // Closed means the consumer ended the stream; finish() reports how.
        if channel.push_wait(&chunk).await.is_err() {
            break;
        }
    }
    channel.finish().await.map_err(|e| e.to_string())
}
