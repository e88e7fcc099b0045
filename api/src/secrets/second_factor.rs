//! The secrets of two-factor authentication: TOTP secrets (RFC 6238), recovery codes, and the
//! tokens of login challenges. None of them is ever stored in clear: the TOTP secret is sealed
//! by the [`KeyVault`](super::KeyVault) (bound to its user), and only the SHA-256 of a recovery
//! code or a challenge token is kept.
//!
//! SHA-256, not argon2, is enough for recovery codes and challenge tokens: each carries 80 or
//! 256 random bits, so no guess can be tested against a hash faster than the codes can be
//! searched, which is never; a slow hash protects only secrets people choose (passwords).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use roster_domain::values::TokenHash;
use sha2::{Digest, Sha256};
use std::fmt;
use totp_rs::{Builder, Secret, Totp};

/// The issuer an authenticator app shows beside the account.
pub const ISSUER: &str = "Roster";

/// Bytes of a TOTP secret: 160 bits, RFC 4226's recommendation.
const SECRET_BYTES: usize = 20;

/// Bytes of randomness in a recovery code: 80 bits, 16 base32 characters.
const RECOVERY_BYTES: usize = 10;

/// Why a two-factor secret could not be made or shown. Never contains the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecondFactorError {
    /// The operating system gave no randomness.
    #[error("no randomness available for a two-factor secret")]
    Randomness,
    /// The secret or the account name do not make a valid TOTP (a bug, not the user's).
    #[error("two-factor secret cannot be used")]
    Unusable,
    /// The enrolment URI does not fit in a QR code.
    #[error("two-factor enrolment cannot be drawn as a QR code")]
    QrCode,
}

/// A TOTP secret. Its `Debug` is redacted; it leaves Roster only in the enrolment answer.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

impl TotpSecret {
    /// A new secret from the operating system's random source.
    pub fn generate() -> Result<TotpSecret, SecondFactorError> {
        let mut bytes = vec![0u8; SECRET_BYTES];
        super::random_bytes(&mut bytes).map_err(|_| SecondFactorError::Randomness)?;
        Ok(TotpSecret(bytes))
    }

    /// A secret opened from its sealed form.
    pub(super) fn from_bytes(bytes: Vec<u8>) -> TotpSecret {
        TotpSecret(bytes)
    }

    /// The raw secret, for sealing.
    pub(super) fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// The secret as base32, as a user types it into an authenticator app.
    pub fn base32(&self) -> String {
        Secret::from(self.0.clone()).to_base32()
    }

    fn totp(&self, account: &str) -> Result<Totp, SecondFactorError> {
        // SHA-1, 6 digits, 30-second steps, one step of skew either way: what every
        // authenticator app speaks, and RFC 6238's recommendation.
        Builder::new()
            .with_secret(self.0.clone())
            .with_account_name(account)
            .with_issuer(Some(ISSUER))
            .build()
            .map_err(|_| SecondFactorError::Unusable)
    }

    /// The `otpauth://totp/Roster:<account>?secret=…&issuer=Roster` URI an authenticator app
    /// scans.
    pub fn otpauth_uri(&self, account: &str) -> Result<String, SecondFactorError> {
        self.totp(account)?
            .to_url()
            .map_err(|_| SecondFactorError::Unusable)
    }

    /// The time step `code` belongs to, when it is the code of the step of `unix_time` or of
    /// the step just before or after it (compared in constant time); `None` otherwise.
    pub fn matching_step(&self, code: &str, unix_time: u64) -> Option<u64> {
        self.totp("").ok()?.check(code, unix_time)
    }
}

/// `text` as a QR code, drawn as SVG.
pub fn qr_svg(text: &str) -> Result<String, SecondFactorError> {
    let code = qrcode::QrCode::new(text.as_bytes()).map_err(|_| SecondFactorError::QrCode)?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build())
}

/// What a user typed as their second factor.
#[derive(Clone, PartialEq, Eq)]
pub enum PresentedCode {
    /// Six digits: a one-time code from the authenticator app.
    Totp(String),
    /// Anything else: a recovery code, as its SHA-256.
    Recovery(TokenHash),
}

impl fmt::Debug for PresentedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PresentedCode::Totp(_) => f.write_str("Totp(<redacted>)"),
            PresentedCode::Recovery(_) => f.write_str("Recovery(<redacted>)"),
        }
    }
}

impl PresentedCode {
    /// Reads a code as typed: spaces are ignored; six digits are a one-time code, anything
    /// else a recovery code.
    pub fn parse(text: &str) -> PresentedCode {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.len() == 6 && compact.bytes().all(|b| b.is_ascii_digit()) {
            PresentedCode::Totp(compact)
        } else {
            PresentedCode::Recovery(recovery_code_hash(&compact))
        }
    }
}

