//! Reads what exists, computes the difference to the declared [`Stack`], and applies only it.
//! Public for the `KIND_*` names, which say what kind of resource each [`StackDiff`] entry is.

use crate::aws::Clients;
use crate::diff::{Change, ResourceChange, StackDiff};
use crate::error::Result;
use crate::progress::{Event, Reporter};
use crate::resources::bucket::{self, BucketState};
use crate::resources::function::{self, FunctionState};
use crate::resources::objects::{self, ObjectsPlan};
use crate::resources::role::{self, RoleState};
use crate::resources::schedule::{self, ScheduleState};
use crate::resources::state_machine;
use crate::stack::Stack;

/// The [`ResourceChange::kind`] of the data and results buckets.
pub const KIND_BUCKET: &str = "S3 bucket";
/// The kind of the test objects (one resource per prefix, named `s3://BUCKET/PREFIX`).
pub const KIND_OBJECTS: &str = "S3 test objects";
/// The kind of the roles (reader, collector, state machine, schedule).
pub const KIND_ROLE: &str = "IAM role";
/// The kind of the reader and collector functions.
pub const KIND_FUNCTION: &str = "Lambda function";
/// The kind of the state machine.
pub const KIND_STATE_MACHINE: &str = "state machine";
/// The kind of the EventBridge Scheduler schedule.
pub const KIND_SCHEDULE: &str = "schedule";

/// The current state of every resource and the change each needs.
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    buckets: Vec<Change>,
    objects: Vec<(Change, ObjectsPlan)>,
    roles: Vec<(Option<RoleState>, Change)>,
    functions: Vec<Change>,
    state_machine: Change,
    schedule_role: (Option<RoleState>, Change),
    schedule: Change,
}

impl Planned {
    /// The changes in deploy order, for printing.
    pub(crate) fn diff(&self, stack: &Stack) -> StackDiff {
        let n = &stack.names;
        let mut d = StackDiff::default();
        for (spec, (_, change)) in stack.roles.iter().zip(&self.roles) {
            d.push(KIND_ROLE, &spec.name, change.clone());
        }
        for (spec, change) in stack.buckets.iter().zip(&self.buckets) {
            d.push(KIND_BUCKET, &spec.name, change.clone());
        }
        for (spec, (change, _)) in stack.objects.iter().zip(&self.objects) {
            d.push(KIND_OBJECTS, objects_name(spec), change.clone());
        }
        for (spec, change) in stack.functions.iter().zip(&self.functions) {
            d.push(KIND_FUNCTION, &spec.name, change.clone());
        }
        d.push(
            KIND_STATE_MACHINE,
            &n.state_machine,
            self.state_machine.clone(),
        );
        d.push(KIND_ROLE, &n.schedule_role, self.schedule_role.1.clone());
        d.push(KIND_SCHEDULE, &n.schedule, self.schedule.clone());
        d
    }
}

/// Reads every resource and computes its change. Makes read calls only.
pub(crate) async fn plan(c: &Clients, stack: &Stack) -> Result<Planned> {
    let mut buckets = Vec::new();
    for spec in &stack.buckets {
        let state: Option<BucketState> = bucket::read(c, spec).await?;
        buckets.push(bucket::diff(state.as_ref()));
    }
    let mut object_sets = Vec::new();
    for spec in &stack.objects {
        let state = objects::read(c, spec).await?;
        let plan = objects::plan(spec, &state);
        object_sets.push((objects::diff(spec, &state, &plan), plan));
    }

    let mut roles = Vec::new();
    for spec in &stack.roles {
        let state = role::read(c, &spec.name).await?;
        let change = role::diff(spec, state.as_ref());
        roles.push((state, change));
    }
    let mut functions = Vec::new();
    for spec in &stack.functions {
        let state: Option<FunctionState> = function::read(c, &spec.name).await?;
        functions.push(function::diff(spec, state.as_ref()));
    }
    let sm_state = state_machine::read(c, &stack.state_machine.arn).await?;
    let state_machine = state_machine::diff(&stack.state_machine, sm_state.as_ref())?;

    let n = &stack.names;
    let schedule_role_state = role::read(c, &n.schedule_role).await?;
    let schedule_role_change = match (&stack.schedule_role, &schedule_role_state) {
        (Some(spec), state) => role::diff(spec, state.as_ref()),
        (None, Some(_)) => Change::Delete,
        (None, None) => Change::NoChange,
    };
    let schedule_state: Option<ScheduleState> =
        schedule::read(c, crate::names::SCHEDULE_GROUP, &n.schedule).await?;
    let schedule = schedule::diff(stack.schedule.as_ref(), schedule_state.as_ref());
    Ok(Planned {
        buckets,
        objects: object_sets,
        roles,
        functions,
        state_machine,
        schedule_role: (schedule_role_state, schedule_role_change),
        schedule,
    })
}

