//! Bucket configuration that `s3s-fs` does not keep (public access block, encryption, tagging,
//! versioning, policy), held in memory so that a deploy/destroy against the local stack works.
//! Settings live as long as the server; they are dropped with the bucket.

use std::collections::HashMap;
use std::sync::Mutex;

use s3s::dto::{
    PublicAccessBlockConfiguration, ServerSideEncryptionConfiguration, Tagging,
    VersioningConfiguration,
};

/// The settings of one bucket.
#[derive(Debug, Clone, Default)]
pub(crate) struct Settings {
    pub(crate) public_access_block: Option<PublicAccessBlockConfiguration>,
    pub(crate) encryption: Option<ServerSideEncryptionConfiguration>,
    pub(crate) tagging: Option<Tagging>,
    pub(crate) versioning: Option<VersioningConfiguration>,
    /// The bucket policy document, as put (JSON text).
    pub(crate) policy: Option<String>,
}

/// Settings of every bucket, by name.
#[derive(Debug, Default)]
pub(crate) struct BucketSettings {
    by_bucket: Mutex<HashMap<String, Settings>>,
}

impl BucketSettings {
    /// A copy of a bucket's settings (defaults when none were set).
    pub(crate) fn get(&self, bucket: &str) -> Settings {
        self.lock().get(bucket).cloned().unwrap_or_default()
    }

    /// Changes a bucket's settings in place.
    pub(crate) fn update(&self, bucket: &str, change: impl FnOnce(&mut Settings)) {
        change(self.lock().entry(bucket.to_owned()).or_default());
    }

    /// Forgets a bucket (after DeleteBucket).
    pub(crate) fn remove(&self, bucket: &str) {
        self.lock().remove(bucket);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Settings>> {
        // A panic while holding the lock cannot leave a map half-updated: recover the data.
        self.by_bucket
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
