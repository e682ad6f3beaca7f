//! Exponential back-off with full jitter, for transient STS errors only.

use crate::aws::sts::StsError;
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

/// Run `call` until it succeeds, fails for good (AccessDenied, a wrong code, …), or the attempts
/// run out. `on_retry` hears about each pause.
pub async fn with_retry<T, F, Fut>(
    policy: RetryPolicy,
    mut call: F,
    mut on_retry: impl FnMut(u32, &StsError),
) -> Result<T, StsError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StsError>>,
{
    let mut attempt = 0;
    loop {
        match call().await {
            Err(e) if e.is_transient() && attempt + 1 < policy.attempts => {
                attempt += 1;
                on_retry(attempt, &e);
                tokio::time::sleep(policy.pause(attempt)).await;
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
            || {
                calls.set(calls.get() + 1);
                async { if calls.get() < 3 { Err(StsError::Throttled) } else { Ok(7) } }
            },
            |_, _| {},
        )
        .await;
        assert_eq!((r, calls.get()), (Ok(7), 3));
        calls.set(0);
        let denied = StsError::AccessDenied { message: "no".into() };
        let r: Result<(), _> = with_retry(
            fast,
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
            || {
                calls.set(calls.get() + 1);
                async { Err(StsError::Throttled) }
            },
            |_, _| {},
        )
        .await;
        assert_eq!((r, calls.get()), (Err(StsError::Throttled), 4));
    }

    #[test]
    fn pauses_grow_and_are_capped() {
        let p = RetryPolicy::default();
        for attempt in 1..20 {
            assert!(p.pause(attempt) <= p.cap);
        }
    }
}
