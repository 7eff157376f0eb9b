//! The validation pass on a rendered definition: the States Language rules a typo in a template
//! could break, plus this project's own (one successful end, every Map one item at a time).

use std::collections::{BTreeMap, HashSet, VecDeque};

use serde_json::{Map, Value};

use crate::error::DefinitionError;

const STATE_TYPES: [&str; 8] = [
    "Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Map", "Parallel",
];

/// Checks the whole definition; the first problem found is returned.
pub fn check_definition(definition: &Value) -> Result<(), DefinitionError> {
    let mut seen = HashSet::new();
    let successful_ends = check_scope("top level", definition, &mut seen)?;
    if successful_ends != 1 {
        return Err(DefinitionError::TerminalPaths {
            count: successful_ends,
        });
    }
    Ok(())
}

/// A scope's `States`, by name, and its `StartAt`.
pub(crate) fn scope_states<'a>(
    scope_name: &str,
    scope: &'a Value,
) -> Result<(&'a str, &'a Map<String, Value>), DefinitionError> {
    let missing = || DefinitionError::MissingStartOrStates {
        scope: scope_name.to_string(),
    };
    let start = scope
        .get("StartAt")
        .and_then(Value::as_str)
        .ok_or_else(missing)?;
    let states = scope
        .get("States")
        .and_then(Value::as_object)
        .ok_or_else(missing)?;
    if states.is_empty() {
        return Err(missing());
    }
    Ok((start, states))
}

/// The nested scopes of a state: a Map's processor, a Parallel's branches.
pub(crate) fn nested_scopes(state: &Value) -> Vec<&Value> {
    let mut scopes = Vec::new();
    for key in ["ItemProcessor", "Iterator"] {
        if let Some(scope) = state.get(key) {
            scopes.push(scope);
        }
    }
    if let Some(branches) = state.get("Branches").and_then(Value::as_array) {
        scopes.extend(branches.iter());
    }
    scopes
}

/// Checks one scope and the scopes nested in it; returns how many of its states end the scope
/// successfully (End: true or Succeed).
fn check_scope(
    scope_name: &str,
    scope: &Value,
    seen: &mut HashSet<String>,
) -> Result<usize, DefinitionError> {
    let (start, states) = scope_states(scope_name, scope)?;
    if !states.contains_key(start) {
        return Err(DefinitionError::UnknownStartAt {
            scope: scope_name.to_string(),
            name: start.to_string(),
        });
    }
    let mut edges: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut successful_ends = 0;
    for (name, state) in states {
        if !seen.insert(name.clone()) {
            return Err(DefinitionError::DuplicateStateName { name: name.clone() });
        }
        let targets = check_state(name, state)?;
        for (field, target) in &targets {
            if !states.contains_key(*target) {
                return Err(DefinitionError::UnknownTarget {
                    state: name.clone(),
                    field: field.clone(),
                    target: target.to_string(),
                });
            }
        }
        edges.insert(name, targets.iter().map(|(_, t)| *t).collect());
        let kind = state
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if kind == "Succeed" || state.get("End") == Some(&Value::Bool(true)) {
            successful_ends += 1;
        }
        for nested in nested_scopes(state) {
            let nested_ends = check_scope(&format!("{name} (nested)"), nested, seen)?;
            if nested_ends == 0 {
                return Err(DefinitionError::Malformed {
                    state: name.clone(),
                    problem: "its nested states never end successfully".into(),
                });
            }
        }
    }
    let mut reached = HashSet::from([start]);
    let mut queue = VecDeque::from([start]);
    while let Some(name) = queue.pop_front() {
        for next in edges.get(name).into_iter().flatten() {
            if reached.insert(next) {
                queue.push_back(next);
            }
        }
    }
    if let Some(unreached) = states.keys().find(|n| !reached.contains(n.as_str())) {
        return Err(DefinitionError::Unreachable {
            state: unreached.clone(),
        });
    }
    Ok(successful_ends)
}

