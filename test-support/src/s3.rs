//! Reading what a test wrote to S3 (local-s3, moto or AWS).

use aws_sdk_s3::Client;

/// Every key under `prefix` in `bucket`, all pages, sorted.
pub async fn list_keys(s3: &Client, bucket: &str, prefix: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut pages = s3
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.unwrap_or_else(|e| panic!("list s3://{bucket}/{prefix}: {e:?}"));
        keys.extend(
            page.contents()
                .iter()
                .filter_map(|o| o.key().map(str::to_owned)),
        );
    }
    keys.sort();
    keys
}

/// An object's bytes.
pub async fn get_bytes(s3: &Client, bucket: &str, key: &str) -> Vec<u8> {
    let object = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("get s3://{bucket}/{key}: {e:?}"));
    object
        .body
        .collect()
        .await
        .unwrap_or_else(|e| panic!("body of s3://{bucket}/{key}: {e}"))
        .into_bytes()
        .to_vec()
}

/// An object's JSON.
pub async fn get_json(s3: &Client, bucket: &str, key: &str) -> serde_json::Value {
    let bytes = get_bytes(s3, bucket, key).await;
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("s3://{bucket}/{key} is not JSON: {e}"))
}

/// The bucket's default server-side encryption algorithm (`AES256`, `aws:kms`), if any.
pub async fn encryption_algorithm(s3: &Client, bucket: &str) -> Option<String> {
    s3.get_bucket_encryption()
        .bucket(bucket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetBucketEncryption {bucket}: {e:?}"))
        .server_side_encryption_configuration()
        .and_then(|c| c.rules().first())
        .and_then(|r| r.apply_server_side_encryption_by_default())
        .map(|d| d.sse_algorithm().as_str().to_owned())
}
