//! Load and fault test of the real `certbound serve` binary on 127.0.0.1 (a `harness = false`
//! test): many concurrent mTLS connections send a mix of valid, invalid and malformed requests
//! and every answer is checked against the verdict it must get; meanwhile slowloris connections
//! stall handshakes and requests, the server is killed with SIGKILL and restarted on the same
//! state directory, and its RSS is sampled every second.
//!
//! Run with:
//! ```text
//! cargo test -p certbound --test load                                  # CI mode (~15 s, 64 connections)
//! CERTBOUND_LOAD=full cargo test --release -p certbound --test load    # 60 s, 256 connections
//! ```
//! Overrides: `CERTBOUND_LOAD_SECS` (at most 300), `CERTBOUND_LOAD_CONNS`, `CERTBOUND_LOAD_SLOW`
//! (slowloris connections). CI mode shortens the handshake and header timeouts to 2 s so that the
//! server's closing of stalled connections is observed within the run; full mode keeps the
//! defaults (10 s). Both set `max_header_bytes = 32768` and `max_body_bytes = 16384`. Timeline, as fractions of the run: slowloris from 0.2 to 0.6, SIGKILL and
//! restart at 0.7, load until 1.0.

#[path = "../common/mod.rs"]
mod common;
mod mix;
mod slow;
mod stats;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicU8, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use certbound_core::UnixTime;
use certbound_core::token::issue::{AccessTokenClaims, SigningKey, issue};
use common::{Identity, Server, Version, client};

/// How the run is sized.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) full: bool,
    pub(crate) secs: u64,
    pub(crate) conns: usize,
    pub(crate) slow: usize,
    /// `[limits]` handshake and header timeouts written into the config (`None`: defaults).
    pub(crate) timeouts_secs: Option<u64>,
    /// Interval of the fresh-connection probe.
    pub(crate) probe_every: Duration,
    /// `[limits]` head and body limits written into the config (the oversized requests are
    /// 4 KiB over them, whatever the server's defaults are).
    pub(crate) max_header_bytes: usize,
    pub(crate) max_body_bytes: usize,
}

/// The server's default handshake and header timeouts (`[limits]`), in seconds.
const DEFAULT_TIMEOUT_SECS: u64 = 10;

impl Settings {
    fn from_env() -> Result<Self, String> {
        let full = std::env::var("CERTBOUND_LOAD").is_ok_and(|v| v == "full");
        let num = |name: &str, default: u64| -> Result<u64, String> {
            match std::env::var(name) {
                Ok(v) => v
                    .parse()
                    .map_err(|_| format!("{name}={v:?} is not a whole number")),
                Err(_) => Ok(default),
            }
        };
        let secs = num("CERTBOUND_LOAD_SECS", if full { 60 } else { 15 })?;
        if !(5..=300).contains(&secs) {
            return Err(format!(
                "CERTBOUND_LOAD_SECS={secs}: must be between 5 and 300"
            ));
        }
        let conns = usize::try_from(num("CERTBOUND_LOAD_CONNS", if full { 256 } else { 64 })?)
            .map_err(|e| e.to_string())?;
        let slow = usize::try_from(num("CERTBOUND_LOAD_SLOW", if full { 512 } else { 60 })?)
            .map_err(|e| e.to_string())?;
        if conns == 0 || conns > 4096 || slow > 4096 {
            return Err(
                "CERTBOUND_LOAD_CONNS must be 1..=4096, CERTBOUND_LOAD_SLOW 0..=4096".into(),
            );
        }
        Ok(Self {
            full,
            secs,
            conns,
            slow,
            timeouts_secs: if full { None } else { Some(2) },
            probe_every: Duration::from_millis(100),
            max_header_bytes: 32 * 1024,
            max_body_bytes: 16 * 1024,
        })
    }

    /// The handshake / header timeout the server runs with.
    pub(crate) fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeouts_secs.unwrap_or(DEFAULT_TIMEOUT_SECS))
    }
}

/// Which client certificate a connection presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Who {
    /// No certificate.
    Anonymous,
    /// The CA-signed dev client (`dev-pki-client`).
    Pki,
    /// The self-signed dev client (`dev-self-signed-client`).
    SelfSigned,
    /// A certificate signed by the dev CA that no registration matches.
    Unregistered,
}

impl Who {
    pub(crate) fn client_id(self) -> Option<&'static str> {
        match self {
            Self::Pki => Some("dev-pki-client"),
            Self::SelfSigned => Some("dev-self-signed-client"),
            Self::Anonymous | Self::Unregistered => None,
        }
    }
}

