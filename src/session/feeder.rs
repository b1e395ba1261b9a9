//! The task that, once `info-consumer-ready` arrives, opens the audio channel with the
//! session's `call_id` on the session's own audio buffer, and reports how the audio ended.

use serde_json::json;

use super::sink::SinkHold;
use super::Event;
use crate::audio::send_buffer::SendBuffer;
use crate::channel::{
    AudioChannel, AudioChannelConfig, ChannelEnd, ChannelError, ChannelErrorKind,
};

/// Streams `buffer` on a channel opened for `call_id` until the application ends the audio
/// or the consumer closes, then reports how it ended as an [`Event::AudioEnded`] on the
/// session's sink. The channel's writer takes frames straight from `buffer`.
pub(crate) async fn feed(
    config: AudioChannelConfig,
    call_id: String,
    buffer: SendBuffer,
    events: SinkHold,
) {
    let outcome = stream(&config, &call_id, &buffer).await;
    // Whatever happened, the application's pushes must now fail rather than wait forever.
    buffer.close();
    let bytes_sent = buffer.counters().sent;
    let (reason, error, error_kind) = match outcome {
        Ok(ChannelEnd::Finished) => ("finished", None, None),
        Ok(ChannelEnd::ConsumerClosed { .. }) => ("consumer-closed", None, None),
        Err(failure) => {
            let message = failure.to_string();
            tracing::warn!(%call_id, %message, "audio channel failed");
            ("error", Some(message), Some(failure.kind()))
        }
    };
    let data = json!({
        "event": "audio-ended",
        "reason": reason,
        "error": error,
        "error_kind": error_kind.map(ChannelErrorKind::as_str),
        "bytes_sent": bytes_sent,
    });
    let ended = Event::AudioEnded {
        reason: reason.to_owned(),
        error,
        error_kind,
        bytes_sent,
        data,
    };
    events.deliver(ended, 0).await;
}

async fn stream(
    config: &AudioChannelConfig,
    call_id: &str,
    buffer: &SendBuffer,
) -> Result<ChannelEnd, ChannelError> {
    let channel = AudioChannel::open_with_buffer(config, call_id, buffer.clone()).await?;
    tracing::info!(%call_id, url = %config.url, "audio channel open");
    channel.ended().await
}
