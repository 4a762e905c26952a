//! Shared by the end-to-end tests: a `certbound serve` child process on 127.0.0.1 (ephemeral
//! port) with its own dev directory, and certificates made with rcgen against its dev CA.
#![allow(dead_code, unreachable_pub)]

pub mod client;

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

pub use client::{Conn, Identity, Version};

/// A fresh, empty directory under the target dir (removed by `Server::drop` when it owns it).
pub fn temp_dir(name: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// A running `certbound serve`.
pub struct Server {
    child: Option<Child>,
    pub addr: SocketAddr,
    /// The dev directory (certificates, keys, certbound.toml, state/).
    pub dir: PathBuf,
    /// The dev user's password, if this start generated the dev PKI.
    pub password: Option<String>,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Server {
    /// `certbound serve --dev-dir DIR --listen 127.0.0.1:0` (generating the dev PKI if missing).
    pub fn start_dev(dir: &Path) -> Self {
        Self::start(
            &[
                "serve",
                "--dev-dir",
                dir.to_str().expect("utf-8 path"),
                "--listen",
                "127.0.0.1:0",
            ],
            dir,
        )
    }

    /// `certbound serve --dev-dir DIR --listen ADDR` (a restart on the same address keeps the
    /// default issuer `https://localhost:PORT`).
    pub fn start_dev_on(dir: &Path, addr: SocketAddr) -> Self {
        Self::start(
            &[
                "serve",
                "--dev-dir",
                dir.to_str().expect("utf-8 path"),
                "--listen",
                &addr.to_string(),
            ],
            dir,
        )
    }

    /// `certbound serve --config FILE --listen 127.0.0.1:0`.
    pub fn start_config(config: &Path, dir: &Path) -> Self {
        Self::start(
            &[
                "serve",
                "--config",
                config.to_str().expect("utf-8 path"),
                "--listen",
                "127.0.0.1:0",
            ],
            dir,
        )
    }

    /// `certbound serve --dev-dir DIR --listen ADDR` logging at `log` (`CERTBOUND_LOG`): load
    /// tests run at `warn`, an access line per request would cost more than the request.
    pub fn start_dev_logging(dir: &Path, addr: SocketAddr, log: &str) -> Self {
        Self::start_logging(
            &[
                "serve",
                "--dev-dir",
                dir.to_str().expect("utf-8 path"),
                "--listen",
                &addr.to_string(),
            ],
            dir,
            log,
        )
    }

    fn start(args: &[&str], dir: &Path) -> Self {
        Self::start_logging(args, dir, "info")
    }

    fn start_logging(args: &[&str], dir: &Path, log: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_certbound"))
            .args(args)
            .env("CERTBOUND_LOG", log)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn certbound");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            for l in BufReader::new(stderr).lines().map_while(Result::ok) {
                s.push_str(&l);
                s.push('\n');
            }
            s
        });
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut password = None;
            for l in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(p) = l.split("is stored): ").nth(1) {
                    password = Some(p.trim().to_owned());
                }
                if let Some(rest) = l.strip_prefix("listening on https://") {
                    let addr: SocketAddr = rest
                        .split_whitespace()
                        .next()
                        .and_then(|a| a.parse().ok())
                        .expect("listen address");
                    let _ = tx.send((addr, password.take()));
                }
            }
        });
        let mut s = Self {
            child: Some(child),
            addr: "127.0.0.1:0".parse().expect("addr"),
            dir: dir.to_owned(),
            password: None,
            stderr: Some(stderr),
        };
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok((addr, password)) => {
                s.addr = addr;
                s.password = password;
                s
            }
            Err(_) => {
                let log = s.stop();
                panic!("certbound serve did not start:\n{log}");
            }
        }
    }

    /// SIGTERM, wait, and return everything the server logged.
    pub fn stop(&mut self) -> String {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(c.id().to_string())
                .status();
            let deadline = std::time::Instant::now() + Duration::from_secs(15);
            loop {
                if let Ok(Some(_)) = c.try_wait() {
                    break;
                }
                if std::time::Instant::now() > deadline {
                    let _ = c.kill();
                    let _ = c.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        self.stderr
            .take()
            .map(|h| h.join().unwrap_or_default())
            .unwrap_or_default()
    }

    /// The server's process id (`None` once stopped).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// SIGKILL (no shutdown path runs), wait, and return everything the server logged.
    pub fn kill9(&mut self) -> String {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        self.stderr
            .take()
            .map(|h| h.join().unwrap_or_default())
            .unwrap_or_default()
    }

    /// The dev CA certificate.
    pub fn ca(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    /// A file of the dev directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The CA-signed dev client.
    pub fn pki_client(&self) -> Identity {
        Identity::from_files(&self.file("client.pem"), &self.file("client.key"))
    }

    /// The self-signed dev client.
    pub fn self_signed_client(&self) -> Identity {
        Identity::from_files(
            &self.file("self-signed-client.pem"),
            &self.file("self-signed-client.key"),
        )
    }

    /// Opens a TLS 1.3 connection presenting `identity`.
    pub async fn connect(&self, identity: Option<&Identity>) -> Result<Conn, client::BoxError> {
        client::connect(
            self.addr,
            client::client_config(&self.ca(), identity, Version::Tls13),
        )
        .await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let log = self.stop();
        if std::thread::panicking() {
            eprintln!("--- certbound serve log ---\n{log}");
        }
    }
}

/// What a test certificate should look like.
pub struct CertSpec<'a> {
    pub cn: &'a str,
    pub org: &'a str,
    /// Days relative to now: (not_before, not_after).
    pub validity_days: (i64, i64),
}

/// A client certificate signed by the dev CA of `dir` (or self-signed when `ca_signed` is false).
pub fn make_client(dir: &Path, spec: &CertSpec<'_>, ca_signed: bool) -> Identity {
    use rcgen::{CertificateParams, DnType, ExtendedKeyUsagePurpose, Issuer, KeyPair};
    let key = KeyPair::generate().expect("key");
    let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
    p.distinguished_name.push(DnType::CommonName, spec.cn);
    p.distinguished_name
        .push(DnType::OrganizationName, spec.org);
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let now = time::OffsetDateTime::now_utc();
    p.not_before = now + time::Duration::days(spec.validity_days.0);
    p.not_after = now + time::Duration::days(spec.validity_days.1);
    let cert = if ca_signed {
        let ca_key =
            KeyPair::from_pem(&std::fs::read_to_string(dir.join("ca.key")).expect("ca key"))
                .expect("ca key pem");
        let issuer = Issuer::from_ca_cert_pem(
            &std::fs::read_to_string(dir.join("ca.pem")).expect("ca cert"),
            ca_key,
        )
        .expect("issuer");
        p.signed_by(&key, &issuer).expect("sign")
    } else {
        p.self_signed(&key).expect("self-sign")
    };
    Identity::from_pem(&cert.pem(), &key.serialize_pem())
}
