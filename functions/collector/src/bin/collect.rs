//! `collect --records FILE --out DIR [--input FILE]`: the collector's report outside Lambda.
//!
//! FILE holds the records as the state machine gives them (an array, possibly nested), or a whole
//! report event / `runs.json` (`{"execution": .., "input": .., "runs": [..]}`). DIR stands for the
//! results bucket: the outputs land at the same keys (`DIR/runs/NAME/report.html`, ...).

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use bench_types::ExecutionRef;
use clap::Parser;
use collector::{write_report, DirStore};
use serde_json::Value;

#[derive(Debug, Parser)]
#[command(
    name = "collect",
    about = "Writes the collector's results, charts and report for saved run records to a folder"
)]
struct Args {
    /// The records: a JSON array (nested arrays are flattened), or {"execution", "input", "runs"}.
    #[arg(long)]
    records: PathBuf,
    /// The folder that stands for the results bucket.
    #[arg(long)]
    out: PathBuf,
    /// The execution's effective input (targets, memorySizes, prices, balancedWeight, ...);
    /// replaces an `input` inside the records file.
    #[arg(long)]
    input: Option<PathBuf>,
    /// The execution name (default: the file's `execution.name`, else the file's stem).
    #[arg(long)]
    name: Option<String>,
    /// The execution start time, ISO 8601 (orders the trend; default: the file's, else none).
    #[arg(long)]
    start_time: Option<String>,
}

fn read_json(path: &PathBuf, what: &str) -> Result<Value> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the {what} file {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("the {what} file {} is not JSON", path.display()))
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let file = read_json(&args.records, "records")?;
    let (runs, file_execution, file_input) = match file {
        Value::Object(mut object) if object.contains_key("runs") => {
            let execution = match object.remove("execution") {
                Some(e) => Some(
                    serde_json::from_value::<ExecutionRef>(e)
                        .context("the records file's `execution` needs id, name and startTime")?,
                ),
                None => None,
            };
            (
                object.remove("runs").unwrap_or(Value::Null),
                execution,
                object.remove("input"),
            )
        }
        array @ Value::Array(_) => (array, None, None),
        _ => bail!(
            "{}: expected an array of records or an object with `runs`",
            args.records.display()
        ),
    };
    let input = match &args.input {
        Some(path) => read_json(path, "input")?,
        None => file_input.unwrap_or_else(|| Value::Object(Default::default())),
    };
    let stem = args
        .records
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "local".into());
    let name = args
        .name
        .clone()
        .or_else(|| file_execution.as_ref().map(|e| e.name.clone()))
        .unwrap_or(stem);
    let execution = ExecutionRef {
        id: file_execution
            .as_ref()
            .map(|e| e.id.clone())
            .unwrap_or_else(|| format!("local:{name}")),
        start_time: args
            .start_time
            .clone()
            .or_else(|| file_execution.as_ref().map(|e| e.start_time.clone()))
            .unwrap_or_default(),
        name,
    };
    let place = collector::ResultsPlace::from_input(&input)
        .context("reading resultsPrefix of the input")?;
    let store = DirStore::new(&args.out);
    let summary = write_report(&store, &place.prefix, &execution, &input, Some(&runs))
        .await
        .with_context(|| {
            format!(
                "writing the report of {} to {}",
                execution.name,
                args.out.display()
            )
        })?;
    println!(
        "{}",
        serde_json::to_string_pretty(&summary).context("printing the summary")?
    );
    Ok(())
}
