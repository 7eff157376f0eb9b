//! Strict mode: moto refuses, delays and throttles as AWS does, and the AWS SDK reads the answers
//! (codes, messages, statuses) as it reads AWS's. Short windows keep these tests fast.

use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_config::SdkConfig;
use aws_sdk_lambda::client::Waiters;
use aws_sdk_lambda::config::http::HttpResponse;
use aws_sdk_lambda::error::SdkError;
use aws_sdk_lambda::operation::invoke::InvokeError;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Environment, LastUpdateStatus, State, ThrottleReason};
use aws_sdk_scheduler::types::{FlexibleTimeWindow, FlexibleTimeWindowMode, Target};
use aws_sdk_sfn::types::HistoryEventType;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use local_stack::moto::{MotoOptions, MotoServer, StrictOptions, TokenBucket};
use local_stack::runtime::RuntimeOptions;
use serde_json::json;

use crate::common;
use common::{create_test_function, function_zip, json_of, Bridged};
use test_support::iam::create_role;
use test_support::lambda::wait_active;
use test_support::sfn::{execution_history, output_json, start_and_wait, succeeded_output};

const ACCOUNT: &str = "123456789012";
const LAMBDA_ROLE_MESSAGE: &str = "The role defined for the function cannot be assumed by Lambda.";
const STATES_ROLE_MESSAGE: &str = "Neither the global service principal states.amazonaws.com, nor \
                                   the regional one is authorized to assume the provided role.";
const SCHEDULER_ROLE_MESSAGE: &str =
    "The execution role you provide must allow AWS EventBridge Scheduler to assume the role.";
const PASS_MACHINE: &str = r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#;

/// Strict options with the given windows and AWS's default quotas.
fn strict(role_propagation: Duration, update_latency: Duration) -> StrictOptions {
    StrictOptions {
        role_propagation,
        update_latency,
        ..StrictOptions::default()
    }
}

async fn strict_moto(options: StrictOptions) -> MotoServer {
    MotoServer::start(MotoOptions::default().with_strict(options))
        .await
        .expect("moto in strict mode")
}

/// Creates a role that `service` may assume; with `source_account`, the trust policy has the
/// `aws:SourceAccount` condition the deployer puts on Step Functions and Scheduler roles.
async fn role(config: &SdkConfig, name: &str, service: &str, source_account: bool) -> String {
    create_role(config, name, &[service], source_account.then_some(ACCOUNT)).await
}

/// Code, message and HTTP status of a service error, as the SDK parsed them.
fn parts<E: ProvideErrorMetadata>(
    error: &SdkError<E, HttpResponse>,
) -> (Option<String>, Option<String>, Option<u16>) {
    (
        error.code().map(str::to_string),
        error.message().map(str::to_string),
        error.raw_response().map(|r| r.status().as_u16()),
    )
}

fn expect_error<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug>(
    result: Result<T, SdkError<E, HttpResponse>>,
    what: &str,
) -> (Option<String>, Option<String>, Option<u16>) {
    let error = result.expect_err(what);
    parts(&error)
}

fn owned(code: &str, message: &str, status: u16) -> (Option<String>, Option<String>, Option<u16>) {
    (
        Some(code.to_string()),
        Some(message.to_string()),
        Some(status),
    )
}

/// Lambda and Step Functions clients that do not retry, so throttling answers reach the test.
fn lambda_without_retries(config: &SdkConfig) -> aws_sdk_lambda::Client {
    aws_sdk_lambda::Client::from_conf(
        aws_sdk_lambda::config::Builder::from(config)
            .retry_config(RetryConfig::disabled())
            .build(),
    )
}

fn sfn_without_retries(config: &SdkConfig) -> aws_sdk_sfn::Client {
    aws_sdk_sfn::Client::from_conf(
        aws_sdk_sfn::config::Builder::from(config)
            .retry_config(RetryConfig::disabled())
            .build(),
    )
}

/// Creates the test function `name` (10 s timeout) as a new role `role_name` that Lambda may
/// assume, and waits until it is Active.
async fn active_function(
    config: &SdkConfig,
    lambda: &aws_sdk_lambda::Client,
    role_name: &str,
    name: &str,
    memory: i32,
    stage: &str,
) {
    let role = role(config, role_name, "lambda.amazonaws.com", false).await;
    create_test_function(lambda, name, &role, memory, 10, stage)
        .await
        .expect("CreateFunction");
    wait_active(lambda, name).await;
}