/// A new recovery code: 80 random bits as 16 base32 characters, in groups of four
/// (`ABCD-EFGH-IJKL-MNOP`).
pub fn generate_recovery_code() -> Result<String, SecondFactorError> {
    let mut bytes = [0u8; RECOVERY_BYTES];
    super::random_bytes(&mut bytes).map_err(|_| SecondFactorError::Randomness)?;
    let text = Secret::from(bytes.to_vec()).to_base32();
    let groups: Vec<&str> = text
        .as_bytes()
        .chunks(4)
        .filter_map(|chunk| std::str::from_utf8(chunk).ok())
        .collect();
    Ok(groups.join("-"))
}

/// What is stored of a recovery code: the SHA-256 of its characters, uppercased, without
/// dashes or spaces (so it may be typed either way).
pub fn recovery_code_hash(text: &str) -> TokenHash {
    let normal: String = text
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    sha256(&normal)
}

/// The token of a login challenge: 256 random bits, handed to the client once. Its `Debug`
/// is redacted; only its SHA-256 is stored (it names the challenge's stream).
#[derive(Clone, PartialEq, Eq)]
pub struct ChallengeToken(String);

impl fmt::Debug for ChallengeToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ChallengeToken(<redacted>)")
    }
}

impl ChallengeToken {
    /// A new token from 32 bytes of OS randomness, base64url without padding.
    pub fn generate() -> Result<ChallengeToken, SecondFactorError> {
        let mut bytes = [0u8; 32];
        super::random_bytes(&mut bytes).map_err(|_| SecondFactorError::Randomness)?;
        Ok(ChallengeToken(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// Wraps a token presented by a client.
    pub fn presented(text: &str) -> ChallengeToken {
        ChallengeToken(text.trim().to_owned())
    }

    /// The token, for the one response that hands it to the client.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The SHA-256 of the token, in hex.
    pub fn hash(&self) -> TokenHash {
        sha256(&self.0)
    }
}

fn sha256(text: &str) -> TokenHash {
    let digest = Sha256::digest(text.as_bytes());
    // A SHA-256 hex digest always has the shape TokenHash checks for.
    TokenHash::parse(&hex::encode(digest)).unwrap_or_else(|_| unreachable!())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_match_the_code_of_the_current_step_and_its_neighbours_only() {
        let secret = TotpSecret::generate().unwrap();
        let totp = secret.totp("alice").unwrap();
        let now = 1_750_000_000;
        let step = now / 30;
        for (at, expected) in [
            (now - 30, Some(step - 1)),
            (now, Some(step)),
            (now + 30, Some(step + 1)),
            (now - 60, None),
            (now + 60, None),
        ] {
            let code = totp.generate(at).to_string();
            assert_eq!(secret.matching_step(&code, now), expected, "code of {at}");
        }
        assert_eq!(secret.matching_step("12345", now), None);
        assert_eq!(secret.matching_step("+12345", now), None);
    }

    #[test]
    fn it_should_write_an_otpauth_uri_an_app_reads_back_to_the_same_codes() {
        let secret = TotpSecret::generate().unwrap();
        let uri = secret.otpauth_uri("alice").unwrap();
        assert!(uri.starts_with("otpauth://totp/Roster:alice?"), "{uri}");
        assert!(uri.contains(&format!("secret={}", secret.base32())));
        let app = Totp::from_url(&uri).unwrap();
        let code = app.generate(1_750_000_000).to_string();
        assert!(secret.matching_step(&code, 1_750_000_000).is_some());
        assert!(qr_svg(&uri).unwrap().starts_with("<?xml"));
    }

    #[test]
    fn it_should_tell_a_one_time_code_from_a_recovery_code() {
        assert_eq!(
            PresentedCode::parse(" 123 456 "),
            PresentedCode::Totp("123456".into())
        );
        let code = generate_recovery_code().unwrap();
        assert_eq!(code.len(), 19);
        assert_eq!(code.matches('-').count(), 3);
        assert_eq!(
            PresentedCode::parse(&code.to_lowercase().replace('-', " ")),
            PresentedCode::Recovery(recovery_code_hash(&code))
        );
        assert_ne!(generate_recovery_code().unwrap(), code);
    }

    #[test]
    fn it_should_redact_every_secret_in_debug() {
        let secret = TotpSecret::generate().unwrap();
        assert!(!format!("{secret:?}").contains(&secret.base32()[..8]));
        let token = ChallengeToken::generate().unwrap();
        assert!(!format!("{token:?}").contains(&token.expose()[..8]));
        assert!(!format!("{:?}", PresentedCode::parse("123456")).contains("123"));
    }
}
