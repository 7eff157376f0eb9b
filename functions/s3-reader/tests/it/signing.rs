//! The direct GET path against a server that checks SigV4 signatures (`s3s`'s verifier, not
//! the SDK's): the same requests the SDK would make, signed so that S3 accepts them.

#![allow(clippy::unwrap_used)]

use crate::common;

use std::time::Duration;

use aws_sdk_s3::config::{Credentials, SharedCredentialsProvider};
use aws_sdk_s3::primitives::ByteStream;
use common::{populated, reader_for, spec, BUCKET};
use lambda_runtime::{Context, LambdaEvent};
use local_s3::{ServerConfig, SigningKey};
use s3_reader::direct::{resolve_bucket_endpoint, DirectClient, DirectTransport};
use s3_reader::retry::Failure;
use serde_json::json;

/// `LocalS3::client()` signs as local/local.
fn signing_server() -> ServerConfig {
    ServerConfig {
        signing_key: Some(SigningKey {
            access_key_id: "local".into(),
            secret_access_key: "local".into(),
        }),
        ..ServerConfig::default()
    }
}

async fn direct_client(server: &local_s3::LocalS3, secret: &str) -> DirectClient {
    let config = server.client().config().clone();
    let endpoint = resolve_bucket_endpoint(&config, BUCKET, Some(&server.endpoint()), true)
        .await
        .unwrap();
    let credentials =
        SharedCredentialsProvider::new(Credentials::new("local", secret, None, None, "test"));
    DirectClient::new(&DirectTransport::new(), &credentials, endpoint, 4)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_reader_reads_everything_from_a_server_that_checks_signatures() {
    let spec = spec(120);
    let (server, _dir) = populated(signing_server(), "signed/", &spec).await;
    for client in ["direct", "sdk"] {
        let result = reader_for(&server)
            .handle(LambdaEvent::new(
                json!({"s3_bucket_name": BUCKET, "folder": "signed/", "client": client}),
                Context::default(),
            ))
            .await
            .unwrap();
        let stats = result.stats.unwrap();
        assert_eq!((stats.objects, stats.errors), (120, 0), "{client}");
        assert_eq!(stats.bytes, spec.total_bytes());
    }
}

#[tokio::test]
async fn keys_that_need_encoding_are_signed_as_s3_expects() {
    let (server, _dir) = populated(signing_server(), "plain/", &spec(1)).await;
    let sdk = server.client();
    let keys = [
        "odd/a b.txt",
        "odd/plus+equals=.txt",
        "odd/ünïcødé/ß.txt",
        "odd/tilde~(paren)!*'.txt",
    ];
    for (i, key) in keys.iter().enumerate() {
        sdk.put_object()
            .bucket(BUCKET)
            .key(*key)
            .body(ByteStream::from(vec![b'x'; 100 + i]))
            .send()
            .await
            .unwrap();
    }
    let direct = direct_client(&server, "local").await;
    for (i, key) in keys.iter().enumerate() {
        let mut seen = 0usize;
        let bytes = direct
            .get(key, |chunk| seen += chunk.len())
            .await
            .unwrap_or_else(|f| panic!("{key}: {}", f.message()));
        assert_eq!(bytes, 100 + i as u64, "{key}");
        assert_eq!(seen, 100 + i, "{key}: every chunk handed over");
    }
}

#[tokio::test]
async fn a_wrong_secret_is_refused_and_not_retried() {
    let (server, _dir) = populated(signing_server(), "s/", &spec(2)).await;
    let direct = direct_client(&server, "not-the-secret").await;
    let failure = direct
        .get(&local_s3::ObjectSet::key("s/", 0), |_| {})
        .await
        .unwrap_err();
    match failure {
        Failure::Permanent(message) => {
            assert!(message.contains("403"), "{message}");
            assert!(message.contains("SignatureDoesNotMatch"), "{message}");
        }
        Failure::Retryable(message) => panic!("a bad signature is not retryable: {message}"),
    }
}

#[tokio::test]
async fn a_missing_key_is_permanent_and_a_dead_server_is_retryable() {
    let (server, _dir) = populated(signing_server(), "m/", &spec(1)).await;
    let direct = direct_client(&server, "local").await;
    match direct.get("m/does-not-exist", |_| {}).await {
        Err(Failure::Permanent(message)) => assert!(message.contains("NoSuchKey"), "{message}"),
        other => panic!("{other:?}"),
    }
    server.shutdown().await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    match direct.get(&local_s3::ObjectSet::key("m/", 0), |_| {}).await {
        Err(Failure::Retryable(message)) => assert!(message.contains("GET m/"), "{message}"),
        other => panic!("{other:?}"),
    }
}
