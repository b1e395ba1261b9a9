//! The `stall_audio_after_messages` fault, shared by both consumers: a consumer that stops
//! reading its socket, so the client's writes back up (a slow consumer).

use crate::session::AudioFeed;

/// Once `messages` media messages have arrived and the fault is on, stops reading until the
/// session ends, and says so; otherwise returns `false` at once.
pub(crate) async fn stall_when_due(limit: Option<u32>, messages: u32, feed: &AudioFeed) -> bool {
    if limit.is_none_or(|limit| messages < limit) {
        return false;
    }
    tracing::info!(messages, "fault: audio consumer stops reading");
    feed.closed().await;
    true
}