/// A token from the token endpoint, remembered with whether it was issued before the SIGKILL.
#[derive(Debug, Clone)]
pub(crate) struct PoolToken {
    pub(crate) token: Arc<str>,
    pub(crate) before_kill: bool,
}

/// Server lifecycle as the workers see it.
pub(crate) const UP: u8 = 0;
pub(crate) const KILLED: u8 = 1;
pub(crate) const RESTARTED: u8 = 2;

/// Everything the workers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) settings: Settings,
    pub(crate) addr: SocketAddr,
    pub(crate) start: Instant,
    pub(crate) deadline: Instant,
    pub(crate) slow_window: (Instant, Instant),
    /// UP, KILLED or RESTARTED.
    pub(crate) phase: AtomicU8,
    /// The running server's pid (0 while down), for the RSS sampler.
    pub(crate) pid: AtomicU32,
    pub(crate) configs: Configs,
    /// `x5t#S256` of the Pki and SelfSigned certificates.
    pub(crate) x5t_pki: String,
    pub(crate) x5t_self_signed: String,
    /// Valid tokens per client, refreshed by the mix's token requests.
    pub(crate) pool_pki: Mutex<Vec<PoolToken>>,
    pub(crate) pool_self_signed: Mutex<Vec<PoolToken>>,
    /// Correctly signed by the server's key, bound to the Pki certificate, expired an hour ago.
    pub(crate) expired_pki: String,
    /// A Pki token with one signature character changed.
    pub(crate) bad_signature_pki: String,
    /// A Pki token's claims under `"alg":"none"` with an empty signature.
    pub(crate) alg_none: String,
}

/// Client TLS configurations, one per `Who`.
#[derive(Debug)]
pub(crate) struct Configs {
    pub(crate) anonymous: Arc<rustls::ClientConfig>,
    pub(crate) pki: Arc<rustls::ClientConfig>,
    pub(crate) self_signed: Arc<rustls::ClientConfig>,
    pub(crate) unregistered: Arc<rustls::ClientConfig>,
}

impl Configs {
    pub(crate) fn get(&self, who: Who) -> Arc<rustls::ClientConfig> {
        match who {
            Who::Anonymous => self.anonymous.clone(),
            Who::Pki => self.pki.clone(),
            Who::SelfSigned => self.self_signed.clone(),
            Who::Unregistered => self.unregistered.clone(),
        }
    }
}

impl Shared {
    /// Seconds since the start of the load.
    pub(crate) fn at(&self, t: Instant) -> f64 {
        t.saturating_duration_since(self.start).as_secs_f64()
    }

    pub(crate) fn pool(&self, who: Who) -> Option<&Mutex<Vec<PoolToken>>> {
        match who {
            Who::Pki => Some(&self.pool_pki),
            Who::SelfSigned => Some(&self.pool_self_signed),
            Who::Anonymous | Who::Unregistered => None,
        }
    }

    pub(crate) fn phase(&self) -> u8 {
        self.phase.load(Ordering::SeqCst)
    }
}

/// Most tokens kept per pool (new ones replace random old ones).
pub(crate) const POOL_CAP: usize = 64;

fn main() -> ExitCode {
    // harness = false: honour a name filter the way libtest would, so that
    // `cargo test -p certbound some_filter` does not start a 15-second load run.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        println!("load: test");
        return ExitCode::SUCCESS;
    }
    if let Some(filter) = args.iter().find(|a| !a.starts_with('-'))
        && !"load".contains(filter.as_str())
    {
        println!("load: filtered out by {filter:?}");
        return ExitCode::SUCCESS;
    }
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("load: {e}");
            return ExitCode::from(2);
        }
    };
    match run(settings) {
        Ok(failures) if failures.is_empty() => {
            println!("test result: ok. 1 passed; 0 failed");
            ExitCode::SUCCESS
        }
        Ok(failures) => {
            for f in &failures {
                eprintln!("FAILED: {f}");
            }
            println!("test result: FAILED. 0 passed; 1 failed");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("load: setup failed: {e}");
            println!("test result: FAILED. 0 passed; 1 failed");
            ExitCode::FAILURE
        }
    }
}

type BoxError = client::BoxError;

