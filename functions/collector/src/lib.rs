//! The collector: turns the run records of one benchmark execution into results, cost, charts
//! and a report, in S3 (the Lambda) or in a local folder (the `collect` CLI).
//!
//! The Lambda takes [`bench_types::CollectorRequest`]: `record` stores one record as soon as the
//! state machine has it, `report` aggregates an execution and writes `runs.json` (first, raw),
//! `summary.json`, `runs.csv`, `summary.csv`, the SVG charts, `report.html`, then updates
//! `index.json`. See README.md for the outputs and their columns.
//!
//! Entry points: [`handle`] (the Lambda, with [`s3_client_from_env`]) and [`write_report`] over
//! any [`Store`], e.g. a [`DirStore`] (the `collect` CLI).

// unwrap() is fine in tests (the project's standard); the lint guards the shipped code.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod charts;
mod cold_starts;
mod comparison;
mod concurrency_map;
mod config;
mod costs;
mod csv_out;
mod error;
mod handler;
mod heatmap;
mod index;
mod lambda_log;
mod pipeline;
mod pricing;
mod recommend;
mod records;
mod report;
mod scoring;
mod store;
mod summary;

pub use config::ResultsPlace;
pub use csv_out::{RUNS_COLUMNS, SUMMARY_COLUMNS};
pub use error::CollectorError;
pub use handler::{handle, s3_client_from_env, CollectorResponse};
pub use pipeline::write_report;
pub use store::{DirStore, Store};
