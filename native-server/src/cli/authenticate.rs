//! `certbound authenticate`: the token endpoint's RFC 8705 client authentication decision,
//! offline.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use certbound_core::UnixTime;
use certbound_core::cert::parse_bundle;
use certbound_core::client::{AuthOptions, authenticate};
use certbound_core::path::TrustStore;
use certbound_core::time::parse_time;

/// Arguments of `certbound authenticate`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Client registrations: TOML (`[[clients]]`) or JSON (`{"clients":[…]}` or an array).
    #[arg(long, value_name = "FILE")]
    clients: PathBuf,
    /// The client_id the client claims.
    #[arg(long, value_name = "ID")]
    client_id: String,
    /// Trust anchors (PEM) for tls_client_auth chain validation.
    #[arg(long, value_name = "FILE")]
    trust: Option<PathBuf>,
    /// Verification time: RFC 3339 or UNIX seconds (default: now).
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// Print `{"authenticated":…,"client_id":…,"method":…,"x5t#S256":…,"error":…}`.
    #[arg(long)]
    json: bool,
    /// The client certificate (PEM or DER), leaf first, then intermediates; `-` reads stdin.
    cert: PathBuf,
}

pub(crate) fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let registry = crate::registrations::load(&args.clients)?;
    let certs = parse_bundle(&super::input::read(&args.cert)?)?;
    let Some((leaf, chain)) = certs.split_first() else {
        return Err(certbound_core::Error::NoCertificate.into());
    };
    let trust = match &args.trust {
        Some(p) => Some(TrustStore::from_pem(&super::input::read(p)?)?),
        None => None,
    };
    let now = match &args.at {
        Some(t) => parse_time(t)?,
        None => {
            UnixTime::since_unix_epoch(SystemTime::now().duration_since(SystemTime::UNIX_EPOCH)?)
        }
    };
    let outcome = authenticate(
        &registry,
        &args.client_id,
        leaf,
        chain,
        trust.as_ref(),
        now,
        &AuthOptions::new(),
    );
    let x5t = leaf.x5t_s256().to_string();
    let method = registry
        .get(&args.client_id)
        .map(|r| r.method().to_string());
    let code = match &outcome {
        Ok(_) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(1),
    };
    if args.json {
        let out = serde_json::json!({
            "authenticated": outcome.is_ok(),
            "client_id": args.client_id,
            "method": method,
            "x5t#S256": x5t,
            "error": outcome.as_ref().err().map(ToString::to_string),
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        match &outcome {
            Ok(a) => println!(
                "authenticated: client {:?} by {}, certificate x5t#S256 {x5t}",
                a.client_id(),
                a.method()
            ),
            Err(e) => eprintln!("certbound: not authenticated: {e}"),
        }
    }
    Ok(code)
}
