//! Counts state transitions by walking the rendered definition, not by a hand formula.
//!
//! The walk follows the happy path: every state entered counts one transition (Maps included,
//! once per entry, plus their items' states); a Choice takes the branch the [`Scenario`] names,
//! a Map runs the number of items the scenario gives for that entry. Retries are not on the
//! happy path.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::definition_check::{nested_scopes, scope_states};
use crate::error::DefinitionError;
use crate::plan::BenchmarkPlan;
use bench_types::schedule::function_groups;

/// Which branch each Choice takes and how many items each Map gets.
#[derive(Debug, Clone, Default)]
pub struct Scenario {
    /// The branch (the `Next` state's name) each Choice takes, by the Choice's name.
    pub choices: HashMap<String, String>,
    /// The items of each entry of a Map, by the Map's name: the n-th entry of the Map in the
    /// walk gets the n-th count, the list repeating (one count: every entry gets it).
    pub map_items: HashMap<String, Vec<u64>>,
}

impl Scenario {
    /// A successful run of the plan's defaults in which every memory update is done by the time
    /// Lambda answers the update (as moto answers; on AWS each further poll adds
    /// [`crate::TransitionFigures::per_extra_poll`]).
    pub fn happy_path(plan: &BenchmarkPlan) -> Self {
        let shape = plan.shape();
        // Every target at each of its concurrency values is one item of its function's Map.
        let groups = function_groups(&plan.targets, &plan.concurrencies).unwrap_or_default();
        let functions = groups.len() as u64;
        let targets_per_function: Vec<u64> =
            groups.iter().map(|g| g.targets.len() as u64).collect();
        let after_update = if plan.warmup { "WarmUp" } else { "Targets" };
        // One function runs its steps; several, sizes that update them side by side.
        let path = if functions == 1 { "Steps" } else { "Sizes" };
        let after_update_each = format!("{after_update}Each");
        let choices = [
            ("CheckInputIsObject", "MergeInput"),
            ("ValidateInput", "ValidateMemorySizes"),
            ("CheckValidation", "CheckNoOtherRun"),
            ("CheckOtherRuns", "CaptureOriginals"),
            ("CheckMemorySize", "MemorySizeValid"),
            ("ChooseSteps", path),
            ("CheckUpdate", after_update),
            ("CheckUpdateEach", "Updated"),
            ("CheckUpdated", after_update_each.as_str()),
        ];
        let maps = [
            ("ValidateMemorySizes", vec![shape.sizes]),
            ("CaptureOriginals", vec![functions]),
            ("Rounds", vec![shape.rounds]),
            (path, vec![shape.sizes]),
            ("UpdateMemory", vec![functions]),
            ("Functions", vec![functions]),
            // Each size runs the functions in order, each with its own targets.
            ("Targets", targets_per_function.clone()),
            ("TargetsEach", targets_per_function),
            ("RestoreMemory", vec![functions]),
        ];
        Self {
            choices: choices
                .iter()
                .map(|(c, n)| (c.to_string(), n.to_string()))
                .collect(),
            map_items: maps.into_iter().map(|(m, n)| (m.to_string(), n)).collect(),
        }
    }
}

/// What a walk counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    /// States entered: the billed state transitions.
    pub(crate) transitions: u64,
    /// Execution history events, as Step Functions writes them (and moto, which copies the
    /// scheme): a Task 5 (entered, scheduled, started, succeeded, exited), a Map 4 plus 2 per
    /// item, any other state 2, the execution itself 2. AWS stops an execution at 25,000.
    pub(crate) history_events: u64,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.transitions += other.transitions;
        self.history_events += other.history_events;
    }
}

/// Events one state writes to the history when entered (a Map's items come on top).
fn events_of(kind: &str) -> u64 {
    match kind {
        "Task" => 5,
        "Map" | "Parallel" => 4,
        _ => 2,
    }
}

/// The transitions of a whole execution of `definition` under `scenario`.
pub fn count_transitions(definition: &Value, scenario: &Scenario) -> Result<u64, DefinitionError> {
    Ok(walk(definition, scenario)?.transitions)
}

/// Transitions and history events of a whole execution of `definition` under `scenario`.
pub(crate) fn walk(definition: &Value, scenario: &Scenario) -> Result<Tally, DefinitionError> {
    let mut tally = walk_scope("top level", definition, scenario, &mut HashMap::new())?;
    tally.history_events += 2;
    Ok(tally)
}

