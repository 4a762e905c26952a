//! The request mix: each worker opens mTLS connections as one of four identities, sends a random
//! number of keep-alive requests of random kinds on each, and checks every answer against the
//! verdict that kind must get.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::common::client::{self, Answer, Conn};
use super::{KILLED, POOL_CAP, PoolToken, RESTARTED, Shared, UP, Who};

/// Longest wait for a connection or an answer before it counts as a failure (a hang).
pub(crate) const ANSWER_TIMEOUT: Duration = Duration::from_secs(15);
/// How far the oversized requests exceed the configured head and body limits.
const OVER_BY: usize = 4 * 1024;

/// xorshift64*: reproducible per worker, no dependency.
#[derive(Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// What a request is, and so which verdict it must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `GET /api/whoami`, token bound to this connection's certificate → 200 and its identity.
    Valid,
    /// Token bound to another certificate (or no certificate) → 401 `invalid_token`.
    OtherBinding,
    /// Correctly signed and bound, expired → 401 `invalid_token`.
    Expired,
    /// One signature character changed → 401 `invalid_token`.
    BadSignature,
    /// Not a JWS → 401 `invalid_token`.
    Garbage,
    /// `alg: none`, empty signature → 401 `invalid_token`.
    AlgNone,
    /// No `Authorization` → 401, challenge without an error code (RFC 6750 §3.1).
    NoToken,
    /// `Authorization: Basic …` → 401 without an error code: no bearer token was sent.
    OtherScheme,
    /// `Bearer a b` → 400 `invalid_request`.
    BadSyntax,
    /// Two `Authorization` headers → 400 `invalid_request`.
    DuplicateAuthorization,
    /// client_credentials for this certificate's client → 200 and a token that then works here;
    /// for a certificate of no client → 401 `invalid_client`.
    Issue,
    /// client_credentials for a client this certificate is not → 401 `invalid_client`.
    WrongClient,
    /// Token request that is not a form → 400 `invalid_request`.
    NotForm,
    /// A header 4 KiB over `max_header_bytes` → 431.
    OversizedHeader,
    /// A form body 4 KiB over `max_body_bytes` → 413.
    OversizedBody,
    /// A raw request the HTTP parser must refuse → 400 (own connection).
    MalformedHttp,
}

/// Every kind, for the report.
pub(crate) const KINDS: [Kind; 16] = [
    Kind::Valid,
    Kind::OtherBinding,
    Kind::Expired,
    Kind::BadSignature,
    Kind::Garbage,
    Kind::AlgNone,
    Kind::NoToken,
    Kind::OtherScheme,
    Kind::BadSyntax,
    Kind::DuplicateAuthorization,
    Kind::Issue,
    Kind::WrongClient,
    Kind::NotForm,
    Kind::OversizedHeader,
    Kind::OversizedBody,
    Kind::MalformedHttp,
];

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Valid => "valid bound token → 200",
            Self::OtherBinding => "token bound to another cert → 401 invalid_token",
            Self::Expired => "expired token → 401 invalid_token",
            Self::BadSignature => "bad signature → 401 invalid_token",
            Self::Garbage => "garbage token → 401 invalid_token",
            Self::AlgNone => "alg none → 401 invalid_token",
            Self::NoToken => "no token → 401 (no error code)",
            Self::OtherScheme => "Basic scheme → 401 (no error code)",
            Self::BadSyntax => "bad Authorization syntax → 400 invalid_request",
            Self::DuplicateAuthorization => "two Authorization headers → 400 invalid_request",
            Self::Issue => "token request → 200 / 401 invalid_client",
            Self::WrongClient => "token request for another client → 401 invalid_client",
            Self::NotForm => "token request not a form → 400 invalid_request",
            Self::OversizedHeader => "head over max_header_bytes → 431",
            Self::OversizedBody => "body over max_body_bytes → 413",
            Self::MalformedHttp => "malformed HTTP → 400",
        }
    }

    /// A request kind for a connection of `who` (weights in percent, roughly).
    fn pick(rng: &mut Rng, who: Who) -> Self {
        let can_be_valid = who.client_id().is_some();
        let r = rng.below(100);
        match r {
            0..50 if can_be_valid => Self::Valid,
            0..58 => Self::OtherBinding,
            58..63 => Self::Expired,
            63..68 => Self::BadSignature,
            68..72 => Self::Garbage,
            72..75 => Self::AlgNone,
            75..81 => Self::NoToken,
            81..83 => Self::OtherScheme,
            83..86 => Self::BadSyntax,
            86..88 => Self::DuplicateAuthorization,
            88..91 => Self::Issue,
            91..93 => Self::WrongClient,
            93..95 => Self::NotForm,
            95..97 => Self::OversizedHeader,
            _ => Self::OversizedBody,
        }
    }

    /// Whether the server may close the connection after answering.
    fn closes(self) -> bool {
        matches!(self, Self::OversizedHeader | Self::OversizedBody)
    }
}

