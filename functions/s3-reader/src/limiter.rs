//! The bound on objects in flight: a fixed semaphore, or with `concurrency: "auto"` an adaptive
//! limit that the reader moves while it runs, from the GET latencies it observes.
//!
//! The adaptive limit follows the gradient idea of Netflix's concurrency-limits (and TCP's
//! slow start and multiplicative decrease): while the latency of the GETs stays near the
//! lowest seen (the no-queueing latency), more in flight means more throughput, so the limit
//! grows, doubling per window at first (slow start), then by its square root per window;
//! once the window's mean latency exceeds the lowest by more than [`TOLERANCE`], requests are
//! queueing (for the CPU, as at small memory sizes, or at the server), so the limit shrinks by
//! the ratio of the tolerated latency to the observed one (at most by half). A window is about
//! half the limit's worth of completed GETs: short enough to follow a one-second run.

use std::sync::{Arc, Mutex, MutexGuard};

use bench_types::AutoConcurrency;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

/// The limit an `auto` run starts at.
pub const AUTO_INITIAL: u32 = 16;
/// The lowest limit an `auto` run goes down to.
pub const AUTO_MIN: u32 = 2;
/// The highest limit an `auto` run goes up to (the size of its connection pool).
pub const AUTO_MAX: u32 = 1024;
/// A window's mean latency up to this many times the lowest seen counts as not queueing.
pub const TOLERANCE: f64 = 2.0;
/// The fewest completions that make a window.
const MIN_WINDOW: u32 = 8;

/// Bounds the GETs in flight.
#[derive(Debug, Clone)]
pub(crate) enum Limiter {
    /// At most this many (a semaphore).
    Fixed(Arc<Semaphore>),
    /// An adaptive limit.
    Adaptive(Arc<AdaptiveLimit>),
}

impl Limiter {
    pub(crate) fn fixed(limit: u32) -> Self {
        Self::Fixed(Arc::new(Semaphore::new(limit as usize)))
    }

    pub(crate) fn adaptive() -> Self {
        Self::Adaptive(Arc::new(AdaptiveLimit::new(
            AUTO_INITIAL,
            AUTO_MIN,
            AUTO_MAX,
        )))
    }

    /// Waits for room for one more GET.
    pub(crate) async fn acquire(&self) -> Permit {
        match self {
            // The semaphore is never closed, so this cannot fail; if it ever did, reading
            // without a permit is still correct (only less bounded), and never a panic.
            Self::Fixed(semaphore) => Permit::Fixed {
                _held: Arc::clone(semaphore).acquire_owned().await.ok(),
            },
            Self::Adaptive(limit) => {
                limit.acquire().await;
                Permit::Adaptive {
                    limit: Arc::clone(limit),
                    latency_ms: None,
                }
            }
        }
    }

    /// What an adaptive limit did; `None` for a fixed one.
    pub(crate) fn report(&self) -> Option<AutoConcurrency> {
        match self {
            Self::Fixed(_) => None,
            Self::Adaptive(limit) => Some(limit.report()),
        }
    }
}

/// Room for one GET; dropping it makes the room free again (and feeds an adaptive limit the
/// latency given to [`Permit::observe`]).
#[derive(Debug)]
pub(crate) enum Permit {
    /// Holds the semaphore's permit until dropped.
    Fixed { _held: Option<OwnedSemaphorePermit> },
    Adaptive {
        limit: Arc<AdaptiveLimit>,
        latency_ms: Option<f64>,
    },
}

impl Permit {
    /// The latency of the GET this permit let through (a failed GET gives none).
    pub(crate) fn observe(&mut self, latency: f64) {
        if let Self::Adaptive { latency_ms, .. } = self {
            *latency_ms = Some(latency);
        }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Self::Adaptive { limit, latency_ms } = self {
            limit.release(latency_ms.take());
        }
    }
}

/// The adaptive limit's state (see the module's doc).
#[derive(Debug)]
pub(crate) struct AdaptiveLimit {
    state: Mutex<State>,
    room: Notify,
}

#[derive(Debug)]
struct State {
    limit: f64,
    min: f64,
    max: f64,
    in_flight: u32,
    slow_start: bool,
    /// The lowest latency seen, ms.
    lowest_ms: f64,
    window_sum_ms: f64,
    window_count: u32,
    report: AutoConcurrency,
    /// The sum of the limits each GET started under, for the mean.
    limit_sum: f64,
    acquired: u64,
}

