//! The built Lambda binary answering real invocations through the Lambda Runtime API, served by
//! `cargo lambda watch --only-lambda-apis` (pip `cargo-lambda`, installed by `scripts/setup`)
//! and invoked with `cargo lambda invoke`.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use crate::common;

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{populated, spec, BUCKET};
use local_s3::ServerConfig;
use serde_json::Value;
use system::paths::workspace_root;
use system::process::KillOnDrop;

fn cargo_lambda() -> PathBuf {
    let path = workspace_root().join(".venv/bin/cargo-lambda");
    assert!(
        path.exists(),
        "cargo-lambda not found at {}: run scripts/setup",
        path.display()
    );
    path
}

fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    listener.local_addr().unwrap().port()
}

fn wait_for_port(port: u16, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("cargo lambda watch exited early: {status}");
        }
        assert!(
            Instant::now() < deadline,
            "cargo lambda watch did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn invoke(port: u16, payload: &str) -> Output {
    Command::new(cargo_lambda())
        .args([
            "lambda",
            "invoke",
            "--invoke-address",
            "127.0.0.1",
            "--invoke-port",
        ])
        .arg(port.to_string())
        .args(["--output-format", "json", "--data-ascii", payload, "_"])
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_built_binary_answers_invocations_through_the_runtime_api() {
    let spec = spec(25);
    let (server, _dir) = populated(ServerConfig::default(), "rt/", &spec).await;

    let port = free_port();
    // The emulator stops when its stdin closes: keep a pipe open for the test's lifetime.
    let mut watch = KillOnDrop(
        Command::new(cargo_lambda())
            .args([
                "lambda",
                "watch",
                "--only-lambda-apis",
                "--invoke-address",
                "127.0.0.1",
            ])
            .args(["--invoke-port", &port.to_string()])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for_port(port, &mut watch.0);

    let _function = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_s3-reader"))
            .env(
                "AWS_LAMBDA_RUNTIME_API",
                format!("http://127.0.0.1:{port}/.rt"),
            )
            .env("AWS_LAMBDA_FUNCTION_NAME", "_")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
            .env("AWS_ENDPOINT_URL_S3", server.endpoint())
            .env("AWS_ACCESS_KEY_ID", "local")
            .env("AWS_SECRET_ACCESS_KEY", "local")
            .env("AWS_REGION", "us-east-1")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_S3_FORCE_PATH_STYLE")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );

    let ok = tokio::task::spawn_blocking(move || {
        invoke(
            port,
            &format!(r#"{{"s3_bucket_name":"{BUCKET}","folder":"rt/","find":"MyMagicString"}}"#),
        )
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "invoke failed: {stdout} {}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let result: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(result["lang"], "rust");
    assert_eq!(result["result"], spec.magic_key("rt/").unwrap().as_str());
    assert_eq!(result["stats"]["objects"], 25);
    assert_eq!(result["stats"]["memoryMb"], 512);
    assert_eq!(result["stats"]["coldStart"], true);

    let bad = tokio::task::spawn_blocking(move || {
        invoke(port, r#"{"s3_bucket_name":"b","concurrency":0}"#)
    })
    .await
    .unwrap();
    assert!(!bad.status.success());
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&bad.stdout),
        String::from_utf8_lossy(&bad.stderr)
    );
    assert!(
        text.contains("InvalidEvent") && text.contains("concurrency is 0"),
        "{text}"
    );
}