/// Counts for one kind.
#[derive(Debug, Default, Clone)]
pub(crate) struct KindStats {
    pub(crate) sent: u64,
    pub(crate) right: u64,
    pub(crate) wrong: u64,
    pub(crate) server_errors: u64,
    /// Connection errors explained by the SIGKILL (the connection predates it, or the server
    /// was down).
    pub(crate) cut_by_kill: u64,
    /// Connection errors and timeouts with the server up: failures.
    pub(crate) transport: u64,
}

/// What one worker saw.
#[derive(Debug, Default)]
pub(crate) struct WorkerStats {
    pub(crate) kinds: BTreeMap<&'static str, KindStats>,
    pub(crate) handshakes: u64,
    pub(crate) connects_cut_by_kill: u64,
    pub(crate) connects_failed: u64,
    /// Latency of valid requests on open connections, microseconds.
    pub(crate) valid_latency_us: Vec<u32>,
    /// Tokens issued before the SIGKILL accepted (200) after the restart.
    pub(crate) before_kill_ok_after_restart: u64,
    pub(crate) examples: Vec<String>,
}

impl WorkerStats {
    pub(crate) fn merge(&mut self, o: Self) {
        for (k, s) in o.kinds {
            let e = self.kinds.entry(k).or_default();
            e.sent += s.sent;
            e.right += s.right;
            e.wrong += s.wrong;
            e.server_errors += s.server_errors;
            e.cut_by_kill += s.cut_by_kill;
            e.transport += s.transport;
        }
        self.handshakes += o.handshakes;
        self.connects_cut_by_kill += o.connects_cut_by_kill;
        self.connects_failed += o.connects_failed;
        self.valid_latency_us.extend(o.valid_latency_us);
        self.before_kill_ok_after_restart += o.before_kill_ok_after_restart;
        for e in o.examples {
            if self.examples.len() < 20 {
                self.examples.push(e);
            }
        }
    }

    fn example(&mut self, e: String) {
        if self.examples.len() < 5 {
            self.examples.push(e);
        }
    }

