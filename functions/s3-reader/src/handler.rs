//! The Lambda handler: event in, contract-2 result out.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use bench_types::{ReadMode, ReaderResult, ReaderStats};
use lambda_runtime::LambdaEvent;
use serde_json::Value;

use crate::client::ClientFactory;
use crate::error::ReaderError;
use crate::read::read_objects;
use crate::request::ReadRequest;
use crate::retry::RetryPolicy;
use crate::stats::percentiles;

/// The reader: holds the client built at init and what is constant across invocations.
#[derive(Debug)]
pub struct Reader {
    factory: ClientFactory,
    init_client: aws_sdk_s3::Client,
    retry: RetryPolicy,
    memory_override: Option<u32>,
    first_invocation: AtomicBool,
}

impl Reader {
    /// Builds the init-time client (used when an event sets `reuse_connections`).
    pub fn new(factory: ClientFactory) -> Self {
        Self {
            init_client: factory.new_client(),
            factory,
            retry: RetryPolicy::default(),
            memory_override: None,
            first_invocation: AtomicBool::new(true),
        }
    }

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
        let client = if request.reuse_connections {
            self.init_client.clone()
        } else {
            self.factory.new_client()
        };
        let timer = Instant::now();
        let mut outcome = read_objects(&client, request, &self.retry).await?;
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
        let detail = match request.mode {
            ReadMode::Concurrent => {
                format!("aws-sdk-rust, tokio, semaphore {}", request.concurrency)
            }
            ReadMode::Sequential => "aws-sdk-rust, tokio, sequential".to_owned(),
        };
        let stats = ReaderStats {
            memory_mb,
            vcpus: vcpus(),
            arch: std::env::consts::ARCH.to_owned(),
            mode: request.mode,
            concurrency: request.concurrency,
            objects: outcome.objects,
            bytes: outcome.bytes,
            list_ms: outcome.list_ms,
            read_ms: outcome.read_ms,
            total_ms: outcome.total_ms,
            latency_ms: percentiles(&mut outcome.latencies_ms),
            retries: outcome.retries,
            errors: outcome.errors,
            cold_start,
            reused_connections: request.reuse_connections,
            list_requests: outcome.list_requests,
            get_requests: outcome.get_requests,
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

/// `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, which local runtimes set too.
fn memory_from_env() -> Option<u32> {
    std::env::var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        .ok()
        .and_then(|v| v.trim().parse().ok())
}

/// CPUs this process may use; std reads the cgroup (v1 and v2) CPU quota, as Lambda sets it.
pub fn vcpus() -> u32 {
    std::thread::available_parallelism()
        .map(|n| u32::try_from(n.get()).unwrap_or(u32::MAX))
        .unwrap_or(1)
}