fn walk_error(problem: String) -> DefinitionError {
    DefinitionError::Walk { problem }
}

/// Walks one scope; `entries` counts how often each Map has been entered so far.
fn walk_scope(
    scope_name: &str,
    scope: &Value,
    scenario: &Scenario,
    entries: &mut HashMap<String, usize>,
) -> Result<Tally, DefinitionError> {
    let (start, states) = scope_states(scope_name, scope)?;
    let mut visited = HashSet::new();
    let mut current = start;
    let mut count = Tally::default();
    loop {
        if !visited.insert(current) {
            return Err(walk_error(format!(
                "the happy path enters \"{current}\" twice (a loop)"
            )));
        }
        let state = states
            .get(current)
            .ok_or_else(|| walk_error(format!("no state \"{current}\" in {scope_name}")))?;
        let kind = state
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        count.transitions += 1;
        count.history_events += events_of(kind);
        match kind {
            "Map" => {
                let counts = scenario
                    .map_items
                    .get(current)
                    .filter(|counts| !counts.is_empty())
                    .ok_or_else(|| {
                        walk_error(format!(
                            "the scenario gives no item count for Map \"{current}\""
                        ))
                    })?;
                let entry = entries.entry(current.to_owned()).or_default();
                let items = counts[*entry % counts.len()];
                *entry += 1;
                count.history_events += 2 * items;
                for _ in 0..items {
                    for nested in nested_scopes(state) {
                        count.add(walk_scope(current, nested, scenario, entries)?);
                    }
                }
            }
            "Parallel" => {
                for nested in nested_scopes(state) {
                    count.add(walk_scope(current, nested, scenario, entries)?);
                }
            }
            "Fail" => {
                return Err(walk_error(format!(
                    "the happy path reaches Fail \"{current}\""
                )));
            }
            "Succeed" => return Ok(count),
            _ => {}
        }
        let next = if kind == "Choice" {
            scenario
                .choices
                .get(current)
                .map(String::as_str)
                .ok_or_else(|| {
                    walk_error(format!(
                        "the scenario names no branch for Choice \"{current}\""
                    ))
                })?
        } else if state.get("End") == Some(&Value::Bool(true)) {
            return Ok(count);
        } else {
            state
                .get("Next")
                .and_then(Value::as_str)
                .ok_or_else(|| walk_error(format!("\"{current}\" has no Next")))?
        };
        current = next;
    }
}

/// What one more `LastUpdateStatus` poll costs: the states from the Choice's not-yet branch
/// (`Default` of `choice`) back to the Choice, the Choice included.
pub(crate) fn poll_cost(definition: &Value, choice: &str) -> Result<Tally, DefinitionError> {
    let (scope, choice_state) = find_state(definition, choice)
        .ok_or_else(|| walk_error(format!("no Choice \"{choice}\" in the definition")))?;
    let (_, states) = scope_states(choice, scope)?;
    let mut current = choice_state
        .get("Default")
        .and_then(Value::as_str)
        .ok_or_else(|| walk_error(format!("Choice \"{choice}\" has no Default")))?;
    let mut tally = Tally::default();
    // Bounded by the scope's size: a longer cycle cannot exist.
    for _ in 0..=states.len() {
        let state = states
            .get(current)
            .ok_or_else(|| walk_error(format!("the poll loop reaches a missing \"{current}\"")))?;
        tally.transitions += 1;
        tally.history_events += events_of(
            state
                .get("Type")
                .and_then(Value::as_str)
                .unwrap_or_default(),
        );
        if current == choice {
            return Ok(tally);
        }
        current = state
            .get("Next")
            .and_then(Value::as_str)
            .ok_or_else(|| walk_error(format!("the poll loop breaks at \"{current}\"")))?;
    }
    Err(walk_error(format!(
        "the poll loop from \"{choice}\" does not come back to it"
    )))
}

/// The scope holding the state `name`, and the state.
fn find_state<'a>(scope: &'a Value, name: &str) -> Option<(&'a Value, &'a Value)> {
    let states = scope.get("States")?.as_object()?;
    if let Some(state) = states.get(name) {
        return Some((scope, state));
    }
    states
        .values()
        .flat_map(nested_scopes)
        .find_map(|nested| find_state(nested, name))
}
