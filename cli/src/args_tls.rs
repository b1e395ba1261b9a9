//! `--ca-cert` and `--trusted-roots`: the roots every TLS connection of a command trusts (the
//! session commands, `das trd` and `das audiohook send` share them).

use std::path::PathBuf;

use clap::{Args, ValueEnum};
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Roots {
    Bundled,
    System,
    Both,
}

impl TlsArgs {
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
