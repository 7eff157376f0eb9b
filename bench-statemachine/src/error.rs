//! The errors of planning, rendering and checking a state machine. Variant names are stable.

use std::path::PathBuf;

/// A plan that cannot make a working benchmark. Each message names the field and the fix.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PlanError {
    /// `targets` is empty: add at least one target.
    #[error("targets: the plan has no target; add at least one {{name, functionName}}")]
    NoTargets,
    /// A target's `name` is empty or blank: give it a short label.
    #[error("targets[{index}].name: empty; give every target a short label such as \"rust\"")]
    EmptyTargetName {
        /// Position of the target in `targets`, from 0.
        index: usize,
    },
    /// Two targets have the same `name`: rename one (names key the results).
    #[error("targets[{index}].name: \"{name}\" is used twice; target names must be unique")]
    DuplicateTargetName {
        /// Position of the second target with that name, from 0.
        index: usize,
        /// The repeated name.
        name: String,
    },
    /// `concurrencies` is empty: give at least one value (the default is `[64]`).
    #[error("concurrencies: empty; give at least one value, e.g. [64] or [8, 64, \"auto\"]")]
    NoConcurrencies,
    /// A target's concurrency cannot run: a bad value, or `auto` on a reader without it.
    #[error("{0}")]
    Concurrency(String),
    /// A target's `functionName` is empty: give the function's name or ARN.
    #[error("targets[{index}].functionName: empty; give the function's name or ARN")]
    EmptyFunctionName {
        /// Position of the target in `targets`, from 0.
        index: usize,
    },
    /// A target's `functionName` is not a usable function reference (a qualified ARN, a
    /// partial ARN, another region's): give a plain name or an unqualified ARN.
    #[error("targets[{index}].functionName: `{value}` is {reason}")]
    FunctionRef {
        /// Position of the target in `targets`, from 0.
        index: usize,
        /// The `functionName` as given.
        value: String,
        /// What is wrong with it, from `bench_types::arn::check_function_ref`.
        reason: String,
    },
    /// `memorySizes` is empty: list at least one size.
    #[error("memorySizes: empty; give at least one size in MB, e.g. [128, 1024]")]
    NoMemorySizes,
    /// A memory size is outside what Lambda accepts.
    #[error("memorySizes[{index}]: {value} MB is outside {min}..={max}; Lambda accepts {min} to {max} MB")]
    MemorySizeOutOfRange {
        /// Position of the size in `memorySizes`, from 0.
        index: usize,
        /// The size given, in MB.
        value: u32,
        /// Lambda's smallest memory size, in MB.
        min: u32,
        /// Lambda's largest memory size, in MB.
        max: u32,
    },
    /// A memory size is listed twice: list each once.
    #[error("memorySizes[{index}]: {value} MB appears twice; list each size once")]
    DuplicateMemorySize {
        /// Position of the second occurrence in `memorySizes`, from 0.
        index: usize,
        /// The repeated size, in MB.
        value: u32,
    },
    /// `rounds` is 0 or above the most a run may have.
    #[error("rounds: {value}; give between 1 and {max} rounds")]
    RoundsOutOfRange {
        /// The rounds given.
        value: u32,
        /// The most rounds a run may have (`MAX_ROUNDS`).
        max: u32,
    },
    /// The data or results bucket name is empty.
    #[error("{field}: empty; give an S3 bucket name")]
    EmptyBucket {
        /// Which bucket: `data.bucket` or `results.bucket`.
        field: &'static str,
    },
    /// `collectorFunction` is empty: give the collector's name or ARN.
    #[error("collectorFunction: empty; give the collector function's name or ARN")]
    EmptyCollector,
    /// A `LastUpdateStatus` poll setting is 0.
    #[error("poll.{field}: 0; give at least 1")]
    PollSetting {
        /// Which setting: `intervalSeconds` or `limit`.
        field: &'static str,
    },
    /// The run would write more history events than Step Functions allows one execution:
    /// split it into several executions.
    #[error("rounds x memorySizes x runs (targets at each concurrency) = {configurations} configurations would write about {events} history events on AWS (one poll each), above Step Functions' {max} per execution; use fewer rounds, sizes, targets or concurrencies per execution")]
    HistoryTooLong {
        /// (round, memory size, target) configurations of the run.
        configurations: u64,
        /// History events the run would need, with the budget's margins.
        events: u64,
        /// Step Functions' limit per execution ([`crate::MAX_HISTORY_EVENTS`]).
        max: u64,
    },
    /// A retrier setting that Step Functions would refuse.
    #[error("retries.{policy}.{field}: {problem}")]
    RetrySetting {
        /// Which retrier: `update`, `invoke` or `collector`.
        policy: &'static str,
        /// Which setting: `intervalSeconds`, `maxAttempts` or `backoffRate`.
        field: &'static str,
        /// What is wrong and the accepted range.
        problem: &'static str,
    },
}

