//! Prometheus metrics in the text exposition format (version 0.0.4), hand-rolled: a few counters,
//! one gauge and one histogram do not justify a metrics framework.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds (seconds) of the request-latency histogram buckets.
const LATENCY_BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// How a TLS handshake ended.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Handshake {
    /// Completed.
    Ok,
    /// Failed (alert, bad certificate signature, protocol error, …).
    Failed,
    /// Did not finish within the handshake timeout.
    TimedOut,
}

/// All counters of one server.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    auth_failures: Mutex<BTreeMap<&'static str, u64>>,
    handshakes_ok: AtomicU64,
    handshakes_failed: AtomicU64,
    handshakes_timeout: AtomicU64,
    connections_active: AtomicI64,
    connections_rejected: AtomicU64,
    forwarded_stripped: AtomicU64,
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
}

fn bump<K: Ord>(m: &Mutex<BTreeMap<K, u64>>, k: K) {
    // A poisoned lock only means another thread panicked mid-increment: keep counting.
    let mut g = m.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    *g.entry(k).or_insert(0) += 1;
}

impl Metrics {
    /// Counts a finished request under its route template (never the raw path: bounded labels).
    pub(crate) fn request(&self, route: &'static str, status: u16, elapsed: Duration) {
        bump(&self.requests, (route, status));
        let secs = elapsed.as_secs_f64();
        for (b, le) in self.latency_buckets.iter().zip(LATENCY_BUCKETS) {
            if secs <= le {
                b.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.latency_sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// Counts a refused client or token authentication by a fixed reason label.
    pub(crate) fn auth_failure(&self, reason: &'static str) {
        bump(&self.auth_failures, reason);
    }

    /// Counts a handshake outcome.
    pub(crate) fn handshake(&self, h: Handshake) {
        match h {
            Handshake::Ok => &self.handshakes_ok,
            Handshake::Failed => &self.handshakes_failed,
            Handshake::TimedOut => &self.handshakes_timeout,
        }
        .fetch_add(1, Ordering::Relaxed);
    }

    /// A connection was accepted (`+1`) or closed (`-1`).
    pub(crate) fn connection(&self, delta: i64) {
        self.connections_active.fetch_add(delta, Ordering::Relaxed);
    }

    /// A connection was closed at once because the connection limit was reached.
    pub(crate) fn connection_rejected(&self) {
        self.connections_rejected.fetch_add(1, Ordering::Relaxed);
    }

    /// Forwarded-certificate headers arrived from an untrusted peer and were stripped.
    pub(crate) fn forwarded_stripped(&self) {
        self.forwarded_stripped.fetch_add(1, Ordering::Relaxed);
    }

    /// The text exposition.
    pub(crate) fn render(&self) -> String {
        let mut o = String::with_capacity(4096);
        let _ = writeln!(
            o,
            "# HELP certbound_http_requests_total HTTP requests by route and status.\n# TYPE certbound_http_requests_total counter"
        );
        {
            let g = self
                .requests
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for ((route, status), n) in g.iter() {
                let _ = writeln!(
                    o,
                    "certbound_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        let _ = writeln!(
            o,
            "# HELP certbound_auth_failures_total Refused client or token authentications by reason.\n# TYPE certbound_auth_failures_total counter"
        );
        {
            let g = self
                .auth_failures
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for (reason, n) in g.iter() {
                let _ = writeln!(
                    o,
                    "certbound_auth_failures_total{{reason=\"{reason}\"}} {n}"
                );
            }
        }
        let _ = writeln!(
            o,
            "# HELP certbound_tls_handshakes_total TLS handshakes by result.\n# TYPE certbound_tls_handshakes_total counter"
        );
        for (r, v) in [
            ("ok", &self.handshakes_ok),
            ("failed", &self.handshakes_failed),
            ("timeout", &self.handshakes_timeout),
        ] {
            let _ = writeln!(
                o,
                "certbound_tls_handshakes_total{{result=\"{r}\"}} {}",
                v.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            o,
            "# HELP certbound_connections_active Open client connections.\n# TYPE certbound_connections_active gauge\ncertbound_connections_active {}",
            self.connections_active.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            o,
            "# HELP certbound_connections_rejected_total Connections closed at the connection limit.\n# TYPE certbound_connections_rejected_total counter\ncertbound_connections_rejected_total {}",
            self.connections_rejected.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            o,
            "# HELP certbound_forwarded_headers_stripped_total Requests whose forwarded-certificate headers came from an untrusted peer.\n# TYPE certbound_forwarded_headers_stripped_total counter\ncertbound_forwarded_headers_stripped_total {}",
            self.forwarded_stripped.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            o,
            "# HELP certbound_http_request_duration_seconds Request latency.\n# TYPE certbound_http_request_duration_seconds histogram"
        );
        for (b, le) in self.latency_buckets.iter().zip(LATENCY_BUCKETS) {
            let _ = writeln!(
                o,
                "certbound_http_request_duration_seconds_bucket{{le=\"{le}\"}} {}",
                b.load(Ordering::Relaxed)
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(
            o,
            "certbound_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        #[allow(clippy::cast_precision_loss)] // Note: a display value; sub-µs precision is moot.
        let sum = self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(o, "certbound_http_request_duration_seconds_sum {sum}");
        let _ = writeln!(o, "certbound_http_request_duration_seconds_count {count}");
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Intent: counters and histogram buckets accumulate and render in exposition format.
    #[test]
    fn render_counts() {
        let m = Metrics::default();
        m.request("/oauth2/token", 200, Duration::from_millis(3));
        m.request("/oauth2/token", 200, Duration::from_millis(30));
        m.request("/api/*", 401, Duration::from_micros(100));
        m.auth_failure("invalid_client");
        m.handshake(Handshake::Ok);
        m.handshake(Handshake::TimedOut);
        let t = m.render();
        assert!(
            t.contains("certbound_http_requests_total{route=\"/oauth2/token\",status=\"200\"} 2\n")
        );
        assert!(t.contains("certbound_http_requests_total{route=\"/api/*\",status=\"401\"} 1\n"));
        assert!(t.contains("certbound_auth_failures_total{reason=\"invalid_client\"} 1\n"));
        assert!(t.contains("certbound_tls_handshakes_total{result=\"ok\"} 1\n"));
        assert!(t.contains("certbound_tls_handshakes_total{result=\"timeout\"} 1\n"));
        assert!(t.contains("certbound_http_request_duration_seconds_bucket{le=\"0.0005\"} 1\n"));
        assert!(t.contains("certbound_http_request_duration_seconds_bucket{le=\"0.005\"} 2\n"));
        assert!(t.contains("certbound_http_request_duration_seconds_bucket{le=\"+Inf\"} 3\n"));
        assert!(t.contains("certbound_http_request_duration_seconds_count 3\n"));
    }
}
