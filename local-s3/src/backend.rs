//! Our `S3` implementation: delegates objects and buckets to `s3s-fs`, adds permanently failing
//! keys and the in-memory bucket settings a deploy/destroy needs.

use std::collections::HashSet;

use async_trait::async_trait;
use s3s::dto::*;
use s3s::{s3_error, S3Error, S3ErrorCode, S3Request, S3Response, S3Result, S3};
use s3s_fs::FileSystem;

use crate::bucket_settings::BucketSettings;
use crate::object_cache::{is_plain_get, ObjectCache};

/// The S3 backend of the local server.
pub(crate) struct LocalBackend {
    fs: FileSystem,
    settings: BucketSettings,
    failing_keys: HashSet<String>,
    cache: ObjectCache,
}

impl LocalBackend {
    pub(crate) fn new(fs: FileSystem, failing_keys: &[String]) -> Self {
        Self {
            fs,
            settings: BucketSettings::default(),
            failing_keys: failing_keys.iter().cloned().collect(),
            cache: ObjectCache::default(),
        }
    }

    fn check_failing(&self, key: &str) -> S3Result<()> {
        if self.failing_keys.contains(key) {
            return Err(S3Error::with_message(
                S3ErrorCode::InternalError,
                "local-s3: permanent fault injected for this key (--fail-key)",
            ));
        }
        Ok(())
    }

    /// NoSuchBucket unless the bucket exists.
    async fn require_bucket(&self, bucket: &str) -> S3Result<()> {
        let input = HeadBucketInput {
            bucket: bucket.to_owned(),
            ..Default::default()
        };
        self.fs.head_bucket(plain_request(input)).await.map(|_| ())
    }
}

/// A request for an internal call, with no headers or credentials.
fn plain_request<T>(input: T) -> S3Request<T> {
    S3Request {
        input,
        method: hyper::Method::GET,
        uri: hyper::Uri::from_static("/"),
        headers: Default::default(),
        extensions: Default::default(),
        credentials: None,
        region: None,
        service: None,
        trailing_headers: None,
    }
}

fn not_found(code: &'static str, message: &'static str) -> S3Error {
    let mut err = S3Error::with_message(S3ErrorCode::Custom(code.into()), message);
    err.set_status_code(hyper::StatusCode::NOT_FOUND);
    err
}

/// AWS encrypts every bucket with SSE-S3 unless told otherwise (since January 2023).
fn default_encryption() -> ServerSideEncryptionConfiguration {
    ServerSideEncryptionConfiguration {
        rules: vec![ServerSideEncryptionRule {
            apply_server_side_encryption_by_default: Some(ServerSideEncryptionByDefault {
                sse_algorithm: ServerSideEncryption::from_static(ServerSideEncryption::AES256),
                kms_master_key_id: None,
            }),
            bucket_key_enabled: None,
        }],
    }
}

#[async_trait]
impl S3 for LocalBackend {
    // Delegated to s3s-fs unchanged.

    async fn copy_object(
        &self,
        req: S3Request<CopyObjectInput>,
    ) -> S3Result<S3Response<CopyObjectOutput>> {
        self.cache.clear();
        let out = self.fs.copy_object(req).await;
        self.cache.clear();
        out
    }

    async fn delete_object(
        &self,
        req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        self.cache.clear();
        let out = self.fs.delete_object(req).await;
        self.cache.clear();
        out
    }

    async fn delete_objects(
        &self,
        req: S3Request<DeleteObjectsInput>,
    ) -> S3Result<S3Response<DeleteObjectsOutput>> {
        self.cache.clear();
        let out = self.fs.delete_objects(req).await;
        self.cache.clear();
        out
    }

    async fn get_bucket_location(
        &self,
        req: S3Request<GetBucketLocationInput>,
    ) -> S3Result<S3Response<GetBucketLocationOutput>> {
        self.fs.get_bucket_location(req).await
    }

    async fn head_bucket(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        self.fs.head_bucket(req).await
    }

