//! The errors of planning, rendering and checking a state machine. Variant names are stable.

use std::path::PathBuf;

/// A plan that cannot make a working benchmark. Each message names the field and the fix.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PlanError {
    #[error("targets: the plan has no target; add at least one {{name, functionName}}")]
    NoTargets,
    #[error("targets[{index}].name: empty; give every target a short label such as \"rust\"")]
    EmptyTargetName { index: usize },
    #[error("targets[{index}].name: \"{name}\" is used twice; target names must be unique")]
    DuplicateTargetName { index: usize, name: String },
    #[error("targets[{index}].functionName: empty; give the function's name or ARN")]
    EmptyFunctionName { index: usize },
    #[error("targets[{index}].functionName: `{value}` is {reason}")]
    FunctionRef {
        index: usize,
        value: String,
        reason: String,
    },
    #[error("memorySizes: empty; give at least one size in MB, e.g. [128, 1024]")]
    NoMemorySizes,
    #[error("memorySizes[{index}]: {value} MB is outside {min}..={max}; Lambda accepts {min} to {max} MB")]
    MemorySizeOutOfRange {
        index: usize,
        value: u32,
        min: u32,
        max: u32,
    },
    #[error("memorySizes[{index}]: {value} MB appears twice; list each size once")]
    DuplicateMemorySize { index: usize, value: u32 },
    #[error("rounds: {value}; give between 1 and {max} rounds")]
    RoundsOutOfRange { value: u32, max: u32 },
    #[error("{field}: empty; give an S3 bucket name")]
    EmptyBucket { field: &'static str },
    #[error("collectorFunction: empty; give the collector function's name or ARN")]
    EmptyCollector,
    #[error("poll.{field}: 0; give at least 1")]
    PollSetting { field: &'static str },
    #[error("rounds x memorySizes x targets = {configurations} configurations would write about {events} history events on AWS (one poll each), above Step Functions' {max} per execution; use fewer rounds, sizes or targets per execution")]
    HistoryTooLong {
        configurations: u64,
        events: u64,
        max: u64,
    },
    #[error("retries.{policy}.{field}: {problem}")]
    RetrySetting {
        policy: &'static str,
        field: &'static str,
        problem: &'static str,
    },
}

/// A rendered definition that breaks a rule of the States Language or of this project.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DefinitionError {
    #[error("{scope}: no StartAt, or no States object")]
    MissingStartOrStates { scope: String },
    #[error("{scope}: StartAt names \"{name}\", which is not a state of this scope")]
    UnknownStartAt { scope: String, name: String },
    #[error("state \"{name}\" is defined twice (names must be unique across nested Maps)")]
    DuplicateStateName { name: String },
    #[error("state \"{state}\": {field} names \"{target}\", which is not a state of its scope")]
    UnknownTarget {
        state: String,
        field: String,
        target: String,
    },
    #[error("state \"{state}\" cannot be reached from StartAt of its scope")]
    Unreachable { state: String },
    #[error("state \"{state}\" has neither Next nor End: true")]
    NoTransition { state: String },
    #[error("state \"{state}\" has an unknown or missing Type")]
    UnknownType { state: String },
    #[error("state \"{state}\": {problem}")]
    Malformed { state: String, problem: String },
    #[error("the top level has {count} successful ends; the definition must have exactly one")]
    TerminalPaths { count: usize },
    #[error("transition walk: {problem}")]
    Walk { problem: String },
}

/// Anything that stops [`crate::write_plan`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid plan: {0}")]
    Plan(#[from] PlanError),
    #[error("invalid definition: {0}")]
    Definition(#[from] DefinitionError),
    #[error("rendering template {template}: {source}")]
    Render {
        template: &'static str,
        #[source]
        source: Box<handlebars::RenderError>,
    },
    #[error("registering template {template}: {source}")]
    Template {
        template: &'static str,
        #[source]
        source: Box<handlebars::TemplateError>,
    },
    #[error("the rendered {what} is not valid JSON: {source}")]
    Json {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("writing {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
