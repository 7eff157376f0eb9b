//! The reader against local-s3: reading, signing, the CLI and the Runtime API.
//!
//! The crate's one integration-test binary: each file is a module, run one with
//! `cargo test -p s3-reader --test it FILE::`.

mod common;

mod cli;
mod reading;
mod runtime_api;
mod signing;
