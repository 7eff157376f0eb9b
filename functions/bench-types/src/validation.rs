//! The check of an execution's effective input that the state machine cannot make itself, run by
//! the collector (`{"action": "validate"}`) before anything is changed: every target an object
//! with an object `payload` and an unqualified function of the stack's partition and region, the
//! sweep's size against Step Functions' history limit (ASL cannot multiply), and the result the
//! readers must return to count as a measurement.
//!
//! A bad input is answered `{"valid": false, "cause": "FIELD: ..."}`; the state machine then
//! fails with `InvalidInput` and that cause, before the first memory update.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::arn::check_function_ref;
use crate::concurrency::Concurrency;
use crate::input::{ExecutionInput, Target, DEFAULT_CONCURRENCY};
use crate::records::ExpectedResult;
use crate::schedule::{function_groups_expecting, round_plan, FunctionGroup, SizeStep, Step};
use crate::{MAX_MEMORY_MB, MIN_MEMORY_MB};

/// The most rounds one execution runs (`States.ArrayRange` makes at most 1000 items).
pub const MAX_ROUNDS: u32 = 1000;

/// `{"action": "validate", ...}` as the state machine sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidateRequest {
    /// The input merged over the deployed defaults.
    pub input: Value,
    /// The execution input as given (to see which fields the user set).
    pub given: Value,
    /// What the deployed definition allows.
    pub limits: RunLimits,
}

/// What the definition bakes in for the check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunLimits {
    /// The stack's region: targets must be functions of this region (and its partition).
    pub region: String,
    /// The sweep's size limit, in execution history events.
    pub history: HistoryBudget,
}

/// Execution history events of a run as a function of its size, counted on the rendered
/// definition with a margin for polls and retries (see bench-statemachine's `budget`):
/// `fixed + sizes x per_memory_size + functions x per_function + targets x per_target + rounds x
/// (per_round + sizes x (per_step + functions x per_update + targets x per_configuration))`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryBudget {
    /// Once per execution (the input checks, the report).
    pub fixed: u64,
    /// Once per memory size (its check).
    pub per_memory_size: u64,
    /// Once per function (its original memory read, its restore).
    pub per_function: u64,
    /// Once per target, outside the rounds.
    pub per_target: u64,
    /// Once per round.
    pub per_round: u64,
    /// Each (round, memory) step: the Maps that update the functions and run them.
    pub per_step: u64,
    /// Each (round, memory, function): the memory update, its polls, the warm-up, with the
    /// margin.
    pub per_update: u64,
    /// Each (round, memory, target) configuration: the timed invoke and its record, with the
    /// margin.
    pub per_configuration: u64,
    /// Step Functions stops a STANDARD execution at this many events (25,000).
    pub max: u64,
}

/// The size of a run, as the history budget counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunShape {
    /// Rounds of the sweep.
    pub rounds: u64,
    /// Memory sizes per round.
    pub sizes: u64,
    /// Distinct functions among the targets (each is updated once per round and size).
    pub functions: u64,
    /// Targets at each of their concurrency values (each such run is invoked once per round
    /// and size, after its function's one update).
    pub targets: u64,
}

impl RunShape {
    /// The (round, memory, target, concurrency) configurations: the records a run writes.
    pub fn configurations(&self) -> u64 {
        self.rounds
            .saturating_mul(self.sizes)
            .saturating_mul(self.targets)
    }
}

impl HistoryBudget {
    /// The events a run of this shape may need.
    pub fn events(&self, shape: RunShape) -> u64 {
        let per_size_in_round = shape
            .functions
            .saturating_mul(self.per_update)
            .saturating_add(shape.targets.saturating_mul(self.per_configuration))
            .saturating_add(self.per_step);
        let per_round = self
            .per_round
            .saturating_add(shape.sizes.saturating_mul(per_size_in_round));
        self.fixed
            .saturating_add(shape.sizes.saturating_mul(self.per_memory_size))
            .saturating_add(shape.functions.saturating_mul(self.per_function))
            .saturating_add(shape.targets.saturating_mul(self.per_target))
            .saturating_add(shape.rounds.saturating_mul(per_round))
    }

