//! The packages of the Python and Node.js readers, built the way AWS's tooling builds them and
//! zipped with fixed timestamps and sorted entries, so unchanged code gives the same
//! `CodeSha256` and a redeploy changes nothing:
//!
//! - Python (`functions/python-reader`): `reader.py` and its pinned dependencies
//!   (`requirements.txt`), installed by pip as binary wheels only, for the function's
//!   architecture and Python version (`--platform manylinux..._aarch64|x86_64 --python-version
//!   3.13 --only-binary=:all:`), not for this machine's; then compiled to bytecode by that
//!   Python when this machine has it (`python3.13`): Lambda's code folder is read-only, so a
//!   package without `__pycache__` compiles every imported module again at each cold start
//!   (about a second of CPU for aioboto3). The `.pyc` files are unchecked-hash ones, valid
//!   whatever the zip's timestamps say, and the same bytes for the same sources.
//! - Node.js (`functions/node-reader`): `src/index.mjs` bundled by esbuild with the pinned AWS
//!   SDK into one CommonJS `index.js` (as the CDK's `NodejsFunction` does): the runtime's own
//!   SDK changes version without notice, and scheduled reruns must compare like with like.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::config::Architecture;
use crate::error::{DeployError, Result};
use crate::package::{scratch_name, target_dir, Package};

/// The Python version of the deployed function's runtime (`python3.13`).
pub const LAMBDA_PYTHON_VERSION: &str = "3.13";
/// The package names the deployer reports.
pub const PYTHON_READER: &str = "python-reader";
/// See [`PYTHON_READER`].
pub const NODE_READER: &str = "node-reader";

/// The glibc platforms pip may take wheels for: Lambda's Python 3.13 runs on Amazon Linux 2023
/// (glibc 2.34), so any manylinux wheel up to 2.34 runs there.
fn python_platforms(arch: Architecture) -> Vec<String> {
    let machine = match arch {
        Architecture::Arm64 => "aarch64",
        Architecture::X86_64 => "x86_64",
    };
    ["manylinux2014", "manylinux_2_28", "manylinux_2_34"]
        .iter()
        .map(|tag| format!("{tag}_{machine}"))
        .collect()
}

/// The Python reader's package for `arch` and Python `version` (e.g. `3.13`). The installed
/// dependencies are kept under the target folder, keyed by the requirements' digest, so a
/// second build runs no pip.
pub fn python_package(root: &Path, arch: Architecture, version: &str) -> Result<Package> {
    let source = root.join("functions").join(PYTHON_READER);
    let requirements = source.join("requirements.txt");
    let requirements_text =
        std::fs::read(&requirements).map_err(|e| DeployError::io(&requirements, e))?;
    let platforms = python_platforms(arch);
    let compiler = python_of_version(root, version);
    let key = hex_digest(&[
        &requirements_text,
        version.as_bytes(),
        platforms.join(",").as_bytes(),
        if compiler.is_some() {
            b"pyc"
        } else {
            b"no-pyc"
        },
    ]);
    let deps = target_dir(root)
        .join("lambda-packages")
        .join(PYTHON_READER)
        .join(format!("{}-py{version}-{}", arch.as_str(), &key[..12]));
    if !deps.join(".complete").is_file() {
        install_wheels(
            root,
            &requirements,
            &deps,
            &platforms,
            version,
            compiler.as_deref(),
        )?;
    }
    let mut files = collect_files(&deps, &deps)?;
    files.push(("reader.py".to_owned(), source.join("reader.py")));
    zip_files(PYTHON_READER, &files)
}

/// `pip install --target` of binary wheels for the Lambda platform, into a fresh folder that is
/// renamed into place when complete (builds side by side never see half an install).
fn install_wheels(
    root: &Path,
    requirements: &Path,
    deps: &Path,
    platforms: &[String],
    version: &str,
    compiler: Option<&Path>,
) -> Result<()> {
    let python = root.join(".venv").join("bin").join("python");
    if !python.is_file() {
        return Err(DeployError::Package(format!(
            "{} is missing: run scripts/setup (it creates the venv whose pip packages the Python reader)",
            python.display()
        )));
    }
    let partial = deps.with_extension(scratch_name("partial"));
    let _ = std::fs::remove_dir_all(&partial);
    let mut pip = Command::new(&python);
    pip.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ])
    .args(["--no-compile", "--no-deps", "--only-binary=:all:"])
    .args(["--implementation", "cp", "--python-version", version]);
    for platform in platforms {
        pip.args(["--platform", platform]);
    }
    pip.arg("--target")
        .arg(&partial)
        .arg("--requirement")
        .arg(requirements);
    run(&mut pip, "pip install (the Python reader's dependencies)")?;
    if let Some(python) = compiler {
        let mut compile = Command::new(python);
        compile
            .args(["-m", "compileall", "-q", "-j", "0"])
            .args(["--invalidation-mode", "unchecked-hash"])
            .arg(&partial);
        run(
            &mut compile,
            "compileall (the Python reader's dependencies)",
        )?;
    }
    std::fs::write(partial.join(".complete"), b"").map_err(|e| DeployError::io(&partial, e))?;
    if let Some(parent) = deps.parent() {
        std::fs::create_dir_all(parent).map_err(|e| DeployError::io(parent, e))?;
    }
    match std::fs::rename(&partial, deps) {
        Ok(()) => Ok(()),
        // Another build finished the same install first: keep its copy.
        Err(_) if deps.join(".complete").is_file() => {
            let _ = std::fs::remove_dir_all(&partial);
            Ok(())
        }
        Err(e) => Err(DeployError::io(deps, e)),
    }
}

