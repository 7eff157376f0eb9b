//! Putting the targets back at the memory size they had before a run when the execution could not
//! do it itself: an execution that ends ABORTED or TIMED_OUT runs no further state, and one that
//! fails outside the sweep's Catch (e.g. the collector is gone) may not reach its restore states.

use std::time::Duration;

use crate::aws::retry::{retry, Backoff};
use crate::aws::sdk_error::{classify, is_not_found};
use crate::aws::Clients;
use crate::error::{DeployError, Result};
use crate::resources::function::wait_updated;

/// Attempts of an update refused because another one is in progress; each waits for that one
/// to end first, so no pause is needed.
const AFTER_CONFLICT: Backoff = Backoff::fixed(Duration::ZERO, 10);

/// A function's memory size before the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Original {
    pub(crate) function: String,
    pub(crate) memory_mb: i32,
}

/// A function `deploy run` put back at its memory size of before the run (see
/// [`crate::run::RunOutcome::restored`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// The function's name or ARN, as the execution's targets name it.
    pub function: String,
    /// The memory size the execution left it at, in MB.
    pub from_mb: i32,
    /// The memory size it had before the run and has again, in MB.
    pub to_mb: i32,
}

/// Reads the memory size of each function (once each); a function that does not exist is
/// skipped (the execution records its failure).
pub(crate) async fn capture(c: &Clients, functions: &[String]) -> Result<Vec<Original>> {
    let mut originals: Vec<Original> = Vec::new();
    for function in functions {
        if originals.iter().any(|o| &o.function == function) {
            continue;
        }
        match memory_of(c, function).await? {
            Some(memory_mb) => originals.push(Original {
                function: function.clone(),
                memory_mb,
            }),
            None => continue,
        }
    }
    Ok(originals)
}

/// True when Lambda refused an update because another one is in progress.
fn is_conflict(error: &DeployError) -> bool {
    matches!(error, DeployError::Aws { code, .. } if code == "ResourceConflictException")
}

async fn memory_of(c: &Clients, function: &str) -> Result<Option<i32>> {
    match c
        .lambda
        .get_function_configuration()
        .function_name(function)
        .send()
        .await
    {
        Ok(conf) => Ok(conf.memory_size),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(classify("lambda:GetFunctionConfiguration", e)),
    }
}

/// Sets every function whose memory differs from its original back to it, each after any update
/// in progress has ended, and waits until Lambda reports the update done.
pub(crate) async fn restore(c: &Clients, originals: &[Original]) -> Result<Vec<Restored>> {
    let mut restored = Vec::new();
    for original in originals {
        wait_updated(c, &original.function).await?;
        let Some(now) = memory_of(c, &original.function).await? else {
            continue;
        };
        if now == original.memory_mb {
            continue;
        }
        // Another update may start between the wait and the call: wait again, then retry.
        retry(AFTER_CONFLICT, is_conflict, || async {
            wait_updated(c, &original.function).await?;
            c.lambda
                .update_function_configuration()
                .function_name(&original.function)
                .memory_size(original.memory_mb)
                .send()
                .await
                .map_err(|e| classify("lambda:UpdateFunctionConfiguration", e))
        })
        .await?;
        wait_updated(c, &original.function).await?;
        restored.push(Restored {
            function: original.function.clone(),
            from_mb: now,
            to_mb: original.memory_mb,
        });
    }
    Ok(restored)
}
