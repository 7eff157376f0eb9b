//! The `s3-read` CLI: the reader's code against any endpoint, result JSON on stdout.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use crate::common;

use std::process::Command;

use common::{populated, spec, BUCKET};
use local_s3::ServerConfig;
use serde_json::Value;

fn s3_read(endpoint_env: Option<&str>, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_s3-read"));
    cmd.args(args)
        .env("AWS_ACCESS_KEY_ID", "local")
        .env("AWS_SECRET_ACCESS_KEY", "local")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_S3_FORCE_PATH_STYLE")
        .env_remove("S3_READ_ENDPOINT")
        .env_remove("AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
    match endpoint_env {
        Some(endpoint) => cmd.env("AWS_ENDPOINT_URL_S3", endpoint),
        None => cmd.env_remove("AWS_ENDPOINT_URL_S3"),
    };
    cmd.output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_reads_through_the_endpoint_flag_and_the_aws_env() {
    let spec = spec(30);
    let (server, _dir) = populated(ServerConfig::default(), "cli/", &spec).await;
    let endpoint = server.endpoint();

    let by_flag = s3_read(
        None,
        &[
            "--endpoint",
            &endpoint,
            "--bucket",
            BUCKET,
            "--folder",
            "cli/",
            "--concurrency",
            "4",
            "--memory-mb",
            "2048",
            "--compact",
        ],
    );
    assert!(
        by_flag.status.success(),
        "{}",
        String::from_utf8_lossy(&by_flag.stderr)
    );
    let result: Value = serde_json::from_slice(&by_flag.stdout).unwrap();
    assert_eq!(result["result"], "30");
    assert_eq!(result["stats"]["bytes"], spec.total_bytes());
    assert_eq!(result["stats"]["memoryMb"], 2048);
    assert_eq!(result["stats"]["concurrency"], 4);

    let ep = endpoint.clone();
    let by_env = tokio::task::spawn_blocking(move || {
        s3_read(
            Some(&ep),
            &[
                "--bucket",
                BUCKET,
                "--folder",
                "cli/",
                "--mode",
                "sequential",
                "--find",
                "MyMagicString",
            ],
        )
    })
    .await
    .unwrap();
    assert!(
        by_env.status.success(),
        "{}",
        String::from_utf8_lossy(&by_env.stderr)
    );
    let result: Value = serde_json::from_slice(&by_env.stdout).unwrap();
    assert_eq!(result["result"], spec.magic_key("cli/").unwrap().as_str());
    assert_eq!(result["stats"]["mode"], "sequential");

    let bad = s3_read(Some(&endpoint), &["--bucket", BUCKET, "--mode", "fast"]);
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("mode is \"fast\""), "{stderr}");
}