    /// About how many (round, memory, target) configurations fit when every target has its own
    /// function, for the error message.
    fn max_configurations(&self) -> u64 {
        let per = self.per_memory_size
            + self.per_function
            + self.per_target
            + self.per_round
            + self.per_step
            + self.per_update
            + self.per_configuration;
        self.max.saturating_sub(self.fixed) / per.max(1)
    }
}

/// The collector's answer: `{"valid": true, "expect": ..., "functions": ..., "steps": ...,
/// "sizes": ...}` or `{"valid": false, "cause": ...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidateAnswer {
    /// Whether the input can run; the state machine fails with `InvalidInput` when not.
    pub valid: bool,
    /// Why not, starting with the field, e.g. `rounds: give a whole number ...`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// What every reader must return to count as a measurement (`null`: not known, e.g. the
    /// input points at other data and names no `expectedResult`). Always present when valid.
    #[serde(default)]
    pub expect: Option<ExpectedResult>,
    /// The targets grouped by function (read and restored once each). Present when valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub functions: Option<Vec<FunctionGroup>>,
    /// A round of one function, one step per memory size (else empty). Present when valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<Step>>,
    /// A round of several functions, one item per memory size (else empty). Present when
    /// valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sizes: Option<Vec<SizeStep>>,
}

impl ValidateAnswer {
    /// The answer to a request: valid with the expected result, or the first problem.
    pub fn for_request(request: &ValidateRequest) -> Self {
        match validate(request) {
            Ok(valid) => {
                let round = round_plan(&valid.input.memory_sizes, &valid.functions);
                Self {
                    valid: true,
                    cause: None,
                    expect: valid.expect,
                    functions: Some(valid.functions),
                    steps: Some(round.steps),
                    sizes: Some(round.sizes),
                }
            }
            Err(cause) => Self::invalid(cause.0),
        }
    }

    /// The answer refusing an input for `cause` (starting with the field).
    pub fn invalid(cause: String) -> Self {
        Self {
            valid: false,
            cause: Some(cause),
            expect: None,
            functions: None,
            steps: None,
            sizes: None,
        }
    }
}

/// A valid input, typed, and the result its readers must return.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidInput {
    /// The merged input, checked and typed.
    pub input: ExecutionInput,
    /// What every reader must return to count as a measurement (see [`ValidateAnswer::expect`]).
    pub expect: Option<ExpectedResult>,
    /// The input's targets grouped by function.
    pub functions: Vec<FunctionGroup>,
}

/// Why an input cannot run: a cause that starts with the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidInput(pub String);

