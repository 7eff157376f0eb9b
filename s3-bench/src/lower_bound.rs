//! The physical lower bound of a read: no reader can beat the listing plus one request latency
//! per round of GETs. (The statistics of runs are `bench_types::stats`.)

/// The fastest any reader can list and read `objects` objects with at most `concurrency` GETs in
/// flight when every request takes `latency_s`: the listing, then ceil(N / C) rounds of GETs.
pub(crate) fn lower_bound_s(list_s: f64, objects: u64, concurrency: u32, latency_s: f64) -> f64 {
    let c = u64::from(concurrency.max(1));
    list_s + objects.div_ceil(c) as f64 * latency_s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_bound_counts_rounds_of_requests() {
        // 1000 objects at C = 64: 16 rounds of 20 ms after a 25 ms listing.
        let lb = lower_bound_s(0.025, 1000, 64, 0.020);
        assert!((lb - 0.345).abs() < 1e-9, "{lb}");
        // Sequential: one request at a time.
        assert!((lower_bound_s(0.0, 1000, 1, 0.020) - 20.0).abs() < 1e-9);
        // C above N: one round.
        assert!((lower_bound_s(0.0, 100, 256, 0.020) - 0.020).abs() < 1e-9);
        // C = 0 is treated as 1, never a division by zero.
        assert!((lower_bound_s(0.0, 3, 0, 1.0) - 3.0).abs() < 1e-9);
    }
}
