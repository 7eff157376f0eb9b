//! The collector's two actions over a [`Store`]: keep one record, and write the report of an
//! execution. Everything of a report is computed before anything but `runs.json` is written, so a
//! bad record or a rendering failure leaves only the raw `runs.json` behind.

use bench_types::{CollectorSummary, ExecutionRef, ExpectedResult, RunRecord};
use futures::{StreamExt, TryStreamExt};
use serde_json::{json, Value};

use crate::charts::charts;
use crate::cold_starts::{cold_start_cells, cold_starts_folder, parse_cold_starts};
use crate::config::ReportConfig;
use crate::csv_out::{cold_starts_csv, runs_csv, summary_csv};
use crate::error::CollectorError;
use crate::index::{Index, IndexEntry};
use crate::records::{flatten, parse_runs};
use crate::report::report_html;
use crate::store::Store;
use crate::summary::summarize;

/// Stored records read at once when a report gathers them.
const READ_CONCURRENCY: usize = 16;

/// The content type of the JSON objects written.
pub(crate) const JSON: &str = "application/json";
const CSV: &str = "text/csv; charset=utf-8";
const SVG: &str = "image/svg+xml";
const HTML: &str = "text/html; charset=utf-8";

/// `PREFIX NAME/`: the folder of one execution.
pub(crate) fn execution_folder(prefix: &str, execution_name: &str) -> String {
    format!("{prefix}{execution_name}/")
}

/// `PREFIX index.json`.
pub(crate) fn index_key(prefix: &str) -> String {
    format!("{prefix}index.json")
}

/// `PREFIX NAME/records/`: where the `record` action keeps records.
pub(crate) fn records_folder(prefix: &str, execution_name: &str) -> String {
    format!("{}records/", execution_folder(prefix, execution_name))
}

/// The deterministic key of a record, so a retried record overwrites itself and every
/// (round, memory, target, concurrency) has its own:
/// `PREFIX NAME/records/r{round:03}-m{memory:05}-{target}[@{concurrency}].json`.
pub(crate) fn record_key(
    prefix: &str,
    execution_name: &str,
    record: &RunRecord,
) -> Result<String, CollectorError> {
    check_name("record.target", &record.target)?;
    let concurrency = record
        .concurrency
        .map(|c| format!("@{c}"))
        .unwrap_or_default();
    Ok(format!(
        "{}r{:03}-m{:05}-{}{concurrency}.json",
        records_folder(prefix, execution_name),
        record.round,
        record.memory_mb,
        record.target
    ))
}

/// Names become parts of keys: no slashes, spaces, control characters, or `.`/`..`.
pub(crate) fn check_name(field: &str, name: &str) -> Result<(), CollectorError> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.+=@".contains(c));
    if ok {
        Ok(())
    } else {
        Err(CollectorError::input(
            field,
            format!(
                "{name:?} cannot be part of an S3 key: use 1 to 128 of A-Z a-z 0-9 - _ . + = @"
            ),
        ))
    }
}

/// The `record` action: keeps one record, with the result a correct run gives when known
/// (stored as the record's `expected` field, where inline records carry it too, so the report
/// checks stored and inline records alike); returns its key.
pub(crate) async fn store_record<S: Store>(
    store: &S,
    prefix: &str,
    execution: &ExecutionRef,
    record: &RunRecord,
    expected: Option<&ExpectedResult>,
) -> Result<String, CollectorError> {
    check_name("execution.name", &execution.name)?;
    let key = record_key(prefix, &execution.name, record)?;
    let render = |e: serde_json::Error| CollectorError::render("record", e);
    let body = match expected {
        None => serde_json::to_vec_pretty(record).map_err(render)?,
        Some(expected) => {
            let mut stored = serde_json::to_value(record).map_err(render)?;
            if let Value::Object(fields) = &mut stored {
                fields.insert(
                    "expected".to_string(),
                    serde_json::to_value(expected).map_err(render)?,
                );
            }
            serde_json::to_vec_pretty(&stored).map_err(render)?
        }
    };
    store.put(&key, body, JSON).await?;
    Ok(key)
}

