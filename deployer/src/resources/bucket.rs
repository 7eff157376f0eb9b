//! An S3 bucket with all public access blocked, default encryption (SSE-S3) and the stack's
//! tags. The tag `lambda-bench:stack` = the stack name is what makes a bucket the stack's:
//! `destroy` empties and deletes only buckets that carry it.

use std::collections::BTreeMap;

use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, Delete, ObjectIdentifier,
    PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule, Tag, Tagging,
};

use crate::aws::sdk_error::{classify, code_of, is_not_found, status_of};
use crate::aws::Clients;
use crate::diff::{Change, FieldChange};
use crate::error::{request_error, DeployError, Result};

/// The encryption every bucket of the stack gets by default.
pub(crate) const ENCRYPTION: &str = "AES256";
/// The tag that names the stack that created a bucket; `destroy` deletes only buckets with it.
pub(crate) const STACK_TAG: &str = "lambda-bench:stack";
/// The tag that says what a bucket is for: [`ROLE_DATA`] or [`ROLE_RESULTS`].
pub(crate) const ROLE_TAG: &str = "lambda-bench:role";
pub(crate) const ROLE_DATA: &str = "data";
pub(crate) const ROLE_RESULTS: &str = "results";
/// The error code of `GetBucketTagging` on a bucket without tags.
const NO_TAG_SET: &str = "NoSuchTagSet";
/// Keys `DeleteObjects` accepts in one request.
const DELETE_BATCH: usize = 1000;
/// Per-key errors of `DeleteObjects` named in an error message; the rest are counted.
const ERRORS_SHOWN: usize = 10;

/// What the stack wants of a bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BucketSpec {
    pub(crate) name: String,
    /// The stack name, the value of [`STACK_TAG`].
    pub(crate) stack: String,
    /// [`ROLE_DATA`] or [`ROLE_RESULTS`], the value of [`ROLE_TAG`].
    pub(crate) role: String,
}

impl BucketSpec {
    /// The tags deploy sets (other tags of the bucket are kept), stack first.
    pub(crate) fn tags(&self) -> Vec<(String, String)> {
        vec![
            (STACK_TAG.to_owned(), self.stack.clone()),
            (ROLE_TAG.to_owned(), self.role.clone()),
        ]
    }
}

/// What exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BucketState {
    pub(crate) public_access_blocked: bool,
    pub(crate) encryption: Option<String>,
    /// Every tag of the bucket (none: `GetBucketTagging` answered `NoSuchTagSet`).
    pub(crate) tags: BTreeMap<String, String>,
    /// The tags the stack wants ([`BucketSpec::tags`]), kept here by [`read`] for [`diff`].
    pub(crate) wanted_tags: Vec<(String, String)>,
}

/// Reads the bucket; `None` when it does not exist. A bucket of another account is an error,
/// and so is one tagged by another stack ([`DeployError::ForeignBucket`]: deploy does not take
/// it over). An own bucket without the stack's tags (one created before deploy tagged its
/// buckets) is read as it is: [`diff`] then shows the missing tags and deploy adds them.
/// Ownership is decided by `ListBuckets` (the caller's own buckets): `HeadBucket` alone cannot
/// tell, as it answers 200 for a bucket of another account that allows it (and moto always does).
pub(crate) async fn read(c: &Clients, spec: &BucketSpec) -> Result<Option<BucketState>> {
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
    let Some(tags) = read_tags(c, &spec.name).await? else {
        return Ok(None); // deleted meanwhile
    };
    if let Some(owner) = tags.get(STACK_TAG).filter(|owner| **owner != spec.stack) {
        return Err(DeployError::ForeignBucket {
            command: "deploy",
            bucket: spec.name.clone(),
            stack: spec.stack.clone(),
            reason: format!("its tag {STACK_TAG} is {owner}: the stack {owner} created it"),
            fix: "Nothing was changed. Give this stack its own buckets: leave `data_bucket`/`results_bucket` unset in bench.toml (or set names no other stack uses), or deploy with the other stack's `stack_name`".to_owned(),
        });
    }
    Ok(Some(BucketState {
        public_access_blocked,
        encryption,
        tags,
        wanted_tags: spec.tags(),
    }))
}

