//! When a session is due for renewal, when a user's MFA session counts as ending, and whether a
//! profile can be signed in: decided here once, and read by the engine, the headless commands and
//! the dashboard, so a countdown's colour and the refresher never disagree.

use super::EngineError;
use super::plan::{Plan, Resolved};

/// A renewal never follows the previous one sooner than this: a session shorter than the
/// margin would otherwise be renewed on every pass.
pub const MIN_RENEW_INTERVAL: i64 = 60;

pub use super::windows::AWS_CLI_CACHE_WINDOW;

/// When sessions are renewed: `margin_secs` before they end; and, while the AWS CLI's cache is
/// kept (`for_clients`), early enough that what sits there is always what a client may be handed
/// (`windows::hand_out_left`: botocore's 15 minutes plus a margin, when the session is long
/// enough), so neither the CLI nor a channel ever finds less.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Renewal {
    pub margin_secs: i64,
    pub for_clients: bool,
}

impl Renewal {
    /// The margin for one session.
    pub fn margin_for(&self, l: &Lifetime) -> i64 {
        if self.for_clients {
            self.margin_secs.max(super::windows::hand_out_left(l.total(), self.margin_secs))
        } else {
            self.margin_secs
        }
    }
}

/// When a stored session ends and when it was obtained (Unix seconds): all the rules need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime {
    pub expires_at: i64,
    pub obtained_at: i64,
}

impl Lifetime {
    /// A stored session's; `None` when its expiry is unreadable (then it is due at once).
    pub fn of(s: &crate::store::StoredSession) -> Option<Self> {
        Some(Self { expires_at: s.expires_at()?, obtained_at: s.obtained_at })
    }

    pub fn left(&self, now: i64) -> i64 {
        self.expires_at - now
    }

    /// How long the session was issued for (very long for stores that did not record when).
    pub fn total(&self) -> i64 {
        self.expires_at - self.obtained_at
    }

    /// Due for renewal: within its margin of its end, and not renewed in the last minute. `<=`,
    /// as `due_at` wakes the refresher at exactly `expiry - margin`.
    pub fn is_due(&self, now: i64, r: &Renewal) -> bool {
        self.left(now) <= r.margin_for(self) && now - self.obtained_at >= MIN_RENEW_INTERVAL
    }

    /// The moment `is_due` becomes true.
    pub fn due_at(&self, r: &Renewal) -> i64 {
        (self.expires_at - r.margin_for(self)).max(self.obtained_at + MIN_RENEW_INTERVAL)
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

    const PLAIN: Renewal = Renewal { margin_secs: 900, for_clients: false };

    #[test]
    fn due_within_the_margin_but_never_twice_a_minute() {
        let l = Lifetime { expires_at: 1_000, obtained_at: 0 };
        assert!(!l.is_due(99, &PLAIN) && l.is_due(100, &PLAIN));
        assert_eq!(l.due_at(&PLAIN), 100);
        // A session shorter than the margin: due a minute after it was obtained, not at once.
        let short = Lifetime { expires_at: 500, obtained_at: 0 };
        assert!(!short.is_due(59, &PLAIN) && short.is_due(60, &PLAIN));
        assert_eq!(short.due_at(&PLAIN), 60);
    }

    #[test]
    fn a_clients_window_is_kept_when_the_session_is_long_enough() {
        let r = Renewal { margin_secs: 300, for_clients: true };
        // A 1-hour role: renewed with 17 minutes left, so the AWS CLI never sees less than its 15.
        let hour = Lifetime { expires_at: 3600, obtained_at: 0 };
        assert_eq!(r.margin_for(&hour), 17 * 60);
        assert!(r.margin_for(&hour) > AWS_CLI_CACHE_WINDOW);
        assert_eq!(hour.due_at(&r), 3600 - 17 * 60);
        // A 15-minute role cannot keep 15 minutes: the JS SDK's 5 plus the margin, not a renewal
        // every minute.
        let quarter = Lifetime { expires_at: 900, obtained_at: 0 };
        assert_eq!(r.margin_for(&quarter), 7 * 60);
    }
}
