//! The generated definition executed, not only validated: moto's Step Functions interpreter runs
//! it against moto's Lambda API with the simple backend (invokes answer with queued responses,
//! or echo their payload). See bench-statemachine/README.md for what moto does differently from AWS.

use crate::support;

use aws_sdk_sfn::types::ExecutionStatus;
use bench_statemachine::{render_plan, BenchmarkPlan, TargetSpec};
use support::moto_run::{Stack, ORIGINAL_MEMORY_MB};
use test_support::sfn::wait_for_execution;

/// moto fails an invoke whose answer exceeds Lambda's 6 MB limit with the function error
/// `Function.ResponseSizeTooLarge`, as Lambda does: the way to make one step fail here.
fn oversized_answer() -> String {
    "x".repeat(6_000_100)
}

fn small_plan(sizes: Vec<u32>, warmup: bool) -> BenchmarkPlan {
    BenchmarkPlan {
        rounds: 1,
        memory_sizes: sizes,
        warmup,
        ..BenchmarkPlan::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_input_runs_the_defaults_and_restores_the_memory() {
    let plan = BenchmarkPlan::default();
    let stack = Stack::start(&plan).await;
    let outcome = stack.run_valid("defaults", "{}").await;
    outcome.assert_succeeded();

    // The execution's output is the collector's answer; the simple backend echoes the request.
    let output = outcome.output.as_ref().expect("output");
    assert_eq!(output["action"], "report");
    assert_eq!(output["input"]["rounds"], 3);
    assert_eq!(output["input"]["find"], "MyMagicString");

    // One record per (round, memory, target), in nesting order, all ok, with the invoke result.
    let records = outcome.records();
    assert_eq!(records.len(), 30);
    let order: Vec<(u64, u64)> = records
        .iter()
        .map(|r| {
            (
                r["round"].as_u64().expect("round"),
                r["memoryMb"].as_u64().expect("memory"),
            )
        })
        .collect();
    let expected: Vec<(u64, u64)> = (1..=3u64)
        .flat_map(|round| {
            plan.memory_sizes
                .iter()
                .map(move |&m| (round, u64::from(m)))
        })
        .collect();
    assert_eq!(order, expected);
    for record in &records {
        assert_eq!(record["ok"], true);
        assert_eq!(record["target"], "rust");
        assert_eq!(record["invoke"]["StatusCode"], 200);
        // The target got the reader event merged with its payload (echoed back).
        assert_eq!(record["output"]["s3_bucket_name"], "lambda-bench-data");
        assert_eq!(record["output"]["folder"], "bench/1000/");
        assert_eq!(record["output"]["concurrency"], 64);
    }

    // The transitions walked on the definition are the transitions moto ran.
    let walked = render_plan(&plan).expect("renders").transitions;
    println!(
        "moto: {} states entered, {} history events; walk: {} ({:.2} per configuration), {} events",
        outcome.states_entered(),
        outcome.history.len(),
        walked.per_run,
        walked.per_configuration,
        walked.history_events
    );
    assert_eq!(outcome.states_entered() as u64, walked.per_run);
    assert_eq!(outcome.history.len() as u64, walked.history_events);

    for target in &plan.targets {
        assert_eq!(
            stack.memory_of(&target.function_name).await,
            ORIGINAL_MEMORY_MB
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_fails_early_with_invalid_input_naming_the_field() {
    let plan = small_plan(vec![128], false);
    let stack = Stack::start(&plan).await;
    let cases = [
        (
            "memory-low",
            r#"{"memorySizes": [128, 64]}"#,
            "memorySizes: 64 is not",
        ),
        (
            "memory-high",
            r#"{"memorySizes": [10241]}"#,
            "memorySizes: 10241 is not",
        ),
        (
            "memory-fraction",
            r#"{"memorySizes": [256.5]}"#,
            "memorySizes: 256.5 is not",
        ),
        ("memory-text", r#"{"memorySizes": ["big"]}"#, "memorySizes:"),
        (
            "memory-empty",
            r#"{"memorySizes": []}"#,
            "memorySizes: give a non-empty list",
        ),
        (
            "rounds-zero",
            r#"{"rounds": 0}"#,
            "rounds: give a whole number",
        ),
        (
            "rounds-fraction",
            r#"{"rounds": 1.5}"#,
            "rounds: give a whole number",
        ),
        (
            "targets-empty",
            r#"{"targets": []}"#,
            "targets: give a non-empty list",
        ),
        (
            "bucket-missing",
            r#"{"bucket": null}"#,
            "bucket: give the name",
        ),
        (
            "warmup-text",
            r#"{"warmup": "yes"}"#,
            "warmup: give true or false",
        ),
    ];
    for (name, input, cause) in cases {
        let outcome = stack.run(name, input).await;
        assert_eq!(outcome.status, ExecutionStatus::Failed, "{name}");
        assert_eq!(outcome.error.as_deref(), Some("InvalidInput"), "{name}");
        let got = outcome.cause.clone().unwrap_or_default();
        assert!(
            got.starts_with(cause),
            "{name}: cause {got:?} does not start with {cause:?}"
        );
        // Nothing was changed: the checks come before the first update.
        assert!(outcome.records().is_empty(), "{name}");
    }
    assert_eq!(
        stack.memory_of(&plan.targets[0].function_name).await,
        ORIGINAL_MEMORY_MB
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_failing_configuration_is_recorded_and_the_sweep_goes_on() {
    let plan = small_plan(vec![128, 256, 512], false);
    let stack = Stack::start(&plan).await;
    // Invokes in order: timed 128, record, timed 256 (fails), record, timed 512, record, report.
    let reader = r#"{"lang": "stand-in", "detail": "queued", "result": "1000", "time": 1.5}"#;
    let answers = [
        reader.to_string(),
        "{}".into(),
        oversized_answer(),
        "{}".into(),
        reader.into(),
    ];
    stack.queue_valid_then(&answers).await;
    let outcome = stack.run("one-fails", "{}").await;
    outcome.assert_succeeded();
    let records = outcome.records();
    let summary: Vec<(u64, bool)> = records
        .iter()
        .map(|r| {
            (
                r["memoryMb"].as_u64().expect("memory"),
                r["ok"].as_bool().expect("ok"),
            )
        })
        .collect();
    assert_eq!(summary, [(128, true), (256, false), (512, true)]);
    assert_eq!(records[0]["output"]["time"], 1.5);
    assert_eq!(records[1]["error"], "Function.ResponseSizeTooLarge");
    assert!(records[1]["cause"]
        .as_str()
        .expect("cause")
        .contains("payload size exceeded"));
    assert_eq!(
        stack.memory_of(&plan.targets[0].function_name).await,
        ORIGINAL_MEMORY_MB
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_sweep_restores_the_memory_and_fails_with_its_own_error() {
    let plan = small_plan(vec![128, 256], true);
    let stack = Stack::start(&plan).await;
    // Warm-up, timed, then the collector's record call fails (not a configuration error):
    // the sweep stops, the memory is restored, the execution fails with the collector's error.
    let answers = ["{}".to_string(), "{}".into(), oversized_answer()];
    stack.queue_valid_then(&answers).await;
    let outcome = stack.run("collector-fails", "{}").await;
    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(
        outcome.error.as_deref(),
        Some("Function.ResponseSizeTooLarge")
    );
    assert!(
        outcome.entered("RestoreOneAfterFailure"),
        "the failure path restores the targets"
    );
    assert_eq!(
        stack.memory_of(&plan.targets[0].function_name).await,
        ORIGINAL_MEMORY_MB
    );
}

/// The states of one (memory size, function) step of a rendered definition, two Maps deep.
fn step_states(d: &mut serde_json::Value) -> &mut serde_json::Value {
    &mut d["States"]["Rounds"]["ItemProcessor"]["States"]["Steps"]["ItemProcessor"]["States"]
}

/// moto answers every update `Successful`, so the poll loop never runs there by itself. These
/// tests insert a Pass that answers `InProgress` the way AWS does, and run the real loop.
/// (They also showed that moto 5.2.5 cannot read a variable inside an intrinsic, e.g.
/// `States.MathAdd($polls, 1)` in an `Assign`: the poll count therefore lives in the state.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_update_poll_loop_waits_checks_and_gives_up() {
    let mut plan = small_plan(vec![256], false);
    plan.poll.interval_seconds = 1;
    plan.poll.limit = 2;
    let stack = Stack::start(&plan).await;
    let base = render_plan(&plan).expect("renders").definition;
    let in_progress = serde_json::json!({"LastUpdateStatus": "InProgress", "MemorySize": 777});

    // 1. The update answers InProgress; one poll finds it done: the configuration runs.
    let mut one_poll = base.clone();
    let states = step_states(&mut one_poll);
    states["SetMemory"]["Next"] = "PretendInProgress".into();
    states["PretendInProgress"] = serde_json::json!({
        "Type": "Pass", "Result": in_progress, "ResultPath": "$.update", "Next": "CheckUpdate"});
    let arn = stack.create_state_machine("one-poll", &one_poll).await;
    stack.queue_valid_then(&[]).await;
    let outcome = stack.run_machine(&arn, "one-poll", "{}").await;
    outcome.assert_succeeded();
    assert!(outcome.entered("WaitForUpdate") && outcome.entered("GetConfiguration"));
    let records = outcome.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["ok"], true, "{}", records[0]);

    // 2. Lambda never reports the update done: after `limit` polls the configuration fails.
    let mut never_done = one_poll.clone();
    step_states(&mut never_done)["GetConfiguration"] = serde_json::json!({
        "Type": "Pass", "Result": in_progress, "ResultPath": "$.update", "Next": "CheckUpdate"});
    let arn = stack.create_state_machine("never-done", &never_done).await;
    stack.queue_valid_then(&[]).await;
    let outcome = stack.run_machine(&arn, "never-done", "{}").await;
    outcome.assert_succeeded();
    let records = outcome.records();
    assert_eq!(records[0]["ok"], false);
    assert_eq!(records[0]["error"], "UpdatePollLimit");
    assert_eq!(
        records[0]["cause"],
        "the update to 256 MB was not Successful after 2 polls"
    );

    // 3. The update is done but the function still has the old size: a stale configuration.
    let mut stale = base.clone();
    let states = step_states(&mut stale);
    states["SetMemory"] = serde_json::json!({
        "Type": "Pass", "Result": {"LastUpdateStatus": "Successful", "MemorySize": 777},
        "ResultPath": "$.update", "Next": "CheckUpdate"});
    let arn = stack.create_state_machine("stale", &stale).await;
    stack.queue_valid_then(&[]).await;
    let outcome = stack.run_machine(&arn, "stale", "{}").await;
    let records = outcome.records();
    assert_eq!(records[0]["ok"], false);
    assert_eq!(records[0]["error"], "StaleConfiguration");
}

/// What the collector's input check refuses (a payload that is not an object, a qualified ARN,
/// a sweep too long for the history: see `bench_types::validation`) fails the execution with
/// `InvalidInput` and the collector's cause, before the first memory update. The real check runs
/// in the end-to-end tests; here the simple backend answers as the collector does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_input_check_fails_before_any_change_and_an_array_input_is_named() {
    let plan = small_plan(vec![128, 256], false);
    let stack = Stack::start(&plan).await;
    let refusal = r#"{"valid": false, "cause": "targets[0].payload: must be an object merged into the reader event, such as {\"mode\": \"sequential\"}, or left out; found null"}"#;
    stack
        .moto
        .queue_simple_lambda_responses(&[refusal.to_string()])
        .await
        .expect("queued");
    let input = format!(
        r#"{{"targets": [{{"name": "a", "functionName": "{}", "payload": null}}]}}"#,
        plan.targets[0].function_name
    );
    let outcome = stack.run("payload-null", &input).await;
    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(outcome.error.as_deref(), Some("InvalidInput"));
    assert!(
        outcome
            .cause
            .as_deref()
            .unwrap_or_default()
            .starts_with("targets[0].payload: must be an object"),
        "{:?}",
        outcome.cause
    );
    assert!(!outcome.entered("CaptureOriginals") && outcome.records().is_empty());

    // An answer that is not the check's (an older collector) stops the run too.
    stack
        .moto
        .queue_simple_lambda_responses(&[r#"{"stored": "x"}"#.to_string()])
        .await
        .expect("queued");
    let outcome = stack.run("unanswered", "{}").await;
    assert_eq!(outcome.error.as_deref(), Some("ValidationUnanswered"));
    assert!(!outcome.entered("CaptureOriginals"));

    // States.JsonMerge cannot merge a list: caught before it, as InvalidInput.
    let outcome = stack.run("array-input", "[1, 2]").await;
    assert_eq!(outcome.error.as_deref(), Some("InvalidInput"));
    assert!(outcome
        .cause
        .as_deref()
        .unwrap_or_default()
        .starts_with("input: the execution input must be a JSON object"));
    assert_eq!(
        stack.memory_of(&plan.targets[0].function_name).await,
        ORIGINAL_MEMORY_MB
    );
}

/// Two targets on one function and one on another: each function's memory is set, waited for
/// and warmed once per (round, memory size), then every target on it runs; every target still
/// gets its record, and both functions are restored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn targets_on_one_function_share_its_memory_update_and_warm_up() {
    let mut plan = small_plan(vec![128, 256], true);
    plan.rounds = 2;
    let reader = plan.targets[0].clone();
    plan.targets.push(TargetSpec {
        name: "rust-sequential".into(),
        ..reader.clone()
    });
    plan.targets.push(TargetSpec {
        name: "other".into(),
        function_name: reader.function_name.replace("s3-reader", "other-reader"),
        ..reader.clone()
    });
    let stack = Stack::start(&plan).await;
    let outcome = stack.run_valid("shared", "{}").await;
    outcome.assert_succeeded();

    // Two functions: the Sizes path, whose states end in "Each".
    let updates = 2 * 2 * 2; // rounds x sizes x functions
    assert_eq!(outcome.times_entered("UpdateMemory"), 2 * 2);
    assert_eq!(outcome.times_entered("SetMemoryEach"), updates);
    assert_eq!(outcome.times_entered("WarmUpEach"), updates);
    assert_eq!(outcome.times_entered("TimedInvokeEach"), 2 * 2 * 3);
    assert!(!outcome.entered("Steps"));
    let records = outcome.records();
    let keys: Vec<(u64, u64, String)> = records
        .iter()
        .map(|r| {
            (
                r["round"].as_u64().expect("round"),
                r["memoryMb"].as_u64().expect("memory"),
                r["target"].as_str().expect("target").to_owned(),
            )
        })
        .collect();
    let mut expected = Vec::new();
    for round in 1..=2u64 {
        for memory in [128u64, 256] {
            for target in ["rust", "rust-sequential", "other"] {
                expected.push((round, memory, target.to_owned()));
            }
        }
    }
    assert_eq!(
        keys, expected,
        "one record per (round, memory, target), in order"
    );
    let walked = render_plan(&plan).expect("renders").transitions;
    assert_eq!(outcome.states_entered() as u64, walked.per_run);
    for target in &plan.targets {
        assert_eq!(
            stack.memory_of(&target.function_name).await,
            ORIGINAL_MEMORY_MB
        );
    }
}

/// The states of the update of one function among several (the Sizes path), three Maps deep.
fn update_each_states(d: &mut serde_json::Value) -> &mut serde_json::Value {
    &mut d["States"]["Rounds"]["ItemProcessor"]["States"]["Sizes"]["ItemProcessor"]["States"]
        ["UpdateMemory"]["ItemProcessor"]["States"]
}

/// Several functions' updates run side by side: both wait for their update at the same time.
/// One function's update that ends stale fails that function's targets only; the other's
/// are measured.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_functions_wait_for_their_updates_side_by_side() {
    let mut plan = small_plan(vec![256], true);
    plan.poll.interval_seconds = 1;
    let reader = plan.targets[0].clone();
    let other = reader.function_name.replace("s3-reader", "other-reader");
    plan.targets.push(TargetSpec {
        name: "other".into(),
        function_name: other.clone(),
        ..reader.clone()
    });
    let stack = Stack::start(&plan).await;
    let mut definition = render_plan(&plan).expect("renders").definition;
    let in_progress = serde_json::json!({"LastUpdateStatus": "InProgress", "MemorySize": 777});
    let stale = serde_json::json!({"LastUpdateStatus": "Successful", "MemorySize": 777});
    let states = update_each_states(&mut definition);
    states["SetMemoryEach"]["Next"] = "PretendInProgress".into();
    states["PretendInProgress"] = serde_json::json!({
        "Type": "Pass", "Result": in_progress, "ResultPath": "$.update", "Next": "CheckUpdateEach"});
    states["GetConfigurationEach"]["Next"] = "PretendStaleForOther".into();
    states["PretendStaleForOther"] = serde_json::json!({
        "Type": "Choice",
        "Choices": [{"Variable": "$.function.functionName", "StringEquals": other, "Next": "PretendStale"}],
        "Default": "CheckUpdateEach"});
    states["PretendStale"] = serde_json::json!({
        "Type": "Pass", "Result": stale, "ResultPath": "$.update", "Next": "CheckUpdateEach"});
    let arn = stack
        .create_state_machine("side-by-side", &definition)
        .await;
    stack.queue_valid_then(&[]).await;
    let outcome = stack.run_machine(&arn, "side-by-side", "{}").await;
    outcome.assert_succeeded();

    // Both waits begin before either ends: the updates overlap.
    let position = |entered: bool| {
        outcome.history.iter().position(|e| {
            let name = if entered {
                e.state_entered_event_details().map(|d| d.name())
            } else {
                e.state_exited_event_details().map(|d| d.name())
            };
            name == Some("WaitForUpdateEach")
        })
    };
    let waits_entered = outcome.times_entered("WaitForUpdateEach");
    assert_eq!(waits_entered, 2);
    let last_wait_entered = outcome
        .history
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            e.state_entered_event_details().map(|d| d.name()) == Some("WaitForUpdateEach")
        })
        .map(|(i, _)| i)
        .max();
    assert!(
        last_wait_entered < position(false),
        "the second wait began after the first ended: {last_wait_entered:?} {:?}",
        position(false)
    );
    assert!(position(true) < last_wait_entered);

    let records = outcome.records();
    assert_eq!(records.len(), 2, "{records:?}");
    assert_eq!(records[0]["target"], reader.name.as_str());
    assert_eq!(records[0]["ok"], true, "{}", records[0]);
    assert_eq!(records[1]["target"], "other");
    assert_eq!(records[1]["ok"], false);
    assert_eq!(records[1]["error"], "StaleConfiguration");
    // Only the updated function is warmed up.
    assert_eq!(outcome.times_entered("WarmUpEach"), 1);
}

/// A second execution of the same state machine, started while the first one runs, stops with
/// `ConcurrentRun` before it changes anything; the first one finishes and restores the memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_execution_while_one_runs_fails_with_concurrent_run() {
    let mut plan = small_plan(vec![256], false);
    plan.poll.interval_seconds = 2;
    // 4 polls: the first execution is still in its poll loop when the second checks, also on a
    // loaded machine (with 2, about 4 s, a full test run once saw it finished by then).
    plan.poll.limit = 4;
    let stack = Stack::start(&plan).await;
    // The first execution waits in the poll loop (about 8 s), as on AWS while an update runs.
    let mut slow = render_plan(&plan).expect("renders").definition;
    let states = step_states(&mut slow);
    states["SetMemory"] = serde_json::json!({
        "Type": "Pass", "Result": {"LastUpdateStatus": "InProgress", "MemorySize": 777},
        "ResultPath": "$.update", "Next": "CheckUpdate"});
    states["GetConfiguration"] = states["SetMemory"].clone();
    let arn = stack.create_state_machine("slow", &slow).await;
    stack
        .moto
        .queue_simple_lambda_responses(&[stack.valid_answer.clone(), stack.valid_answer.clone()])
        .await
        .expect("queued");
    let first = stack
        .sfn
        .start_execution()
        .state_machine_arn(&arn)
        .name("first")
        .input("{}")
        .send()
        .await
        .expect("first started");
    // Start the second only once the first is in its poll loop (a fixed pause was too short
    // on a loaded machine, and then told nothing of where the first was).
    let mut polling = false;
    for _ in 0..100 {
        let described = stack
            .sfn
            .describe_execution()
            .execution_arn(&first.execution_arn)
            .send()
            .await
            .expect("described");
        assert_eq!(
            described.status,
            ExecutionStatus::Running,
            "the first execution ended before the second started: {:?} {:?}",
            described.error,
            described.cause
        );
        let history = test_support::sfn::execution_history(&stack.sfn, &first.execution_arn).await;
        if history.iter().any(|e| {
            e.state_entered_event_details()
                .is_some_and(|d| d.name == "WaitForUpdate")
        }) {
            polling = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(polling, "the first execution never reached its poll loop");
    let second = stack.run_machine(&arn, "second", "{}").await;
    for e in &second.history {
        if let Some(d) = e.task_succeeded_event_details() {
            eprintln!("DEBUG {:?}", d.output());
        }
    }
    assert_eq!(second.status, ExecutionStatus::Failed);
    assert_eq!(second.error.as_deref(), Some("ConcurrentRun"));
    assert!(!second.entered("CaptureOriginals"));

    let first = stack
        .sfn
        .describe_execution()
        .execution_arn(first.execution_arn)
        .send()
        .await
        .expect("described");
    assert_eq!(
        first.status,
        ExecutionStatus::Running,
        "the first one goes on"
    );
    // Alone, the next execution passes the check.
    let alone = wait_for_execution(
        &stack.sfn,
        &first.execution_arn,
        std::time::Duration::from_millis(200),
    )
    .await;
    assert_eq!(
        alone.status,
        ExecutionStatus::Succeeded,
        "{:?}",
        alone.cause
    );
}
