//! The bound on objects in flight: a fixed semaphore, or with `concurrency: "auto"` an adaptive
//! limit that the reader moves while it runs, from the GET latencies it observes and from how
//! much of the time it gets the CPU.
//!
//! The adaptive limit follows the gradient idea of Netflix's concurrency-limits (its square-root
//! growth) and TCP Vegas' band: while the latency of the GETs stays near the lowest seen
//! (within [`GROW_BELOW`] times it: no queueing), more in flight means more throughput, so the
//! limit grows; between that and [`TOLERANCE`] times the lowest it holds; above, requests are
//! queueing (for the CPU, or at the server), so the limit shrinks by the ratio of the tolerated
//! latency to the observed one (at most by half). Growing takes a window of an eighth of the
//! limit's worth of completed GETs; holding or shrinking a whole limit's worth (the GETs right
//! after a step up share the CPU with that step's handshakes, a cost paid once). A window counts
//! only GETs that *started under the current limit*: the GETs of an earlier limit say nothing
//! about this one (without that rule the limit doubled several times within the first round
//! trip, before any GET had seen the load it made).
//!
//! A run of 1000 GETs is about 14 round trips at one vCPU, too few to climb by square roots from
//! a low start to the 128-256 in flight that one vCPU is fastest at; and every connection opened
//! costs a TLS handshake, which at 0.072 vCPU (128 MB) takes 4 ms of wall time. So the limit
//! starts at [`AUTO_INITIAL`] and grows by [`START_GROWTH`] per window until the first window
//! that does not grow, then by its square root.
//!
//! The CPU: under a quota (a small Lambda, a cgroup) the reader runs a slice of each period
//! (100 ms on Linux) and is stopped for the rest, so every GET takes about a period whatever the
//! limit, and the latency alone does not show that the CPU is what GETs wait for. So the limiter
//! samples how late its own timer fires ([`CPU_LAG_SAMPLE`]): the time a ready task cannot run.
//! While the reader could not run for more than [`CPU_BUSY_SHARE`] of the recent wall time
//! (about the last [`CPU_LAG_HORIZON`]), the limit neither grows nor shrinks (the latency is the
//! quota's, and fewer in flight would not spend less CPU per GET on connections already open,
//! only leave the CPU idle when its next slice begins), and a GET that would open a connection
//! beyond the first [`FREE_CONNECTIONS`] waits instead (the limit becomes the connections
//! open). A quota above half a CPU never stops the reader half the time: there the latency
//! decides alone.
//!
//! A quota stops a process only once it has used its slice, so before that nothing tells 0.072
//! vCPU from a whole one, and a start that opened all its connections at once paid for handshakes
//! the probe then showed it could not afford. So beyond the free connections the pool grows in
//! steps: a sample that finds the reader on time for the last [`ON_TIME_FOR`] (longer than a
//! 128 MB Lambda can run unstopped while it works, even across a period's boundary) lets it open
//! [`CONNECTION_GROWTH`] of the connections it holds before the next sample.
//!
//! A GET that takes the in-flight count above its highest so far needs a connection the pool
//! does not have: its latency holds a TCP and TLS handshake, not queueing, and is left out
//! (measured with `s3-bench`: counting those, every step up looked like queueing).
//!
//! Measured (`s3-bench --readers rust,rust-sdk --no-sequential --cpus 0.072,0.145,0.29,0.58,1
//! --concurrency 32,64,128,256,auto --runs 7`), auto over the best fixed C (`rust`, `rust-sdk`):
//! 1.07, 1.15 at 0.072 vCPU; 1.04, 1.07 at 0.145; 1.11, 1.16 at 0.29; 1.02, 1.01 at 0.58; 0.99,
//! 0.93 at 1 (mean 1.055). With all connections opened at the start (96) and no hold under a
//! quota: 1.40 / 1.12 at 0.072 vCPU, 1.05 / 1.02 at 1 (`--cpus 0.072,1`, 7 runs). A whole run
//! of this evaluation moves the mean by about 0.05 (see `s3-bench/README.md`).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bench_types::AutoConcurrency;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;

