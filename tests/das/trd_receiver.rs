//! The webhook receiver over real HTTP(S) on loopback: every rejection path, queue back-pressure,
//! concurrency, duplicates, slow clients and crash-restart with the spool.

use std::path::PathBuf;
use std::time::Duration;

use das::trd::{ensure_crypto_provider, Tls, WebhookReceiver};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TOKEN: &str = "3f0c2c1e-7d0a-4c55-9a55-0b8a4c1f2d11";
const WAIT: Duration = Duration::from_secs(10);

fn body_for(job_id: &str, token: Option<&str>) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/trd/seed_3_11_verbatim.json");
    let mut doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    doc["job"]["id"] = job_id.into();
    if let Some(token) = token {
        doc["token"] = token.into();
    }
    serde_json::to_vec(&doc).unwrap()
}

fn https_client(receiver: &WebhookReceiver) -> reqwest::Client {
    ensure_crypto_provider();
    let pem = receiver
        .certificate_pem()
        .expect("HTTPS receiver has a certificate");
    reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(pem.as_bytes()).unwrap()])
        .timeout(WAIT)
        .build()
        .unwrap()
}

fn plain_client() -> reqwest::Client {
    ensure_crypto_provider();
    reqwest::Client::builder().timeout(WAIT).build().unwrap()
}

