//! The plan, its rendering, the golden definitions, the validators and runs in moto.
//!
//! The crate's one integration-test binary: each file is a module, run one with
//! `cargo test -p bench-statemachine --test it FILE::`.

mod support;

mod asl_validator;
mod definition_validation;
mod golden;
mod moto_execution;
mod plan_validation;
mod policy;
mod sdk_operations;
mod transitions;