/// Checks one state's own fields; returns the states it can go to, with the field naming each.
fn check_state<'a>(
    name: &str,
    state: &'a Value,
) -> Result<Vec<(String, &'a str)>, DefinitionError> {
    let malformed = |problem: &str| DefinitionError::Malformed {
        state: name.to_string(),
        problem: problem.to_string(),
    };
    let kind = state
        .get("Type")
        .and_then(Value::as_str)
        .filter(|k| STATE_TYPES.contains(k))
        .ok_or_else(|| DefinitionError::UnknownType {
            state: name.to_string(),
        })?;
    let mut targets = Vec::new();
    let next = state.get("Next").and_then(Value::as_str);
    let end = state.get("End") == Some(&Value::Bool(true));
    match kind {
        "Choice" => {
            let choices = state
                .get("Choices")
                .and_then(Value::as_array)
                .filter(|c| !c.is_empty())
                .ok_or_else(|| malformed("a Choice needs a non-empty Choices list"))?;
            for (i, rule) in choices.iter().enumerate() {
                let target = rule
                    .get("Next")
                    .and_then(Value::as_str)
                    .ok_or_else(|| malformed("every Choice rule needs a Next"))?;
                targets.push((format!("Choices[{i}].Next"), target));
            }
            if let Some(default) = state.get("Default").and_then(Value::as_str) {
                targets.push(("Default".into(), default));
            }
            if next.is_some() || end {
                return Err(malformed("a Choice takes no Next or End"));
            }
        }
        "Succeed" | "Fail" => {
            if next.is_some() || end {
                return Err(malformed("a terminal state takes no Next or End"));
            }
            if kind == "Fail" && state.get("Error").is_none() && state.get("ErrorPath").is_none() {
                return Err(malformed("a Fail state needs an Error name"));
            }
        }
        _ => match (next, end) {
            (Some(target), false) => targets.push(("Next".into(), target)),
            (None, true) => {}
            (Some(_), true) => return Err(malformed("has both Next and End")),
            (None, false) => {
                return Err(DefinitionError::NoTransition {
                    state: name.to_string(),
                })
            }
        },
    }
    if kind == "Map" {
        check_map_concurrency(name, state)?;
    }
    check_error_lists(name, state, "Retry")?;
    check_error_lists(name, state, "Catch")?;
    if let Some(catchers) = state.get("Catch").and_then(Value::as_array) {
        for (i, catcher) in catchers.iter().enumerate() {
            let target = catcher
                .get("Next")
                .and_then(Value::as_str)
                .ok_or_else(|| malformed("every Catch needs a Next"))?;
            targets.push((format!("Catch[{i}].Next"), target));
        }
    }
    Ok(targets)
}

/// Maps whose items are distinct functions' memory updates, and so may run side by side.
const PARALLEL_MAPS: [&str; 1] = ["UpdateMemory"];

/// Every Map runs one item at a time (one function has one $LATEST, and two measurements must
/// not share the machine), but the ones in [`PARALLEL_MAPS`], which run a bounded number.
fn check_map_concurrency(name: &str, state: &Value) -> Result<(), DefinitionError> {
    let limit = state.get("MaxConcurrency").and_then(Value::as_u64);
    let allowed = if PARALLEL_MAPS.contains(&name) {
        limit.is_some_and(|n| n >= 1)
    } else {
        limit == Some(1)
    };
    if allowed {
        return Ok(());
    }
    Err(DefinitionError::Malformed {
        state: name.to_string(),
        problem: if PARALLEL_MAPS.contains(&name) {
            "MaxConcurrency must be a bound of at least 1 (0 would start every item at once)".into()
        } else {
            "every Map must run one item at a time (MaxConcurrency 1): one function has one $LATEST, and two measurements must not overlap".into()
        },
    })
}

/// Every retrier and catcher names at least one error; `States.ALL` stands alone in the last one.
fn check_error_lists(name: &str, state: &Value, field: &str) -> Result<(), DefinitionError> {
    let Some(list) = state.get(field) else {
        return Ok(());
    };
    let malformed = |problem: String| DefinitionError::Malformed {
        state: name.to_string(),
        problem,
    };
    let entries = list
        .as_array()
        .ok_or_else(|| malformed(format!("{field} must be a list")))?;
    for (i, entry) in entries.iter().enumerate() {
        let errors = entry
            .get("ErrorEquals")
            .and_then(Value::as_array)
            .filter(|e| !e.is_empty())
            .ok_or_else(|| malformed(format!("{field}[{i}] needs a non-empty ErrorEquals")))?;
        let has_all = errors.iter().any(|e| e == "States.ALL");
        if has_all && (errors.len() > 1 || i + 1 != entries.len()) {
            return Err(malformed(format!(
                "{field}[{i}]: States.ALL must be alone and in the last entry"
            )));
        }
    }
    Ok(())
}