    /// Prints the table and returns the failures.
    pub(crate) fn report(&mut self, shared: &Shared, kill_window: (f64, f64)) -> Vec<String> {
        let mut failures = Vec::new();
        let secs = shared.settings.secs as f64;
        let total: u64 = self.kinds.values().map(|s| s.sent).sum();
        println!(
            "mix: {total} requests in {secs:.0} s ({:.0}/s) on {} connections ({:.0} handshakes/s), kill window {:.1}–{:.1} s",
            total as f64 / secs,
            self.handshakes,
            self.handshakes as f64 / secs,
            kill_window.0,
            kill_window.1
        );
        println!(
            "  {:<52} {:>8} {:>8} {:>6} {:>5} {:>6} {:>6}",
            "kind", "sent", "right", "wrong", "5xx", "killed", "conn"
        );
        for k in KINDS {
            let s = self.kinds.get(k.name()).cloned().unwrap_or_default();
            println!(
                "  {:<52} {:>8} {:>8} {:>6} {:>5} {:>6} {:>6}",
                k.name(),
                s.sent,
                s.right,
                s.wrong,
                s.server_errors,
                s.cut_by_kill,
                s.transport
            );
            if s.right == 0 {
                failures.push(format!("kind never answered right: {}", k.name()));
            }
        }
        let wrong: u64 = self.kinds.values().map(|s| s.wrong).sum();
        let server_errors: u64 = self.kinds.values().map(|s| s.server_errors).sum();
        let transport: u64 = self.kinds.values().map(|s| s.transport).sum();
        let killed: u64 = self.kinds.values().map(|s| s.cut_by_kill).sum();
        println!(
            "  totals: wrong verdicts {wrong}, 5xx {server_errors}, connection errors with the server up {transport} (+{} failed connects), cut by the kill {killed} requests + {} connects",
            self.connects_failed, self.connects_cut_by_kill
        );
        self.valid_latency_us.sort_unstable();
        println!(
            "  valid requests on open connections: p50 {} p99 {} max {}",
            super::stats::ms(super::stats::percentile(&self.valid_latency_us, 0.50)),
            super::stats::ms(super::stats::percentile(&self.valid_latency_us, 0.99)),
            super::stats::ms(self.valid_latency_us.last().copied()),
        );
        println!(
            "  tokens issued before the kill accepted after the restart: {}",
            self.before_kill_ok_after_restart
        );
        for e in &self.examples {
            println!("  example: {e}");
        }
        if wrong > 0 {
            failures.push(format!("{wrong} wrong verdicts"));
        }
        if server_errors > 0 {
            failures.push(format!("{server_errors} answers with status 5xx"));
        }
        if transport + self.connects_failed > 0 {
            failures.push(format!(
                "{} connection errors or timeouts while the server was up",
                transport + self.connects_failed
            ));
        }
        if self.before_kill_ok_after_restart == 0 {
            failures.push("no token issued before the kill was used after the restart".into());
        }
        failures
    }
}

/// A connection error: explained by the SIGKILL, or a failure.
fn cut_by_kill(shared: &Shared, generation: u8) -> bool {
    let now = shared.phase();
    now != generation || now == KILLED
}

