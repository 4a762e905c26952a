//! `certbound`: the command-line front door — certificate inspection and checks, token tools,
//! dev PKI, and the mTLS server.
//!
//! Exit codes: 0 success / valid, 1 invalid input or a negative verdict (error on stderr),
//! 2 usage errors (clap's own).
#![forbid(unsafe_code)]

mod cli;
mod devpki;
mod registrations;
mod server;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("certbound: {e}");
            ExitCode::from(1)
        }
    }
}
