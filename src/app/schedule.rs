//! When the refresher runs: at the next session's due time, however many other events arrive.
//!
//! The deadline is an absolute instant computed from absolute times, so recomputing it on every
//! pass of the loop (after a tick, a key, a result) gives the same instant and the timer fires.
//! (It used to be a fresh relative `sleep(due)` per pass, clamped to at least a second, which a
//! 1 Hz tick kept resetting: renewals almost never happened while the dashboard was open.)

use std::time::{Duration, Instant};

/// With nothing due, look again this often (another mfatui may have signed someone in).
const IDLE: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
pub struct RefreshTimer {
    /// Unix seconds at which the next session falls due.
    pub next_due: Option<i64>,
    last_run: Option<Instant>,
    /// A role that keeps failing stays due: never run due refreshes more often than this.
    min_gap: Duration,
}

impl RefreshTimer {
    pub fn new(min_gap: Duration) -> Self {
        Self { next_due: None, last_run: None, min_gap }
    }

    /// When to run, given the clock now (`now_unix` for due times, `now` for the timer).
    pub fn deadline(&self, now_unix: i64, now: Instant) -> Instant {
        let due = match self.next_due {
            Some(t) => now + Duration::from_secs(t.saturating_sub(now_unix).max(0) as u64).min(IDLE),
            None => now + IDLE,
        };
        match self.last_run {
            Some(last) => due.max(last + self.min_gap),
            None => due,
        }
    }

    pub fn ran(&mut self, at: Instant) {
        self.last_run = Some(at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_does_not_move_when_recomputed() {
        let mut t = RefreshTimer::new(Duration::from_secs(30));
        let start = Instant::now();
        t.next_due = Some(1_000 + 5);
        let first = t.deadline(1_000, start);
        // One second later (a tick), the same instant.
        assert_eq!(t.deadline(1_001, start + Duration::from_secs(1)), first);
        // Past due: now, not "in a second".
        assert_eq!(t.deadline(1_010, start + Duration::from_secs(10)), start + Duration::from_secs(10));
        // Just after a run, not before the gap.
        t.ran(start + Duration::from_secs(10));
        assert_eq!(t.deadline(1_011, start + Duration::from_secs(11)), start + Duration::from_secs(40));
    }
}
