//! The Lambda packages: both functions built for the chosen architecture with cargo-lambda
//! (and zig, both from `<workspace>/.venv`, installed by `scripts/setup`), each zipped as a
//! single `bootstrap` with fixed timestamps, so that the same binary gives the same zip and the
//! same `CodeSha256` (an unchanged function is not updated).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::config::{Architecture, BenchConfig};
use crate::error::{DeployError, Result};
use crate::progress::{Event, Reporter};
use crate::readers::Reader;

/// The reader's binary target (crate `s3-reader`).
pub const READER_BIN: &str = "s3-reader";
/// The collector's binary target (crate `collector`).
pub const COLLECTOR_BIN: &str = "collector";
/// The crates holding them (the workspace root is a package too, so cargo needs them named).
pub(crate) const READER_PACKAGE: &str = "s3-reader";
pub(crate) const COLLECTOR_PACKAGE: &str = "collector";
/// Where prebuilt packages may come from instead of a build.
pub(crate) const PACKAGE_DIR_ENV: &str = "BENCH_PACKAGE_DIR";

/// The ELF `e_machine` of aarch64 (arm64) executables, as [`elf_machine`] reads it.
pub const EM_AARCH64: u16 = 183;
/// The ELF `e_machine` of x86_64 executables.
pub const EM_X86_64: u16 = 62;

/// One function's zip and the digest Lambda reports for it (`CodeSha256`: base64 of SHA-256).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// The binary target it holds, [`READER_BIN`] or [`COLLECTOR_BIN`].
    pub bin: String,
    /// The zip's bytes, as Lambda takes them.
    pub zip: Vec<u8>,
    /// Base64 of the zip's SHA-256, as Lambda reports it (`CodeSha256`).
    pub sha256: String,
}

impl Package {
    /// A package from zip bytes as they are.
    pub(crate) fn from_zip(bin: &str, zip: Vec<u8>) -> Self {
        let sha256 = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&zip));
        Self {
            bin: bin.to_owned(),
            zip,
            sha256,
        }
    }

    /// A package holding `bootstrap` (mode 755, fixed timestamp): same bytes, same zip.
    pub fn from_bootstrap(bin: &str, bootstrap: &[u8]) -> Result<Self> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(0o755)
            .last_modified_time(zip::DateTime::default());
        zip.start_file("bootstrap", options)
            .map_err(|e| DeployError::Package(format!("zipping {bin}: {e}")))?;
        zip.write_all(bootstrap)
            .map_err(|e| DeployError::Package(format!("zipping {bin}: {e}")))?;
        let cursor = zip
            .finish()
            .map_err(|e| DeployError::Package(format!("zipping {bin}: {e}")))?;
        Ok(Self::from_zip(bin, cursor.into_inner()))
    }
}

/// The packages of the stack's functions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packages {
    /// The Rust reader's package ([`READER_BIN`]).
    pub reader: Arc<Package>,
    /// The collector's package ([`COLLECTOR_BIN`]).
    pub collector: Arc<Package>,
    /// The Python reader's, when a target runs it ([`crate::script_packages`]).
    pub python: Option<Arc<Package>>,
    /// The Node.js reader's, when a target runs it.
    pub node: Option<Arc<Package>>,
}

impl Packages {
    /// The package of `reader`; an error names the missing one.
    pub(crate) fn reader_package(&self, reader: Reader) -> Result<Arc<Package>> {
        let package = match reader {
            Reader::Rust => Some(&self.reader),
            Reader::Python => self.python.as_ref(),
            Reader::Node => self.node.as_ref(),
        };
        package.cloned().ok_or_else(|| {
            DeployError::Package(format!(
                "no package for the {reader} reader, which a target runs: build it with `with_script_readers`"
            ))
        })
    }

