//! The local S3 server: the library and the binary.
//!
//! The crate's one integration-test binary: each file is a module, run one with
//! `cargo test -p local-s3 --test it FILE::`.

mod binary;
mod server;
mod tls;
