//! Where the outputs go: an S3 bucket (the Lambda) or a local folder standing in for one (the
//! `collect` CLI). Keys are the same in both.

use std::future::Future;
use std::path::{Component, Path, PathBuf};

use aws_sdk_s3::primitives::ByteStream;
// The full error chain of an SDK error (its Display alone says only "service error").
use bench_types::error_chain;

use crate::error::CollectorError;

/// Most LIST pages read for one prefix (1000 keys each): far more than an execution stores.
const MAX_LIST_PAGES: usize = 1000;

/// A flat key-value store of objects.
pub trait Store: Sync {
    /// Writes (or replaces) the object at `key`.
    fn put(
        &self,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> impl Future<Output = Result<(), CollectorError>> + Send;
    /// `None` when the object does not exist.
    fn get(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, CollectorError>> + Send;
    /// Every key under `prefix`, sorted.
    fn list(
        &self,
        prefix: &str,
    ) -> impl Future<Output = Result<Vec<String>, CollectorError>> + Send;
    /// How a person addresses the object (`s3://bucket/key`, or a path).
    fn uri(&self, key: &str) -> String;
}

fn storage(operation: &'static str, key: &str, message: impl std::fmt::Display) -> CollectorError {
    CollectorError::StorageFailed {
        operation,
        key: key.to_string(),
        message: message.to_string(),
    }
}

/// An S3 bucket.
#[derive(Debug, Clone)]
pub(crate) struct S3Store {
    client: aws_sdk_s3::Client,
    bucket: String,
}

impl S3Store {
    pub(crate) fn new(client: aws_sdk_s3::Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
        }
    }
}

impl Store for S3Store {
    async fn put(
        &self,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<(), CollectorError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|e| storage("PutObject", &self.uri(key), error_chain(&e)))?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CollectorError> {
        let output = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(output) => output,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => return Ok(None),
            Err(e) => return Err(storage("GetObject", &self.uri(key), error_chain(&e))),
        };
        let bytes = output
            .body
            .collect()
            .await
            .map_err(|e| storage("GetObject", &self.uri(key), error_chain(&e)))?;
        Ok(Some(bytes.into_bytes().to_vec()))
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>, CollectorError> {
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_LIST_PAGES {
            let page = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(prefix)
                .set_continuation_token(token.take())
                .send()
                .await
                .map_err(|e| storage("ListObjectsV2", &self.uri(prefix), error_chain(&e)))?;
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|o| o.key().map(str::to_owned)),
            );
            match page.next_continuation_token() {
                Some(next) if page.is_truncated() == Some(true) => token = Some(next.to_string()),
                _ => {
                    keys.sort();
                    return Ok(keys);
                }
            }
        }
        Err(storage(
            "ListObjectsV2",
            &self.uri(prefix),
            format!("more than {MAX_LIST_PAGES} pages"),
        ))
    }

    fn uri(&self, key: &str) -> String {
        format!("s3://{}/{}", self.bucket, key)
    }
}

/// A local folder: key `a/b.json` is the file `ROOT/a/b.json`.
#[derive(Debug, Clone)]
pub struct DirStore {
    root: PathBuf,
}

impl DirStore {
    /// The folder `root` standing for a bucket; it is created as objects are written.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The file of a key; keys with `..`, a root or a drive are refused.
    fn path(&self, key: &str) -> Result<PathBuf, CollectorError> {
        let relative = Path::new(key);
        if relative
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Err(storage(
                "resolve",
                key,
                "a key must be a relative path without '..'",
            ));
        }
        Ok(self.root.join(relative))
    }
}

impl Store for DirStore {
    async fn put(
        &self,
        key: &str,
        body: Vec<u8>,
        _content_type: &str,
    ) -> Result<(), CollectorError> {
        let path = self.path(key)?;
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| storage("create folder", &parent.display().to_string(), e))?;
        }
        tokio::fs::write(&path, body)
            .await
            .map_err(|e| storage("write", &path.display().to_string(), e))
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CollectorError> {
        let path = self.path(key)?;
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(storage("read", &path.display().to_string(), e)),
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>, CollectorError> {
        // Walk the folder that holds the prefix; keys are '/'-joined relative paths.
        let folder = match prefix.rfind('/') {
            Some(i) => &prefix[..=i],
            None => "",
        };
        let mut keys = Vec::new();
        let mut pending = vec![folder.to_string()];
        while let Some(dir_key) = pending.pop() {
            let dir = if dir_key.is_empty() {
                self.root.clone()
            } else {
                self.path(dir_key.trim_end_matches('/'))?
            };
            let mut entries = match tokio::fs::read_dir(&dir).await {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(storage("list", &dir.display().to_string(), e)),
            };
            while let Some(entry) = entries
                .next_entry()
                .await
                .map_err(|e| storage("list", &dir.display().to_string(), e))?
            {
                let name = entry.file_name().to_string_lossy().into_owned();
                let key = format!("{dir_key}{name}");
                let kind = entry
                    .file_type()
                    .await
                    .map_err(|e| storage("list", &key, e))?;
                if kind.is_dir() {
                    pending.push(format!("{key}/"));
                } else if key.starts_with(prefix) {
                    keys.push(key);
                }
            }
        }
        keys.sort();
        Ok(keys)
    }

    fn uri(&self, key: &str) -> String {
        self.root.join(key).display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_folder_stores_lists_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = DirStore::new(dir.path());
        store
            .put(
                "runs/e1/records/r001.json",
                b"{}".to_vec(),
                "application/json",
            )
            .await
            .unwrap();
        store
            .put(
                "runs/e1/records/r002.json",
                b"[]".to_vec(),
                "application/json",
            )
            .await
            .unwrap();
        store
            .put("runs/e1/runs.json", b"x".to_vec(), "application/json")
            .await
            .unwrap();
        assert_eq!(
            store.list("runs/e1/records/").await.unwrap(),
            vec![
                "runs/e1/records/r001.json".to_string(),
                "runs/e1/records/r002.json".to_string()
            ]
        );
        assert_eq!(
            store.get("runs/e1/records/r002.json").await.unwrap(),
            Some(b"[]".to_vec())
        );
        assert_eq!(store.get("runs/e1/nothing.json").await.unwrap(), None);
        assert!(store.list("runs/none/").await.unwrap().is_empty());
        assert_eq!(
            store
                .put("../escape", vec![], "x")
                .await
                .unwrap_err()
                .name(),
            "StorageFailed"
        );
    }
}
