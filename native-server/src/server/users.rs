//! Resource owners of the password grant: usernames with Argon2 PHC hashes from the configuration.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordVerifier as _};
use tokio::sync::Semaphore;

use super::config::UserEntry;

/// Largest password accepted (bytes): Argon2 takes any length, but hashing megabytes per request
/// is a free denial of service.
pub(crate) const MAX_PASSWORD_BYTES: usize = 1024;

/// Consecutive failed password checks for one (client, username) after which further attempts
/// are refused without checking, for [`LOCKOUT`] after the last failure.
pub(crate) const MAX_FAILURES: u32 = 10;
/// How long a (client, username) over [`MAX_FAILURES`] stays refused after its last failure;
/// also how long a failure counts.
pub(crate) const LOCKOUT: Duration = Duration::from_secs(60);
/// Most (client, username) pairs with failures tracked at once.
const MAX_TRACKED: usize = 10_000;

/// What a password grant's credentials came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PasswordCheck {
    /// The password is the user's.
    Valid,
    /// Wrong password or unknown user.
    Invalid,
    /// Too many recent failures for this client and username: not checked.
    Throttled {
        /// When an attempt will be checked again.
        retry_after: Duration,
    },
}

/// Failed attempts of one (client, username).
#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

impl Failures {
    /// Refused until `last + LOCKOUT` once over the limit.
    fn locked_until(self, now: Instant) -> Option<Duration> {
        let until = self.last + LOCKOUT;
        (self.count >= MAX_FAILURES && now < until).then(|| until - now)
    }
}

/// The configured users.
#[derive(Debug)]
pub(crate) struct Users {
    hashes: HashMap<String, String>,
    /// Hash verified for unknown usernames, so that "no such user" and "wrong password" take
    /// the same time.
    dummy: String,
    /// One permit per concurrent Argon2 verification. Each takes the hash's memory (19 MiB at
    /// the default `m=19456`) for tens of milliseconds; unbounded, a burst of password grants
    /// on thousands of connections would put thousands of them on the blocking pool at once.
    /// Requests beyond the limit wait for a permit and hold no memory meanwhile.
    slots: Arc<Semaphore>,
    /// Recent failures by (client_id, username): online guessing is throttled per client, so a
    /// client can only ever lock out its own attempts.
    failures: Mutex<HashMap<(String, String), Failures>>,
}

impl Users {
    /// Builds the table; the hashes were checked when the configuration was loaded.
    pub(crate) fn new(entries: &[UserEntry]) -> Self {
        let hashes = entries
            .iter()
            .map(|u| (u.username.clone(), u.password_hash.clone()))
            .collect();
        let dummy = entries.first().map_or_else(
            || "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$yrqNvy2cEKoDl3hovlM3mrwbnvhL7D0fLfTHPD9Q6wU".to_owned(),
            |u| u.password_hash.clone(),
        );
        // As many as there are cores: more would only queue inside the blocking pool, holding
        // their memory while they wait for a CPU.
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Self {
            hashes,
            dummy,
            slots: Arc::new(Semaphore::new(cores)),
            failures: Mutex::default(),
        }
    }

    /// Checks a password grant's credentials for `client_id`: refused unchecked while the pair
    /// is throttled, else [`Users::verify_bounded`], then the failure count is updated.
    pub(crate) async fn check(
        self: &Arc<Self>,
        client_id: &str,
        username: &str,
        password: &str,
    ) -> PasswordCheck {
        let key = (client_id.to_owned(), username.to_owned());
        if let Some(retry_after) = self.throttled(&key, Instant::now()) {
            return PasswordCheck::Throttled { retry_after };
        }
        let ok = self.verify_bounded(username, password).await;
        self.record(key, ok, Instant::now());
        if ok {
            PasswordCheck::Valid
        } else {
            PasswordCheck::Invalid
        }
    }

    fn throttled(&self, key: &(String, String), now: Instant) -> Option<Duration> {
        let failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        failures.get(key)?.locked_until(now)
    }

    /// Counts a failure (a success clears the pair). Failures older than [`LOCKOUT`] no longer
    /// count. When [`MAX_TRACKED`] pairs are tracked, those not locked are forgotten first; if
    /// all are locked, a new pair is not tracked (its attempts are still checked, one per core
    /// at a time).
    fn record(&self, key: (String, String), ok: bool, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if ok {
            failures.remove(&key);
            return;
        }
        if failures.len() >= MAX_TRACKED && !failures.contains_key(&key) {
            failures.retain(|_, f| f.locked_until(now).is_some());
            if failures.len() >= MAX_TRACKED {
                return;
            }
        }
        let f = failures.entry(key).or_insert(Failures {
            count: 0,
            last: now,
        });
        if now.duration_since(f.last) >= LOCKOUT {
            f.count = 0;
        }
        f.count = f.count.saturating_add(1);
        f.last = now;
    }

    /// [`Users::verify`] on the blocking pool, at most one per core at a time.
    pub(crate) async fn verify_bounded(self: &Arc<Self>, username: &str, password: &str) -> bool {
        let (users, u, pw) = (Arc::clone(self), username.to_owned(), password.to_owned());
        bounded_blocking(&self.slots, move || users.verify(&u, &pw))
            .await
            .unwrap_or(false)
    }

