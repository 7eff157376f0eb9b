//! The workspace root, for what runs from the source tree: tests and development tools (the
//! `deploy` binary builds the functions from it, the bench installs its peers there).
//!
//! It is where this crate was compiled from, not a run-time lookup: a binary copied to another
//! machine still points at the checkout it was built in. Shipped code (the Lambda functions)
//! must not use it.

use std::path::{Path, PathBuf};

/// The workspace root: the parent of this crate's folder (`system/`).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Where `scripts/setup --local` installs the managed runtimes of the local Lambda runtime: a
/// venv with `awslambdaric` (`python/`), a Node.js with `aws-lambda-ric` (`node/`).
pub fn runtimes_dir(root: &Path) -> PathBuf {
    root.join(".runtimes")
}

/// The interpreter of the local runtime's `python3.*` functions (the closest Python to Lambda's
/// that `scripts/setup` found), which also compiles the deployed package's bytecode.
pub fn runtime_python(root: &Path) -> PathBuf {
    runtimes_dir(root).join("python").join("bin").join("python")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_holds_the_workspace_manifest_and_this_crate() {
        let root = workspace_root();
        let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
        assert!(manifest.contains("[workspace]"), "{}", root.display());
        assert!(root.join("system").join("Cargo.toml").is_file());
    }
}
