//! The collector: turns the run records of one benchmark execution into results, cost, charts
//! and a report, in S3 (the Lambda) or in a local folder (the `collect` CLI).
//!
//! The Lambda takes [`bench_types::CollectorRequest`]: `record` stores one record as soon as the
//! state machine has it, `report` aggregates an execution and writes `runs.json` (first, raw),
//! `summary.json`, `runs.csv`, `summary.csv`, the SVG charts, `report.html`, then updates
//! `index.json`. See README.md for the outputs and their columns.

// unwrap() is fine in tests (the project's standard); the lint guards the shipped code.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod charts;
pub mod config;
pub mod costs;
pub mod csv_out;
pub mod error;
pub mod handler;
pub mod index;
pub mod lambda_log;
pub mod pipeline;
pub mod pricing;
pub mod recommend;
pub mod records;
pub mod report;
pub mod scoring;
pub mod store;
pub mod summary;

pub use error::CollectorError;
pub use handler::{handle, s3_client_from_env, CollectorResponse};
pub use pipeline::{store_record, write_report};
pub use store::{DirStore, S3Store, Store};
