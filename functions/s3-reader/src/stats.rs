//! Latency percentiles.

use bench_types::LatencyMs;

/// Nearest-rank percentiles of `samples` (milliseconds); all zero when empty.
pub fn percentiles(samples: &mut [f64]) -> LatencyMs {
    if samples.is_empty() {
        return LatencyMs::default();
    }
    samples.sort_by(f64::total_cmp);
    let at = |p: f64| {
        let rank = (p / 100.0 * samples.len() as f64).ceil() as usize;
        samples[rank.clamp(1, samples.len()) - 1]
    };
    LatencyMs {
        p50: at(50.0),
        p90: at(90.0),
        p99: at(99.0),
        max: samples[samples.len() - 1],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let mut v: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        let p = percentiles(&mut v);
        assert_eq!((p.p50, p.p90, p.p99, p.max), (50.0, 90.0, 99.0, 100.0));
        let p = percentiles(&mut [7.0]);
        assert_eq!((p.p50, p.max), (7.0, 7.0));
        assert_eq!(percentiles(&mut []), LatencyMs::default());
    }
}
