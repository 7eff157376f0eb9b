//! The deployer's one retry loop: call, and while the call fails with an error worth retrying
//! and attempts remain, pause and call again. Callers differ only in which errors they retry (a
//! role IAM has not propagated yet, a throttled call, a conflicting update) and in the pauses
//! ([`Backoff`]).
//!
//! Waiting for a resource to reach a state (a function's update to end, an execution to stop)
//! is not retrying an error: those waits use the SDK's waiters or their own polling.

use std::future::Future;
use std::time::Duration;

/// How long to pause between attempts, and how many attempts at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    /// The pause after the first failed attempt.
    pub(crate) first_pause: Duration,
    /// Every further pause is twice the one before, up to this.
    pub(crate) max_pause: Duration,
    /// Attempts in all, the first included; `None`: no limit.
    pub(crate) attempts: Option<u32>,
}

impl Backoff {
    /// The same pause every time, at most `attempts` attempts.
    pub(crate) const fn fixed(pause: Duration, attempts: u32) -> Self {
        Self {
            first_pause: pause,
            max_pause: pause,
            attempts: Some(attempts),
        }
    }

    /// Pauses doubling from `first` up to `max`, for as long as the error lasts.
    pub(crate) const fn doubling(first: Duration, max: Duration) -> Self {
        Self {
            first_pause: first,
            max_pause: max,
            attempts: None,
        }
    }

    /// The pauses between attempts, in order: one fewer than the attempts.
    pub(crate) fn pauses(self) -> impl Iterator<Item = Duration> {
        let pauses = self
            .attempts
            .map_or(usize::MAX, |n| n.saturating_sub(1) as usize);
        std::iter::successors(Some(self.first_pause), move |pause| {
            Some(pause.saturating_mul(2).min(self.max_pause))
        })
        .take(pauses)
    }
}

/// Runs `call` until it succeeds, fails with an error `retryable` refuses, or the attempts of
/// `backoff` are used up; returns the last result.
pub(crate) async fn retry<T, E, F, Fut>(
    backoff: Backoff,
    mut retryable: impl FnMut(&E) -> bool,
    mut call: F,
) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut pauses = backoff.pauses();
    loop {
        match call().await {
            Err(e) if retryable(&e) => match pauses.next() {
                Some(pause) => tokio::time::sleep(pause).await,
                None => return Err(e),
            },
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Attempt `n` of a call that fails (with `Err(n)`) its first `failures` times.
    fn attempt(n: &mut u32, failures: u32) -> std::future::Ready<Result<u32, u32>> {
        *n += 1;
        std::future::ready(if *n <= failures { Err(*n) } else { Ok(*n) })
    }

    #[tokio::test]
    async fn retries_what_is_retryable_and_returns_anything_else_at_once() {
        let quick = Backoff::fixed(Duration::from_millis(1), 5);
        let mut calls = 0;
        let result = retry(quick, |_| true, || attempt(&mut calls, 2)).await;
        assert_eq!(result, Ok(3));

        let mut calls = 0;
        let result = retry(quick, |e| *e != 1, || attempt(&mut calls, 2)).await;
        assert_eq!(result, Err(1), "not retryable: returned as it is");
        assert_eq!(calls, 1);
    }

    #[tokio::test]
    async fn fixed_attempts_bound_the_calls_and_doubling_has_no_bound() {
        let mut calls = 0;
        let result = retry(
            Backoff::fixed(Duration::from_millis(1), 4),
            |_| true,
            || attempt(&mut calls, 10),
        )
        .await;
        assert_eq!(result, Err(4), "the last error, after the fourth attempt");

        let mut calls = 0;
        let result = retry(
            Backoff::doubling(Duration::from_millis(1), Duration::from_millis(4)),
            |_| true,
            || attempt(&mut calls, 9),
        )
        .await;
        assert_eq!(result, Ok(10));
    }

    #[test]
    fn doubling_pauses_stop_growing_at_the_maximum_and_fixed_ones_are_one_fewer_than_attempts() {
        let seconds = |b: Backoff, n: usize| -> Vec<u64> {
            b.pauses().take(n).map(|p| p.as_secs()).collect()
        };
        let doubling = Backoff::doubling(Duration::from_secs(1), Duration::from_secs(4));
        assert_eq!(seconds(doubling, 6), [1, 2, 4, 4, 4, 4]);
        let fixed = Backoff::fixed(Duration::from_secs(3), 4);
        assert_eq!(seconds(fixed, 10), [3, 3, 3]);
        assert_eq!(
            Backoff::fixed(Duration::from_secs(3), 1).pauses().count(),
            0
        );
    }
}