/// Every tag of the bucket: empty when it has no tag set (`NoSuchTagSet`, or an empty set),
/// `None` when the bucket does not exist.
async fn read_tags(c: &Clients, bucket: &str) -> Result<Option<BTreeMap<String, String>>> {
    match c.s3.get_bucket_tagging().bucket(bucket).send().await {
        Ok(out) => Ok(Some(
            out.tag_set()
                .iter()
                .map(|t| (t.key().to_owned(), t.value().to_owned()))
                .collect(),
        )),
        Err(e) if code_of(&e) == Some(NO_TAG_SET) => Ok(Some(BTreeMap::new())),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(classify("s3:GetBucketTagging", e)),
    }
}

/// Sets `tags` as the bucket's whole tag set (`PutBucketTagging` replaces every tag).
async fn write_tags(c: &Clients, bucket: &str, tags: &BTreeMap<String, String>) -> Result<()> {
    let tag_set = tags
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| request_error("s3:PutBucketTagging", e))?;
    let tagging = Tagging::builder()
        .set_tag_set(Some(tag_set))
        .build()
        .map_err(|e| request_error("s3:PutBucketTagging", e))?;
    c.s3.put_bucket_tagging()
        .bucket(bucket)
        .tagging(tagging)
        .send()
        .await
        .map_err(|e| classify("s3:PutBucketTagging", e))?;
    Ok(())
}

/// `k=v, k=v`, or `none`.
fn render_tags<'a>(tags: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
    let parts: Vec<String> = tags.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(", ")
    }
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
pub(crate) fn diff(current: Option<&BucketState>) -> Change {
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
    let tags_missing = current
        .wanted_tags
        .iter()
        .any(|(k, v)| current.tags.get(k) != Some(v));
    if tags_missing {
        let old = render_tags(
            current
                .wanted_tags
                .iter()
                .filter_map(|(k, _)| current.tags.get_key_value(k)),
        );
        let new = render_tags(current.wanted_tags.iter().map(|(k, v)| (k, v)));
        fields.push(FieldChange::new("tags", old, new));
    }
    Change::from_fields(fields)
}

