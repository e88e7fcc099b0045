//! A username as a log line may carry it: the first 16 hex digits of the SHA-256 of its
//! lowercased form. The same name (in any letter case) always gives the same fingerprint, so
//! an operator can follow a run of failed logins on one account, or look for a known name,
//! without the log holding the names people typed (a password typed into the username field
//! included).

use sha2::{Digest, Sha256};

/// The fingerprint of `username`, for log lines.
pub fn username_fingerprint(username: &str) -> String {
    let digest = Sha256::digest(username.to_lowercase().as_bytes());
    hex::encode(&digest[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_give_sixteen_hex_digits_of_the_sha256_of_the_lowercased_name() {
        // SHA-256("alice") = 2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90
        assert_eq!(username_fingerprint("Alice"), "2bd806c97f0e00af");
        assert_eq!(username_fingerprint("ALICE"), username_fingerprint("alice"));
        assert_ne!(
            username_fingerprint("alice"),
            username_fingerprint("alice2")
        );
    }
}