async fn create_schedule(
    config: &SdkConfig,
    name: &str,
    target_arn: &str,
    role: &str,
) -> Result<
    aws_sdk_scheduler::operation::create_schedule::CreateScheduleOutput,
    SdkError<aws_sdk_scheduler::operation::create_schedule::CreateScheduleError, HttpResponse>,
> {
    aws_sdk_scheduler::Client::new(config)
        .create_schedule()
        .name(name)
        .schedule_expression("rate(7 days)")
        .flexible_time_window(
            FlexibleTimeWindow::builder()
                .mode(FlexibleTimeWindowMode::Off)
                .build()
                .expect("window"),
        )
        .target(
            Target::builder()
                .arn(target_arn)
                .role_arn(role)
                .input("{}")
                .build()
                .expect("target"),
        )
        .send()
        .await
}

#[tokio::test]
async fn new_roles_are_refused_until_they_propagate_and_wrong_trust_always() {
    let propagation = Duration::from_secs(2);
    let moto = strict_moto(strict(propagation, Duration::from_millis(200))).await;
    let config = moto.sdk_config().await;
    let lambda = aws_sdk_lambda::Client::new(&config);
    let sfn = aws_sdk_sfn::Client::new(&config);

    let created = Instant::now();
    let lambda_role = role(&config, "fn-role", "lambda.amazonaws.com", false).await;
    let states_role = role(&config, "sm-role", "states.amazonaws.com", true).await;
    let regional_states_role = role(
        &config,
        "sm-regional",
        "states.us-east-1.amazonaws.com",
        false,
    )
    .await;
    let scheduler_role = role(&config, "sched-role", "scheduler.amazonaws.com", true).await;

    // Within the window, each service refuses with AWS's code, message and status.
    assert_eq!(
        expect_error(
            create_test_function(&lambda, "early", &lambda_role, 128, 10, "x").await,
            "CreateFunction with a new role"
        ),
        owned("InvalidParameterValueException", LAMBDA_ROLE_MESSAGE, 400)
    );
    let machine = |name: &str, role: &str| {
        sfn.create_state_machine()
            .name(name)
            .definition(PASS_MACHINE)
            .role_arn(role)
            .send()
    };
    assert_eq!(
        expect_error(
            machine("early", &states_role).await,
            "CreateStateMachine with a new role"
        ),
        owned("AccessDeniedException", STATES_ROLE_MESSAGE, 400)
    );
    let target = format!("arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:later");
    assert_eq!(
        expect_error(
            create_schedule(&config, "early", &target, &scheduler_role).await,
            "CreateSchedule with a new role"
        ),
        owned("ValidationException", SCHEDULER_ROLE_MESSAGE, 400)
    );

    if let Some(rest) = (propagation + Duration::from_millis(200)).checked_sub(created.elapsed()) {
        tokio::time::sleep(rest).await;
    }

    // After it, a role whose trust policy names another service is still refused ...
    assert_eq!(
        expect_error(
            machine("wrong-trust", &lambda_role).await,
            "CreateStateMachine with Lambda's role"
        ),
        owned("AccessDeniedException", STATES_ROLE_MESSAGE, 400)
    );
    assert_eq!(
        expect_error(
            create_test_function(&lambda, "wrong-trust", &states_role, 128, 10, "x").await,
            "CreateFunction with Step Functions' role"
        ),
        owned("InvalidParameterValueException", LAMBDA_ROLE_MESSAGE, 400)
    );
    // ... and the right ones (aws:SourceAccount conditions included, as the deployer writes
    // them, and the regional principal) are accepted.
    create_test_function(&lambda, "later", &lambda_role, 128, 10, "x")
        .await
        .expect("CreateFunction after the window");
    let later = machine("later", &states_role)
        .await
        .expect("CreateStateMachine after the window");
    machine("regional", &regional_states_role)
        .await
        .expect("the regional principal may assume it too");
    create_schedule(&config, "later", later.state_machine_arn(), &scheduler_role)
        .await
        .expect("CreateSchedule after the window");

    // UpdateFunctionConfiguration and UpdateStateMachine check the role they are given.
    let fresh = role(&config, "fresh-fn-role", "lambda.amazonaws.com", false).await;
    wait_active(&lambda, "later").await;
    assert_eq!(
        expect_error(
            lambda
                .update_function_configuration()
                .function_name("later")
                .role(&fresh)
                .send()
                .await,
            "UpdateFunctionConfiguration with a new role"
        ),
        owned("InvalidParameterValueException", LAMBDA_ROLE_MESSAGE, 400)
    );
    let fresh_states = role(&config, "fresh-sm-role", "states.amazonaws.com", false).await;
    assert_eq!(
        expect_error(
            sfn.update_state_machine()
                .state_machine_arn(later.state_machine_arn())
                .role_arn(&fresh_states)
                .send()
                .await,
            "UpdateStateMachine with a new role"
        ),
        owned("AccessDeniedException", STATES_ROLE_MESSAGE, 400)
    );
}