    /// Whether `password` is `username`'s (CPU-heavy: call from a blocking thread).
    pub(crate) fn verify(&self, username: &str, password: &str) -> bool {
        if password.len() > MAX_PASSWORD_BYTES {
            return false;
        }
        let (hash, known) = match self.hashes.get(username) {
            Some(h) => (h.as_str(), true),
            None => (self.dummy.as_str(), false),
        };
        let Ok(parsed) = PasswordHash::new(hash) else {
            return false;
        };
        let ok = argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        ok && known
    }
}

/// Runs `f` on tokio's blocking pool once a permit of `slots` is free, holding the permit until
/// `f` returns. `None` if the semaphore was closed or `f` panicked.
async fn bounded_blocking<T: Send + 'static>(
    slots: &Arc<Semaphore>,
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let permit = Arc::clone(slots).acquire_owned().await.ok()?;
    tokio::task::spawn_blocking(move || {
        let out = f();
        drop(permit);
        out
    })
    .await
    .ok()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    // Intent: however many verifications are asked for at once, at most `permits` run at the
    // same time, and every one completes.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn blocking_work_is_bounded() {
        let slots = Arc::new(Semaphore::new(2));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..24)
            .map(|i| {
                let (slots, running, peak) = (slots.clone(), running.clone(), peak.clone());
                tokio::spawn(async move {
                    bounded_blocking(&slots, move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(5));
                        running.fetch_sub(1, Ordering::SeqCst);
                        i
                    })
                    .await
                })
            })
            .collect();
        let mut done = Vec::new();
        for t in tasks {
            done.push(t.await.unwrap().unwrap());
        }
        assert_eq!(done, (0..24).collect::<Vec<_>>());
        let peak = peak.load(Ordering::SeqCst);
        assert!((1..=2).contains(&peak), "{peak} verifications ran at once");
    }

    fn alice() -> Users {
        Users::new(&[UserEntry {
            username: "alice".into(),
            password_hash: crate::devpki::hash_password("pw-1").unwrap(),
        }])
    }

    // Intent: MAX_FAILURES failures of one (client, username) lock that pair for LOCKOUT after
    // the last failure, other clients and users are unaffected, old failures stop counting, and
    // a success clears the count.
    #[test]
    fn failures_throttle_per_client_and_user() {
        let users = alice();
        let key = |c: &str, u: &str| (c.to_owned(), u.to_owned());
        let t0 = Instant::now();
        for i in 0..MAX_FAILURES {
            assert_eq!(
                users.throttled(&key("c1", "alice"), t0),
                None,
                "after {i} failures"
            );
            users.record(key("c1", "alice"), false, t0);
        }
        assert_eq!(users.throttled(&key("c1", "alice"), t0), Some(LOCKOUT));
        let later = t0 + Duration::from_secs(59);
        assert_eq!(
            users.throttled(&key("c1", "alice"), later),
            Some(Duration::from_secs(1))
        );
        assert_eq!(users.throttled(&key("c2", "alice"), later), None);
        assert_eq!(users.throttled(&key("c1", "bob"), later), None);
        assert_eq!(users.throttled(&key("c1", "alice"), t0 + LOCKOUT), None);
        // Failures spread wider than LOCKOUT never add up to a lockout.
        for i in 0..3 * MAX_FAILURES {
            let at = t0 + LOCKOUT * (i + 2);
            users.record(key("c3", "alice"), false, at);
            assert_eq!(users.throttled(&key("c3", "alice"), at), None);
        }
        // A success clears the count.
        for _ in 0..MAX_FAILURES - 1 {
            users.record(key("c4", "alice"), false, t0);
        }
        users.record(key("c4", "alice"), true, t0);
        users.record(key("c4", "alice"), false, t0);
        assert_eq!(users.throttled(&key("c4", "alice"), t0), None);
    }

    // Intent: the table stays bounded; locked pairs survive a flood of other failures.
    #[test]
    fn tracking_is_bounded() {
        let users = alice();
        let t0 = Instant::now();
        let locked = ("c".to_owned(), "alice".to_owned());
        for _ in 0..MAX_FAILURES {
            users.record(locked.clone(), false, t0);
        }
        for i in 0..MAX_TRACKED + 10 {
            users.record(("c".to_owned(), format!("user-{i}")), false, t0);
        }
        assert!(users.failures.lock().unwrap().len() <= MAX_TRACKED);
        assert_eq!(users.throttled(&locked, t0), Some(LOCKOUT));
    }

    // Intent: the check itself: a throttled pair is refused even with the right password.
    #[tokio::test]
    async fn throttled_pair_is_not_checked() {
        let users = Arc::new(alice());
        assert_eq!(
            users.check("c", "alice", "pw-1").await,
            PasswordCheck::Valid
        );
        for _ in 0..MAX_FAILURES {
            assert_eq!(
                users.check("c", "alice", "nope").await,
                PasswordCheck::Invalid
            );
        }
        assert!(matches!(
            users.check("c", "alice", "pw-1").await,
            PasswordCheck::Throttled { .. }
        ));
        assert_eq!(
            users.check("other", "alice", "pw-1").await,
            PasswordCheck::Valid
        );
    }

    // Intent: only the right user/password pair verifies; unknown users never do.
    #[test]
    fn verify_pairs() {
        let h = crate::devpki::hash_password("pw-1").unwrap();
        let users = Users::new(&[UserEntry {
            username: "alice".into(),
            password_hash: h,
        }]);
        assert!(users.verify("alice", "pw-1"));
        assert!(!users.verify("alice", "pw-2"));
        assert!(!users.verify("bob", "pw-1"));
        assert!(!users.verify("alice", &"x".repeat(MAX_PASSWORD_BYTES + 1)));
    }
}
