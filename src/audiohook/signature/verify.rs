//! The server side of request signatures: parse, check freshness and key, recompute, compare
//! in constant time. Mirrors the reference implementation's verifier results.

use std::fmt;
use std::time::Duration;

use sfv::{ListEntry, Parser};

use super::nonces::NonceCache;
use super::{mac, serialize_params, signature_base, ParamValue, COMPONENTS, MIN_NONCE_LEN};
use crate::audiohook::secret::ClientSecret;

/// Why a request is not authenticated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// Something the check needs is missing (API key header, a covered component, ...).
    #[error("precondition failed: {0}")]
    Precondition(String),
    /// The signature headers are malformed.
    #[error("invalid signature headers: {0}")]
    Invalid(String),
    /// A feature of RFC 9421 AudioHook does not use.
    #[error("unsupported signature feature: {0}")]
    Unsupported(String),
    /// `created` lies in the future beyond the allowed clock skew.
    #[error("signature created in the future")]
    Future,
    /// The signature expired or is older than the maximum age.
    #[error("signature expired")]
    Expired,
    /// The API key is unknown.
    #[error("unknown API key")]
    UnknownKey,
    /// The recomputed MAC differs.
    #[error("signatures do not match")]
    Failed,
    /// A valid signature whose nonce was already used within its lifetime: a replay.
    #[error("signature already used (nonce seen before)")]
    Replayed,
}

/// How a request was authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// A valid signature with the key's secret.
    Verified,
    /// No signature, accepted because the key's secret is empty.
    Unsigned,
}

/// The parts of an upgrade request the verifier reads.
#[derive(Clone, Copy)]
pub struct RequestView<'a> {
    /// Path plus query.
    pub request_target: &'a str,
    /// `@authority`: from the Host header (or a proxy-aware lookup).
    pub authority: Option<&'a str>,
    /// Looks up a header by lowercase name, joining repeated fields with ", ".
    pub header: &'a dyn Fn(&str) -> Option<String>,
}

impl fmt::Debug for RequestView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestView")
            .field("request_target", &self.request_target)
            .field("authority", &self.authority)
            .finish_non_exhaustive()
    }
}

/// Signature policy: maximum age and clock skew, both in whole seconds as in the RI.
///
/// A signature must carry `created`; it is accepted from `created - clock_skew` until
/// `created + max_age - clock_skew` (7 s with the defaults, as in the RI), and until
/// `expires - clock_skew` when it carries `expires`.
#[derive(Debug, Clone, Copy)]
pub struct Verifier {
    /// How old `created` may be; the allowance is reduced by `clock_skew`.
    pub max_age: Duration,
    /// How far ahead of this clock `created` may be, and the margin before `expires`.
    pub clock_skew: Duration,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            max_age: Duration::from_secs(10),
            clock_skew: Duration::from_secs(3),
        }
    }
}

impl Verifier {
    /// Checks the request's signature at Unix time `now`. `secret_for` maps an API key to its
    /// secret (`None`: unknown key; an empty secret allows unsigned requests).
    pub fn verify(
        &self,
        request: &RequestView<'_>,
        secret_for: &dyn Fn(&str) -> Option<ClientSecret>,
        now: i64,
    ) -> Result<Verification, VerifyError> {
        self.check(request, secret_for, now).map(|(how, _)| how)
    }

    /// [`verify`](Self::verify), and a signature's nonce is accepted once: `nonces`
    /// remembers it until the signature would expire, and a second use is
    /// [`VerifyError::Replayed`].
    pub fn verify_once(
        &self,
        request: &RequestView<'_>,
        secret_for: &dyn Fn(&str) -> Option<ClientSecret>,
        now: i64,
        nonces: &NonceCache,
    ) -> Result<Verification, VerifyError> {
        let (how, signed) = self.check(request, secret_for, now)?;
        if let Some(signed) = signed {
            nonces.remember(signed.keyid, signed.nonce, signed.valid_until, now)?;
        }
        Ok(how)
    }