#[tokio::test]
async fn lambda_creates_pending_and_updates_in_progress_for_the_latency() {
    let latency = Duration::from_secs(1);
    let moto = strict_moto(strict(Duration::ZERO, latency)).await;
    let config = moto.sdk_config().await;
    let lambda = aws_sdk_lambda::Client::new(&config);
    let role = role(&config, "role", "lambda.amazonaws.com", false).await;

    let created = create_test_function(&lambda, "slow", &role, 128, 10, "x")
        .await
        .expect("CreateFunction");
    assert_eq!(created.state(), Some(&State::Pending));
    assert_eq!(
        created.state_reason(),
        Some("The function is being created.")
    );
    assert_eq!(
        created.state_reason_code().map(|c| c.as_str()),
        Some("Creating")
    );
    let arn = created.function_arn().expect("arn").to_string();
    let pending = "The operation cannot be performed at this time. The function is currently in \
                   the following state: Pending";
    assert_eq!(
        expect_error(
            lambda.invoke().function_name("slow").send().await,
            "Invoke while Pending"
        ),
        owned("ResourceConflictException", pending, 409)
    );
    assert_eq!(
        expect_error(
            lambda
                .update_function_configuration()
                .function_name("slow")
                .memory_size(256)
                .send()
                .await,
            "update while Pending"
        ),
        owned("ResourceConflictException", pending, 409)
    );
    wait_active(&lambda, "slow").await;
    let active = lambda
        .get_function_configuration()
        .function_name("slow")
        .send()
        .await
        .expect("GetFunctionConfiguration");
    assert_eq!(active.state(), Some(&State::Active));
    assert_eq!(
        active.last_update_status(),
        Some(&LastUpdateStatus::Successful)
    );

    let updated_at = Instant::now();
    let update = lambda
        .update_function_configuration()
        .function_name("slow")
        .memory_size(512)
        .send()
        .await
        .expect("UpdateFunctionConfiguration");
    assert_eq!(update.state(), Some(&State::Active));
    assert_eq!(
        update.last_update_status(),
        Some(&LastUpdateStatus::InProgress)
    );
    assert_eq!(
        update.last_update_status_reason_code().map(|c| c.as_str()),
        Some("Creating")
    );
    assert_eq!(
        update.memory_size(),
        Some(512),
        "the answer shows the new value"
    );

    let in_progress = format!(
        "The operation cannot be performed at this time. An update is in progress for resource: \
         {arn}"
    );
    assert_eq!(
        expect_error(
            lambda
                .update_function_configuration()
                .function_name("slow")
                .memory_size(1024)
                .send()
                .await,
            "a second UpdateFunctionConfiguration"
        ),
        owned("ResourceConflictException", &in_progress, 409)
    );
    assert_eq!(
        expect_error(
            lambda
                .update_function_code()
                .function_name("slow")
                .zip_file(Blob::new(function_zip()))
                .send()
                .await,
            "UpdateFunctionCode during the update"
        ),
        owned("ResourceConflictException", &in_progress, 409)
    );
    let during = lambda
        .get_function()
        .function_name("slow")
        .send()
        .await
        .expect("GetFunction");
    let during = during.configuration().expect("configuration");
    assert_eq!(
        during.last_update_status(),
        Some(&LastUpdateStatus::InProgress)
    );
    assert_eq!(during.memory_size(), Some(512));

    lambda
        .wait_until_function_updated_v2()
        .function_name("slow")
        .wait(Duration::from_secs(60))
        .await
        .expect("the SDK waiter sees the update end");
    assert!(updated_at.elapsed() >= latency, "the waiter waited");
    let after = lambda
        .get_function_configuration()
        .function_name("slow")
        .send()
        .await
        .expect("GetFunctionConfiguration");
    assert_eq!(
        after.last_update_status(),
        Some(&LastUpdateStatus::Successful)
    );
    assert_eq!(after.last_update_status_reason(), None);
    assert_eq!(after.memory_size(), Some(512));
    lambda
        .update_function_configuration()
        .function_name("slow")
        .memory_size(1024)
        .send()
        .await
        .expect("the next update is accepted once the first is done");
}

