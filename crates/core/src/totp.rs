//! TOTP codes as AWS virtual MFA devices make them: RFC 6238, SHA-1, 6 digits, 30-second steps.
//!
//! Used by the sandbox to check codes and by mfatui to generate codes from a seed a machine user
//! keeps. The seed is a `Secret`; this module never formats it.

use super::secret::Secret;
use totp_rs::{Builder, Secret as TotpSecret, Totp as Inner};

pub const STEP_SECONDS: u64 = 30;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TotpError {
    #[error("the TOTP seed is not valid base32 (A-Z and 2-7, as AWS shows it when you create a virtual MFA device)")]
    NotBase32,
    #[error("the TOTP seed is too short: AWS seeds are 40 base32 characters (at least 26 are needed)")]
    TooShort,
}

pub struct Totp(Inner);

impl std::fmt::Debug for Totp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Totp(***)")
    }
}

impl Totp {
    /// From a base32 seed as AWS shows it; spaces, `=` padding and lower case are tolerated.
    pub fn from_base32(seed: &Secret) -> Result<Self, TotpError> {
        let normal: String =
            seed.expose().chars().filter(|c| !c.is_whitespace() && *c != '=').map(|c| c.to_ascii_uppercase()).collect();
        let secret = TotpSecret::try_from_base32(&normal).map_err(|_| TotpError::NotBase32)?;
        Builder::new().with_secret(secret).with_skew(1).with_step_duration(STEP_SECONDS).build().map(Self).map_err(
            |_| {
                if normal.len() < 26 { TotpError::TooShort } else { TotpError::NotBase32 }
            },
        )
    }

    /// The code for the step containing `unix_secs`.
    pub fn code_at(&self, unix_secs: u64) -> String {
        self.0.generate(unix_secs).to_string()
    }

    /// The step a code belongs to, if it matches the step of `unix_secs` or one either side
    /// (the clock drift AWS tolerates).
    pub fn matching_step(&self, code: &str, unix_secs: u64) -> Option<u64> {
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        self.0.check(code, unix_secs)
    }
}

pub fn step_of(unix_secs: u64) -> u64 {
    unix_secs / STEP_SECONDS
}

/// Seconds until the current code expires.
pub fn seconds_left(unix_secs: u64) -> u64 {
    STEP_SECONDS - unix_secs % STEP_SECONDS
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 seed "12345678901234567890", 6-digit truncation.
    #[test]
    fn rfc6238_vectors() {
        let t = Totp::from_base32(&Secret::new("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")).unwrap();
        assert_eq!(t.code_at(59), "287082");
        assert_eq!(t.code_at(1111111109), "081804");
        assert_eq!(t.code_at(1234567890), "005924");
        assert_eq!(t.code_at(2000000000), "279037");
    }

    #[test]
    fn window_of_one_step_either_side() {
        let t = Totp::from_base32(&Secret::new("gezd gnbv gy3t qojq gezd gnbv gy3t qojq==")).unwrap();
        let now = 1_700_000_015;
        let code = t.code_at(now);
        assert_eq!(t.matching_step(&code, now), Some(step_of(now)));
        assert_eq!(t.matching_step(&t.code_at(now - 30), now), Some(step_of(now) - 1));
        assert_eq!(t.matching_step(&t.code_at(now + 30), now), Some(step_of(now) + 1));
        assert_eq!(t.matching_step(&t.code_at(now - 60), now), None);
        assert_eq!(t.matching_step("12345", now), None);
        assert_eq!(t.matching_step("abcdef", now), None);
    }

    #[test]
    fn bad_seeds() {
        assert_eq!(Totp::from_base32(&Secret::new("not base32 !!")).unwrap_err(), TotpError::NotBase32);
        assert_eq!(Totp::from_base32(&Secret::new("GEZDGNBV")).unwrap_err(), TotpError::TooShort);
        assert!(
            !format!("{:?}", Totp::from_base32(&Secret::new("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")).unwrap())
                .contains("GEZ")
        );
    }
}
