//! `certbound token`: verify a certificate-bound access token, or decode one (unverified).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use certbound_core::cert::parse_bundle;
use certbound_core::oauth::BearerError;
use certbound_core::provider::RustCrypto;
use certbound_core::time::parse_time;
use certbound_core::token::jws::CompactJws;
use certbound_core::token::{Algorithm, JwkSet, Validator};
use certbound_core::{Error, UnixTime};
use serde_json::{Value, json};

/// Arguments of `certbound token`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: TokenCommand,
}

#[derive(Debug, clap::Subcommand)]
enum TokenCommand {
    /// Decode a token's header and claims WITHOUT verifying anything.
    Decode(DecodeArgs),
    /// Verify an access token: signature (JWKS), RFC 9068 claims and certificate binding.
    /// Exit 0 when valid, 1 when not.
    Verify(VerifyArgs),
}

#[derive(Debug, clap::Args)]
struct VerifyArgs {
    /// JWKS file (`{"keys":[…]}`) of the authorization server.
    #[arg(long, value_name = "FILE")]
    jwks: PathBuf,
    /// Expected issuer (`iss`, exact match).
    #[arg(long, value_name = "ISS")]
    issuer: String,
    /// This resource server's identifier, expected in `aud`.
    #[arg(long, value_name = "AUD")]
    audience: String,
    /// Client certificate (PEM or DER; the first certificate is the leaf) presented with the
    /// token. Without it, a bound token is refused.
    #[arg(long, value_name = "CERT")]
    cert: Option<PathBuf>,
    /// Validation time, RFC 3339 or UNIX seconds (default: now).
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// Allowed signature algorithm (repeatable): ES256, ES384, EdDSA, PS256, RS256.
    #[arg(long = "alg", value_name = "ALG", default_value = "ES256")]
    algorithms: Vec<String>,
    /// Accept tokens without `cnf` (plain bearer tokens).
    #[arg(long)]
    allow_unbound: bool,
    /// Accept pre-RFC 9068 tokens: no `typ` check, `sub`/`client_id`/`iat`/`jti` optional.
    #[arg(long)]
    no_typ_check: bool,
    /// Required scope (repeatable).
    #[arg(long = "scope", value_name = "S")]
    scopes: Vec<String>,
    /// Print `{"valid","error","www_authenticate","claims","bound"}` on stdout, whatever the
    /// verdict.
    #[arg(long)]
    json: bool,
    /// The token, or `-` to read it from standard input.
    token: String,
}

#[derive(Debug, clap::Args)]
struct DecodeArgs {
    /// Print `{"verified":false,"header":…,"claims":…}` instead of text.
    #[arg(long)]
    json: bool,
    /// The token, or `-` to read it from standard input.
    token: String,
}

pub(crate) fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match args.command {
        TokenCommand::Decode(a) => decode(a),
        TokenCommand::Verify(a) => verify(a),
    }
}

fn read_token(arg: &str) -> Result<String, Box<dyn std::error::Error>> {
    if arg == "-" {
        let bytes = super::input::read(std::path::Path::new("-"))?;
        Ok(String::from_utf8(bytes)
            .map_err(|_| "the token on standard input is not UTF-8")?
            .trim()
            .to_owned())
    } else {
        Ok(arg.trim().to_owned())
    }
}

fn verify(a: VerifyArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let keys = JwkSet::from_json(&super::input::read(&a.jwks)?)
        .map_err(|e| format!("{}: {e}", a.jwks.display()))?;
    let algorithms = a
        .algorithms
        .iter()
        .map(|name| {
            Algorithm::from_name(name).ok_or_else(|| {
                format!("unknown --alg {name:?}: use ES256, ES384, EdDSA, PS256 or RS256")
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut builder = Validator::builder(a.issuer, a.audience, keys)
        .algorithms(&algorithms)
        .required_scopes(a.scopes);
    if a.allow_unbound {
        builder = builder.allow_unbound();
    }
    if a.no_typ_check {
        builder = builder.allow_untyped();
    }
    let validator = builder.build()?;
    let presented = match &a.cert {
        Some(path) => {
            let certs = parse_bundle(&super::input::read(path)?)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            certs.first().map(|c| c.x5t_s256())
        }
        None => None,
    };
    let now = match &a.at {
        Some(t) => parse_time(t)?,
        None => {
            UnixTime::since_unix_epoch(SystemTime::now().duration_since(SystemTime::UNIX_EPOCH)?)
        }
    };
    let token = read_token(&a.token)?;
    let verdict = validator.validate(&RustCrypto, &token, presented.as_ref(), now);
    let (code, out) = report(&verdict);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        match &verdict {
            Ok(t) => {
                println!("valid");
                println!(
                    "  bound:      {}",
                    t.bound_thumbprint().map_or_else(
                        || "no (unbound token allowed)".to_owned(),
                        |b| format!("x5t#S256 {b}")
                    )
                );
                println!("  claims:     {}", serde_json::to_string(t.claims())?);
            }
            Err(e) => {
                eprintln!("certbound: invalid token: {e}");
                if let Some(w) = out["www_authenticate"].as_str() {
                    eprintln!("  WWW-Authenticate: {w}");
                }
            }
        }
    }
    Ok(code)
}

/// The verdict as the CLI's JSON report and exit code.
fn report(verdict: &Result<certbound_core::token::ValidToken, Error>) -> (ExitCode, Value) {
    match verdict {
        Ok(t) => (
            ExitCode::SUCCESS,
            json!({
                "valid": true,
                "error": null,
                "www_authenticate": null,
                "status": null,
                "claims": t.claims(),
                "bound": t.bound_thumbprint().is_some(),
            }),
        ),
        Err(e) => {
            let answer = BearerError::from_error(e);
            (
                ExitCode::from(1),
                json!({
                    "valid": false,
                    "error": e.to_string(),
                    "www_authenticate": answer.www_authenticate(None),
                    "status": answer.status(),
                    "claims": null,
                    "bound": false,
                }),
            )
        }
    }
}

fn decode(a: DecodeArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let token = read_token(&a.token)?;
    if token.len() > certbound_core::token::MAX_TOKEN_BYTES {
        return Err(Error::TooLarge {
            what: "access token",
            limit: certbound_core::token::MAX_TOKEN_BYTES,
            actual: token.len(),
        }
        .into());
    }
    let jws = CompactJws::parse(&token).map_err(Error::from)?;
    let claims = jws.payload_object().map_err(Error::from)?;
    if a.json {
        let out = json!({ "verified": false, "header": jws.header(), "claims": claims });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("UNVERIFIED: signature, issuer, audience, times and binding were NOT checked");
        println!("header: {}", serde_json::to_string_pretty(jws.header())?);
        println!("claims: {}", serde_json::to_string_pretty(&claims)?);
    }
    Ok(ExitCode::SUCCESS)
}
