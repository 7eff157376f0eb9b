//! The local S3 server against the real AWS SDK client, started by each test.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::time::{Duration, Instant};

use aws_sdk_s3::config::{Credentials, Region};
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::types::{Delete, ObjectIdentifier, PublicAccessBlockConfiguration};
use local_s3::{FaultKind, LocalS3, ObjectSet, ServerConfig};
use test_support::s3::encryption_algorithm;

fn small_spec(count: u64) -> ObjectSet {
    ObjectSet {
        count,
        min_size: 100,
        max_size: 3000,
        ..ObjectSet::seed_parity()
    }
}

/// A client with retries off, so that injected faults reach the test.
fn no_retry_client(server: &LocalS3) -> aws_sdk_s3::Client {
    let config = server
        .client()
        .config()
        .to_builder()
        .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

#[tokio::test]
async fn populated_objects_list_and_read_back_byte_for_byte() {
    let server = LocalS3::start(ServerConfig::default()).await.unwrap();
    assert!(server.endpoint().starts_with("http://127.0.0.1:"));
    server.create_bucket("data").await.unwrap();
    server.create_bucket("data").await.unwrap(); // idempotent
    let spec = small_spec(30);
    let report = server.populate("data", "bench/30/", &spec).await.unwrap();
    assert_eq!(report.count, 30);
    assert_eq!(report.bytes, spec.total_bytes());
    assert_eq!(report.magic_key, spec.magic_key("bench/30/"));

    let client = server.client();
    let listed = client
        .list_objects_v2()
        .bucket("data")
        .prefix("bench/30/")
        .max_keys(7)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert_eq!(listed.len(), 5, "30 keys in pages of 7");
    let keys: Vec<String> = listed
        .iter()
        .flat_map(|page| page.contents())
        .filter_map(|o| o.key().map(str::to_owned))
        .collect();
    let expected: Vec<String> = (0..30).map(|i| ObjectSet::key("bench/30/", i)).collect();
    assert_eq!(keys, expected);

    for i in [0, 17, 29] {
        let (key, body) = spec.object("bench/30/", i);
        let got = client
            .get_object()
            .bucket("data")
            .key(&key)
            .send()
            .await
            .unwrap();
        let bytes = got.body.collect().await.unwrap().into_bytes();
        assert_eq!(bytes.as_ref(), body.as_slice(), "{key}");
    }
}

#[tokio::test]
async fn any_credentials_are_accepted() {
    let server = LocalS3::start(ServerConfig::default()).await.unwrap();
    server.create_bucket("creds").await.unwrap();
    let config = server
        .client()
        .config()
        .to_builder()
        .credentials_provider(Credentials::new(
            "AKIAOTHER",
            "another-secret",
            None,
            None,
            "t",
        ))
        .region(Region::new("eu-west-1"))
        .build();
    let other = aws_sdk_s3::Client::from_conf(config);
    other
        .put_object()
        .bucket("creds")
        .key("k")
        .body(b"hello".to_vec().into())
        .send()
        .await
        .unwrap();
    let got = server
        .client()
        .get_object()
        .bucket("creds")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.body.collect().await.unwrap().into_bytes().as_ref(),
        b"hello"
    );
}

