//! What deploy prints and writes to `OUT/stack.json`: ARNs, the console URL, a sample input.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{DeployError, Result};
use crate::names::{StackNames, RESULTS_PREFIX};
use crate::stack::Stack;

/// The file deploy writes in the output folder.
pub const STACK_FILE: &str = "stack.json";

/// The deployed stack, for people and for `deploy run`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StackOutputs {
    pub stack_name: String,
    pub region: String,
    pub account_id: String,
    pub data_bucket: String,
    pub data_prefix: String,
    pub results_bucket: String,
    pub results_prefix: String,
    pub reader_function_arn: String,
    pub collector_function_arn: String,
    pub role_arns: BTreeMap<String, String>,
    pub state_machine_arn: String,
    pub console_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_expression: Option<String>,
    /// An execution input with every default spelled out (`{}` runs the same).
    pub sample_input: Value,
}

impl StackOutputs {
    pub fn new(stack: &Stack) -> Self {
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
    pub fn write(&self, dir: &Path) -> Result<PathBuf> {
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
