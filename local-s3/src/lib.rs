//! A local S3-compatible server with injectable latency and faults, for tests, the local stack
//! and the benchmark harness.
//!
//! Built on `s3s` (the S3 protocol) and `s3s-fs` (objects stored as files). On top of them:
//! - per-request latency (fixed plus optional uniform jitter) and a random fault rate (500
//!   InternalError, 503 SlowDown, or a connection reset), applied at the HTTP layer to every request
//!   ([`faults`], [`http_layer`]);
//! - keys that always fail (a permanent fault), and in-memory bucket settings (public access block,
//!   encryption, tagging, versioning, policy) that a deploy/destroy calls ([`backend`]);
//! - any credentials are accepted: the signature is not checked (it is a local test server);
//! - populating a bucket with the seed-parity objects ([`populate`]).
//!
//! It listens on 127.0.0.1 only; [`LocalS3`] stops the server when dropped.

pub mod authorize;
pub mod backend;
pub mod bucket_settings;
pub mod config;
pub mod error;
pub mod faults;
pub mod http_layer;
pub mod object_cache;
pub mod populate;
pub mod precise_sleep;
pub mod server;

pub use authorize::{AccessRequest, Authorizer, KeyCredentials};
pub use bench_types::objects::ObjectSet;
pub use config::{FaultKind, ServerConfig, SigningKey};
pub use error::Error;
pub use populate::PopulateReport;
pub use server::LocalS3;
