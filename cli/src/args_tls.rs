//! `--ca-cert` and `--trusted-roots`: the roots every TLS connection of a command trusts, and
//! `--proxy` / `--no-proxy`: the proxy every connection goes through (the session
//! commands, `das trd` and `das audiohook send` share them).

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use das::proxy::ProxySetting;
use das::tls::{TlsOptions, TrustedRoots};

use crate::exit::{CliError, Exit, OrExit};

#[derive(Debug, Clone, Args)]
pub struct TlsArgs {
    /// PEM file of extra root certificates trusted for every TLS connection (a private CA or a
    /// self-signed test bed), besides --trusted-roots.
    #[arg(long, env = "DAS_CA_CERT", value_name = "PEM_FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Root sets trusted: the Mozilla roots built into das, the machine's (SSL_CERT_FILE /
    /// SSL_CERT_DIR when set, else the system store, where IT installs a proxy's root), or both.
    #[arg(long, value_enum, env = "DAS_TRUSTED_ROOTS", default_value_t = Roots::Both)]
    pub trusted_roots: Roots,
    /// Proxy of every connection, http://[USER:PASSWORD@]HOST[:PORT] (CONNECT tunnels),
    /// https:// (the same over TLS, trusting the roots above), socks5h:// (SOCKS5, the proxy
    /// resolves names) or socks5:// (resolved here); NO_PROXY still applies. Default: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY as curl reads them.
    #[arg(long, value_name = "URL", conflicts_with = "no_proxy")]
    pub proxy: Option<String>,
    /// Connect directly, whatever the proxy variables say.
    #[arg(long)]
    pub no_proxy: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Roots {
    Bundled,
    System,
    Both,
}

impl TlsArgs {
    /// The proxy setting: `--proxy`, `--no-proxy`, else the environment.
    pub fn proxy(&self) -> Result<ProxySetting, CliError> {
        if self.no_proxy {
            return Ok(ProxySetting::Direct);
        }
        match &self.proxy {
            Some(url) => ProxySetting::parse(url).or_exit(Exit::Usage, "--proxy"),
            None => Ok(ProxySetting::FromEnvironment),
        }
    }

    /// The options, with the `--ca-cert` file read and checked before anything connects.
    pub fn options(&self) -> Result<TlsOptions, CliError> {
        let trusted = match self.trusted_roots {
            Roots::Bundled => TrustedRoots::Bundled,
            Roots::System => TrustedRoots::System,
            Roots::Both => TrustedRoots::Both,
        };
        let tls = TlsOptions::default().trusted_roots(trusted);
        let Some(path) = &self.ca_cert else {
            return Ok(tls);
        };
        let pem = std::fs::read(path).or_exit(
            Exit::Input,
            &format!("cannot read --ca-cert {}", path.display()),
        )?;
        das::tls::check_pem(&pem).or_exit(Exit::Input, &format!("--ca-cert {}", path.display()))?;
        Ok(tls.trust_pem(pem))
    }
}
