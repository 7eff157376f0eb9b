//! Putting the targets back at the memory size they had before a run when the execution could not
//! do it itself: an execution that ends ABORTED or TIMED_OUT runs no further state, and one that
//! fails outside the sweep's Catch (e.g. the collector is gone) may not reach its restore states.

use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::aws::sdk_error::{classify, is_not_found};
use crate::aws::Clients;
use crate::error::Result;
use crate::resources::function::wait_updated;

/// Updates refused because another one is in progress, before giving up.
const CONFLICT_ATTEMPTS: u32 = 10;

/// A function's memory size before the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Original {
    pub function: String,
    pub memory_mb: i32,
}

/// A function `restore` put back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub function: String,
    pub from_mb: i32,
    pub to_mb: i32,
}

/// Reads the memory size of each function (once each); a function that does not exist is
/// skipped (the execution records its failure).
pub async fn capture(c: &Clients, functions: &[String]) -> Result<Vec<Original>> {
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
pub async fn restore(c: &Clients, originals: &[Original]) -> Result<Vec<Restored>> {
    let mut restored = Vec::new();
    for original in originals {
        wait_updated(c, &original.function).await?;
        let Some(now) = memory_of(c, &original.function).await? else {
            continue;
        };
        if now == original.memory_mb {
            continue;
        }
        let mut attempt = 1;
        loop {
            match c
                .lambda
                .update_function_configuration()
                .function_name(&original.function)
                .memory_size(original.memory_mb)
                .send()
                .await
            {
                Ok(_) => break,
                // Another update started between the wait and this call.
                Err(e)
                    if attempt < CONFLICT_ATTEMPTS
                        && e.code() == Some("ResourceConflictException") =>
                {
                    attempt += 1;
                    wait_updated(c, &original.function).await?;
                }
                Err(e) => return Err(classify("lambda:UpdateFunctionConfiguration", e)),
            }
        }
        wait_updated(c, &original.function).await?;
        restored.push(Restored {
            function: original.function.clone(),
            from_mb: now,
            to_mb: original.memory_mb,
        });
    }
    Ok(restored)
}
