//! The benchmark binary's measure wrapper.
//!
//! The crate's one integration-test binary: each file is a module, run one with
//! `cargo test -p s3-bench --test it FILE::`.

mod measure_wrapper;
