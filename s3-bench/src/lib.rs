//! `s3-bench`: the Rust S3 reader against the physical lower bound and against idiomatic
//! Python (asyncio + aioboto3) and Node.js (AWS SDK v3) readers, on the project's S3 server with
//! a per-request latency, under Lambda-like CPU quotas (cgroup v1 or v2).
//!
//! - [`plan`]: settings and cases; [`cli`]: the command line.
//! - [`server`], [`proxy`], [`listing`]: the S3 server (own core), the connection-counting proxy,
//!   the list time of the lower bound.
//! - [`peers`], [`readers`]: installing and running each reader.
//! - [`measure`], [`runner`]: the rusage wrapper (in a `system::cgroup` CPU quota), one measured
//!   run.
//! - [`lower_bound`], [`results`], [`table`], [`chart`]: figures, goals and outputs.
//! - [`bench`]: one whole run.

pub mod bench;
pub mod chart;
pub mod cli;
pub mod listing;
pub mod lower_bound;
pub mod machine;
pub mod measure;
pub mod peers;
pub mod plan;
pub mod proxy;
pub mod readers;
pub mod results;
pub mod runner;
pub mod server;
pub mod table;
