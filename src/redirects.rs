//! Which redirects libdas's HTTP clients (the OAuth token endpoint, TRD, its license server)
//! follow: within the origin the request went to, at most a few. A redirect elsewhere (another
//! host, port, or from `https` down to `http`) is not followed and the caller sees the `3xx`
//! answer: a `307` from a token endpoint would otherwise send the client secret in its body
//! to whoever it names, and a `GET` would trust an answer fetched in clear text.

use reqwest::redirect::{Attempt, Policy};

/// Redirects followed in a row before the request fails.
const MAX_REDIRECTS: usize = 5;

/// The redirect policy of every libdas HTTP client.
pub(crate) fn same_origin_only() -> Policy {
    Policy::custom(decide)
}

fn decide(attempt: Attempt<'_>) -> reqwest::redirect::Action {
    let same_origin = attempt
        .previous()
        .last()
        .is_some_and(|previous| previous.origin() == attempt.url().origin());
    if !same_origin {
        attempt.stop()
    } else if attempt.previous().len() > MAX_REDIRECTS {
        attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
    } else {
        attempt.follow()
    }
}
