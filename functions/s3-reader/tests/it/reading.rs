//! The acceptance tests of the reader, against a LocalS3 started by each test, through the
//! Lambda handler (`LambdaEvent::new`).

// Tests: a failed unwrap is a failed test. lambda_runtime's Context and Config are
// non_exhaustive, so their fields are set after default().
#![allow(clippy::unwrap_used, clippy::field_reassign_with_default)]

use crate::common;

use std::sync::Arc;

use bench_types::{ReadMode, ReaderResult, ReaderStats};
use common::{populated, reader_for, spec, BUCKET};
use lambda_runtime::{Config, Context, Diagnostic, LambdaEvent};
use local_s3::{FaultKind, ObjectSet, ServerConfig};
use serde_json::{json, Value};

fn event(payload: Value) -> LambdaEvent<Value> {
    LambdaEvent::new(payload, Context::default())
}

fn stats(result: &ReaderResult) -> &ReaderStats {
    result.stats.as_ref().unwrap()
}

/// Both GET paths: the direct client (the default) and the SDK's GetObject.
const CLIENTS: [&str; 2] = ["direct", "sdk"];

/// `payload` with `"client": client`.
fn with_client(mut payload: Value, client: &str) -> Value {
    payload["client"] = json!(client);
    payload
}

/// The `detail` the reader reports for a GET path.
fn gets(client: &str) -> &'static str {
    match client {
        "sdk" => "aws-sdk-rust",
        _ => "signed GETs over hyper (aws-sigv4)",
    }
}

#[tokio::test]
async fn reads_2500_keys_across_pages_with_the_right_byte_count() {
    let spec = ObjectSet {
        max_size: 1500,
        ..spec(2500)
    };
    let (server, _dir) = populated(ServerConfig::default(), "many/", &spec).await;
    let reader = reader_for(&server);
    for client in CLIENTS {
        let result = reader
            .handle(event(with_client(
                json!({"s3_bucket_name": BUCKET, "folder": "many/", "concurrency": 32}),
                client,
            )))
            .await
            .unwrap();
        assert_eq!(result.lang, "rust");
        assert_eq!(result.result, "2500");
        assert!(result.time > 0.0);
        let s = stats(&result);
        assert_eq!(s.objects, 2500);
        assert_eq!(s.listed, Some(2500), "every page's keys are counted");
        assert_eq!(s.bytes, spec.total_bytes());
        assert_eq!(s.errors, 0);
        assert_eq!(s.list_requests, 3, "1000 + 1000 + 500");
        assert_eq!(s.get_requests, 2500);
        assert_eq!((s.mode, s.concurrency), (ReadMode::Concurrent, 32));
        assert!(s.latency_ms.p50 > 0.0 && s.latency_ms.p50 <= s.latency_ms.p99);
        assert!(s.latency_ms.p99 <= s.latency_ms.max);
        assert!(s.vcpus >= 1 && !s.arch.is_empty());
        assert!((s.total_ms - (s.list_ms + s.read_ms)).abs() < 1e-6);
        assert_eq!(
            result.detail,
            format!("{}, tokio, semaphore 32", gets(client))
        );
        assert_eq!(s.client, client);
    }
}

#[tokio::test]
async fn other_prefixes_are_not_read() {
    let (server, _dir) = populated(ServerConfig::default(), "a/", &spec(20)).await;
    server.populate(BUCKET, "b/", &spec(7)).await.unwrap();
    let result = reader_for(&server)
        .handle(event(json!({"s3_bucket_name": BUCKET, "folder": "b/"})))
        .await
        .unwrap();
    assert_eq!(result.result, "7");
}

#[tokio::test]
async fn find_reports_the_key_holding_the_magic_string() {
    let spec = spec(300);
    let (server, _dir) = populated(ServerConfig::default(), "find/", &spec).await;
    let reader = reader_for(&server);
    let want = spec.magic_key("find/").unwrap();
    for (mode, client) in ["concurrent", "sequential"]
        .into_iter()
        .flat_map(|m| CLIENTS.map(|c| (m, c)))
    {
        let result = reader
            .handle(event(json!({"s3_bucket_name": BUCKET, "folder": "find/",
                                 "find": "MyMagicString", "mode": mode, "client": client})))
            .await
            .unwrap();
        assert_eq!(result.result, want, "{mode} {client}");
        assert_eq!(stats(&result).objects, 300, "find reads every body");
        assert_eq!(stats(&result).bytes, spec.total_bytes());
    }
    let none = reader
        .handle(event(
            json!({"s3_bucket_name": BUCKET, "folder": "find/", "find": "NotInAnyObject"}),
        ))
        .await
        .unwrap();
    assert_eq!(none.result, "None");
}