/// Creates the bucket and sets what `change` names. Tags go first after a create, so a deploy
/// that stops right after leaves a bucket that destroy recognises as the stack's.
pub(crate) async fn apply(c: &Clients, spec: &BucketSpec, change: &Change) -> Result<()> {
    if matches!(change, Change::Create) {
        create(c, spec).await?;
    }
    if change.touches("tags") {
        // PutBucketTagging replaces the whole set: keep the tags others put on the bucket.
        let mut tags = read_tags(c, &spec.name).await?.unwrap_or_default();
        tags.extend(spec.tags());
        write_tags(c, &spec.name, &tags).await?;
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

/// Whether `destroy` may delete a bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ownership {
    /// No bucket of this name in the caller's account (none at all, or another account's).
    Missing,
    /// Tagged [`STACK_TAG`] = the stack name: the stack created it.
    Ours,
    /// The caller's bucket, but not tagged as this stack's; why, in words.
    Foreign(String),
}

/// Decides [`Ownership`] from the caller's buckets and the bucket's tags.
pub(crate) async fn ownership(c: &Clients, name: &str, stack: &str) -> Result<Ownership> {
    if !is_own_bucket(c, name).await? {
        return Ok(Ownership::Missing);
    }
    Ok(match read_tags(c, name).await? {
        None => Ownership::Missing,
        Some(tags) => ownership_of(&tags, stack),
    })
}

/// [`Ownership`] by the tags of an existing own bucket.
fn ownership_of(tags: &BTreeMap<String, String>, stack: &str) -> Ownership {
    match tags.get(STACK_TAG) {
        Some(owner) if owner == stack => Ownership::Ours,
        Some(owner) => Ownership::Foreign(format!(
            "its tag {STACK_TAG} is {owner}: the stack {owner} created it"
        )),
        None if tags.is_empty() => Ownership::Foreign(format!(
            "it has no tags, and deploy tags every bucket it creates with {STACK_TAG}={stack}"
        )),
        None => Ownership::Foreign(format!(
            "its tags ({}) have no {STACK_TAG}, and deploy tags every bucket it creates with {STACK_TAG}={stack}",
            render_tags(tags)
        )),
    }
}

/// The error of `destroy` for a bucket that is not the stack's.
fn refuse_destroy(name: &str, stack: &str, reason: String) -> DeployError {
    DeployError::ForeignBucket {
        command: "destroy",
        bucket: name.to_owned(),
        stack: stack.to_owned(),
        reason,
        fix: format!(
            "Nothing was deleted: no object, bucket, function, role, state machine or schedule. If it is this stack's bucket from before deploy tagged its buckets, run `cargo run --bin deploy` once (it adds the tags), or tag it yourself with `aws s3api put-bucket-tagging --bucket {name} --tagging 'TagSet=[{{Key={STACK_TAG},Value={stack}}}]'` (that replaces its other tags), then destroy again. If it is not, it is not this stack's to delete: set `data_bucket`/`results_bucket` in bench.toml to this stack's buckets, or delete it yourself"
        ),
    }
}

/// Checks that destroy may delete the bucket: `Ok(true)` when it exists and is the stack's,
/// `Ok(false)` when there is none, [`DeployError::ForeignBucket`] when it exists but lacks the
/// stack's tag. Makes read calls only, so destroy can check every bucket before it deletes
/// anything.
pub(crate) async fn check_destroy(c: &Clients, name: &str, stack: &str) -> Result<bool> {
    match ownership(c, name, stack).await? {
        Ownership::Missing => Ok(false),
        Ownership::Ours => Ok(true),
        Ownership::Foreign(reason) => Err(refuse_destroy(name, stack, reason)),
    }
}

/// Deletes every object version and delete marker of the bucket, then the bucket, when it is
/// the stack's (tagged [`STACK_TAG`] = `stack`). A missing bucket is fine; a bucket of the same
/// name in another account is left alone; an own bucket without the stack's tag is refused
/// ([`DeployError::ForeignBucket`]) and nothing of it is deleted.
pub(crate) async fn destroy(c: &Clients, name: &str, stack: &str) -> Result<bool> {
    if !check_destroy(c, name, stack).await? {
        return Ok(false);
    }
    empty(c, name).await?;
    match c.s3.delete_bucket().bucket(name).send().await {
        Ok(_) => Ok(true),
        Err(e) if is_not_found(&e) => Ok(false),
        Err(e) => Err(classify("s3:DeleteBucket", e)),
    }
}

/// Deletes every version and delete marker (`ListObjectVersions` + `DeleteObjects` with
/// version ids), so a bucket someone turned versioning on for is emptied too; an unversioned
/// bucket lists each object once, as version `null`.
async fn empty(c: &Clients, bucket: &str) -> Result<()> {
    let mut key_marker: Option<String> = None;
    let mut version_marker: Option<String> = None;
    loop {
        let page =
            c.s3.list_object_versions()
                .bucket(bucket)
                .set_key_marker(key_marker.clone())
                .set_version_id_marker(version_marker.clone())
                .send()
                .await
                .map_err(|e| classify("s3:ListBucketVersions", e))?;
        let versions = page
            .versions()
            .iter()
            .map(|v| (v.key(), v.version_id()))
            .chain(
                page.delete_markers()
                    .iter()
                    .map(|m| (m.key(), m.version_id())),
            );
        let ids = versions
            .filter_map(|(key, version)| key.map(|k| (k, version)))
            .map(|(key, version)| {
                ObjectIdentifier::builder()
                    .key(key)
                    .set_version_id(version.map(str::to_owned))
                    .build()
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| request_error("s3:DeleteObjects", e))?;
        for batch in ids.chunks(DELETE_BATCH) {
            delete_objects(c, bucket, batch.to_vec(), "emptying the bucket").await?;
        }
        let next = (
            page.next_key_marker().map(str::to_owned),
            page.next_version_id_marker().map(str::to_owned),
        );
        let advanced = next.0.is_some() && (&next.0, &next.1) != (&key_marker, &version_marker);
        if page.is_truncated() != Some(true) || !advanced {
            return Ok(());
        }
        (key_marker, version_marker) = next;
    }
}

/// One `DeleteObjects` request (at most 1000 keys). Its per-key `Errors` (it answers 200 even
/// when it deleted nothing) become [`DeployError::ObjectsNotDeleted`], naming keys and codes.
pub(crate) async fn delete_objects(
    c: &Clients,
    bucket: &str,
    ids: Vec<ObjectIdentifier>,
    during: &'static str,
) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let requested = ids.len();
    let versioned = ids.iter().any(|id| id.version_id().is_some());
    let action = if versioned {
        "s3:DeleteObjectVersion"
    } else {
        "s3:DeleteObject"
    };
    let delete = Delete::builder()
        .set_objects(Some(ids))
        .quiet(true) // only the errors come back
        .build()
        .map_err(|e| request_error("s3:DeleteObjects", e))?;
    let out =
        c.s3.delete_objects()
            .bucket(bucket)
            .delete(delete)
            .send()
            .await
            .map_err(|e| classify(action, e))?;
    let errors: Vec<String> = out
        .errors()
        .iter()
        .map(|e| {
            let version = e
                .version_id()
                .map(|v| format!(" (version {v})"))
                .unwrap_or_default();
            format!(
                "{}{version}: {}: {}",
                e.key().unwrap_or("?"),
                e.code().unwrap_or("no code"),
                e.message().unwrap_or("no message")
            )
        })
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    let mut details = errors
        .iter()
        .take(ERRORS_SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if errors.len() > ERRORS_SHOWN {
        details.push_str(&format!("; and {} more", errors.len() - ERRORS_SHOWN));
    }
    Err(DeployError::ObjectsNotDeleted {
        bucket: bucket.to_owned(),
        during,
        failed: errors.len(),
        requested,
        details,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> BucketSpec {
        BucketSpec {
            name: "b".into(),
            stack: "bench".into(),
            role: ROLE_DATA.into(),
        }
    }

    fn good() -> BucketState {
        let spec = spec();
        BucketState {
            public_access_blocked: true,
            encryption: Some("AES256".into()),
            tags: spec.tags().into_iter().collect(),
            wanted_tags: spec.tags(),
        }
    }

    #[test]
    fn diff_names_only_what_is_missing() {
        assert_eq!(diff(None), Change::Create);
        assert_eq!(diff(Some(&good())), Change::NoChange);
        let open = BucketState {
            public_access_blocked: false,
            ..good()
        };
        let change = diff(Some(&open));
        assert!(change.touches("publicAccessBlock") && !change.touches("encryption"));
        assert!(!change.touches("tags"));
    }

    #[test]
    fn missing_tags_are_a_change_and_other_tags_are_kept_out_of_it() {
        let untagged = BucketState {
            tags: BTreeMap::new(),
            ..good()
        };
        assert_eq!(
            diff(Some(&untagged)),
            Change::Update(vec![FieldChange::new(
                "tags",
                "none",
                "lambda-bench:stack=bench, lambda-bench:role=data"
            )])
        );
        let mut half = good();
        half.tags.remove(ROLE_TAG);
        half.tags.insert("team".into(), "perf".into());
        assert_eq!(
            diff(Some(&half)),
            Change::Update(vec![FieldChange::new(
                "tags",
                "lambda-bench:stack=bench",
                "lambda-bench:stack=bench, lambda-bench:role=data"
            )])
        );
        let mut extra = good();
        extra.tags.insert("team".into(), "perf".into());
        assert_eq!(diff(Some(&extra)), Change::NoChange);
    }

    #[test]
    fn only_the_stack_tag_makes_a_bucket_the_stacks() {
        let tags = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        assert_eq!(
            ownership_of(&tags(&[(STACK_TAG, "bench")]), "bench"),
            Ownership::Ours
        );
        let Ownership::Foreign(none) = ownership_of(&tags(&[]), "bench") else {
            panic!("an untagged bucket is foreign");
        };
        assert!(none.contains("no tags"), "{none}");
        let Ownership::Foreign(other) = ownership_of(&tags(&[(STACK_TAG, "other")]), "bench")
        else {
            panic!("another stack's bucket is foreign");
        };
        assert!(other.contains("the stack other created it"), "{other}");
        let Ownership::Foreign(no_stack) =
            ownership_of(&tags(&[(ROLE_TAG, "data"), ("team", "x")]), "bench")
        else {
            panic!("a role tag alone does not make it ours");
        };
        assert!(no_stack.contains("team=x"), "{no_stack}");
    }

    #[test]
    fn the_refusal_names_the_bucket_the_reason_and_the_fix() {
        let err = refuse_destroy("b-data", "bench", "it has no tags".into());
        assert_eq!(err.name(), "ForeignBucket");
        let text = err.to_string();
        for part in [
            "destroy refused",
            "b-data",
            "it has no tags",
            "Nothing was deleted",
            "put-bucket-tagging --bucket b-data",
            "Key=lambda-bench:stack,Value=bench",
        ] {
            assert!(text.contains(part), "{part:?} missing in {text}");
        }
    }
}
