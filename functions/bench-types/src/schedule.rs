//! The order a round runs in, computed by the collector's input check because ASL cannot group:
//! targets on the same function share one memory update, one wait for it and one warm-up per
//! (round, memory size). A round of one function is a list of steps, one per memory size; a
//! round of several, a list of sizes, each updating every function at once and then running
//! each function's targets in turn (the state machine takes whichever list is not empty).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::input::Target;
use crate::records::ExpectedResult;

/// The targets that run on one Lambda function, in the order the input lists them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionGroup {
    /// The function's name or ARN, exactly as its targets give it (two spellings of one
    /// function make two groups: still correct, only slower: both set the same size, the
    /// second update retried while the first is in progress).
    pub function_name: String,
    /// The payload of the warm-up invoke after a memory update: the first target's.
    pub warm_up_payload: Map<String, Value>,
    /// The name of that first target.
    pub warm_up_target: String,
    /// Every target on this function (at least one).
    pub targets: Vec<ScheduledTarget>,
}

impl FunctionGroup {
    /// Makes the warm-up read the objects under `prefix` (and only count them) instead of its
    /// target's.
    pub fn warm_up_on(&mut self, prefix: &str) {
        self.warm_up_payload
            .insert("folder".into(), Value::from(prefix));
        self.warm_up_payload.insert("find".into(), Value::Null);
    }
}

/// A target as a step runs it: the input's target and what its reader must answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduledTarget {
    /// The target as the input gives it.
    #[serde(flatten)]
    pub target: Target,
    /// The result this target's reader must return (`null`: not known). Always serialized: the
    /// state machine selects it with a JSONPath, and AWS fails one that selects nothing.
    pub expect: Option<ExpectedResult>,
}

/// One memory size of a one-function round: update the memory, wait, warm up, run the targets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// The memory size this step sets, in MB.
    pub memory_mb: u32,
    /// The function it sets it on, and the targets that then run.
    pub function: FunctionGroup,
}

/// One memory size of a round of several functions: update them all at once, wait, then warm
/// up and run each function's targets in turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SizeStep {
    /// The memory size, in MB.
    pub memory_mb: u32,
    /// The functions it is set on, each with the targets that then run.
    pub functions: Vec<FunctionGroup>,
}

/// A round, in the shape the state machine runs it: `steps` for one function, `sizes` for
/// several; the other list is empty.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RoundPlan {
    /// One function's steps, one per memory size.
    pub steps: Vec<Step>,
    /// Several functions' sizes.
    pub sizes: Vec<SizeStep>,
}

/// Groups `targets` by function, in order of each function's first target, with no expected
/// results.
pub fn function_groups(targets: &[Target]) -> Vec<FunctionGroup> {
    function_groups_expecting(targets, |_| None)
}

/// Groups `targets` by function, in order of each function's first target; `expect_of` gives
/// each target's expected result.
pub fn function_groups_expecting(
    targets: &[Target],
    expect_of: impl Fn(&Target) -> Option<ExpectedResult>,
) -> Vec<FunctionGroup> {
    let mut groups: Vec<FunctionGroup> = Vec::new();
    for target in targets {
        let scheduled = ScheduledTarget {
            target: target.clone(),
            expect: expect_of(target),
        };
        match groups
            .iter_mut()
            .find(|g| g.function_name == target.function_name)
        {
            Some(group) => group.targets.push(scheduled),
            None => groups.push(FunctionGroup {
                function_name: target.function_name.clone(),
                warm_up_payload: target.payload.clone(),
                warm_up_target: target.name.clone(),
                targets: vec![scheduled],
            }),
        }
    }
    groups
}

/// One round: every memory size in order, each for every function.
pub fn round_plan(memory_sizes: &[u32], groups: &[FunctionGroup]) -> RoundPlan {
    match groups {
        [function] => RoundPlan {
            steps: memory_sizes
                .iter()
                .map(|&memory_mb| Step {
                    memory_mb,
                    function: function.clone(),
                })
                .collect(),
            sizes: Vec::new(),
        },
        _ => RoundPlan {
            steps: Vec::new(),
            sizes: memory_sizes
                .iter()
                .map(|&memory_mb| SizeStep {
                    memory_mb,
                    functions: groups.to_vec(),
                })
                .collect(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(name: &str, function_name: &str, mode: &str) -> Target {
        let mut payload = Map::new();
        payload.insert("mode".into(), Value::from(mode));
        Target {
            name: name.into(),
            function_name: function_name.into(),
            payload,
        }
    }

    #[test]
    fn targets_on_one_function_share_its_steps() {
        let targets = [
            target("rust", "reader", "concurrent"),
            target("python", "py-reader", "concurrent"),
            target("rust-sequential", "reader", "sequential"),
        ];
        let groups = function_groups(&targets);
        let names = |g: &FunctionGroup| {
            g.targets
                .iter()
                .map(|t| t.target.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].function_name, "reader");
        assert_eq!(names(&groups[0]), ["rust", "rust-sequential"]);
        assert_eq!(groups[0].warm_up_payload["mode"], "concurrent");
        assert_eq!(names(&groups[1]), ["python"]);

        let round = round_plan(&[256, 1024], &groups);
        assert!(round.steps.is_empty());
        let order: Vec<(u32, Vec<&str>)> = round
            .sizes
            .iter()
            .map(|s| {
                let names = s.functions.iter().map(|f| f.function_name.as_str());
                (s.memory_mb, names.collect())
            })
            .collect();
        assert_eq!(
            order,
            [
                (256, vec!["reader", "py-reader"]),
                (1024, vec!["reader", "py-reader"])
            ]
        );
        let json = serde_json::to_value(&round.sizes[0]).expect("json");
        assert_eq!(json["memoryMb"], 256);
        let function = &json["functions"][0];
        assert_eq!(function["functionName"], "reader");
        assert_eq!(function["warmUpPayload"]["mode"], "concurrent");
        assert_eq!(function["warmUpTarget"], "rust");
        assert_eq!(function["targets"][1]["name"], "rust-sequential");
        assert!(function["targets"][1]["expect"].is_null());
    }

    #[test]
    fn a_round_of_one_function_is_steps() {
        let targets = [
            target("rust", "reader", "concurrent"),
            target("rust-sequential", "reader", "sequential"),
        ];
        let round = round_plan(&[128, 256], &function_groups(&targets));
        assert!(round.sizes.is_empty());
        let sizes: Vec<u32> = round.steps.iter().map(|s| s.memory_mb).collect();
        assert_eq!(sizes, [128, 256]);
        let json = serde_json::to_value(&round.steps[0]).expect("json");
        assert_eq!(json["function"]["targets"][1]["name"], "rust-sequential");
    }
}
