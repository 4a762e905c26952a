//! Resource owners of the password grant: usernames with Argon2 PHC hashes from the configuration.

use std::collections::HashMap;
use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordVerifier as _};
use tokio::sync::Semaphore;

use super::config::UserEntry;

/// Largest password accepted (bytes): Argon2 takes any length, but hashing megabytes per request
/// is a free denial of service.
pub(crate) const MAX_PASSWORD_BYTES: usize = 1024;

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
        }
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