#[tokio::test]
async fn invocations_run_the_old_configuration_while_an_update_is_in_progress() {
    let latency = Duration::from_secs(4);
    let stack = Bridged::start(Some(strict(Duration::ZERO, latency))).await;
    let lambda = &stack.lambda;
    active_function(&stack.config, lambda, "role", "echo", 256, "old").await;

    let invoke = || async {
        let out = lambda
            .invoke()
            .function_name("echo")
            .payload(Blob::new("{}"))
            .send()
            .await
            .expect("Invoke");
        assert_eq!(out.function_error(), None);
        json_of(std::str::from_utf8(out.payload().expect("payload").as_ref()).expect("utf-8"))
    };
    let before = invoke().await;
    assert_eq!(before["memoryMb"], 256);
    assert_eq!(before["env"]["TEST_STAGE"], "old");

    let updated_at = Instant::now();
    let update = lambda
        .update_function_configuration()
        .function_name("echo")
        .memory_size(1024)
        .environment(
            Environment::builder()
                .variables("TEST_STAGE", "new")
                .build(),
        )
        .send()
        .await
        .expect("UpdateFunctionConfiguration");
    assert_eq!(
        update.last_update_status(),
        Some(&LastUpdateStatus::InProgress)
    );
    let during = invoke().await;
    assert!(
        updated_at.elapsed() < latency,
        "the invoke must land inside the window to mean anything"
    );
    assert_eq!(
        during["memoryMb"], 256,
        "the old memory size runs: {during}"
    );
    assert_eq!(during["env"]["TEST_STAGE"], "old");
    assert_eq!(
        during["invocations"], 2,
        "the old configuration's warm environment"
    );

    lambda
        .wait_until_function_updated_v2()
        .function_name("echo")
        .wait(Duration::from_secs(60))
        .await
        .expect("update ends");
    let after = invoke().await;
    assert_eq!(after["memoryMb"], 1024, "{after}");
    assert_eq!(after["env"]["TEST_STAGE"], "new");
    stack.shutdown().await;
}

