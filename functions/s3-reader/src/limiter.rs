//! The bound on objects in flight: a fixed semaphore, or with `concurrency: "auto"` an adaptive
//! limit that the reader moves while it runs, from the GET latencies it observes.
//!
//! The adaptive limit follows the gradient idea of Netflix's concurrency-limits (its square-root
//! growth) and TCP Vegas' band: while the latency of the GETs stays near the lowest seen
//! (within [`GROW_BELOW`] times it: no queueing), more in flight means more throughput, so the
//! limit grows by its square root per window; between that and [`TOLERANCE`] times the lowest
//! it holds; above, requests are queueing (for the CPU, as at small memory sizes, or at the
//! server), so the limit shrinks by the ratio of the tolerated latency to the observed one (at
//! most by half). No slow start: doubling opened dozens of connections at once, whose
//! handshakes delayed the pool's reuse of the others, so that the reader opened a third more
//! connections than its highest limit (`s3-bench`: 180 for a limit of 128, 1.2 to 1.4 x the
//! best fixed time; growing by the square root, every eighth of the limit's GETs: 1.02 to
//! 1.21 x, no extra connection).
//! Growing takes a window of an eighth of the limit's worth of completed GETs; holding or
//! shrinking a whole limit's worth (the GETs right after a step up share the CPU with that
//! step's handshakes, a cost paid once). A window counts only GETs that *started under the
//! current limit*: the GETs of an earlier limit say nothing about this one (without that rule
//! the limit doubled several times within the first round trip, before any GET had seen the
//! load it made).
//!
//! A GET that takes the in-flight count above its highest so far needs a connection the pool
//! does not have: its latency holds a TCP and TLS handshake, not queueing, and is left out
//! (measured with `s3-bench`: counting those, every step up looked like queueing, and the limit
//! crept up by its square root for most of a one-second run).

use std::sync::{Arc, Mutex, MutexGuard};

use bench_types::AutoConcurrency;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

