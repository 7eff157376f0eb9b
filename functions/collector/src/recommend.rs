//! The fastest, the cheapest and a balanced memory size per target, as AWS Lambda Power Tuning
//! chooses them: fastest = least mean time (ties: the cheaper), cheapest = least mean cost per
//! invocation (ties: the faster), balanced = least `w * cost / maxCost + (1 - w) * time / maxTime`
//! with `w` = `balancedWeight` (0 = fastest, 1 = cheapest). Only sizes with valid runs take part.
//! Remaining ties go to the smaller memory size.

pub(crate) use bench_types::{Choice, Recommendation};

/// The recommendation for `target` among the `candidates` (its sizes with valid runs).
pub(crate) fn recommend(
    target: &str,
    candidates: &[Choice],
    balanced_weight: f64,
) -> Recommendation {
    let pick = |key: &dyn Fn(&Choice) -> (f64, f64)| -> Option<Choice> {
        candidates.iter().copied().min_by(|a, b| {
            let (ka, kb) = (key(a), key(b));
            ka.0.total_cmp(&kb.0)
                .then(ka.1.total_cmp(&kb.1))
                .then(a.memory_mb.cmp(&b.memory_mb))
        })
    };
    let max_cost = candidates
        .iter()
        .map(|c| c.cost_usd)
        .fold(0.0_f64, f64::max);
    let max_time = candidates
        .iter()
        .map(|c| c.mean_time_s)
        .fold(0.0_f64, f64::max);
    let ratio = |value: f64, max: f64| if max > 0.0 { value / max } else { 0.0 };
    let balanced_value = |c: &Choice| {
        balanced_weight * ratio(c.cost_usd, max_cost)
            + (1.0 - balanced_weight) * ratio(c.mean_time_s, max_time)
    };
    Recommendation {
        target: target.to_string(),
        fastest: pick(&|c| (c.mean_time_s, c.cost_usd)),
        cheapest: pick(&|c| (c.cost_usd, c.mean_time_s)),
        balanced: pick(&|c| (balanced_value(c), 0.0)),
        balanced_weight,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(memory_mb: u32, mean_time_s: f64, cost_usd: f64) -> Choice {
        Choice {
            memory_mb,
            mean_time_s,
            cost_usd,
        }
    }

    #[test]
    fn fastest_cheapest_and_balanced_are_found() {
        let candidates = [
            choice(128, 10.0, 1.0),
            choice(1024, 2.0, 2.0),
            choice(4096, 1.0, 6.0),
        ];
        let r = recommend("rust", &candidates, 0.5);
        assert_eq!(r.fastest.unwrap().memory_mb, 4096);
        assert_eq!(r.cheapest.unwrap().memory_mb, 128);
        // values: 128 -> 0.5*1/6 + 0.5*10/10 = 0.583; 1024 -> 0.5*2/6 + 0.5*2/10 = 0.267;
        // 4096 -> 0.5*6/6 + 0.5*1/10 = 0.55.
        assert_eq!(r.balanced.unwrap().memory_mb, 1024);
    }

    #[test]
    fn the_weight_moves_balanced_to_either_end() {
        let candidates = [
            choice(128, 10.0, 1.0),
            choice(1024, 2.0, 2.0),
            choice(4096, 1.0, 6.0),
        ];
        assert_eq!(
            recommend("t", &candidates, 0.0).balanced.unwrap().memory_mb,
            4096
        );
        assert_eq!(
            recommend("t", &candidates, 1.0).balanced.unwrap().memory_mb,
            128
        );
    }

    #[test]
    fn ties_go_to_the_cheaper_then_the_smaller_size() {
        let r = recommend(
            "t",
            &[
                choice(512, 1.0, 2.0),
                choice(256, 1.0, 2.0),
                choice(1024, 1.0, 3.0),
            ],
            0.5,
        );
        assert_eq!(r.fastest.unwrap().memory_mb, 256);
        assert_eq!(r.cheapest.unwrap().memory_mb, 256);
    }

    #[test]
    fn no_candidates_give_no_recommendation() {
        let r = recommend("t", &[], 0.5);
        assert_eq!((r.fastest, r.cheapest, r.balanced), (None, None, None));
    }
}
