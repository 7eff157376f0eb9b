//! An in-memory cache of small objects for plain GETs.
//!
//! `s3s-fs` answers a GET with about a dozen blocking file operations (open, stat, metadata and
//! checksum side files, the body in 4 KiB reads), each a hop to Tokio's blocking pool; that
//! capped the server at ~1,700 GETs/s on one core. The benchmark reads the same objects over and
//! over, so plain GETs (no range, no conditions, no response overrides) are served from memory
//! after the first read. Any write clears the whole cache, and a generation counter keeps a GET
//! that raced with a write from caching the old bytes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use bytes::{Bytes, BytesMut};
use futures::TryStreamExt;
use s3s::dto::*;

/// Objects larger than this are always read from disk.
const MAX_OBJECT_BYTES: u64 = 8 << 20;
/// The cache stops growing at this many bytes.
const MAX_TOTAL_BYTES: u64 = 512 << 20;

/// The response fields of a GET, without the body.
#[derive(Debug, Clone, Default)]
struct Head {
    cache_control: Option<CacheControl>,
    checksum_crc32: Option<ChecksumCRC32>,
    checksum_crc32c: Option<ChecksumCRC32C>,
    checksum_crc64nvme: Option<ChecksumCRC64NVME>,
    checksum_sha1: Option<ChecksumSHA1>,
    checksum_sha256: Option<ChecksumSHA256>,
    checksum_type: Option<ChecksumType>,
    content_disposition: Option<ContentDisposition>,
    content_encoding: Option<ContentEncoding>,
    content_language: Option<ContentLanguage>,
    content_length: Option<ContentLength>,
    content_type: Option<ContentType>,
    e_tag: Option<ETag>,
    expires: Option<Expires>,
    last_modified: Option<LastModified>,
    metadata: Option<Metadata>,
    website_redirect_location: Option<WebsiteRedirectLocation>,
}

#[derive(Debug)]
struct Cached {
    head: Head,
    body: Bytes,
}

/// The cache, shared by every request.
#[derive(Debug, Default)]
pub(crate) struct ObjectCache {
    entries: RwLock<HashMap<(String, String), Arc<Cached>>>,
    total_bytes: AtomicU64,
    generation: AtomicU64,
}

/// Whether a GET can be answered from the cache: the whole current object, as stored.
pub(crate) fn is_plain_get(input: &GetObjectInput) -> bool {
    input.range.is_none()
        && input.part_number.is_none()
        && input.version_id.is_none()
        && input.if_match.is_none()
        && input.if_none_match.is_none()
        && input.if_modified_since.is_none()
        && input.if_unmodified_since.is_none()
        && input.response_cache_control.is_none()
        && input.response_content_disposition.is_none()
        && input.response_content_encoding.is_none()
        && input.response_content_language.is_none()
        && input.response_content_type.is_none()
        && input.response_expires.is_none()
        && input.sse_customer_algorithm.is_none()
}

impl ObjectCache {
    /// The generation to pass to [`ObjectCache::fill`] after reading from disk.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Forgets everything (called around every write).
    pub(crate) fn clear(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        let mut entries = self
            .entries
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.clear();
        self.total_bytes.store(0, Ordering::Release);
    }

    /// A cached answer for `bucket/key`.
    pub(crate) fn get(&self, bucket: &str, key: &str) -> Option<GetObjectOutput> {
        let entries = self
            .entries
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let cached = entries.get(&(bucket.to_owned(), key.to_owned()))?;
        Some(output(&cached.head, cached.body.clone()))
    }

    /// Reads a disk answer to its end, caches it when small (and no write happened since
    /// `generation`), and returns an equivalent answer.
    pub(crate) async fn fill(
        &self,
        bucket: &str,
        key: &str,
        generation: u64,
        mut out: GetObjectOutput,
    ) -> s3s::S3Result<GetObjectOutput> {
        let size = out
            .content_length
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(u64::MAX);
        if size > MAX_OBJECT_BYTES
            || self.total_bytes.load(Ordering::Acquire) + size > MAX_TOTAL_BYTES
        {
            return Ok(out);
        }
        let Some(stream) = out.body.take() else {
            return Ok(out);
        };
        let mut buf = BytesMut::with_capacity(usize::try_from(size).unwrap_or(0));
        let mut stream = stream;
        while let Some(chunk) = stream
            .try_next()
            .await
            .map_err(|e| s3s::S3Error::with_source(s3s::S3ErrorCode::InternalError, e))?
        {
            buf.extend_from_slice(&chunk);
        }
        let body = buf.freeze();
        let head = head_of(&out);
        let mut entries = self
            .entries
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.generation() == generation {
            self.total_bytes
                .fetch_add(body.len() as u64, Ordering::AcqRel);
            entries.insert(
                (bucket.to_owned(), key.to_owned()),
                Arc::new(Cached {
                    head: head.clone(),
                    body: body.clone(),
                }),
            );
        }
        Ok(output(&head, body))
    }
}

fn head_of(out: &GetObjectOutput) -> Head {
    Head {
        cache_control: out.cache_control.clone(),
        checksum_crc32: out.checksum_crc32.clone(),
        checksum_crc32c: out.checksum_crc32c.clone(),
        checksum_crc64nvme: out.checksum_crc64nvme.clone(),
        checksum_sha1: out.checksum_sha1.clone(),
        checksum_sha256: out.checksum_sha256.clone(),
        checksum_type: out.checksum_type.clone(),
        content_disposition: out.content_disposition.clone(),
        content_encoding: out.content_encoding.clone(),
        content_language: out.content_language.clone(),
        content_length: out.content_length,
        content_type: out.content_type.clone(),
        e_tag: out.e_tag.clone(),
        expires: out.expires.clone(),
        last_modified: out.last_modified.clone(),
        metadata: out.metadata.clone(),
        website_redirect_location: out.website_redirect_location.clone(),
    }
}

fn output(head: &Head, body: Bytes) -> GetObjectOutput {
    let head = head.clone();
    GetObjectOutput {
        body: Some(StreamingBlob::from(s3s::Body::from(body))),
        cache_control: head.cache_control,
        checksum_crc32: head.checksum_crc32,
        checksum_crc32c: head.checksum_crc32c,
        checksum_crc64nvme: head.checksum_crc64nvme,
        checksum_sha1: head.checksum_sha1,
        checksum_sha256: head.checksum_sha256,
        checksum_type: head.checksum_type,
        content_disposition: head.content_disposition,
        content_encoding: head.content_encoding,
        content_language: head.content_language,
        content_length: head.content_length,
        content_type: head.content_type,
        e_tag: head.e_tag,
        expires: head.expires,
        last_modified: head.last_modified,
        metadata: head.metadata,
        website_redirect_location: head.website_redirect_location,
        ..Default::default()
    }
}
