//! Descriptive statistics of a handful of samples (the rounds of one target at one memory size).

use serde::Serialize;

/// n, mean, standard deviation, min, median and max of some samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Describe {
    pub n: usize,
    pub mean: f64,
    /// The sample standard deviation (divided by n - 1, as pandas' `std()` the seed used);
    /// `None` for a single sample, where pandas gives NaN.
    pub std: Option<f64>,
    pub min: f64,
    pub median: f64,
    pub max: f64,
}

/// Describes the samples; `None` when there are none. NaN samples are not expected (the records
/// parser rejects them) and would propagate.
pub fn describe(samples: &[f64]) -> Option<Describe> {
    let n = samples.len();
    if n == 0 {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mean = mean(samples)?;
    let std = (n > 1).then(|| {
        let sum_sq: f64 = samples.iter().map(|x| (x - mean).powi(2)).sum();
        (sum_sq / (n - 1) as f64).sqrt()
    });
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    Some(Describe {
        n,
        mean,
        std,
        min: sorted[0],
        median,
        max: sorted[n - 1],
    })
}

/// The mean, `None` for no samples.
pub fn mean(samples: &[f64]) -> Option<f64> {
    (!samples.is_empty()).then(|| samples.iter().sum::<f64>() / samples.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
