//! The benchmark binary: its measure wrapper, and a quick run over HTTPS.
//!
//! The crate's one integration-test binary: each file is a module, run one with
//! `cargo test -p s3-bench --test it FILE::`.

mod measure_wrapper;
mod quick_tls;
