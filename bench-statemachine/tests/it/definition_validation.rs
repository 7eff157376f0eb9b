//! The definition's validation pass: the rendered variants pass, and each kind of breakage
//! (made by editing a rendered definition) is caught with the state named.

use crate::support;

use bench_statemachine::definition_check::check_definition;
use bench_statemachine::{render_plan, DefinitionError};
use serde_json::{json, Value};

fn default_definition() -> Value {
    render_plan(&support::variants()[0].1)
        .expect("renders")
        .definition
}

/// The states of one (memory size, function) step, two Maps deep.
fn step_states(d: &mut Value) -> &mut Value {
    &mut d["States"]["Rounds"]["ItemProcessor"]["States"]["Steps"]["ItemProcessor"]["States"]
}

/// The states of one target's run inside a step, three Maps deep.
fn target_states(d: &mut Value) -> &mut Value {
    &mut step_states(d)["Targets"]["ItemProcessor"]["States"]
}

fn broken(edit: impl FnOnce(&mut Value)) -> DefinitionError {
    let mut d = default_definition();
    edit(&mut d);
    check_definition(&d).expect_err("the broken definition is refused")
}

#[test]
fn every_variant_passes() {
    for (name, plan) in support::variants() {
        let d = render_plan(&plan)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .definition;
        check_definition(&d).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn a_next_to_a_missing_state_is_caught_in_a_nested_map() {
    let err = broken(|d| step_states(d)["WarmUp"]["Next"] = "Target".into());
    assert_eq!(
        err,
        DefinitionError::UnknownTarget {
            state: "WarmUp".into(),
            field: "Next".into(),
            target: "Target".into()
        }
    );
}

#[test]
fn a_target_in_another_scope_is_not_reachable_by_next() {
    // "Report" exists, but at the top level, not inside the Targets Map.
    let err = broken(|d| target_states(d)["RecordRun"] = json!({"Type": "Pass", "Next": "Report"}));
    assert!(
        matches!(err, DefinitionError::UnknownTarget { ref target, .. } if target == "Report"),
        "{err}"
    );
}

#[test]
fn a_catch_and_a_choice_target_are_checked() {
    let err = broken(|d| target_states(d)["TimedInvoke"]["Catch"][0]["Next"] = "Nowhere".into());
    assert!(
        matches!(err, DefinitionError::UnknownTarget { ref field, .. } if field == "Catch[0].Next"),
        "{err}"
    );
    let err = broken(|d| d["States"]["ValidateInput"]["Default"] = "Nowhere".into());
    assert!(
        matches!(err, DefinitionError::UnknownTarget { ref field, .. } if field == "Default"),
        "{err}"
    );
}

#[test]
fn a_state_name_used_twice_across_maps_is_caught() {
    let err = broken(|d| {
        target_states(d)["Report"] = json!({"Type": "Succeed"});
    });
    assert!(
        matches!(err, DefinitionError::DuplicateStateName { ref name } if name == "Report" ),
        "{err}"
    );
}

#[test]
fn an_unreachable_state_is_caught() {
    let err = broken(|d| d["States"]["Orphan"] = json!({"Type": "Pass", "Next": "Report"}));
    assert_eq!(
        err,
        DefinitionError::Unreachable {
            state: "Orphan".into()
        }
    );
}

#[test]
fn a_state_without_next_or_end_is_caught() {
    let err = broken(|d| {
        d["States"]["Prepare"]
            .as_object_mut()
            .expect("object")
            .remove("Next");
    });
    assert_eq!(
        err,
        DefinitionError::NoTransition {
            state: "Prepare".into()
        }
    );
}

#[test]
fn a_second_successful_end_is_caught() {
    // The failure path ending in Succeed would report a failed sweep as a success.
    let err = broken(|d| d["States"]["SweepFailed"] = json!({"Type": "Succeed"}));
    assert_eq!(err, DefinitionError::TerminalPaths { count: 2 });
}

#[test]
fn a_parallel_map_and_a_misplaced_states_all_are_caught() {
    let err = broken(|d| d["States"]["Rounds"]["MaxConcurrency"] = 0.into());
    assert!(
        matches!(err, DefinitionError::Malformed { ref state, .. } if state == "Rounds"),
        "{err}"
    );
    let err = broken(|d| {
        d["States"]["Rounds"]["Catch"] = json!([
            {"ErrorEquals": ["States.ALL"], "Next": "RestoreAfterFailure"},
            {"ErrorEquals": ["States.Timeout"], "Next": "RestoreAfterFailure"}
        ])
    });
    assert!(
        matches!(err, DefinitionError::Malformed { ref problem, .. } if problem.contains("States.ALL")),
        "{err}"
    );
}

#[test]
fn an_unknown_type_and_a_missing_start_are_caught() {
    let err = broken(|d| d["States"]["Prepare"]["Type"] = "Pas".into());
    assert_eq!(
        err,
        DefinitionError::UnknownType {
            state: "Prepare".into()
        }
    );
    let err = broken(|d| d["StartAt"] = "Start".into());
    assert!(
        matches!(err, DefinitionError::UnknownStartAt { .. }),
        "{err}"
    );
}