/// A rendered definition that breaks a rule of the States Language or of this project.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DefinitionError {
    /// A scope (the top level, a Map's processor, a Parallel branch) lacks `StartAt` or a
    /// non-empty `States`.
    #[error("{scope}: no StartAt, or no States object")]
    MissingStartOrStates {
        /// The scope: `top level`, or `STATE (nested)` for the states inside STATE.
        scope: String,
    },
    /// `StartAt` names a state its scope does not have.
    #[error("{scope}: StartAt names \"{name}\", which is not a state of this scope")]
    UnknownStartAt {
        /// The scope: `top level`, or `STATE (nested)` for the states inside STATE.
        scope: String,
        /// The missing state `StartAt` names.
        name: String,
    },
    /// Two states share a name; Step Functions wants names unique across nested scopes.
    #[error("state \"{name}\" is defined twice (names must be unique across nested Maps)")]
    DuplicateStateName {
        /// The repeated state name.
        name: String,
    },
    /// A transition (`Next`, `Default`, a Choice rule, a catcher) names a state outside its scope.
    #[error("state \"{state}\": {field} names \"{target}\", which is not a state of its scope")]
    UnknownTarget {
        /// The state the transition leaves.
        state: String,
        /// The field holding it, e.g. `Next`, `Choices[0].Next` or `Catch[1].Next`.
        field: String,
        /// The missing state it names.
        target: String,
    },
    /// A state no path from its scope's `StartAt` enters.
    #[error("state \"{state}\" cannot be reached from StartAt of its scope")]
    Unreachable {
        /// The state's name.
        state: String,
    },
    /// A state that neither goes on nor ends its scope.
    #[error("state \"{state}\" has neither Next nor End: true")]
    NoTransition {
        /// The state's name.
        state: String,
    },
    /// A state whose `Type` is missing or not one of the States Language's eight.
    #[error("state \"{state}\" has an unknown or missing Type")]
    UnknownType {
        /// The state's name.
        state: String,
    },
    /// A state that breaks another rule (e.g. a Map that runs more than one item at a time).
    #[error("state \"{state}\": {problem}")]
    Malformed {
        /// The state's name.
        state: String,
        /// The rule broken.
        problem: String,
    },
    /// The top level must have exactly one successful end (`Succeed` or `End: true`).
    #[error("the top level has {count} successful ends; the definition must have exactly one")]
    TerminalPaths {
        /// Successful ends found.
        count: usize,
    },
    /// The transition walk could not follow the happy path (a loop, a missing branch or item
    /// count, a Fail on the way); a template change broke the path or the scenario.
    #[error("transition walk: {problem}")]
    Walk {
        /// Where the walk stopped, and why.
        problem: String,
    },
}

/// Anything that stops [`crate::write_plan`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The plan is refused before rendering: fix the field the message names.
    #[error("invalid plan: {0}")]
    Plan(#[from] PlanError),
    /// The rendered definition breaks a rule: a bug in `templates/`, not in the plan.
    #[error("invalid definition: {0}")]
    Definition(#[from] DefinitionError),
    /// A template failed to render (a missing variable in strict mode): a bug in `templates/`.
    #[error("rendering template {template}: {source}")]
    Render {
        /// The template's name, e.g. `statemachine.asl.json`.
        template: &'static str,
        /// Handlebars' error.
        #[source]
        source: Box<handlebars::RenderError>,
    },
    /// A template does not parse: a syntax error in `templates/`.
    #[error("registering template {template}: {source}")]
    Template {
        /// The template's name, e.g. `configuration`.
        template: &'static str,
        /// Handlebars' error.
        #[source]
        source: Box<handlebars::TemplateError>,
    },
    /// The rendered text is not JSON (a template bug), or a document could not be written as
    /// JSON.
    #[error("the rendered {what} is not valid JSON: {source}")]
    Json {
        /// The document, e.g. `state machine definition` or a file name.
        what: &'static str,
        /// serde_json's error.
        #[source]
        source: serde_json::Error,
    },
    /// `write_plan` could not create its directory or write a file.
    #[error("writing {path}: {source}")]
    Io {
        /// The directory or file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}
