//! The S3 reader Lambda: lists a prefix and reads every object, concurrently behind a semaphore
//! (or an adaptive limit) or sequentially, and reports contract 2 (`bench_types::reader`).
//!
//! - [`Reader`]: the Lambda handler (`handle`), and `run` for a checked [`ReadRequest`].
//! - [`ClientFactory`]: S3 clients from the standard AWS environment; a cold pool per invocation.
//! - [`read_objects`]: listing and reading, measured in a [`ReadOutcome`].
//! - [`direct`]: signed GETs over hyper, without the SDK's per-request pipeline.
//! - [`limiter`]: the bound on GETs in flight, fixed or adaptive (`concurrency: "auto"`).
//! - [`retry`]: our retry loop's policy and error classes.
//! - [`RuntimeKind`]: one thread up to one vCPU's worth of memory, workers above it.
//! - [`ReaderError`]: the stable error names the state machine sees.

// unwrap() is fine in tests (the project's standard); the lint guards the shipped code.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod client;
pub mod direct;
mod error;
mod handler;
pub mod limiter;
mod read;
mod request;
pub mod retry;
mod runtime;

pub use client::{ClientFactory, InvocationClients};
pub use error::{InvalidEvent, ReaderError};
pub use handler::Reader;
pub use read::{read_objects, ReadOutcome};
pub use request::{GetClient, ReadRequest};
pub use retry::RetryPolicy;
pub use runtime::RuntimeKind;
