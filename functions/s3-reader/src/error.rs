//! The reader's errors. The variant names are stable: the Lambda returns them as `errorType`
//! (see [`ReaderError::name`]) and the state machine retries or catches on them.

use lambda_runtime::Diagnostic;

/// A bad event: the message names the field and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidEvent {
    /// No bucket to read: set `s3_bucket_name`.
    #[error("s3_bucket_name is missing or empty; set it to the bucket that holds the objects")]
    MissingBucket,
    /// `concurrency` is neither a number in 1..=`max` nor `"auto"`: give one that is, or leave
    /// it out (64).
    #[error("concurrency is {value}; it must be between 1 and {max} or \"auto\"")]
    ConcurrencyOutOfRange {
        /// The concurrency given, as JSON.
        value: String,
        /// The largest the reader accepts (4096).
        max: u32,
    },
    /// `mode` is neither `concurrent` nor `sequential`.
    #[error("mode is {value:?}; use \"concurrent\" or \"sequential\"")]
    UnknownMode {
        /// The mode given.
        value: String,
    },
    /// `find` is an empty string: leave it out to count the objects.
    #[error("find is empty; omit it, or give the string to search for")]
    EmptyFind,
    /// `client` is neither `direct` nor `sdk`.
    #[error("client is {value:?}; use \"direct\" (signed GETs over hyper, the default) or \"sdk\" (aws-sdk-s3 GetObject)")]
    UnknownClient {
        /// The client given.
        value: String,
    },
    /// The event is not a JSON object of the reader event's shape (e.g. a field of the wrong
    /// type): send a contract-2 event.
    #[error("the event is not a reader event: {message}")]
    Malformed {
        /// What the JSON parser refused, naming the field.
        message: String,
    },
}

/// Everything the reader can fail with. Failed GETs are not errors: they are counted in the
/// result (`stats.errors`); only what stops the whole run is.
#[derive(Debug, thiserror::Error)]
pub enum ReaderError {
    /// The event is wrong; retrying will not help.
    #[error("InvalidEvent: {0}")]
    InvalidEvent(#[from] InvalidEvent),
    /// Listing the prefix failed after retries (e.g. no such bucket, access denied).
    #[error("ListFailed: listing s3://{bucket}/{prefix} failed: {message}")]
    ListFailed {
        /// The bucket listed.
        bucket: String,
        /// The prefix listed (the event's `folder`).
        prefix: String,
        /// Why: the attempts made and the last failure, e.g. S3's `NoSuchBucket`.
        message: String,
    },
    /// The S3 client could not be set up.
    #[error("ClientSetup: {0}")]
    ClientSetup(String),
}

// `name()`: the stable error name the state machine sees as `errorType`; `NAMES`: all of them.
bench_types::error_names!(ReaderError {
    InvalidEvent,
    ListFailed,
    ClientSetup,
});

/// lambda_runtime 1.x fills `errorType` with `std::any::type_name` of the error unless the
/// error converts into a [`Diagnostic`] itself; that name (`s3_reader::error::ReaderError`)
/// would change with any refactoring, so we set the variant name deliberately.
impl From<ReaderError> for Diagnostic {
    fn from(err: ReaderError) -> Self {
        Diagnostic {
            error_type: err.name().to_owned(),
            error_message: err.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostic_carries_the_stable_name() {
        let d = Diagnostic::from(ReaderError::from(InvalidEvent::MissingBucket));
        assert_eq!(d.error_type, "InvalidEvent");
        assert!(d.error_message.contains("s3_bucket_name"));
        let d = Diagnostic::from(ReaderError::ListFailed {
            bucket: "b".into(),
            prefix: "p/".into(),
            message: "NoSuchBucket".into(),
        });
        assert_eq!(d.error_type, "ListFailed");
        assert!(d.error_message.contains("s3://b/p/"));
        assert_eq!(
            Diagnostic::from(ReaderError::ClientSetup("no region".into())).error_type,
            "ClientSetup"
        );
    }

    #[test]
    fn the_state_machine_matches_only_names_the_reader_returns() {
        use bench_statemachine::error_matches::{error_matches, Invoked};
        let plan = bench_statemachine::BenchmarkPlan::default();
        let definition = bench_statemachine::render::render_definition_value(&plan).unwrap();
        let invokes: Vec<_> = error_matches(&definition)
            .into_iter()
            .filter(|m| matches!(&m.invoked, Invoked::Path(p) if p.starts_with("$.target")))
            .collect();
        assert!(!invokes.is_empty(), "the definition invokes the targets");
        for invoke in &invokes {
            for name in invoke.function_error_names() {
                assert!(
                    ReaderError::NAMES.contains(&name),
                    "{}: {name} is not a reader error ({:?})",
                    invoke.state,
                    ReaderError::NAMES
                );
            }
        }
        assert_eq!(
            ReaderError::NAMES,
            ["InvalidEvent", "ListFailed", "ClientSetup"]
        );
    }
}
