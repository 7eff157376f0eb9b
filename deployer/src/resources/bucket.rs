//! An S3 bucket with all public access blocked and default encryption (SSE-S3).

use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, Delete, ObjectIdentifier,
    PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
};

use crate::aws::sdk_error::{classify, code_of, is_not_found, status_of};
use crate::aws::Clients;
use crate::diff::{Change, FieldChange};
use crate::error::{request_error, DeployError, Result};

/// The encryption every bucket of the stack gets by default.
pub const ENCRYPTION: &str = "AES256";

/// What the stack wants of a bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketSpec {
    pub name: String,
}

/// What exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketState {
    pub public_access_blocked: bool,
    pub encryption: Option<String>,
}

/// Reads the bucket; `None` when it does not exist. A bucket of another account is an error.
/// Ownership is decided by `ListBuckets` (the caller's own buckets): `HeadBucket` alone cannot
/// tell, as it answers 200 for a bucket of another account that allows it (and moto always does).
pub async fn read(c: &Clients, spec: &BucketSpec) -> Result<Option<BucketState>> {
    if !is_own_bucket(c, &spec.name).await? {
        return match c.s3.head_bucket().bucket(&spec.name).send().await {
            Err(e) if is_not_found(&e) => Ok(None),
            Ok(_) => Err(DeployError::BucketNameTaken {
                bucket: spec.name.clone(),
            }),
            Err(e) if status_of(&e) == Some(403) => Err(DeployError::BucketNameTaken {
                bucket: spec.name.clone(),
            }),
            Err(e) => Err(classify("s3:ListBucket", e)),
        };
    }
    let public_access_blocked = match c
        .s3
        .get_public_access_block()
        .bucket(&spec.name)
        .send()
        .await
    {
        Ok(out) => out.public_access_block_configuration().is_some_and(|p| {
            p.block_public_acls() == Some(true)
                && p.ignore_public_acls() == Some(true)
                && p.block_public_policy() == Some(true)
                && p.restrict_public_buckets() == Some(true)
        }),
        Err(e) if is_not_found(&e) => false,
        Err(e) => return Err(classify("s3:GetBucketPublicAccessBlock", e)),
    };
    let encryption = match c.s3.get_bucket_encryption().bucket(&spec.name).send().await {
        Ok(out) => out
            .server_side_encryption_configuration()
            .and_then(|conf| conf.rules().first())
            .and_then(|rule| rule.apply_server_side_encryption_by_default())
            .map(|d| d.sse_algorithm().as_str().to_owned()),
        Err(e) if is_not_found(&e) => None,
        Err(e) => return Err(classify("s3:GetEncryptionConfiguration", e)),
    };
    Ok(Some(BucketState {
        public_access_blocked,
        encryption,
    }))
}

/// True when `name` is one of the caller's buckets.
async fn is_own_bucket(c: &Clients, name: &str) -> Result<bool> {
    let mut pages = c.s3.list_buckets().prefix(name).into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify("s3:ListAllMyBuckets", e))?;
        if page.buckets().iter().any(|b| b.name() == Some(name)) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The change from `current` to the spec. Any default encryption (SSE-S3 or KMS) is accepted.
pub fn diff(current: Option<&BucketState>) -> Change {
    let Some(current) = current else {
        return Change::Create;
    };
    let mut fields = Vec::new();
    if !current.public_access_blocked {
        fields.push(FieldChange::new(
            "publicAccessBlock",
            "not all blocked",
            "all blocked",
        ));
    }
    if current.encryption.is_none() {
        fields.push(FieldChange::new("encryption", "none", ENCRYPTION));
    }
    Change::from_fields(fields)
}

