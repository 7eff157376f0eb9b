//! The order a round runs in, computed by the collector's input check because ASL cannot group:
//! targets on the same function share one memory update, one wait for it and one warm-up per
//! (round, memory size). A round of one function is a list of steps, one per memory size; a
//! round of several, a list of sizes, each updating every function at once and then running
//! each function's targets in turn (the state machine takes whichever list is not empty).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::concurrency::Concurrency;
use crate::input::Target;
use crate::reader::ReadMode;
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

/// A target at one of its concurrency values, as a step runs it: the input's target (its
/// payload's `concurrency` set to that value) and what its reader must answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduledTarget {
    /// The target as the input gives it, `payload.concurrency` the value of this run.
    #[serde(flatten)]
    pub target: Target,
    /// The concurrency of this run; `null` for a sequential target. Always serialized: the
    /// state machine copies it into the record by path.
    pub concurrency: Option<Concurrency>,
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

/// The concurrency values `target` runs at, each one record per (round, memory size): `[None]`
/// for a sequential target (it runs once); its payload's own `concurrency` (a value or a list)
/// when it gives one; else `default`, less `auto` unless its reader takes it (and the default
/// concurrency when nothing is left). The error says what is wrong with `payload.concurrency`.
pub fn target_sweep(
    target: &Target,
    default: &[Concurrency],
) -> Result<Vec<Option<Concurrency>>, String> {
    let mode = target.payload.get("mode").and_then(Value::as_str);
    if mode.and_then(ReadMode::parse) == Some(ReadMode::Sequential) {
        return Ok(vec![None]);
    }
    let values = match target.payload.get("concurrency") {
        Some(own) => {
            let values = Concurrency::list_from_json(own)?;
            if values.contains(&Concurrency::Auto) && !target.auto_concurrency {
                return Err(
                    "\"auto\" needs a reader that adapts its own concurrency (the Rust reader, autoConcurrency true); give numbers".into(),
                );
            }
            values
        }
        None => {
            let values: Vec<Concurrency> = default
                .iter()
                .copied()
                .filter(|c| *c != Concurrency::Auto || target.auto_concurrency)
                .collect();
            if values.is_empty() {
                vec![Concurrency::Fixed(crate::input::DEFAULT_CONCURRENCY)]
            } else {
                values
            }
        }
    };
    Ok(values.into_iter().map(Some).collect())
}

/// `target` as the run at `concurrency` sends it: the payload's `concurrency` set to that value
/// (left out for a sequential run, which reads one object at a time anyway).
fn scheduled(
    target: &Target,
    concurrency: Option<Concurrency>,
    expect: Option<ExpectedResult>,
) -> ScheduledTarget {
    let mut target = target.clone();
    match concurrency {
        Some(value) => target.payload.insert("concurrency".into(), value.to_json()),
        None => target.payload.remove("concurrency"),
    };
    ScheduledTarget {
        target,
        concurrency,
        expect,
    }
}

/// Groups `targets` at their concurrency values by function, in order of each function's first
/// target, with no expected results (see [`function_groups_expecting`]).
pub fn function_groups(
    targets: &[Target],
    default: &[Concurrency],
) -> Result<Vec<FunctionGroup>, String> {
    function_groups_expecting(targets, default, |_| None)
}

