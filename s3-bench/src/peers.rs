//! Installs what the readers need, from the harness itself: the Python peer's venv
//! (`s3-bench/peers/.venv`, pinned by `python/requirements.lock`), the Node peer's packages
//! (`npm ci` from the committed `node/package-lock.json`), and the Rust reader binary (built with
//! cargo in the harness's own profile). Each step is skipped when already up to date.

use std::fs;
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

/// The `s3-bench/peers` folder of this source tree.
fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("peers")
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

fn same_file_contents(a: &Path, b: &Path) -> bool {
    matches!((fs::read(a), fs::read(b)), (Ok(x), Ok(y)) if x == y)
}

fn copy(from: &Path, to: &Path) -> Result<(), InstallError> {
    fs::copy(from, to)
        .map(|_| ())
        .map_err(|source| InstallError::Io {
            path: to.display().to_string(),
            source,
        })
}

/// Makes `peers/.venv` with the pinned aioboto3 stack; returns its interpreter.
fn ensure_python(peers: &Path) -> Result<PathBuf, InstallError> {
    let venv = peers.join(".venv");
    let python = venv.join("bin/python");
    let lock = peers.join("python/requirements.lock");
    let stamp = venv.join(".requirements.lock");
    if python.is_file() && same_file_contents(&lock, &stamp) {
        return Ok(python);
    }
    eprintln!(
        "s3-bench: installing the Python peer's packages into {}",
        venv.display()
    );
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(&lock))?;
    copy(&lock, &stamp)?;
    Ok(python)
}

/// Runs `npm ci` in `peers/node` when its lock file changed; returns the `node` program.
fn ensure_node(peers: &Path) -> Result<PathBuf, InstallError> {
    let dir = peers.join("node");
    let lock = dir.join("package-lock.json");
    let stamp = dir.join("node_modules/.s3-bench-package-lock.json");
    let node = PathBuf::from("node");
    run(Command::new(&node).arg("--version"))?;
    if same_file_contents(&lock, &stamp) {
        return Ok(node);
    }
    eprintln!(
        "s3-bench: installing the Node peer's packages (npm ci) in {}",
        dir.display()
    );
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--silent"])
        .current_dir(&dir))?;
    copy(&lock, &stamp)?;
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
    let peers = peers_dir();
    let rust_bin = match rust_bin {
        Some(bin) => bin,
        None => build_workspace_bin("s3-reader", "s3-read")?,
    };
    Ok(ReaderPrograms {
        rust_bin,
        python: ensure_python(&peers)?,
        node: ensure_node(&peers)?,
        peers_dir: peers,
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
    fn the_peer_files_are_in_the_tree() {
        let peers = peers_dir();
        for f in [
            "python/reader.py",
            "python/requirements.lock",
            "node/reader.mjs",
            "node/package.json",
            "node/package-lock.json",
        ] {
            assert!(peers.join(f).is_file(), "{f} missing");
        }
        let lock = fs::read_to_string(peers.join("python/requirements.lock")).unwrap_or_default();
        assert!(
            lock.lines().any(|l| l.starts_with("aioboto3==")),
            "aioboto3 not pinned"
        );
    }
}
