//! AudioHook text messages, stream durations and RFC 9421 request signatures.

use das::audiohook::duration::StreamDuration;
use das::audiohook::messages::{
    ClientBody, ClientMessage, ServerBody, ServerMessage, MAX_TEXT_LEN,
};
use das::audiohook::secret::ClientSecret;
use das::audiohook::signature::{
    SignedRequest, Verification, Verifier, VerifyError, MIN_NONCE_LEN,
};

/// Parses `data` as a client message, a server message and a duration. Whatever parses must
/// write back to text that parses to the same value (when that text still fits the 64K limit),
/// and accepted media offers must be valid.
pub fn audiohook_message(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(message) = ClientMessage::parse(text) {
        check_duration(message.position);
        if let ClientBody::Open(open) = &message.body {
            let _ = open.is_probe();
            for media in &open.media {
                assert!(media.validate().is_ok(), "accepted an invalid offer");
                assert!(media.frame_bytes() > 0, "media frames of zero bytes");
            }
        }
        let written = message.to_text();
        if written.len() <= MAX_TEXT_LEN {
            let again = ClientMessage::parse(&written)
                .unwrap_or_else(|e| panic!("written client message does not parse: {e}"));
            assert_eq!(again, message, "client message round trip: {written}");
        }
    }
    if let Ok(message) = ServerMessage::parse(text) {
        if let ServerBody::Opened(opened) = &message.body {
            for media in &opened.media {
                assert!(media.validate().is_ok(), "accepted an invalid selection");
            }
            opened.discard_to.into_iter().for_each(check_duration);
        }
        let written = message.to_text();
        if written.len() <= MAX_TEXT_LEN {
            let again = ServerMessage::parse(&written)
                .unwrap_or_else(|e| panic!("written server message does not parse: {e}"));
            assert_eq!(again, message, "server message round trip: {written}");
        }
    }
    if let Ok(duration) = text.parse::<StreamDuration>() {
        check_duration(duration);
    }
}

fn check_duration(duration: StreamDuration) {
    let written = duration.to_string();
    assert_eq!(
        written.parse::<StreamDuration>().ok(),
        Some(duration),
        "duration round trip: {written}"
    );
    let samples = duration.samples(8000);
    assert!(
        StreamDuration::from_samples(samples, 8000) <= duration,
        "whole samples of {written} last longer than it"
    );
}

/// The request header values the signature targets use (organization, session, correlation).
const ORGANIZATION: &str = "aec04f7c-8108-4e07-a9d6-67a8d5df7b3e";
const SESSION: &str = "e160e428-53e2-487c-977d-96989bf5c99d";
const CORRELATION: &str = "2b8b1e5c-1b1a-4b8a-9c1d-2f3f4e5d6c7b";
const NOW: i64 = 1_700_000_000;

/// Two modes, chosen by the first byte. `S`: the rest is `api-key \n nonce \n request-target
/// \n authority`; a request signed with those values must verify with its secret and fail with
/// any other. Otherwise: the input is `Signature-Input \n Signature` headers of an incoming
/// request; verification must give a typed error, and no two different secrets may both accept
/// the same headers.
pub fn signature_input(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match text.strip_prefix('S') {
        Some(fields) => sign_then_verify(fields),
        None => verify_headers(text),
    }
}

fn sign_then_verify(fields: &str) {
    let mut parts = fields.split('\n');
    let (Some(api_key), Some(nonce), Some(target), Some(authority)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return;
    };
    // Header values are sent trimmed, as printable ASCII (RFC 9110 field values as RFC 8941
    // strings can carry them); anything else is not a value a client could sign.
    let printable = |s: &str| s.bytes().all(|b| (0x20..0x7f).contains(&b)) && s.trim() == s;
    if ![api_key, nonce, target, authority]
        .into_iter()
        .all(printable)
        || api_key.is_empty()
    {
        return;
    }
    let request = SignedRequest {
        request_target: target,
        authority,
        organization_id: ORGANIZATION,
        session_id: SESSION,
        correlation_id: CORRELATION,
        api_key,
        nonce,
        created: NOW,
        expires: NOW + 5,
    };
    let secret = ClientSecret::from_bytes(b"the right secret".to_vec());
    let headers = request.sign(&secret);
    let header = |name: &str| -> Option<String> {
        Some(match name {
            "x-api-key" => api_key.to_owned(),
            "audiohook-organization-id" => ORGANIZATION.to_owned(),
            "audiohook-session-id" => SESSION.to_owned(),
            "audiohook-correlation-id" => CORRELATION.to_owned(),
            "signature-input" => headers.signature_input.clone(),
            "signature" => headers.signature.clone(),
            _ => return None,
        })
    };
    let view = das::audiohook::signature::RequestView {
        request_target: target,
        authority: Some(authority),
        header: &header,
    };
    let verifier = Verifier::default();
    let right = verifier.verify(&view, &|_| Some(secret.clone()), NOW);
    if nonce.len() < MIN_NONCE_LEN {
        assert!(
            matches!(right, Err(VerifyError::Invalid(_))),
            "short nonce: {right:?}"
        );
        return;
    }
    assert_eq!(
        right,
        Ok(Verification::Verified),
        "a correctly signed request was refused: {headers:?}"
    );
    let wrong = ClientSecret::from_bytes(b"another secret".to_vec());
    assert_eq!(
        verifier.verify(&view, &|_| Some(wrong.clone()), NOW),
        Err(VerifyError::Failed),
        "a request verified with the wrong secret"
    );
    assert_eq!(
        verifier.verify(&view, &|_| None, NOW),
        Err(VerifyError::Failed),
        "a request verified with an unknown key"
    );
}

fn verify_headers(text: &str) {
    let (input, signature) = text.split_once('\n').unwrap_or((text, ""));
    let header = |name: &str| -> Option<String> {
        Some(match name {
            "x-api-key" => "key".to_owned(),
            "host" => "audiohook.example.com".to_owned(),
            "audiohook-organization-id" => ORGANIZATION.to_owned(),
            "audiohook-session-id" => SESSION.to_owned(),
            "audiohook-correlation-id" => CORRELATION.to_owned(),
            "signature-input" => input.to_owned(),
            "signature" => signature.to_owned(),
            _ => return None,
        })
    };
    let view = das::audiohook::signature::RequestView {
        request_target: "/api/v1/audiohook/ws",
        authority: None,
        header: &header,
    };
    let verifier = Verifier::default();
    let mut accepted = 0;
    for secret in [&b"first secret"[..], &b"second secret"[..]] {
        let secret = ClientSecret::from_bytes(secret.to_vec());
        match verifier.verify(&view, &|_| Some(secret.clone()), NOW) {
            Ok(Verification::Verified) => accepted += 1,
            Ok(Verification::Unsigned) => panic!("unsigned accepted with a non-empty secret"),
            Err(error) => {
                let _ = error.to_string();
            }
        }
    }
    assert!(
        accepted <= 1,
        "two different secrets accepted one signature"
    );
    assert!(
        !matches!(
            verifier.verify(&view, &|_| None, NOW),
            Ok(Verification::Verified)
        ),
        "an unknown key verified"
    );
}
