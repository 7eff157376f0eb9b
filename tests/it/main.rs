//! End-to-end tests of the whole pipeline on the local stack, and of the `deploy` binary.
//!
//! The crate's one integration-test binary: each file is a module, run one with
//! `cargo test -p lambda-bench --test it FILE::`.

mod support;

mod deploy_local_cli;
mod languages_e2e;
mod local_stack_e2e;
