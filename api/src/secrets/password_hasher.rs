//! argon2id password hashing with OWASP parameters (m = 19 MiB, t = 2, p = 1).
//!
//! Hashing is deliberately slow (tens of milliseconds), so it runs outside the async runtime on
//! a pool of one thread fewer than the cores: a flood of logins queues there instead of
//! starving every other request of runtime threads (see `hashing_pool` for why not tokio's
//! blocking pool).

use super::hashing_pool::HashingPool;
use argon2::password_hash::phc::PasswordHash as Phc;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use roster_domain::values::{Password, PasswordHash};
use std::sync::Arc;

/// Why hashing could not be done. Never contains the password.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// argon2 refused its input or parameters.
    #[error("password hashing failed")]
    Argon2,
    /// The operating system gave no randomness for the salt.
    #[error("no randomness available for a salt")]
    Randomness,
    /// The blocking task was lost (the runtime is shutting down).
    #[error("password hashing was interrupted")]
    Interrupted,
}

/// Hashes and verifies passwords off the async runtime.
#[derive(Clone)]
pub struct PasswordHasher {
    pool: Arc<HashingPool>,
    params: Params,
    /// A hash of a random password, verified against when the user does not exist, so that
    /// "unknown user" and "wrong password" take the same time.
    dummy: Arc<str>,
}

impl PasswordHasher {
    /// OWASP's argon2id recommendation.
    pub fn owasp() -> Result<PasswordHasher, HashError> {
        let params = Params::new(19 * 1024, 2, 1, None).map_err(|_| HashError::Argon2)?;
        PasswordHasher::with_params(params)
    }

    /// Cheap parameters for tests only; never accepted by the server's configuration.
    pub fn insecure_fast_for_tests() -> Result<PasswordHasher, HashError> {
        let params = Params::new(8, 1, 1, None).map_err(|_| HashError::Argon2)?;
        PasswordHasher::with_params(params)
    }

    fn with_params(params: Params) -> Result<PasswordHasher, HashError> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut random = [0u8; 32];
        super::random_bytes(&mut random).map_err(|_| HashError::Randomness)?;
        let dummy = hash_now(&params, &hex::encode(random))?;
        Ok(PasswordHasher {
            // One core is left to the runtime, so a login flood slows logins, not everything
            // else; and a long queue, so logins wait their turn rather than fail.
            pool: Arc::new(HashingPool::new(cores.saturating_sub(1).max(1), 4096)?),
            params,
            dummy: dummy.into(),
        })
    }

    /// Hashes `password` with a fresh random salt.
    pub async fn hash(&self, password: &Password) -> Result<PasswordHash, HashError> {
        let params = self.params.clone();
        let plaintext = password.expose().to_owned();
        let phc = self
            .blocking(move || hash_now(&params, &plaintext))
            .await??;
        Ok(PasswordHash::from_phc(phc))
    }

    /// Whether `password` matches `stored`; with `None` (no such user) it verifies against a
    /// dummy hash and answers `false`, taking the same time as a real check.
    pub async fn verify(&self, password: &str, stored: Option<&PasswordHash>) -> bool {
        let (phc, real) = self.hash_to_check(stored);
        let plaintext = password.to_owned();
        let matched = self
            .blocking(move || verify_now(&plaintext, &phc))
            .await
            .unwrap_or(false);
        matched && real
    }

    /// The PHC string a verification runs against, and whether it is a real user's: both
    /// branches go through the same argon2 verification, which reads its parameters from
    /// this string.
    fn hash_to_check(&self, stored: Option<&PasswordHash>) -> (String, bool) {
        match stored {
            Some(hash) => (hash.as_phc().to_owned(), true),
            None => (self.dummy.to_string(), false),
        }
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        self.pool.run(work).await
    }
}

fn hash_now(params: &Params, password: &str) -> Result<String, HashError> {
    let mut salt = [0u8; 16];
    super::random_bytes(&mut salt).map_err(|_| HashError::Randomness)?;
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    argon2
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|_| HashError::Argon2)
}

fn verify_now(password: &str, phc: &str) -> bool {
    // The parameters are read from the PHC string, so hashes made with older parameters
    // still verify after the defaults are raised.
    match Phc::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn it_should_verify_the_right_password_and_refuse_a_wrong_one() {
        let hasher = PasswordHasher::insecure_fast_for_tests().unwrap();
        let hash = hasher
            .hash(&Password::parse("correct horse").unwrap())
            .await
            .unwrap();
        assert!(hasher.verify("correct horse", Some(&hash)).await);
        assert!(!hasher.verify("correct horsE", Some(&hash)).await);
        assert!(!hasher.verify("correct horse", None).await);
    }

    /// What a verification against `phc` costs: algorithm, version, m/t/p and output
    /// length, salt length.
    fn cost_of(phc: &str) -> (String, Option<u32>, Params, usize) {
        let parsed = Phc::new(phc).unwrap();
        let salt = parsed.salt.as_ref().map_or(0, |salt| salt.len());
        let params = Params::try_from(&parsed).unwrap();
        (parsed.algorithm.to_string(), parsed.version, params, salt)
    }

    #[tokio::test]
    async fn it_should_verify_an_unknown_user_like_a_wrong_password_with_the_same_parameters() {
        let hasher = PasswordHasher::owasp().unwrap();
        let real = hasher
            .hash(&Password::parse("right-password").unwrap())
            .await
            .unwrap();
        let (dummy, is_real) = hasher.hash_to_check(None);
        assert!(!is_real);
        assert_eq!(
            hasher.hash_to_check(Some(&real)),
            (real.as_phc().to_owned(), true)
        );
        // The dummy parses (so no early return skips argon2) and costs exactly what a real
        // user's hash costs: OWASP argon2id, 19 MiB, 2 passes, 1 lane, same salt and output.
        let (algorithm, version, params, salt) = cost_of(&dummy);
        assert_eq!((algorithm.as_str(), version), ("argon2id", Some(0x13)));
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (19 * 1024, 2, 1)
        );
        assert_eq!(cost_of(&dummy), cost_of(real.as_phc()));
        assert!(salt >= 16);
        assert!(!hasher.verify("right-password", None).await, "unknown user");
        assert!(
            !hasher.verify("wrong-password", Some(&real)).await,
            "wrong password"
        );
    }

    #[tokio::test]
    async fn it_should_use_argon2id_with_owasp_parameters_and_a_fresh_salt() {
        let hasher = PasswordHasher::owasp().unwrap();
        let password = Password::parse("hunter22").unwrap();
        let first = hasher.hash(&password).await.unwrap();
        let second = hasher.hash(&password).await.unwrap();
        assert!(
            first
                .as_phc()
                .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            first.as_phc()
        );
        assert_ne!(first, second, "each hash gets its own salt");
        assert!(!first.as_phc().contains("hunter22"));
        assert!(hasher.verify("hunter22", Some(&second)).await);
    }
}
