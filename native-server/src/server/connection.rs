//! Driving one HTTP connection to its end: closed gracefully (h2 GOAWAY, h1 after the request in
//! flight) when the server shuts down, and, for h2, when it has had no open stream for the idle
//! timeout.
//!
//! HTTP/1.1 needs no idle timer of its own: hyper's header-read timeout also runs while a
//! keep-alive connection waits for its next request. h2 has no such timer: its keep-alive PINGs
//! only detect a dead peer, so a client that answers PINGs and sends nothing else would hold its
//! connection slot forever. [`Activity`] counts the streams in flight and remembers when the last
//! one ended; [`drive`] closes the connection once it has been idle for the timeout.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

/// Requests in flight on one connection, and when the connection last became idle.
#[derive(Debug)]
pub(crate) struct Activity {
    in_flight: AtomicUsize,
    idle_since: Mutex<Instant>,
}

impl Activity {
    /// A connection idle from now.
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            in_flight: AtomicUsize::new(0),
            idle_since: Mutex::new(Instant::now()),
        })
    }

    /// Marks a request in flight until the returned guard is dropped (its response sent or the
    /// request abandoned).
    pub(crate) fn begin(self: &Arc<Self>) -> Busy {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        Busy(self.clone())
    }

    /// Since when the connection has had no request in flight; `None` while one is.
    fn idle_since(&self) -> Option<Instant> {
        if self.in_flight.load(Ordering::SeqCst) > 0 {
            return None;
        }
        Some(*self.idle_since.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Resolves once the connection has been idle for `timeout`.
    async fn idle_for(&self, timeout: Duration) {
        loop {
            match self.idle_since() {
                Some(since) if since.elapsed() >= timeout => return,
                Some(since) => tokio::time::sleep_until(since + timeout).await,
                None => tokio::time::sleep(timeout).await,
            }
        }
    }
}

/// A request in flight on its connection (see [`Activity::begin`]).
#[derive(Debug)]
pub(crate) struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        // The time first, then the count: whoever sees the count at zero sees this time.
        *self.0.idle_since.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Runs `conn` to its end. `close` starts its graceful close (hyper's `graceful_shutdown`),
/// called once: when `shutdown` changes (or its sender is gone), or when `idle` says the
/// connection has had nothing in flight for its timeout.
pub(crate) async fn drive<C, E>(
    conn: C,
    close: fn(Pin<&mut C>),
    mut shutdown: watch::Receiver<bool>,
    idle: Option<(&Activity, Duration)>,
) -> Result<(), E>
where
    C: Future<Output = Result<(), E>>,
{
    tokio::pin!(conn);
    let idle_timer = async {
        match idle {
            Some((activity, timeout)) => activity.idle_for(timeout).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        r = conn.as_mut() => return r,
        _ = shutdown.wait_for(|stop| *stop) => {},
        () = idle_timer => tracing::debug!("closing an idle h2 connection"),
    }
    close(conn.as_mut());
    conn.await
}

#[cfg(test)]
mod tests {
    use super::*;

    // Intent: the idle timer runs only while nothing is in flight, and restarts from the end of
    // the last request.
    #[tokio::test(start_paused = true)]
    async fn idle_counts_from_the_last_request() {
        let activity = Activity::new();
        let timeout = Duration::from_secs(10);
        let start = Instant::now();
        let busy = activity.begin();
        let second = activity.begin();
        tokio::time::sleep(Duration::from_secs(25)).await;
        drop(busy);
        assert!(
            activity.idle_since().is_none(),
            "one request is still in flight"
        );
        tokio::time::sleep(Duration::from_secs(5)).await;
        drop(second);
        activity.idle_for(timeout).await;
        assert_eq!(start.elapsed(), Duration::from_secs(40));
    }

    // Intent: `drive` closes on shutdown and on idleness, never before, and passes the
    // connection's own end through.
    #[tokio::test(start_paused = true)]
    async fn drive_closes_on_shutdown_or_idle() {
        /// A connection that ends once closed.
        struct Fake {
            closed: bool,
        }
        impl Future for Fake {
            type Output = Result<(), &'static str>;
            fn poll(
                self: Pin<&mut Self>,
                _: &mut std::task::Context<'_>,
            ) -> std::task::Poll<Self::Output> {
                if self.closed {
                    std::task::Poll::Ready(Err("closed"))
                } else {
                    std::task::Poll::Pending
                }
            }
        }
        let close: fn(Pin<&mut Fake>) = |mut c| c.closed = true;
        let (tx, rx) = watch::channel(false);

        let activity = Activity::new();
        let start = Instant::now();
        let r = drive(
            Fake { closed: false },
            close,
            rx.clone(),
            Some((&activity, Duration::from_secs(3))),
        )
        .await;
        assert_eq!(r, Err("closed"));
        assert_eq!(start.elapsed(), Duration::from_secs(3));

        let start = Instant::now();
        let stopper = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(7)).await;
            tx.send(true).expect("receiver alive");
        });
        let r = drive(Fake { closed: false }, close, rx, None).await;
        assert_eq!(r, Err("closed"));
        assert_eq!(start.elapsed(), Duration::from_secs(7));
        stopper.await.expect("stopper");
    }
}
