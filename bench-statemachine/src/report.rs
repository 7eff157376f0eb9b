//! `write_plan`: renders, checks and writes the definition and the policy documents, and
//! reports the files and the transition figures.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::definition_check::check_definition;
use crate::error::{DefinitionError, Error, PlanError};
use crate::plan::BenchmarkPlan;
use crate::plan_check::check_plan;
use crate::policy::{state_machine_role_policy, state_machine_trust_policy};
use crate::render::render_definition_value;
use crate::transitions::{poll_cost, walk, Scenario};

/// Step Functions stops a STANDARD execution at this many history events.
pub const MAX_HISTORY_EVENTS: u64 = 25_000;

/// The file `write_plan` writes the state machine definition (Amazon States Language) to.
pub const DEFINITION_FILE: &str = "statemachine.asl.json";
/// The file `write_plan` writes the state machine role's permissions policy to.
pub const ROLE_POLICY_FILE: &str = "statemachine-role-policy.json";
/// The file `write_plan` writes the state machine role's trust policy to.
pub const TRUST_POLICY_FILE: &str = "statemachine-trust-policy.json";

/// The state-transition figures of a plan, computed from its rendered definition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransitionFigures {
    /// (round, memory, target) configurations of a run of the defaults.
    pub configurations: u64,
    /// (round, memory, function) memory updates of a run of the defaults.
    pub updates: u64,
    /// Transitions of a whole successful run, every update done at its first check.
    pub per_run: u64,
    /// `per_run / configurations`.
    pub per_configuration: f64,
    /// What each further `LastUpdateStatus` poll adds (AWS usually answers an update with
    /// `InProgress`, so expect about one poll per update there).
    pub per_extra_poll: u64,
    /// History events of a whole successful run, every update done at its first check.
    pub history_events: u64,
    /// History events each further poll adds.
    pub history_events_per_extra_poll: u64,
}

impl TransitionFigures {
    /// Walks the definition's happy path for the plan.
    pub(crate) fn compute(
        plan: &BenchmarkPlan,
        definition: &Value,
    ) -> Result<Self, DefinitionError> {
        let run = walk(definition, &Scenario::happy_path(plan))?;
        let poll = poll_cost(definition, "CheckUpdate")?;
        let configurations = plan.configurations();
        Ok(Self {
            configurations,
            updates: plan.updates(),
            per_run: run.transitions,
            per_configuration: run.transitions as f64 / configurations as f64,
            per_extra_poll: poll.transitions,
            history_events: run.history_events,
            history_events_per_extra_poll: poll.history_events,
        })
    }

    /// History events of a run in which every update needs `polls` polls.
    pub fn history_events_with_polls(&self, polls: u64) -> u64 {
        self.history_events + self.updates * polls * self.history_events_per_extra_poll
    }

    /// The per-configuration figure when every update needs `polls` polls.
    pub fn per_configuration_with_polls(&self, polls: u64) -> f64 {
        let transitions = self.per_run + self.updates * polls * self.per_extra_poll;
        transitions as f64 / self.configurations as f64
    }
}

/// A rendered and checked plan, in memory.
#[derive(Debug, Clone)]
pub struct RenderedPlan {
    /// The state machine definition (Amazon States Language), checked.
    pub definition: Value,
    /// The permissions policy of the state machine's role (IAM policy document).
    pub role_policy: Value,
    /// The trust policy of the state machine's role: Step Functions of the plan's account.
    pub trust_policy: Value,
    /// The definition's state-transition and history figures for the plan.
    pub transitions: TransitionFigures,
}

/// Checks the plan, renders it, checks the definition and computes the figures.
pub fn render_plan(plan: &BenchmarkPlan) -> Result<RenderedPlan, Error> {
    check_plan(plan)?;
    let definition = render_definition_value(plan)?;
    check_definition(&definition)?;
    let transitions = TransitionFigures::compute(plan, &definition)?;
    // A run that would not fit is refused here rather than cut off by Step Functions halfway
    // (with the targets left at the wrong memory size); the same budget, with its margin for
    // polls and retries, is what the definition checks an execution's input against.
    let events = crate::budget::history_budget(plan)?.events(plan.shape());
    if events > MAX_HISTORY_EVENTS {
        return Err(PlanError::HistoryTooLong {
            configurations: transitions.configurations,
            events,
            max: MAX_HISTORY_EVENTS,
        }
        .into());
    }
    Ok(RenderedPlan {
        role_policy: state_machine_role_policy(plan),
        trust_policy: state_machine_trust_policy(plan),
        definition,
        transitions,
    })
}

/// What `write_plan` did.
#[derive(Debug, Clone)]
pub struct PlanReport {
    /// The files written: the definition, then the role's permissions and trust policies.
    pub files: Vec<PathBuf>,
    /// The definition's state-transition and history figures for the plan.
    pub transitions: TransitionFigures,
}

impl fmt::Display for PlanReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "wrote:")?;
        for file in &self.files {
            writeln!(f, "  {}", file.display())?;
        }
        let t = &self.transitions;
        writeln!(
            f,
            "state transitions per (round, memory, target): {:.2} ({} for the {} configurations of a run)",
            t.per_configuration, t.per_run, t.configurations
        )?;
        writeln!(
            f,
            "each further LastUpdateStatus poll adds {} (with one poll per memory update, as AWS usually needs: {:.2} per configuration)",
            t.per_extra_poll,
            t.per_configuration_with_polls(1)
        )?;
        write!(
            f,
            "execution history events: {} ({} with one poll per memory update; Step Functions allows {})",
            t.history_events,
            t.history_events_with_polls(1),
            MAX_HISTORY_EVENTS
        )
    }
}

/// Writes `out_dir/statemachine.asl.json` and the role's policy documents (pretty JSON,
/// creating `out_dir`), after checking the plan and the definition.
pub fn write_plan(plan: &BenchmarkPlan, out_dir: &Path) -> Result<PlanReport, Error> {
    let rendered = render_plan(plan)?;
    std::fs::create_dir_all(out_dir).map_err(|source| Error::Io {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    for (name, value) in [
        (DEFINITION_FILE, &rendered.definition),
        (ROLE_POLICY_FILE, &rendered.role_policy),
        (TRUST_POLICY_FILE, &rendered.trust_policy),
    ] {
        let path = out_dir.join(name);
        let mut text = serde_json::to_string_pretty(value)
            .map_err(|source| Error::Json { what: name, source })?;
        text.push('\n');
        std::fs::write(&path, text).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        files.push(path);
    }
    Ok(PlanReport {
        files,
        transitions: rendered.transitions,
    })
}