impl std::fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn invalid(text: impl Into<String>) -> InvalidInput {
    InvalidInput(text.into())
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Checks the merged input of `request` against the limits.
pub fn validate(request: &ValidateRequest) -> Result<ValidInput, InvalidInput> {
    if !request.given.is_object() {
        return Err(invalid(format!(
            "input: the execution input must be a JSON object such as {{}} or {{\"rounds\": 1}}, found {}",
            kind(&request.given)
        )));
    }
    let input = request
        .input
        .as_object()
        .ok_or_else(|| invalid("input: the merged input is not an object"))?;
    let field = |name: &str| input.get(name).unwrap_or(&Value::Null);

    let targets = targets(field("targets"), &request.limits.region)?;
    let memory_sizes = memory_sizes(field("memorySizes"))?;
    let rounds = rounds(field("rounds"))?;
    let warmup = field("warmup")
        .as_bool()
        .ok_or_else(|| invalid("warmup: give true or false"))?;
    let concurrencies = concurrencies(field("concurrencies"))?;
    let text = |name: &str, may_be_empty: bool, example: &str| -> Result<String, InvalidInput> {
        match field(name) {
            Value::String(s) if may_be_empty || !s.is_empty() => Ok(s.clone()),
            Value::String(_) => Err(invalid(format!(
                "{name}: give {example}, or leave the field out to use the deployed one (found an empty text)"
            ))),
            other => Err(invalid(format!(
                "{name}: give {example}, or leave the field out to use the deployed one (found {})",
                kind(other)
            ))),
        }
    };
    let bucket = text(
        "bucket",
        false,
        "the name of the bucket holding the test objects",
    )?;
    let prefix = text(
        "prefix",
        true,
        "the prefix of the test objects, e.g. \"bench/1000/\"",
    )?;
    let results_bucket = text("resultsBucket", false, "the name of the results bucket")?;
    let results_prefix = text(
        "resultsPrefix",
        true,
        "the prefix of the results, e.g. \"runs/\"",
    )?;
    let find = optional_text(field("find"), "find", "the text to look for, or null")?;
    let label = optional_text(field("label"), "label", "a text")?.unwrap_or_default();
    let expected_result = optional_text(
        field("expectedResult"),
        "expectedResult",
        "the result every reader must return (the object count, or with `find` the key holding it), or null",
    )?;

    let warmup_prefix = optional_text(
        field("warmupPrefix"),
        "warmupPrefix",
        "the prefix of the few objects the warm-up reads, e.g. \"bench/warmup/\", or null to warm up on each function's first target's objects",
    )?;

    let expect = expectation(&request.given, expected_result.as_deref());
    let mut functions = function_groups_expecting(&targets, &concurrencies, |target| {
        target_expectation(expect.as_ref(), find.is_some(), &prefix, target)
    })
    .map_err(invalid)?;
    if let Some(warmup_prefix) = &warmup_prefix {
        for function in &mut functions {
            function.warm_up_on(warmup_prefix);
        }
    }
    let budget = request.limits.history;
    let shape = RunShape {
        rounds: u64::from(rounds),
        sizes: memory_sizes.len() as u64,
        functions: functions.len() as u64,
        targets: functions.iter().map(|f| f.targets.len() as u64).sum(),
    };
    let events = budget.events(shape);
    if events > budget.max {
        let configurations = shape.configurations();
        return Err(invalid(format!(
            "rounds x memorySizes x runs (targets at each concurrency): {rounds} x {} x {} = {configurations} configurations need up to {events} execution history events, more than the {} Step Functions allows one execution; run at most about {} configurations per execution (fewer rounds, sizes, targets or concurrencies), or several executions",
            memory_sizes.len(),
            shape.targets,
            budget.max,
            budget.max_configurations()
        )));
    }

    Ok(ValidInput {
        input: ExecutionInput {
            targets,
            memory_sizes,
            rounds,
            warmup,
            concurrencies,
            warmup_prefix,
            bucket,
            prefix,
            find,
            results_bucket,
            results_prefix,
            label,
            expected_result,
        },
        expect,
        functions,
    })
}

/// The expected result: what the input names, else the deployed one unless the input points the
/// readers at other data (then it is not known).
fn expectation(given: &Value, merged: Option<&str>) -> Option<ExpectedResult> {
    let given_fields = given.as_object();
    let named = given_fields.is_some_and(|g| g.contains_key("expectedResult"));
    let other_data = given_fields.is_some_and(|g| {
        ["bucket", "prefix", "find"]
            .iter()
            .any(|f| g.contains_key(*f))
    });
    if other_data && !named {
        return None;
    }
    merged.map(|result| ExpectedResult {
        result: result.to_owned(),
    })
}

/// A target with its own `folder` in its payload reads its own copy of the objects: with `find`,
/// the key it must answer is the expected key moved from the input's prefix to that folder.
fn target_expectation(
    expect: Option<&ExpectedResult>,
    find: bool,
    prefix: &str,
    target: &Target,
) -> Option<ExpectedResult> {
    let expect = expect?;
    let folder = target.payload.get("folder").and_then(Value::as_str);
    match (find, folder, expect.result.strip_prefix(prefix)) {
        (true, Some(folder), Some(key_in_prefix)) => Some(ExpectedResult {
            result: format!("{folder}{key_in_prefix}"),
        }),
        _ => Some(expect.clone()),
    }
}

fn optional_text(value: &Value, name: &str, what: &str) -> Result<Option<String>, InvalidInput> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        other => Err(invalid(format!(
            "{name}: give {what} (found {})",
            kind(other)
        ))),
    }
}

