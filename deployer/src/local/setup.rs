//! The tool the local stack needs (moto in `.venv`), installed by `scripts/setup --local` when
//! missing, so that `deploy local` works as the first command of a clone (the full
//! `scripts/setup`, for the tests, adds cargo-lambda, zig, the npm tools and chromium).

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context};

use crate::progress::{Event, Reporter};

/// What a fresh clone lacks, if anything: moto's server in the venv.
pub(crate) fn missing_tools(root: &Path) -> Vec<String> {
    let moto = root.join(".venv").join("bin").join("moto_server");
    if moto.exists() {
        Vec::new()
    } else {
        vec![format!("{} (moto)", moto.display())]
    }
}

/// Runs `scripts/setup` when [`missing_tools`] finds something missing (reported first: it
/// takes minutes).
pub(crate) fn ensure_setup(root: &Path, reporter: &dyn Reporter) -> anyhow::Result<()> {
    let missing = missing_tools(root);
    if missing.is_empty() {
        return Ok(());
    }
    let setup = root.join("scripts").join("setup");
    reporter.report(Event::SetupStarted {
        missing,
        script: setup.clone(),
    });
    let status = Command::new(&setup)
        .arg("--local")
        .current_dir(root)
        .status()
        .with_context(|| format!("running {}", setup.display()))?;
    if !status.success() {
        bail!(
            "{} failed ({status}); see its output above, fix it and run it again",
            setup.display()
        );
    }
    let still = missing_tools(root);
    if !still.is_empty() {
        bail!(
            "{} ran but {} is still missing",
            setup.display(),
            still.join(" and ")
        );
    }
    Ok(())
}