    /// Adds the packages of the Python and Node.js readers that `config`'s targets run: for
    /// `arch`, and Python `python_version` (the deployed runtime's, or the local interpreter's).
    pub fn with_script_readers(
        self,
        root: &Path,
        config: &BenchConfig,
        arch: Architecture,
        python_version: &str,
    ) -> Result<Self> {
        Ok(self.with(ScriptReaders::build(root, config, arch, python_version)?))
    }

    /// These packages with `readers`.
    pub fn with(self, readers: ScriptReaders) -> Self {
        Self {
            python: readers.python,
            node: readers.node,
            ..self
        }
    }
}

/// The packages of the Python and Node.js readers (built apart from the Rust ones: no cargo).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptReaders {
    /// The Python reader's, when a target runs it.
    pub python: Option<Arc<Package>>,
    /// The Node.js reader's, when a target runs it.
    pub node: Option<Arc<Package>>,
}

impl ScriptReaders {
    /// Builds the readers `config`'s targets run (see [`Packages::with_script_readers`]).
    pub fn build(
        root: &Path,
        config: &BenchConfig,
        arch: Architecture,
        python_version: &str,
    ) -> Result<Self> {
        let readers = crate::stack::deployed_readers(config);
        let python = if readers.contains(&Reader::Python) {
            Some(Arc::new(crate::script_packages::python_package(
                root,
                arch,
                python_version,
            )?))
        } else {
            None
        };
        let node = if readers.contains(&Reader::Node) {
            Some(Arc::new(crate::script_packages::node_package(root)?))
        } else {
            None
        };
        Ok(Self { python, node })
    }
}

/// Cargo's target folder (`CARGO_TARGET_DIR`, else `<root>/target`).
/// A name no other writer uses, for a file or folder written then renamed into place: the
/// process id (deploys side by side) and a counter (threads of one process, e.g. the tests of
/// one test binary packaging the same reader at once).
pub(crate) fn scratch_name(stem: &str) -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{stem}.{}-{n}", std::process::id())
}

pub(crate) fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// Where [`build`] puts the packages of `arch`: `<target>/lambda-packages/<arch>/<bin>/bootstrap`.
pub(crate) fn package_dir(root: &Path, arch: Architecture) -> PathBuf {
    target_dir(root).join("lambda-packages").join(arch.as_str())
}

/// Builds both functions in release mode for `arch` with cargo-lambda and returns the package
/// folder. Runs `scripts/setup` first when cargo-lambda is missing (reported: it takes minutes).
/// Cargo's own caching makes a second build of unchanged sources quick.
pub fn build(root: &Path, arch: Architecture, reporter: &dyn Reporter) -> Result<PathBuf> {
    let venv_bin = root.join(".venv").join("bin");
    let cargo_lambda = venv_bin.join("cargo-lambda");
    if !cargo_lambda.exists() {
        let setup = root.join("scripts").join("setup");
        reporter.report(Event::SetupStarted {
            missing: vec!["cargo-lambda".to_owned()],
            script: setup.clone(),
        });
        let status = Command::new(&setup)
            .current_dir(root)
            .status()
            .map_err(|e| DeployError::Package(format!("running {}: {e}", setup.display())))?;
        if !status.success() || !cargo_lambda.exists() {
            return Err(DeployError::Package(format!(
                "{} is missing: run scripts/setup (it installs cargo-lambda and zig into .venv)",
                cargo_lambda.display()
            )));
        }
    }
    let out = package_dir(root, arch);
    let path = match std::env::var_os("PATH") {
        Some(p) => {
            let mut paths = vec![venv_bin.clone()];
            paths.extend(std::env::split_paths(&p));
            std::env::join_paths(paths).map_err(|e| DeployError::Package(e.to_string()))?
        }
        None => venv_bin.clone().into_os_string(),
    };
    let arch_flag = match arch {
        Architecture::Arm64 => "--arm64",
        Architecture::X86_64 => "--x86-64",
    };
    let status = Command::new(&cargo_lambda)
        .args(["lambda", "build", "--release", arch_flag])
        .args(["--package", READER_PACKAGE, "--package", COLLECTOR_PACKAGE])
        .args(["--bin", READER_BIN, "--bin", COLLECTOR_BIN])
        .arg("--lambda-dir")
        .arg(&out)
        .current_dir(root)
        .env("PATH", path)
        .status()
        .map_err(|e| DeployError::Package(format!("running cargo-lambda: {e}")))?;
    if !status.success() {
        return Err(DeployError::Package(format!(
            "cargo lambda build {arch_flag} failed ({status}); see the compiler output above"
        )));
    }
    Ok(out)
}

