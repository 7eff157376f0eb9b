//! moto Invoke → launcher bridge → local runtime → the real `bootstrap`, also from a Step Functions
//! execution in moto.

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::LogType;
use base64::Engine;
use local_stack::runtime::RuntimeOptions;
use serde_json::{json, Value};

use crate::common;
use common::{create_test_function, json_of, Bridged};
use test_support::sfn::{start_and_wait, succeeded_output};

/// A runtime and a lenient moto bridged to it, with the test function deployed as `name`.
async fn stack_with_function(name: &str, memory: i32, timeout: i32) -> Bridged {
    let stack = Bridged::start(None).await;
    let role = common::lambda_role(&stack.config, &format!("{name}-role")).await;
    create_test_function(&stack.lambda, name, &role, memory, timeout, "bridge")
        .await
        .expect("CreateFunction");
    stack
}

async fn invoke(
    lambda: &aws_sdk_lambda::Client,
    name: &str,
    event: Value,
) -> (Option<String>, Value, Option<String>) {
    let out = lambda
        .invoke()
        .function_name(name)
        .log_type(LogType::Tail)
        .payload(Blob::new(event.to_string()))
        .send()
        .await
        .expect("Invoke");
    let payload =
        String::from_utf8(out.payload().expect("payload").as_ref().to_vec()).expect("utf-8");
    let log = out.log_result().map(|encoded| {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .expect("base64 log");
        String::from_utf8_lossy(&bytes).into_owned()
    });
    (
        out.function_error().map(str::to_string),
        json_of(&payload),
        log,
    )
}

async fn set_memory(stack: &Bridged, name: &str, memory: i32) {
    stack
        .lambda
        .update_function_configuration()
        .function_name(name)
        .memory_size(memory)
        .send()
        .await
        .expect("UpdateFunctionConfiguration");
}

#[tokio::test]
async fn invoke_through_moto_runs_the_function_at_the_configured_memory() {
    let stack = stack_with_function("bridged", 256, 10).await;

    let (error, out, log) = invoke(&stack.lambda, "bridged", json!({"echo": "hi"})).await;
    assert_eq!(error, None, "{out}");
    assert_eq!(out["memoryMb"], 256);
    assert_eq!(out["envMemory"], "256");
    assert_eq!(out["functionName"], "bridged");
    assert_eq!(out["env"]["TEST_STAGE"], "bridge");
    assert_eq!(out["echo"], "hi");
    let log = log.expect("LogResult with LogType Tail");
    assert!(log.contains("Memory Size: 256 MB"), "{log}");
    assert!(
        log.contains("Init Duration:"),
        "first call is a cold start: {log}"
    );

    set_memory(&stack, "bridged", 1769).await;
    let (error, out, _) = invoke(&stack.lambda, "bridged", json!({})).await;
    assert_eq!(error, None, "{out}");
    assert_eq!(
        out["memoryMb"], 1769,
        "the memory moto holds reached the function"
    );

    set_memory(&stack, "bridged", 128).await;
    let (_, out, _) = invoke(&stack.lambda, "bridged", json!({})).await;
    assert_eq!(out["memoryMb"], 128);
    assert_eq!(out["invocations"], 1, "a memory change is a cold start");
    let (_, warm, log) = invoke(&stack.lambda, "bridged", json!({})).await;
    assert_eq!(
        warm["invocations"], 2,
        "same memory: the warm environment is reused"
    );
    assert!(!log.unwrap_or_default().contains("Init Duration:"));

    // Back to a size it had before: a new revision all the same, so a fresh sandbox (the warm
    // one at 1769 MB above belongs to an earlier revision), as on Lambda.
    set_memory(&stack, "bridged", 1769).await;
    let (_, out, log) = invoke(&stack.lambda, "bridged", json!({})).await;
    assert_eq!(out["memoryMb"], 1769);
    assert_eq!(
        out["invocations"], 1,
        "an earlier revision's sandbox is not reused"
    );
    assert!(log.unwrap_or_default().contains("Init Duration:"));
    drop(stack.runtime);
}

