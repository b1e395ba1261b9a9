//! `SSL_CERT_FILE` as the `das` process reads it, `--ca-cert` and `--trusted-roots`, against
//! the emulator's TLS front, whose private CA nothing else trusts: a whole registration
//! (token endpoint, Socket.IO, AudioHook) and `das trd whoami`.

use std::process::Output;

use das_emulator::tls_front::PRIVATE_CA_NAME;
use das_emulator::{Emulator, EmulatorConfig, EmulatorHandle, DEMO_TRD_TOKEN};

/// How the child process is told about the CA.
enum Trust<'a> {
    CertFile(&'a std::path::Path),
    CaCert(&'a std::path::Path),
    Neither,
}

struct Bed {
    emulator: EmulatorHandle,
    ca_file: tempfile::NamedTempFile,
}

impl Bed {
    async fn start() -> Bed {
        let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
        let ca_file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(ca_file.path(), emulator.tls_ca_pem()).unwrap();
        Bed { emulator, ca_file }
    }

    fn register(&self) -> Vec<String> {
        let sample = crate::support::workspace_file("samples/speaker-a.wav");
        [
            "register",
            "--url",
            &self.emulator.tls_url("https", "/socket.io"),
            "--token-url",
            &self.emulator.tls_url("https", "/socket.io/oauth2/token"),
            "--client-id",
            self.emulator.client_id(),
            "--client-secret",
            self.emulator.client_secret(),
            "--audio-url",
            &self.emulator.tls_url("wss", "/audiohook/ws"),
            "--audiohook-api-key",
            self.emulator.audiohook_api_key(),
            "--audiohook-client-secret",
            self.emulator.audiohook_client_secret(),
            "--audio",
            sample.to_str().unwrap(),
            "--fast",
            "--json",
        ]
        .map(str::to_owned)
        .to_vec()
    }

    fn whoami(&self) -> Vec<String> {
        let api = self.emulator.tls_url("https", "/trd/v3");
        ["trd", "whoami", "--api", &api, "--token", DEMO_TRD_TOKEN]
            .map(str::to_owned)
            .to_vec()
    }
}

/// Runs `das` with only the chosen trust; the test machine's own variables are removed.
async fn das(mut args: Vec<String>, trust: Trust<'_>) -> Output {
    let mut command = crate::support::das();
    command
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR")
        .env_remove("DAS_CA_CERT")
        .env_remove("DAS_TRUSTED_ROOTS")
        .env_remove("DAS_TRD_TOKEN");
    match trust {
        Trust::CertFile(path) => {
            command.env("SSL_CERT_FILE", path);
        }
        Trust::CaCert(path) => args.extend(["--ca-cert".to_owned(), path.display().to_string()]),
        Trust::Neither => {}
    }
    command.args(args);
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_refused(output: &Output) {
    assert_eq!(output.status.code(), Some(4), "{}", stderr(output));
    let message = stderr(output);
    assert!(message.contains(PRIVATE_CA_NAME), "{message}");
    assert!(
        message.contains("roots consulted: bundled Mozilla roots"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_registration_trusts_the_ca_through_ssl_cert_file_or_ca_cert_only() {
    let bed = Bed::start().await;
    let path = bed.ca_file.path();
    for trust in [Trust::CertFile(path), Trust::CaCert(path)] {
        let output = das(bed.register(), trust).await;
        assert!(output.status.success(), "{}", stderr(&output));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("result-success"), "{stdout}");
    }
    assert_refused(&das(bed.register(), Trust::Neither).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn trd_whoami_trusts_the_ca_through_ssl_cert_file_unless_roots_are_bundled_only() {
    let bed = Bed::start().await;
    let path = bed.ca_file.path();
    for trust in [Trust::CertFile(path), Trust::CaCert(path)] {
        let output = das(bed.whoami(), trust).await;
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(String::from_utf8_lossy(&output.stdout), "127.0.0.1\n");
    }
    assert_refused(&das(bed.whoami(), Trust::Neither).await);

    let mut bundled = bed.whoami();
    bundled.extend(["--trusted-roots".to_owned(), "bundled".to_owned()]);
    let output = das(bundled, Trust::CertFile(path)).await;
    assert_refused(&output);
    let consulted_file = format!("SSL_CERT_FILE {}", path.display());
    assert!(
        !stderr(&output).contains(&consulted_file),
        "{}",
        stderr(&output)
    );
}