    async fn list_buckets(
        &self,
        req: S3Request<ListBucketsInput>,
    ) -> S3Result<S3Response<ListBucketsOutput>> {
        self.fs.list_buckets(req).await
    }

    async fn list_objects(
        &self,
        req: S3Request<ListObjectsInput>,
    ) -> S3Result<S3Response<ListObjectsOutput>> {
        self.fs.list_objects(req).await
    }

    async fn list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        self.fs.list_objects_v2(req).await
    }

    async fn put_object(
        &self,
        req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        self.cache.clear();
        let out = self.fs.put_object(req).await;
        self.cache.clear();
        out
    }

    async fn create_multipart_upload(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        self.fs.create_multipart_upload(req).await
    }

    async fn upload_part(
        &self,
        req: S3Request<UploadPartInput>,
    ) -> S3Result<S3Response<UploadPartOutput>> {
        self.fs.upload_part(req).await
    }

    async fn upload_part_copy(
        &self,
        req: S3Request<UploadPartCopyInput>,
    ) -> S3Result<S3Response<UploadPartCopyOutput>> {
        self.fs.upload_part_copy(req).await
    }

    async fn list_parts(
        &self,
        req: S3Request<ListPartsInput>,
    ) -> S3Result<S3Response<ListPartsOutput>> {
        self.fs.list_parts(req).await
    }

    async fn complete_multipart_upload(
        &self,
        req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        self.cache.clear();
        let out = self.fs.complete_multipart_upload(req).await;
        self.cache.clear();
        out
    }

    async fn abort_multipart_upload(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        self.fs.abort_multipart_upload(req).await
    }

    /// Every bucket on this server belongs to the caller, so re-creating one answers
    /// `BucketAlreadyOwnedByYou` as AWS does for the owner (s3s-fs says `BucketAlreadyExists`).
    async fn create_bucket(
        &self,
        req: S3Request<CreateBucketInput>,
    ) -> S3Result<S3Response<CreateBucketOutput>> {
        if self.require_bucket(&req.input.bucket).await.is_ok() {
            return Err(s3_error!(
                BucketAlreadyOwnedByYou,
                "Your previous request to create the named bucket succeeded and you already own it."
            ));
        }
        self.fs.create_bucket(req).await
    }

    async fn get_object(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        self.check_failing(&req.input.key)?;
        if !is_plain_get(&req.input) {
            return self.fs.get_object(req).await;
        }
        let (bucket, key) = (req.input.bucket.clone(), req.input.key.clone());
        if let Some(out) = self.cache.get(&bucket, &key) {
            return Ok(S3Response::new(out));
        }
        let generation = self.cache.generation();
        let resp = self.fs.get_object(req).await?;
        let out = self
            .cache
            .fill(&bucket, &key, generation, resp.output)
            .await?;
        Ok(S3Response::new(out))
    }

    async fn head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        self.check_failing(&req.input.key)?;
        self.fs.head_object(req).await
    }

    async fn delete_bucket(
        &self,
        req: S3Request<DeleteBucketInput>,
    ) -> S3Result<S3Response<DeleteBucketOutput>> {
        let bucket = req.input.bucket.clone();
        let list = ListObjectsV2Input {
            bucket: bucket.clone(),
            max_keys: Some(1),
            ..Default::default()
        };
        let listed = self.fs.list_objects_v2(plain_request(list)).await?;
        if listed.output.key_count.unwrap_or(0) > 0 {
            return Err(s3_error!(
                BucketNotEmpty,
                "The bucket you tried to delete is not empty"
            ));
        }
        let out = self.fs.delete_bucket(req).await?;
        self.cache.clear();
        self.settings.remove(&bucket);
        Ok(out)
    }

    /// Unversioned buckets: every object is its own "null" version, so a destroy that deletes
    /// all versions works.
    async fn list_object_versions(
        &self,
        req: S3Request<ListObjectVersionsInput>,
    ) -> S3Result<S3Response<ListObjectVersionsOutput>> {
        let input = req.input;
        let list = ListObjectsV2Input {
            bucket: input.bucket.clone(),
            prefix: input.prefix.clone(),
            delimiter: input.delimiter.clone(),
            max_keys: input.max_keys,
            start_after: input.key_marker.clone(),
            ..Default::default()
        };
        let listed = self.fs.list_objects_v2(plain_request(list)).await?.output;
        let versions = listed.contents.map(|objects| {
            objects
                .into_iter()
                .map(|o| ObjectVersion {
                    key: o.key,
                    size: o.size,
                    last_modified: o.last_modified,
                    e_tag: o.e_tag,
                    is_latest: Some(true),
                    version_id: Some("null".to_owned()),
                    ..Default::default()
                })
                .collect()
        });
        let next_key_marker = if listed.is_truncated == Some(true) {
            versions
                .as_ref()
                .and_then(|v: &Vec<ObjectVersion>| v.last())
                .and_then(|v| v.key.clone())
        } else {
            None
        };
        Ok(S3Response::new(ListObjectVersionsOutput {
            name: Some(input.bucket),
            prefix: input.prefix,
            delimiter: input.delimiter,
            key_marker: input.key_marker,
            max_keys: input.max_keys,
            is_truncated: listed.is_truncated,
            common_prefixes: listed.common_prefixes,
            next_version_id_marker: next_key_marker.as_ref().map(|_| "null".to_owned()),
            next_key_marker,
            versions,
            ..Default::default()
        }))
    }

    async fn put_public_access_block(
        &self,
        req: S3Request<PutPublicAccessBlockInput>,
    ) -> S3Result<S3Response<PutPublicAccessBlockOutput>> {
        let input = req.input;
        self.require_bucket(&input.bucket).await?;
        self.settings.update(&input.bucket, |s| {
            s.public_access_block = Some(input.public_access_block_configuration)
        });
        Ok(S3Response::new(PutPublicAccessBlockOutput {}))
    }

    async fn get_public_access_block(
        &self,
        req: S3Request<GetPublicAccessBlockInput>,
    ) -> S3Result<S3Response<GetPublicAccessBlockOutput>> {
        self.require_bucket(&req.input.bucket).await?;
        match self.settings.get(&req.input.bucket).public_access_block {
            Some(config) => Ok(S3Response::new(GetPublicAccessBlockOutput {
                public_access_block_configuration: Some(config),
            })),
            None => Err(not_found(
                "NoSuchPublicAccessBlockConfiguration",
                "The public access block configuration was not found",
            )),
        }
    }

    async fn delete_public_access_block(
        &self,
        req: S3Request<DeletePublicAccessBlockInput>,
    ) -> S3Result<S3Response<DeletePublicAccessBlockOutput>> {
        self.require_bucket(&req.input.bucket).await?;
        self.settings
            .update(&req.input.bucket, |s| s.public_access_block = None);
        Ok(S3Response::new(DeletePublicAccessBlockOutput {}))
    }

    async fn put_bucket_encryption(
        &self,
        req: S3Request<PutBucketEncryptionInput>,
    ) -> S3Result<S3Response<PutBucketEncryptionOutput>> {
        let input = req.input;
        self.require_bucket(&input.bucket).await?;
        self.settings.update(&input.bucket, |s| {
            s.encryption = Some(input.server_side_encryption_configuration)
        });
        Ok(S3Response::new(PutBucketEncryptionOutput {}))
    }

    async fn get_bucket_encryption(
        &self,
        req: S3Request<GetBucketEncryptionInput>,
    ) -> S3Result<S3Response<GetBucketEncryptionOutput>> {
        self.require_bucket(&req.input.bucket).await?;
        let config = self
            .settings
            .get(&req.input.bucket)
            .encryption
            .unwrap_or_else(default_encryption);
        Ok(S3Response::new(GetBucketEncryptionOutput {
            server_side_encryption_configuration: Some(config),
        }))
    }

    async fn delete_bucket_encryption(
        &self,
        req: S3Request<DeleteBucketEncryptionInput>,
    ) -> S3Result<S3Response<DeleteBucketEncryptionOutput>> {
        self.require_bucket(&req.input.bucket).await?;
        self.settings
            .update(&req.input.bucket, |s| s.encryption = None);
        Ok(S3Response::new(DeleteBucketEncryptionOutput {}))
    }

    async fn put_bucket_tagging(
        &self,
        req: S3Request<PutBucketTaggingInput>,
    ) -> S3Result<S3Response<PutBucketTaggingOutput>> {
        let input = req.input;
        self.require_bucket(&input.bucket).await?;
        self.settings
            .update(&input.bucket, |s| s.tagging = Some(input.tagging));
        Ok(S3Response::new(PutBucketTaggingOutput {}))
    }

    async fn get_bucket_tagging(
        &self,
        req: S3Request<GetBucketTaggingInput>,
    ) -> S3Result<S3Response<GetBucketTaggingOutput>> {
        self.require_bucket(&req.input.bucket).await?;
        match self.settings.get(&req.input.bucket).tagging {
            Some(tagging) => Ok(S3Response::new(GetBucketTaggingOutput {
                tag_set: tagging.tag_set,
            })),
            None => Err(s3_error!(NoSuchTagSet, "The TagSet does not exist")),
        }
    }

    async fn delete_bucket_tagging(
        &self,
        req: S3Request<DeleteBucketTaggingInput>,
    ) -> S3Result<S3Response<DeleteBucketTaggingOutput>> {
        self.require_bucket(&req.input.bucket).await?;
        self.settings
            .update(&req.input.bucket, |s| s.tagging = None);
        Ok(S3Response::new(DeleteBucketTaggingOutput {}))
    }

    async fn put_bucket_versioning(
        &self,
        req: S3Request<PutBucketVersioningInput>,
    ) -> S3Result<S3Response<PutBucketVersioningOutput>> {
        let input = req.input;
        self.require_bucket(&input.bucket).await?;
        self.settings.update(&input.bucket, |s| {
            s.versioning = Some(input.versioning_configuration)
        });
        Ok(S3Response::new(PutBucketVersioningOutput {}))
    }

    async fn get_bucket_versioning(
        &self,
        req: S3Request<GetBucketVersioningInput>,
    ) -> S3Result<S3Response<GetBucketVersioningOutput>> {
        self.require_bucket(&req.input.bucket).await?;
        let versioning = self.settings.get(&req.input.bucket).versioning;
        Ok(S3Response::new(GetBucketVersioningOutput {
            status: versioning.as_ref().and_then(|v| v.status.clone()),
            mfa_delete: None,
        }))
    }

    async fn put_bucket_policy(
        &self,
        req: S3Request<PutBucketPolicyInput>,
    ) -> S3Result<S3Response<PutBucketPolicyOutput>> {
        let input = req.input;
        self.require_bucket(&input.bucket).await?;
        self.settings
            .update(&input.bucket, |s| s.policy = Some(input.policy));
        Ok(S3Response::new(PutBucketPolicyOutput {}))
    }

    async fn get_bucket_policy(
        &self,
        req: S3Request<GetBucketPolicyInput>,
    ) -> S3Result<S3Response<GetBucketPolicyOutput>> {
        self.require_bucket(&req.input.bucket).await?;
        match self.settings.get(&req.input.bucket).policy {
            Some(policy) => Ok(S3Response::new(GetBucketPolicyOutput {
                policy: Some(policy),
            })),
            None => Err(s3_error!(
                NoSuchBucketPolicy,
                "The bucket policy does not exist"
            )),
        }
    }

    async fn delete_bucket_policy(
        &self,
        req: S3Request<DeleteBucketPolicyInput>,
    ) -> S3Result<S3Response<DeleteBucketPolicyOutput>> {
        self.require_bucket(&req.input.bucket).await?;
        self.settings.update(&req.input.bucket, |s| s.policy = None);
        Ok(S3Response::new(DeleteBucketPolicyOutput {}))
    }
}
