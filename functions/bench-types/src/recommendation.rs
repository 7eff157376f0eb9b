//! Contract 4: the collector's recommendations, per target the fastest, the cheapest and a
//! balanced memory size. The collector writes them into `summary.json` and its answer (the
//! execution's output, [`crate::CollectorSummary`]); `deploy run` prints them.

use serde::{Deserialize, Serialize};

/// Power Tuning's default trade-off between cost and time (0 = fastest, 1 = cheapest).
pub const DEFAULT_BALANCED_WEIGHT: f64 = 0.5;

/// One candidate memory size of a target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Choice {
    /// The memory size, in MB.
    pub memory_mb: u32,
    /// The mean `time` of its valid runs, in seconds.
    pub mean_time_s: f64,
    /// The mean cost of one invocation, in USD.
    pub cost_usd: f64,
}

/// What the collector recommends for one target; a pick is `None` (JSON `null`) when no
/// memory size of the target has a valid run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recommendation {
    /// The target's name, as in the input's `targets`.
    pub target: String,
    /// The least mean time (ties: the cheaper).
    pub fastest: Option<Choice>,
    /// The least mean cost per invocation (ties: the faster).
    pub cheapest: Option<Choice>,
    /// The least weighted sum of cost and time, each relative to the target's largest.
    pub balanced: Option<Choice>,
    /// The weight `balanced` was chosen with; older answers without it used the default.
    #[serde(default = "default_balanced_weight")]
    pub balanced_weight: f64,
}

fn default_balanced_weight() -> f64 {
    DEFAULT_BALANCED_WEIGHT
}

impl Recommendation {
    /// The three picks with their names, in the order they are shown.
    pub fn picks(&self) -> [(&'static str, Option<Choice>); 3] {
        [
            ("fastest", self.fastest),
            ("cheapest", self.cheapest),
            ("balanced", self.balanced),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_wire_shape_is_camel_case_with_null_picks() {
        let rec = Recommendation {
            target: "rust".into(),
            fastest: Some(Choice {
                memory_mb: 3008,
                mean_time_s: 0.5,
                cost_usd: 0.00002,
            }),
            cheapest: None,
            balanced: None,
            balanced_weight: 0.25,
        };
        let json = serde_json::to_value(&rec).unwrap();
        assert_eq!(
            json,
            json!({"target": "rust",
                "fastest": {"memoryMb": 3008, "meanTimeS": 0.5, "costUsd": 0.00002},
                "cheapest": null, "balanced": null, "balancedWeight": 0.25})
        );
        assert_eq!(serde_json::from_value::<Recommendation>(json).unwrap(), rec);
    }

    #[test]
    fn an_answer_without_the_weight_reads_with_the_default() {
        let rec: Recommendation =
            serde_json::from_value(json!({"target": "t", "fastest": null, "cheapest": null,
                "balanced": null}))
            .unwrap();
        assert_eq!(rec.balanced_weight, DEFAULT_BALANCED_WEIGHT);
        assert_eq!(
            rec.picks().map(|(name, _)| name),
            ["fastest", "cheapest", "balanced"]
        );
    }
}
