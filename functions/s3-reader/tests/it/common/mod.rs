//! Helpers shared by the reader's integration tests: a LocalS3 with uploaded objects.

#![allow(dead_code, clippy::unwrap_used)]

use local_s3::{LocalS3, ObjectSet, ServerConfig};
use s3_reader::{ClientFactory, Reader};

pub(crate) const BUCKET: &str = "reader-test";

/// Small objects (fast to upload) with the magic string in one.
pub(crate) fn spec(count: u64) -> ObjectSet {
    ObjectSet {
        count,
        min_size: 200,
        max_size: 4000,
        ..ObjectSet::seed_parity()
    }
}

/// Uploads `spec` under `prefix` through a fault-free server, then starts `config` on the same
/// data directory (so that faults hit the reader, not the populating).
pub(crate) async fn populated(
    config: ServerConfig,
    prefix: &str,
    spec: &ObjectSet,
) -> (LocalS3, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let root = Some(dir.path().to_path_buf());
    let plain = LocalS3::start(ServerConfig {
        root: root.clone(),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    plain.create_bucket(BUCKET).await.unwrap();
    plain.populate(BUCKET, prefix, spec).await.unwrap();
    plain.shutdown().await;
    let server = LocalS3::start(ServerConfig { root, ..config })
        .await
        .unwrap();
    (server, dir)
}

pub(crate) fn reader_for(server: &LocalS3) -> Reader {
    Reader::new(ClientFactory::for_endpoint(
        &server.endpoint(),
        local_credentials(),
    ))
}

/// What `LocalS3::client()` signs with.
pub(crate) fn local_credentials() -> aws_sdk_s3::config::Credentials {
    aws_sdk_s3::config::Credentials::new("local", "local", None, None, "test")
}