fn targets(value: &Value, region: &str) -> Result<Vec<Target>, InvalidInput> {
    let items = match value {
        Value::Array(items) if !items.is_empty() => items,
        _ => {
            return Err(invalid(
                "targets: give a non-empty list of targets, e.g. [{\"name\": \"rust\", \"functionName\": \"my-reader\"}], or leave the field out to use the deployed targets",
            ))
        }
    };
    let mut targets: Vec<Target> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Value::Object(fields) = item else {
            return Err(invalid(format!(
                "targets[{i}]: each target must be an object such as {{\"name\": \"rust\", \"functionName\": \"my-reader\"}}, found {}",
                kind(item)
            )));
        };
        let name = match fields.get("name") {
            Some(Value::String(n)) if !n.is_empty() => n.clone(),
            _ => {
                return Err(invalid(format!(
                    "targets[{i}].name: every target needs a non-empty text name, e.g. \"rust\""
                )))
            }
        };
        if targets.iter().any(|t| t.name == name) {
            return Err(invalid(format!(
                "targets[{i}].name: \"{name}\" names two targets; give each target its own name (results are kept per name)"
            )));
        }
        let function_name = match fields.get("functionName") {
            Some(Value::String(f)) => f.clone(),
            _ => {
                return Err(invalid(format!(
                    "targets[{i}].functionName: every target needs the name or ARN of its Lambda function"
                )))
            }
        };
        check_function_ref(&function_name, region).map_err(|why| {
            invalid(format!(
                "targets[{i}].functionName: `{function_name}` is {why}"
            ))
        })?;
        let payload = match fields.get("payload") {
            None => Map::new(),
            Some(Value::Object(p)) => p.clone(),
            Some(other) => {
                return Err(invalid(format!(
                    "targets[{i}].payload: must be an object merged into the reader event, such as {{\"mode\": \"sequential\"}}, or left out; found {}",
                    kind(other)
                )))
            }
        };
        let auto_concurrency = match fields.get("autoConcurrency") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(invalid(format!(
                    "targets[{i}].autoConcurrency: give true when the target's reader takes concurrency \"auto\", else false or leave it out; found {}",
                    kind(other)
                )))
            }
        };
        targets.push(Target {
            name,
            function_name,
            payload,
            auto_concurrency,
        });
    }
    Ok(targets)
}

/// Absent (a definition deployed before the sweep): the default concurrency alone.
fn concurrencies(value: &Value) -> Result<Vec<Concurrency>, InvalidInput> {
    if value.is_null() {
        return Ok(vec![Concurrency::Fixed(DEFAULT_CONCURRENCY)]);
    }
    Concurrency::list_from_json(value).map_err(|why| {
        invalid(format!(
            "concurrencies: {why}; give the values to sweep, e.g. [1, 8, 64, \"auto\"], or one, e.g. [64]"
        ))
    })
}

fn memory_sizes(value: &Value) -> Result<Vec<u32>, InvalidInput> {
    let items = match value {
        Value::Array(items) if !items.is_empty() => items,
        _ => {
            return Err(invalid(
                "memorySizes: give a non-empty list of sizes in MB, e.g. [128, 1024, 10240], or leave the field out to use the deployed sizes",
            ))
        }
    };
    let mut sizes: Vec<u32> = Vec::with_capacity(items.len());
    for item in items {
        let size = item
            .as_u64()
            .and_then(|s| u32::try_from(s).ok())
            .filter(|s| (MIN_MEMORY_MB..=MAX_MEMORY_MB).contains(s))
            .ok_or_else(|| {
                invalid(format!(
                    "memorySizes: {item} is not a whole number of MB from {MIN_MEMORY_MB} to {MAX_MEMORY_MB}; give sizes such as [128, 1024, 10240]"
                ))
            })?;
        if sizes.contains(&size) {
            return Err(invalid(format!(
                "memorySizes: {size} is listed twice; list each size once (rounds repeat the sweep)"
            )));
        }
        sizes.push(size);
    }
    Ok(sizes)
}