/// A Python `version` (`MAJOR.MINOR`) on this machine, to compile the package's bytecode with:
/// the local runtime's (`.runtimes/python`, which `scripts/setup` makes with the newest Python
/// it finds), else `pythonMAJOR.MINOR` on the `PATH`.
fn python_of_version(root: &Path, version: &str) -> Option<PathBuf> {
    let candidates = [
        system::paths::runtime_python(root),
        PathBuf::from(format!("python{version}")),
    ];
    candidates.into_iter().find(|program| {
        Command::new(program)
            .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
            .output()
            .is_ok_and(|o| {
                o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == version
            })
    })
}

/// The Node.js reader's package: `npm ci` when its lock file changed, then esbuild's bundle.
pub fn node_package(root: &Path) -> Result<Package> {
    let source = root.join("functions").join(NODE_READER);
    // The reader's own install script (npm ci behind a stamp), as its tests use it.
    run(
        &mut Command::new(source.join("setup.sh")),
        "functions/node-reader/setup.sh (the Node.js reader's dependencies)",
    )?;
    let out_dir = target_dir(root).join("lambda-packages").join(NODE_READER);
    std::fs::create_dir_all(&out_dir).map_err(|e| DeployError::io(&out_dir, e))?;
    let bundle = out_dir.join(scratch_name("index") + ".js");
    // The reader's own build script (esbuild, for nodejs22.x), so the bundle deployed is the
    // one its tests run.
    let mut build = Command::new("node");
    build.arg("build.mjs").arg(&bundle).current_dir(&source);
    run(
        &mut build,
        "node build.mjs (bundling the Node.js reader with esbuild)",
    )?;
    let package = zip_files(NODE_READER, &[("index.js".to_owned(), bundle.clone())]);
    let _ = std::fs::remove_file(&bundle);
    package
}

fn run(command: &mut Command, what: &str) -> Result<()> {
    let output = command.output().map_err(|e| {
        DeployError::Package(format!(
            "{what}: could not start {}: {e}; run scripts/setup",
            command.get_program().to_string_lossy()
        ))
    })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(DeployError::Package(format!(
            "{what} failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}

fn hex_digest(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every file under `dir` as (name in the zip, path), sorted, without the install marker.
fn collect_files(base: &Path, dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut files = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| DeployError::io(dir, e))?
        .collect::<std::io::Result<_>>()
        .map_err(|e| DeployError::io(dir, e))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        if name == ".complete" {
            continue;
        }
        if path.is_dir() {
            files.extend(collect_files(base, &path)?);
        } else if let Ok(relative) = path.strip_prefix(base) {
            files.push((relative.to_string_lossy().into_owned(), path.clone()));
        }
    }
    Ok(files)
}

/// A zip of `files` in name order, every entry with a fixed timestamp and mode 644 (755 for
/// executables): same files, same bytes.
fn zip_files(name: &str, files: &[(String, PathBuf)]) -> Result<Package> {
    use std::os::unix::fs::PermissionsExt;
    let failed = |e: &dyn std::fmt::Display| DeployError::Package(format!("zipping {name}: {e}"));
    let mut sorted: Vec<&(String, PathBuf)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (entry, path) in sorted {
        let bytes = std::fs::read(path).map_err(|e| DeployError::io(path, e))?;
        let executable = std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(if executable { 0o755 } else { 0o644 })
            .last_modified_time(zip::DateTime::default());
        zip.start_file(entry.as_str(), options)
            .map_err(|e| failed(&e))?;
        zip.write_all(&bytes).map_err(|e| failed(&e))?;
    }
    let cursor = zip.finish().map_err(|e| failed(&e))?;
    Ok(Package::from_zip(name, cursor.into_inner()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_files_give_the_same_zip_in_any_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("a.py");
        let b = dir.path().join("b.so");
        std::fs::write(&a, "print('a')").expect("write");
        std::fs::write(&b, [0x7f, b'E', b'L', b'F']).expect("write");
        let one = zip_files(
            "p",
            &[("a.py".into(), a.clone()), ("lib/b.so".into(), b.clone())],
        )
        .expect("zip");
        let two = zip_files("p", &[("lib/b.so".into(), b), ("a.py".into(), a)]).expect("zip");
        assert_eq!(one.sha256, two.sha256);
    }

    #[test]
    fn wheels_are_asked_for_the_function_architecture() {
        assert!(python_platforms(Architecture::Arm64)
            .iter()
            .all(|p| p.ends_with("_aarch64")));
        assert!(python_platforms(Architecture::X86_64)
            .iter()
            .all(|p| p.ends_with("_x86_64")));
    }
}
