//! The typed benchmark plan and its rendering to Amazon States Language.
//!
//! - [`plan`]: [`BenchmarkPlan`] (its `Default` is the seed's benchmark) and its parts.
//! - [`plan_check`]: the validation pass on the model.
//! - [`render`]: handlebars rendering of `templates/` into the definition.
//! - [`definition_check`]: the validation pass on the rendered definition.
//! - [`error_matches`]: the error names each Lambda invoke retries or catches on.
//! - [`transitions`]: the state-transition count, walked on the rendered definition.
//! - [`budget`]: the execution history a run needs, baked into the definition's input check.
//! - [`policy`]: the IAM policy documents of the state machine role.
//! - [`report`]: [`write_plan`] and [`PlanReport`].

pub mod arn;
pub mod budget;
pub mod definition_check;
pub mod error;
pub mod error_matches;
pub mod plan;
pub mod plan_check;
pub mod policy;
pub mod render;
pub mod report;
pub mod transitions;

pub use error::{DefinitionError, Error, PlanError};
pub use plan::{
    BenchmarkPlan, DataLocation, PollPolicy, ResultsLocation, RetryPolicies, RetryPolicy,
    TargetSpec,
};
pub use report::{
    render_plan, write_plan, PlanReport, RenderedPlan, TransitionFigures, MAX_HISTORY_EVENTS,
};