fn rounds(value: &Value) -> Result<u32, InvalidInput> {
    value
        .as_u64()
        .and_then(|r| u32::try_from(r).ok())
        .filter(|r| (1..=MAX_ROUNDS).contains(r))
        .ok_or_else(|| {
            invalid(format!(
                "rounds: give a whole number of rounds from 1 to {MAX_ROUNDS}, e.g. 3"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const BUDGET: HistoryBudget = HistoryBudget {
        fixed: 40,
        per_memory_size: 0,
        per_function: 0,
        per_target: 0,
        per_round: 5,
        per_step: 0,
        per_update: 40,
        per_configuration: 25,
        max: 25_000,
    };

    fn defaults() -> Value {
        json!({
            "targets": [{"name": "rust", "functionName": "lambda-bench-s3-reader",
                         "payload": {"mode": "concurrent", "concurrency": 64}}],
            "memorySizes": [128, 1024],
            "rounds": 3,
            "warmup": true,
            "bucket": "data", "prefix": "bench/1000/", "find": "MyMagicString",
            "resultsBucket": "results", "resultsPrefix": "runs/",
            "label": "default",
            "expectedResult": "bench/1000/00042.txt"
        })
    }

    /// The state machine's shallow merge of `given` over the defaults.
    fn request(given: Value) -> ValidateRequest {
        let mut input = defaults();
        if let (Some(merged), Some(fields)) = (input.as_object_mut(), given.as_object()) {
            for (k, v) in fields {
                merged.insert(k.clone(), v.clone());
            }
        }
        ValidateRequest {
            input,
            given,
            limits: RunLimits {
                region: "us-east-1".into(),
                history: BUDGET,
            },
        }
    }

    fn cause(given: Value) -> String {
        validate(&request(given.clone()))
            .map(|_| String::new())
            .unwrap_or_else(|e| e.0)
    }

    #[test]
    fn a_target_with_its_own_folder_expects_the_key_in_it() {
        let mut given = json!({"targets": [
            {"name": "rust", "functionName": "lambda-bench-s3-reader",
             "payload": {"folder": "bench/1000-rust/"}},
            {"name": "shared", "functionName": "lambda-bench-s3-reader", "payload": {}}
        ]});
        let expects = |given: &Value| {
            let answer = ValidateAnswer::for_request(&request(given.clone()));
            answer.functions.expect("valid")[0]
                .targets
                .iter()
                .map(|t| t.expect.clone().map(|e| e.result))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            expects(&given),
            [
                Some("bench/1000-rust/00042.txt".to_owned()),
                Some("bench/1000/00042.txt".to_owned())
            ]
        );
        // Counting (no `find`): the same count in every copy.
        given["find"] = Value::Null;
        given["expectedResult"] = json!("1000");
        assert_eq!(
            expects(&given),
            [Some("1000".to_owned()), Some("1000".to_owned())]
        );
    }

    #[test]
    fn the_warm_up_reads_the_warmup_prefix_without_find() {
        let warm_up = |given: Value| {
            let valid = validate(&request(given)).expect("valid");
            (
                valid.input.warmup_prefix,
                valid.functions[0].warm_up_payload.clone(),
            )
        };
        let (prefix, payload) = warm_up(json!({"warmupPrefix": "bench/warmup/"}));
        assert_eq!(prefix.as_deref(), Some("bench/warmup/"));
        assert_eq!(
            Value::Object(payload),
            json!({"mode": "concurrent", "concurrency": 64,
                   "folder": "bench/warmup/", "find": null})
        );
        // Without it (the defaults here have none, and a given null): the target's own read.
        let (prefix, payload) = warm_up(json!({"warmupPrefix": null}));
        assert_eq!(prefix, None);
        assert_eq!(
            Value::Object(payload),
            json!({"mode": "concurrent", "concurrency": 64})
        );
        assert!(cause(json!({"warmupPrefix": 3})).starts_with("warmupPrefix: give the prefix"));
    }

    #[test]
    fn the_defaults_are_valid_and_keep_the_deployed_expectation() {
        let valid = validate(&request(json!({}))).expect("defaults are valid");
        assert_eq!(valid.input.targets[0].payload["concurrency"], 64);
        assert_eq!(valid.input.rounds, 3);
        assert_eq!(
            valid.expect,
            Some(ExpectedResult {
                result: "bench/1000/00042.txt".into()
            })
        );
        let answer =
            serde_json::to_value(ValidateAnswer::for_request(&request(json!({})))).expect("json");
        let target = json!({"name": "rust", "functionName": "lambda-bench-s3-reader",
                            "payload": {"mode": "concurrent", "concurrency": 64},
                            "concurrency": 64,
                            "expect": {"result": "bench/1000/00042.txt"}});
        let function = json!({"functionName": "lambda-bench-s3-reader",
                              "warmUpPayload": {"mode": "concurrent", "concurrency": 64},
                              "warmUpTarget": "rust",
                              "targets": [target]});
        assert_eq!(
            answer,
            json!({"valid": true, "expect": {"result": "bench/1000/00042.txt"},
                   "functions": [function],
                   "steps": [{"memoryMb": 128, "function": function},
                             {"memoryMb": 1024, "function": function}],
                   "sizes": []})
        );
    }

    #[test]
    fn payloads_and_targets_that_are_not_objects_are_named() {
        let c = cause(json!({"targets": [{"name": "a", "functionName": "f", "payload": null}]}));
        assert!(
            c.starts_with("targets[0].payload: must be an object"),
            "{c}"
        );
        assert!(c.ends_with("found null"), "{c}");
        let c = cause(json!({"targets": [{"name": "a", "functionName": "f", "payload": [1]}]}));
        assert!(c.ends_with("found a list"), "{c}");
        let c = cause(json!({"targets": [{"name": "a"}]}));
        assert!(
            c.starts_with("targets[0].functionName: every target needs"),
            "{c}"
        );
        let c = cause(json!({"targets": ["my-reader"]}));
        assert!(
            c.starts_with("targets[0]: each target must be an object"),
            "{c}"
        );
        let c = cause(
            json!({"targets": [{"name": "a", "functionName": "f"}, {"name": "a", "functionName": "g"}]}),
        );
        assert!(
            c.starts_with("targets[1].name: \"a\" names two targets"),
            "{c}"
        );
        // A target without a payload gets an empty one.
        let valid = validate(&request(
            json!({"targets": [{"name": "a", "functionName": "f"}]}),
        ))
        .expect("valid");
        assert!(valid.input.targets[0].payload.is_empty());
    }

    #[test]
    fn qualified_and_foreign_functions_are_refused_with_the_reason() {
        let c = cause(json!({"targets": [{"name": "a", "functionName": "reader:live"}]}));
        assert!(
            c.starts_with("targets[0].functionName: `reader:live` is a qualified name"),
            "{c}"
        );
        let c = cause(json!({"targets": [{"name": "a",
            "functionName": "arn:aws-cn:lambda:us-east-1:111122223333:function:r"}]}));
        assert!(c.contains("in partition aws-cn"), "{c}");
    }

    #[test]
    fn the_input_itself_must_be_an_object() {
        let mut r = request(json!({}));
        r.given = json!([1, 2]);
        let c = validate(&r).expect_err("array").0;
        assert!(
            c.starts_with("input: the execution input must be a JSON object"),
            "{c}"
        );
    }

    #[test]
    fn scalar_fields_name_the_field() {
        for (given, start) in [
            (
                json!({"memorySizes": [128, 64]}),
                "memorySizes: 64 is not a whole number",
            ),
            (json!({"memorySizes": [256.5]}), "memorySizes: 256.5 is not"),
            (
                json!({"memorySizes": [256, 256]}),
                "memorySizes: 256 is listed twice",
            ),
            (
                json!({"memorySizes": []}),
                "memorySizes: give a non-empty list",
            ),
            (json!({"rounds": 0}), "rounds: give a whole number"),
            (json!({"rounds": 1.5}), "rounds: give a whole number"),
            (json!({"warmup": "yes"}), "warmup: give true or false"),
            (json!({"bucket": ""}), "bucket: give the name"),
            (json!({"find": 3}), "find: give the text"),
            (json!({"expectedResult": 1000}), "expectedResult: give"),
            (
                json!({"concurrencies": [8, 8]}),
                "concurrencies: 8 is listed twice",
            ),
            (
                json!({"concurrencies": []}),
                "concurrencies: the list is empty",
            ),
            (
                json!({"concurrencies": ["many"]}),
                "concurrencies: \"many\" is neither",
            ),
        ] {
            let c = cause(given.clone());
            assert!(c.starts_with(start), "{given}: {c}");
        }
    }

    #[test]
    fn a_sweep_over_the_history_limit_is_refused_before_it_starts() {
        // 40 + 1000 x (5 + 10 x (5 + 1 x 60)) = 655,040 events.
        let c = cause(
            json!({"rounds": 1000, "memorySizes": [128, 256, 512, 1024, 2048, 3008, 4096, 6144, 8192, 10240]}),
        );
        assert!(c.starts_with("rounds x memorySizes x runs (targets at each concurrency): 1000 x 10 x 1 = 10000 configurations need up to 655040 execution history events, more than the 25000"), "{c}");
        assert!(c.contains("at most about 356 configurations"), "{c}");
        // Just under the limit passes: 40 + 38 x (5 + 10 x 65) = 24,930.
        assert!(validate(&request(json!({"rounds": 38, "memorySizes": [128, 256, 512, 1024, 2048, 3008, 4096, 6144, 8192, 10240]}))).is_ok());
        assert!(cause(json!({"rounds": 39, "memorySizes": [128, 256, 512, 1024, 2048, 3008, 4096, 6144, 8192, 10240]})).starts_with("rounds x memorySizes"));
    }

    #[test]
    fn the_swept_concurrencies_count_against_the_history_limit() {
        // 40 + 38 x (5 + 10 x (40 + 1 x 25)) fits with one concurrency (above); the same sweep
        // at three concurrencies needs 40 + 38 x (5 + 10 x (40 + 3 x 25)) = 43,930.
        let sizes = json!([128, 256, 512, 1024, 2048, 3008, 4096, 6144, 8192, 10240]);
        let sweep = |concurrencies: Value| {
            let mut given = json!({"rounds": 38, "memorySizes": sizes,
                "targets": [{"name": "rust", "functionName": "lambda-bench-s3-reader",
                             "payload": {"mode": "concurrent"}, "autoConcurrency": true}]});
            given["concurrencies"] = concurrencies;
            given
        };
        let c = cause(sweep(json!([8, 64, "auto"])));
        assert!(
            c.starts_with("rounds x memorySizes x runs (targets at each concurrency): 38 x 10 x 3 = 1140 configurations need up to 43930"),
            "{c}"
        );
        assert!(validate(&request(sweep(json!([64])))).is_ok());
        // A target that does not take `auto` is not swept over it.
        let mut given = sweep(json!([8, "auto"]));
        given["rounds"] = json!(1);
        given["targets"][0]["autoConcurrency"] = json!(false);
        let valid = validate(&request(given)).expect("valid");
        let runs: Vec<_> = valid.functions[0]
            .targets
            .iter()
            .map(|t| t.concurrency)
            .collect();
        assert_eq!(runs, [Some(Concurrency::Fixed(8))]);
        assert_eq!(
            valid.input.concurrencies,
            [Concurrency::Fixed(8), Concurrency::Auto]
        );
        let c = cause(
            json!({"targets": [{"name": "a", "functionName": "f", "autoConcurrency": "yes"}]}),
        );
        assert!(
            c.starts_with("targets[0].autoConcurrency: give true"),
            "{c}"
        );
    }

    #[test]
    fn other_data_without_an_expectation_is_not_checked() {
        let v = validate(&request(json!({"prefix": "other/"}))).expect("valid");
        assert_eq!(v.expect, None);
        let v = validate(&request(
            json!({"prefix": "other/", "expectedResult": "10"}),
        ))
        .expect("valid");
        assert_eq!(
            v.expect,
            Some(ExpectedResult {
                result: "10".into()
            })
        );
        let v = validate(&request(json!({"expectedResult": null}))).expect("valid");
        assert_eq!(v.expect, None);
        let v = validate(&request(json!({"rounds": 1}))).expect("valid");
        assert!(v.expect.is_some());
    }
}
