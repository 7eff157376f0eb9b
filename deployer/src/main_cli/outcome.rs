//! The end of a run on the terminal (shared by `deploy run` and `deploy local`).

use std::path::{Path, PathBuf};

use crate::run::RunOutcome;

/// Prints the status, the seed-style table, the recommendations and where the downloaded
/// report is.
pub(crate) fn print_outcome(outcome: &RunOutcome) {
    println!(
        "\nexecution {}: {}{}",
        outcome.name,
        outcome.status,
        match (&outcome.error, &outcome.cause) {
            (Some(e), Some(c)) => format!(" ({e}: {c})"),
            (Some(e), None) => format!(" ({e})"),
            _ => String::new(),
        }
    );
    println!(
        "\nmean seconds per invocation ({} records):",
        outcome.records.len()
    );
    print!("{}", outcome.table);
    for r in &outcome.restored {
        println!(
            "restored {} to {} MB (the execution left it at {} MB)",
            r.function, r.to_mb, r.from_mb
        );
    }
    if !outcome.recommendations.is_empty() {
        println!("\nrecommendations:");
        print!("{}", outcome.recommendations);
    }
    if let Some(dir) = &outcome.downloaded {
        let dir = display_path(dir);
        println!(
            "\nreport: {} files in {}/{}",
            outcome.downloaded_files.len(),
            dir.display(),
            outcome
                .downloaded_files
                .iter()
                .find(|f| f.ends_with("report.html"))
                .map(|f| format!(" (open {})", display_path(f).display()))
                .unwrap_or_default()
        );
    }
}

/// An error unless the execution succeeded.
pub(crate) fn succeeded(outcome: RunOutcome) -> anyhow::Result<()> {
    if outcome.status == "SUCCEEDED" {
        return Ok(());
    }
    Err(crate::DeployError::ExecutionFailed {
        name: outcome.name,
        status: outcome.status,
        error: outcome.error.unwrap_or_default(),
        cause: outcome.cause.unwrap_or_default(),
    }
    .into())
}

/// A path for messages: relative to the current folder when inside it.
fn display_path(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}
