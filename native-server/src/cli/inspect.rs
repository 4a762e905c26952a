//! `certbound inspect`: a certificate view focused on what matters for mTLS.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use certbound_core::cert::{CertificateSummary, parse_bundle};
use certbound_core::forwarded::{self, CertSource, Limits};

/// Arguments of `certbound inspect`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Read the input as a forwarded client-certificate header value (what follows `Name: `)
    /// from this proxy: rfc9440, cloudflare, envoy[:first|:last|:by=URI], nginx[:HEADER],
    /// aws-alb, traefik, haproxy[:HEADER], azure.
    #[arg(long, value_name = "SOURCE", value_parser = parse_source)]
    source: Option<CertSource>,
    /// With --source rfc9440: a file holding the `Client-Cert-Chain` header value.
    #[arg(long, value_name = "FILE", requires = "source")]
    chain: Option<PathBuf>,
    /// Print a JSON object `{"certificates":[…]}` (leaf first) instead of text.
    #[arg(long)]
    json: bool,
    /// PEM or DER file (or the header value with --source); `-` reads standard input.
    #[arg(default_value = "-")]
    file: PathBuf,
}

fn parse_source(s: &str) -> Result<CertSource, String> {
    s.parse().map_err(|e: certbound_core::Error| e.to_string())
}

/// Reads a header value: UTF-8, surrounding whitespace and a trailing newline tolerated.
fn header_value(path: &std::path::Path) -> Result<String, Box<dyn std::error::Error>> {
    let bytes = super::input::read(path)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{}: a header value must be text (UTF-8)", path.display()))?;
    Ok(text.trim().to_owned())
}

pub(crate) fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let certs = match &args.source {
        Some(source) => {
            let value = header_value(&args.file)?;
            let chain = args.chain.as_deref().map(header_value).transpose()?;
            let fwd =
                forwarded::decode_value(source, &value, chain.as_deref(), &Limits::default())?;
            let (leaf, chain) = fwd.into_parts();
            std::iter::once(leaf).chain(chain).collect()
        }
        None => parse_bundle(&super::input::read(&args.file)?)?,
    };
    let summaries: Vec<CertificateSummary> = certs.iter().map(|c| c.summary()).collect();
    if args.json {
        let out = serde_json::json!({ "certificates": summaries });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        for (i, s) in summaries.iter().enumerate() {
            print!("{}", render_text(i + 1, summaries.len(), s));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn render_text(n: usize, of: usize, s: &CertificateSummary) -> String {
    let mut o = String::new();
    let role = if n == 1 { "leaf" } else { "chain" };
    let _ = writeln!(o, "Certificate {n} of {of} ({role})");
    let _ = writeln!(o, "  Subject:             {}", s.subject);
    let _ = writeln!(o, "  Issuer:              {}", s.issuer);
    let _ = writeln!(o, "  Serial:              {}", s.serial);
    let _ = writeln!(o, "  Not before:          {}", s.not_before);
    let _ = writeln!(o, "  Not after:           {}", s.not_after);
    let list = |v: &[String]| {
        if v.is_empty() {
            "-".to_owned()
        } else {
            v.join(", ")
        }
    };
    let _ = writeln!(o, "  SAN DNS:             {}", list(&s.san.dns));
    let _ = writeln!(o, "  SAN URI:             {}", list(&s.san.uri));
    let _ = writeln!(o, "  SAN IP:              {}", list(&s.san.ip));
    let _ = writeln!(o, "  SAN email:           {}", list(&s.san.email));
    if !s.san.other.is_empty() {
        let _ = writeln!(o, "  SAN other:           {}", list(&s.san.other));
    }
    let opt = |v: &Option<Vec<String>>| {
        v.as_ref()
            .map_or_else(|| "(absent)".to_owned(), |v| list(v))
    };
    let _ = writeln!(o, "  Key usage:           {}", opt(&s.key_usage));
    let _ = writeln!(o, "  Extended key usage:  {}", opt(&s.extended_key_usage));
    let ca = match (s.is_ca, s.path_len) {
        (true, Some(p)) => format!("yes (path length {p})"),
        (true, None) => "yes".to_owned(),
        (false, _) => "no".to_owned(),
    };
    let _ = writeln!(o, "  CA:                  {ca}");
    let _ = writeln!(o, "  Public key:          {}", s.public_key);
    let _ = writeln!(o, "  Signature algorithm: {}", s.signature_algorithm);
    let _ = writeln!(o, "  x5t#S256:            {}", s.x5t_s256);
    let _ = writeln!(o, "  SHA-256:             {}", s.sha256);
    let _ = writeln!(o, "  SPKI SHA-256 (pin):  {}", s.spki_sha256);
    o
}
