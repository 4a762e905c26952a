//! Resource owners of the password grant: usernames with Argon2 PHC hashes from the configuration.

use std::collections::HashMap;

use argon2::password_hash::{PasswordHash, PasswordVerifier as _};

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
        Self { hashes, dummy }
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

#[cfg(test)]
mod tests {
    use super::*;

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
