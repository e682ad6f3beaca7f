//! Where an MFA code comes from, and the rule that no code is ever sent twice.
//!
//! Sources: a code typed by the user (`--code`, the dashboard's modal), `mfa_process` in the
//! profile (a command whose stdout is the code: a password manager, a YubiKey OATH tool — the
//! aws-vault convention), or a TOTP seed for machine users, from `MFATUI_TOTP_SEED_<USER>` or
//! from `mfa_totp_seed_file = PATH` in the profile (0600 only). This module never prompts.

use super::clock::Clock;
use super::config::sections::Section;
use super::secret::Secret;
use super::store::UsedCode;
use super::totp::{Totp, TotpError, seconds_left, step_of};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::time::Duration;

const PROCESS_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
pub enum MfaSource {
    Typed(Secret),
    Process(String),
    Seed(Secret),
    /// `mfa_totp_seed = keychain`: the seed is in the vault (`vault import` moved it there); the
    /// engine reads it just before a code is needed.
    VaultSeed,
}

/// The profile setting that says a user's TOTP seed is in the vault.
pub const SEED_IN_VAULT: (&str, &str) = ("mfa_totp_seed", "keychain");

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MfaError {
    #[error("an MFA code is 6 digits")]
    NotSixDigits,
    #[error("that code was already used (AWS accepts each code once): wait {wait_secs}s for the next code and type it")]
    AlreadyUsed { wait_secs: u64 },
    #[error("{0}")]
    Process(super::child::ChildError),
    #[error("mfa_process of profile {profile} printed no 6-digit code on stdout")]
    ProcessNoCode { profile: String },
    #[error("cannot use the TOTP seed file {path}: {reason}")]
    SeedFile { path: String, reason: String },
    #[error("TOTP seed for {user}: {source}")]
    Seed { user: String, source: TotpError },
}

pub fn is_six_digits(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// `MFATUI_TOTP_SEED_ALICE` for user profile `alice`, `MFATUI_TOTP_SEED_CI_BOT` for `ci-bot`.
pub fn seed_env_var(user: &str) -> String {
    let tail: String =
        user.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    format!("MFATUI_TOTP_SEED_{tail}")
}

/// The source configured for a user profile when nobody types a code: a seed (env var, then
/// seed file), else `mfa_process`.
pub fn configured_source(user: &Section, env: impl Fn(&str) -> Option<String>) -> Result<Option<MfaSource>, MfaError> {
    if let Some(seed) = env(&seed_env_var(&user.name)).filter(|s| !s.is_empty()) {
        return Ok(Some(MfaSource::Seed(Secret::new(seed))));
    }
    if user.get(SEED_IN_VAULT.0) == Some(SEED_IN_VAULT.1) {
        return Ok(Some(MfaSource::VaultSeed));
    }
    if let Some(path) = user.get("mfa_totp_seed_file") {
        let path = PathBuf::from(path);
        let err = |reason: String| MfaError::SeedFile { path: path.display().to_string(), reason };
        let meta = std::fs::metadata(&path).map_err(|e| err(e.to_string()))?;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(err(format!(
                "it is readable by others (mode {:o}); run chmod 600 on it",
                meta.permissions().mode() & 0o777
            )));
        }
        let text = std::fs::read_to_string(&path).map_err(|e| err(e.to_string()))?;
        return Ok(Some(MfaSource::Seed(Secret::new(text.trim()))));
    }
    Ok(user.get("mfa_process").map(|c| MfaSource::Process(c.to_string())))
}

async fn run_process(user: &str, command: &str, show_stderr: bool) -> Result<String, MfaError> {
    let spec =
        super::child::Spec { setting: "mfa_process", profile: user, command, timeout: PROCESS_TIMEOUT, show_stderr };
    let out = super::child::run(&spec).await.map_err(MfaError::Process)?;
    let stdout = String::from_utf8_lossy(&out);
    let code = stdout.trim();
    if !is_six_digits(code) {
        return Err(MfaError::ProcessNoCode { profile: user.into() });
    }
    Ok(code.to_string())
}

/// A code was used "recently enough to still be valid": sending it again would be refused.
fn still_used(last: Option<&UsedCode>, code: &str, step: u64) -> bool {
    last.is_some_and(|l| l.code == code && step <= l.step + 1)
}

