//! The S3 reader Lambda: lists a prefix and reads every object, concurrently behind a semaphore
//! or sequentially, and reports contract 2 (`bench_types::reader`).
//!
//! - [`request`]: the event, checked ([`ReadRequest`]).
//! - [`client`]: S3 clients from the standard AWS environment; a cold pool per invocation.
//! - [`direct`]: signed GETs over hyper, without the SDK's per-request pipeline.
//! - [`read`]: listing and reading ([`read_objects`]).
//! - [`retry`]: our retry loop's policy and error classes.
//! - [`handler`]: the Lambda handler ([`Reader`]).
//! - [`error`]: the stable error names the state machine sees.

// unwrap() is fine in tests (the project's standard); the lint guards the shipped code.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod client;
pub mod direct;
pub mod error;
pub mod handler;
pub mod read;
pub mod request;
pub mod retry;

pub use client::{ClientFactory, InvocationClients};
pub use error::{InvalidEvent, ReaderError};
pub use handler::Reader;
pub use read::{read_objects, ReadOutcome};
pub use request::{GetClient, ReadRequest};
pub use retry::RetryPolicy;
