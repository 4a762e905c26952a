//! Command-line interface: one module per subcommand, each a thin translation to core.

mod authenticate;
mod input;
mod inspect;
mod keys;
mod pki;
mod serve;
mod token;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// certbound: mutual-TLS client authentication and certificate-bound OAuth tokens (RFC 8705).
#[derive(Debug, Parser)]
#[command(name = "certbound", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decide RFC 8705 client authentication offline, as the token endpoint would.
    Authenticate(authenticate::Args),
    /// Show what matters about a certificate (PEM, DER, or a forwarded header value).
    Inspect(inspect::Args),
    /// Run the mTLS authorization server and protected resource.
    Serve(serve::Args),
    /// Development PKI.
    #[command(subcommand)]
    Pki(pki::Command),
    /// Token-signing keys in the state directory.
    #[command(subcommand)]
    Keys(keys::Command),
    /// Verify a certificate-bound access token, or decode one (unverified).
    Token(token::Args),
    /// Validate a certificate chain against trust anchors (and CRLs) at a given time.
    Verify(verify::Args),
}

/// Runs a parsed command line; `Err` is printed on stderr with exit code 1.
pub(crate) fn run(cli: Cli) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match cli.command {
        Command::Authenticate(args) => authenticate::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Pki(cmd) => pki::run(cmd),
        Command::Keys(cmd) => keys::run(cmd),
        Command::Token(args) => token::run(args),
        Command::Verify(args) => verify::run(args),
    }
}
