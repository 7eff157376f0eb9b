//! The reading itself: list every page of the prefix and read every object, one Tokio task per
//! object behind a semaphore (concurrent mode) or one after the other (sequential mode).
//!
//! Concurrent mode: the permit is acquired before the task is spawned, so at most `concurrency`
//! tasks exist (with `auto`, the adaptive limit of [`crate::limiter`]) and the JoinSet never
//! holds an unbounded backlog. The next LIST page is requested
//! right after the first GET of the current page has been started, so listing overlaps reading
//! without running ahead of it.

use std::sync::Arc;
use std::time::Instant;

use aws_sdk_s3::Client;
use bench_types::{AutoConcurrency, Concurrency, ReadMode};
use bytes::Bytes;
use tokio::task::{JoinHandle, JoinSet};

use crate::client::InvocationClients;
use crate::direct::DirectClient;
use crate::error::ReaderError;
use crate::limiter::Limiter;
use crate::request::ReadRequest;
use crate::retry::{classify, Failure, RetryPolicy};

/// What one run measured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadOutcome {
    /// Keys the listing returned, over every page.
    pub listed: u64,
    /// Objects read to the end.
    pub objects: u64,
    /// Bytes of the objects read.
    pub bytes: u64,
    /// Objects that still failed after retries.
    pub errors: u64,
    /// The first few failed keys with their last error, for the log.
    pub failed: Vec<(String, String)>,
    /// With `find`: the key of the object that holds the string.
    pub found_key: Option<String>,
    /// Time to the first LIST page (concurrent) or in all LIST calls (sequential), ms.
    pub list_ms: f64,
    /// The rest of the run, ms.
    pub read_ms: f64,
    /// The whole run, ms.
    pub total_ms: f64,
    /// Per-object GET latency (first attempt to last body byte, retries included), ms.
    pub latencies_ms: Vec<f64>,
    /// Retried attempts, GET and LIST.
    pub retries: u64,
    /// LIST requests sent, retries included.
    pub list_requests: u64,
    /// GET requests sent, retries included.
    pub get_requests: u64,
    /// With `concurrency: "auto"`: what the adaptive limit did.
    pub auto_concurrency: Option<AutoConcurrency>,
}

/// At most this many failed keys are kept for the log.
const FAILED_KEYS_KEPT: usize = 10;

/// One LIST page.
struct Page {
    keys: Vec<String>,
    next_token: Option<String>,
    attempts: u64,
}

/// One object's read.
struct ObjectRead {
    key: String,
    bytes: u64,
    latency_ms: f64,
    attempts: u64,
    found: bool,
    error: Option<String>,
}

/// Reads every object under the request's prefix.
pub async fn read_objects(
    clients: &InvocationClients,
    request: &ReadRequest,
    retry: &RetryPolicy,
) -> Result<ReadOutcome, ReaderError> {
    match request.mode {
        ReadMode::Concurrent => read_concurrent(clients, request, retry).await,
        ReadMode::Sequential => read_sequential(clients, request, retry).await,
    }
}

async fn read_concurrent(
    clients: &InvocationClients,
    request: &ReadRequest,
    retry: &RetryPolicy,
) -> Result<ReadOutcome, ReaderError> {
    let started = Instant::now();
    let mut outcome = ReadOutcome::default();
    let limiter = match request.concurrency {
        Concurrency::Fixed(n) => Limiter::fixed(n),
        Concurrency::Auto => Limiter::adaptive(),
    };
    let _cpu_lag_probe = limiter.start_cpu_lag_probe();
    let finder = request
        .find
        .as_deref()
        .map(|f| Arc::new(memchr::memmem::Finder::new(f.as_bytes()).into_owned()));
    let mut tasks: JoinSet<ObjectRead> = JoinSet::new();
    let mut next_page: Option<JoinHandle<Result<Page, ReaderError>>> =
        Some(spawn_list(&clients.sdk, request, None, retry));
    let mut first_page = true;

    while let Some(handle) = next_page.take() {
        let page = join_list(handle, request).await?;
        if first_page {
            outcome.list_ms = ms_since(started);
            first_page = false;
        }
        outcome.list_requests += page.attempts;
        outcome.retries += page.attempts.saturating_sub(1);
        outcome.listed += page.keys.len() as u64;
        let mut next_token = page.next_token;
        for key in page.keys {
            // Acquire before spawning: at most `concurrency` tasks exist at any time.
            let mut permit = limiter.acquire().await;
            let task_clients = clients.clone();
            let bucket = request.bucket.clone();
            let finder = finder.clone();
            let task_retry = retry.clone();
            // The SDK's request future is several KB; boxed, the task moves a pointer
            // rather than copying that state on every spawn and poll hand-off.
            tasks.spawn(Box::pin(async move {
                let read =
                    read_object(&task_clients, &bucket, key, finder.as_deref(), &task_retry).await;
                if read.error.is_none() {
                    permit.observe(read.latency_ms);
                }
                // Let the connection's task put it back in the pool before the next GET
                // starts, so that at most `concurrency` connections are ever opened.
                tokio::task::yield_now().await;
                drop(permit);
                read
            }));
            if let Some(token) = next_token.take() {
                // The first GET of this page is under way: now fetch the next page.
                next_page = Some(spawn_list(&clients.sdk, request, Some(token), retry));
            }
            while let Some(done) = tasks.try_join_next() {
                record(&mut outcome, done);
            }
        }
        if let Some(token) = next_token {
            // An empty page that still says "more": keep listing.
            next_page = Some(spawn_list(&clients.sdk, request, Some(token), retry));
        }
    }
    while let Some(done) = tasks.join_next().await {
        record(&mut outcome, done);
    }
    outcome.total_ms = ms_since(started);
    outcome.read_ms = outcome.total_ms - outcome.list_ms;
    outcome.auto_concurrency = limiter.report();
    Ok(outcome)
}

