//! `certbound verify`: validate a certificate chain against trust anchors (and CRLs).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use certbound_core::cert::parse_bundle;
use certbound_core::path::{
    self, Purpose, RevocationPolicy, TrustStore, UnknownStatus, VerifyOptions,
};
use certbound_core::{Certificate, UnixTime};

/// The purpose the leaf is checked for.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum PurposeArg {
    /// TLS client authentication (extended key usage clientAuth).
    Client,
    /// TLS server authentication (extended key usage serverAuth).
    Server,
}

/// Arguments of `certbound verify`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Trust anchors: PEM or DER bundle.
    #[arg(long, value_name = "FILE")]
    trust: PathBuf,
    /// Untrusted intermediates: PEM or DER bundle (added to any after the leaf in LEAF).
    #[arg(long, value_name = "FILE")]
    intermediates: Option<PathBuf>,
    /// A CRL (PEM or DER); repeat for several. Enables revocation checking of the whole chain.
    #[arg(long = "crl", value_name = "FILE")]
    crls: Vec<PathBuf>,
    /// With --crl: accept certificates no CRL covers (default: refuse them).
    #[arg(long, requires = "crls")]
    allow_unknown_revocation: bool,
    /// Verification time: RFC 3339 (2024-05-01T12:00:00Z) or UNIX seconds; default now.
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// What the leaf must be valid for.
    #[arg(long, value_enum, default_value = "client")]
    purpose: PurposeArg,
    /// Print `{"valid":bool,"error":string|null,"chain":[x5t#S256…]}` on stdout.
    #[arg(long)]
    json: bool,
    /// The leaf certificate (PEM or DER; may be followed by intermediates); `-` reads stdin.
    leaf: PathBuf,
}

/// What was verified, leaf → anchor: subject and `x5t#S256` of each certificate.
type Chain = Vec<(String, String)>;

fn verify(args: &Args) -> Result<Chain, Box<dyn std::error::Error>> {
    let now = match &args.at {
        Some(t) => certbound_core::time::parse_time(t)?,
        None => UnixTime::since_unix_epoch(SystemTime::now().duration_since(UNIX_EPOCH)?),
    };
    let mut trust = TrustStore::from_pem(&super::input::read(&args.trust)?)?;
    if !args.crls.is_empty() {
        let crls = args
            .crls
            .iter()
            .map(|p| super::input::read(p))
            .collect::<Result<Vec<_>, _>>()?;
        let refs: Vec<&[u8]> = crls.iter().map(Vec::as_slice).collect();
        let mut policy = RevocationPolicy::new();
        if args.allow_unknown_revocation {
            policy = policy.unknown_status(UnknownStatus::Allow);
        }
        trust = trust.with_crls(&refs, policy)?;
    }
    let mut bundle = parse_bundle(&super::input::read(&args.leaf)?)?.into_iter();
    let leaf = bundle.next().ok_or(certbound_core::Error::NoCertificate)?;
    let mut intermediates: Vec<Certificate> = bundle.collect();
    if let Some(p) = &args.intermediates {
        intermediates.extend(parse_bundle(&super::input::read(p)?)?);
    }
    let purpose = match args.purpose {
        PurposeArg::Client => Purpose::ClientAuth,
        PurposeArg::Server => Purpose::ServerAuth,
    };
    let verified = path::verify_chain(
        &trust,
        &leaf,
        &intermediates,
        now,
        &VerifyOptions::new(purpose),
    )?;
    let mut chain = vec![(leaf.subject().to_string(), verified.leaf().to_string())];
    for &i in verified.intermediate_indices() {
        if let Some(c) = intermediates.get(i) {
            chain.push((c.subject().to_string(), c.x5t_s256().to_string()));
        }
    }
    chain.push((
        verified.anchor_subject().to_owned(),
        verified.anchor().to_string(),
    ));
    Ok(chain)
}

pub(crate) fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let result = verify(&args);
    if args.json {
        let out = match &result {
            Ok(chain) => serde_json::json!({
                "valid": true,
                "error": null,
                "chain": chain.iter().map(|(_, t)| t).collect::<Vec<_>>(),
            }),
            Err(e) => serde_json::json!({"valid": false, "error": e.to_string(), "chain": []}),
        };
        println!("{out}");
        return Ok(if result.is_ok() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    let chain = result.map_err(|e| format!("invalid: {e}"))?;
    println!("valid");
    let last = chain.len().saturating_sub(1);
    for (i, (subject, x5t)) in chain.iter().enumerate() {
        let role = match i {
            0 => "leaf",
            i if i == last => "anchor",
            _ => "intermediate",
        };
        println!("  {role:<12} {x5t}  {subject}");
    }
    Ok(ExitCode::SUCCESS)
}
