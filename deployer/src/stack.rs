//! The stack declared as values (as a CDK app does): every resource with its desired
//! properties, derived from the configuration, the account and region, and the packages.

use std::collections::BTreeMap;

use bench_statemachine::RenderedPlan;
use bench_types::objects::ObjectSet;
use serde_json::{json, Value};

use crate::benchmark_plan::benchmark_plan;
use crate::config::BenchConfig;
use crate::error::Result;
use crate::names::{StackNames, SCHEDULE_GROUP, WARMUP_OBJECTS};
use crate::package::Packages;
use crate::policies;
use crate::readers::Reader;
use crate::resources::bucket::{self, BucketSpec};
use crate::resources::function::FunctionSpec;
use crate::resources::objects::ObjectsSpec;
use crate::resources::role::RoleSpec;
use crate::resources::schedule::ScheduleSpec;
use crate::resources::state_machine::StateMachineSpec;

/// Timeout of the reader: the seed's sequential read of 1000 objects at 128 MB fits easily.
pub(crate) const READER_TIMEOUT_SECONDS: i32 = 300;
/// Timeout of the collector (aggregation, charts and report of one execution).
pub(crate) const COLLECTOR_TIMEOUT_SECONDS: i32 = 120;
/// The label scheduled executions carry in their input.
pub(crate) const SCHEDULED_LABEL: &str = "scheduled";

/// Every resource of the stack (deployed roles first, then the buckets, the test objects, the
/// functions, the state machine and the schedule; see `reconcile::apply`).
#[derive(Debug, Clone)]
pub struct Stack {
    /// Every name and ARN the resources use.
    pub names: StackNames,
    /// Data, then results.
    pub(crate) buckets: Vec<BucketSpec>,
    /// The test objects in the data bucket: the shared copy under `bench/COUNT/`, then each
    /// target's own copy under `bench/COUNT-TARGET/`.
    pub objects: Vec<ObjectsSpec>,
    /// Reader, collector, state machine.
    pub roles: Vec<RoleSpec>,
    /// The readers the targets use (the Rust one always), then the collector.
    pub(crate) functions: Vec<FunctionSpec>,
    /// The state machine with its rendered definition.
    pub state_machine: StateMachineSpec,
    /// Present only with a schedule (and then removed when the schedule is dropped).
    pub schedule_role: Option<RoleSpec>,
    pub(crate) schedule: Option<ScheduleSpec>,
    /// Contract 1's input with every default spelled out, for the console.
    pub sample_input: Value,
}

/// Names of the inline policies.
pub(crate) const READER_POLICY: &str = "read-test-objects";
pub(crate) const COLLECTOR_POLICY: &str = "write-results";
pub(crate) const STATE_MACHINE_POLICY: &str = "run-benchmark";
/// The name of the schedule role's inline policy (starting executions of the state machine).
pub const SCHEDULE_POLICY: &str = "start-benchmark";

impl Stack {
    /// Declares the stack of `config` under `names`, with the function code of `packages`.
    pub fn new(config: &BenchConfig, names: &StackNames, packages: &Packages) -> Result<Self> {
        let plan = benchmark_plan(config, names);
        let rendered = bench_statemachine::render_plan(&plan)?;
        let (schedule_role, schedule) = match &config.schedule {
            None => (None, None),
            Some(expression) => (
                Some(schedule_role(names)),
                Some(schedule(names, expression)),
            ),
        };
        Ok(Self {
            names: names.clone(),
            buckets: buckets(names),
            objects: object_copies(config, names),
            roles: roles(config, names, &rendered),
            functions: functions(config, names, packages)?,
            state_machine: StateMachineSpec {
                name: names.state_machine.clone(),
                arn: names.state_machine_arn(),
                role_arn: names.role_arn(&names.state_machine_role),
                definition: rendered.definition,
            },
            schedule_role,
            schedule,
            sample_input: plan.default_input(),
        })
    }

    /// Every IAM document of the stack by a readable name (trust and inline policies).
    pub fn policy_documents(&self) -> BTreeMap<String, Value> {
        let mut docs = BTreeMap::new();
        for role in self.roles.iter().chain(self.schedule_role.iter()) {
            docs.insert(format!("{}.trust", role.name), role.trust.clone());
            for (name, doc) in &role.policies {
                docs.insert(format!("{}.{name}", role.name), doc.clone());
            }
        }
        docs
    }
}

/// The description of one of the stack's resources, e.g. `Lambda benchmark NAME: state machine`.
fn description(names: &StackNames, what: &str) -> String {
    format!("Lambda benchmark {}: {what}", names.stack)
}

/// The data bucket, then the results bucket, each tagged with the stack.
fn buckets(names: &StackNames) -> Vec<BucketSpec> {
    vec![
        BucketSpec {
            name: names.data_bucket.clone(),
            stack: names.stack.clone(),
            role: bucket::ROLE_DATA.to_owned(),
        },
        BucketSpec {
            name: names.results_bucket.clone(),
            stack: names.stack.clone(),
            role: bucket::ROLE_RESULTS.to_owned(),
        },
    ]
}

