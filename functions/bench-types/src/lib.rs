//! The contracts between the parts of the benchmark (see docs/ARCHITECTURE.md).
//!
//! - [`input`]: contract 1, the execution input of the state machine.
//! - [`reader`]: contract 2, the event a reader target gets and the result it returns.
//! - [`records`]: contract 3, the run records the state machine hands to the collector.
//! - [`recommendation`]: contract 4, the collector's recommended memory sizes per target.
//! - [`concurrency`]: a reader's concurrency setting (a number or `auto`) and sweeps of them.
//! - [`Architecture`]: the Lambda architectures (`arm64`, `x86_64`).
//! - [`error_names!`]: stable error names derived from the variants.
//! - [`objects`]: the seed-parity test objects (deterministic generator shared by uploaders).
//! - [`schedule`]: the targets grouped by function, and a round's (memory size, function) steps.
//! - [`series`]: the name of each (target, concurrency) in tables and charts.
//! - [`subjective`]: the seed's subjective review (seven categories graded 1 to 6) and its check.
//! - [`validation`]: the collector's check of an execution's input before anything changes.
//! - [`arn`]: partitions and the function references a target may use.
//! - [`error_chain`]: an error and its sources as one line.
//! - `logging` (feature `logging`): the Lambda binaries' tracing set-up.
//!
//! Feature `clap`: [`Architecture`] and [`ReadMode`] as `clap::ValueEnum`, for command lines
//! (off for the Lambdas, which take them from JSON).

// unwrap() is fine in tests (the project's standard); the lint guards the shipped code.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod arch;
pub mod arn;
pub mod concurrency;
mod error_name;
mod errors;
pub mod input;
#[cfg(feature = "logging")]
pub mod logging;
pub mod objects;
pub mod reader;
pub mod recommendation;
pub mod records;
pub mod schedule;
pub mod series;
pub mod stats;
pub mod subjective;
pub mod text_table;
pub mod validation;

pub use arch::{Architecture, UnknownArchitecture};
pub use concurrency::Concurrency;
pub use errors::error_chain;
pub use input::{ExecutionInput, GivenInput, Target};
pub use reader::{AutoConcurrency, LatencyMs, ReadMode, ReaderEvent, ReaderResult, ReaderStats};
pub use recommendation::{Choice, Recommendation};
pub use records::{
    CollectorRequest, CollectorSummary, ExecutionRef, ExpectedResult, RecordRequest, ReportRequest,
    ResultsLocation, RunRecord,
};

/// The smallest memory size Lambda accepts, in MB.
pub const MIN_MEMORY_MB: u32 = 128;
/// The largest memory size Lambda accepts, in MB.
pub const MAX_MEMORY_MB: u32 = 10240;

/// The seed's ten memory sizes, in MB: the sweep deploy runs when `bench.toml` names none.
pub const SEED_MEMORY_SIZES: [u32; 10] = [128, 256, 511, 1023, 3008, 3071, 6143, 7167, 9215, 10240];

/// The string one of the test objects holds (seed parity).
pub const MAGIC_STRING: &str = "MyMagicString";