/// Creates the bucket and sets what `change` names.
pub async fn apply(c: &Clients, spec: &BucketSpec, change: &Change) -> Result<()> {
    if matches!(change, Change::Create) {
        create(c, spec).await?;
    }
    if change.touches("publicAccessBlock") {
        c.s3.put_public_access_block()
            .bucket(&spec.name)
            .public_access_block_configuration(
                PublicAccessBlockConfiguration::builder()
                    .block_public_acls(true)
                    .ignore_public_acls(true)
                    .block_public_policy(true)
                    .restrict_public_buckets(true)
                    .build(),
            )
            .send()
            .await
            .map_err(|e| classify("s3:PutBucketPublicAccessBlock", e))?;
    }
    if change.touches("encryption") {
        let by_default = ServerSideEncryptionByDefault::builder()
            .sse_algorithm(ServerSideEncryption::Aes256)
            .build()
            .map_err(|e| request_error("s3:PutEncryptionConfiguration", e))?;
        let conf = ServerSideEncryptionConfiguration::builder()
            .rules(
                ServerSideEncryptionRule::builder()
                    .apply_server_side_encryption_by_default(by_default)
                    .build(),
            )
            .build()
            .map_err(|e| request_error("s3:PutEncryptionConfiguration", e))?;
        c.s3.put_bucket_encryption()
            .bucket(&spec.name)
            .server_side_encryption_configuration(conf)
            .send()
            .await
            .map_err(|e| classify("s3:PutEncryptionConfiguration", e))?;
    }
    Ok(())
}

async fn create(c: &Clients, spec: &BucketSpec) -> Result<()> {
    let mut request = c.s3.create_bucket().bucket(&spec.name);
    if c.region != "us-east-1" {
        request = request.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(c.region.as_str()))
                .build(),
        );
    }
    match request.send().await {
        Ok(_) => Ok(()),
        Err(e) if code_of(&e) == Some("BucketAlreadyOwnedByYou") => Ok(()),
        Err(e) if code_of(&e) == Some("BucketAlreadyExists") => Err(DeployError::BucketNameTaken {
            bucket: spec.name.clone(),
        }),
        Err(e) => Err(classify("s3:CreateBucket", e)),
    }
}

/// Deletes every object of the bucket, then the bucket. A missing bucket is fine.
/// A bucket of the same name in another account is left alone.
pub async fn destroy(c: &Clients, name: &str) -> Result<bool> {
    if !is_own_bucket(c, name).await? {
        return Ok(false);
    }
    empty(c, name).await?;
    match c.s3.delete_bucket().bucket(name).send().await {
        Ok(_) => Ok(true),
        Err(e) if is_not_found(&e) => Ok(false),
        Err(e) => Err(classify("s3:DeleteBucket", e)),
    }
}

/// Deletes every object (in batches of 1000, as DeleteObjects allows).
async fn empty(c: &Clients, bucket: &str) -> Result<()> {
    let mut pages =
        c.s3.list_objects_v2()
            .bucket(bucket)
            .into_paginator()
            .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify("s3:ListBucket", e))?;
        let ids: Vec<ObjectIdentifier> = page
            .contents()
            .iter()
            .filter_map(|o| o.key())
            .filter_map(|k| ObjectIdentifier::builder().key(k).build().ok())
            .collect();
        if ids.is_empty() {
            continue;
        }
        let delete = Delete::builder()
            .set_objects(Some(ids))
            .quiet(true)
            .build()
            .map_err(|e| request_error("s3:DeleteObjects", e))?;
        c.s3.delete_objects()
            .bucket(bucket)
            .delete(delete)
            .send()
            .await
            .map_err(|e| classify("s3:DeleteObject", e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_names_only_what_is_missing() {
        assert_eq!(diff(None), Change::Create);
        let good = BucketState {
            public_access_blocked: true,
            encryption: Some("AES256".into()),
        };
        assert_eq!(diff(Some(&good)), Change::NoChange);
        let open = BucketState {
            public_access_blocked: false,
            ..good
        };
        let change = diff(Some(&open));
        assert!(change.touches("publicAccessBlock") && !change.touches("encryption"));
    }
}
