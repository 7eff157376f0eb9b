//! The deployer against golden policies, moto and local-s3, and the arm64 package.
//!
//! The crate's one integration-test binary: each file is a module, run one with
//! `cargo test -p deployer --test it FILE::`.

mod arm64_package;
mod moto_deploy;
mod moto_run;
mod plan_offline;
mod policies_golden;
mod reader_packages;