#[tokio::test]
async fn step_functions_sdk_tasks_see_the_update_in_progress() {
    let latency = Duration::from_secs(5);
    let moto = strict_moto(strict(Duration::ZERO, latency)).await;
    let config = moto.sdk_config().await;
    let lambda = aws_sdk_lambda::Client::new(&config);
    let sfn = aws_sdk_sfn::Client::new(&config);
    active_function(&config, &lambda, "fn-role", "target", 128, "x").await;
    let sm_role = role(&config, "sm-role", "states.amazonaws.com", true).await;

    let update = |memory: u32| {
        json!({
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:lambda:updateFunctionConfiguration",
            "Parameters": {"FunctionName": "target", "MemorySize": memory},
            "ResultSelector": {"status.$": "$.LastUpdateStatus"}
        })
    };
    let mut first = update(512);
    first["ResultPath"] = json!("$.first");
    first["Next"] = json!("Get");
    let mut second = update(1024);
    second["ResultPath"] = json!("$.second");
    second["Catch"] =
        json!([{"ErrorEquals": ["States.ALL"], "ResultPath": "$.conflict", "Next": "Done"}]);
    second["Next"] = json!("Done");
    let definition = json!({
        "StartAt": "First",
        "States": {
            "First": first,
            "Get": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:lambda:getFunctionConfiguration",
                "Parameters": {"FunctionName": "target"},
                "ResultSelector": {"status.$": "$.LastUpdateStatus", "memory.$": "$.MemorySize"},
                "ResultPath": "$.get",
                "Next": "Second"
            },
            "Second": second,
            "Done": {"Type": "Pass", "End": true}
        }
    });
    let machine = sfn
        .create_state_machine()
        .name("updates")
        .definition(definition.to_string())
        .role_arn(sm_role)
        .send()
        .await
        .expect("CreateStateMachine");
    let started = Instant::now();
    let done = start_and_wait(&sfn, machine.state_machine_arn(), None, "{}").await;
    let output = succeeded_output(&done, &moto.log_tail());
    assert!(
        started.elapsed() < latency,
        "the execution must run inside the window to mean anything: {output}"
    );
    assert_eq!(output["first"]["status"], "InProgress", "{output}");
    assert_eq!(output["get"]["status"], "InProgress", "{output}");
    assert_eq!(output["get"]["memory"], 512, "{output}");
    // moto's interpreter names aws-sdk errors `lambda.X` (AWS: `Lambda.X`); the project's
    // retriers list both spellings.
    assert!(
        output["conflict"]["Error"]
            .as_str()
            .is_some_and(|e| e.eq_ignore_ascii_case("Lambda.ResourceConflictException")),
        "{output}"
    );
    assert!(
        output["conflict"]["Cause"]
            .as_str()
            .is_some_and(|c| c.contains("An update is in progress for resource")),
        "{output}"
    );
}

#[tokio::test]
async fn describe_execution_and_history_have_their_own_buckets() {
    let refill = Duration::from_secs(2);
    let moto = strict_moto(StrictOptions {
        describe_execution: TokenBucket::every(3, refill),
        execution_history: TokenBucket::every(2, refill),
        ..strict(Duration::ZERO, Duration::from_millis(100))
    })
    .await;
    let config = moto.sdk_config().await;
    let sfn = sfn_without_retries(&config);
    let sm_role = role(&config, "sm-role", "states.amazonaws.com", true).await;
    let machine = sfn
        .create_state_machine()
        .name("pass")
        .definition(PASS_MACHINE)
        .role_arn(sm_role)
        .send()
        .await
        .expect("CreateStateMachine");
    let execution = sfn
        .start_execution()
        .state_machine_arn(machine.state_machine_arn())
        .send()
        .await
        .expect("StartExecution");
    let arn = execution.execution_arn();
    let describe = || sfn.describe_execution().execution_arn(arn).send();
    let history = || sfn.get_execution_history().execution_arn(arn).send();

    let burst_started = Instant::now();
    for call in 1..=3 {
        describe()
            .await
            .unwrap_or_else(|e| panic!("DescribeExecution {call} within the bucket: {e:?}"));
    }
    assert_eq!(
        expect_error(describe().await, "a 4th DescribeExecution"),
        owned("ThrottlingException", "Rate exceeded", 400)
    );
    assert!(
        burst_started.elapsed() < refill,
        "the burst must be faster than the refill to mean anything"
    );
    // GetExecutionHistory counts in its own bucket.
    history().await.expect("GetExecutionHistory 1");
    history().await.expect("GetExecutionHistory 2");
    assert_eq!(
        expect_error(history().await, "a 3rd GetExecutionHistory"),
        owned("ThrottlingException", "Rate exceeded", 400)
    );
    // Refilled after the interval.
    tokio::time::sleep(refill + Duration::from_millis(100)).await;
    describe()
        .await
        .expect("DescribeExecution after the refill");
    history()
        .await
        .expect("GetExecutionHistory after the refill");
}

