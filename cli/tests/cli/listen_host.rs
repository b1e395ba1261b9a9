//! Every server command takes the same `--host` spellings (`::1`, `[::1]`, `127.0.0.1`,
//! `localhost`, `0.0.0.0`), listens there, and refuses anything else with exit code 2.

use std::net::{SocketAddr, TcpStream};

use crate::support::{das_cmd, Running, WAIT};

/// The three server commands, each with what it needs besides `--host` and `--port 0`.
const SERVERS: [&[&str]; 3] = [
    &["emulator"],
    &["audiohook", "serve", "--api-key", "key:"],
    // Without a token, a non-loopback address needs --no-token.
    &["webhook", "serve", "--http", "--no-token"],
];

/// Each spelling and the hosts the printed URL may show (the webhook receiver prints a
/// loopback URL when it listens everywhere).
const HOSTS: [(&str, &[&str]); 5] = [
    ("::1", &["[::1]"]),
    ("[::1]", &["[::1]"]),
    ("127.0.0.1", &["127.0.0.1"]),
    ("localhost", &["127.0.0.1"]),
    ("0.0.0.0", &["0.0.0.0", "127.0.0.1"]),
];

#[test]
fn every_server_command_listens_on_every_spelling_of_a_host() {
    for server in SERVERS {
        for (host, shown) in HOSTS {
            let mut args = server.to_vec();
            args.extend(["--host", host, "--port", "0"]);
            let mut process = Running::start(&args);
            let line = process.line(|l| l.contains("listening on "));
            let url = url::Url::parse(line.split("listening on ").nth(1).unwrap()).unwrap();
            let shown_host = url.host_str().unwrap_or_default();
            assert!(shown.contains(&shown_host), "{args:?}: {line}");
            let port = url.port().expect("the printed URL has the port");
            // 0.0.0.0 listens on every interface, loopback included.
            let connect_to = shown[0].replace("0.0.0.0", "127.0.0.1");
            let address: SocketAddr = format!("{connect_to}:{port}").parse().unwrap();
            TcpStream::connect_timeout(&address, WAIT)
                .unwrap_or_else(|e| panic!("{args:?}: cannot connect to {address}: {e}"));
        }
    }
}

#[test]
fn a_host_that_is_no_address_is_a_usage_error_in_every_server_command() {
    for server in SERVERS {
        for bad in ["[::1", "example.invalid", "127.0.0.1:80"] {
            let mut args = server.to_vec();
            args.extend(["--host", bad, "--port", "0"]);
            let output = das_cmd().args(&args).timeout(WAIT).output().unwrap();
            assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(stderr.contains("[::1], localhost"), "{args:?}: {stderr}");
        }
    }
}
