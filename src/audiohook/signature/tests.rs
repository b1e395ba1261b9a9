//! Signature test vectors V1, V3, D1, D2 (audiohook.md §6) and the verifier's negative cases.

use std::collections::HashMap;

use super::*;

const API_KEY: &str = "SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh";
const SECRET: &str = "TXlTdXBlclNlY3JldEtleVRlbGxOby0xITJAMyM0JDU=";
const ORG: &str = "d7934305-0972-4844-938e-9060eef73d05";
const SESSION: &str = "30b0e395-84d3-4570-ac13-9a62d8f514c0";
const CORRELATION: &str = "e160e428-53e2-487c-977d-96989bf5c99d";

fn secret() -> ClientSecret {
    ClientSecret::from_base64(SECRET).unwrap()
}

fn v1() -> SignedRequest<'static> {
    SignedRequest {
        request_target: "/api/v1/voicebiometrics/ws",
        authority: "audiohook.example.com",
        organization_id: ORG,
        session_id: SESSION,
        correlation_id: CORRELATION,
        api_key: API_KEY,
        nonce: "VGhpc0lzQVVuaXF1ZU5vbmNl",
        created: 1641013200,
        expires: 3282026430,
    }
}

const V1_BASE: &str = r#""@request-target": /api/v1/voicebiometrics/ws
"@authority": audiohook.example.com
"audiohook-organization-id": d7934305-0972-4844-938e-9060eef73d05
"audiohook-session-id": 30b0e395-84d3-4570-ac13-9a62d8f514c0
"audiohook-correlation-id": e160e428-53e2-487c-977d-96989bf5c99d
"x-api-key": SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh
"@signature-params": ("@request-target" "@authority" "audiohook-organization-id" "audiohook-session-id" "audiohook-correlation-id" "x-api-key");keyid="SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh";nonce="VGhpc0lzQVVuaXF1ZU5vbmNl";alg="hmac-sha256";created=1641013200;expires=3282026430"#;

#[test]
fn v1_genesys_documentation_example() {
    let request = v1();
    assert_eq!(request.base(), V1_BASE);
    let headers = request.sign(&secret());
    assert_eq!(
        headers.signature,
        "sig1=:NZBwyBHRRyRoeLqy1IzOa9VYBuI8TgMFt2GRDkDuJh4=:"
    );
    assert_eq!(
        headers.signature_input,
        r#"sig1=("@request-target" "@authority" "audiohook-organization-id" "audiohook-session-id" "audiohook-correlation-id" "x-api-key");keyid="SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh";nonce="VGhpc0lzQVVuaXF1ZU5vbmNl";alg="hmac-sha256";created=1641013200;expires=3282026430"#
    );
}

#[test]
fn v3_rfc9421_b25_shared_secret() {
    let key = ClientSecret::from_base64(
        "uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==",
    )
    .unwrap();
    let params = serialize_params(
        &["date", "@authority", "content-type"],
        &[
            ("created", ParamValue::Integer(1618884473)),
            ("keyid", ParamValue::Text("test-shared-secret".into())),
        ],
    );
    let base = signature_base(
        &[
            ("date", "Tue, 20 Apr 2021 02:07:55 GMT"),
            ("@authority", "example.com"),
            ("content-type", "application/json"),
        ],
        &params,
    );
    assert_eq!(
        STANDARD.encode(mac(key.bytes(), &base)),
        "pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8="
    );
}

#[test]
fn d1_query_and_non_default_port() {
    let url =
        url::Url::parse("wss://audiohook.example.com:8443/api/v1/audiohook/ws?tenant=acme&x=1")
            .unwrap();
    let target = request_target_of(&url);
    let authority = authority_of(&url).unwrap();
    let request = SignedRequest {
        request_target: &target,
        authority: &authority,
        nonce: "AAECAwQFBgcICQoLDA0ODxAR",
        created: 1700000000,
        expires: 1700000030,
        ..v1()
    };
    assert!(request.base().starts_with(
        "\"@request-target\": /api/v1/audiohook/ws?tenant=acme&x=1\n\"@authority\": audiohook.example.com:8443\n"
    ));
    assert_eq!(
        request.sign(&secret()).signature,
        "sig1=:tlOCVzMXrYrQs1mQWCfjWmZ+jC77UvlzA50QYm7j/KE=:"
    );
}

#[test]
fn d2_default_port_is_dropped() {
    let url = url::Url::parse("wss://audiohook.example.com:443/api/v1/audiohook/ws").unwrap();
    let authority = authority_of(&url).unwrap();
    assert_eq!(authority, "audiohook.example.com");
    let request = SignedRequest {
        request_target: "/api/v1/audiohook/ws",
        authority: &authority,
        organization_id: "aec04f7c-8108-4e07-a9d6-67a8d5df7b3e",
        session_id: "62780b08-3a9d-43b0-9d74-4aa5745fa633",
        correlation_id: "9aba9a07-8dd5-4654-974a-44075c3d2ba5",
        nonce: "MDEyMzQ1Njc4OWFiY2RlZmdoaWpr",
        created: 1700000000,
        expires: 1700000030,
        ..v1()
    };
    assert_eq!(
        request.sign(&secret()).signature,
        "sig1=:aQIHnfp3xEguYIbKS+UGbrpOgIR+KvOMrAWlW2Gw6tI=:"
    );
}