#[tokio::test]
async fn invoke_is_throttled_and_step_functions_retries_too_many_requests() {
    let refill = Duration::from_secs(3);
    let options = StrictOptions {
        invoke: Some(TokenBucket::every(1, refill)),
        ..strict(Duration::ZERO, Duration::from_millis(200))
    };
    let stack = Bridged::start(Some(options)).await;
    let (moto, config) = (&stack.moto, &stack.config);
    let lambda = lambda_without_retries(config);
    let sfn = aws_sdk_sfn::Client::new(config);
    active_function(config, &lambda, "fn-role", "limited", 128, "x").await;
    let sm_role = role(config, "sm-role", "states.amazonaws.com", true).await;
    let definition = json!({
        "StartAt": "Invoke",
        "States": {
            "Invoke": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "limited", "Payload": {"echo": "sfn"}},
                "ResultSelector": {"out.$": "$.Payload"},
                "Retry": [{
                    "ErrorEquals": ["Lambda.TooManyRequestsException"],
                    "IntervalSeconds": 1, "MaxAttempts": 8, "BackoffRate": 1
                }],
                "End": true
            }
        }
    });
    let machine = sfn
        .create_state_machine()
        .name("invoker")
        .definition(definition.to_string())
        .role_arn(sm_role)
        .send()
        .await
        .expect("CreateStateMachine");

    // The bucket holds one call: the first invoke takes it, the next is throttled as Lambda does.
    let first = lambda
        .invoke()
        .function_name("limited")
        .send()
        .await
        .expect("first Invoke");
    assert_eq!(first.function_error(), None);
    let error = lambda
        .invoke()
        .function_name("limited")
        .send()
        .await
        .expect_err("second Invoke within the refill interval");
    assert_eq!(
        parts(&error),
        owned("TooManyRequestsException", "Rate Exceeded.", 429)
    );
    match error.as_service_error() {
        Some(InvokeError::TooManyRequestsException(e)) => {
            assert_eq!(e.reason(), Some(&ThrottleReason::CallerRateLimitExceeded));
            assert_eq!(e.r#type(), Some("User"));
        }
        other => panic!("not the modeled TooManyRequestsException: {other:?}"),
    }

    // The interpreter's invocations count too: its first attempt is throttled, it retries as
    // its Retry says, and succeeds once the bucket has refilled.
    let done = start_and_wait(&sfn, machine.state_machine_arn(), None, "{}").await;
    let output = succeeded_output(&done, &moto.log_tail());
    assert_eq!(output["out"]["echo"], "sfn", "{output}");
    let history = execution_history(&sfn, done.execution_arn()).await;
    let throttled: Vec<_> = history
        .iter()
        .filter(|e| e.r#type() == &HistoryEventType::TaskFailed)
        .filter_map(|e| e.task_failed_event_details())
        .filter(|d| d.error() == Some("Lambda.TooManyRequestsException"))
        .collect();
    assert!(
        !throttled.is_empty(),
        "the interpreter's first attempt was throttled: {history:?}"
    );
    assert!(
        throttled
            .iter()
            .all(|d| d.cause().is_some_and(|c| c.contains("Rate Exceeded."))),
        "{throttled:?}"
    );
    stack.shutdown().await;
}

#[tokio::test]
async fn lambda_stack_is_strict_by_default() {
    let stack = local_stack::LambdaStack::start(RuntimeOptions::default())
        .await
        .expect("stack");
    assert_eq!(stack.moto.strict(), Some(&StrictOptions::default()));
    let config = stack.sdk_config().await;
    let lambda = aws_sdk_lambda::Client::new(&config);
    let role = role(&config, "stack-role", "lambda.amazonaws.com", false).await;
    assert_eq!(
        expect_error(
            create_test_function(&lambda, "too-soon", &role, 128, 10, "x").await,
            "CreateFunction right after CreateRole"
        ),
        owned("InvalidParameterValueException", LAMBDA_ROLE_MESSAGE, 400)
    );
    stack.shutdown().await;
}

#[tokio::test]
async fn bad_buckets_are_refused_before_moto_starts() {
    let options = StrictOptions {
        invoke: Some(TokenBucket::per_second(5, 0)),
        ..StrictOptions::default()
    };
    let error = MotoServer::start(MotoOptions::default().with_strict(options))
        .await
        .expect_err("a bucket that never refills");
    assert!(error.to_string().contains("Invoke bucket"), "{error}");
}

/// Functions run as their execution role, with Lambda's kind of credentials: a temporary
/// `ASIA...` key and a session token from STS AssumeRole, which STS itself recognises as the
/// role's session. (Lenient mode keeps the runtime's test keys.)
#[tokio::test]
async fn functions_get_their_roles_temporary_credentials() {
    let stack = Bridged::start(Some(strict(Duration::ZERO, Duration::from_millis(200)))).await;
    let (moto, lambda) = (&stack.moto, &stack.lambda);
    active_function(&stack.config, lambda, "reader-role", "whoami", 256, "one").await;
    let out = lambda
        .invoke()
        .function_name("whoami")
        .payload(Blob::new("{}"))
        .send()
        .await
        .expect("Invoke");
    let answer =
        json_of(std::str::from_utf8(out.payload().expect("payload").as_ref()).expect("utf-8"));
    let credentials = &answer["credentials"];
    let key = credentials["accessKeyId"].as_str().expect("a key");
    assert!(key.starts_with("ASIA"), "a temporary key: {answer}");
    assert!(credentials["sessionToken"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));

    let as_function = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(moto.endpoint())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            key,
            credentials["secretAccessKey"].as_str().expect("secret"),
            credentials["sessionToken"].as_str().map(str::to_string),
            None,
            "function",
        ))
        .load()
        .await;
    let identity = aws_sdk_sts::Client::new(&as_function)
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity with the function's credentials");
    assert_eq!(
        identity.arn(),
        Some(format!("arn:aws:sts::{ACCOUNT}:assumed-role/reader-role/whoami").as_str()),
        "the function is the role's session"
    );
    stack.shutdown().await;
}

