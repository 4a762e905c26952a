//! `certbound pki init DIR`: the development PKI and configuration, generated with rcgen.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::devpki;

/// `certbound pki …`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Generate a dev CA, a server certificate for localhost, a CA-signed and a self-signed
    /// client, a password-grant user and a `certbound.toml` registering them.
    Init {
        /// Directory to create (must not hold a certbound.toml yet).
        dir: PathBuf,
        /// Address the generated configuration listens on.
        #[arg(long, default_value = crate::server::config::DEFAULT_LISTEN)]
        listen: String,
    },
}

pub(crate) fn run(cmd: Command) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match cmd {
        Command::Init { dir, listen } => {
            let pki = devpki::init(&dir, &listen)?;
            print_created(&pki);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Tells what was generated, with the user's password (shown this once only).
pub(crate) fn print_created(pki: &devpki::DevPki) {
    println!("created the development PKI in {}", pki.dir.display());
    println!(
        "password-grant user {:?}, password (shown once, only its Argon2id hash is stored): {}",
        devpki::DEV_USER,
        pki.password
    );
}