/// One load connection after another until the deadline.
pub(crate) async fn worker(shared: Arc<Shared>, seed: u64) -> WorkerStats {
    let mut rng = Rng::new(seed + 1);
    let mut st = WorkerStats::default();
    while Instant::now() < shared.deadline {
        let who = match rng.below(100) {
            0..55 => Who::Pki,
            55..80 => Who::SelfSigned,
            80..90 => Who::Unregistered,
            _ => Who::Anonymous,
        };
        if rng.below(100) == 0 {
            malformed_http(&shared, who, &mut rng, &mut st).await;
            continue;
        }
        let generation = shared.phase();
        let connect = tokio::time::timeout(
            ANSWER_TIMEOUT,
            client::connect(shared.addr, shared.configs.get(who)),
        )
        .await;
        let mut conn = match connect {
            Ok(Ok(c)) => c,
            other => {
                if cut_by_kill(&shared, generation) {
                    st.connects_cut_by_kill += 1;
                } else {
                    st.connects_failed += 1;
                    let e = match other {
                        Ok(Err(e)) => e.to_string(),
                        _ => "timed out".into(),
                    };
                    st.example(format!(
                        "{who:?} connect at {:.1} s: {e}",
                        shared.at(Instant::now())
                    ));
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        st.handshakes += 1;
        // A third of the connections carry one request (handshake-heavy), the rest up to 100.
        let n = if rng.below(3) == 0 {
            1
        } else {
            1 + rng.below(100)
        };
        for _ in 0..n {
            if Instant::now() >= shared.deadline {
                break;
            }
            let kind = Kind::pick(&mut rng, who);
            if !one(&shared, &mut conn, who, kind, generation, &mut rng, &mut st).await
                || kind.closes()
            {
                break;
            }
        }
    }
    st
}

/// A token from `who`'s pool (or the Pki pool for identities without one).
fn pooled(shared: &Shared, who: Who, rng_pick: usize) -> PoolToken {
    let pool = shared.pool(who).unwrap_or(&shared.pool_pki);
    let p = pool.lock().expect("pool lock");
    p[rng_pick % p.len()].clone()
}

fn other_binding(shared: &Shared, who: Who, pick: usize) -> PoolToken {
    match who {
        Who::Pki => pooled(shared, Who::SelfSigned, pick),
        _ => pooled(shared, Who::Pki, pick),
    }
}

fn challenge(a: &Answer) -> &str {
    a.header("www-authenticate").unwrap_or("")
}

/// 401 with `error="invalid_token"` in a Bearer challenge.
fn expect_invalid_token(a: &Answer) -> Result<(), String> {
    let c = challenge(a);
    if a.status == 401
        && c.starts_with("Bearer realm=\"certbound\"")
        && c.contains("error=\"invalid_token\"")
    {
        Ok(())
    } else {
        Err(format!("{} {c:?}", a.status))
    }
}

/// 401 with a Bearer challenge and no error code.
fn expect_no_error_code(a: &Answer) -> Result<(), String> {
    let c = challenge(a);
    if a.status == 401 && c.starts_with("Bearer realm=\"certbound\"") && !c.contains("error=") {
        Ok(())
    } else {
        Err(format!("{} {c:?}", a.status))
    }
}

/// 400 with `error="invalid_request"` in a Bearer challenge.
fn expect_bearer_invalid_request(a: &Answer) -> Result<(), String> {
    let c = challenge(a);
    if a.status == 400 && c.contains("error=\"invalid_request\"") {
        Ok(())
    } else {
        Err(format!("{} {c:?}", a.status))
    }
}

/// An RFC 6749 §5.2 JSON error with this status and code.
fn expect_oauth_error(a: &Answer, status: u16, code: &str) -> Result<(), String> {
    let body: serde_json::Value = serde_json::from_slice(&a.body).unwrap_or_default();
    if a.status == status && body["error"] == code {
        Ok(())
    } else {
        Err(format!("{} {}", a.status, String::from_utf8_lossy(&a.body)))
    }
}

/// 200 from whoami naming this connection's client and certificate.
fn expect_whoami(shared: &Shared, who: Who, a: &Answer) -> Result<(), String> {
    let x5t = match who {
        Who::Pki => &shared.x5t_pki,
        _ => &shared.x5t_self_signed,
    };
    let body: serde_json::Value = serde_json::from_slice(&a.body).unwrap_or_default();
    if a.status == 200
        && body["client_id"] == who.client_id().unwrap_or("")
        && body["cnf"]["x5t#S256"] == x5t.as_str()
        && body["certificate"]["x5t#S256"] == x5t.as_str()
        && body["certificate"]["via"] == "tls"
    {
        Ok(())
    } else {
        Err(format!("{} {}", a.status, String::from_utf8_lossy(&a.body)))
    }
}

async fn send(
    conn: &mut Conn,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Result<Answer, String> {
    match tokio::time::timeout(ANSWER_TIMEOUT, conn.send(method, path, headers, body)).await {
        Ok(Ok(a)) => Ok(a),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {ANSWER_TIMEOUT:?}")),
    }
}

/// The request for `kind` on a connection of `who`: method, path, headers, body, and whether
/// it uses a token issued before the SIGKILL.
fn request(
    shared: &Shared,
    who: Who,
    kind: Kind,
    rng: &mut Rng,
) -> (
    &'static str,
    &'static str,
    Vec<(&'static str, String)>,
    String,
    bool,
) {
    let pick = usize::try_from(rng.below(1 << 16)).unwrap_or(0);
    let bearer = |t: &str| ("authorization", format!("Bearer {t}"));
    let get = |headers: Vec<(&'static str, String)>| {
        ("GET", "/api/whoami", headers, String::new(), false)
    };
    match kind {
        Kind::Valid => {
            let t = pooled(shared, who, pick);
            (
                "GET",
                "/api/whoami",
                vec![bearer(&t.token)],
                String::new(),
                t.before_kill,
            )
        }
        Kind::OtherBinding => get(vec![bearer(&other_binding(shared, who, pick).token)]),
        Kind::Expired => get(vec![bearer(&shared.expired_pki)]),
        Kind::BadSignature => get(vec![bearer(&shared.bad_signature_pki)]),
        Kind::AlgNone => get(vec![bearer(&shared.alg_none)]),
        Kind::Garbage => get(vec![bearer(
            "eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.c2lnbmF0dXJl",
        )]),
        Kind::NoToken => get(vec![]),
        Kind::OtherScheme => get(vec![("authorization", "Basic ZGV2OmRldg==".into())]),
        Kind::BadSyntax => get(vec![("authorization", "Bearer a b".into())]),
        Kind::DuplicateAuthorization => {
            let b = bearer(&pooled(shared, who, pick).token);
            get(vec![b.clone(), b])
        }
        Kind::Issue | Kind::WrongClient => {
            let client_id = match (kind, who) {
                (Kind::Issue, Who::SelfSigned) | (Kind::WrongClient, Who::Pki) => {
                    "dev-self-signed-client"
                }
                _ => "dev-pki-client",
            };
            let body = format!("grant_type=client_credentials&client_id={client_id}");
            ("POST", "/oauth2/token", vec![form()], body, false)
        }
        Kind::NotForm => (
            "POST",
            "/oauth2/token",
            vec![("content-type", "application/json".into())],
            r#"{"grant_type":"client_credentials","client_id":"dev-pki-client"}"#.into(),
            false,
        ),
        Kind::OversizedHeader => get(vec![(
            "x-pad",
            "h".repeat(shared.settings.max_header_bytes + OVER_BY),
        )]),
        Kind::OversizedBody => (
            "POST",
            "/oauth2/token",
            vec![form()],
            format!(
                "grant_type=client_credentials&client_id=dev-pki-client&pad={}",
                "b".repeat(shared.settings.max_body_bytes + OVER_BY)
            ),
            false,
        ),
        Kind::MalformedHttp => unreachable!("sent on a raw connection"),
    }
}

fn form() -> (&'static str, String) {
    ("content-type", "application/x-www-form-urlencoded".into())
}

/// The verdict `kind` must get on a connection of `who`.
fn check(shared: &Shared, who: Who, kind: Kind, a: &Answer) -> Result<(), String> {
    let status = |want: u16| {
        if a.status == want {
            Ok(())
        } else {
            Err(format!("{} {}", a.status, String::from_utf8_lossy(&a.body)))
        }
    };
    match kind {
        Kind::Valid => expect_whoami(shared, who, a),
        Kind::OtherBinding | Kind::Expired | Kind::BadSignature | Kind::Garbage | Kind::AlgNone => {
            expect_invalid_token(a)
        }
        Kind::NoToken | Kind::OtherScheme => expect_no_error_code(a),
        Kind::BadSyntax | Kind::DuplicateAuthorization => expect_bearer_invalid_request(a),
        // Checked further by `use_issued`: the new token must work on this connection.
        Kind::Issue if who.client_id().is_some() => status(200),
        Kind::Issue | Kind::WrongClient => expect_oauth_error(a, 401, "invalid_client"),
        Kind::NotForm => expect_oauth_error(a, 400, "invalid_request"),
        Kind::OversizedHeader => status(431),
        Kind::OversizedBody => status(413),
        Kind::MalformedHttp => unreachable!("checked by malformed_http"),
    }
}

/// Sends one request of `kind` and checks it; `false` when the connection is unusable.
async fn one(
    shared: &Shared,
    conn: &mut Conn,
    who: Who,
    kind: Kind,
    generation: u8,
    rng: &mut Rng,
    st: &mut WorkerStats,
) -> bool {
    let (method, path, headers, body, used_before_kill) = request(shared, who, kind, rng);
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let started = Instant::now();
    let result = send(conn, method, path, &headers, &body).await;
    let elapsed = started.elapsed();
    let s = st.kinds.entry(kind.name()).or_default();
    s.sent += 1;
    let a = match result {
        Ok(a) => a,
        Err(e) => {
            if cut_by_kill(shared, generation) {
                s.cut_by_kill += 1;
            } else {
                s.transport += 1;
                st.example(format!(
                    "{who:?} {} at {:.1} s: {e}",
                    kind.name(),
                    shared.at(Instant::now())
                ));
            }
            return false;
        }
    };
    if a.status >= 500 {
        s.server_errors += 1;
    }
    let mut outcome = check(shared, who, kind, &a);
    if outcome.is_ok() && kind == Kind::Issue && who.client_id().is_some() {
        match use_issued(shared, conn, who, &a, generation).await {
            Ok(o) => outcome = o,
            Err(e) => {
                let s = st.kinds.entry(kind.name()).or_default();
                if cut_by_kill(shared, generation) {
                    s.cut_by_kill += 1;
                } else {
                    s.transport += 1;
                    st.example(format!("{who:?} using a new token: {e}"));
                }
                return false;
            }
        }
    }
    let s = st.kinds.entry(kind.name()).or_default();
    match outcome {
        Ok(()) => {
            s.right += 1;
            if kind == Kind::Valid {
                st.valid_latency_us
                    .push(u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX));
                if used_before_kill && generation == RESTARTED {
                    st.before_kill_ok_after_restart += 1;
                }
            }
        }
        Err(e) => {
            s.wrong += 1;
            st.example(format!("{who:?} {}: got {e}", kind.name()));
        }
    }
    true
}

/// The token just issued must validate on the same connection; then it joins the pool. The
/// outer error is a connection error, the inner one a wrong verdict.
async fn use_issued(
    shared: &Shared,
    conn: &mut Conn,
    who: Who,
    a: &Answer,
    generation: u8,
) -> Result<Result<(), String>, String> {
    let body: serde_json::Value = serde_json::from_slice(&a.body).unwrap_or_default();
    let Some(token) = body["access_token"]
        .as_str()
        .filter(|_| body["token_type"] == "Bearer")
    else {
        return Ok(Err(format!("200 without a Bearer access_token: {body}")));
    };
    let check = send(
        conn,
        "GET",
        "/api/whoami",
        &[("authorization", &format!("Bearer {token}"))],
        "",
    )
    .await?;
    if let Err(e) = expect_whoami(shared, who, &check) {
        return Ok(Err(format!("the new token on its own connection: {e}")));
    }
    if let Some(pool) = shared.pool(who) {
        let t = PoolToken {
            token: token.into(),
            before_kill: generation == UP && shared.phase() == UP,
        };
        let mut p = pool.lock().expect("pool lock");
        if p.len() < POOL_CAP {
            p.push(t);
        } else {
            // The signature's last bytes are random enough to pick a slot; slot 0 keeps the
            // setup token (the probe's).
            let h = token.bytes().rev().take(8).fold(0usize, |h, b| {
                h.wrapping_mul(31).wrapping_add(usize::from(b))
            });
            p[1 + h % (POOL_CAP - 1)] = t;
        }
    }
    Ok(Ok(()))
}

/// A raw request the HTTP/1.1 parser must refuse with 400, on its own TLS connection.
async fn malformed_http(shared: &Shared, who: Who, rng: &mut Rng, st: &mut WorkerStats) {
    let raw: &[u8] = if rng.below(2) == 0 {
        b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nthis line has no colon\r\n\r\n"
    } else {
        b"G\x01T /\x00 HTTP/1.1\r\nHost: localhost\r\n\r\n"
    };
    let generation = shared.phase();
    let kind = Kind::MalformedHttp;
    let r = tokio::time::timeout(ANSWER_TIMEOUT, async {
        let tcp = tokio::net::TcpStream::connect(shared.addr).await?;
        let mut tls = tokio_rustls::TlsConnector::from(shared.configs.get(who))
            .connect(rustls::pki_types::ServerName::try_from("localhost")?, tcp)
            .await?;
        tls.write_all(raw).await?;
        tls.flush().await?;
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match tls.read(&mut buf).await {
                Ok(0) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
                // A close without close_notify after the answer is still an answer.
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !got.is_empty() => break,
                Err(e) => return Err(client::BoxError::from(e)),
            }
        }
        Ok::<_, client::BoxError>(got)
    })
    .await;
    let s = st.kinds.entry(kind.name()).or_default();
    s.sent += 1;
    match r {
        Ok(Ok(got)) => {
            if got.starts_with(b"HTTP/1.1 5") {
                s.server_errors += 1;
            }
            if got.starts_with(b"HTTP/1.1 400 ") {
                s.right += 1;
            } else {
                s.wrong += 1;
                let head = String::from_utf8_lossy(&got[..got.len().min(40)]).into_owned();
                st.example(format!("{who:?} {}: got {head:?}", kind.name()));
            }
        }
        other => {
            if cut_by_kill(shared, generation) {
                s.cut_by_kill += 1;
            } else {
                s.transport += 1;
                let e = match other {
                    Ok(Err(e)) => e.to_string(),
                    _ => "timed out".into(),
                };
                st.example(format!(
                    "{who:?} {} at {:.1} s: {e}",
                    kind.name(),
                    shared.at(Instant::now())
                ));
            }
        }
    }
}
