//! The two functions built for this machine (the local runtime runs them as they are, so they
//! must match the host CPU), as the deployer's packages.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};

use crate::config::Architecture;
use crate::package::{
    self, Packages, ScriptReaders, COLLECTOR_BIN, COLLECTOR_PACKAGE, READER_BIN, READER_PACKAGE,
};
use crate::progress::{Event, Reporter};

/// The Lambda architecture of this machine, if Lambda has one.
pub fn host_architecture() -> anyhow::Result<Architecture> {
    match Architecture::parse(std::env::consts::ARCH) {
        Some(arch) => Ok(arch),
        None => bail!(
            "this machine is {}: the local runtime runs the functions natively, and Lambda only has x86_64 and arm64",
            std::env::consts::ARCH
        ),
    }
}

/// The cargo profile the functions are built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BuildProfile {
    /// `dev`, the profile `cargo run --bin deploy` builds: the functions reuse every
    /// dependency that build compiled (the root package depends on both function crates, so
    /// their features are unified), which takes seconds instead of a second full build. The
    /// crates on the reader's hot path are optimized even in `dev` (see the workspace's
    /// `[profile.dev.package.*]`).
    Dev,
    /// `release`: optimized as for AWS (several minutes more the first time).
    Release,
}

impl BuildProfile {
    /// The profile of the running `deploy` binary.
    pub(crate) fn of_this_binary() -> Self {
        if cfg!(debug_assertions) {
            Self::Dev
        } else {
            Self::Release
        }
    }

    /// The folder under the target directory.
    pub(crate) fn dir(self) -> &'static str {
        match self {
            Self::Dev => "debug",
            Self::Release => "release",
        }
    }
}

/// Builds both functions for the host with `profile` and returns the folder holding them.
///
/// The root package is selected too so that the features of shared dependencies are exactly
/// those of the `deploy` build (nothing is compiled twice).
pub(crate) fn build_functions(
    root: &Path,
    profile: BuildProfile,
    reporter: &dyn Reporter,
) -> anyhow::Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut args = vec!["build"];
    if profile == BuildProfile::Release {
        args.push("--release");
    }
    args.extend([
        "-p",
        "lambda-bench",
        "-p",
        READER_PACKAGE,
        "-p",
        COLLECTOR_PACKAGE,
    ]);
    args.extend(["--bin", READER_BIN, "--bin", COLLECTOR_BIN]);
    reporter.report(Event::FunctionsBuilding {
        command: args.join(" "),
    });
    let mut command = Command::new(&cargo);
    command.args(&args).current_dir(root);
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(is_set_by_cargo_run) {
            command.env_remove(name);
        }
    }
    let status = command.status().context("running cargo build")?;
    if !status.success() {
        bail!(
            "cargo {} failed ({status}); see the compiler output above",
            args.join(" ")
        );
    }
    Ok(package::target_dir(root).join(profile.dir()))
}

/// Variables `cargo run` sets for the program it runs. Build scripts (ring's, through the `cc`
/// crate) ask to be rerun when such a variable changes, so passing them on to this nested build
/// would rebuild ring and everything above it (the SDK crates): two minutes for nothing.
fn is_set_by_cargo_run(name: &str) -> bool {
    name.starts_with("CARGO_PKG_")
        || name.starts_with("CARGO_MANIFEST_")
        || matches!(
            name,
            "CARGO_CRATE_NAME" | "CARGO_BIN_NAME" | "CARGO_PRIMARY_PACKAGE" | "OUT_DIR"
        )
}

