//! Exponential back-off with full jitter, for transient AWS errors only, within a time budget.

use crate::net::AwsError;
use rand::Rng;
use std::future::Future;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub base: Duration,
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { attempts: 6, base: Duration::from_millis(200), cap: Duration::from_secs(8) }
    }
}

impl RetryPolicy {
    /// The pause before retry number `attempt` (1-based): uniform in [0, min(cap, base·2^attempt)].
    pub fn pause(&self, attempt: u32) -> Duration {
        let ceiling = self.base.saturating_mul(1 << attempt.min(16)).min(self.cap);
        Duration::from_millis(rand::thread_rng().gen_range(0..=ceiling.as_millis() as u64))
    }
}

/// Run `call` until it succeeds, fails for good (AccessDenied, a wrong code, …), the attempts
/// run out, or `budget` is spent: no attempt starts, and no pause ends, after the budget.
/// `on_retry` hears about each pause.
pub async fn with_retry<T, F, Fut>(
    policy: RetryPolicy,
    budget: Duration,
    at: (&'static str, &str),
    mut call: F,
    mut on_retry: impl FnMut(u32, &AwsError),
) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    let deadline = tokio::time::Instant::now() + budget;
    let mut attempt = 0;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let result = match tokio::time::timeout(left, call()).await {
            Ok(r) => r,
            Err(_) => return Err(AwsError::Timeout { service: at.0, endpoint: at.1.into(), secs: budget.as_secs() }),
        };
        match result {
            Err(e) if e.is_transient() && attempt + 1 < policy.attempts => {
                let pause = policy.pause(attempt + 1);
                if tokio::time::Instant::now() + pause >= deadline {
                    return Err(e);
                }
                attempt += 1;
                on_retry(attempt, &e);
                tokio::time::sleep(pause).await;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[tokio::test]
    async fn retries_transient_errors_only() {
        let fast = RetryPolicy { attempts: 4, base: Duration::from_millis(1), cap: Duration::from_millis(2) };
        let calls = Cell::new(0);
        let r = with_retry(
            fast,
            Duration::from_secs(5),
            ("STS", "x"),
            || {
                calls.set(calls.get() + 1);
                async { if calls.get() < 3 { Err(AwsError::Throttled) } else { Ok(7) } }
            },
            |_, _| {},
        )
        .await;
        assert_eq!((r, calls.get()), (Ok(7), 3));
        calls.set(0);
        let denied = AwsError::AccessDenied { message: "no".into() };
        let r: Result<(), _> = with_retry(
            fast,
            Duration::from_secs(5),
            ("STS", "x"),
            || {
                calls.set(calls.get() + 1);
                let e = denied.clone();
                async move { Err(e) }
            },
            |_, _| {},
        )
        .await;
        assert_eq!((r, calls.get()), (Err(denied), 1));
        calls.set(0);
        let r: Result<(), _> = with_retry(
            fast,
            Duration::from_secs(5),
            ("STS", "x"),
            || {
                calls.set(calls.get() + 1);
                async { Err(AwsError::Throttled) }
            },
            |_, _| {},
        )
        .await;
        assert_eq!((r, calls.get()), (Err(AwsError::Throttled), 4));
    }

    #[tokio::test]
    async fn the_budget_bounds_slow_attempts_and_pauses() {
        let slow = RetryPolicy { attempts: 10, base: Duration::from_millis(100), cap: Duration::from_millis(200) };
        let started = tokio::time::Instant::now();
        let r: Result<(), _> = with_retry(
            slow,
            Duration::from_millis(700),
            ("STS", "x"),
            || async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                Err(AwsError::Throttled)
            },
            |_, _| {},
        )
        .await;
        assert!(r.is_err());
        assert!(started.elapsed() <= Duration::from_millis(800), "{:?}", started.elapsed());
    }

    #[test]
    fn pauses_grow_and_are_capped() {
        let p = RetryPolicy::default();
        for attempt in 1..20 {
            assert!(p.pause(attempt) <= p.cap);
        }
    }
}
