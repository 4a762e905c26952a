//! `certbound keys rotate`: a new token-signing key; the old one stays published until its
//! tokens have expired.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::server::keys::{KeyStore, MAX_TOKEN_LIFETIME_SECS};

/// `certbound keys …`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Generate a new signing key and retire the current one (restart the server to use it).
    Rotate {
        /// State directory of the server.
        #[arg(long, default_value = "certbound-dev/state")]
        state: PathBuf,
    },
}

pub(crate) fn run(cmd: Command) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match cmd {
        Command::Rotate { state } => {
            if !KeyStore::exists(&state) {
                let store = KeyStore::open(&state)?;
                let kid = store.signing().map(|k| k.kid.clone()).unwrap_or_default();
                println!(
                    "no keys in {} yet: created signing key {kid}",
                    state.display()
                );
                return Ok(ExitCode::SUCCESS);
            }
            let mut store = KeyStore::open(&state)?;
            let old = store.signing().map(|k| k.kid.clone());
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_secs();
            let kid = store.rotate(now)?;
            println!("new signing key {kid}");
            if let Some(old) = old {
                println!(
                    "retired key {old} stays published for {MAX_TOKEN_LIFETIME_SECS} s (until its tokens have expired)"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
