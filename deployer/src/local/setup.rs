//! The tools the local stack needs (moto in `.venv`, the managed runtimes in `.runtimes`),
//! installed by `scripts/setup --local` when missing, so that `deploy local` works as the first command of a clone (the full
//! `scripts/setup`, for the tests, adds cargo-lambda, zig, the npm tools and chromium).

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context};

use crate::progress::{Event, Reporter};

/// What a fresh clone lacks, if anything: moto's server in the venv, the local runtime's
/// Python with `awslambdaric` and its Node.js with `aws-lambda-ric`.
pub(crate) fn missing_tools(root: &Path) -> Vec<String> {
    let runtimes = local_stack::paths::runtimes_dir(root);
    [
        (root.join(".venv").join("bin").join("moto_server"), "moto"),
        (
            runtimes.join("python").join(".requirements"),
            "the local runtime's Python with awslambdaric",
        ),
        (
            runtimes.join("node").join(".installed"),
            "the local runtime's Node.js with aws-lambda-ric",
        ),
    ]
    .into_iter()
    .filter(|(path, _)| !path.exists())
    .map(|(path, what)| format!("{} ({what})", path.display()))
    .collect()
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
