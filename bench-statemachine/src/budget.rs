//! The execution history a run needs, as a function of its size, measured on the definition:
//! `fixed + sizes x per_memory_size + functions x per_function + targets x per_target + rounds x
//! (per_round + sizes x (per_step + functions x per_update + targets x per_configuration))` (the
//! sizes are checked once, the functions read and restored once, the rest is the sweep: a step
//! is one memory size of a round, an update one function's memory update and warm-up in it, a
//! configuration one target's timed invoke). The definition
//! bakes this budget into its input check, so an execution input that asks for more than Step
//! Functions' 25,000 events is refused before anything changes (ASL cannot multiply, the
//! collector's check can).

use bench_types::validation::HistoryBudget;
#[cfg(test)]
use bench_types::validation::RunShape;
use serde_json::Value;

use crate::error::Error;
use crate::plan::{BenchmarkPlan, TargetSpec};
use crate::render::render_with_budget;
use crate::report::MAX_HISTORY_EVENTS;
use crate::transitions::{poll_cost, walk, Scenario};

/// `LastUpdateStatus` polls counted per memory update: AWS usually needs one, the margin two.
const POLLS_PER_UPDATE: u64 = 2;
/// Retried task attempts counted per update and per configuration (throttling, a transient
/// Lambda error).
const RETRIES_PER_TASK_GROUP: u64 = 2;
/// A retried attempt adds TaskScheduled, TaskStarted and TaskFailed to the history.
const EVENTS_PER_RETRY: u64 = 3;