async fn post(client: &reqwest::Client, url: String, body: Vec<u8>) -> reqwest::Response {
    client
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

/// A delivery of job `job` over plain HTTP, from a fresh client.
async fn post_job(receiver: &WebhookReceiver) -> reqwest::Response {
    let url = format!("{}/job", receiver.url());
    post(&plain_client(), url, body_for("job", None)).await
}

async fn plain_receiver(
    configure: impl FnOnce(das::trd::ReceiverBuilder) -> das::trd::ReceiverBuilder,
) -> WebhookReceiver {
    configure(WebhookReceiver::builder().tls(Tls::Plain))
        .start()
        .await
        .unwrap()
}

/// An empty token (an unset setting) would let `"token": ""` bodies in: the receiver refuses
/// to start with one.
#[tokio::test]
async fn an_empty_token_is_refused_at_start() {
    ensure_crypto_provider();
    let refused = WebhookReceiver::builder()
        .tls(Tls::Plain)
        .token("")
        .start()
        .await;
    assert!(
        matches!(refused, Err(das::trd::ReceiverError::EmptyToken)),
        "{refused:?}"
    );
    // A token of one character is a token.
    let receiver = plain_receiver(|b| b.token("x")).await;
    let url = format!("{}/job", receiver.url());
    let empty = post(&plain_client(), url.clone(), body_for("job", Some(""))).await;
    assert_eq!(empty.status(), 401);
    let right = post(&plain_client(), url, body_for("job", Some("x"))).await;
    assert_eq!(right.status(), 200);
}

/// Sends raw bytes and returns the status code of the response.
async fn raw_status(receiver: &WebhookReceiver, request: &[u8]) -> u16 {
    let mut stream = TcpStream::connect(receiver.local_addr()).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut response = Vec::new();
    let mut buffer = [0u8; 1024];
    while !response.windows(2).any(|w| w == b"\r\n") {
        let read = tokio::time::timeout(WAIT, stream.read(&mut buffer))
            .await
            .expect("response in time")
            .unwrap();
        assert!(read > 0, "connection closed without a response");
        response.extend_from_slice(&buffer[..read]);
    }
    let line = String::from_utf8_lossy(&response);
    line.split(' ').nth(1).unwrap().parse().unwrap()
}

#[tokio::test]
async fn https_delivery_with_token_and_duplicates() {
    let receiver = WebhookReceiver::builder()
        .token(TOKEN)
        .start()
        .await
        .unwrap();
    assert!(receiver.url().starts_with("https://127.0.0.1:"));
    assert!(receiver
        .certificate_pem()
        .unwrap()
        .starts_with("-----BEGIN CERTIFICATE-----"));
    let client = https_client(&receiver);
    let job = "6230c8b739231fb289992870";
    let body = body_for(job, Some(TOKEN));

    let response = post(&client, format!("{}/{job}", receiver.url()), body.clone()).await;
    assert_eq!(response.status(), 200);
    let delivery = receiver.next_delivery(WAIT).await.unwrap();
    assert_eq!(delivery.job_id, job);
    assert_eq!(delivery.name, None);
    assert_eq!(delivery.result.job.id, job);
    assert_eq!(&delivery.body[..], &body[..]);
    assert!(!delivery.duplicate && !delivery.recovered);
    assert!(!format!("{delivery:?}").contains(TOKEN));
    delivery.ack().unwrap();

    let named = post(
        &client,
        format!("{}/crm/{job}", receiver.url()),
        body.clone(),
    )
    .await;
    assert_eq!(named.status(), 200);
    let delivery = receiver.next_delivery(WAIT).await.unwrap();
    assert_eq!(delivery.name.as_deref(), Some("crm"));
    assert!(
        !delivery.duplicate,
        "another callback name is another delivery"
    );

    let again = post(&client, format!("{}/{job}", receiver.url()), body).await;
    assert_eq!(again.status(), 200);
    // No limit (what a binding makes of `inf`) is a wait, not an overflow.
    assert!(
        receiver
            .next_delivery(Duration::MAX)
            .await
            .unwrap()
            .duplicate
    );
    assert!(receiver.next_delivery(Duration::ZERO).await.is_none());
    receiver.shutdown().await;
    assert!(receiver.next_delivery(Duration::ZERO).await.is_none());
}

#[tokio::test]
async fn every_rejection_has_its_status() {
    let receiver = plain_receiver(|b| b.token(TOKEN).body_limit(4096)).await;
    assert!(receiver.url().starts_with("http://"));
    assert_eq!(receiver.certificate_pem(), None);
    let client = plain_client();
    let url = receiver.url().to_owned();
    let job = "6230c8b739231fb289992870";

    let wrong_token = post(&client, format!("{url}/{job}"), body_for(job, Some("nope"))).await;
    assert_eq!(wrong_token.status(), 401);
    let no_token = post(&client, format!("{url}/{job}"), body_for(job, None)).await;
    assert_eq!(no_token.status(), 401);

    let mismatch = post(&client, format!("{url}/ffff"), body_for(job, Some(TOKEN))).await;
    assert_eq!(mismatch.status(), 400);
    assert!(mismatch
        .text()
        .await
        .unwrap()
        .contains("differs from body job.id"));

    let malformed = post(
        &client,
        format!("{url}/{job}"),
        b"{\"job\": {\"id\": 5}}".to_vec(),
    )
    .await;
    assert_eq!(malformed.status(), 400);
    assert!(malformed.text().await.unwrap().contains("`job.id`"));

    let bad_segment = post(
        &client,
        format!("{url}/a%20b"),
        body_for("a b", Some(TOKEN)),
    )
    .await;
    assert_eq!(bad_segment.status(), 400);

    let too_large = post(&client, format!("{url}/{job}"), vec![b' '; 5000]).await;
    assert_eq!(too_large.status(), 413);

    let text = client
        .post(format!("{url}/{job}"))
        .header("content-type", "text/plain")
        .body(body_for(job, Some(TOKEN)))
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), 415);
    let no_type = client
        .post(format!("{url}/{job}"))
        .body(body_for(job, Some(TOKEN)))
        .send()
        .await
        .unwrap();
    assert_eq!(no_type.status(), 415);
    let gzipped = client
        .post(format!("{url}/{job}"))
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(vec![0x1f, 0x8b, 8, 0])
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.status(), 415);

    let get = client.get(format!("{url}/{job}")).send().await.unwrap();
    assert_eq!(get.status(), 405);
    let deep = post(
        &client,
        format!("{url}/a/b/{job}"),
        body_for(job, Some(TOKEN)),
    )
    .await;
    assert_eq!(deep.status(), 404);

    // Chunked body over the limit, without Content-Length.
    let chunk = "x".repeat(3000);
    let chunked = format!(
        "POST /{job} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{chunk}\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
        chunk.len(),
        chunk.len()
    );
    assert_eq!(raw_status(&receiver, chunked.as_bytes()).await, 413);

    let charset = client
        .post(format!("{url}/{job}"))
        .header("content-type", "application/json; charset=utf-8")
        .body(body_for(job, Some(TOKEN)))
        .send()
        .await
        .unwrap();
    assert_eq!(charset.status(), 200);
    assert_eq!(receiver.next_delivery(WAIT).await.unwrap().job_id, job);
    assert!(
        receiver.next_delivery(Duration::ZERO).await.is_none(),
        "rejected deliveries never reach the application"
    );
}