    /// The verification, and for a signed request what identifies the signature.
    fn check(
        &self,
        request: &RequestView<'_>,
        secret_for: &dyn Fn(&str) -> Option<ClientSecret>,
        now: i64,
    ) -> Result<(Verification, Option<Signed>), VerifyError> {
        let header = request.header;
        let api_key = header("x-api-key").ok_or_else(|| {
            VerifyError::Precondition("Missing \"X-API-KEY\" header field".into())
        })?;
        let secret = secret_for(&api_key);
        let (input, signature) = match (header("signature-input"), header("signature")) {
            (None, None) => {
                return match secret {
                    Some(secret) if secret.is_empty() => Ok((Verification::Unsigned, None)),
                    Some(_) => Err(VerifyError::Precondition("request is not signed".into())),
                    None => Err(VerifyError::UnknownKey),
                };
            }
            (Some(input), Some(signature)) => (input, signature),
            _ => {
                return Err(VerifyError::Invalid(
                    "Signature and Signature-Input must both be present".into(),
                ))
            }
        };
        let parsed = ParsedSignature::parse(&input, &signature)?;
        let valid_until = parsed.check_time(self, now)?;
        if parsed.nonce.len() < MIN_NONCE_LEN {
            return Err(VerifyError::Invalid(format!(
                "nonce shorter than {MIN_NONCE_LEN} characters"
            )));
        }
        if parsed.keyid != api_key {
            return Err(VerifyError::Invalid(
                "keyid does not match X-API-KEY".into(),
            ));
        }
        let mut values = Vec::with_capacity(parsed.components.len());
        for name in &parsed.components {
            let value = match name.as_str() {
                "@request-target" => request.request_target.to_owned(),
                "@authority" => request
                    .authority
                    .map(str::to_owned)
                    .or_else(|| header("host"))
                    .ok_or_else(|| {
                        VerifyError::Precondition(
                            "Cannot resolve reference to \"@authority\" component".into(),
                        )
                    })?,
                derived if derived.starts_with('@') => {
                    return Err(VerifyError::Unsupported(format!("component {derived}")))
                }
                field => header(field).map(|v| normalize_field(&v)).ok_or_else(|| {
                    VerifyError::Precondition(format!("missing covered header {field:?}"))
                })?,
            };
            values.push(value);
        }
        let pairs: Vec<(&str, &str)> = parsed
            .components
            .iter()
            .map(String::as_str)
            .zip(values.iter().map(String::as_str))
            .collect();
        let base = signature_base(&pairs, &parsed.serialized);
        // An unknown key still costs one MAC so timing does not reveal which keys exist.
        let (key, known) = match secret {
            Some(secret) if !secret.is_empty() => (secret.bytes().to_vec(), true),
            Some(_) => return Err(VerifyError::Failed),
            None => (rand::random::<[u8; 32]>().to_vec(), false),
        };
        let expected = mac(&key, &base);
        if !constant_time_eq(&expected, &parsed.signature) || !known {
            return Err(VerifyError::Failed);
        }
        let signed = Signed {
            keyid: parsed.keyid,
            nonce: parsed.nonce,
            valid_until,
        };
        Ok((Verification::Verified, Some(signed)))
    }
}

/// What identifies one verified signature, and the last second it verifies.
struct Signed {
    keyid: String,
    nonce: String,
    valid_until: i64,
}

