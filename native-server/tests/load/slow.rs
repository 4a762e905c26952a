//! Slowloris connections: each holds a server connection slot as cheaply as it can, in one of
//! seven ways, until the server closes it; then it opens the next, until the slowloris window
//! ends. The server must close each within its handshake or header timeout (plus slack), and the
//! load and the probe must go on being served meanwhile.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use super::{Shared, Who};

/// How a slowloris connection stalls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// TCP connected, not a byte sent (half-open from the server's view).
    SilentTcp,
    /// A real ClientHello, one byte every 200 ms.
    DribbleHello,
    /// The whole ClientHello, the server's flight read, then nothing (stopped mid-handshake).
    StallMidHandshake,
    /// A complete mTLS handshake, then nothing.
    IdleAfterHandshake,
    /// A complete handshake, then a request head one byte every 200 ms.
    DribbleHeaders,
    /// One complete request on HTTP/1.1 keep-alive, then nothing.
    IdleKeepAlive,
    /// ALPN h2, the connection preface and an empty SETTINGS frame, then silence (PINGs are
    /// never answered).
    SilentH2,
}

const STYLES: [Style; 7] = [
    Style::SilentTcp,
    Style::DribbleHello,
    Style::StallMidHandshake,
    Style::IdleAfterHandshake,
    Style::DribbleHeaders,
    Style::IdleKeepAlive,
    Style::SilentH2,
];

/// Slack over the server's timeout before a held connection counts as not closed.
const SLACK: Duration = Duration::from_secs(3);
const DRIBBLE_EVERY: Duration = Duration::from_millis(200);

impl Style {
    pub(crate) fn of(i: usize) -> Self {
        STYLES[i % STYLES.len()]
    }

    fn name(self) -> &'static str {
        match self {
            Self::SilentTcp => "silent TCP (half-open)",
            Self::DribbleHello => "ClientHello byte by byte",
            Self::StallMidHandshake => "stopped mid-handshake",
            Self::IdleAfterHandshake => "idle after the handshake",
            Self::DribbleHeaders => "request head byte by byte",
            Self::IdleKeepAlive => "idle keep-alive after a request",
            Self::SilentH2 => "h2 preface, then silent",
        }
    }

    /// How long the server may take to close such a connection: its handshake or header
    /// timeout; for h2, a keep-alive PING after that long and as long again for the answer.
    fn limit(self, timeout: Duration) -> Duration {
        match self {
            Self::SilentH2 => 2 * timeout + SLACK,
            _ => timeout + SLACK,
        }
    }
}

/// Per style: connections, closed by the server (with how long they were held), still open
/// past timeout + slack, and connect failures.
#[derive(Debug, Default, Clone)]
pub(crate) struct SlowStats {
    pub(crate) per_style: Vec<(Style, StyleStats)>,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct StyleStats {
    pub(crate) opened: u64,
    pub(crate) closed_by_server_ms: Vec<u32>,
    pub(crate) held_too_long: u64,
    pub(crate) connect_failed: u64,
}

impl SlowStats {
    fn style(&mut self, style: Style) -> &mut StyleStats {
        if let Some(i) = self.per_style.iter().position(|(s, _)| *s == style) {
            &mut self.per_style[i].1
        } else {
            self.per_style.push((style, StyleStats::default()));
            let last = self.per_style.len() - 1;
            &mut self.per_style[last].1
        }
    }

    pub(crate) fn merge(&mut self, o: &Self) {
        for (style, s) in &o.per_style {
            let m = self.style(*style);
            m.opened += s.opened;
            m.closed_by_server_ms
                .extend_from_slice(&s.closed_by_server_ms);
            m.held_too_long += s.held_too_long;
            m.connect_failed += s.connect_failed;
        }
    }

