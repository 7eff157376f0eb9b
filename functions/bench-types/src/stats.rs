//! Statistics of a handful of samples, one home for the bench, the reader and the collector:
//! [`mean`], [`median`], [`describe`] (pandas' `describe()` as the seed used it) and the
//! nearest-rank [`latency_percentiles`] of a reader's GETs.

use serde::Serialize;

use crate::LatencyMs;

/// The mean, `None` for no samples.
pub fn mean(samples: &[f64]) -> Option<f64> {
    (!samples.is_empty()).then(|| samples.iter().sum::<f64>() / samples.len() as f64)
}

/// The median (the mean of the two middle values for an even count); `None` when there are no
/// samples or one is not a number.
pub fn median(samples: &[f64]) -> Option<f64> {
    if samples.is_empty() || samples.iter().any(|v| v.is_nan()) {
        return None;
    }
    Some(median_of_sorted(&sorted(samples)))
}

fn sorted(samples: &[f64]) -> Vec<f64> {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted
}

/// The median of sorted, non-empty samples.
fn median_of_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// n, mean, standard deviation, min, median and max of some samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Describe {
    /// The number of samples.
    pub n: usize,
    /// The arithmetic mean, in the samples' unit.
    pub mean: f64,
    /// The sample standard deviation (divided by n - 1, as pandas' `std()` the seed used);
    /// `None` for a single sample, where pandas gives NaN.
    pub std: Option<f64>,
    /// The smallest sample.
    pub min: f64,
    /// The median (the mean of the two middle samples for an even count).
    pub median: f64,
    /// The largest sample.
    pub max: f64,
}

/// Describes the samples; `None` when there are none. NaN samples are not expected (the
/// collector's records parser rejects them) and would propagate.
pub fn describe(samples: &[f64]) -> Option<Describe> {
    let n = samples.len();
    let mean = mean(samples)?;
    let sorted = sorted(samples);
    let std = (n > 1).then(|| {
        let sum_sq: f64 = samples.iter().map(|x| (x - mean).powi(2)).sum();
        (sum_sq / (n - 1) as f64).sqrt()
    });
    Some(Describe {
        n,
        mean,
        std,
        min: sorted[0],
        median: median_of_sorted(&sorted),
        max: sorted[n - 1],
    })
}

/// Nearest-rank percentiles of `samples` (milliseconds), which it sorts; all zero when empty.
pub fn latency_percentiles(samples: &mut [f64]) -> LatencyMs {
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
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[1.0, f64::NAN]), None);
    }

    #[test]
    fn three_rounds_are_described_as_pandas_would() {
        let d = describe(&[2.0, 4.0, 9.0]).unwrap();
        assert_eq!(
            (d.n, d.mean, d.min, d.median, d.max),
            (3, 5.0, 2.0, 4.0, 9.0)
        );
        // sum of squares 9 + 1 + 16 = 26, over n - 1 = 2: sqrt(13).
        assert!((d.std.unwrap() - 13f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn an_even_count_has_the_middle_mean_as_median() {
        assert_eq!(describe(&[4.0, 1.0, 3.0, 2.0]).unwrap().median, 2.5);
    }

    #[test]
    fn one_sample_has_no_standard_deviation_and_none_has_nothing() {
        assert_eq!(describe(&[7.0]).unwrap().std, None);
        assert_eq!(describe(&[]), None);
        assert_eq!(mean(&[]), None);
        assert_eq!(mean(&[1.0, 2.0]), Some(1.5));
    }

    #[test]
    fn nearest_rank() {
        let mut v: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        let p = latency_percentiles(&mut v);
        assert_eq!((p.p50, p.p90, p.p99, p.max), (50.0, 90.0, 99.0, 100.0));
        let p = latency_percentiles(&mut [7.0]);
        assert_eq!((p.p50, p.max), (7.0, 7.0));
        assert_eq!(latency_percentiles(&mut []), LatencyMs::default());
    }
}