/// `certbound pki init DIR`, then `[limits]`: head and body limits, and the CI-mode timeouts.
fn prepare_dir(settings: &Settings) -> Result<PathBuf, BoxError> {
    let dir = common::temp_dir("load");
    let out = Command::new(env!("CARGO_BIN_EXE_certbound"))
        .args(["pki", "init", dir.to_str().ok_or("temp dir is not UTF-8")?])
        .output()?;
    if !out.status.success() {
        return Err(format!("pki init: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    let cfg = dir.join("certbound.toml");
    let mut text = std::fs::read_to_string(&cfg)?;
    text.push_str(&format!(
        "\n[limits]\nmax_header_bytes = {}\nmax_body_bytes = {}\n",
        settings.max_header_bytes, settings.max_body_bytes
    ));
    if let Some(t) = settings.timeouts_secs {
        text.push_str(&format!(
            "handshake_timeout_secs = {t}\nheader_timeout_secs = {t}\n"
        ));
    }
    std::fs::write(&cfg, text)?;
    Ok(dir)
}

/// A client certificate signed by the dev CA that matches no registration (its subject differs
/// from `dev-pki-client`'s registered DN).
fn unregistered_identity(dir: &Path) -> Identity {
    common::make_client(
        dir,
        &common::CertSpec {
            cn: "certbound-load-unregistered",
            org: "certbound dev",
            validity_days: (-1, 30),
        },
        true,
    )
}

fn x5t(id: &Identity) -> String {
    certbound_core::CertThumbprint::of_der(&id.chain[0]).to_string()
}

async fn get_token(
    addr: SocketAddr,
    cfg: Arc<rustls::ClientConfig>,
    client_id: &str,
) -> Result<String, BoxError> {
    let mut c = client::connect(addr, cfg).await?;
    let a = c
        .post_form(
            "/oauth2/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", client_id),
            ],
        )
        .await?;
    if a.status != 200 {
        return Err(format!(
            "token request for {client_id}: {} {}",
            a.status,
            String::from_utf8_lossy(&a.body)
        )
        .into());
    }
    Ok(a.json()["access_token"]
        .as_str()
        .ok_or("token response without access_token")?
        .to_owned())
}

/// The server's signing key, read from its state directory as a server would.
fn signing_key(dir: &Path) -> Result<SigningKey, BoxError> {
    let keys = dir.join("state").join("keys");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(keys.join("manifest.json"))?)?;
    let kid = manifest["keys"]
        .as_array()
        .and_then(|k| k.iter().find(|e| e["retired_at"].is_null()))
        .and_then(|e| e["kid"].as_str())
        .ok_or("manifest without an active key")?;
    let der = std::fs::read(keys.join(format!("{kid}.p8")))?;
    Ok(SigningKey::from_pkcs8_der(&der).map_err(|e| e.to_string())?)
}

/// `{"alg":"none","typ":"at+jwt"}`, base64url.
const ALG_NONE_HEADER: &str = "eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0";

/// The JWKS document and the `kid`s in it.
async fn jwks(
    addr: SocketAddr,
    cfg: Arc<rustls::ClientConfig>,
) -> Result<(String, Vec<String>), BoxError> {
    let mut c = client::connect(addr, cfg).await?;
    let a = c.get("/oauth2/jwks", None).await?;
    if a.status != 200 {
        return Err(format!("GET /oauth2/jwks: {}", a.status).into());
    }
    let kids = a.json()["keys"]
        .as_array()
        .ok_or("jwks without keys")?
        .iter()
        .filter_map(|k| k["kid"].as_str().map(str::to_owned))
        .collect();
    Ok((String::from_utf8_lossy(&a.body).into_owned(), kids))
}

/// Files whose bytes must survive a SIGKILL unchanged: keys, manifest, registrations.
fn durable_files(dir: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>, BoxError> {
    let mut out = vec![(
        dir.join("certbound.toml"),
        std::fs::read(dir.join("certbound.toml"))?,
    )];
    let keys = dir.join("state").join("keys");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&keys)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    names.sort();
    for p in names {
        let bytes = std::fs::read(&p)?;
        out.push((p, bytes));
    }
    Ok(out)
}

