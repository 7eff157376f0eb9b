//! The contracts between the parts of the benchmark (see DESIGN.md).
//!
//! - [`input`]: contract 1, the execution input of the state machine.
//! - [`reader`]: contract 2, the event a reader target gets and the result it returns.
//! - [`records`]: contract 3, the run records the state machine hands to the collector.
//! - [`objects`]: the seed-parity test objects (deterministic generator shared by uploaders).

pub mod input;
pub mod objects;
pub mod reader;
pub mod records;

pub use input::{ExecutionInput, Target};
pub use reader::{LatencyMs, ReadMode, ReaderEvent, ReaderResult, ReaderStats};
pub use records::{
    CollectorRequest, CollectorSummary, ExecutionRef, RecordRequest, ReportRequest,
    ResultsLocation, RunRecord,
};

/// The memory range Lambda accepts, in MB.
pub const MIN_MEMORY_MB: u32 = 128;
pub const MAX_MEMORY_MB: u32 = 10240;

/// The seed's ten memory sizes.
pub const SEED_MEMORY_SIZES: [u32; 10] = [128, 256, 511, 1023, 3008, 3071, 6143, 7167, 9215, 10240];

/// The string one of the seeded objects holds (seed parity).
pub const MAGIC_STRING: &str = "MyMagicString";
