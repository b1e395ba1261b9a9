//! AudioHook request signatures: RFC 9421 HTTP Message Signatures with HMAC-SHA256 over the
//! six covered components Genesys signs, a signer for clients and a verifier for servers.

use std::fmt::Write as _;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{KeyInit, Mac};
use sha2::Sha256;

use super::secret::ClientSecret;

type HmacSha256 = hmac::Hmac<Sha256>;

/// The covered components, in the order Genesys signs them.
pub const COMPONENTS: [&str; 6] = [
    "@request-target",
    "@authority",
    "audiohook-organization-id",
    "audiohook-session-id",
    "audiohook-correlation-id",
    "x-api-key",
];
/// The signature label.
pub const LABEL: &str = "sig1";
/// Shortest accepted nonce.
pub const MIN_NONCE_LEN: usize = 22;

/// One signature parameter value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamValue {
    /// A quoted string (`keyid`, `nonce`, `alg`).
    Text(String),
    /// An integer (`created`, `expires`).
    Integer(i64),
}

/// Serialises an RFC 8941 inner list of component names with parameters: the
/// `@signature-params` value and the `Signature-Input` member.
pub fn serialize_params(components: &[&str], params: &[(&str, ParamValue)]) -> String {
    let mut out = String::with_capacity(256);
    out.push('(');
    for (i, component) in components.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        push_quoted(&mut out, component);
    }
    out.push(')');
    for (name, value) in params {
        out.push(';');
        out.push_str(name);
        out.push('=');
        match value {
            ParamValue::Text(text) => push_quoted(&mut out, text),
            // Writing to a `String` cannot fail.
            ParamValue::Integer(n) => {
                let _ = write!(out, "{n}");
            }
        }
    }
    out
}

/// Appends `text` as an RFC 8941 string: quoted, with `\` and `"` escaped.
fn push_quoted(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        if matches!(c, '\\' | '"') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// The signature base: one `"name": value` line per component, then `@signature-params`,
/// joined by `\n` without a trailing newline.
pub fn signature_base(components: &[(&str, &str)], serialized_params: &str) -> String {
    let mut lines: Vec<String> = components
        .iter()
        .map(|(name, value)| format!("\"{name}\": {value}"))
        .collect();
    lines.push(format!("\"@signature-params\": {serialized_params}"));
    lines.join("\n")
}

/// HMAC-SHA256 of `base` keyed with `secret`.
pub fn mac(secret: &[u8], base: &str) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac =
        <HmacSha256 as KeyInit>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(base.as_bytes());
    mac.finalize().into_bytes().into()
}

/// What a client signs for one upgrade request.
#[derive(Debug, Clone)]
pub struct SignedRequest<'a> {
    /// Path plus query of the URL.
    pub request_target: &'a str,
    /// Host, plus the port only when it is not the scheme's default.
    pub authority: &'a str,
    /// `Audiohook-Organization-Id`.
    pub organization_id: &'a str,
    /// `Audiohook-Session-Id`.
    pub session_id: &'a str,
    /// `Audiohook-Correlation-Id`.
    pub correlation_id: &'a str,
    /// `X-API-KEY`, also the `keyid` parameter.
    pub api_key: &'a str,
    /// A random value of at least [`MIN_NONCE_LEN`] characters.
    pub nonce: &'a str,
    /// Signing time, Unix seconds.
    pub created: i64,
    /// End of validity, Unix seconds.
    pub expires: i64,
}

/// The two signature header values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeaders {
    /// The `Signature-Input` header value.
    pub signature_input: String,
    /// The `Signature` header value.
    pub signature: String,
}

impl SignedRequest<'_> {
    fn component_values(&self) -> [&str; 6] {
        [
            self.request_target,
            self.authority,
            self.organization_id,
            self.session_id,
            self.correlation_id,
            self.api_key,
        ]
    }

    /// The serialised signature parameters (keyid, nonce, alg, created, expires).
    pub fn params(&self) -> String {
        serialize_params(
            &COMPONENTS,
            &[
                ("keyid", ParamValue::Text(self.api_key.to_owned())),
                ("nonce", ParamValue::Text(self.nonce.to_owned())),
                ("alg", ParamValue::Text("hmac-sha256".into())),
                ("created", ParamValue::Integer(self.created)),
                ("expires", ParamValue::Integer(self.expires)),
            ],
        )
    }

    /// The signature base this request signs.
    pub fn base(&self) -> String {
        self.base_with(&self.params())
    }

    fn base_with(&self, params: &str) -> String {
        let pairs: Vec<(&str, &str)> = COMPONENTS
            .iter()
            .copied()
            .zip(self.component_values())
            .collect();
        signature_base(&pairs, params)
    }

    /// Signs with `secret`, producing the `Signature-Input` and `Signature` values.
    pub fn sign(&self, secret: &ClientSecret) -> SignatureHeaders {
        let params = self.params();
        let signature = STANDARD.encode(mac(secret.bytes(), &self.base_with(&params)));
        SignatureHeaders {
            signature_input: format!("{LABEL}={params}"),
            signature: format!("{LABEL}=:{signature}:"),
        }
    }
}

/// A fresh random nonce: 18 random bytes in base64 (24 characters).
pub fn new_nonce() -> String {
    STANDARD.encode(rand::random::<[u8; 18]>())
}

/// The `@authority` of a URL: host, and the port only when not the scheme's default.
pub fn authority_of(url: &url::Url) -> Option<String> {
    let host = url.host_str()?;
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    };
    // `Url::port` is None when the port is the scheme default (ws 80, wss 443).
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// `@request-target`: path plus query.
pub fn request_target_of(url: &url::Url) -> String {
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    }
}

mod nonces;
mod verify;
pub use nonces::NonceCache;
pub use verify::{RequestView, Verification, Verifier, VerifyError};

#[cfg(test)]
mod tests;