/// The limit an `auto` run starts at: between what one vCPU is fastest at (128) and what
/// 0.072 vCPU is (32-64), each connection opened at the start being a handshake.
pub const AUTO_INITIAL: u32 = 96;
/// The growth per window until the first window that does not grow.
pub const START_GROWTH: f64 = 1.5;
/// Connections opened whatever the CPU lag; each one more needs CPU to spare. Over 1000 GETs
/// `s3-bench` finds 32 fastest at 0.072 vCPU (by about 9 % over 64, in 9 runs of 5-7) and 64
/// at 0.145 vCPU (by 10-25 % over 32): the start pays half-way between.
pub const FREE_CONNECTIONS: u32 = 48;
/// The lowest limit an `auto` run goes down to: S3 takes thousands of GETs per second per
/// prefix, and below this the reader waits on the network with the CPU idle.
pub const AUTO_MIN: u32 = 16;
/// The highest limit an `auto` run goes up to (the size of its connection pool).
pub const AUTO_MAX: u32 = 1024;
/// A window's mean latency up to this many times the lowest seen counts as not queueing: the
/// limit grows.
pub const GROW_BELOW: f64 = 1.5;
/// A window's mean latency above this many times the lowest seen is queueing: the limit
/// shrinks. Between the two it holds (the band of TCP Vegas' alpha and beta: the handshakes of
/// a step up load the CPU for a while without the step being too far).
pub const TOLERANCE: f64 = 3.0;
/// Each sample that finds the reader on time for the last [`ON_TIME_FOR`] (every timer at most
/// its own length late) and the CPU not busy lets the pool open this share of the connections
/// it holds (at least the free ones) beyond [`FREE_CONNECTIONS`] before the next sample: a
/// quota stops a process only once it has used its slice, so connections are opened in steps
/// the probe can stop, not all at the start.
pub const CONNECTION_GROWTH: f64 = 0.5;
/// How long the reader must have run on time before it opens connections beyond the free ones:
/// longer than a small Lambda's slice of a 100 ms period (7.2 ms at 128 MB), so a process that
/// a quota stops never gets there while it works.
pub const ON_TIME_FOR: Duration = Duration::from_millis(20);
/// How often the CPU lag is sampled (a timer of this length, and how late it fires).
pub const CPU_LAG_SAMPLE: Duration = Duration::from_millis(5);
/// The reader could not run for more than this share of the recent wall time: more in flight
/// would wait for the CPU, not the network, and costs handshakes: the limit does not grow.
pub const CPU_BUSY_SHARE: f64 = 0.5;
/// How far back the CPU lag counts: a sample's weight falls by e each horizon (one CFS period).
pub const CPU_LAG_HORIZON: Duration = Duration::from_millis(100);
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

    /// For an adaptive limit, starts sampling the CPU lag on this runtime; the samples stop when
    /// the returned guard is dropped. A fixed limit needs none.
    pub(crate) fn start_cpu_lag_probe(&self) -> Option<CpuLagProbe> {
        match self {
            Self::Fixed(_) => None,
            Self::Adaptive(limit) => {
                let limit = Arc::clone(limit);
                Some(CpuLagProbe(tokio::spawn(async move {
                    loop {
                        let asked = Instant::now();
                        tokio::time::sleep(CPU_LAG_SAMPLE).await;
                        let elapsed = asked.elapsed();
                        limit.observe_cpu_lag(elapsed, elapsed.saturating_sub(CPU_LAG_SAMPLE));
                    }
                })))
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

/// Samples the CPU lag until dropped.
#[derive(Debug)]
pub(crate) struct CpuLagProbe(JoinHandle<()>);

impl Drop for CpuLagProbe {
    fn drop(&mut self) {
        self.0.abort();
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
    /// The recent wall time and the part of it the reader could not run (timer lateness), ms,
    /// each sample's weight falling with the time since.
    cpu_wall_ms: f64,
    cpu_late_ms: f64,
    /// The wall time since the last late sample, ms.
    on_time_ms: f64,
    /// New connections beyond [`FREE_CONNECTIONS`] the last sample allows.
    connection_grants: u32,
    /// Until the first window that does not grow, growth is by [`START_GROWTH`].
    starting: bool,
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
                cpu_wall_ms: 0.0,
                cpu_late_ms: 0.0,
                on_time_ms: 0.0,
                connection_grants: 0,
                starting: true,
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

    /// Waits until fewer than the limit are in flight (and for a GET that needs a new
    /// connection beyond the free ones, until a sample of the CPU lag allows one), counts one
    /// more, and answers the
    /// limit's generation and whether this GET is the most in flight so far (a new
    /// connection). One task acquires (the reading loop), so `notify_one` never loses a
    /// wake-up: a notification given while nobody waits is kept for the next wait.
    async fn acquire(&self) -> (u64, bool) {
        loop {
            {
                let mut state = self.state();
                if state.acquired == 0 {
                    // Waiting for the listing is not running on time with GETs to serve.
                    state.on_time_ms = 0.0;
                    state.connection_grants = 0;
                }
                let opens_connection = state.in_flight >= state.peak_in_flight;
                let needs_grant = opens_connection && state.in_flight >= FREE_CONNECTIONS;
                if needs_grant && state.cpu_busy() {
                    // No CPU to spare for another handshake: the connections open are the limit.
                    let open = f64::from(state.peak_in_flight).max(state.min);
                    if open < state.limit {
                        state.set_limit(open);
                    }
                } else if f64::from(state.in_flight) < state.limit.floor()
                    && (!needs_grant || state.connection_grants > 0)
                {
                    if needs_grant {
                        state.connection_grants -= 1;
                    }
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

    /// One sample: a timer of [`CPU_LAG_SAMPLE`] fired after `elapsed`, `late` of it late.
    fn observe_cpu_lag(&self, elapsed: Duration, late: Duration) {
        let granted = {
            let mut state = self.state();
            let keep = (-elapsed.as_secs_f64() / CPU_LAG_HORIZON.as_secs_f64()).exp();
            state.cpu_wall_ms = state.cpu_wall_ms * keep + elapsed.as_secs_f64() * 1000.0;
            state.cpu_late_ms = state.cpu_late_ms * keep + late.as_secs_f64() * 1000.0;
            state.on_time_ms = if late <= CPU_LAG_SAMPLE {
                state.on_time_ms + elapsed.as_secs_f64() * 1000.0
            } else {
                0.0
            };
            let on_time = state.on_time_ms >= ON_TIME_FOR.as_secs_f64() * 1000.0;
            state.connection_grants = if on_time && !state.cpu_busy() {
                let open = state.peak_in_flight.max(FREE_CONNECTIONS);
                (f64::from(open) * CONNECTION_GROWTH).ceil() as u32
            } else {
                0
            };
            state.connection_grants > 0
        };
        // Only a grant can let a waiting GET in; a wake-up for nothing costs CPU the quota
        // counts.
        if granted {
            self.room.notify_one();
        }
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
    fn cpu_busy(&self) -> bool {
        self.cpu_late_ms > self.cpu_wall_ms * CPU_BUSY_SHARE
    }

    fn observe(&mut self, latency_ms: f64) {
        self.window_sum_ms += latency_ms;
        self.window_count += 1;
        let mean_ms = self.window_sum_ms / f64::from(self.window_count);
        let eighth = MIN_WINDOW.max((self.limit / 8.0) as u32);
        // Growing needs an eighth of the limit's GETs near the lowest latency; shrinking needs a
        // whole limit's worth queueing: the first GETs after a step up share the CPU with the
        // step's handshakes, a cost paid once, not queueing that lasts.
        let whole = MIN_WINDOW.max(self.limit as u32);
        let cpu_busy = self.cpu_busy();
        let next = if mean_ms <= self.lowest_ms * GROW_BELOW && !cpu_busy {
            if self.window_count < eighth {
                return;
            }
            if self.starting {
                self.limit * START_GROWTH
            } else {
                self.limit + self.limit.sqrt()
            }
        } else {
            self.starting = false;
            if self.window_count < whole {
                return;
            }
            let tolerated_ms = self.lowest_ms * TOLERANCE;
            // While the CPU lags, the latency is the quota's: fewer in flight would not use
            // less CPU per GET (the connections are open), only leave the CPU idle at the
            // start of its next slice.
            if mean_ms <= tolerated_ms || cpu_busy {
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
            cpu_late_ms = self.cpu_late_ms,
            cpu_wall_ms = self.cpu_wall_ms,
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

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Whether one more GET still waits after 50 ms.
    async fn waits(limiter: &Limiter) -> bool {
        tokio::time::timeout(ms(50), limiter.acquire())
            .await
            .is_err()
    }

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
    fn without_queueing_the_limit_grows_fast_then_by_its_root_holds_in_the_band_and_shrinks() {
        let limit = AdaptiveLimit::new(64, 2, 1024);
        complete(&limit, 8, 20.0);
        assert_eq!(
            limit.limit(),
            96,
            "an eighth window at the lowest latency, starting: 64 x 1.5"
        );
        complete(&limit, 12, 25.0);
        assert_eq!(limit.limit(), 144, "96 x 1.5");
        // Between 1.5 and 3 times the lowest: after a whole limit's worth, the limit holds.
        complete(&limit, 143, 40.0);
        assert_eq!(
            limit.state().window_count,
            143,
            "no decision before a whole window"
        );
        complete(&limit, 1, 40.0);
        assert_eq!(limit.limit(), 144);
        // The start is over: growth by the square root.
        complete(&limit, 18, 20.0);
        assert_eq!(limit.limit(), 156, "144 + sqrt(144)");
        // Queueing: 6 times the lowest, twice the tolerated: halved.
        complete(&limit, 156, 120.0);
        assert_eq!(limit.limit(), 78);
        complete(&limit, 9, 20.0);
        assert_eq!(limit.limit(), 86, "78 + sqrt(78)");
        let report = limit.report();
        assert_eq!(
            (report.initial, report.min, report.max, report.final_limit),
            (64, 64, 156, 86)
        );
        assert_eq!(report.changes, 5, "a hold is no change");
    }

    #[test]
    fn while_the_cpu_lags_the_limit_neither_grows_nor_shrinks() {
        let limit = AdaptiveLimit::new(64, 2, 1024);
        complete(&limit, 1, 20.0);
        // A 5 ms timer that fires after 90 ms, as under a quota of a tenth of a CPU: the reader
        // runs a tenth of the time.
        limit.observe_cpu_lag(ms(90), ms(85));
        limit.observe_cpu_lag(ms(6), ms(1));
        complete(&limit, 63, 20.0);
        assert_eq!(
            limit.limit(),
            64,
            "no growth, a whole window at the lowest latency holds"
        );
        complete(&limit, 64, 200.0);
        assert_eq!(limit.limit(), 64, "the quota's latency is not queueing");
        // Then 100 ms on time: the same latency is queueing, and shrinks the limit.
        for _ in 0..20 {
            limit.observe_cpu_lag(ms(5), ms(0));
        }
        complete(&limit, 64, 200.0);
        assert_eq!(limit.limit(), 32);
        complete(&limit, 8, 20.0);
        assert_eq!(limit.limit(), 37, "32 + sqrt(32)");
    }

    #[tokio::test]
    async fn connections_beyond_the_free_ones_open_in_steps_once_the_reader_ran_on_time() {
        let limiter = Limiter::Adaptive(Arc::new(AdaptiveLimit::new(256, 2, 1024)));
        let Limiter::Adaptive(limit) = &limiter else {
            unreachable!()
        };
        let on_time = |samples: usize| {
            for _ in 0..samples {
                limit.observe_cpu_lag(ms(5), ms(0));
            }
        };
        // On time while the listing was awaited: that says nothing of the load of GETs.
        on_time(8);
        let mut open = Vec::new();
        for _ in 0..FREE_CONNECTIONS {
            open.push(limiter.acquire().await);
        }
        assert!(waits(&limiter).await, "no sample since the GETs began");
        on_time(3);
        // One sample more than its own length late: the reader was stopped; its time on time
        // starts again.
        limit.observe_cpu_lag(ms(25), ms(15));
        on_time(3);
        assert!(waits(&limiter).await, "15 ms on time is not enough");
        on_time(1);
        // 20 ms on time: the pool may grow by half of what it holds.
        let first_step = FREE_CONNECTIONS.div_ceil(2);
        for _ in 0..first_step {
            let next = tokio::time::timeout(ms(5000), limiter.acquire()).await;
            open.push(next.expect("a granted connection goes ahead"));
        }
        assert!(waits(&limiter).await, "one more waits for the next sample");
        on_time(1);
        let held = FREE_CONNECTIONS + first_step;
        for _ in 0..held.div_ceil(2) {
            let next = tokio::time::timeout(ms(5000), limiter.acquire()).await;
            open.push(next.expect("half of those held"));
        }
        assert_eq!(limit.state().peak_in_flight, held + held.div_ceil(2));
        assert_eq!(
            limit.limit(),
            256,
            "waiting for a connection is not a lower limit"
        );
    }

    #[tokio::test]
    async fn while_the_cpu_lags_no_connection_is_opened_beyond_the_free_ones() {
        let limiter = Limiter::Adaptive(Arc::new(AdaptiveLimit::new(64, 2, 1024)));
        let Limiter::Adaptive(limit) = &limiter else {
            unreachable!()
        };
        let mut open = Vec::new();
        for _ in 0..FREE_CONNECTIONS {
            open.push(limiter.acquire().await);
        }
        limit.observe_cpu_lag(ms(90), ms(85));
        let more = tokio::time::timeout(ms(50), limiter.acquire());
        assert!(
            more.await.is_err(),
            "a new connection waits while the CPU lags"
        );
        assert_eq!(
            limit.limit(),
            FREE_CONNECTIONS,
            "the connections open are the limit"
        );
        // A GET on a connection already open goes ahead.
        drop(open.pop());
        let reuse = tokio::time::timeout(ms(5000), limiter.acquire());
        assert!(reuse.await.is_ok());
    }

    #[tokio::test]
    async fn the_probe_sees_a_runtime_kept_busy() {
        let limiter = Limiter::Adaptive(Arc::new(AdaptiveLimit::new(8, 2, 64)));
        let Limiter::Adaptive(limit) = &limiter else {
            unreachable!()
        };
        let probe = limiter.start_cpu_lag_probe();
        // The current-thread runtime's only thread, blocked for 40 ms at a time: the probe's
        // timer fires late each time.
        for _ in 0..5 {
            tokio::time::sleep(Duration::from_millis(1)).await;
            std::thread::sleep(Duration::from_millis(40));
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
        let state = limit.state();
        let (late, wall) = (state.cpu_late_ms, state.cpu_wall_ms);
        assert!(
            late > wall * CPU_BUSY_SHARE,
            "{late} ms late of {wall} ms while blocked"
        );
        drop(state);
        drop(probe);
        assert!(Limiter::fixed(4).start_cpu_lag_probe().is_none());
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
        assert_eq!(limit.limit(), 24);
        // The rest of the first limit's GETs come back slow: they set no window of the new
        // limit, however many.
        for _ in 0..100 {
            limit.state().in_flight += 1;
            limit.release(0, Some(500.0));
        }
        assert_eq!(limit.limit(), 24);
        complete(&limit, 8, 20.0);
        assert_eq!(limit.limit(), 36);
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
        assert_eq!(limit.limit(), 12, "8 x 1.5");
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
