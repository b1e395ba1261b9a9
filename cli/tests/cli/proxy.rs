//! `--proxy`, `--no-proxy` and the proxy variables as the `das` process reads them, through
//! tinyproxy (the emulator addressed by a name only the proxy resolves): a registration over
//! AudioHook and `das trd whoami`; wrong credentials exit 7 naming the status, never the password,
//! and so does a refused audio tunnel.
//! `ALL_PROXY=socks5h://…` through microsocks, and its refusal (exit 7).

#[path = "../../../emulator/tests/emulator/common/proxy_bed.rs"]
mod proxy_bed;

use std::process::Output;

use das_emulator::{Emulator, EmulatorConfig, EmulatorHandle, DEMO_TRD_TOKEN};
use proxy_bed::{behind_proxy, ProxyBed};

const CREDENTIALS: &str = "agent:s3cret-proxy";

/// Runs `das` with only the proxy variables in `env` (the machine's own are removed).
async fn das(args: Vec<String>, env: &[(&str, &str)]) -> Output {
    let mut command = crate::support::das();
    for name in ["http_proxy", "https_proxy", "all_proxy", "no_proxy"] {
        command
            .env_remove(name)
            .env_remove(name.to_ascii_uppercase());
    }
    command
        .env_remove("DAS_TRD_TOKEN")
        .envs(env.iter().copied())
        .args(args);
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn whoami(emulator: &EmulatorHandle, extra: &[&str]) -> Vec<String> {
    let api = behind_proxy(&emulator.trd_url());
    let mut args = ["trd", "whoami", "--api", &api, "--token", DEMO_TRD_TOKEN]
        .map(str::to_owned)
        .to_vec();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_registration_and_whoami_go_through_the_proxy() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let proxy = ProxyBed::start(Some(CREDENTIALS));
    let url = proxy.url(Some(CREDENTIALS));
    let sample = crate::support::workspace_file("samples/speaker-a.wav");
    let register = [
        "register",
        "--url",
        &behind_proxy(&emulator.socketio_url()),
        "--token-url",
        &behind_proxy(&emulator.token_url()),
        "--client-id",
        emulator.client_id(),
        "--client-secret",
        emulator.client_secret(),
        "--audio-url",
        &behind_proxy(&emulator.audiohook_url()),
        "--audiohook-api-key",
        emulator.audiohook_api_key(),
        "--audiohook-client-secret",
        emulator.audiohook_client_secret(),
        "--audio",
        sample.to_str().unwrap(),
        "--fast",
        "--json",
        "--proxy",
        &url,
    ]
    .map(str::to_owned)
    .to_vec();
    let output = das(register.clone(), &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("result-success"));

    // The proxy cannot open the audio tunnel (a name it cannot resolve): its refusal is the
    // proxy's (exit 7), not the network's or the consumer's.
    let mut no_audio_tunnel = register;
    let audio_url = no_audio_tunnel
        .iter()
        .position(|a| a == "--audio-url")
        .unwrap()
        + 1;
    no_audio_tunnel[audio_url] = "ws://audiohook.invalid/audiohook/ws".into();
    let output = das(no_audio_tunnel, &[]).await;
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("audio channel"),
        "{}",
        stderr(&output)
    );

    // From the environment, lower case as curl reads it; --no-proxy ignores it.
    let env = [("http_proxy", url.as_str())];
    let output = das(whoami(&emulator, &[]), &env).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "127.0.0.1\n");
    let output = das(whoami(&emulator, &["--no-proxy"]), &env).await;
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_exits_7_naming_the_status() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let proxy = ProxyBed::start(Some(CREDENTIALS));
    // https://: the CONNECT meets the refusal (the TLS front's name includes das-emulator.test).
    let api = behind_proxy(&emulator.tls_url("https", "/trd/v3"));
    let wrong = proxy.url(Some("agent:wrong-password"));
    let args = [
        "trd",
        "whoami",
        "--api",
        &api,
        "--token",
        DEMO_TRD_TOKEN,
        "--proxy",
        &wrong,
    ];
    let output = das(args.map(str::to_owned).to_vec(), &[]).await;
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
    assert!(stderr(&output).contains("HTTP 401"), "{}", stderr(&output));
    assert!(
        !stderr(&output).contains("wrong-password"),
        "{}",
        stderr(&output)
    );
    let bad = [
        "trd",
        "whoami",
        "--api",
        &api,
        "--proxy",
        "socks4://proxy:1080",
    ];
    let output = das(bad.map(str::to_owned).to_vec(), &[]).await;
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

#[tokio::test(flavor = "multi_thread")]
async fn all_proxy_socks5h_carries_whoami_and_a_refusal_exits_7() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let proxy = ProxyBed::socks5(Some(CREDENTIALS));
    let url = proxy.url(Some(CREDENTIALS));
    let output = das(whoami(&emulator, &[]), &[("ALL_PROXY", &url)]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "127.0.0.1");
    let wrong = proxy.url(Some("agent:wrong-password"));
    let output = das(whoami(&emulator, &["--proxy", &wrong]), &[]).await;
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("user name or password refused"),
        "{}",
        stderr(&output)
    );
    assert!(
        !stderr(&output).contains("wrong-password"),
        "{}",
        stderr(&output)
    );
}