/// The shared copy of the objects, then one per target.
fn object_copies(config: &BenchConfig, names: &StackNames) -> Vec<ObjectsSpec> {
    let copy = |prefix: String| ObjectsSpec {
        bucket: names.data_bucket.clone(),
        prefix,
        set: config.objects.object_set(),
    };
    let warmup = ObjectsSpec {
        bucket: names.data_bucket.clone(),
        prefix: names.warmup_prefix(),
        // Read only to count them: no magic object, so a new `find` leaves them alone.
        set: ObjectSet {
            count: WARMUP_OBJECTS,
            magic: None,
            ..config.objects.object_set()
        },
    };
    std::iter::once(names.data_prefix.clone())
        .chain(config.targets.iter().map(|t| names.target_prefix(&t.name)))
        .map(copy)
        .chain(std::iter::once(warmup))
        .collect()
}

/// The readers the stack deploys: the Rust reader, and the others a target names.
pub(crate) fn deployed_readers(config: &BenchConfig) -> Vec<Reader> {
    Reader::ALL
        .into_iter()
        .filter(|&reader| {
            reader == Reader::Rust
                || config
                    .targets
                    .iter()
                    .any(|t| t.stack_reader() == Some(reader))
        })
        .collect()
}

/// The names of the reader functions the stack deploys.
pub(crate) fn reader_functions(config: &BenchConfig, names: &StackNames) -> Vec<String> {
    deployed_readers(config)
        .into_iter()
        .map(|reader| names.reader_function_of(reader))
        .collect()
}

/// The roles of the readers (one role: they need the same access), the collector and the
/// state machine (whose policy comes with the rendered definition).
fn roles(config: &BenchConfig, names: &StackNames, rendered: &RenderedPlan) -> Vec<RoleSpec> {
    let reader_functions = reader_functions(config, names);
    vec![
        RoleSpec {
            name: names.reader_role.clone(),
            description: description(names, "S3 reader functions"),
            trust: policies::lambda_trust_policy(),
            policies: BTreeMap::from([(
                READER_POLICY.to_owned(),
                policies::reader_policy(names, &reader_functions),
            )]),
        },
        RoleSpec {
            name: names.collector_role.clone(),
            description: description(names, "collector function"),
            trust: policies::lambda_trust_policy(),
            policies: BTreeMap::from([(
                COLLECTOR_POLICY.to_owned(),
                policies::collector_policy(names),
            )]),
        },
        RoleSpec {
            name: names.state_machine_role.clone(),
            description: description(names, "state machine"),
            trust: rendered.trust_policy.clone(),
            policies: BTreeMap::from([(
                STATE_MACHINE_POLICY.to_owned(),
                rendered.role_policy.clone(),
            )]),
        },
    ]
}

/// The readers, then the collector, with the code of `packages`.
fn functions(
    config: &BenchConfig,
    names: &StackNames,
    packages: &Packages,
) -> Result<Vec<FunctionSpec>> {
    let function = |name: String,
                    role: &str,
                    memory: u32,
                    timeout: i32,
                    what: &str,
                    runtime: Reader,
                    package| FunctionSpec {
        name,
        description: description(names, what),
        role_arn: names.role_arn(role),
        memory_mb: i32::try_from(memory).unwrap_or(i32::MAX),
        timeout_seconds: timeout,
        architecture: config.architecture,
        runtime: runtime.runtime().to_owned(),
        handler: runtime.handler().to_owned(),
        environment: BTreeMap::new(),
        package,
    };
    let mut specs = Vec::new();
    for reader in deployed_readers(config) {
        specs.push(function(
            names.reader_function_of(reader),
            &names.reader_role,
            config.reader_memory_mb,
            READER_TIMEOUT_SECONDS,
            reader.description(),
            reader,
            packages.reader_package(reader)?,
        ));
    }
    specs.push(function(
        names.collector_function.clone(),
        &names.collector_role,
        config.collector_memory_mb,
        COLLECTOR_TIMEOUT_SECONDS,
        "collector (results and report)",
        Reader::Rust,
        packages.collector.clone(),
    ));
    Ok(specs)
}

/// The role EventBridge Scheduler starts executions with.
fn schedule_role(names: &StackNames) -> RoleSpec {
    RoleSpec {
        name: names.schedule_role.clone(),
        description: description(names, "schedule"),
        trust: policies::service_trust_policy("scheduler.amazonaws.com", &names.account),
        policies: BTreeMap::from([(SCHEDULE_POLICY.to_owned(), policies::schedule_policy(names))]),
    }
}

/// The schedule that starts an execution labelled [`SCHEDULED_LABEL`] at `expression`.
fn schedule(names: &StackNames, expression: &str) -> ScheduleSpec {
    ScheduleSpec {
        name: names.schedule.clone(),
        group: SCHEDULE_GROUP.to_owned(),
        expression: expression.to_owned(),
        target_arn: names.state_machine_arn(),
        role_arn: names.role_arn(&names.schedule_role),
        input: json!({"label": SCHEDULED_LABEL}),
    }
}
