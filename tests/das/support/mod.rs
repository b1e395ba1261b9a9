//! Shared helpers for the integration tests: Python peer processes and a tiny OAuth2 token
//! endpoint (axum), shared by the modules of the test binary.

use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};

/// Bound on every wait in the tests.
pub const WAIT: Duration = Duration::from_secs(10);

pub fn python() -> String {
    std::env::var("DAS_TEST_PYTHON").unwrap_or_else(|_| {
        panic!("DAS_TEST_PYTHON is not set: run the tests through `scripts/test` (it creates .venv and sets it)")
    })
}

/// The Node.js interpreter for `tests/peers/node/*.js`, whose packages `scripts/setup-node`
/// installs.
fn node() -> String {
    let modules = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/node/node_modules");
    assert!(
        std::path::Path::new(modules).is_dir(),
        "{modules} is missing: run the tests through `scripts/test` (scripts/setup-node installs it)"
    );
    "node".to_owned()
}

/// A `tests/peers/*.py` (or `*.js`, run by Node.js) process; killed on drop.
pub struct PythonPeer {
    child: Child,
    pub port: u16,
    script: String,
    args: Vec<String>,
}

impl PythonPeer {
    pub async fn start(script: &str, args: &[&str]) -> Self {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        Self::spawn(script.to_owned(), args, None).await
    }

    async fn spawn(script: String, args: Vec<String>, port: Option<u16>) -> Self {
        let path = format!("{}/tests/peers/{script}", env!("CARGO_MANIFEST_DIR"));
        let interpreter = if script.ends_with(".js") {
            node()
        } else {
            python()
        };
        let mut cmd = Command::new(interpreter);
        cmd.arg(&path).args(&args);
        if let Some(port) = port {
            cmd.args(["--port", &port.to_string()]);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {path}: {e}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        tokio::time::timeout(WAIT, BufReader::new(stdout).read_line(&mut line))
            .await
            .expect("peer did not print its port in time")
            .expect("reading the peer's port");
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("peer printed {line:?}, not a port"));
        Self {
            child,
            port,
            script,
            args,
        }
    }

    /// Kills the process and starts the same peer again on the same port.
    pub async fn restart(&mut self) {
        self.stop().await;
        *self = Self::spawn(self.script.clone(), self.args.clone(), Some(self.port)).await;
    }

    /// Freezes (`SIGSTOP`) or resumes (`SIGCONT`) the process: a peer that stops talking.
    pub async fn signal(&self, signal: &str) {
        let pid = self.child.id().expect("peer running").to_string();
        let status = Command::new("kill")
            .args([signal, &pid])
            .status()
            .await
            .unwrap();
        assert!(status.success(), "kill {signal} {pid}");
    }

    pub async fn stop(&mut self) {
        let _ = self.child.kill().await;
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/socket.io", self.port)
    }
}

/// An OAuth2 token endpoint issuing `tok-1`, `tok-2`, … for `client_id=id`,
/// `client_secret=s3cret`, and the RFC 6749 error body otherwise.
pub struct TokenServer {
    pub url: String,
    pub issued: Arc<AtomicUsize>,
}

impl TokenServer {
    pub async fn start() -> Self {
        let issued = Arc::new(AtomicUsize::new(0));
        let app = Router::new()
            .route("/oauth2/token", post(issue))
            .with_state(issued.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            url: format!("http://{addr}/oauth2/token"),
            issued,
        }
    }

    pub fn issued(&self) -> usize {
        self.issued.load(Ordering::SeqCst)
    }
}

async fn issue(
    State(issued): State<Arc<AtomicUsize>>,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    let field = |k: &str| form.get(k).map(String::as_str);
    if field("grant_type") != Some("client_credentials") {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "unsupported_grant_type"})),
        );
    }
    if field("client_id") != Some("id") || field("client_secret") != Some("s3cret") {
        return (
            StatusCode::UNAUTHORIZED,
            Json(
                json!({"error": "invalid_client", "error_description": "Invalid client credentials"}),
            ),
        );
    }
    let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
    (
        StatusCode::OK,
        Json(
            json!({"token_type": "Bearer", "access_token": format!("tok-{n}"), "expires_in": 300, "scope": "das"}),
        ),
    )
}