#[tokio::test]
async fn deploy_and_destroy_bucket_calls_work() {
    let server = LocalS3::start(ServerConfig::default()).await.unwrap();
    let client = server.client();
    server.create_bucket("cfg").await.unwrap();
    client.head_bucket().bucket("cfg").send().await.unwrap();
    client
        .get_bucket_location()
        .bucket("cfg")
        .send()
        .await
        .unwrap();

    let missing = client
        .get_public_access_block()
        .bucket("cfg")
        .send()
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some("NoSuchPublicAccessBlockConfiguration"));
    let block = PublicAccessBlockConfiguration::builder()
        .block_public_acls(true)
        .block_public_policy(true)
        .ignore_public_acls(true)
        .restrict_public_buckets(true)
        .build();
    client
        .put_public_access_block()
        .bucket("cfg")
        .public_access_block_configuration(block.clone())
        .send()
        .await
        .unwrap();
    let got = client
        .get_public_access_block()
        .bucket("cfg")
        .send()
        .await
        .unwrap();
    assert_eq!(got.public_access_block_configuration(), Some(&block));
    client
        .delete_public_access_block()
        .bucket("cfg")
        .send()
        .await
        .unwrap();
    assert!(client
        .get_public_access_block()
        .bucket("cfg")
        .send()
        .await
        .is_err());

    assert_eq!(
        encryption_algorithm(&client, "cfg").await.as_deref(),
        Some("AES256")
    );
    let kms = aws_sdk_s3::types::ServerSideEncryptionConfiguration::builder()
        .rules(
            aws_sdk_s3::types::ServerSideEncryptionRule::builder()
                .apply_server_side_encryption_by_default(
                    aws_sdk_s3::types::ServerSideEncryptionByDefault::builder()
                        .sse_algorithm(aws_sdk_s3::types::ServerSideEncryption::AwsKms)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .build()
        .unwrap();
    client
        .put_bucket_encryption()
        .bucket("cfg")
        .server_side_encryption_configuration(kms)
        .send()
        .await
        .unwrap();
    assert_eq!(
        encryption_algorithm(&client, "cfg").await.as_deref(),
        Some("aws:kms")
    );

    server.populate("cfg", "x/", &small_spec(5)).await.unwrap();
    let not_empty = client
        .delete_bucket()
        .bucket("cfg")
        .send()
        .await
        .unwrap_err();
    assert_eq!(not_empty.code(), Some("BucketNotEmpty"));
    let versions = client
        .list_object_versions()
        .bucket("cfg")
        .send()
        .await
        .unwrap();
    let ids: Vec<ObjectIdentifier> = versions
        .versions()
        .iter()
        .map(|v| {
            ObjectIdentifier::builder()
                .key(v.key().unwrap_or_default())
                .version_id(v.version_id().unwrap_or_default())
                .build()
                .unwrap()
        })
        .collect();
    assert_eq!(ids.len(), 5);
    let delete = Delete::builder().set_objects(Some(ids)).build().unwrap();
    client
        .delete_objects()
        .bucket("cfg")
        .delete(delete)
        .send()
        .await
        .unwrap();
    client.delete_bucket().bucket("cfg").send().await.unwrap();
    let gone = client.head_bucket().bucket("cfg").send().await.unwrap_err();
    assert!(
        gone.raw_response().map(|r| r.status().as_u16()) == Some(404),
        "{gone:?}"
    );
}

async fn get_error(
    server: &LocalS3,
    key: &str,
) -> aws_sdk_s3::error::SdkError<aws_sdk_s3::operation::get_object::GetObjectError> {
    no_retry_client(server)
        .get_object()
        .bucket("faulty")
        .key(key)
        .send()
        .await
        .map(|_| ())
        .unwrap_err()
}

/// Starts a faulty server with bucket `faulty` and key `k` created through a fault-free path
/// (a second server on the same data directory).
async fn faulty_server(config: ServerConfig) -> (LocalS3, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let plain = LocalS3::start(ServerConfig {
        root: Some(dir.path().to_path_buf()),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    plain.create_bucket("faulty").await.unwrap();
    plain.populate("faulty", "", &small_spec(3)).await.unwrap();
    plain.shutdown().await;
    let server = LocalS3::start(ServerConfig {
        root: Some(dir.path().to_path_buf()),
        ..config
    })
    .await
    .unwrap();
    (server, dir)
}

#[tokio::test]
async fn injected_faults_reach_the_client_as_500_503_and_reset() {
    for (kind, want) in [
        (FaultKind::InternalError, Some(500)),
        (FaultKind::SlowDown, Some(503)),
        (FaultKind::ConnectionReset, None),
    ] {
        let (server, _dir) = faulty_server(ServerConfig {
            fault_rate: 1.0,
            fault_kinds: vec![kind],
            ..ServerConfig::default()
        })
        .await;
        let err = get_error(&server, "00000.txt").await;
        let status = err.raw_response().map(|r| r.status().as_u16());
        assert_eq!(status, want, "{kind:?}: {err:?}");
        match kind {
            FaultKind::InternalError => assert_eq!(err.code(), Some("InternalError")),
            FaultKind::SlowDown => assert_eq!(err.code(), Some("SlowDown")),
            FaultKind::ConnectionReset => assert!(
                matches!(err, aws_sdk_s3::error::SdkError::DispatchFailure(_)),
                "reset should be a dispatch failure: {err:?}"
            ),
        }
    }
}

#[tokio::test]
async fn a_failing_key_always_fails_and_others_do_not() {
    let (server, _dir) = faulty_server(ServerConfig {
        failing_keys: vec!["00001.txt".into()],
        ..ServerConfig::default()
    })
    .await;
    for _ in 0..3 {
        let err = get_error(&server, "00001.txt").await;
        assert_eq!(err.code(), Some("InternalError"));
    }
    let client = server.client();
    for key in ["00000.txt", "00002.txt"] {
        client
            .get_object()
            .bucket("faulty")
            .key(key)
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn latency_is_added_to_every_request() {
    let (server, _dir) = faulty_server(ServerConfig {
        latency: Duration::from_millis(40),
        jitter: Duration::from_millis(10),
        ..ServerConfig::default()
    })
    .await;
    let client = server.client();
    for _ in 0..3 {
        let t0 = Instant::now();
        client
            .get_object()
            .bucket("faulty")
            .key("00000.txt")
            .send()
            .await
            .unwrap();
        assert!(
            t0.elapsed() >= Duration::from_millis(40),
            "{:?}",
            t0.elapsed()
        );
    }
}

#[tokio::test]
async fn dropping_the_server_closes_the_port() {
    let server = LocalS3::start(ServerConfig::default()).await.unwrap();
    let addr = server.addr();
    let root = server.root().to_path_buf();
    assert!(root.exists());
    drop(server);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    assert!(!root.exists(), "temp dir removed on drop");
}

#[tokio::test]
async fn cached_objects_follow_overwrites_and_deletes() {
    let server = LocalS3::start(ServerConfig::default()).await.unwrap();
    server.create_bucket("cache").await.unwrap();
    let client = server.client();
    let put = |body: &'static [u8]| {
        client
            .put_object()
            .bucket("cache")
            .key("k")
            .body(body.to_vec().into())
            .send()
    };
    let get = || async {
        let out = client.get_object().bucket("cache").key("k").send().await?;
        Ok::<_, aws_sdk_s3::error::SdkError<_>>(out.body.collect().await.unwrap().into_bytes())
    };
    put(b"first").await.unwrap();
    assert_eq!(get().await.unwrap().as_ref(), b"first");
    assert_eq!(get().await.unwrap().as_ref(), b"first"); // served from memory
    put(b"second, longer").await.unwrap();
    assert_eq!(get().await.unwrap().as_ref(), b"second, longer");
    let ranged = client
        .get_object()
        .bucket("cache")
        .key("k")
        .range("bytes=0-5")
        .send()
        .await
        .unwrap();
    assert_eq!(
        ranged.body.collect().await.unwrap().into_bytes().as_ref(),
        b"second"
    );
    client
        .delete_object()
        .bucket("cache")
        .key("k")
        .send()
        .await
        .unwrap();
    let gone = get().await.unwrap_err();
    assert_eq!(gone.code(), Some("NoSuchKey"));
}