/// How the diff and the progress name a prefix's test objects: `s3://bucket/prefix`.
fn objects_name(spec: &objects::ObjectsSpec) -> String {
    format!("s3://{}/{}", spec.bucket, spec.prefix)
}

/// Applies the planned changes in dependency order, reporting each as it begins
/// ([`Event::Changing`]). Refuses, before changing anything, to touch the functions or the test
/// objects while an execution runs.
pub(crate) async fn apply(
    c: &Clients,
    stack: &Stack,
    planned: &Planned,
    reporter: &dyn Reporter,
) -> Result<()> {
    let touches_a_run = planned
        .objects
        .iter()
        .any(|(change, _)| !change.is_no_change())
        || planned
            .functions
            .iter()
            .any(|change| !change.is_no_change());
    if touches_a_run {
        state_machine::ensure_no_run(
            c,
            &stack.state_machine.arn,
            "updating the stack's functions or test objects",
        )
        .await?;
    }
    let say = |kind: &'static str, name: &str, change: &Change| {
        if !change.is_no_change() {
            reporter.report(Event::Changing(ResourceChange {
                kind,
                name: name.to_owned(),
                change: change.clone(),
            }));
        }
    };
    // Roles first: IAM takes seconds to make a new role usable (Lambda refuses it until
    // then), and the buckets and the test objects go up meanwhile.
    for (spec, (state, change)) in stack.roles.iter().zip(&planned.roles) {
        say(KIND_ROLE, &spec.name, change);
        role::apply(c, spec, state.as_ref(), change).await?;
    }
    for (spec, change) in stack.buckets.iter().zip(&planned.buckets) {
        say(KIND_BUCKET, &spec.name, change);
        bucket::apply(c, spec, change).await?;
    }
    for (spec, (change, plan)) in stack.objects.iter().zip(&planned.objects) {
        if !change.is_no_change() {
            say(KIND_OBJECTS, &objects_name(spec), change);
            objects::apply(c, spec, plan, reporter).await?;
        }
    }
    // The functions side by side: each waits seconds for Lambda to make it Active or its
    // update Successful, and no function needs another.
    for (spec, change) in stack.functions.iter().zip(&planned.functions) {
        say(KIND_FUNCTION, &spec.name, change);
    }
    futures::future::try_join_all(
        stack
            .functions
            .iter()
            .zip(&planned.functions)
            .map(|(spec, change)| function::apply(c, spec, change)),
    )
    .await?;
    say(
        KIND_STATE_MACHINE,
        &stack.state_machine.name,
        &planned.state_machine,
    );
    state_machine::apply(c, &stack.state_machine, &planned.state_machine).await?;

    let n = &stack.names;
    let (role_state, role_change) = &planned.schedule_role;
    match &stack.schedule_role {
        Some(spec) => {
            say(KIND_ROLE, &spec.name, role_change);
            role::apply(c, spec, role_state.as_ref(), role_change).await?;
            say(KIND_SCHEDULE, &n.schedule, &planned.schedule);
            schedule::apply(
                c,
                stack.schedule.as_ref(),
                crate::names::SCHEDULE_GROUP,
                &n.schedule,
                &planned.schedule,
            )
            .await?;
        }
        None => {
            // The schedule goes first: it still names the role.
            say(KIND_SCHEDULE, &n.schedule, &planned.schedule);
            schedule::apply(
                c,
                None,
                crate::names::SCHEDULE_GROUP,
                &n.schedule,
                &planned.schedule,
            )
            .await?;
            if matches!(role_change, Change::Delete) {
                say(KIND_ROLE, &n.schedule_role, role_change);
                role::destroy(c, &n.schedule_role).await?;
            }
        }
    }
    Ok(())
}