impl AdaptiveLimit {
    pub(crate) fn new(initial: u32, min: u32, max: u32) -> Self {
        Self {
            state: Mutex::new(State {
                limit: f64::from(initial),
                min: f64::from(min),
                max: f64::from(max),
                in_flight: 0,
                slow_start: true,
                lowest_ms: f64::INFINITY,
                window_sum_ms: 0.0,
                window_count: 0,
                report: AutoConcurrency {
                    initial,
                    min: initial,
                    max: initial,
                    final_limit: initial,
                    mean: 0.0,
                    changes: 0,
                },
                limit_sum: 0.0,
                acquired: 0,
            }),
            room: Notify::new(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain numbers behind: still usable.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The current limit, rounded down.
    #[cfg(test)]
    pub(crate) fn limit(&self) -> u32 {
        self.state().limit as u32
    }

    /// Waits until fewer than the limit are in flight, and counts one more. One task acquires
    /// (the reading loop), so `notify_one` never loses a wake-up: a notification given while
    /// nobody waits is kept for the next wait.
    async fn acquire(&self) {
        loop {
            {
                let mut state = self.state();
                if f64::from(state.in_flight) < state.limit.floor() {
                    state.in_flight += 1;
                    state.limit_sum += state.limit.floor();
                    state.acquired += 1;
                    return;
                }
            }
            self.room.notified().await;
        }
    }

    /// One GET done: its latency (if it succeeded) goes into the window; a full window moves
    /// the limit.
    fn release(&self, latency_ms: Option<f64>) {
        {
            let mut state = self.state();
            state.in_flight = state.in_flight.saturating_sub(1);
            if let Some(latency) = latency_ms.filter(|l| l.is_finite() && *l >= 0.0) {
                state.observe(latency);
            }
        }
        self.room.notify_one();
    }

    /// What the limit did so far.
    pub(crate) fn report(&self) -> AutoConcurrency {
        let state = self.state();
        let mut report = state.report.clone();
        report.mean = if state.acquired == 0 {
            f64::from(report.initial)
        } else {
            state.limit_sum / state.acquired as f64
        };
        report
    }
}

impl State {
    fn observe(&mut self, latency_ms: f64) {
        self.lowest_ms = self.lowest_ms.min(latency_ms);
        self.window_sum_ms += latency_ms;
        self.window_count += 1;
        let window = MIN_WINDOW.max((self.limit / 2.0) as u32);
        if self.window_count < window {
            return;
        }
        let mean_ms = self.window_sum_ms / f64::from(self.window_count);
        self.window_sum_ms = 0.0;
        self.window_count = 0;
        let tolerated_ms = self.lowest_ms * TOLERANCE;
        let next = if mean_ms <= tolerated_ms {
            if self.slow_start {
                self.limit * 2.0
            } else {
                self.limit + self.limit.sqrt()
            }
        } else {
            self.slow_start = false;
            self.limit * (tolerated_ms / mean_ms).max(0.5)
        };
        self.set_limit(next.clamp(self.min, self.max));
    }

    fn set_limit(&mut self, limit: f64) {
        let (old, new) = (self.limit as u32, limit as u32);
        self.limit = limit;
        if new != old {
            self.report.changes += 1;
        }
        self.report.final_limit = new;
        self.report.min = self.report.min.min(new);
        self.report.max = self.report.max.max(new);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds the limit `n` completions at `latency` ms each, keeping it full.
    fn complete(limit: &AdaptiveLimit, n: usize, latency: f64) {
        for _ in 0..n {
            limit.state().in_flight += 1;
            limit.release(Some(latency));
        }
    }

    #[test]
    fn without_queueing_the_limit_doubles_per_window_then_grows_by_its_root() {
        let limit = AdaptiveLimit::new(16, 2, 1024);
        complete(&limit, 8, 20.0);
        assert_eq!(limit.limit(), 32, "one window of 8 at the lowest latency");
        complete(&limit, 16, 21.0);
        assert_eq!(limit.limit(), 64);
        // Queueing: the window's latency is 4x the lowest, twice the tolerated: halved, and
        // slow start ends.
        complete(&limit, 32, 80.0);
        assert_eq!(limit.limit(), 32);
        complete(&limit, 16, 20.0);
        assert_eq!(limit.limit(), 32 + 5, "32 + sqrt(32)");
        let report = limit.report();
        assert_eq!(
            (report.initial, report.min, report.max, report.final_limit),
            (16, 16, 64, 37)
        );
        assert_eq!(report.changes, 4);
    }

    #[test]
    fn the_decrease_follows_the_latency_gradient_within_its_bounds() {
        let limit = AdaptiveLimit::new(100, 10, 200);
        complete(&limit, 50, 10.0);
        assert_eq!(limit.limit(), 200, "capped at the maximum");
        // 25 ms against 20 tolerated: the limit times 0.8.
        complete(&limit, 100, 25.0);
        assert_eq!(limit.limit(), 160);
        for _ in 0..10 {
            complete(&limit, 100, 1000.0);
        }
        assert_eq!(limit.limit(), 10, "never below the minimum");
    }

    #[test]
    fn failed_gets_free_their_room_without_moving_the_limit() {
        let limit = AdaptiveLimit::new(16, 2, 64);
        for _ in 0..100 {
            limit.state().in_flight += 1;
            limit.release(None);
        }
        assert_eq!(limit.limit(), 16);
        assert_eq!(limit.state().in_flight, 0);
    }

    #[tokio::test]
    async fn at_most_the_limit_is_in_flight_and_a_release_lets_the_next_one_in() {
        let limiter = Limiter::Adaptive(Arc::new(AdaptiveLimit::new(2, 2, 2)));
        let first = limiter.acquire().await;
        let mut second = limiter.acquire().await;
        let third = tokio::time::timeout(std::time::Duration::from_millis(50), limiter.acquire());
        assert!(
            third.await.is_err(),
            "a third waits while two are in flight"
        );
        second.observe(5.0);
        drop(second);
        let third = tokio::time::timeout(std::time::Duration::from_secs(5), limiter.acquire());
        assert!(third.await.is_ok(), "room again after a release");
        drop(first);
        let report = limiter.report().unwrap();
        assert_eq!(report.mean, 2.0);
        assert!(Limiter::fixed(4).report().is_none());
    }
}