/// The limit an `auto` run starts at: the fixed default, which one vCPU handles without
/// queueing; the limit then halves within a few round trips where the CPU is smaller.
pub const AUTO_INITIAL: u32 = 64;
/// The lowest limit an `auto` run goes down to.
pub const AUTO_MIN: u32 = 2;
/// The highest limit an `auto` run goes up to (the size of its connection pool).
pub const AUTO_MAX: u32 = 1024;
/// A window's mean latency up to this many times the lowest seen counts as not queueing: the
/// limit grows.
pub const GROW_BELOW: f64 = 1.5;
/// A window's mean latency above this many times the lowest seen is queueing: the limit
/// shrinks. Between the two it holds (the band of TCP Vegas' alpha and beta: the handshakes of
/// a step up load the CPU for a while without the step being too far).
pub const TOLERANCE: f64 = 3.0;
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
                let (generation, fresh) = limit.acquire().await;
                Permit::Adaptive {
                    limit: Arc::clone(limit),
                    generation,
                    fresh,
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
        /// The limit's generation when the GET started.
        generation: u64,
        /// Whether the GET took the in-flight count to a new high (a new connection).
        fresh: bool,
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
        if let Self::Adaptive {
            limit,
            generation,
            fresh,
            latency_ms,
        } = self
        {
            // A new connection's handshake is not queueing.
            let latency = latency_ms.take().filter(|_| !*fresh);
            limit.release(*generation, latency);
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
    /// The most GETs in flight so far: about the connections the pool holds.
    peak_in_flight: u32,
    /// Counts the limit's changes: a GET's latency counts only for the limit it started under.
    generation: u64,
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
                peak_in_flight: 0,
                generation: 0,
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

    /// Waits until fewer than the limit are in flight, counts one more, and answers the
    /// limit's generation and whether this GET is the most in flight so far (a new
    /// connection). One task acquires (the reading loop), so `notify_one` never loses a
    /// wake-up: a notification given while nobody waits is kept for the next wait.
    async fn acquire(&self) -> (u64, bool) {
        loop {
            {
                let mut state = self.state();
                if f64::from(state.in_flight) < state.limit.floor() {
                    state.in_flight += 1;
                    state.limit_sum += state.limit.floor();
                    state.acquired += 1;
                    let fresh = state.in_flight > state.peak_in_flight;
                    state.peak_in_flight = state.peak_in_flight.max(state.in_flight);
                    return (state.generation, fresh);
                }
            }
            self.room.notified().await;
        }
    }

    /// One GET done: the latency of a GET that started under the current limit (and
    /// succeeded) goes into the window; a full window moves the limit.
    fn release(&self, generation: u64, latency_ms: Option<f64>) {
        {
            let mut state = self.state();
            state.in_flight = state.in_flight.saturating_sub(1);
            if let Some(latency) = latency_ms.filter(|l| l.is_finite() && *l >= 0.0) {
                state.lowest_ms = state.lowest_ms.min(latency);
                if generation == state.generation {
                    state.observe(latency);
                }
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
        self.window_sum_ms += latency_ms;
        self.window_count += 1;
        let mean_ms = self.window_sum_ms / f64::from(self.window_count);
        let eighth = MIN_WINDOW.max((self.limit / 8.0) as u32);
        // Growing needs an eighth of the limit's GETs near the lowest latency; shrinking needs a
        // whole limit's worth queueing: the first GETs after a step up share the CPU with the
        // step's handshakes, a cost paid once, not queueing that lasts.
        let whole = MIN_WINDOW.max(self.limit as u32);
        let next = if mean_ms <= self.lowest_ms * GROW_BELOW {
            if self.window_count < eighth {
                return;
            }
            self.limit + self.limit.sqrt()
        } else {
            if self.window_count < whole {
                return;
            }
            let tolerated_ms = self.lowest_ms * TOLERANCE;
            if mean_ms <= tolerated_ms {
                self.limit
            } else {
                self.limit * (tolerated_ms / mean_ms).max(0.5)
            }
        };
        self.window_sum_ms = 0.0;
        self.window_count = 0;
        self.set_limit(next.clamp(self.min, self.max));
    }

    fn set_limit(&mut self, limit: f64) {
        let (old, new) = (self.limit as u32, limit as u32);
        tracing::debug!(
            old,
            new,
            in_flight = self.in_flight,
            peak = self.peak_in_flight,
            lowest_ms = self.lowest_ms,
            "auto concurrency limit"
        );
        self.limit = limit;
        if new != old {
            self.report.changes += 1;
            self.generation += 1;
        }
        self.report.final_limit = new;
        self.report.min = self.report.min.min(new);
        self.report.max = self.report.max.max(new);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds the limit `n` completions at `latency` ms each, of GETs started under the
    /// current limit, keeping it full.
    fn complete(limit: &AdaptiveLimit, n: usize, latency: f64) {
        for _ in 0..n {
            let generation = {
                let mut state = limit.state();
                state.in_flight += 1;
                state.generation
            };
            limit.release(generation, Some(latency));
        }
    }

    #[test]
    fn without_queueing_the_limit_grows_by_its_root_holds_in_the_band_and_shrinks_above() {
        let limit = AdaptiveLimit::new(64, 2, 1024);
        complete(&limit, 8, 20.0);
        assert_eq!(
            limit.limit(),
            72,
            "an eighth window at the lowest latency: 64 + 8"
        );
        complete(&limit, 9, 25.0);
        assert_eq!(limit.limit(), 80, "72 + sqrt(72)");
        // Between 1.5 and 3 times the lowest: after a whole limit's worth, the limit holds.
        complete(&limit, 79, 40.0);
        assert_eq!(
            limit.state().window_count,
            79,
            "no decision before a whole window"
        );
        complete(&limit, 1, 40.0);
        assert_eq!(limit.limit(), 80);
        // Queueing: 6 times the lowest, twice the tolerated: halved.
        complete(&limit, 80, 120.0);
        assert_eq!(limit.limit(), 40);
        complete(&limit, 8, 20.0);
        assert_eq!(limit.limit(), 46, "40 + sqrt(40)");
        let report = limit.report();
        assert_eq!(
            (report.initial, report.min, report.max, report.final_limit),
            (64, 40, 80, 46)
        );
        assert_eq!(report.changes, 4, "a hold is no change");
    }

    #[test]
    fn the_decrease_follows_the_latency_gradient_within_its_bounds() {
        let limit = AdaptiveLimit::new(100, 10, 105);
        complete(&limit, 12, 10.0);
        assert_eq!(limit.limit(), 105, "capped at the maximum");
        // 37.5 ms against 30 tolerated, over a whole window: the limit times 0.8.
        complete(&limit, 105, 37.5);
        assert_eq!(limit.limit(), 84);
        for _ in 0..10 {
            complete(&limit, 100, 1000.0);
        }
        assert_eq!(limit.limit(), 10, "never below the minimum");
    }

    #[test]
    fn gets_of_an_earlier_limit_do_not_move_the_current_one() {
        let limit = AdaptiveLimit::new(16, 2, 1024);
        complete(&limit, 8, 20.0);
        assert_eq!(limit.limit(), 20);
        // The rest of the first limit's GETs come back slow: they set no window of the new
        // limit, however many.
        for _ in 0..100 {
            limit.state().in_flight += 1;
            limit.release(0, Some(500.0));
        }
        assert_eq!(limit.limit(), 20);
        complete(&limit, 8, 20.0);
        assert_eq!(limit.limit(), 24);
    }

    #[test]
    fn failed_gets_free_their_room_without_moving_the_limit() {
        let limit = AdaptiveLimit::new(16, 2, 64);
        for _ in 0..100 {
            limit.state().in_flight += 1;
            limit.release(0, None);
        }
        assert_eq!(limit.limit(), 16);
        assert_eq!(limit.state().in_flight, 0);
    }

    #[tokio::test]
    async fn a_get_on_a_new_connection_does_not_count_as_queueing() {
        let limiter = Limiter::Adaptive(Arc::new(AdaptiveLimit::new(8, 2, 64)));
        let Limiter::Adaptive(limit) = &limiter else {
            unreachable!()
        };
        // Eight at once: each takes the in-flight count to a new high (a new connection), and
        // their slow handshakes are not a window.
        let mut first: Vec<Permit> = Vec::new();
        for _ in 0..8 {
            first.push(limiter.acquire().await);
        }
        for mut permit in first {
            permit.observe(400.0);
        }
        assert_eq!(limit.limit(), 8);
        assert!(limit.state().lowest_ms.is_infinite());
        // Then GETs on the open connections, one at a time: a window at the lowest latency.
        for _ in 0..8 {
            let mut permit = limiter.acquire().await;
            permit.observe(20.0);
        }
        assert_eq!(limit.limit(), 10, "8 + sqrt(8)");
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
