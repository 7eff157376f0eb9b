//! What deploy prints and writes to `OUT/stack.json`: ARNs, the console URL, a sample input.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{DeployError, Result};
use crate::names::{StackNames, RESULTS_PREFIX};
use crate::stack::Stack;

/// The file deploy writes in the output folder.
pub(crate) const STACK_FILE: &str = "stack.json";

/// The deployed stack, for people and for `deploy run`: what deploy prints and writes to
/// `OUT/stack.json` (camelCase keys).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StackOutputs {
    /// The stack name every resource name derives from, e.g. `lambda-bench`.
    pub stack_name: String,
    /// The region the stack is in, e.g. `eu-west-1`.
    pub region: String,
    /// The AWS account the stack is in (12 digits).
    pub account_id: String,
    /// The bucket holding the test objects.
    pub data_bucket: String,
    /// The prefix of the test objects in it, e.g. `bench/1000/`.
    pub data_prefix: String,
    /// The bucket the collector writes the results to.
    pub results_bucket: String,
    /// The prefix of the results in it (`runs/`).
    pub results_prefix: String,
    /// The ARN of the reader function (the benchmark's own target).
    pub reader_function_arn: String,
    /// The ARN of the collector function.
    pub collector_function_arn: String,
    /// The ARN of every role of the stack, by role name.
    pub role_arns: BTreeMap<String, String>,
    /// The ARN of the benchmark's state machine.
    pub state_machine_arn: String,
    /// The state machine's page in the Step Functions console.
    pub console_url: String,
    /// The schedule's ARN, when the stack has a schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_arn: Option<String>,
    /// The schedule's expression, e.g. `rate(7 days)`, when the stack has a schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_expression: Option<String>,
    /// An execution input with every default spelled out (`{}` runs the same).
    pub sample_input: Value,
}

impl StackOutputs {
    /// The outputs of the declared `stack`.
    pub(crate) fn new(stack: &Stack) -> Self {
        let n: &StackNames = &stack.names;
        let mut role_arns = BTreeMap::new();
        for role in stack.roles.iter().chain(stack.schedule_role.iter()) {
            role_arns.insert(role.name.clone(), n.role_arn(&role.name));
        }
        Self {
            stack_name: n.stack.clone(),
            region: n.region.clone(),
            account_id: n.account.clone(),
            data_bucket: n.data_bucket.clone(),
            data_prefix: n.data_prefix.clone(),
            results_bucket: n.results_bucket.clone(),
            results_prefix: RESULTS_PREFIX.to_owned(),
            reader_function_arn: n.function_arn(&n.reader_function),
            collector_function_arn: n.function_arn(&n.collector_function),
            role_arns,
            state_machine_arn: n.state_machine_arn(),
            console_url: n.console_url(),
            schedule_arn: stack.schedule.as_ref().map(|s| {
                format!(
                    "arn:{}:scheduler:{}:{}:schedule/{}/{}",
                    n.partition(),
                    n.region,
                    n.account,
                    s.group,
                    s.name
                )
            }),
            schedule_expression: stack.schedule.as_ref().map(|s| s.expression.clone()),
            sample_input: stack.sample_input.clone(),
        }
    }

    /// Writes `dir/stack.json` (creating `dir`) and returns its path.
    pub(crate) fn write(&self, dir: &Path) -> Result<PathBuf> {
        std::fs::create_dir_all(dir).map_err(|e| DeployError::io(dir, e))?;
        let path = dir.join(STACK_FILE);
        let mut text = serde_json::to_string_pretty(self).map_err(|e| DeployError::ConfigFile {
            path: path.clone(),
            message: e.to_string(),
        })?;
        text.push('\n');
        std::fs::write(&path, text).map_err(|e| DeployError::io(&path, e))?;
        Ok(path)
    }
}

impl std::fmt::Display for StackOutputs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "stack {} in {} (account {})",
            self.stack_name, self.region, self.account_id
        )?;
        writeln!(
            f,
            "  data:          s3://{}/{}",
            self.data_bucket, self.data_prefix
        )?;
        writeln!(
            f,
            "  results:       s3://{}/{}",
            self.results_bucket, self.results_prefix
        )?;
        writeln!(f, "  reader:        {}", self.reader_function_arn)?;
        writeln!(f, "  collector:     {}", self.collector_function_arn)?;
        for (name, arn) in &self.role_arns {
            writeln!(f, "  role {name}: {arn}")?;
        }
        writeln!(f, "  state machine: {}", self.state_machine_arn)?;
        if let (Some(arn), Some(expr)) = (&self.schedule_arn, &self.schedule_expression) {
            writeln!(f, "  schedule:      {arn} ({expr})")?;
        }
        writeln!(f, "  console:       {}", self.console_url)?;
        write!(
            f,
            "  sample input:  {}",
            serde_json::to_string(&self.sample_input).unwrap_or_default()
        )
    }
}
