//! tinyproxy (behind stunnel for HTTPS) or microsocks on loopback (scripts/proxy-bed), for the
//! proxy tests: the emulator is addressed as `das-emulator.test`, a name only the proxy
//! resolves, so whatever skips the proxy fails.
//! Also the `das` command's tests' (cli/tests/cli/proxy.rs includes this file).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The host name only the proxy resolves (to 127.0.0.1).
pub const PROXY_ONLY_HOST: &str = "das-emulator.test";

/// A running proxy; killed on drop.
pub struct ProxyBed {
    child: Child,
    port: u16,
    scheme: &'static str,
    dir: tempfile::TempDir,
}

impl ProxyBed {
    /// Starts tinyproxy, with Basic authentication when `credentials` (`user:password`).
    pub fn start(credentials: Option<&str>) -> ProxyBed {
        Self::spawn("http", credentials, None)
    }

    /// Starts tinyproxy with its standard error on `log` instead of the test's.
    #[allow(dead_code)] // the `das` command's tests do not check the bed's own output
    pub fn logging_to(log: &std::fs::File) -> ProxyBed {
        Self::spawn("http", None, Some(log))
    }

    /// Starts microsocks (SOCKS5), with user name and password when `credentials`; its
    /// [`url`](Self::url) is `socks5h://`, so that the proxy resolves the emulator's name.
    pub fn socks5(credentials: Option<&str>) -> ProxyBed {
        Self::spawn("socks5h", credentials, None)
    }

    /// Starts tinyproxy behind TLS (stunnel), with Basic authentication when `credentials`;
    /// its certificate's issuer is [`ca_pem`](Self::ca_pem).
    #[allow(dead_code)] // the `das` command's tests use the HTTP and SOCKS5 beds
    pub fn https(credentials: Option<&str>) -> ProxyBed {
        Self::spawn("https", credentials, None)
    }

    /// The CA that issued an HTTPS bed's certificate, as PEM.
    #[allow(dead_code)] // the `das` command's tests use the HTTP and SOCKS5 beds
    pub fn ca_pem(&self) -> Vec<u8> {
        std::fs::read(self.dir.path().join("ca.pem")).expect("the bed's CA")
    }

    /// Starts the bed on a free port. A port found free can be taken before the proxy binds
    /// it (as the local end of another test's connection): the bed then exits, and it is
    /// started again on another port.
    fn spawn(
        scheme: &'static str,
        credentials: Option<&str>,
        log: Option<&std::fs::File>,
    ) -> ProxyBed {
        const ATTEMPTS: usize = 3;
        let mut exits = Vec::new();
        for _ in 0..ATTEMPTS {
            match Self::try_spawn(scheme, credentials, log) {
                Ok(bed) => return bed,
                Err(status) => exits.push(status),
            }
        }
        panic!("scripts/proxy-bed exited before listening, {ATTEMPTS} times: {exits:?}");
    }

    /// The bed once it listens, or how it exited before.
    fn try_spawn(
        scheme: &'static str,
        credentials: Option<&str>,
        log: Option<&std::fs::File>,
    ) -> Result<ProxyBed, std::process::ExitStatus> {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        // Both crates that include this file sit one level below the workspace root.
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/proxy-bed");
        let mut command = Command::new(script);
        match scheme {
            "https" => command.arg("--https"),
            "socks5h" => command.arg("--socks5"),
            _ => &mut command,
        };
        command.arg(dir.path()).arg(port.to_string());
        command.args(credentials);
        if let Some(log) = log {
            command.stderr(log.try_clone().expect("the log's descriptor"));
        }
        let child = command
            .stdout(Stdio::null())
            .spawn()
            .expect("scripts/proxy-bed starts");
        let mut bed = ProxyBed {
            child,
            port,
            scheme,
            dir,
        };
        let until = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = bed.child.try_wait().expect("the bed's status") {
                return Err(status);
            }
            assert!(Instant::now() < until, "the proxy did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(bed)
    }

    /// `http://` (or `https://`, `socks5h://`) `[credentials@]127.0.0.1:PORT`.
    pub fn url(&self, credentials: Option<&str>) -> String {
        let scheme = self.scheme;
        match credentials {
            Some(credentials) => format!("{scheme}://{credentials}@127.0.0.1:{}", self.port),
            None => format!("{scheme}://127.0.0.1:{}", self.port),
        }
    }
}

impl Drop for ProxyBed {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `url` (of the emulator, on 127.0.0.1 or localhost) with the host only the proxy resolves.
pub fn behind_proxy(url: &str) -> String {
    url.replacen("127.0.0.1", PROXY_ONLY_HOST, 1)
        .replacen("localhost", PROXY_ONLY_HOST, 1)
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