fn headers_of(request: &SignedRequest<'_>, signed: &SignatureHeaders) -> HashMap<String, String> {
    HashMap::from([
        ("host".to_owned(), request.authority.to_owned()),
        (
            "audiohook-organization-id".to_owned(),
            request.organization_id.to_owned(),
        ),
        (
            "audiohook-session-id".to_owned(),
            request.session_id.to_owned(),
        ),
        (
            "audiohook-correlation-id".to_owned(),
            request.correlation_id.to_owned(),
        ),
        ("x-api-key".to_owned(), request.api_key.to_owned()),
        ("signature-input".to_owned(), signed.signature_input.clone()),
        ("signature".to_owned(), signed.signature.clone()),
    ])
}

fn verify_at(
    headers: &HashMap<String, String>,
    target: &str,
    secret: Option<ClientSecret>,
    now: i64,
) -> Result<Verification, VerifyError> {
    let lookup = |name: &str| headers.get(name).cloned();
    let view = RequestView {
        request_target: target,
        authority: None,
        header: &lookup,
    };
    Verifier::default().verify(
        &view,
        &|key| (key == API_KEY).then(|| secret.clone()).flatten(),
        now,
    )
}

fn v1_fresh() -> SignedRequest<'static> {
    SignedRequest {
        expires: 1641013230,
        ..v1()
    }
}

#[test]
fn verifier_accepts_v1_with_authority_from_host() {
    let headers = headers_of(&v1(), &v1().sign(&secret()));
    assert_eq!(
        verify_at(&headers, v1().request_target, Some(secret()), 1641013205),
        Ok(Verification::Verified)
    );
}

#[test]
fn verifier_enforces_age_and_skew() {
    let request = v1_fresh();
    let headers = headers_of(&request, &request.sign(&secret()));
    let target = request.request_target;
    assert_eq!(
        verify_at(&headers, target, Some(secret()), 1641013205),
        Ok(Verification::Verified)
    );
    assert_eq!(
        verify_at(&headers, target, Some(secret()), 1641013208),
        Err(VerifyError::Expired)
    );
    assert_eq!(
        verify_at(&headers, target, Some(secret()), 1641013200 - 4),
        Err(VerifyError::Future)
    );
    // The doc vector's far expiry still falls to the maximum age.
    let headers = headers_of(&v1(), &v1().sign(&secret()));
    assert_eq!(
        verify_at(&headers, target, Some(secret()), 1641013208),
        Err(VerifyError::Expired)
    );
}

#[test]
fn verifier_negative_cases() {
    let request = v1_fresh();
    let signed = request.sign(&secret());
    let now = 1641013202;
    let target = request.request_target;

    let mut swapped = headers_of(&request, &signed);
    swapped.insert("audiohook-session-id".into(), CORRELATION.into());
    swapped.insert("audiohook-correlation-id".into(), SESSION.into());
    assert_eq!(
        verify_at(&swapped, target, Some(secret()), now),
        Err(VerifyError::Failed)
    );

    let mut no_host = headers_of(&request, &signed);
    no_host.remove("host");
    assert!(matches!(
        verify_at(&no_host, target, Some(secret()), now),
        Err(VerifyError::Precondition(_))
    ));

    let mut no_key = headers_of(&request, &signed);
    no_key.remove("x-api-key");
    assert!(matches!(
        verify_at(&no_key, target, Some(secret()), now),
        Err(VerifyError::Precondition(_))
    ));

    let headers = headers_of(&request, &signed);
    assert_eq!(
        verify_at(&headers, "/other", Some(secret()), now),
        Err(VerifyError::Failed)
    );
    assert_eq!(
        verify_at(
            &headers,
            target,
            Some(ClientSecret::from_bytes(*b"wrong")),
            now
        ),
        Err(VerifyError::Failed)
    );
    assert_eq!(
        verify_at(&headers, target, None, now),
        Err(VerifyError::Failed)
    );

    let short_nonce = SignedRequest {
        nonce: "short",
        ..request.clone()
    };
    let headers = headers_of(&short_nonce, &short_nonce.sign(&secret()));
    assert!(matches!(
        verify_at(&headers, target, Some(secret()), now),
        Err(VerifyError::Invalid(_))
    ));

    let mut half = headers_of(&request, &signed);
    half.remove("signature");
    assert!(matches!(
        verify_at(&half, target, Some(secret()), now),
        Err(VerifyError::Invalid(_))
    ));

    for (input, expected) in [
        (
            signed
                .signature_input
                .replace("hmac-sha256", "rsa-pss-sha512"),
            "Unsupported",
        ),
        (
            signed.signature_input.replace(";alg", ";tag=\"x\";alg"),
            "Invalid",
        ),
        (
            signed.signature_input.replace(" \"x-api-key\"", ""),
            "Precondition",
        ),
        ("sig1=(\"@request-target\"".to_owned(), "Invalid"),
        (
            signed
                .signature_input
                .replace("keyid=\"SGVs", "keyid=\"XGVs"),
            "Invalid",
        ),
    ] {
        let mut headers = headers_of(&request, &signed);
        headers.insert("signature-input".into(), input.clone());
        let err = verify_at(&headers, target, Some(secret()), now).unwrap_err();
        assert!(format!("{err:?}").starts_with(expected), "{input}: {err:?}");
    }
    let mut not_bytes = headers_of(&request, &signed);
    not_bytes.insert("signature".into(), "sig1=\"text\"".into());
    assert!(matches!(
        verify_at(&not_bytes, target, Some(secret()), now),
        Err(VerifyError::Invalid(_))
    ));
}

