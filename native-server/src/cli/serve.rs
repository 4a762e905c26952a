//! `certbound serve`: the mTLS authorization server and protected resource.
//!
//! Without `--config` it runs the embedded development setup: `./certbound-dev/` is generated on
//! first use (`certbound pki init`), then served on `https://localhost:8443`, and the exact curl
//! commands to get a token and call `/api/whoami` are printed.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::devpki;
use crate::server::{self, Config};

/// Arguments of `certbound serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Configuration file; without it, the development setup in `--dev-dir` is used (and created).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Listen address, overriding the configuration's `server.listen`.
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Directory of the development setup used without `--config`.
    #[arg(long, default_value = "certbound-dev")]
    dev_dir: PathBuf,
    /// Static files served at `/`, overriding `server.www_dir`. Without either, the development
    /// setup serves `www/dist` when it exists (the built browser page, run from the repository).
    #[arg(long)]
    www: Option<PathBuf>,
}

/// The browser page's build output, relative to the repository root.
const WWW_DIST: &str = "www/dist";

pub(crate) fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    init_tracing();
    let (path, dev) = match &args.config {
        Some(p) => (p.clone(), None),
        None => {
            let cfg = args.dev_dir.join(devpki::CONFIG_FILE);
            if !cfg.exists() {
                let listen = args.listen.map_or_else(
                    || server::config::DEFAULT_LISTEN.to_owned(),
                    |a| a.to_string(),
                );
                let pki = devpki::init(&args.dev_dir, &listen)?;
                super::pki::print_created(&pki);
            }
            (cfg, Some(args.dev_dir.clone()))
        }
    };
    let mut config = Config::load(&path)?;
    if let Some(l) = args.listen {
        config.server.listen = l;
    }
    if let Some(w) = args.www {
        config.server.www_dir = Some(w);
    } else if dev.is_some() && config.server.www_dir.is_none() && Path::new(WWW_DIST).is_dir() {
        config.server.www_dir = Some(PathBuf::from(WWW_DIST));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(server::run(config, |addr, app| {
        println!("listening on https://{addr} (issuer {})", app.issuer);
        if let Some(w) = &app.config.server.www_dir {
            println!("serving static files from {} at /", w.display());
        }
        if let Some(dir) = &dev {
            print_quickstart(dir, addr);
        }
    }))?;
    Ok(ExitCode::SUCCESS)
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("CERTBOUND_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// The curl commands of the README quickstart, for this directory and port.
fn print_quickstart(dir: &Path, addr: SocketAddr) {
    use devpki::files::*;
    let d = dir.display();
    let base = format!("https://localhost:{}", addr.port());
    let tls = format!("--cacert {d}/{CA_CERT} --cert {d}/{CLIENT_CERT} --key {d}/{CLIENT_KEY}");
    println!();
    println!(
        "Get a certificate-bound token (client {:?}, tls_client_auth):",
        devpki::PKI_CLIENT_ID
    );
    println!(
        "  TOKEN=$(curl -s {tls} -d grant_type=client_credentials -d client_id={} {base}/oauth2/token | sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/')",
        devpki::PKI_CLIENT_ID
    );
    println!("Call the protected resource with the same certificate:");
    println!("  curl -s {tls} -H \"Authorization: Bearer $TOKEN\" {base}/api/whoami");
    println!("Discovery (no certificate needed):");
    println!("  curl -s --cacert {d}/{CA_CERT} {base}/.well-known/oauth-authorization-server");
}
