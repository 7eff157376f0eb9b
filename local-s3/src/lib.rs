//! A local S3-compatible server for tests, the local stack and the benchmark harness: `s3s` and
//! `s3s-fs` (objects stored as files) plus a per-request latency, random faults (500, 503,
//! connection reset), keys that always fail, in-memory bucket settings for deploy/destroy, and
//! optional SigV4 and IAM checks (an [`Authorizer`]); without them any credentials are accepted.
//!
//! Entry points: [`LocalS3::start`] with a [`ServerConfig`], then [`LocalS3::populate`] to upload
//! an [`ObjectSet`]. It listens on 127.0.0.1 only and stops when dropped. With
//! [`ServerConfig::tls`] it speaks HTTPS as S3 does, with a CA generated per server that clients
//! trust through [`LocalS3::ca_path`].

mod authorize;
mod backend;
mod bucket_settings;
mod config;
mod connection_log;
mod error;
mod faults;
mod http_layer;
mod object_cache;
mod populate;
mod precise_sleep;
mod server;
mod tls;

pub use authorize::{AccessRequest, Authorizer, KeyCredentials};
pub use bench_types::objects::ObjectSet;
pub use config::{FaultKind, ServerConfig, SigningKey};
pub use connection_log::{monotonic_s, ServerCounts};
pub use error::Error;
pub use populate::PopulateReport;
pub use server::{client_for, client_trusting, https_client_trusting, LocalS3};
pub use tls::{HandshakeCounts, TlsIdentity, TlsKey, TlsSettings};
