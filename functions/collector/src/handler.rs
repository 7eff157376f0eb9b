//! The Lambda handler: dispatches [`CollectorRequest`] to its actions: `record` and `report`
//! over S3, and `validate`, the check of an execution's input before the sweep changes anything.

use bench_types::validation::{ValidateAnswer, ValidateRequest};
use bench_types::{CollectorRequest, CollectorSummary};
use lambda_runtime::LambdaEvent;
use serde::Serialize;

use crate::cold_starts::store_cold_start;
use crate::config::{normalize_prefix, ReportConfig, ResultsPlace};
use crate::error::CollectorError;
use crate::pipeline::{store_record, write_report};
use crate::store::S3Store;

/// The collector's answer: tiny for `record`, the small summary for `report`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum CollectorResponse {
    /// `{"stored": KEY}`.
    Stored {
        /// The key the record was stored at.
        stored: String,
    },
    /// The `report` answer, which becomes the execution's output.
    Report(CollectorSummary),
    /// `{"valid": ..., "cause"?: ..., "expect": ...}`.
    Validation(ValidateAnswer),
}

/// Handles one event with the given S3 client.
pub async fn handle(
    client: &aws_sdk_s3::Client,
    event: LambdaEvent<CollectorRequest>,
) -> Result<CollectorResponse, CollectorError> {
    match event.payload {
        CollectorRequest::Record(request) => {
            let bucket = &request.location.results_bucket;
            if bucket.is_empty() {
                return Err(CollectorError::input(
                    "resultsBucket",
                    "name the bucket results are written to",
                ));
            }
            let store = S3Store::new(client.clone(), bucket);
            let prefix = normalize_prefix(Some(&request.location.results_prefix));
            let stored = store_record(
                &store,
                &prefix,
                &request.execution,
                &request.record,
                request.expected.as_ref(),
            )
            .await?;
            // The state machine always names the function; a hand-made request may not.
            if let (Some(cold), Some(function)) =
                (&request.cold_start, request.record.function_name.as_deref())
            {
                store_cold_start(
                    &store,
                    &prefix,
                    &request.execution,
                    request.record.round,
                    request.record.memory_mb,
                    function,
                    cold,
                )
                .await?;
            }
            Ok(CollectorResponse::Stored { stored })
        }
        CollectorRequest::Report(request) => {
            let place = ResultsPlace::from_input(&request.input)?;
            let bucket = place.bucket.ok_or_else(|| {
                CollectorError::input(
                    "input.resultsBucket",
                    "name the bucket results are written to",
                )
            })?;
            let store = S3Store::new(client.clone(), bucket);
            let summary = write_report(
                &store,
                &place.prefix,
                &request.execution,
                &request.input,
                request.runs.as_ref(),
            )
            .await?;
            Ok(CollectorResponse::Report(summary))
        }
        CollectorRequest::Validate(request) => {
            Ok(CollectorResponse::Validation(validate(&request)))
        }
    }
}

/// The input check before the sweep: contract 1's ([`ValidateAnswer::for_request`]), then the
/// collector's own fields (`balancedWeight`, `prices`, `subjectiveScores`), so that a typo in
/// them stops the execution before any memory changes instead of failing its report at the end.
fn validate(request: &ValidateRequest) -> ValidateAnswer {
    let answer = ValidateAnswer::for_request(request);
    if !answer.valid {
        return answer;
    }
    match ReportConfig::from_input(&request.input) {
        Ok(_) => answer,
        Err(CollectorError::InvalidInput { field, reason }) => {
            ValidateAnswer::invalid(format!("{field}: {reason}"))
        }
        Err(other) => ValidateAnswer::invalid(other.to_string()),
    }
}

/// An S3 client from the standard AWS chain. With an endpoint override (`AWS_ENDPOINT_URL_S3`
/// or `AWS_ENDPOINT_URL`, the local stack) it uses path-style addressing, which local servers need.
pub async fn s3_client_from_env() -> aws_sdk_s3::Client {
    let shared = aws_config::load_from_env().await;
    let local = std::env::var_os("AWS_ENDPOINT_URL_S3").is_some()
        || std::env::var_os("AWS_ENDPOINT_URL").is_some();
    let config = aws_sdk_s3::config::Builder::from(&shared)
        .force_path_style(local)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bench_types::subjective::SUBJECTIVE_CATEGORIES;
    use bench_types::validation::{HistoryBudget, RunLimits};
    use serde_json::{json, Value};

    fn request(extra: Value) -> ValidateRequest {
        let mut input = json!({
            "targets": [{"name": "rust", "functionName": "lambda-bench-s3-reader",
                         "payload": {"mode": "concurrent", "concurrency": 64}}],
            "memorySizes": [128, 1024], "rounds": 1, "warmup": true,
            "bucket": "data", "prefix": "bench/1000/", "find": "MyMagicString",
            "resultsBucket": "results", "resultsPrefix": "runs/", "label": "default",
            "expectedResult": "bench/1000/00042.txt"
        });
        if let (Some(merged), Some(fields)) = (input.as_object_mut(), extra.as_object()) {
            merged.extend(fields.clone());
        }
        ValidateRequest {
            input,
            given: extra,
            limits: RunLimits {
                region: "us-east-1".into(),
                history: HistoryBudget {
                    fixed: 40,
                    per_memory_size: 0,
                    per_function: 0,
                    per_target: 0,
                    per_round: 5,
                    per_step: 0,
                    per_update: 40,
                    per_configuration: 25,
                    max: 25_000,
                },
            },
        }
    }

    #[test]
    fn bad_subjective_scores_stop_the_execution_at_the_check_naming_the_field() {
        assert!(validate(&request(json!({}))).valid);
        let grades: serde_json::Map<String, Value> = SUBJECTIVE_CATEGORIES
            .iter()
            .map(|c| ((*c).to_owned(), json!(4)))
            .collect();
        assert!(
            validate(&request(
                json!({"subjectiveScores": {"rust": grades.clone()}})
            ))
            .valid
        );
        let mut high = grades;
        high.insert("toolchain".into(), json!(9));
        let answer = validate(&request(json!({"subjectiveScores": {"rust": high}})));
        assert!(!answer.valid);
        let cause = answer.cause.unwrap_or_default();
        assert!(
            cause.starts_with("subjectiveScores.rust.toolchain: "),
            "{cause}"
        );
        assert!(answer.steps.is_none());
    }
}
