//! When a session is due for renewal, when a user's MFA session counts as ending, and whether a
//! profile can be signed in: decided here once, and read by the engine, the headless commands and
//! the dashboard, so a countdown's colour and the refresher never disagree.

use super::EngineError;
use super::plan::{Plan, Resolved};

/// A renewal never follows the previous one sooner than this: a session shorter than the
/// margin would otherwise be renewed on every pass.
pub const MIN_RENEW_INTERVAL: i64 = 60;

/// When a stored session ends and when it was obtained (Unix seconds): all the rules need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime {
    pub expires_at: i64,
    pub obtained_at: i64,
}

impl Lifetime {
    /// A stored session's; `None` when its expiry is unreadable (then it is due at once).
    pub fn of(s: &crate::aws::store::StoredSession) -> Option<Self> {
        Some(Self { expires_at: s.expires_at()?, obtained_at: s.obtained_at })
    }

    pub fn left(&self, now: i64) -> i64 {
        self.expires_at - now
    }

    /// Due for renewal: within `margin` of its end, and not renewed in the last minute. `<=`,
    /// as `due_at` wakes the refresher at exactly `expiry - margin`.
    pub fn is_due(&self, now: i64, margin: i64) -> bool {
        self.left(now) <= margin && now - self.obtained_at >= MIN_RENEW_INTERVAL
    }

    /// The moment `is_due` becomes true.
    pub fn due_at(&self, margin: i64) -> i64 {
        (self.expires_at - margin).max(self.obtained_at + MIN_RENEW_INTERVAL)
    }
}

/// An MFA session with `left` seconds counts as ending (time to warn) within `warn_secs`.
pub fn is_ending(left: i64, warn_secs: i64) -> bool {
    left > 0 && left <= warn_secs
}

impl Plan {
    /// `name` resolved for a sign-in, or why it cannot be signed in: the words every command
    /// and the dashboard show.
    pub fn signable(&self, name: &str) -> Result<Resolved<'_>, EngineError> {
        let resolved = self.resolve(name)?;
        if let Resolved::User(u) = resolved
            && u.mfa_serial.is_none()
            && self.roles_of(&u.name).next().is_none()
        {
            return Err(EngineError::NothingToSignIn { user: u.name.clone() });
        }
        Ok(resolved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_within_the_margin_but_never_twice_a_minute() {
        let l = Lifetime { expires_at: 1_000, obtained_at: 0 };
        assert!(!l.is_due(99, 900) && l.is_due(100, 900));
        assert_eq!(l.due_at(900), 100);
        // A session shorter than the margin: due a minute after it was obtained, not at once.
        let short = Lifetime { expires_at: 500, obtained_at: 0 };
        assert!(!short.is_due(59, 900) && short.is_due(60, 900));
        assert_eq!(short.due_at(900), 60);
    }

    #[test]
    fn ending_means_still_alive_and_within_the_warning() {
        assert!(is_ending(1, 600) && is_ending(600, 600));
        assert!(!is_ending(0, 600) && !is_ending(601, 600));
    }
}
