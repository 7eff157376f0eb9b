//! `s3-bench`: the Rust S3 reader against the physical lower bound and against idiomatic
//! Python (asyncio + aioboto3) and Node.js (AWS SDK v3) readers, on the project's S3 server with
//! a per-request latency, over HTTPS by default (the readers trust the server's CA through
//! `SSL_CERT_FILE`, `AWS_CA_BUNDLE` and `NODE_EXTRA_CA_CERTS`), under Lambda-like CPU quotas
//! (cgroup v1 or v2).
//!
//! The library serves the `s3-bench` binary: [`cli`] parses the command line, [`plan::Plan`]
//! resolves it, [`peers::install_all`] installs the readers, [`bench::run`] runs everything and
//! writes the outputs, [`table`] prints them; [`measure`] is the wrapper around each reader.

pub mod bench;
pub mod cli;
pub mod measure;
pub mod peers;
pub mod plan;
pub mod results;
pub mod table;

mod chart;
mod listing;
mod lower_bound;
mod machine;
mod readers;
mod runner;
mod server;

pub use chart::ChartError;
pub use listing::ListError;
pub use machine::Machine;
pub use readers::{ReaderKind, ReaderPrograms};
pub use runner::RunSample;
pub use server::ServerError;