/// Groups every target at each of its concurrency values ([`target_sweep`]) by function, in
/// order of each function's first target, each target's runs in the order of its values;
/// `expect_of` gives each target's expected result. The error names the target:
/// `targets[I].payload.concurrency: ...`.
pub fn function_groups_expecting(
    targets: &[Target],
    default: &[Concurrency],
    expect_of: impl Fn(&Target) -> Option<ExpectedResult>,
) -> Result<Vec<FunctionGroup>, String> {
    let mut groups: Vec<FunctionGroup> = Vec::new();
    for (i, target) in targets.iter().enumerate() {
        let sweep = target_sweep(target, default)
            .map_err(|why| format!("targets[{i}].payload.concurrency: {why}"))?;
        let expect = expect_of(target);
        let runs = sweep
            .into_iter()
            .map(|concurrency| scheduled(target, concurrency, expect.clone()));
        match groups
            .iter_mut()
            .find(|g| g.function_name == target.function_name)
        {
            Some(group) => group.targets.extend(runs),
            None => {
                let runs: Vec<ScheduledTarget> = runs.collect();
                groups.push(FunctionGroup {
                    function_name: target.function_name.clone(),
                    warm_up_payload: runs
                        .first()
                        .map(|run| run.target.payload.clone())
                        .unwrap_or_default(),
                    warm_up_target: target.name.clone(),
                    targets: runs,
                });
            }
        }
    }
    Ok(groups)
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
            auto_concurrency: false,
        }
    }

    #[test]
    fn targets_on_one_function_share_its_steps() {
        let targets = [
            target("rust", "reader", "concurrent"),
            target("python", "py-reader", "concurrent"),
            target("rust-sequential", "reader", "sequential"),
        ];
        let groups = function_groups(&targets, &[Concurrency::Fixed(64)]).unwrap();
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
        let groups = function_groups(&targets, &[Concurrency::Fixed(64)]).unwrap();
        let round = round_plan(&[128, 256], &groups);
        assert!(round.sizes.is_empty());
        let sizes: Vec<u32> = round.steps.iter().map(|s| s.memory_mb).collect();
        assert_eq!(sizes, [128, 256]);
        let json = serde_json::to_value(&round.steps[0]).expect("json");
        assert_eq!(json["function"]["targets"][1]["name"], "rust-sequential");
    }

    #[test]
    fn a_sweep_runs_each_concurrent_target_at_each_value_after_one_update() {
        let mut rust = target("rust", "reader", "concurrent");
        rust.auto_concurrency = true;
        let mut own = target("rust-own", "reader", "concurrent");
        own.payload
            .insert("concurrency".into(), serde_json::json!([2, "auto"]));
        own.auto_concurrency = true;
        let mut sequential = target("rust-sequential", "reader", "sequential");
        sequential
            .payload
            .insert("concurrency".into(), serde_json::json!([1, 2]));
        let python = target("python", "py-reader", "concurrent");
        let sweep = [
            Concurrency::Fixed(8),
            Concurrency::Fixed(64),
            Concurrency::Auto,
        ];
        let groups = function_groups(&[rust, own, sequential, python], &sweep).unwrap();
        let runs = |g: &FunctionGroup| {
            g.targets
                .iter()
                .map(|t| {
                    (
                        t.target.name.clone(),
                        t.concurrency,
                        t.target.payload.get("concurrency").cloned(),
                    )
                })
                .collect::<Vec<_>>()
        };
        let (fixed, auto) = (Concurrency::Fixed, Concurrency::Auto);
        assert_eq!(
            runs(&groups[0]),
            [
                ("rust".into(), Some(fixed(8)), Some(8.into())),
                ("rust".into(), Some(fixed(64)), Some(64.into())),
                ("rust".into(), Some(auto), Some("auto".into())),
                ("rust-own".into(), Some(fixed(2)), Some(2.into())),
                ("rust-own".into(), Some(auto), Some("auto".into())),
                ("rust-sequential".into(), None, None),
            ]
        );
        assert_eq!(groups[0].warm_up_payload["concurrency"], 8);
        // Python's reader does not adapt: `auto` is left out of the default sweep for it.
        assert_eq!(
            runs(&groups[1]),
            [
                ("python".into(), Some(fixed(8)), Some(8.into())),
                ("python".into(), Some(fixed(64)), Some(64.into())),
            ]
        );
        // One update per function and size, whatever the number of runs.
        let round = round_plan(&[128, 256], &groups);
        assert_eq!(round.sizes.len(), 2);
        assert_eq!(round.sizes[0].functions.len(), 2);
        let json = serde_json::to_value(&groups[1].targets[0]).unwrap();
        assert_eq!(json["concurrency"], 8);
        let json = serde_json::to_value(&groups[0].targets[5]).unwrap();
        assert!(json["concurrency"].is_null(), "serialized as null: {json}");
    }

    #[test]
    fn auto_on_a_reader_that_does_not_adapt_is_refused_with_the_field() {
        let mut python = target("python", "py-reader", "concurrent");
        python
            .payload
            .insert("concurrency".into(), serde_json::json!("auto"));
        let bad = target("bad", "reader", "concurrent");
        let mut bad = bad;
        bad.payload
            .insert("concurrency".into(), serde_json::json!([8, 0]));
        let why = function_groups(&[python], &[]).unwrap_err();
        assert!(
            why.starts_with("targets[0].payload.concurrency: \"auto\" needs a reader"),
            "{why}"
        );
        let why = function_groups(&[target("ok", "r", "concurrent"), bad], &[]).unwrap_err();
        assert!(
            why.starts_with("targets[1].payload.concurrency: 0 is not a whole number"),
            "{why}"
        );
        // Only `auto` in the sweep, and a reader without it: the default concurrency.
        let groups =
            function_groups(&[target("py", "r", "concurrent")], &[Concurrency::Auto]).unwrap();
        assert_eq!(
            groups[0].targets[0].concurrency,
            Some(Concurrency::Fixed(64))
        );
    }
}