#[tokio::test]
async fn sequential_mode_reads_everything_one_at_a_time() {
    let spec = spec(40);
    let (server, _dir) = populated(ServerConfig::default(), "seq/", &spec).await;
    let result = reader_for(&server)
        .handle(event(
            json!({"s3_bucket_name": BUCKET, "folder": "seq/", "mode": "sequential"}),
        ))
        .await
        .unwrap();
    assert_eq!(result.result, "40");
    let s = stats(&result);
    assert_eq!((s.mode, s.concurrency), (ReadMode::Sequential, 1));
    assert_eq!((s.objects, s.listed), (40, Some(40)));
    assert_eq!(s.bytes, spec.total_bytes());
    assert_eq!(
        result.detail,
        "signed GETs over hyper (aws-sigv4), tokio, sequential"
    );
}

#[tokio::test]
async fn five_percent_faults_are_retried_and_every_object_is_read() {
    let spec = spec(600);
    let config = ServerConfig {
        fault_rate: 0.05,
        fault_kinds: FaultKind::ALL.to_vec(),
        ..ServerConfig::default()
    };
    let (server, _dir) = populated(config, "faulty/", &spec).await;
    for client in CLIENTS {
        let result = reader_for(&server)
            .handle(event(with_client(
                json!({"s3_bucket_name": BUCKET, "folder": "faulty/"}),
                client,
            )))
            .await
            .unwrap();
        let s = stats(&result);
        assert_eq!(result.result, "600", "{client}");
        assert_eq!((s.objects, s.errors), (600, 0), "{client}");
        assert_eq!(s.bytes, spec.total_bytes());
        assert!(
            s.retries > 0,
            "{client}: a 5% fault rate over 600 GETs must cause retries"
        );
        assert_eq!(s.get_requests + s.list_requests, 600 + 1 + s.retries);
    }
}

#[tokio::test]
async fn a_permanently_failing_key_is_one_error_and_the_rest_is_read() {
    let spec = spec(50);
    let bad = ObjectSet::key("perm/", 13);
    let config = ServerConfig {
        failing_keys: vec![bad],
        ..ServerConfig::default()
    };
    let (server, _dir) = populated(config, "perm/", &spec).await;
    for client in CLIENTS {
        let result = reader_for(&server)
            .with_retry(s3_reader::RetryPolicy {
                max_attempts: 3,
                ..s3_reader::RetryPolicy::default()
            })
            .handle(event(with_client(
                json!({"s3_bucket_name": BUCKET, "folder": "perm/"}),
                client,
            )))
            .await
            .unwrap();
        let s = stats(&result);
        assert_eq!(result.result, "49", "{client}");
        assert_eq!((s.objects, s.errors), (49, 1), "{client}");
        assert_eq!(s.listed, Some(50), "{client}: listed, read or not");
        assert_eq!(s.bytes, spec.total_bytes() - spec.size_of(13));
        assert_eq!(s.retries, 2, "{client}: the failing key was tried 3 times");
    }
}

#[tokio::test]
async fn bad_events_return_named_errors() {
    let (server, _dir) = populated(ServerConfig::default(), "x/", &spec(3)).await;
    let reader = reader_for(&server);
    let cases = [
        (json!({"folder": "x/"}), "InvalidEvent", "s3_bucket_name"),
        (
            json!({"s3_bucket_name": BUCKET, "concurrency": 0}),
            "InvalidEvent",
            "concurrency is 0",
        ),
        (
            json!({"s3_bucket_name": BUCKET, "mode": "turbo"}),
            "InvalidEvent",
            "\"turbo\"",
        ),
        (
            json!({"s3_bucket_name": BUCKET, "client": "curl"}),
            "InvalidEvent",
            "client is \"curl\"",
        ),
        (
            json!({"s3_bucket_name": "no-such-bucket", "folder": "x/"}),
            "ListFailed",
            "NoSuchBucket",
        ),
    ];
    for (payload, name, needle) in cases {
        let err = reader.handle(event(payload.clone())).await.unwrap_err();
        let diagnostic = Diagnostic::from(err);
        assert_eq!(diagnostic.error_type, name, "{payload}");
        assert!(
            diagnostic.error_message.contains(needle),
            "{payload}: {}",
            diagnostic.error_message
        );
    }
}

#[tokio::test]
async fn memory_comes_from_the_context_and_cold_start_only_once() {
    let (server, _dir) = populated(ServerConfig::default(), "mem/", &spec(5)).await;
    let reader = reader_for(&server);
    let mut config = Config::default();
    config.memory = 1769;
    let mut context = Context::default();
    context.env_config = Arc::new(config);
    let first = reader
        .handle(LambdaEvent::new(
            json!({"s3_bucket_name": BUCKET, "folder": "mem/"}),
            context,
        ))
        .await
        .unwrap();
    assert_eq!(stats(&first).memory_mb, 1769);
    assert!(stats(&first).cold_start);
    assert!(!stats(&first).reused_connections);
    let second = reader
        .handle(event(
            json!({"s3_bucket_name": BUCKET, "folder": "mem/", "reuse_connections": true}),
        ))
        .await
        .unwrap();
    assert!(!stats(&second).cold_start);
    assert!(stats(&second).reused_connections);
    assert_eq!(second.result, "5");
}