#[test]
fn unsigned_requests_need_an_empty_secret() {
    let request = v1_fresh();
    let mut headers = headers_of(&request, &request.sign(&secret()));
    headers.remove("signature");
    headers.remove("signature-input");
    assert_eq!(
        verify_at(&headers, "/", Some(ClientSecret::default()), 0),
        Ok(Verification::Unsigned)
    );
    assert!(matches!(
        verify_at(&headers, "/", Some(secret()), 0),
        Err(VerifyError::Precondition(_))
    ));
    assert_eq!(
        verify_at(&headers, "/", None, 0),
        Err(VerifyError::UnknownKey)
    );
    assert_eq!(new_nonce().len(), 24);
}

#[test]
fn a_signature_without_created_never_verifies() {
    let params = super::serialize_params(
        &COMPONENTS,
        &[
            ("keyid", ParamValue::Text(API_KEY.into())),
            ("nonce", ParamValue::Text("VGhpc0lzQVVuaXF1ZU5vbmNl".into())),
            ("alg", ParamValue::Text("hmac-sha256".into())),
        ],
    );
    let request = v1();
    let values = [
        request.request_target,
        request.authority,
        ORG,
        SESSION,
        CORRELATION,
        API_KEY,
    ];
    let pairs: Vec<(&str, &str)> = COMPONENTS.iter().copied().zip(values).collect();
    let mac = super::mac(secret().bytes(), &super::signature_base(&pairs, &params));
    let signed = SignatureHeaders {
        signature_input: format!("sig1={params}"),
        signature: format!("sig1=:{}:", STANDARD.encode(mac)),
    };
    let headers = headers_of(&request, &signed);
    assert_eq!(
        verify_at(&headers, request.request_target, Some(secret()), 1641013205),
        Err(VerifyError::Precondition("created missing".into()))
    );
}

#[test]
fn the_age_window_is_max_age_minus_the_clock_skew() {
    let request = SignedRequest {
        expires: 1641013200 + 3600,
        ..v1()
    };
    let headers = headers_of(&request, &request.sign(&secret()));
    let at = |now| verify_at(&headers, request.request_target, Some(secret()), now);
    assert_eq!(at(1641013200 + 7), Ok(Verification::Verified));
    assert_eq!(at(1641013200 + 8), Err(VerifyError::Expired));
}

#[test]
fn a_nonce_verifies_once_within_its_window() {
    let request = v1_fresh();
    let headers = headers_of(&request, &request.sign(&secret()));
    let lookup = |name: &str| headers.get(name).cloned();
    let view = RequestView {
        request_target: request.request_target,
        authority: None,
        header: &lookup,
    };
    let nonces = NonceCache::new();
    let verify = |now| Verifier::default().verify_once(&view, &|_| Some(secret()), now, &nonces);
    // A signature that fails is not remembered, so a forgery cannot block the real one.
    let wrong = ClientSecret::from_bytes(*b"guess");
    assert_eq!(
        Verifier::default().verify_once(&view, &|_| Some(wrong.clone()), 1641013201, &nonces),
        Err(VerifyError::Failed)
    );
    assert!(nonces.is_empty());
    assert_eq!(verify(1641013201), Ok(Verification::Verified));
    assert_eq!(verify(1641013202), Err(VerifyError::Replayed));
}

#[test]
fn parameter_strings_escape_quotes_and_backslashes() {
    let params = serialize_params(
        &["a\"b"],
        &[
            ("keyid", ParamValue::Text(r#"k\e\"y"#.into())),
            ("created", ParamValue::Integer(-5)),
        ],
    );
    assert_eq!(params, r#"("a\"b");keyid="k\\e\\\"y";created=-5"#);
}
