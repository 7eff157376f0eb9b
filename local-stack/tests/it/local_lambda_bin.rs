//! The `local-lambda` binary: prints its URL, answers POST /invoke, exits when stdin closes.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hyper::Method;
use local_stack::http::HttpClient;
use serde_json::json;

use crate::common;

/// Starts `local-lambda` with `args` (stdin and stdout piped) and reads the URL it prints.
/// Starts the binary with `args`; its scratch files go under `tmp` (a test that kills it leaves
/// them there, for the test's own temporary folder to remove).
fn spawn_local_lambda(args: &[&str], tmp: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_local-lambda"))
        .args(args)
        .env("TMPDIR", tmp)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn local-lambda");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read the first line");
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .expect("listening line")
        .to_string();
    (child, url)
}

#[tokio::test]
async fn binary_serves_invocations_and_exits_when_stdin_closes() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (mut child, url) = spawn_local_lambda(
        &["--exit-on-stdin-eof", "--env", "TEST_FROM_CLI=yes"],
        tmp.path(),
    );
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let http = HttpClient::new();
    let health = http.get(&format!("{url}/health")).await.expect("health");
    assert_eq!(health.status, 200);

    let code = common::code_dir();
    let request = common::request(code.path(), "cli", 640, 10, json!({"echo": "cli"}));
    let body = serde_json::to_value(&request).expect("encode");
    let answer = http
        .send_json(Method::POST, &format!("{url}/invoke"), &body)
        .await
        .expect("invoke");
    assert_eq!(answer.status, 200, "{}", answer.text());
    let answer: serde_json::Value = serde_json::from_slice(&answer.body).expect("answer json");
    let out = common::json_of(answer["payload"].as_str().expect("payload"));
    assert_eq!(out["memoryMb"], 640);
    assert_eq!(out["env"]["TEST_FROM_CLI"], "yes");
    let function_pid = out["pid"].as_u64().expect("pid");

    let bad = http
        .send_json(
            Method::POST,
            &format!("{url}/invoke"),
            &json!({"functionName": "x"}),
        )
        .await
        .expect("bad invoke");
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("memorySize"), "{}", bad.text());

    drop(child.stdin.take());
    let started = Instant::now();
    while child.try_wait().expect("try_wait").is_none()
        && started.elapsed() < Duration::from_secs(15)
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    let exited = child.try_wait().expect("try_wait");
    if exited.is_none() {
        let _ = child.kill();
    }
    assert!(
        exited.is_some_and(|s| s.success()),
        "local-lambda did not exit cleanly: {exited:?}"
    );
    let status =
        std::fs::read_to_string(format!("/proc/{function_pid}/status")).unwrap_or_default();
    assert!(
        status.is_empty() || status.contains("State:\tZ"),
        "function {function_pid} survived"
    );
}

#[tokio::test]
async fn functions_exit_when_the_runtime_process_is_killed() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (mut child, url) = spawn_local_lambda(&[], tmp.path());
    let code = common::code_dir();
    let request = common::request(code.path(), "orphaned", 256, 10, json!({}));
    let answer = HttpClient::new()
        .send_json(
            Method::POST,
            &format!("{url}/invoke"),
            &serde_json::to_value(&request).expect("encode"),
        )
        .await
        .expect("invoke");
    let answer: serde_json::Value = serde_json::from_slice(&answer.body).expect("answer json");
    let function_pid = common::json_of(answer["payload"].as_str().expect("payload"))["pid"]
        .as_u64()
        .expect("pid");

    // SIGKILL: no destructor runs. The function's Runtime API connection breaks, and
    // lambda_runtime ends the process when `/next` fails.
    child.kill().expect("kill local-lambda");
    let _ = child.wait();
    let started = Instant::now();
    let gone = || {
        let status =
            std::fs::read_to_string(format!("/proc/{function_pid}/status")).unwrap_or_default();
        status.is_empty() || status.contains("State:\tZ")
    };
    while !gone() && started.elapsed() < Duration::from_secs(15) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let survived = !gone();
    if survived {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(function_pid as i32),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    assert!(
        !survived,
        "function {function_pid} outlived the killed runtime by 15 s"
    );
}
