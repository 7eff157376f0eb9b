//! Contract 2: the reader event and its result. The first three event fields and the first
//! four result fields are the seed's, so the seed's readers in other languages work as targets.

use serde::{Deserialize, Serialize};

/// How the reader fetches the objects: the event's `mode`, a target's `mode` in `bench.toml`,
/// `stats.mode` in the result, the `mode` column of `runs.csv`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum ReadMode {
    /// One object at a time.
    Sequential,
    /// Up to `concurrency` objects in flight.
    #[default]
    Concurrent,
}

impl ReadMode {
    const ALL: [Self; 2] = [Self::Sequential, Self::Concurrent];

    /// The wire name: `sequential` or `concurrent`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sequential => "sequential",
            Self::Concurrent => "concurrent",
        }
    }

    /// Reads a mode in any case, surrounding blanks ignored.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        Self::ALL
            .into_iter()
            .find(|mode| mode.as_str().eq_ignore_ascii_case(text))
    }
}

/// Why a text is not a read mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownReadMode(pub String);

impl std::fmt::Display for UnknownReadMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}`: use concurrent or sequential", self.0)
    }
}

impl std::error::Error for UnknownReadMode {}

impl std::str::FromStr for ReadMode {
    type Err = UnknownReadMode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| UnknownReadMode(s.to_owned()))
    }
}

impl std::fmt::Display for ReadMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The event a reader target gets. Fields are kept loose (`mode` as text, `concurrency` as a
/// signed number) so that the reader, not the deserializer, reports bad values with a named error.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReaderEvent {
    /// The bucket holding the test objects (the seed's field; required).
    #[serde(default)]
    pub s3_bucket_name: Option<String>,
    /// The key prefix to list and read, e.g. `bench/1000/` (the seed's field); none reads the
    /// whole bucket.
    #[serde(default)]
    pub folder: Option<String>,
    /// The string to look for (the seed's field); the result is then the key holding it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub find: Option<String>,
    /// `concurrent` (the default) or `sequential`, see [`ReadMode`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Objects in flight at once in concurrent mode (our reader: 64 when absent, 1 to 4096), or
    /// `"auto"`: the reader adapts its limit while it runs (see [`AutoConcurrency`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<serde_json::Value>,
    /// Keep the clients (and their open connections) of an earlier invocation instead of
    /// starting with a cold connection pool as the seed's readers did; false when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reuse_connections: Option<bool>,
    /// How our reader GETs: `direct` (signed requests over hyper) or `sdk` (aws-sdk-s3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
}

/// Per-object GET latency percentiles, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencyMs {
    /// The median GET, ms.
    pub p50: f64,
    /// 90 % of GETs took at most this, ms.
    pub p90: f64,
    /// 99 % of GETs took at most this, ms.
    pub p99: f64,
    /// The slowest GET, ms.
    pub max: f64,
}

/// What our reader measured; other readers may omit it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReaderStats {
    /// The function's memory size during the run, in MB; a run whose size is not the one swept
    /// is invalid (stale memory).
    pub memory_mb: u32,
    /// CPUs the reader could use (`available_parallelism`, which follows the CPU quota).
    pub vcpus: u32,
    /// What the runtime reports (`aarch64`, `x86_64`); [`crate::Architecture::parse`] reads it.
    pub arch: String,
    /// How the objects were read.
    pub mode: ReadMode,
    /// The most objects in flight at once (1 in sequential mode).
    pub concurrency: u32,
    /// Objects read to the end.
    pub objects: u64,
    /// Keys the listing returned (every page). A run that read fewer objects than it listed is
    /// not a valid measurement. Optional: older readers and other languages omit it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed: Option<u64>,
    /// Body bytes read, in bytes.
    pub bytes: u64,
    /// Listing time in ms: to the first page (concurrent mode, reads overlap the rest) or every
    /// LIST call (sequential).
    pub list_ms: f64,
    /// `total_ms - list_ms`, in ms.
    pub read_ms: f64,
    /// The timed section (listing and reading), in ms.
    pub total_ms: f64,
    /// Per-object GET latency percentiles.
    pub latency_ms: LatencyMs,
    /// Requests sent again after a retryable failure (GETs and LIST pages).
    pub retries: u64,
    /// Objects that still failed after retries.
    pub errors: u64,
    /// The first invocation of the function's process (includes its init).
    pub cold_start: bool,
    /// The event's `reuse_connections`: the clients of an earlier invocation were kept.
    pub reused_connections: bool,
    /// The GET path: `direct` or `sdk`.
    #[serde(default)]
    pub client: String,
    /// LIST requests made, retries included: with `get_requests`, the S3 cost of a run.
    #[serde(default)]
    pub list_requests: u64,
    /// GET requests made, retries included.
    #[serde(default)]
    pub get_requests: u64,
    /// With `concurrency: "auto"`: the limits the reader's adaptive limiter took.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_concurrency: Option<AutoConcurrency>,
}

/// What the adaptive limiter of a `concurrency: "auto"` run did: the in-flight limit it started
/// at, the range it moved in, the limit it settled on, and its mean over the GETs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoConcurrency {
    /// The limit at the start.
    pub initial: u32,
    /// The lowest limit it took.
    pub min: u32,
    /// The highest limit it took.
    pub max: u32,
    /// The limit at the end of the run: where it settled.
    #[serde(rename = "final")]
    pub final_limit: u32,
    /// The limit averaged over the GETs (each GET weighs the limit it started under).
    pub mean: f64,
    /// How many times the limit changed.
    pub changes: u64,
}

/// The reader's answer: the seed's four fields plus `stats`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReaderResult {
    /// The reader's language, e.g. `rust` or `python`.
    pub lang: String,
    /// How it read, e.g. `aws-sdk-rust, tokio, semaphore 64`.
    pub detail: String,
    /// The object count, or with `find` the key holding the string (or `"None"`).
    pub result: String,
    /// The timed section in seconds, not rounded.
    pub time: f64,
    /// Our reader's measurements; `None` from readers that do not report them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stats: Option<ReaderStats>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_read_and_write_their_wire_names() {
        for mode in ReadMode::ALL {
            let json = serde_json::to_value(mode).unwrap();
            assert_eq!(json, mode.as_str());
            assert_eq!(mode.to_string(), mode.as_str());
            assert_eq!(serde_json::from_value::<ReadMode>(json).unwrap(), mode);
            assert_eq!(mode.as_str().parse::<ReadMode>(), Ok(mode));
        }
        assert_eq!(ReadMode::parse(" Sequential "), Some(ReadMode::Sequential));
        let err = "parallel".parse::<ReadMode>().unwrap_err();
        assert_eq!(err.to_string(), "`parallel`: use concurrent or sequential");
    }

    #[cfg(feature = "clap")]
    #[test]
    fn the_cli_offers_the_wire_names() {
        use clap::ValueEnum;
        for mode in ReadMode::ALL {
            let value = mode.to_possible_value().unwrap();
            assert_eq!(value.get_name(), mode.as_str());
        }
    }
}