/// A code to send now. `on_wait` is told when mfatui waits for the device's next code.
pub async fn obtain(
    source: &MfaSource,
    user: &str,
    last: Option<&UsedCode>,
    clock: &dyn Clock,
    show_process_stderr: bool,
    mut on_wait: impl FnMut(u64),
) -> Result<String, MfaError> {
    // Generated codes: if this window's code was used, wait for the next window (twice at most).
    for _ in 0..3 {
        let now = clock.now().max(0) as u64;
        let code = match source {
            MfaSource::Typed(c) => {
                let c = c.expose().trim();
                if !is_six_digits(c) {
                    return Err(MfaError::NotSixDigits);
                }
                if still_used(last, c, step_of(now)) {
                    return Err(MfaError::AlreadyUsed { wait_secs: seconds_left(now) });
                }
                return Ok(c.to_string());
            }
            MfaSource::Process(cmd) => run_process(user, cmd, show_process_stderr).await?,
            MfaSource::Seed(seed) => {
                Totp::from_base32(seed).map_err(|source| MfaError::Seed { user: user.into(), source })?.code_at(now)
            }
            // The engine swaps in the seed it read from the vault before asking for a code.
            MfaSource::VaultSeed => {
                return Err(MfaError::SeedFile { path: "the keychain".into(), reason: "its seed was not read".into() });
            }
        };
        if !still_used(last, &code, step_of(now)) {
            return Ok(code);
        }
        let wait = seconds_left(now) + 1;
        on_wait(wait);
        tokio::time::sleep(Duration::from_secs(wait)).await;
    }
    Err(MfaError::AlreadyUsed { wait_secs: seconds_left(clock.now().max(0) as u64) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FakeClock;
    use crate::config::{ConfigSet, FileKind};
    use std::path::Path;

    fn section(text: &str) -> Section {
        let mut s = ConfigSet::default();
        s.merge_file(FileKind::Config, Path::new("config"), text);
        s.profiles.into_values().next().unwrap()
    }

    #[tokio::test]
    async fn typed_codes_are_checked_and_never_reused() {
        let clock = FakeClock::at(1_700_000_020); // 10 s into its 30 s window
        let typed = |c: &str| MfaSource::Typed(Secret::new(c));
        assert_eq!(obtain(&typed("12345"), "u", None, &clock, false, |_| {}).await, Err(MfaError::NotSixDigits));
        assert_eq!(obtain(&typed(" 123456 "), "u", None, &clock, false, |_| {}).await.unwrap(), "123456");
        let used = UsedCode { code: "123456".into(), step: step_of(1_700_000_020) };
        let e = obtain(&typed("123456"), "u", Some(&used), &clock, false, |_| {}).await.unwrap_err();
        assert_eq!(e, MfaError::AlreadyUsed { wait_secs: 20 });
        assert!(e.to_string().contains("wait 20s for the next code"));
        // Long after, the same digits are a new code.
        clock.advance(120);
        assert!(obtain(&typed("123456"), "u", Some(&used), &clock, false, |_| {}).await.is_ok());
    }

    #[tokio::test]
    async fn mfa_process_output_is_the_code() {
        let clock = FakeClock::at(1_700_000_000);
        let ok = MfaSource::Process("echo 654321".into());
        assert_eq!(obtain(&ok, "u", None, &clock, false, |_| {}).await.unwrap(), "654321");
        let bad = MfaSource::Process("echo nope".into());
        assert!(matches!(obtain(&bad, "u", None, &clock, false, |_| {}).await, Err(MfaError::ProcessNoCode { .. })));
        let failing = MfaSource::Process("sh -c \"echo 'vault is locked' >&2; exit 3\"".into());
        let e = obtain(&failing, "u", None, &clock, false, |_| {}).await.unwrap_err();
        assert!(e.to_string().contains("`sh` failed (exit status 3): vault is locked"), "{e}");
    }

    #[test]
    fn configured_sources_in_order_and_seed_files_must_be_private() {
        let env_none = |_: &str| None;
        assert!(configured_source(&section("[profile a]\n"), env_none).unwrap().is_none());
        let proc_ = configured_source(&section("[profile a]\nmfa_process = op item get x --otp\n"), env_none).unwrap();
        assert!(matches!(proc_, Some(MfaSource::Process(c)) if c == "op item get x --otp"));
        let env = |k: &str| (k == "MFATUI_TOTP_SEED_CI_BOT").then(|| "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP".to_string());
        assert!(matches!(
            configured_source(&section("[profile ci-bot]\nmfa_process = x\n"), env).unwrap(),
            Some(MfaSource::Seed(_))
        ));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("seed");
        std::fs::write(&file, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let s = section(&format!("[profile a]\nmfa_totp_seed_file = {}\n", file.display()));
        let e = configured_source(&s, env_none).unwrap_err();
        assert!(e.to_string().contains("chmod 600"), "{e}");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(matches!(configured_source(&s, env_none).unwrap(), Some(MfaSource::Seed(_))));
    }

    #[tokio::test]
    async fn seeds_make_codes_and_wait_out_a_used_window() {
        let clock = FakeClock::at(1_700_000_039); // one second before the window ends
        let seed = MfaSource::Seed(Secret::new("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"));
        let first = obtain(&seed, "u", None, &clock, false, |_| {}).await.unwrap();
        let used = UsedCode { code: first.clone(), step: step_of(1_700_000_039) };
        let mut waited = 0;
        let ticker = clock.clone();
        // The fake clock does not move by itself: move it while `obtain` sleeps.
        let mover = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(500)).await;
            ticker.advance(30);
        });
        let second = obtain(&seed, "u", Some(&used), &clock, false, |w| waited = w).await.unwrap();
        mover.await.unwrap();
        assert_eq!(waited, 2);
        assert_ne!(second, first);
        assert_eq!(seed_env_var("ci-bot"), "MFATUI_TOTP_SEED_CI_BOT");
    }
}