/// The `report` action: aggregates one execution under `prefix` and writes all its outputs.
/// `runs` are the records inline (possibly nested arrays); without them the stored records of
/// the execution are read.
pub async fn write_report<S: Store>(
    store: &S,
    prefix: &str,
    execution: &ExecutionRef,
    input: &Value,
    runs: Option<&Value>,
) -> Result<CollectorSummary, CollectorError> {
    check_name("execution.name", &execution.name)?;
    let folder = execution_folder(prefix, &execution.name);
    let runs_given = runs.is_some();
    let raw_runs = match runs {
        Some(runs) => runs.clone(),
        None => read_stored_records(store, &records_folder(prefix, &execution.name)).await?,
    };

    // 1. The raw records first, so nothing is lost if anything later fails.
    let raw = json!({"execution": execution, "input": input, "runs": raw_runs});
    let raw_json =
        serde_json::to_vec_pretty(&raw).map_err(|e| CollectorError::render("runs.json", e))?;
    store
        .put(&format!("{folder}runs.json"), raw_json, JSON)
        .await?;

    // 2. Everything else, in memory.
    let config = ReportConfig::from_input(input)?;
    let records = flatten(&raw_runs);
    if records.is_empty() {
        return Err(CollectorError::NoRecords {
            execution: execution.name.clone(),
        });
    }
    let target_order: Vec<String> = config.targets.iter().map(|t| t.name.clone()).collect();
    let runs = parse_runs(&records, &target_order)?;
    let mut summary = summarize(execution, &config, &runs);
    let stored_cold_starts = match runs_given {
        true => Value::Array(Vec::new()),
        false => read_stored_records(store, &cold_starts_folder(prefix, &execution.name)).await?,
    };
    summary.cold_starts = cold_start_cells(
        &parse_cold_starts(&stored_cold_starts),
        &summary.memory_sizes,
        &runs,
    );

    let index_key = index_key(prefix);
    let mut index = match store.get(&index_key).await? {
        Some(bytes) => Index::parse(&store.uri(&index_key), &bytes)?,
        None => Index::default(),
    };
    index.upsert(IndexEntry::of(&summary, &folder));

    let charts = charts(&summary, &index)?;
    let html = report_html(&summary, &charts)?;
    let mut outputs: Vec<(String, Vec<u8>, &str)> = vec![
        (
            format!("{folder}summary.json"),
            serde_json::to_vec_pretty(&summary)
                .map_err(|e| CollectorError::render("summary.json", e))?,
            JSON,
        ),
        (
            format!("{folder}runs.csv"),
            runs_csv(&execution.name, &runs, &config)?,
            CSV,
        ),
        (format!("{folder}summary.csv"), summary_csv(&summary)?, CSV),
    ];
    if !summary.cold_starts.is_empty() {
        outputs.push((
            format!("{folder}cold_starts.csv"),
            cold_starts_csv(&summary.cold_starts)?,
            CSV,
        ));
    }
    outputs.extend(charts.iter().map(|c| {
        (
            format!("{folder}{}", c.file_name),
            c.svg.clone().into_bytes(),
            SVG,
        )
    }));
    outputs.push((format!("{folder}report.html"), html.into_bytes(), HTML));
    outputs.push((index_key, index.to_json()?, JSON));

    // 3. Write in order; the index last, so it only names complete executions.
    for (key, body, content_type) in outputs {
        store.put(&key, body, content_type).await?;
    }

    Ok(CollectorSummary {
        execution_name: execution.name.clone(),
        results_uri: store.uri(&folder),
        report_uri: store.uri(&format!("{folder}report.html")),
        summary_uri: store.uri(&format!("{folder}summary.json")),
        runs: summary.runs,
        failures: summary.failures,
        recommendations: summary.recommendations,
    })
}

/// The stored records (or cold starts) of an execution, in key order (round, memory, target or
/// function), as one array.
async fn read_stored_records<S: Store>(store: &S, folder: &str) -> Result<Value, CollectorError> {
    let keys: Vec<String> = store
        .list(folder)
        .await?
        .into_iter()
        .filter(|k| k.ends_with(".json"))
        .collect();
    let bodies: Vec<(String, Option<Vec<u8>>)> = futures::stream::iter(keys)
        .map(|key| async move { store.get(&key).await.map(|body| (key, body)) })
        .buffered(READ_CONCURRENCY)
        .try_collect()
        .await?;
    let mut records = Vec::with_capacity(bodies.len());
    for (key, body) in bodies {
        // A record deleted between LIST and GET is simply not there.
        let Some(body) = body else { continue };
        let record =
            serde_json::from_slice::<Value>(&body).map_err(|e| CollectorError::InvalidRecord {
                record: store.uri(&key),
                reason: format!("not JSON ({e})"),
            })?;
        records.push(record);
    }
    Ok(Value::Array(records))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_run_of_a_concurrency_sweep_has_its_own_record_key() {
        let record = |concurrency| RunRecord {
            round: 2,
            memory_mb: 1024,
            target: "rust".into(),
            concurrency,
            function_name: None,
            ok: false,
            output: None,
            invoke: None,
            error: Some("E".into()),
            cause: None,
        };
        let key = |concurrency| record_key("runs/", "e1", &record(concurrency)).unwrap();
        assert_eq!(key(None), "runs/e1/records/r002-m01024-rust.json");
        assert_eq!(
            key(Some(bench_types::Concurrency::Fixed(8))),
            "runs/e1/records/r002-m01024-rust@8.json"
        );
        assert_eq!(
            key(Some(bench_types::Concurrency::Auto)),
            "runs/e1/records/r002-m01024-rust@auto.json"
        );
    }
}
