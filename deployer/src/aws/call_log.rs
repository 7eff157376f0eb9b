//! An SDK interceptor that records every operation the deployer calls, attached to every client.
//! Tests use it to prove that a second deploy changes nothing (no mutating call).

use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// One SDK operation, e.g. `("IAM", "CreateRole")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The service as the SDK names it, e.g. `IAM`, `S3`, `Lambda`.
    pub service: String,
    /// The operation, e.g. `CreateRole`.
    pub operation: String,
}

impl Call {
    /// Reads (Get/List/Describe/Head) do not change anything; every other operation may.
    pub(crate) fn is_mutating(&self) -> bool {
        !["Get", "List", "Describe", "Head"]
            .iter()
            .any(|read| self.operation.starts_with(read))
    }
}

impl std::fmt::Display for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.service, self.operation)
    }
}

/// The shared log; clones share it.
#[derive(Debug, Clone, Default)]
pub struct CallLog {
    calls: Arc<Mutex<Vec<Call>>>,
}

impl CallLog {
    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// The calls that may have changed something.
    pub fn mutating_calls(&self) -> Vec<Call> {
        self.calls().into_iter().filter(Call::is_mutating).collect()
    }

    /// Forgets the calls so far.
    pub fn clear(&self) {
        if let Ok(mut calls) = self.calls.lock() {
            calls.clear();
        }
    }

    fn push(&self, call: Call) {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(call);
        }
    }
}

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "CallLog"
    }

    // Not `read_before_execution`: a client-level interceptor sees that hook before the
    // operation's metadata is in the config bag.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(metadata) = cfg.load::<Metadata>() {
            self.push(Call {
                service: metadata.service().to_owned(),
                operation: metadata.name().to_owned(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_not_mutating() {
        let call = |op: &str| Call {
            service: "s".into(),
            operation: op.into(),
        };
        for op in [
            "GetRole",
            "ListObjectsV2",
            "DescribeStateMachine",
            "HeadBucket",
        ] {
            assert!(!call(op).is_mutating(), "{op}");
        }
        for op in [
            "CreateRole",
            "PutObject",
            "UpdateFunctionCode",
            "DeleteSchedule",
        ] {
            assert!(call(op).is_mutating(), "{op}");
        }
    }
}