async fn read_sequential(
    clients: &InvocationClients,
    request: &ReadRequest,
    retry: &RetryPolicy,
) -> Result<ReadOutcome, ReaderError> {
    let started = Instant::now();
    let mut outcome = ReadOutcome::default();
    let finder = request
        .find
        .as_deref()
        .map(|f| memchr::memmem::Finder::new(f.as_bytes()).into_owned());
    let mut token = None;
    let mut list_ms = 0.0;
    loop {
        let list_started = Instant::now();
        let page = list_page(&clients.sdk, request, token, retry).await?;
        list_ms += ms_since(list_started);
        outcome.list_requests += page.attempts;
        outcome.retries += page.attempts.saturating_sub(1);
        outcome.listed += page.keys.len() as u64;
        for key in page.keys {
            let read = read_object(clients, &request.bucket, key, finder.as_ref(), retry).await;
            // As in concurrent mode: give hyper a chance to put the connection back in the pool
            // before the next GET (on a multi-threaded runtime this is not guaranteed: the
            // debug-built CLI still opened 34 connections for 200 sequential GETs).
            tokio::task::yield_now().await;
            record(&mut outcome, Ok(read));
        }
        match page.next_token {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    outcome.list_ms = list_ms;
    outcome.total_ms = ms_since(started);
    outcome.read_ms = outcome.total_ms - list_ms;
    Ok(outcome)
}

fn record(outcome: &mut ReadOutcome, done: Result<ObjectRead, tokio::task::JoinError>) {
    let read = match done {
        Ok(read) => read,
        Err(join_err) => {
            // A task that panicked or was cancelled counts as a failed object.
            outcome.errors += 1;
            if outcome.failed.len() < FAILED_KEYS_KEPT {
                outcome.failed.push(("?".to_owned(), join_err.to_string()));
            }
            return;
        }
    };
    outcome.get_requests += read.attempts;
    outcome.retries += read.attempts.saturating_sub(1);
    outcome.latencies_ms.push(read.latency_ms);
    match read.error {
        Some(error) => {
            outcome.errors += 1;
            if outcome.failed.len() < FAILED_KEYS_KEPT {
                outcome.failed.push((read.key, error));
            }
        }
        None => {
            outcome.objects += 1;
            outcome.bytes += read.bytes;
            if read.found && outcome.found_key.as_ref().is_none_or(|k| read.key < *k) {
                // Deterministic when several objects match: the smallest key wins.
                outcome.found_key = Some(read.key);
            }
        }
    }
}

fn spawn_list(
    client: &Client,
    request: &ReadRequest,
    token: Option<String>,
    retry: &RetryPolicy,
) -> JoinHandle<Result<Page, ReaderError>> {
    let client = client.clone();
    let request = request.clone();
    let retry = retry.clone();
    tokio::spawn(async move { list_page(&client, &request, token, &retry).await })
}

async fn join_list(
    handle: JoinHandle<Result<Page, ReaderError>>,
    request: &ReadRequest,
) -> Result<Page, ReaderError> {
    handle.await.map_err(|e| ReaderError::ListFailed {
        bucket: request.bucket.clone(),
        prefix: request.prefix.clone(),
        message: format!("listing task failed: {e}"),
    })?
}

/// One LIST page, retried.
async fn list_page(
    client: &Client,
    request: &ReadRequest,
    token: Option<String>,
    retry: &RetryPolicy,
) -> Result<Page, ReaderError> {
    let mut attempts = 0u64;
    loop {
        attempts += 1;
        let result = client
            .list_objects_v2()
            .bucket(&request.bucket)
            .prefix(&request.prefix)
            .set_continuation_token(token.clone())
            .send()
            .await;
        let failure = match result {
            Ok(out) => {
                let keys = out
                    .contents
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|o| o.key)
                    .collect();
                let next_token = if out.is_truncated == Some(true) {
                    out.next_continuation_token
                } else {
                    None
                };
                return Ok(Page {
                    keys,
                    next_token,
                    attempts,
                });
            }
            Err(err) => classify(&err),
        };
        let give_up = matches!(failure, Failure::Permanent(_))
            || attempts >= u64::from(retry.max_attempts.max(1));
        if give_up {
            return Err(ReaderError::ListFailed {
                bucket: request.bucket.clone(),
                prefix: request.prefix.clone(),
                message: format!("after {attempts} attempt(s): {}", failure.message()),
            });
        }
        tokio::time::sleep(retry.backoff(attempts_as_retry(attempts))).await;
    }
}

fn attempts_as_retry(attempts: u64) -> u32 {
    u32::try_from(attempts.saturating_sub(1)).unwrap_or(u32::MAX)
}

/// One object: GET and read the body to its end, retried as a whole.
async fn read_object(
    clients: &InvocationClients,
    bucket: &str,
    key: String,
    finder: Option<&memchr::memmem::Finder<'static>>,
    retry: &RetryPolicy,
) -> ObjectRead {
    let started = Instant::now();
    let mut attempts = 0u64;
    loop {
        attempts += 1;
        let failure = match get_once(clients, bucket, &key, finder).await {
            Ok((bytes, found)) => {
                return ObjectRead {
                    key,
                    bytes,
                    latency_ms: ms_since(started),
                    attempts,
                    found,
                    error: None,
                }
            }
            Err(failure) => failure,
        };
        if matches!(failure, Failure::Permanent(_))
            || attempts >= u64::from(retry.max_attempts.max(1))
        {
            tracing::warn!(%key, attempts, error = failure.message(), "GET failed");
            return ObjectRead {
                key,
                bytes: 0,
                latency_ms: ms_since(started),
                attempts,
                found: false,
                error: Some(failure.message().to_owned()),
            };
        }
        tokio::time::sleep(retry.backoff(attempts_as_retry(attempts))).await;
    }
}

/// One attempt: the body's byte count, and whether it holds the string searched for.
async fn get_once(
    clients: &InvocationClients,
    bucket: &str,
    key: &str,
    finder: Option<&memchr::memmem::Finder<'static>>,
) -> Result<(u64, bool), Failure> {
    match &clients.direct {
        Some(direct) => get_direct(direct, key, finder).await,
        None => get_sdk(&clients.sdk, bucket, key, finder).await,
    }
}

async fn get_direct(
    direct: &DirectClient,
    key: &str,
    finder: Option<&memchr::memmem::Finder<'static>>,
) -> Result<(u64, bool), Failure> {
    match finder {
        None => Ok((direct.get(key, |_: &Bytes| {}).await?, false)),
        Some(finder) => {
            // Search the whole body at once: objects are small, and a match may span chunks.
            let mut buf = Vec::new();
            let bytes = direct
                .get(key, |chunk: &Bytes| buf.extend_from_slice(chunk))
                .await?;
            Ok((bytes, finder.find(&buf).is_some()))
        }
    }
}

async fn get_sdk(
    client: &Client,
    bucket: &str,
    key: &str,
    finder: Option<&memchr::memmem::Finder<'static>>,
) -> Result<(u64, bool), Failure> {
    let resp = client
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(|e| classify(&e))?;
    let expected = resp.content_length.and_then(|n| u64::try_from(n).ok());
    let mut body = resp.body;
    let broken = |e: aws_sdk_s3::primitives::ByteStreamError| {
        Failure::Retryable(format!("body of {key} broke off: {e}"))
    };
    let (bytes, found) = match finder {
        None => {
            let mut bytes = 0u64;
            while let Some(chunk) = body.try_next().await.map_err(broken)? {
                bytes += chunk.len() as u64;
            }
            (bytes, false)
        }
        Some(finder) => {
            // Search the whole body at once: objects are small, and a match may span chunks.
            let capacity = expected.and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
            let mut buf = Vec::with_capacity(capacity);
            while let Some(chunk) = body.try_next().await.map_err(broken)? {
                buf.extend_from_slice(&chunk);
            }
            (buf.len() as u64, finder.find(&buf).is_some())
        }
    };
    if let Some(expected) = expected {
        if expected != bytes {
            return Err(Failure::Retryable(format!(
                "body of {key} has {bytes} bytes, Content-Length said {expected}"
            )));
        }
    }
    Ok((bytes, found))
}

fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}
