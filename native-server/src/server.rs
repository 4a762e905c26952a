//! The mTLS authorization server and protected resource: a tokio accept loop, rustls handshakes
//! with per-phase timeouts and a connection limit, hyper (HTTP/1.1 + h2) and an axum router.
//!
//! Every certificate and token decision is delegated to core; this module only moves bytes,
//! reads the clock and the files, and turns core's answers into HTTP.

pub(crate) mod config;
mod connection;
mod identity;
pub(crate) mod keys;
mod metrics;
mod resource;
mod routes;
mod static_files;
mod tls;
mod tokens;
mod users;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::{Semaphore, watch};
use tokio_rustls::TlsAcceptor;

pub(crate) use config::Config;
use metrics::Handshake;

/// How long in-flight requests may take to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// What one TLS connection knows about its client, attached to every request on it.
#[derive(Debug, Clone)]
pub(crate) struct ConnInfo {
    /// The TCP peer.
    pub(crate) peer: SocketAddr,
    /// The certificate chain the client presented at the handshake, parsed by core. Its
    /// possession was proven (CertificateVerify); nothing else about it was decided yet.
    pub(crate) tls: identity::Presented,
}

/// Runs the server until SIGTERM or ctrl-c; `ready` is called with the bound address.
pub(crate) async fn run(
    config: Config,
    ready: impl FnOnce(SocketAddr, &routes::App),
) -> Result<(), Box<dyn std::error::Error>> {
    let tls_config =
        tls::server_config(&config.tls).map_err(|e| format!("{}: {e}", config.path.display()))?;
    let limits_hs = Duration::from_secs(config.limits.handshake_timeout_secs);
    let header_timeout = Duration::from_secs(config.limits.header_timeout_secs);
    let max_header = config.limits.max_header_bytes;
    let listener = listen(config.server.listen, config.limits.max_connections)
        .map_err(|e| format!("listening on {}: {e}", config.server.listen))?;
    let local = listener.local_addr()?;
    let app = Arc::new(routes::App::new(config, local.port())?);
    ready(local, &app);
    let router = routes::router(app.clone());

    let acceptor = TlsAcceptor::from(tls_config);
    let permits = Arc::new(Semaphore::new(app.config.limits.max_connections));
    // Every connection task holds a receiver: `true` asks it to close gracefully, and
    // `closed()` on the sender resolves once every task has ended.
    let (graceful, _) = watch::channel(false);
    // The protocol is the one ALPN agreed on (RFC 9113 §3.2: h2 over TLS is negotiated, never
    // sniffed), so every connection is under a timer from its first byte: hyper's h1 header
    // timeout, or h2's keep-alive pings. Sniffing the preface (hyper-util's `auto`) waited for
    // the first byte without any timeout: a client that finished the handshake and stayed
    // silent held its connection slot forever.
    let mut h1 = http1::Builder::new();
    h1.timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .max_buf_size(max_header);
    let mut h2 = http2::Builder::new(TokioExecutor::new());
    h2.timer(TokioTimer::new())
        .keep_alive_interval(header_timeout)
        .keep_alive_timeout(header_timeout)
        .max_header_list_size(u32::try_from(max_header).unwrap_or(u32::MAX))
        .max_concurrent_streams(64);
    let (h1, h2) = (Arc::new(h1), Arc::new(h2));

    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            app.metrics.connection_rejected();
            tracing::warn!(%peer, "connection limit reached, closing");
            drop(tcp);
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let app = app.clone();
        let router = router.clone();
        let (h1, h2) = (h1.clone(), h2.clone());
        let stop = graceful.subscribe();
        tokio::spawn(async move {
            let _permit = permit;
            let tls = match tokio::time::timeout(limits_hs, acceptor.accept(tcp)).await {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => {
                    app.metrics.handshake(Handshake::Failed);
                    tracing::info!(%peer, error = %e, "TLS handshake failed");
                    return;
                }
                Err(_) => {
                    app.metrics.handshake(Handshake::TimedOut);
                    tracing::info!(%peer, "TLS handshake timed out");
                    return;
                }
            };
            app.metrics.handshake(Handshake::Ok);
            app.metrics.connection(1);
            let info = ConnInfo {
                peer,
                tls: identity::Presented::from_tls(tls.get_ref().1.peer_certificates()),
            };
            let is_h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
            let activity = connection::Activity::new();
            let busy = activity.clone();
            let svc = hyper::service::service_fn(move |req| {
                let request = busy.begin();
                let answer = routes::dispatch(router.clone(), info.clone(), max_header, req);
                async move {
                    let _request = request;
                    answer.await
                }
            });
            let io = TokioIo::new(tls);
            // h2 closes after `header_timeout` without a stream, as h1's header timer closes
            // an idle keep-alive connection (connection.rs).
            let ended = if is_h2 {
                let conn = h2.serve_connection(io, svc);
                let idle = Some((&*activity, header_timeout));
                connection::drive(conn, |c| c.graceful_shutdown(), stop, idle).await
            } else {
                let conn = h1.serve_connection(io, svc);
                connection::drive(conn, |c| c.graceful_shutdown(), stop, None).await
            };
            if let Err(e) = ended {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
            app.metrics.connection(-1);
        });
    }
    tracing::info!("shutting down: no new connections, finishing requests in flight");
    drop(listener);
    graceful.send_replace(true);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.closed())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after {SHUTDOWN_GRACE:?}; closing them");
    }
    Ok(())
}

/// Binds the listener with an accept queue as deep as the connection limit (the kernel caps it
/// at `net.core.somaxconn`). tokio's default of 1024 overflowed under a burst of connections:
/// the kernel then dropped the clients' final ACKs, and a client that had connected and sent
/// nothing waited seconds (SYN-ACK retransmits) before the server even saw it.
fn listen(addr: SocketAddr, max_connections: usize) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(
        u32::try_from(max_connections)
            .unwrap_or(u32::MAX)
            .clamp(1024, 65_535),
    )
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