fn run(settings: Settings) -> Result<Vec<String>, BoxError> {
    let dir = prepare_dir(&settings)?;
    let any: SocketAddr = "127.0.0.1:0".parse()?;
    let mut server = Server::start_dev_logging(&dir, any, "warn");
    let addr = server.addr;
    if !addr.ip().is_loopback() {
        return Err(format!("refusing a non-loopback server address {addr}").into());
    }
    println!(
        "load: {} mode, {} s, {} connections, {} slowloris connections, server timeouts {} s, {addr}",
        if settings.full { "full" } else { "CI" },
        settings.secs,
        settings.conns,
        settings.slow,
        settings.timeout().as_secs(),
    );
    let ca = dir.join("ca.pem");
    let pki = Identity::from_files(&dir.join("client.pem"), &dir.join("client.key"));
    let self_signed = Identity::from_files(
        &dir.join("self-signed-client.pem"),
        &dir.join("self-signed-client.key"),
    );
    let unregistered = unregistered_identity(&dir);
    let configs = Configs {
        anonymous: client::client_config(&ca, None, Version::Tls13),
        pki: client::client_config(&ca, Some(&pki), Version::Tls13),
        self_signed: client::client_config(&ca, Some(&self_signed), Version::Tls13),
        unregistered: client::client_config(&ca, Some(&unregistered), Version::Tls13),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut failures = Vec::new();

    let (shared, jwks_before) = rt.block_on(async {
        let t_pki = get_token(addr, configs.pki.clone(), "dev-pki-client").await?;
        let t_ss = get_token(addr, configs.self_signed.clone(), "dev-self-signed-client").await?;
        let jwks_before = jwks(addr, configs.anonymous.clone()).await?;
        // An expired token that is otherwise perfect: the server's key, issuer, audience, and
        // the Pki binding, issued 2 h ago with a 300 s lifetime.
        let key = signing_key(&dir)?;
        let issuer = format!("https://localhost:{}", addr.port());
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
        let expired = issue(
            &key,
            &AccessTokenClaims {
                issuer: issuer.clone(),
                audience: vec![format!("{issuer}/api")],
                subject: "dev-pki-client".into(),
                client_id: "dev-pki-client".into(),
                scope: None,
                jti: "load-expired".into(),
                issued_at: UnixTime::since_unix_epoch(now - Duration::from_secs(7200)),
                lifetime_secs: 300,
                cnf: Some(certbound_core::CertThumbprint::of_der(&pki.chain[0])),
            },
        )
        .map_err(|e| e.to_string())?;
        let mut bad = t_pki.clone().into_bytes();
        let i = bad.len() - 10;
        bad[i] = if bad[i] == b'A' { b'B' } else { b'A' };
        let bad = String::from_utf8(bad)?;
        let claims = t_pki.split('.').nth(1).ok_or("token is not a JWS")?;
        let alg_none = format!("{ALG_NONE_HEADER}.{claims}.");
        let start = Instant::now();
        let secs = settings.secs;
        let frac = |f: f64| start + Duration::from_secs_f64(secs as f64 * f);
        let shared = Arc::new(Shared {
            addr,
            start,
            deadline: frac(1.0),
            slow_window: (frac(0.2), frac(0.6)),
            phase: AtomicU8::new(UP),
            pid: AtomicU32::new(server.pid().unwrap_or(0)),
            x5t_pki: x5t(&pki),
            x5t_self_signed: x5t(&self_signed),
            pool_pki: Mutex::new(vec![PoolToken {
                token: t_pki.into(),
                before_kill: true,
            }]),
            pool_self_signed: Mutex::new(vec![PoolToken {
                token: t_ss.into(),
                before_kill: true,
            }]),
            expired_pki: expired,
            bad_signature_pki: bad,
            alg_none,
            configs,
            settings: settings.clone(),
        });
        Ok::<_, BoxError>((shared, jwks_before))
    })?;

    // Load, probe, RSS sampler and slowloris run on the runtime; the kill and restart happen on
    // this thread at 0.7 of the run.
    let workers: Vec<_> = (0..settings.conns)
        .map(|i| rt.spawn(mix::worker(shared.clone(), i as u64)))
        .collect();
    let probe = rt.spawn(stats::probe(shared.clone()));
    let sampler = rt.spawn(stats::sample_rss(shared.clone()));
    let slowloris: Vec<_> = (0..settings.slow)
        .map(|i| rt.spawn(slow::connection(shared.clone(), slow::Style::of(i))))
        .collect();

    let kill_at = shared.start + Duration::from_secs_f64(settings.secs as f64 * 0.7);
    std::thread::sleep(kill_at.saturating_duration_since(Instant::now()));
    let files_before = durable_files(&dir)?;
    shared.phase.store(KILLED, Ordering::SeqCst);
    shared.pid.store(0, Ordering::SeqCst);
    let t_kill = Instant::now();
    let log_first = server.kill9();
    drop(server);
    let mut server = Server::start_dev_logging(&dir, addr, "warn");
    let t_ready = Instant::now();
    shared
        .pid
        .store(server.pid().unwrap_or(0), Ordering::SeqCst);
    shared.phase.store(RESTARTED, Ordering::SeqCst);
    println!(
        "kill -9 at {:.1} s, restarted and listening {} ms later",
        shared.at(t_kill),
        t_ready.duration_since(t_kill).as_millis()
    );
    let files_after = durable_files(&dir)?;
    if files_before != files_after {
        let names = |v: &[(PathBuf, Vec<u8>)]| {
            v.iter()
                .map(|(p, _)| p.display().to_string())
                .collect::<Vec<_>>()
        };
        failures.push(format!(
            "state changed across kill -9 and restart: before {:?}, after {:?}",
            names(&files_before),
            names(&files_after)
        ));
    }
    let restart_check = rt.block_on(async {
        let jwks_after = jwks(addr, shared.configs.anonymous.clone()).await?;
        // Every token issued before the kill, on fresh connections of its own certificate.
        let mut checked = 0usize;
        let mut refused = Vec::new();
        for who in [Who::Pki, Who::SelfSigned] {
            let tokens: Vec<PoolToken> = shared
                .pool(who)
                .map(|p| p.lock().map(|v| v.clone()).unwrap_or_default())
                .unwrap_or_default();
            let mut c = client::connect(addr, shared.configs.get(who)).await?;
            for t in tokens.iter().filter(|t| t.before_kill) {
                let a = c.get("/api/whoami", Some(&t.token)).await?;
                checked += 1;
                if a.status != 200 {
                    refused.push(format!("{who:?}: {}", a.status));
                }
            }
        }
        Ok::<_, BoxError>((jwks_after, checked, refused))
    });
    match restart_check {
        Ok(((doc_after, kids_after), checked, refused)) => {
            println!(
                "after restart: JWKS kids {:?} (before {:?}); {checked} tokens issued before the kill re-checked, {} refused",
                kids_after,
                jwks_before.1,
                refused.len()
            );
            if doc_after != jwks_before.0 {
                failures.push(format!(
                    "JWKS changed across the restart: kids {:?} → {kids_after:?}",
                    jwks_before.1
                ));
            }
            if !refused.is_empty() {
                failures.push(format!(
                    "tokens issued before kill -9 refused after the restart: {refused:?}"
                ));
            }
            if checked == 0 {
                failures.push("no token issued before the kill was re-checked".into());
            }
        }
        Err(e) => failures.push(format!("checks after the restart failed: {e}")),
    }

    let mut total = mix::WorkerStats::default();
    for w in workers {
        match rt.block_on(w) {
            Ok(s) => total.merge(s),
            Err(e) => failures.push(format!("a load worker panicked: {e}")),
        }
    }
    let mut slow_total = slow::SlowStats::default();
    for s in slowloris {
        match rt.block_on(s) {
            Ok(s) => slow_total.merge(&s),
            Err(e) => failures.push(format!("a slowloris task panicked: {e}")),
        }
    }
    let probes = rt.block_on(probe).map_err(|e| e.to_string())?;
    let rss = rt.block_on(sampler).map_err(|e| e.to_string())?;
    let health = rt.block_on(async {
        let mut c = client::connect(addr, shared.configs.pki.clone()).await?;
        c.get("/metrics", None).await
    });
    let log_second = server.stop();

    let window = (shared.at(t_kill), shared.at(t_ready));
    failures.extend(total.report(&shared, window));
    failures.extend(slow_total.report(&shared));
    failures.extend(stats::report_probes(&shared, &probes, window));
    failures.extend(stats::report_rss(&rss));
    match health {
        Ok(m) if m.status == 200 => {
            let text = String::from_utf8_lossy(&m.body);
            for l in text.lines().filter(|l| {
                l.starts_with("certbound_tls_handshakes_total")
                    || l.starts_with("certbound_connections_rejected_total")
            }) {
                println!("server metrics after restart: {l}");
            }
        }
        Ok(m) => failures.push(format!("GET /metrics after the run: {}", m.status)),
        Err(e) => failures.push(format!("server unreachable after the run: {e}")),
    }
    for (name, log) in [
        ("before the kill", &log_first),
        ("after the restart", &log_second),
    ] {
        let panics: Vec<&str> = log.lines().filter(|l| l.contains("panicked")).collect();
        if !panics.is_empty() {
            failures.push(format!("server panicked {name}: {panics:?}"));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(failures)
}
