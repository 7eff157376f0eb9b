//! What the integration tests of several crates share, so that each idea is written once:
//! golden files ([`golden`]), S3 listings and reads ([`s3`], feature `s3`), and the IAM roles,
//! functions and Step Functions executions the moto tests set up ([`iam`], [`lambda`],
//! [`sfn`], feature `moto`), and the collector's answer to a state machine's input check
//! ([`collector_answer`], feature `moto`).
//!
//! A dev-dependency only. Its helpers panic with a message instead of returning errors: a
//! failed set-up is a failed test.

#[cfg(feature = "moto")]
pub mod collector_answer;
pub mod golden;
#[cfg(feature = "moto")]
pub mod iam;
#[cfg(feature = "moto")]
pub mod lambda;
#[cfg(feature = "s3")]
pub mod s3;
#[cfg(feature = "moto")]
pub mod sfn;
