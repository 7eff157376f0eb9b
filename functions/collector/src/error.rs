//! The collector's errors. Each variant's name is stable: the Lambda returns it as the error type,
//! so the state machine can `Retry`/`Catch` on it (e.g. retry `StorageFailed`, never `NoRecords`).

use lambda_runtime::Diagnostic;

/// Everything that can stop the collector.
#[derive(Debug, thiserror::Error)]
pub enum CollectorError {
    /// The execution handed over no records at all (inline `runs` empty, or none stored).
    #[error("no run records for execution {execution}: pass `runs` or store records with action \"record\" first")]
    NoRecords {
        /// The execution's name.
        execution: String,
    },

    /// A record says neither `"ok": true` nor carries an `error`.
    #[error("{record}: has neither \"ok\": true nor an \"error\"; a record must say whether the run succeeded")]
    RecordWithoutOutcome {
        /// Which record, e.g. `record #3 (round 1, 128 MB, target rust)`, or a stored record's URI.
        record: String,
    },

    /// A successful record's reader result has a `time` that is not a JSON number.
    #[error("{record}: output.time must be a number of seconds, found {found}")]
    NonNumericTime {
        /// Which record, e.g. `record #3 (round 1, 128 MB, target rust)`, or a stored record's URI.
        record: String,
        /// The `time` found, as JSON.
        found: String,
    },

    /// A record is not shaped as contract 3 says (missing `round`, `memoryMb`, `target`, ...).
    #[error("{record}: {reason}")]
    InvalidRecord {
        /// Which record, e.g. `record #3 (round 1, 128 MB, target rust)`, or a stored record's URI.
        record: String,
        /// What is wrong, naming the field, e.g. `field ok must be true or false, found 1`.
        reason: String,
    },

    /// A successful record's reader result is not shaped as contract 2 says.
    #[error("{record}: field {field}: {reason}")]
    InvalidReaderOutput {
        /// Which record, e.g. `record #3 (round 1, 128 MB, target rust)`, or a stored record's URI.
        record: String,
        /// The field of the record, e.g. `output.time` or `output.stats`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The execution input or the event has a bad field.
    #[error("input field {field}: {reason}")]
    InvalidInput {
        /// The field, e.g. `balancedWeight` or `targets[0].architecture`.
        field: String,
        /// What is wrong and what to give instead.
        reason: String,
    },

    /// The existing `index.json` cannot be read as an index; it is left untouched.
    #[error(
        "{key} is not a collector index ({reason}); fix or delete it, then write the report again"
    )]
    InvalidIndex {
        /// Where the index is (`s3://BUCKET/PREFIX/index.json`, or a path).
        key: String,
        /// What the JSON parser refused.
        reason: String,
    },

    /// Reading or writing the results store failed (S3 or a local folder). Worth a retry.
    #[error("{operation} {key}: {message}")]
    StorageFailed {
        /// The call that failed, e.g. `PutObject` or `read`.
        operation: &'static str,
        /// The object or file it was about.
        key: String,
        /// The error with all its sources.
        message: String,
    },

    /// A chart, CSV or the HTML report could not be rendered.
    #[error("rendering {what}: {message}")]
    RenderFailed {
        /// The output, e.g. `summary.json`, `report.html` or a chart.
        what: String,
        /// The renderer's error.
        message: String,
    },
}

// `name()`: the variant's name, which the Lambda returns as its error type; `NAMES`: all of them.
bench_types::error_names!(CollectorError {
    NoRecords,
    RecordWithoutOutcome,
    NonNumericTime,
    InvalidRecord,
    InvalidReaderOutput,
    InvalidInput,
    InvalidIndex,
    StorageFailed,
    RenderFailed,
});

impl CollectorError {
    pub(crate) fn input(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn render(what: impl Into<String>, message: impl std::fmt::Display) -> Self {
        Self::RenderFailed {
            what: what.into(),
            message: message.to_string(),
        }
    }
}

impl From<CollectorError> for Diagnostic {
    fn from(error: CollectorError) -> Self {
        Diagnostic {
            error_type: error.name().to_string(),
            error_message: error.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lambda_error_type_is_the_variant_name() {
        let diagnostic = Diagnostic::from(CollectorError::NoRecords {
            execution: "e1".into(),
        });
        assert_eq!(diagnostic.error_type, "NoRecords");
        assert!(
            diagnostic.error_message.contains("e1"),
            "{}",
            diagnostic.error_message
        );
        let diagnostic = Diagnostic::from(CollectorError::input(
            "balancedWeight",
            "must be within 0..=1",
        ));
        assert_eq!(diagnostic.error_type, "InvalidInput");
        assert!(diagnostic.error_message.contains("balancedWeight"));
    }

    #[test]
    fn the_state_machine_matches_only_names_the_collector_returns() {
        use bench_statemachine::error_matches::{error_matches, Invoked};
        let plan = bench_statemachine::BenchmarkPlan::default();
        let definition = bench_statemachine::render::render_definition_value(&plan).unwrap();
        let collector = Invoked::Function(plan.collector_function.clone());
        let invokes: Vec<_> = error_matches(&definition)
            .into_iter()
            .filter(|m| m.invoked == collector)
            .collect();
        assert!(!invokes.is_empty(), "the definition invokes the collector");
        for invoke in &invokes {
            for name in invoke.function_error_names() {
                assert!(
                    CollectorError::NAMES.contains(&name),
                    "{}: {name} is not a collector error ({:?})",
                    invoke.state,
                    CollectorError::NAMES
                );
            }
            // A bad input or missing records stays bad: retrying them would only delay the failure.
            assert!(
                !invoke
                    .retried
                    .iter()
                    .any(|n| n == "NoRecords" || n == "InvalidInput"),
                "{}: {:?}",
                invoke.state,
                invoke.retried
            );
        }
    }
}
