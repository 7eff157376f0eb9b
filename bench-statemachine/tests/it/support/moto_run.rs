//! Runs a rendered definition in moto (local-stack's `MotoServer`, simple Lambda backend):
//! creates the plan's functions, the state machine, starts an execution and waits for its end.

use std::time::Duration;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use aws_sdk_sfn::types::{ExecutionStatus, HistoryEvent};
use bench_statemachine::{render_plan, BenchmarkPlan};
use local_stack::moto::{MotoOptions, MotoServer};
use test_support::collector_answer::collector_answer;
use test_support::iam::create_role;
use test_support::lambda::memory_of;
use test_support::sfn::{execution_end, execution_history};

/// The memory every function is created with, so a restore is visible.
pub(crate) const ORIGINAL_MEMORY_MB: i32 = 777;

/// An empty zip archive: the simple backend runs no code, but CreateFunction wants a zip.
const EMPTY_ZIP: [u8; 22] = [
    0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
];

/// A moto server with the plan's functions and state machine created.
pub(crate) struct Stack {
    pub moto: MotoServer,
    pub lambda: aws_sdk_lambda::Client,
    pub sfn: aws_sdk_sfn::Client,
    pub state_machine_arn: String,
    /// What the collector answers the input check of `{}` (`{"action": "validate"}`): the
    /// simple backend runs no collector, so the tests queue the answer of the collector's own
    /// check (the functions and each round's steps come from it).
    pub valid_answer: String,
}

/// How an execution ended.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub status: ExecutionStatus,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub output: Option<serde_json::Value>,
    pub history: Vec<HistoryEvent>,
}

impl Outcome {
    /// Asserts that the execution succeeded, with its error and cause if not.
    #[track_caller]
    pub(crate) fn assert_succeeded(&self) {
        assert_eq!(
            self.status,
            ExecutionStatus::Succeeded,
            "{:?} {:?}",
            self.error,
            self.cause
        );
    }

    /// Whether the execution entered the state `name`.
    pub(crate) fn entered(&self, name: &str) -> bool {
        self.times_entered(name) > 0
    }

    /// How many times the execution entered the state `name`.
    pub(crate) fn times_entered(&self, name: &str) -> usize {
        self.history
            .iter()
            .filter_map(|e| e.state_entered_event_details())
            .filter(|d| d.name() == name)
            .count()
    }

    /// How many states the execution entered (the billed state transitions).
    pub(crate) fn states_entered(&self) -> usize {
        self.history
            .iter()
            .filter(|e| e.r#type().as_str().ends_with("StateEntered"))
            .count()
    }

    /// The `record` field of every collector call with `"action": "record"`, in order.
    pub(crate) fn records(&self) -> Vec<serde_json::Value> {
        self.history
            .iter()
            .filter_map(|e| e.task_scheduled_event_details())
            .filter_map(|d| serde_json::from_str::<serde_json::Value>(d.parameters()).ok())
            .filter(|p| p["Payload"]["action"] == "record")
            .map(|p| p["Payload"]["record"].clone())
            .collect()
    }
}

fn function_name(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

impl Stack {
    /// Starts moto and creates the plan's target and collector functions and its state machine.
    pub(crate) async fn start(plan: &BenchmarkPlan) -> Stack {
        let moto = MotoServer::start(MotoOptions::simple_lambda())
            .await
            .expect("moto starts (run scripts/setup if the venv is missing)");
        let config = moto.sdk_config().await;
        let lambda = aws_sdk_lambda::Client::new(&config);
        let sfn = aws_sdk_sfn::Client::new(&config);
        let services = ["lambda.amazonaws.com", "states.amazonaws.com"];
        let role = create_role(&config, "bench-test-role", &services, None).await;
        let mut functions: Vec<&str> = plan
            .targets
            .iter()
            .map(|t| t.function_name.as_str())
            .collect();
        functions.push(&plan.collector_function);
        functions.sort_unstable();
        functions.dedup();
        for function in functions {
            lambda
                .create_function()
                .function_name(function_name(function))
                .runtime(Runtime::Providedal2023)
                .role(&role)
                .handler("bootstrap")
                .memory_size(ORIGINAL_MEMORY_MB)
                .code(
                    FunctionCode::builder()
                        .zip_file(Blob::new(EMPTY_ZIP.to_vec()))
                        .build(),
                )
                .send()
                .await
                .expect("function created");
        }
        let definition = render_plan(plan).expect("the plan renders").definition;
        let state_machine_arn = sfn
            .create_state_machine()
            .name("bench")
            .definition(definition.to_string())
            .role_arn(&role)
            .send()
            .await
            .expect("state machine created")
            .state_machine_arn;
        Stack {
            moto,
            lambda,
            sfn,
            state_machine_arn,
            valid_answer: collector_answer(&definition, &serde_json::json!({})),
        }
    }

    /// Creates another state machine in the same moto, from an edited definition.
    pub(crate) async fn create_state_machine(
        &self,
        name: &str,
        definition: &serde_json::Value,
    ) -> String {
        let role = self
            .sfn
            .describe_state_machine()
            .state_machine_arn(&self.state_machine_arn)
            .send()
            .await
            .expect("state machine described")
            .role_arn;
        self.sfn
            .create_state_machine()
            .name(name)
            .definition(definition.to_string())
            .role_arn(role)
            .send()
            .await
            .expect("state machine created")
            .state_machine_arn
    }

    /// Starts an execution of the plan's state machine and waits until it ends.
    pub(crate) async fn run(&self, name: &str, input: &str) -> Outcome {
        self.run_machine(&self.state_machine_arn, name, input).await
    }

    /// Queues answers for the next invokes: the collector's input check passing (the first
    /// invoke of an execution that gets that far), then `later` (every other invoke echoes).
    pub(crate) async fn queue_valid_then(&self, later: &[String]) {
        let mut answers = vec![self.valid_answer.clone()];
        answers.extend_from_slice(later);
        self.moto
            .queue_simple_lambda_responses(&answers)
            .await
            .expect("answers queued");
    }

    /// [`Self::run`] of an input that passes the collector's check.
    pub(crate) async fn run_valid(&self, name: &str, input: &str) -> Outcome {
        self.queue_valid_then(&[]).await;
        self.run(name, input).await
    }

    /// Starts an execution with `input` and waits (bounded) until it is no longer running.
    pub(crate) async fn run_machine(
        &self,
        state_machine_arn: &str,
        name: &str,
        input: &str,
    ) -> Outcome {
        let execution = self
            .sfn
            .start_execution()
            .state_machine_arn(state_machine_arn)
            .name(name)
            .input(input)
            .send()
            .await
            .expect("execution started")
            .execution_arn;
        let d = execution_end(&self.sfn, &execution, Duration::from_millis(100))
            .await
            .unwrap_or_else(|| {
                panic!(
                    "{name} still running after 120 s; moto log:\n{}",
                    self.moto.log_tail()
                )
            });
        let history = execution_history(&self.sfn, &execution).await;
        Outcome {
            status: d.status,
            error: d.error,
            cause: d.cause,
            output: d
                .output
                .map(|o| serde_json::from_str(&o).expect("output is JSON")),
            history,
        }
    }

    /// The function's memory size now.
    pub(crate) async fn memory_of(&self, function: &str) -> i32 {
        memory_of(&self.lambda, function_name(function))
            .await
            .expect("memory size")
    }
}
