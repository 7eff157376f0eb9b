//! The local stack: the runtime, moto (strict and bridged) and the local-lambda binary.
//!
//! The crate's one integration-test binary: each file is a module, run one with
//! `cargo test -p local-stack --test it FILE::`.

mod common;

mod bridge;
mod local_lambda_bin;
mod moto_server;
mod runtime;
mod strict;
