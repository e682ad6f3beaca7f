//! Time as the domain sees it: an injectable clock (so the refresher can be tested without
//! waiting an hour) and durations formatted for people.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Unix seconds.
    fn now(&self) -> i64;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        now_secs()
    }
}

/// The wall clock, in Unix seconds.
pub fn now_secs() -> i64 {
    aws_smithy_types::DateTime::from(std::time::SystemTime::now()).secs()
}

/// Epoch seconds from an RFC 3339 time (`2026-12-01T23:00:00Z`), as AWS writes expirations.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    aws_smithy_types::DateTime::from_str(text, aws_smithy_types::date_time::Format::DateTime).ok().map(|d| d.secs())
}

/// Format epoch seconds as RFC 3339 UTC, the form AWS and `credential_process` use.
pub fn rfc3339(secs: i64) -> String {
    aws_smithy_types::DateTime::from_secs(secs).fmt(aws_smithy_types::date_time::Format::DateTime).unwrap_or_default()
}

/// A clock that moves only when told to (tests).
#[derive(Debug, Clone)]
pub struct FakeClock(Arc<AtomicI64>);

impl FakeClock {
    pub fn at(secs: i64) -> Self {
        Self(Arc::new(AtomicI64::new(secs)))
    }
    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for FakeClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// "about 1h 01m behind" / "about 1h 01m ahead of": this computer's clock against a server's,
/// from `server_minus_local` (the server's time minus ours: positive when ours is behind). The one
/// place the sign is read, so every message about a skew says the same thing.
pub fn skew_words(server_minus_local: i64) -> String {
    let side = if server_minus_local > 0 { "behind" } else { "ahead of" };
    format!("about {} {side}", human_duration(server_minus_local.abs()))
}

/// `11h 42m`, `42m 10s`, `9s`: the precision a person needs at each scale.
pub fn human_duration(secs: i64) -> String {
    let d = secs.max(0);
    let (h, m, s) = (d / 3600, d / 60 % 60, d % 60);
    if h >= 24 {
        format!("{}d {}h", h / 24, h % 24)
    } else if h > 0 {
        format!("{h}h {m:02}m")
    } else if m > 0 {
        format!("{m}m {s:02}s")
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_durations() {
        let h = human_duration;
        assert_eq!(
            [h(0), h(9), h(70), h(3600), h(42_120), h(90_000), h(-5)],
            ["0s", "9s", "1m 10s", "1h 00m", "11h 42m", "1d 1h", "0s"]
        );
    }

    #[test]
    fn fake_clock_moves_when_told() {
        let c = FakeClock::at(100);
        let shared = c.clone();
        c.advance(50);
        assert_eq!(shared.now(), 150);
    }
}
