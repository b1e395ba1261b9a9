//! Connect + namespace-ack latency and client memory per idle connection, against socketioxide.
//!
//! The server runs in a child process (this binary re-executed with `--serve`), so the RSS
//! measured here is the client side only. Results are recorded in `benches/RESULTS.md`.
//! Run: `cargo bench --profile dev --bench socketio_connect` (add `-- 1 100 1000` for sizes).

use std::time::{Duration, Instant};

use das::socketio::{Client, ConnectOptions, Events};
use socketioxide::extract::SocketRef;
use socketioxide::SocketIo;

#[path = "support/proc_stats.rs"]
mod proc_stats;
#[path = "support/serve_child.rs"]
#[allow(dead_code)] // `ask` serves the benches that talk to their server
mod serve_child;
use proc_stats::{cpu_seconds, load_average, rss_bytes};
use serve_child::ServeChild;

const NAMESPACE: &str = "/socket.io/register";

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    if args.first().map(String::as_str) == Some("--serve") {
        runtime.block_on(serve());
        return;
    }
    let sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() {
        vec![1, 100, 1000]
    } else {
        sizes
    };

    let server = ServeChild::spawn::<&str>(&[]);
    let url = format!("http://127.0.0.1:{}/socket.io", server.port);

    // Warm-up: one-time costs (runtime threads, TLS root store) stay out of the rows.
    runtime.block_on(async {
        let (client, _events) = Client::connect(options(&url))
            .await
            .expect("warm-up connect");
        client.disconnect().await;
    });
    println!(
        "| clients | connect + namespace ack (all, concurrent) | client CPU | client RSS growth | per client | load avg |"
    );
    println!("|---|---|---|---|---|---|");
    for n in sizes {
        runtime.block_on(measure(&url, n));
    }
    server.stop();
}

async fn measure(url: &str, n: usize) {
    let before = rss_bytes("self");
    let cpu_before = cpu_seconds("self");
    let start = Instant::now();
    let tasks: Vec<_> = (0..n)
        .map(|_| tokio::spawn(Client::connect(options(url))))
        .collect();
    let mut clients: Vec<(Client, Events)> = Vec::with_capacity(n);
    for task in tasks {
        clients.push(task.await.expect("task").expect("connect"));
    }
    let elapsed = start.elapsed();
    let cpu_ms = (cpu_seconds("self") - cpu_before) * 1000.0;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let grown = rss_bytes("self").saturating_sub(before);
    println!(
        "| {n} | {:.1} ms | {cpu_ms:.0} ms | {:.1} MB | {:.1} KB | {} |",
        elapsed.as_secs_f64() * 1000.0,
        grown as f64 / 1e6,
        grown as f64 / n as f64 / 1000.0,
        load_average()
    );
    for (client, _) in &clients {
        client.disconnect().await;
    }
}

fn options(url: &str) -> ConnectOptions {
    ConnectOptions::new(url)
        .header("Authorization", "Bearer bench")
        .namespace(NAMESPACE)
        .connect_timeout(Duration::from_secs(60))
        .event_capacity(16)
}

async fn serve() {
    let (layer, io) = SocketIo::builder().build_layer();
    io.ns(NAMESPACE, async |_s: SocketRef| {});
    let app = axum::Router::new().layer(layer);
    let listener = das::listen::listen(([127, 0, 0, 1], 0).into()).expect("listen");
    println!("{}", listener.local_addr().expect("addr").port());
    axum::serve(listener, app).await.expect("serve");
}
