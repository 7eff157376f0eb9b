//! The Lambda handler: event in, contract-2 result out.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use bench_types::stats::latency_percentiles;
use bench_types::{Concurrency, ReadMode, ReaderResult, ReaderStats};
use lambda_runtime::LambdaEvent;
use serde_json::Value;

use crate::client::{ClientFactory, InvocationClients};
use crate::error::ReaderError;
use crate::read::read_objects;
use crate::request::{GetClient, ReadRequest};
use crate::retry::RetryPolicy;

/// The reader: holds the client built at init and what is constant across invocations.
#[derive(Debug)]
pub struct Reader {
    factory: ClientFactory,
    init_client: aws_sdk_s3::Client,
    /// The clients kept for `reuse_connections`, per (bucket, GET path, concurrency).
    reused: tokio::sync::Mutex<Option<(ReuseKey, InvocationClients)>>,
    retry: RetryPolicy,
    memory_override: Option<u32>,
    first_invocation: AtomicBool,
}

impl Reader {
    /// Builds the init-time client (used when an event sets `reuse_connections`).
    pub fn new(factory: ClientFactory) -> Self {
        Self {
            init_client: factory.new_client(),
            reused: tokio::sync::Mutex::new(None),
            factory,
            retry: RetryPolicy::default(),
            memory_override: None,
            first_invocation: AtomicBool::new(true),
        }
    }

    /// Retries GETs and LIST pages as `retry` says instead of [`RetryPolicy::default`].
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Reports this memory size instead of the one from the Lambda context (the CLI).
    pub fn with_memory_mb(mut self, memory_mb: u32) -> Self {
        self.memory_override = Some(memory_mb);
        self
    }

    /// The Lambda entry: parses the event, reads, answers.
    pub async fn handle(&self, event: LambdaEvent<Value>) -> Result<ReaderResult, ReaderError> {
        let request = ReadRequest::from_json(event.payload)?;
        let memory_mb = self
            .memory_override
            .or_else(|| {
                u32::try_from(event.context.env_config.memory)
                    .ok()
                    .filter(|m| *m > 0)
            })
            .or_else(memory_from_env)
            .unwrap_or(0);
        self.run(&request, memory_mb).await
    }

    /// Reads as the request says and builds the result. The timed section starts after the
    /// client is built and ends when every body has been read.
    pub async fn run(
        &self,
        request: &ReadRequest,
        memory_mb: u32,
    ) -> Result<ReaderResult, ReaderError> {
        let cold_start = self.first_invocation.swap(false, Ordering::Relaxed);
        let clients = if request.reuse_connections {
            self.reused_clients(request).await?
        } else {
            self.factory.clients(request).await?
        };
        let timer = Instant::now();
        let mut outcome = read_objects(&clients, request, &self.retry).await?;
        let time = timer.elapsed().as_secs_f64();

        for (key, error) in &outcome.failed {
            tracing::error!(%key, %error, "object not read");
        }
        let result = match &request.find {
            Some(_) => outcome
                .found_key
                .clone()
                .unwrap_or_else(|| "None".to_owned()),
            None => outcome.objects.to_string(),
        };
        let gets = match request.client {
            GetClient::Direct => "signed GETs over hyper (aws-sigv4)",
            GetClient::Sdk => "aws-sdk-rust",
        };
        let detail = match request.mode {
            ReadMode::Concurrent => match request.concurrency {
                Concurrency::Fixed(n) => format!("{gets}, tokio, semaphore {n}"),
                Concurrency::Auto => format!("{gets}, tokio, adaptive limit (auto)"),
            },
            ReadMode::Sequential => format!("{gets}, tokio, sequential"),
        };
        let stats = ReaderStats {
            memory_mb,
            vcpus: vcpus(),
            arch: std::env::consts::ARCH.to_owned(),
            mode: request.mode,
            concurrency: match (request.concurrency, &outcome.auto_concurrency) {
                (Concurrency::Fixed(n), _) => n,
                (Concurrency::Auto, Some(auto)) => auto.max,
                (Concurrency::Auto, None) => 0,
            },
            objects: outcome.objects,
            listed: Some(outcome.listed),
            bytes: outcome.bytes,
            list_ms: outcome.list_ms,
            read_ms: outcome.read_ms,
            total_ms: outcome.total_ms,
            latency_ms: latency_percentiles(&mut outcome.latencies_ms),
            retries: outcome.retries,
            errors: outcome.errors,
            cold_start,
            reused_connections: request.reuse_connections,
            client: request.client.as_str().to_owned(),
            list_requests: outcome.list_requests,
            get_requests: outcome.get_requests,
            auto_concurrency: outcome.auto_concurrency.clone(),
        };
        Ok(ReaderResult {
            lang: "rust".to_owned(),
            detail,
            result,
            time,
            stats: Some(stats),
        })
    }
}

type ReuseKey = (String, GetClient, Concurrency);

impl Reader {
    /// The clients built by the first invocation that asked to reuse connections (the SDK
    /// client is the one built at init); built again when the bucket, GET path or pool size
    /// differs.
    async fn reused_clients(
        &self,
        request: &ReadRequest,
    ) -> Result<InvocationClients, ReaderError> {
        let key = (request.bucket.clone(), request.client, request.concurrency);
        let mut reused = self.reused.lock().await;
        if let Some((kept, clients)) = reused.as_ref() {
            if *kept == key {
                return Ok(clients.clone());
            }
        }
        let mut clients = self.factory.clients(request).await?;
        clients.sdk = self.init_client.clone();
        *reused = Some((key, clients.clone()));
        Ok(clients)
    }
}

/// `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, which local runtimes set too.
fn memory_from_env() -> Option<u32> {
    std::env::var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        .ok()
        .and_then(|v| v.trim().parse().ok())
}

/// CPUs this process may use; std reads the cgroup (v1 and v2) CPU quota, as Lambda sets it.
fn vcpus() -> u32 {
    std::thread::available_parallelism()
        .map(|n| u32::try_from(n.get()).unwrap_or(u32::MAX))
        .unwrap_or(1)
}
