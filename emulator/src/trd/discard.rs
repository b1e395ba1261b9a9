//! Reading a refused request's body before answering it.

use axum::extract::Request;
use futures_util::StreamExt;

/// Reads `request`'s body (an upload) and throws it away, as a proxy's lingering close does: a
/// connection closed with the body unsent is reset before the client reads the status, and the
/// client would see a broken connection instead of the refusal.
pub(super) async fn discard_body(request: Request) {
    let mut body = request.into_body().into_data_stream();
    while let Some(Ok(_)) = body.next().await {}
}