    pub(crate) fn report(&mut self, shared: &Shared) -> Vec<String> {
        let mut failures = Vec::new();
        if shared.settings.slow == 0 {
            println!("slowloris: none");
            return failures;
        }
        let (a, b) = shared.slow_window;
        println!(
            "slowloris: {} connections from {:.1} s to {:.1} s, server timeouts {} s",
            shared.settings.slow,
            shared.at(a),
            shared.at(b),
            shared.settings.timeout().as_secs()
        );
        let window = b.duration_since(a);
        for style in STYLES {
            let s = self.style(style).clone();
            let mut closed = s.closed_by_server_ms.clone();
            closed.sort_unstable();
            println!(
                "  {:<32} opened {:>5}, closed by the server {:>5} (after min {} / median {} / max {}), open past {} s {:>3}, connect failed {}",
                style.name(),
                s.opened,
                closed.len(),
                secs(closed.first().copied()),
                secs(super::stats::percentile(&closed, 0.5)),
                secs(closed.last().copied()),
                style.limit(shared.settings.timeout()).as_secs(),
                s.held_too_long,
                s.connect_failed,
            );
            if s.held_too_long > 0 {
                failures.push(format!(
                    "slowloris {}: {} connections still open after {} s",
                    style.name(),
                    s.held_too_long,
                    style.limit(shared.settings.timeout()).as_secs()
                ));
            }
            if window > style.limit(shared.settings.timeout()) && closed.is_empty() && s.opened > 0
            {
                failures.push(format!(
                    "slowloris {}: the server closed none",
                    style.name()
                ));
            }
        }
        failures
    }
}

fn secs(ms: Option<u32>) -> String {
    ms.map_or_else(|| "-".into(), |v| format!("{:.1} s", f64::from(v) / 1000.0))
}

/// Milliseconds since `t0`.
fn held(t0: Instant) -> u32 {
    u32::try_from(t0.elapsed().as_millis()).unwrap_or(u32::MAX)
}

/// One slowloris slot for the whole window.
pub(crate) async fn connection(shared: Arc<Shared>, style: Style) -> SlowStats {
    let mut stats = SlowStats::default();
    let (from, until) = shared.slow_window;
    tokio::time::sleep_until(from.into()).await;
    let limit = style.limit(shared.settings.timeout());
    while Instant::now() < until {
        let t0 = Instant::now();
        let Ok(Ok(tcp)) =
            tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(shared.addr)).await
        else {
            stats.style(style).connect_failed += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        stats.style(style).opened += 1;
        let stop = until.min(t0 + limit);
        // An error means the server gave up on the handshake or the stream: also a close.
        let closed = stall(&shared, style, tcp, stop).await.unwrap_or(true);
        let s = stats.style(style);
        if closed {
            s.closed_by_server_ms.push(held(t0));
        } else if Instant::now() >= t0 + limit {
            s.held_too_long += 1;
        }
    }
    stats
}

/// Stalls on `tcp` in `style` until the server closes it (`true`) or `stop` (`false`).
async fn stall(
    shared: &Shared,
    style: Style,
    tcp: TcpStream,
    stop: Instant,
) -> Result<bool, Box<dyn std::error::Error + Send + Sync>> {
    let stop = tokio::time::Instant::from_std(stop);
    match style {
        Style::SilentTcp => Ok(until_closed(tcp, stop).await),
        Style::DribbleHello | Style::StallMidHandshake => {
            let mut conn = rustls::ClientConnection::new(
                shared.configs.get(Who::Pki),
                ServerName::try_from("localhost")?,
            )?;
            let mut hello = Vec::new();
            while conn.wants_write() {
                conn.write_tls(&mut hello)?;
            }
            let (mut rd, mut wr) = tcp.into_split();
            if style == Style::StallMidHandshake {
                wr.write_all(&hello).await?;
                // Keep `wr` open: dropping it would send FIN, which is not a stall.
                let closed = until_closed_read(&mut rd, stop).await;
                drop(wr);
                return Ok(closed);
            }
            let dribble = async {
                for b in &hello {
                    wr.write_all(std::slice::from_ref(b)).await?;
                    tokio::time::sleep(DRIBBLE_EVERY).await;
                }
                std::future::pending::<std::io::Result<()>>().await
            };
            tokio::select! {
                closed = until_closed_read(&mut rd, stop) => Ok(closed),
                r = dribble => r.map(|()| false).or(Ok(true)),
            }
        }
        Style::SilentH2 => {
            let mut cfg = (*shared.configs.get(Who::Pki)).clone();
            cfg.alpn_protocols = vec![b"h2".to_vec()];
            let mut tls = tokio_rustls::TlsConnector::from(Arc::new(cfg))
                .connect(ServerName::try_from("localhost")?, tcp)
                .await?;
            if tls.get_ref().1.alpn_protocol() != Some(b"h2") {
                return Err("the server did not agree to h2".into());
            }
            tls.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
                .await?;
            tls.flush().await?;
            let (mut rd, wr) = tokio::io::split(tls);
            let closed = until_closed_read(&mut rd, stop).await;
            drop(wr);
            Ok(closed)
        }
        Style::IdleKeepAlive => {
            let mut tls = tokio_rustls::TlsConnector::from(shared.configs.get(Who::Pki))
                .connect(ServerName::try_from("localhost")?, tcp)
                .await?;
            tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .await?;
            tls.flush().await?;
            // The answer is read (and discarded) with everything else until the close.
            let (mut rd, wr) = tokio::io::split(tls);
            let closed = until_closed_read(&mut rd, stop).await;
            drop(wr);
            Ok(closed)
        }
        Style::IdleAfterHandshake | Style::DribbleHeaders => {
            let tls = tokio_rustls::TlsConnector::from(shared.configs.get(Who::Pki))
                .connect(ServerName::try_from("localhost")?, tcp)
                .await?;
            let (mut rd, mut wr) = tokio::io::split(tls);
            if style == Style::IdleAfterHandshake {
                let closed = until_closed_read(&mut rd, stop).await;
                drop(wr);
                return Ok(closed);
            }
            let head = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
            let dribble = async {
                for b in head {
                    wr.write_all(std::slice::from_ref(b)).await?;
                    wr.flush().await?;
                    tokio::time::sleep(DRIBBLE_EVERY).await;
                }
                std::future::pending::<std::io::Result<()>>().await
            };
            tokio::select! {
                closed = until_closed_read(&mut rd, stop) => Ok(closed),
                r = dribble => r.map(|()| false).or(Ok(true)),
            }
        }
    }
}

async fn until_closed(mut tcp: TcpStream, stop: tokio::time::Instant) -> bool {
    until_closed_read(&mut tcp, stop).await
}

/// Reads (and discards) until EOF or an error — the server closed — or `stop`.
async fn until_closed_read<R: AsyncRead + Unpin>(rd: &mut R, stop: tokio::time::Instant) -> bool {
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at(stop, rd.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
            Err(_) => return false,
        }
    }
}
