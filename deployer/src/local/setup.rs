//! The tools the local stack needs (moto in `.venv`, node tools in `node_modules`), installed by
//! `scripts/setup` when missing, so that `deploy local` works as the first command of a clone.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context};

/// What a fresh clone lacks, if anything: the venv's python or `node_modules`.
pub fn missing_tools(root: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    let python = root.join(".venv").join("bin").join("python");
    if !python.exists() {
        missing.push(format!("{} (moto)", python.display()));
    }
    let node_modules = root.join("node_modules");
    if !node_modules.is_dir() {
        missing.push(node_modules.display().to_string());
    }
    missing
}

/// Runs `scripts/setup` when [`missing_tools`] finds something missing.
pub fn ensure_setup(root: &Path) -> anyhow::Result<()> {
    let missing = missing_tools(root);
    if missing.is_empty() {
        return Ok(());
    }
    let setup = root.join("scripts").join("setup");
    eprintln!(
        "missing {}: running {} (minutes, once)",
        missing.join(" and "),
        setup.display()
    );
    let status = Command::new(&setup)
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