#[tokio::test]
async fn failures_and_timeouts_come_back_as_function_errors() {
    let stack = stack_with_function("flaky", 128, 1).await;

    let (error, out, _) = invoke(&stack.lambda, "flaky", json!({"fail": "boom"})).await;
    assert_eq!(error.as_deref(), Some("Unhandled"));
    assert_eq!(out["errorType"], "TestFailure");
    assert_eq!(out["errorMessage"], "boom");

    let (error, out, _) = invoke(&stack.lambda, "flaky", json!({"sleepMs": 4000})).await;
    assert_eq!(error.as_deref(), Some("Unhandled"));
    assert_eq!(out["errorType"], "Sandbox.Timedout");
    assert!(
        out["errorMessage"]
            .as_str()
            .is_some_and(|m| m.ends_with("Task timed out after 1.00 seconds")),
        "{out}"
    );

    let (error, out, _) = invoke(&stack.lambda, "flaky", json!({"exitCode": 2})).await;
    assert_eq!(error.as_deref(), Some("Unhandled"));
    assert_eq!(out["errorType"], "Runtime.ExitError");
}

#[tokio::test]
async fn bridge_without_a_runtime_answers_an_error_not_a_hang() {
    let stack = stack_with_function("orphan", 128, 3).await;
    stack.runtime.shutdown().await;
    let (error, out, _) = invoke(&stack.lambda, "orphan", json!({})).await;
    assert_eq!(error.as_deref(), Some("Unhandled"));
    assert_eq!(out["errorType"], "Runtime.BridgeUnavailable", "{out}");
    drop(stack.moto);
}

#[tokio::test]
async fn step_functions_lambda_invoke_task_reaches_the_function() {
    let stack = stack_with_function("from-sfn", 512, 10).await;
    let sfn = aws_sdk_sfn::Client::new(&stack.config);
    let role = common::lambda_role(&stack.config, "sfn-role").await;
    let definition = json!({
        "StartAt": "Resize",
        "States": {
            "Resize": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:lambda:updateFunctionConfiguration",
                "Parameters": {"FunctionName": "from-sfn", "MemorySize.$": "$.memory"},
                "ResultPath": null,
                "Next": "Invoke"
            },
            "Invoke": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "from-sfn", "LogType": "Tail", "Payload": {"echo.$": "$.tag"}},
                "ResultSelector": {"out.$": "$.Payload", "log.$": "$.LogResult"},
                "Next": "Fail"
            },
            "Fail": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "from-sfn", "Payload": {"fail": "from the state machine"}},
                "ResultPath": "$.failure",
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.caught", "Next": "Done"}],
                "Next": "Done"
            },
            "Done": {"Type": "Pass", "End": true}
        }
    });
    let machine = sfn
        .create_state_machine()
        .name("bridge-test")
        .role_arn(role)
        .definition(definition.to_string())
        .send()
        .await
        .expect("CreateStateMachine");
    let input = json!({"memory": 1024, "tag": "sfn"}).to_string();
    let done = start_and_wait(&sfn, machine.state_machine_arn(), Some("run-1"), &input).await;
    let output = succeeded_output(&done, &stack.moto.log_tail());
    assert_eq!(output["out"]["memoryMb"], 1024, "{output}");
    assert_eq!(output["out"]["echo"], "sfn");
    // Unlike moto's own Lambda, the bridge returns a log tail, so LogResult reaches the state
    // machine as it does on AWS, with the REPORT line the collector parses.
    let log = base64::engine::general_purpose::STANDARD
        .decode(
            output["log"]
                .as_str()
                .expect("LogResult in the task result"),
        )
        .expect("base64");
    let log = String::from_utf8_lossy(&log);
    assert!(
        log.contains("REPORT RequestId:") && log.contains("Memory Size: 1024 MB"),
        "{log}"
    );
    let caught = &output["caught"];
    println!("caught: {caught}");
    assert!(
        caught["Error"]
            .as_str()
            .is_some_and(|e| e.contains("TestFailure")),
        "the function's error type reaches Step Functions: {caught}"
    );
}

#[tokio::test]
async fn lambda_stack_points_functions_at_moto() {
    // About the endpoints functions get, not AWS's timing (strict mode has its own tests).
    let stack = local_stack::LambdaStack::start_with(RuntimeOptions::default(), None)
        .await
        .expect("stack");
    let config = stack.sdk_config().await;
    let role = common::lambda_role(&config, "stack-role").await;
    let lambda = aws_sdk_lambda::Client::new(&config);
    create_test_function(&lambda, "stacked", &role, 3008, 10, "bridge")
        .await
        .expect("CreateFunction");
    let (error, out, _) = invoke(&lambda, "stacked", json!({})).await;
    assert_eq!(error, None, "{out}");
    assert_eq!(out["memoryMb"], 3008);
    assert_eq!(out["endpoint"], stack.moto.endpoint());
    stack.shutdown().await;
}