fn normalize_field(value: &str) -> String {
    value
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

struct ParsedSignature {
    components: Vec<String>,
    keyid: String,
    nonce: String,
    created: i64,
    expires: Option<i64>,
    serialized: String,
    signature: Vec<u8>,
}

impl ParsedSignature {
    fn parse(input: &str, signature: &str) -> Result<Self, VerifyError> {
        let invalid = |what: &str| VerifyError::Invalid(what.to_owned());
        let inputs: sfv::Dictionary = Parser::new(input)
            .parse()
            .map_err(|e| VerifyError::Invalid(format!("Signature-Input: {e}")))?;
        let signatures: sfv::Dictionary = Parser::new(signature)
            .parse()
            .map_err(|e| VerifyError::Invalid(format!("Signature: {e}")))?;
        // The first label of Signature-Input is the one checked; it must exist in both.
        let (label, entry) = inputs
            .iter()
            .next()
            .ok_or_else(|| invalid("empty Signature-Input"))?;
        let Some(ListEntry::Item(sig_item)) = signatures.get(label) else {
            return Err(invalid("label missing from Signature"));
        };
        let signature = sig_item
            .bare_item
            .as_byte_sequence()
            .ok_or_else(|| invalid("signature is not a byte sequence"))?
            .to_vec();
        let ListEntry::InnerList(list) = entry else {
            return Err(invalid("Signature-Input member is not an inner list"));
        };
        let mut components = Vec::new();
        for item in &list.items {
            if !item.params.is_empty() {
                return Err(VerifyError::Unsupported("component parameters".into()));
            }
            let name = item
                .bare_item
                .as_string()
                .ok_or_else(|| invalid("component is not a string"))?;
            if name.as_str() == "@query-params" {
                return Err(VerifyError::Unsupported("@query-params".into()));
            }
            components.push(name.as_str().to_owned());
        }
        for required in COMPONENTS {
            if !components.iter().any(|c| c == required) {
                return Err(VerifyError::Precondition(format!(
                    "component {required:?} not covered"
                )));
            }
        }
        let (mut keyid, mut nonce, mut created, mut expires) = (None, None, None, None);
        let mut params = Vec::new();
        for (key, value) in &list.params {
            let text = || {
                value
                    .as_string()
                    .map(|s| s.as_str().to_owned())
                    .ok_or_else(|| {
                        VerifyError::Invalid(format!("parameter {} is not a string", key.as_str()))
                    })
            };
            let int = || {
                value.as_integer().map(i64::from).ok_or_else(|| {
                    VerifyError::Invalid(format!("parameter {} is not an integer", key.as_str()))
                })
            };
            let param = match key.as_str() {
                "keyid" => ParamValue::Text(keyid.insert(text()?).clone()),
                "nonce" => ParamValue::Text(nonce.insert(text()?).clone()),
                "alg" => {
                    let alg = text()?;
                    if alg != "hmac-sha256" {
                        return Err(VerifyError::Unsupported(format!("alg {alg:?}")));
                    }
                    ParamValue::Text(alg)
                }
                "created" => ParamValue::Integer(*created.insert(int()?)),
                "expires" => ParamValue::Integer(*expires.insert(int()?)),
                other => {
                    return Err(VerifyError::Invalid(format!(
                        "unknown signature parameter {other:?}"
                    )))
                }
            };
            params.push((key.as_str(), param));
        }
        let names: Vec<&str> = components.iter().map(String::as_str).collect();
        let serialized = serialize_params(&names, &params);
        Ok(ParsedSignature {
            keyid: keyid.ok_or_else(|| VerifyError::Precondition("keyid missing".into()))?,
            nonce: nonce.ok_or_else(|| VerifyError::Precondition("nonce missing".into()))?,
            // Without `created` a signature would never age: it could be replayed forever.
            created: created.ok_or_else(|| VerifyError::Precondition("created missing".into()))?,
            expires,
            components,
            serialized,
            signature,
        })
    }

    /// Checks the signature's age at `now`; returns the last second it is accepted.
    fn check_time(&self, policy: &Verifier, now: i64) -> Result<i64, VerifyError> {
        let skew = policy.clock_skew.as_secs() as i64;
        let max_age = policy.max_age.as_secs() as i64;
        if self.created > now.saturating_add(skew) {
            return Err(VerifyError::Future);
        }
        let mut valid_until = self.created.saturating_add(max_age).saturating_sub(skew);
        if let Some(expires) = self.expires {
            valid_until = valid_until.min(expires.saturating_sub(skew));
        }
        if now > valid_until {
            return Err(VerifyError::Expired);
        }
        Ok(valid_until)
    }
}
