//! Load tool for `certbound serve` on loopback: full mTLS handshakes per second and bound-token
//! `GET /api/whoami` requests per second on keep-alive connections.
//!
//! Run with (against a dev server started by `certbound serve`):
//! ```text
//! cargo run --release -p certbound --example load -- --dir certbound-dev \
//!     --addr 127.0.0.1:8443 --mode handshakes --seconds 10 --concurrency 8 --pid $(pidof certbound)
//! cargo run --release -p certbound --example load -- --dir certbound-dev \
//!     --addr 127.0.0.1:8443 --mode whoami --seconds 10 --concurrency 8
//! ```
//! Every loop is bounded by `--seconds` (at most 120) and only loopback addresses are accepted.
//! Handshakes are TLS 1.3, X25519, ECDSA P-256 client certificate, resumption disabled; each
//! connection sends one `GET /healthz` so the server has verified the client's CertificateVerify.

#[path = "../tests/common/client.rs"]
mod client;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;

#[derive(Debug, Parser)]
struct Args {
    /// Dev directory (ca.pem, client.pem, client.key).
    #[arg(long, default_value = "certbound-dev")]
    dir: PathBuf,
    /// Server address (loopback only).
    #[arg(long, default_value = "127.0.0.1:8443")]
    addr: SocketAddr,
    /// `handshakes` or `whoami`.
    #[arg(long, default_value = "handshakes")]
    mode: String,
    /// Duration of the measurement.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Concurrent connections / workers.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// client_id registered for the certificate (whoami mode).
    #[arg(long, default_value = "dev-pki-client")]
    client_id: String,
    /// Server process id, to report its RSS.
    #[arg(long)]
    pid: Option<u32>,
}

fn rss(pid: u32) -> Option<String> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let get = |k: &str| {
        s.lines()
            .find(|l| l.starts_with(k))
            .map(|l| l[k.len()..].trim().to_owned())
    };
    Some(format!(
        "VmRSS {} (peak VmHWM {})",
        get("VmRSS:")?,
        get("VmHWM:")?
    ))
}

fn main() -> Result<(), client::BoxError> {
    let args = Args::parse();
    if !args.addr.ip().is_loopback() {
        return Err("refusing a non-loopback target".into());
    }
    let seconds = args.seconds.min(120);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let id = client::Identity::from_files(
            &args.dir.join("client.pem"),
            &args.dir.join("client.key"),
        );
        let cfg =
            client::client_config(&args.dir.join("ca.pem"), Some(&id), client::Version::Tls13);
        if let Some(pid) = args.pid {
            println!("server RSS before: {}", rss(pid).unwrap_or_default());
        }
        let done = Arc::new(AtomicU64::new(0));
        let errors = Arc::new(AtomicU64::new(0));
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let token = if args.mode == "whoami" {
            let mut c = client::connect(args.addr, cfg.clone()).await?;
            let a = c
                .post_form(
                    "/oauth2/token",
                    &[
                        ("grant_type", "client_credentials"),
                        ("client_id", &args.client_id),
                    ],
                )
                .await?;
            if a.status != 200 {
                return Err(format!(
                    "token request: {} {}",
                    a.status,
                    String::from_utf8_lossy(&a.body)
                )
                .into());
            }
            Some(
                a.json()["access_token"]
                    .as_str()
                    .ok_or("no access_token")?
                    .to_owned(),
            )
        } else {
            None
        };
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..args.concurrency {
            let (cfg, done, errors, token) =
                (cfg.clone(), done.clone(), errors.clone(), token.clone());
            let addr = args.addr;
            tasks.push(tokio::spawn(async move {
                match token {
                    None => {
                        while Instant::now() < deadline {
                            let r = async {
                                let mut c = client::connect(addr, cfg.clone()).await?;
                                c.get("/healthz", None).await
                            }
                            .await;
                            match r {
                                Ok(a) if a.status == 200 => done.fetch_add(1, Ordering::Relaxed),
                                _ => errors.fetch_add(1, Ordering::Relaxed),
                            };
                        }
                    }
                    Some(t) => {
                        let Ok(mut c) = client::connect(addr, cfg).await else {
                            errors.fetch_add(1, Ordering::Relaxed);
                            return;
                        };
                        while Instant::now() < deadline {
                            match c.get("/api/whoami", Some(&t)).await {
                                Ok(a) if a.status == 200 => done.fetch_add(1, Ordering::Relaxed),
                                _ => errors.fetch_add(1, Ordering::Relaxed),
                            };
                        }
                    }
                }
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
        let secs = start.elapsed().as_secs_f64();
        let n = done.load(Ordering::Relaxed);
        #[allow(clippy::cast_precision_loss)]
        let rate = n as f64 / secs;
        let what = if args.mode == "whoami" {
            "bound-token GET /api/whoami requests"
        } else {
            "full mTLS handshakes (TLS 1.3, X25519, no resumption, + GET /healthz)"
        };
        println!(
            "{what}: {n} in {secs:.1} s = {rate:.0}/s with {} workers, {} errors",
            args.concurrency,
            errors.load(Ordering::Relaxed)
        );
        if let Some(pid) = args.pid {
            println!("server RSS after: {}", rss(pid).unwrap_or_default());
        }
        Ok(())
    })
}