/// A role authorizer that allows nothing: every task of the state machine is denied.
#[derive(Debug)]
struct DenyEverything;

#[async_trait::async_trait]
impl local_stack::runtime::RoleAuthorizer for DenyEverything {
    async fn allowed(&self, _role: &str, _action: &str, _resource: &str) -> bool {
        false
    }
}

/// Step Functions tasks run as the state machine's role: a call its policies do not allow
/// fails the task with the error AWS gives that integration, `Lambda.LambdaException` for the
/// `aws-sdk:lambda` integration (AccessDenied is not in Lambda's API model) and
/// `Lambda.AWSLambdaException` for the optimised `lambda:invoke`, with AWS's cause.
#[tokio::test]
async fn denied_tasks_fail_with_the_integrations_error() {
    let stack = Bridged::start(Some(strict(Duration::ZERO, Duration::from_millis(200)))).await;
    // Before any invoke: from here on the runtime refuses every task its role would run.
    stack
        .runtime
        .set_role_authorizer(std::sync::Arc::new(DenyEverything));
    let config = &stack.config;
    active_function(config, &stack.lambda, "fn-role", "echo", 256, "one").await;
    let machine_role = role(config, "sm-role", "states.amazonaws.com", true).await;
    let definition = json!({"StartAt": "Sdk", "States": {
        "Sdk": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:lambda:getFunctionConfiguration",
                "Parameters": {"FunctionName": "echo"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.sdkError", "Next": "Invoke"}],
                "Next": "Invoke"},
        "Invoke": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                   "Parameters": {"FunctionName": "echo", "Payload": {}},
                   "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.invokeError", "Next": "Done"}],
                   "Next": "Done"},
        "Done": {"Type": "Succeed"}}});
    let sfn = aws_sdk_sfn::Client::new(config);
    let machine = sfn
        .create_state_machine()
        .name("denied")
        .definition(definition.to_string())
        .role_arn(&machine_role)
        .send()
        .await
        .expect("CreateStateMachine")
        .state_machine_arn;
    let done = start_and_wait(&sfn, &machine, Some("denied"), "{}").await;
    let output = output_json(&done);
    assert_eq!(
        output["sdkError"]["Error"], "Lambda.LambdaException",
        "{output}"
    );
    assert!(
        output["sdkError"]["Cause"].as_str().is_some_and(|c| c.contains(
            "assumed-role/sm-role/states-execution is not authorized to perform: lambda:GetFunctionConfiguration"
        )),
        "{output}"
    );
    assert_eq!(
        output["invokeError"]["Error"], "Lambda.AWSLambdaException",
        "{output}"
    );
    assert!(
        output["invokeError"]["Cause"]
            .as_str()
            .is_some_and(|c| c.contains("is not authorized to perform: lambda:InvokeFunction")),
        "{output}"
    );
    stack.shutdown().await;
}
