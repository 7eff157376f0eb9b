//! The execution history a run needs, as a function of its size, measured on the definition:
//! `fixed + sizes x per_memory_size + targets x per_target + rounds x (per_round + sizes x
//! (per_round_and_size + targets x per_configuration))` (the sizes are checked once, the targets
//! read and restored once, the rest is the sweep). The definition bakes this budget into its input
//! check, so an execution input that asks for more than Step Functions' 25,000 events is refused
//! before anything changes (ASL cannot multiply, the collector's check can).

use bench_types::validation::HistoryBudget;
use serde_json::Value;

use crate::error::Error;
use crate::plan::{BenchmarkPlan, TargetSpec};
use crate::render::render_with_budget;
use crate::report::MAX_HISTORY_EVENTS;
use crate::transitions::{poll_cost, walk, Scenario};

/// `LastUpdateStatus` polls counted per configuration: AWS usually needs one, the margin two.
const POLLS_PER_CONFIGURATION: u64 = 2;
/// Retried task attempts counted per configuration (throttling, a transient Lambda error).
const RETRIES_PER_CONFIGURATION: u64 = 2;
/// A retried attempt adds TaskScheduled, TaskStarted and TaskFailed to the history.
const EVENTS_PER_RETRY: u64 = 3;

/// The budget of `plan`'s definition, with the margins above on every configuration.
pub(crate) fn history_budget(plan: &BenchmarkPlan) -> Result<HistoryBudget, Error> {
    let placeholder = HistoryBudget {
        fixed: 0,
        per_memory_size: 0,
        per_target: 0,
        per_round: 0,
        per_round_and_size: 0,
        per_configuration: 0,
        max: MAX_HISTORY_EVENTS,
    };
    let definition = |variant: &BenchmarkPlan| -> Result<Value, Error> {
        let text = render_with_budget(variant, placeholder)?;
        serde_json::from_str(&text).map_err(|source| Error::Json {
            what: "state machine definition",
            source,
        })
    };
    let events = |rounds: u32, sizes: u32, targets: usize| -> Result<i128, Error> {
        let variant = sized(plan, rounds, sizes, targets);
        let tally = walk(&definition(&variant)?, &Scenario::happy_path(&variant))?;
        Ok(i128::from(tally.history_events))
    };
    // Six walks give the six coefficients (differences of differences).
    let e111 = events(1, 1, 1)?;
    let round = events(2, 1, 1)? - e111;
    let c = (events(2, 1, 2)? - events(1, 1, 2)?) - round;
    let b = (events(2, 2, 1)? - events(1, 2, 1)?) - round - c;
    let a = round - b - c;
    let v = (events(1, 2, 1)? - e111) - b - c;
    let w = (events(1, 1, 2)? - e111) - c;
    let fixed = e111 - v - w - a - b - c;
    let coefficient = |x: i128| {
        u64::try_from(x).map_err(|_| {
            Error::from(crate::error::DefinitionError::Walk {
                problem: format!(
                    "the history is not linear in the run's size (coefficient {x}); the budget cannot be measured"
                ),
            })
        })
    };
    let poll = poll_cost(&definition(&sized(plan, 1, 1, 1))?, "CheckUpdate")?.history_events;
    Ok(HistoryBudget {
        fixed: coefficient(fixed)?,
        per_memory_size: coefficient(v)?,
        per_target: coefficient(w)?,
        per_round: coefficient(a)?,
        per_round_and_size: coefficient(b)?,
        per_configuration: coefficient(c)?
            + POLLS_PER_CONFIGURATION * poll
            + RETRIES_PER_CONFIGURATION * EVENTS_PER_RETRY,
        max: MAX_HISTORY_EVENTS,
    })
}

/// `plan` with `rounds` rounds, `sizes` memory sizes and `targets` targets (copies of its first).
fn sized(plan: &BenchmarkPlan, rounds: u32, sizes: u32, targets: usize) -> BenchmarkPlan {
    let template = plan.targets.first().cloned().unwrap_or_else(|| TargetSpec {
        name: "t".into(),
        function_name: "f".into(),
        payload: Default::default(),
    });
    BenchmarkPlan {
        rounds,
        memory_sizes: (0..sizes).map(|i| 128 + i).collect(),
        targets: (0..targets)
            .map(|i| TargetSpec {
                name: format!("{}-{i}", template.name),
                ..template.clone()
            })
            .collect(),
        ..plan.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The linear model is exact on the happy path: it predicts the walk of a plan it was not
    /// measured on.
    #[test]
    fn the_budget_predicts_the_walked_history() {
        let plan = BenchmarkPlan::default();
        let budget = history_budget(&plan).expect("budget");
        let poll = poll_cost(
            &crate::render::render_definition_value(&plan).expect("renders"),
            "CheckUpdate",
        )
        .expect("poll")
        .history_events;
        let margin = POLLS_PER_CONFIGURATION * poll + RETRIES_PER_CONFIGURATION * EVENTS_PER_RETRY;
        let happy = HistoryBudget {
            per_configuration: budget.per_configuration - margin,
            ..budget
        };
        for (rounds, sizes, targets) in [(3u32, 10u32, 1usize), (2, 3, 4), (5, 1, 3)] {
            let variant = sized(&plan, rounds, sizes, targets);
            let definition = crate::render::render_definition_value(&variant).expect("renders");
            let walked = walk(&definition, &Scenario::happy_path(&variant))
                .expect("walks")
                .history_events;
            assert_eq!(
                happy.events(u64::from(rounds), u64::from(sizes), targets as u64),
                walked,
                "{rounds} x {sizes} x {targets}"
            );
        }
        assert!(budget.events(3, 10, 1) > happy.events(3, 10, 1));
    }
}