#[tokio::test]
async fn slow_body_gets_408() {
    let receiver = plain_receiver(|b| b.body_read_timeout(Duration::from_millis(200))).await;
    let request = b"POST /abc HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"job\":";
    assert_eq!(raw_status(&receiver, request).await, 408);
}

#[tokio::test]
async fn full_queue_answers_503_and_loses_nothing() {
    let receiver = plain_receiver(|b| b.queue_bound(2)).await;
    let client = plain_client();
    for job in ["job1", "job2"] {
        let response = post(
            &client,
            format!("{}/{job}", receiver.url()),
            body_for(job, None),
        )
        .await;
        assert_eq!(response.status(), 200);
    }
    let refused = post(
        &client,
        format!("{}/job3", receiver.url()),
        body_for("job3", None),
    )
    .await;
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "1");

    assert_eq!(receiver.next_delivery(WAIT).await.unwrap().job_id, "job1");
    // TRD's retry after Retry-After now fits.
    let retried = post(
        &client,
        format!("{}/job3", receiver.url()),
        body_for("job3", None),
    )
    .await;
    assert_eq!(retried.status(), 200);
    let second = receiver.next_delivery(WAIT).await.unwrap();
    let third = receiver.next_delivery(WAIT).await.unwrap();
    assert_eq!(
        (second.job_id.as_str(), third.job_id.as_str()),
        ("job2", "job3")
    );
    assert!(!third.duplicate, "a 503 is not a hand-off");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deliveries_all_arrive_once() {
    let receiver = WebhookReceiver::builder()
        .token(TOKEN)
        .start()
        .await
        .unwrap();
    let client = https_client(&receiver);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..64 {
        let (client, url) = (client.clone(), receiver.url().to_owned());
        tasks.spawn(async move {
            let job = format!("job{i:03}");
            let name = if i % 2 == 0 { "" } else { "/named" };
            post(
                &client,
                format!("{url}{name}/{job}"),
                body_for(&job, Some(TOKEN)),
            )
            .await
            .status()
        });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    let mut jobs = Vec::new();
    while let Some(delivery) = receiver.next_delivery(Duration::ZERO).await {
        assert!(!delivery.duplicate);
        assert_eq!(
            delivery.name.is_some(),
            delivery.job_id[3..].parse::<u32>().unwrap() % 2 == 1
        );
        jobs.push(delivery.job_id);
    }
    jobs.sort();
    let expected: Vec<_> = (0..64).map(|i| format!("job{i:03}")).collect();
    assert_eq!(jobs, expected);
}

#[tokio::test]
async fn spool_redelivers_after_a_crash() {
    let spool = tempfile::tempdir().unwrap();
    let client = plain_client();
    {
        let receiver = plain_receiver(|b| b.spool(spool.path())).await;
        for job in ["acked", "pending"] {
            let response = post(
                &client,
                format!("{}/crm/{job}", receiver.url()),
                body_for(job, None),
            )
            .await;
            assert_eq!(response.status(), 200);
        }
        let acked = receiver.next_delivery(WAIT).await.unwrap();
        assert_eq!(acked.job_id, "acked");
        assert!(acked.spool_file().unwrap().exists());
        acked.ack().unwrap();
        let pending = receiver.next_delivery(WAIT).await.unwrap();
        assert_eq!(pending.job_id, "pending");
        // The application crashes: the receiver and the delivery are dropped without ack.
    }
    let restarted = plain_receiver(|b| b.spool(spool.path())).await;
    let again = restarted.next_delivery(WAIT).await.unwrap();
    assert_eq!(again.job_id, "pending");
    assert_eq!(again.name.as_deref(), Some("crm"));
    assert!(again.recovered);
    assert_eq!(again.result.job.id, "pending");
    assert!(restarted.next_delivery(Duration::ZERO).await.is_none());

    // TRD retrying the same job now is flagged as a duplicate.
    let retry = post(
        &client,
        format!("{}/crm/pending", restarted.url()),
        body_for("pending", None),
    )
    .await;
    assert_eq!(retry.status(), 200);
    let duplicate = restarted.next_delivery(WAIT).await.unwrap();
    assert!(duplicate.duplicate && !duplicate.recovered);
    again.ack().unwrap();
    duplicate.ack().unwrap();
    drop(restarted);

    let clean = plain_receiver(|b| b.spool(spool.path())).await;
    assert!(clean.next_delivery(Duration::ZERO).await.is_none());
    assert_eq!(std::fs::read_dir(spool.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn corrupt_spool_file_is_set_aside() {
    let spool = tempfile::tempdir().unwrap();
    std::fs::write(
        spool.path().join("00000000000000000001-000000@@job.json"),
        b"{broken",
    )
    .unwrap();
    let receiver = plain_receiver(|b| b.spool(spool.path())).await;
    assert!(receiver.next_delivery(Duration::ZERO).await.is_none());
    assert!(spool
        .path()
        .join("00000000000000000001-000000@@job.json.rejected")
        .exists());
}

#[tokio::test]
async fn idle_connections_cannot_exhaust_the_receiver() {
    let receiver = plain_receiver(|b| {
        b.max_connections(2)
            .header_read_timeout(Duration::from_millis(200))
    })
    .await;
    // Two clients connect and never send a byte: they hold every slot until the header deadline.
    let _idle: Vec<TcpStream> =
        futures_util::future::join_all((0..2).map(|_| TcpStream::connect(receiver.local_addr())))
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
    let response = post_job(&receiver).await;
    assert_eq!(response.status(), 200);
}

/// Connections kept alive after one cheap request (a `GET`, refused with 405) hold no place
/// for good: a newcomer takes the place of the oldest idle one, which is closed.
#[tokio::test]
async fn kept_alive_idle_connections_make_room_for_newcomers() {
    let receiver = plain_receiver(|b| {
        b.max_connections(2)
            .header_read_timeout(Duration::from_secs(30))
    })
    .await;
    let mut idle = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(receiver.local_addr()).await.unwrap();
        stream
            .write_all(b"GET /x HTTP/1.1\r\nHost: t\r\n\r\n")
            .await
            .unwrap();
        let mut answer = [0u8; 512];
        let read = stream.read(&mut answer).await.unwrap();
        assert!(answer[..read].starts_with(b"HTTP/1.1 405"));
        idle.push(stream);
    }
    let response = post_job(&receiver).await;
    assert_eq!(response.status(), 200);
    // The oldest idle connection was the one closed.
    let mut rest = [0u8; 16];
    let closed = tokio::time::timeout(Duration::from_secs(5), idle[0].read(&mut rest)).await;
    assert!(matches!(closed, Ok(Ok(0)) | Ok(Err(_))), "{closed:?}");
}

#[tokio::test]
async fn user_pem_certificate() {
    let generated = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let cert = generated.cert.pem();
    let receiver = WebhookReceiver::builder()
        .tls(Tls::Pem {
            cert: cert.clone(),
            key: generated.signing_key.serialize_pem(),
        })
        .public_host("127.0.0.1")
        .start()
        .await
        .unwrap();
    assert_eq!(receiver.certificate_pem(), Some(cert.as_str()));
    let response = post(
        &https_client(&receiver),
        format!("{}/j", receiver.url()),
        body_for("j", None),
    )
    .await;
    assert_eq!(response.status(), 200);

    let bad = WebhookReceiver::builder()
        .tls(Tls::Pem {
            cert: "not a pem".into(),
            key: "secret key text".into(),
        })
        .start()
        .await
        .unwrap_err();
    assert!(!bad.to_string().contains("secret key text"));
}

#[tokio::test]
async fn spool_write_failure_is_a_500_and_nothing_is_handed_off() {
    let spool = tempfile::tempdir().unwrap();
    let receiver = plain_receiver(|b| b.spool(spool.path().join("inbox")).queue_bound(1)).await;
    std::fs::remove_dir_all(spool.path().join("inbox")).unwrap();
    let client = plain_client();
    let failed = post(
        &client,
        format!("{}/job", receiver.url()),
        body_for("job", None),
    )
    .await;
    assert_eq!(failed.status(), 500);
    assert!(receiver.next_delivery(Duration::ZERO).await.is_none());

    // The queue slot reserved for the failed write was released: the next delivery fits.
    std::fs::create_dir_all(spool.path().join("inbox")).unwrap();
    let stored = post(
        &client,
        format!("{}/job", receiver.url()),
        body_for("job", None),
    )
    .await;
    assert_eq!(stored.status(), 200);
    let delivery = receiver.next_delivery(WAIT).await.unwrap();
    assert!(!delivery.duplicate, "the failed attempt was not a hand-off");
}

#[tokio::test]
async fn silent_tls_clients_are_dropped_at_the_handshake_deadline() {
    let receiver = WebhookReceiver::builder()
        .max_connections(1)
        .header_read_timeout(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    let _silent = TcpStream::connect(receiver.local_addr()).await.unwrap();
    let client = https_client(&receiver);
    let response = post(
        &client,
        format!("{}/job", receiver.url()),
        body_for("job", None),
    )
    .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn job_ids_starting_with_a_dot_are_refused() {
    let receiver = plain_receiver(|b| b).await;
    let client = plain_client();
    for path in [".hidden", "name/.hidden", ".name/job"] {
        let job = path.rsplit('/').next().unwrap();
        let response = post(
            &client,
            format!("{}/{path}", receiver.url()),
            body_for(job, None),
        )
        .await;
        assert_eq!(response.status(), 400, "{path}");
    }
}

#[tokio::test]
async fn bodies_beyond_the_byte_budget_are_told_to_retry() {
    let receiver = plain_receiver(|b| b.body_limit(1 << 20).body_budget(1 << 20)).await;
    // A declared length alone holds nothing: peers declaring the limit and trickling bytes
    // would otherwise hold the whole budget for the price of a few requests.
    let head = b"POST /held HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n";
    let mut declarer = TcpStream::connect(receiver.local_addr()).await.unwrap();
    declarer.write_all(head).await.unwrap();
    declarer.write_all(b"{").await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let response = post_job(&receiver).await;
    assert_eq!(response.status(), 200);
    drop(declarer);
    // One peer sends a whole budget's worth but the last byte.
    let mut holder = TcpStream::connect(receiver.local_addr()).await.unwrap();
    holder.write_all(head).await.unwrap();
    let mut almost = vec![b' '; (1 << 20) - 1];
    almost[0] = b'{';
    holder.write_all(&almost).await.unwrap();
    // Once the receiver has read those bytes, a newcomer finds the budget spent.
    let deadline = tokio::time::Instant::now() + WAIT;
    let response = loop {
        let response = post_job(&receiver).await;
        if response.status() == 503 || tokio::time::Instant::now() > deadline {
            break response;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "1");
    // Once that body is gone, the budget is back.
    drop(holder);
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let response = post_job(&receiver).await;
        if response.status() == 200 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "budget never freed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_body_trickling_below_the_minimum_rate_gets_408() {
    let receiver = plain_receiver(|b| b.min_body_rate(1000)).await;
    let mut stream = TcpStream::connect(receiver.local_addr()).await.unwrap();
    stream
        .write_all(b"POST /slow HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
        .await
        .unwrap();
    let started = tokio::time::Instant::now();
    let mut response = Vec::new();
    let mut buffer = [0u8; 1024];
    // One byte every 200 ms: 5 bytes/s against a minimum of 1,000.
    loop {
        tokio::select! {
            read = stream.read(&mut buffer) => {
                let read = read.unwrap();
                assert!(read > 0, "closed without an answer");
                response.extend_from_slice(&buffer[..read]);
                if response.windows(4).any(|w| w == b"\r\n\r\n") { break; }
            }
            () = tokio::time::sleep(Duration::from_millis(200)) => {
                let _ = stream.write_all(b" ").await;
            }
        }
        assert!(started.elapsed() < WAIT, "no answer to a trickling body");
    }
    let _ = tokio::time::timeout(WAIT, stream.read_to_end(&mut response)).await;
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    // The rate rule answered, not the 60 s body timeout.
    assert!(text.contains("slower than 1000 bytes per second"), "{text}");
}