/// The budget of `plan`'s definition, with the margins above on every step and configuration.
pub(crate) fn history_budget(plan: &BenchmarkPlan) -> Result<HistoryBudget, Error> {
    let placeholder = HistoryBudget {
        fixed: 0,
        per_memory_size: 0,
        per_function: 0,
        per_target: 0,
        per_round: 0,
        per_step: 0,
        per_update: 0,
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
    let events =
        |rounds: u32, sizes: u32, functions: usize, targets: usize| -> Result<i128, Error> {
            let variant = sized(plan, rounds, sizes, functions, targets);
            let tally = walk(&definition(&variant)?, &Scenario::happy_path(&variant))?;
            Ok(i128::from(tally.history_events))
        };
    // Nine walks of runs of two and three functions give the eight coefficients (differences
    // of differences); `d_round` is what a second round adds. A run of one function takes the
    // shorter Steps path, which the model then overestimates (checked in the tests).
    let d_round = |sizes: u32, functions: usize, targets: usize| -> Result<i128, Error> {
        Ok(events(2, sizes, functions, targets)? - events(1, sizes, functions, targets)?)
    };
    let base = events(1, 1, 2, 2)?;
    let round_base = d_round(1, 2, 2)?;
    let configuration = d_round(1, 2, 3)? - round_base;
    let update = d_round(1, 3, 3)? - d_round(1, 2, 3)?;
    let step = d_round(2, 2, 2)? - round_base - 2 * update - 2 * configuration;
    let round = round_base - step - 2 * update - 2 * configuration;
    let memory_size = events(1, 2, 2, 2)? - base - step - 2 * update - 2 * configuration;
    let target = events(1, 1, 2, 3)? - base - configuration;
    let function = events(1, 1, 3, 3)? - events(1, 1, 2, 3)? - update;
    let fixed = base
        - memory_size
        - 2 * function
        - 2 * target
        - round
        - step
        - 2 * update
        - 2 * configuration;
    let coefficient = |x: i128| {
        u64::try_from(x).map_err(|_| {
            Error::from(crate::error::DefinitionError::Walk {
                problem: format!(
                    "the history is not linear in the run's size (coefficient {x}); the budget cannot be measured"
                ),
            })
        })
    };
    let poll = poll_cost(&definition(&sized(plan, 1, 1, 2, 2))?, "CheckUpdate")?.history_events;
    let retries = RETRIES_PER_TASK_GROUP * EVENTS_PER_RETRY;
    Ok(HistoryBudget {
        fixed: coefficient(fixed)?,
        per_memory_size: coefficient(memory_size)?,
        per_function: coefficient(function)?,
        per_target: coefficient(target)?,
        per_round: coefficient(round)?,
        per_step: coefficient(step)?,
        per_update: coefficient(update)? + POLLS_PER_UPDATE * poll + retries,
        per_configuration: coefficient(configuration)? + retries,
        max: MAX_HISTORY_EVENTS,
    })
}

/// `plan` with `rounds` rounds, `sizes` memory sizes and `targets` targets (copies of its first)
/// spread evenly over `functions` functions.
fn sized(
    plan: &BenchmarkPlan,
    rounds: u32,
    sizes: u32,
    functions: usize,
    targets: usize,
) -> BenchmarkPlan {
    let template = plan.targets.first().cloned().unwrap_or_else(|| TargetSpec {
        name: "t".into(),
        function_name: "f".into(),
        payload: Default::default(),
        auto_concurrency: false,
    });
    let functions = functions.max(1);
    BenchmarkPlan {
        rounds,
        memory_sizes: (0..sizes).map(|i| 128 + i).collect(),
        targets: (0..targets)
            .map(|i| TargetSpec {
                name: format!("{}-{i}", template.name),
                function_name: format!("{}-{}", template.function_name, i % functions),
                ..template.clone()
            })
            .collect(),
        ..plan.clone()
    }
}

/// The shape of a [`sized`] plan.
#[cfg(test)]
fn shape(rounds: u32, sizes: u32, functions: usize, targets: usize) -> RunShape {
    RunShape {
        rounds: u64::from(rounds),
        sizes: u64::from(sizes),
        functions: functions as u64,
        targets: targets as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The linear model is exact on the happy path of runs of several functions: it predicts
    /// the walk of plans it was not measured on; a run of one function needs less.
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
        let retries = RETRIES_PER_TASK_GROUP * EVENTS_PER_RETRY;
        let happy = HistoryBudget {
            per_update: budget.per_update - POLLS_PER_UPDATE * poll - retries,
            per_configuration: budget.per_configuration - retries,
            ..budget
        };
        let walked = |rounds, sizes, functions, targets| {
            let variant = sized(&plan, rounds, sizes, functions, targets);
            assert_eq!(variant.shape(), shape(rounds, sizes, functions, targets));
            let definition = crate::render::render_definition_value(&variant).expect("renders");
            walk(&definition, &Scenario::happy_path(&variant))
                .expect("walks")
                .history_events
        };
        for (rounds, sizes, functions, targets) in [
            (3u32, 10u32, 2usize, 2usize),
            (2, 3, 2, 4),
            (5, 1, 3, 3),
            (2, 2, 4, 5),
        ] {
            assert_eq!(
                happy.events(shape(rounds, sizes, functions, targets)),
                walked(rounds, sizes, functions, targets),
                "{rounds} x {sizes} x {functions} x {targets}"
            );
        }
        for (rounds, sizes, targets) in [(3u32, 10u32, 1usize), (2, 2, 3), (1, 1, 1)] {
            let one_function = walked(rounds, sizes, 1, targets);
            let modelled = happy.events(shape(rounds, sizes, 1, targets));
            assert!(
                one_function < modelled,
                "{rounds} x {sizes} x 1 x {targets}: {one_function} walked, {modelled} budgeted"
            );
        }
        assert!(budget.events(shape(3, 10, 1, 1)) > happy.events(shape(3, 10, 1, 1)));
    }

    /// A target that shares its function adds its invoke and record, not another update.
    #[test]
    fn a_target_on_a_shared_function_costs_less_than_one_on_its_own() {
        let budget = history_budget(&BenchmarkPlan::default()).expect("budget");
        let shared = budget.events(shape(1, 1, 2, 3));
        let own = budget.events(shape(1, 1, 3, 3));
        assert_eq!(own - shared, budget.per_function + budget.per_update);
        assert!(budget.per_update > budget.per_configuration);
    }
}
