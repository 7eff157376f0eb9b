//! Removes everything deploy created, in reverse dependency order; safe to run again.

use crate::aws::Clients;
use crate::error::Result;
use crate::names::{StackNames, SCHEDULE_GROUP};
use crate::progress::{Event, Reporter};
use crate::resources::{bucket, function, role, schedule, state_machine};

/// Deletes the schedule, state machine, functions, roles and buckets (emptied of every object
/// version first) of `names`. Returns what existed and was removed, e.g. `IAM role
/// lambda-bench-reader`, each also reported as it goes ([`Event::Deleted`]). A bucket with one of the stack's names that lacks the stack's tag
/// (`lambda-bench:stack`) stops it before anything is deleted
/// ([`crate::DeployError::ForeignBucket`]).
pub(crate) async fn destroy(
    c: &Clients,
    names: &StackNames,
    reporter: &dyn Reporter,
) -> Result<Vec<String>> {
    // Every bucket is checked first, so a refusal leaves the whole stack as it was (and a
    // `deploy` that adds the tags, then `destroy` again, still works).
    for b in [&names.data_bucket, &names.results_bucket] {
        bucket::check_destroy(c, b, &names.stack).await?;
    }
    let mut removed = Vec::new();
    let mut note = |existed: bool, what: String| {
        if existed {
            removed.push(what.clone());
            reporter.report(Event::Deleted { what });
        }
    };
    note(
        schedule::destroy(c, SCHEDULE_GROUP, &names.schedule).await?,
        format!("schedule {}", names.schedule),
    );
    note(
        state_machine::destroy(c, &names.state_machine_arn()).await?,
        format!("state machine {}", names.state_machine),
    );
    for f in [&names.reader_function, &names.collector_function] {
        note(
            function::destroy(c, f).await?,
            format!("Lambda function {f}"),
        );
    }
    for r in [
        &names.schedule_role,
        &names.state_machine_role,
        &names.collector_role,
        &names.reader_role,
    ] {
        note(role::destroy(c, r).await?, format!("IAM role {r}"));
    }
    for b in [&names.data_bucket, &names.results_bucket] {
        note(
            bucket::destroy(c, b, &names.stack).await?,
            format!("S3 bucket {b}"),
        );
    }
    Ok(removed)
}