/// Reads both packages from `dir`: `<bin>/bootstrap` (zipped here), else `<bin>/bootstrap.zip`,
/// else `<bin>.zip`.
pub fn load(dir: &Path) -> Result<Packages> {
    Ok(Packages {
        reader: Arc::new(load_one(dir, READER_BIN)?),
        collector: Arc::new(load_one(dir, COLLECTOR_BIN)?),
        python: None,
        node: None,
    })
}

fn load_one(dir: &Path, bin: &str) -> Result<Package> {
    let bootstrap = dir.join(bin).join("bootstrap");
    if bootstrap.is_file() {
        let bytes = std::fs::read(&bootstrap).map_err(|e| DeployError::io(&bootstrap, e))?;
        return Package::from_bootstrap(bin, &bytes);
    }
    for zip in [
        dir.join(bin).join("bootstrap.zip"),
        dir.join(format!("{bin}.zip")),
    ] {
        if zip.is_file() {
            let bytes = std::fs::read(&zip).map_err(|e| DeployError::io(&zip, e))?;
            return Ok(Package::from_zip(bin, bytes));
        }
    }
    Err(DeployError::Package(format!(
        "no package for {bin} in {}: expected {bin}/bootstrap, {bin}/bootstrap.zip or {bin}.zip (build with `cargo run --bin deploy`, or point --package-dir at cargo lambda's output)",
        dir.display()
    )))
}

/// The ELF machine of an executable (`EM_AARCH64`, `EM_X86_64`, ...), or `None` if not ELF.
pub fn elf_machine(bytes: &[u8]) -> Option<u16> {
    if bytes.len() < 20 || &bytes[..4] != b"\x7fELF" {
        return None;
    }
    // e_ident[EI_DATA] = 1: little endian, 2: big endian; e_machine is at offset 18.
    let pair = [bytes[18], bytes[19]];
    match bytes[5] {
        1 => Some(u16::from_le_bytes(pair)),
        2 => Some(u16::from_be_bytes(pair)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_bootstrap_gives_the_same_zip() {
        let a = Package::from_bootstrap("f", b"binary").expect("zip");
        let b = Package::from_bootstrap("f", b"binary").expect("zip");
        let c = Package::from_bootstrap("f", b"other").expect("zip");
        assert_eq!(a.sha256, b.sha256);
        assert_ne!(a.sha256, c.sha256);
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(a.zip)).expect("valid zip");
        let entry = archive.by_name("bootstrap").expect("bootstrap entry");
        assert_eq!(entry.unix_mode().map(|m| m & 0o777), Some(0o755));
    }

    #[test]
    fn elf_machine_reads_the_header() {
        let mut header = vec![0u8; 64];
        header[..4].copy_from_slice(b"\x7fELF");
        header[5] = 1;
        header[18..20].copy_from_slice(&EM_AARCH64.to_le_bytes());
        assert_eq!(elf_machine(&header), Some(EM_AARCH64));
        assert_eq!(elf_machine(b"#!/bin/sh\n"), None);
    }

    #[test]
    fn missing_packages_say_where_they_were_looked_for() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = load(dir.path()).expect_err("empty dir");
        assert!(err.to_string().contains("s3-reader/bootstrap"), "{err}");
    }
}