/// Packages the binaries `<bin_dir>/s3-reader` and `<bin_dir>/collector`: each is copied to
/// `<staging>/<bin>/bootstrap`, stripped with `strip` when `strip` is true (debug binaries are
/// hundreds of MB; moto's CreateFunction is slow for big zips), then zipped by the deployer.
pub fn package_binaries(bin_dir: &Path, staging: &Path, strip: bool) -> anyhow::Result<Packages> {
    for bin in [READER_BIN, COLLECTOR_BIN] {
        let source = bin_dir.join(bin);
        if !source.is_file() {
            bail!(
                "{} is missing: build the functions first (cargo build --workspace --bins), or give --functions-dir the folder holding {READER_BIN} and {COLLECTOR_BIN}",
                source.display()
            );
        }
        let dir = staging.join(bin);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let bootstrap = dir.join("bootstrap");
        // Written under a name of its own, checked, then renamed: runs that package side by
        // side (the tests start several `deploy local`) never read a half-written bootstrap.
        let partial = dir.join(crate::package::scratch_name("bootstrap") + ".partial");
        if strip {
            let status = Command::new("strip")
                .arg("--strip-all")
                .arg("-o")
                .arg(&partial)
                .arg(&source)
                .status()
                .context("running strip (binutils): install binutils, or give release binaries")?;
            if !status.success() {
                bail!("strip {} failed ({status})", source.display());
            }
        } else {
            std::fs::copy(&source, &partial).with_context(|| {
                format!("copying {} to {}", source.display(), partial.display())
            })?;
        }
        check_host_binary(&partial)?;
        std::fs::rename(&partial, &bootstrap).with_context(|| {
            format!("renaming {} to {}", partial.display(), bootstrap.display())
        })?;
    }
    Ok(package::load(staging)?)
}

/// The Python and Node.js readers `config` runs, packaged for this machine: the local runtime
/// runs them with the interpreter of `.runtimes/python` (whose version the wheels must match)
/// on this machine's CPU. Needs `scripts/setup --local` done.
pub fn local_script_readers(
    root: &Path,
    config: &crate::config::BenchConfig,
) -> anyhow::Result<ScriptReaders> {
    let needs_python =
        crate::stack::deployed_readers(config).contains(&crate::readers::Reader::Python);
    let version = if needs_python {
        local_python_version(root)?
    } else {
        crate::script_packages::LAMBDA_PYTHON_VERSION.to_owned()
    };
    Ok(ScriptReaders::build(
        root,
        config,
        host_architecture()?,
        &version,
    )?)
}

/// `MAJOR.MINOR` of the local runtime's Python.
fn local_python_version(root: &Path) -> anyhow::Result<String> {
    let python = local_stack::paths::runtime_python(root);
    let output = Command::new(&python)
        .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        .output()
        .with_context(|| {
            format!(
                "running {} (the local runtime's Python): run scripts/setup --local",
                python.display()
            )
        })?;
    if !output.status.success() {
        bail!("{} failed ({})", python.display(), output.status);
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Refuses a binary built for another CPU before it reaches the runtime.
fn check_host_binary(path: &Path) -> anyhow::Result<()> {
    let mut header = vec![0u8; 64];
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let n = bytes.len().min(header.len());
    header[..n].copy_from_slice(&bytes[..n]);
    let want = match host_architecture()? {
        Architecture::X86_64 => package::EM_X86_64,
        Architecture::Arm64 => package::EM_AARCH64,
    };
    match package::elf_machine(&header) {
        Some(machine) if machine == want => Ok(()),
        Some(machine) => bail!(
            "{} is built for ELF machine {machine}, not this machine ({}): build it without --arm64/--target",
            path.display(),
            std::env::consts::ARCH
        ),
        None => bail!("{} is not an ELF executable", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_variables_of_cargo_run_are_dropped() {
        for name in [
            "CARGO_PKG_NAME",
            "CARGO_MANIFEST_DIR",
            "CARGO_BIN_NAME",
            "OUT_DIR",
        ] {
            assert!(is_set_by_cargo_run(name), "{name}");
        }
        for name in [
            "CARGO",
            "CARGO_TARGET_DIR",
            "CARGO_HOME",
            "RUSTFLAGS",
            "PATH",
        ] {
            assert!(!is_set_by_cargo_run(name), "{name}");
        }
    }

    #[test]
    fn a_missing_binary_names_the_build_command() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = package_binaries(dir.path(), &dir.path().join("staging"), false)
            .expect_err("no binaries");
        assert!(
            err.to_string().contains("cargo build --workspace --bins"),
            "{err}"
        );
    }

    #[test]
    fn a_script_is_not_taken_for_a_function_binary() {
        let dir = tempfile::tempdir().expect("tempdir");
        for bin in [READER_BIN, COLLECTOR_BIN] {
            std::fs::write(dir.path().join(bin), "#!/bin/sh\n").expect("write");
        }
        let err =
            package_binaries(dir.path(), &dir.path().join("staging"), false).expect_err("not ELF");
        assert!(err.to_string().contains("not an ELF executable"), "{err}");
    }
}
