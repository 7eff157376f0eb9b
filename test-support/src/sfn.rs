//! Step Functions executions: waiting for their end and reading their history.

use std::time::{Duration, Instant};

use aws_sdk_sfn::operation::describe_execution::DescribeExecutionOutput;
use aws_sdk_sfn::types::{ExecutionStatus, HistoryEvent};
use aws_sdk_sfn::Client;

/// How long [`wait_for_execution`] waits before it fails the test.
pub const EXECUTION_DEADLINE: Duration = Duration::from_secs(120);

/// Starts an execution of `state_machine_arn` with `input` (named `name`, or as Step
/// Functions names it) and waits (polling every 250 ms) until it ends.
pub async fn start_and_wait(
    sfn: &Client,
    state_machine_arn: &str,
    name: Option<&str>,
    input: &str,
) -> DescribeExecutionOutput {
    let execution = sfn
        .start_execution()
        .state_machine_arn(state_machine_arn)
        .set_name(name.map(str::to_owned))
        .input(input)
        .send()
        .await
        .unwrap_or_else(|e| panic!("StartExecution of {state_machine_arn}: {e:?}"));
    wait_for_execution(sfn, execution.execution_arn(), Duration::from_millis(250)).await
}

/// The JSON output of an execution that succeeded; panics with the description and
/// `context` (a server's log, say) when it did not.
#[track_caller]
pub fn succeeded_output(done: &DescribeExecutionOutput, context: &str) -> serde_json::Value {
    assert_eq!(
        done.status(),
        &ExecutionStatus::Succeeded,
        "{done:?}\n{context}"
    );
    output_json(done)
}

/// The JSON output of an execution that ended.
#[track_caller]
pub fn output_json(done: &DescribeExecutionOutput) -> serde_json::Value {
    let output = done
        .output()
        .unwrap_or_else(|| panic!("no output: {done:?}"));
    serde_json::from_str(output).unwrap_or_else(|e| panic!("output {output:?} is not JSON: {e}"))
}

/// Polls (every `poll`, up to [`EXECUTION_DEADLINE`]) until the execution leaves RUNNING;
/// panics when it is still running then.
pub async fn wait_for_execution(
    sfn: &Client,
    arn: &str,
    poll: Duration,
) -> DescribeExecutionOutput {
    execution_end(sfn, arn, poll).await.unwrap_or_else(|| {
        panic!(
            "{arn} still running after {} s",
            EXECUTION_DEADLINE.as_secs()
        )
    })
}

/// [`wait_for_execution`] that answers `None` when the execution is still running at the
/// deadline, for a test that has more to say then (a server's log).
pub async fn execution_end(
    sfn: &Client,
    arn: &str,
    poll: Duration,
) -> Option<DescribeExecutionOutput> {
    let started = Instant::now();
    loop {
        let described = sfn
            .describe_execution()
            .execution_arn(arn)
            .send()
            .await
            .unwrap_or_else(|e| panic!("DescribeExecution {arn}: {e:?}"));
        if described.status() != &ExecutionStatus::Running {
            return Some(described);
        }
        if started.elapsed() >= EXECUTION_DEADLINE {
            return None;
        }
        tokio::time::sleep(poll).await;
    }
}

/// The execution's whole history, oldest first, all pages (up to 100 of 1000 events).
pub async fn execution_history(sfn: &Client, arn: &str) -> Vec<HistoryEvent> {
    let mut history = Vec::new();
    let mut token = None;
    for _ in 0..100 {
        let page = sfn
            .get_execution_history()
            .execution_arn(arn)
            .max_results(1000)
            .set_next_token(token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GetExecutionHistory {arn}: {e:?}"));
        history.extend(page.events);
        token = page.next_token;
        if token.is_none() {
            return history;
        }
    }
    panic!("{arn}: more than 100 pages of history")
}
