//! Installs what the readers need, from the harness itself: the deployable Python and Node.js
//! readers' own set-up (`functions/python-reader/setup.sh`: its venv pinned by
//! `requirements.txt`; `functions/node-reader/setup.sh`: `npm ci` from the committed lock file),
//! and the Rust reader binary (built with cargo in the harness's own profile). Each step is
//! skipped when already up to date.

use std::path::{Path, PathBuf};
use std::process::Command;

use system::paths::workspace_root;

use crate::readers::ReaderPrograms;

/// Why a reader (or the S3 server) could not be installed or built.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// A tool the install runs is not on the `PATH`; `scripts/setup` installs them.
    #[error("`{tool}` was not found ({source}); run scripts/setup, which installs python3, node and npm")]
    MissingTool {
        /// The program, e.g. `npm`.
        tool: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// An install step (venv, pip, npm, cargo) exited with an error; its stderr says why.
    #[error("`{command}` failed with {status}:\n{stderr}")]
    Failed {
        /// The command line that ran.
        command: String,
        /// How it exited, e.g. `exit status: 1`.
        status: String,
        /// What it printed on stderr.
        stderr: String,
    },
    /// The lock-file stamp could not be copied into the installed folder.
    #[error("{path}: {source}")]
    Io {
        /// The stamp file.
        path: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// Cargo built but reported no executable of that name.
    #[error("cargo built no `{bin}` executable; check that the {package} crate has that binary")]
    NoBinary {
        /// The workspace package built, e.g. `s3-reader`.
        package: String,
        /// The binary asked for, e.g. `s3-read`.
        bin: String,
    },
}

/// The `functions` folder of this source tree, where the deployable readers live.
fn functions_dir() -> PathBuf {
    workspace_root().join("functions")
}

/// Runs `cmd`, returning its stdout; a missing program or a failure is an [`InstallError`].
fn run(cmd: &mut Command) -> Result<String, InstallError> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let command = format!(
        "{program} {}",
        cmd.get_args()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let output = cmd.output().map_err(|source| InstallError::MissingTool {
        tool: program.clone(),
        source,
    })?;
    if !output.status.success() {
        return Err(InstallError::Failed {
            command,
            status: output.status.to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Runs the Python reader's own set-up (`functions/python-reader/setup.sh`: its venv with the
/// pinned aioboto3 stack, skipped when up to date); returns the venv's interpreter.
fn ensure_python(functions: &Path) -> Result<PathBuf, InstallError> {
    let dir = functions.join("python-reader");
    run(&mut Command::new(dir.join("setup.sh")))?;
    Ok(dir.join(".venv").join("bin").join("python"))
}

/// Runs the Node.js reader's own set-up (`functions/node-reader/setup.sh`: `npm ci` when its
/// lock file changed); returns the `node` program.
fn ensure_node(functions: &Path) -> Result<PathBuf, InstallError> {
    let node = PathBuf::from("node");
    run(Command::new(&node).arg("--version"))?;
    run(&mut Command::new(
        functions.join("node-reader").join("setup.sh"),
    ))?;
    Ok(node)
}

/// Builds the binary `bin` of workspace package `package` with cargo, in release when the
/// harness itself is a release build (so a release harness measures a release reader).
pub fn build_workspace_bin(package: &str, bin: &str) -> Result<PathBuf, InstallError> {
    let release = !cfg!(debug_assertions);
    eprintln!(
        "s3-bench: building {bin} ({} profile)",
        if release { "release" } else { "dev" }
    );
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut cmd = Command::new(cargo);
    cmd.args([
        "build",
        "-q",
        "-p",
        package,
        "--bin",
        bin,
        "--message-format=json",
    ])
    .current_dir(workspace_root());
    if release {
        cmd.arg("--release");
    }
    let stdout = run(&mut cmd)?;
    executable_from_cargo_messages(&stdout, bin).ok_or_else(|| InstallError::NoBinary {
        package: package.to_owned(),
        bin: bin.to_owned(),
    })
}

/// The `executable` of the artifact named `name` in cargo's JSON messages.
fn executable_from_cargo_messages(messages: &str, name: &str) -> Option<PathBuf> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == name)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
}

/// Everything installed: the programs that run each reader.
pub fn install_all(rust_bin: Option<PathBuf>) -> Result<ReaderPrograms, InstallError> {
    let functions = functions_dir();
    let rust_bin = match rust_bin {
        Some(bin) => bin,
        None => build_workspace_bin("s3-reader", "s3-read")?,
    };
    Ok(ReaderPrograms {
        rust_bin,
        python: ensure_python(&functions)?,
        node: ensure_node(&functions)?,
        functions_dir: functions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_executable_in_cargo_messages() {
        let messages = r#"{"reason":"compiler-artifact","target":{"name":"s3_reader"},"executable":null}
{"reason":"compiler-artifact","target":{"name":"s3-read"},"executable":"/x/release/s3-read"}
{"reason":"build-finished","success":true}"#;
        assert_eq!(
            executable_from_cargo_messages(messages, "s3-read"),
            Some(PathBuf::from("/x/release/s3-read"))
        );
        assert_eq!(executable_from_cargo_messages(messages, "other"), None);
    }

    #[test]
    fn a_missing_tool_says_run_setup() {
        let err = run(&mut Command::new("s3-bench-no-such-tool"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("run scripts/setup"), "{err}");
    }

    #[test]
    fn the_readers_files_are_in_the_tree() {
        let functions = functions_dir();
        for f in [
            "python-reader/reader.py",
            "python-reader/requirements.txt",
            "python-reader/setup.sh",
            "node-reader/cli.mjs",
            "node-reader/package-lock.json",
            "node-reader/setup.sh",
        ] {
            assert!(functions.join(f).is_file(), "{f} missing");
        }
        let lock = std::fs::read_to_string(functions.join("python-reader/requirements.txt"))
            .unwrap_or_default();
        assert!(
            lock.lines().any(|l| l.starts_with("aioboto3==")),
            "aioboto3 not pinned"
        );
    }
}
