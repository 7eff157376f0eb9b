//! The collector on the acceptance data set: S3 report, the CLI and the report in a browser.
//!
//! The crate's one integration-test binary: each file is a module, run one with
//! `cargo test -p collector --test it FILE::`.

mod common;

mod browser;
mod cli;
mod s3_report;
