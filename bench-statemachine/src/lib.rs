//! The typed benchmark plan and its rendering to Amazon States Language.
//!
//! Entry points: [`BenchmarkPlan`] (its `Default` is the seed's benchmark), [`render_plan`]
//! (checks it, renders the definition and the state machine role's policy documents, counts
//! the transitions) and [`write_plan`] (the same, written to files for `deploy plan`).
//!
//! - [`plan_check`]: the validation pass on the model.
//! - [`render`]: handlebars rendering of `templates/` into the definition.
//! - [`definition_check`]: the validation pass on the rendered definition.
//! - [`error_matches`]: the error names each Lambda invoke retries or catches on.
//! - [`transitions`]: the state-transition count, walked on the rendered definition.
//! - [`policy`]: the IAM policy documents of the state machine role.
//! - [`report`]: [`write_plan`], [`PlanReport`] and the file names it writes.
//! - [`arn`]: the placeholder account and region of ARNs built at plan time.

pub mod arn;
mod budget;
pub mod definition_check;
mod error;
pub mod error_matches;
mod plan;
pub mod plan_check;
pub mod policy;
pub mod render;
pub mod report;
pub mod transitions;

pub use bench_types::Concurrency;
pub use error::{DefinitionError, Error, PlanError};
pub use plan::{
    BenchmarkPlan, DataLocation, PollPolicy, ResultsLocation, RetryPolicies, RetryPolicy,
    TargetSpec,
};
pub use report::{
    render_plan, write_plan, PlanReport, RenderedPlan, TransitionFigures, MAX_HISTORY_EVENTS,
};
