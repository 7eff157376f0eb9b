//! Where the workspace's tools live. Everything is derived from this crate's manifest directory,
//! so the paths follow the checkout wherever it is.

use std::path::{Path, PathBuf};

use system::paths::workspace_root;
pub use system::paths::{runtime_python, runtimes_dir};

use crate::Error;

/// The Python interpreter of the venv that `scripts/setup` creates (with moto in it).
pub fn venv_python() -> Result<PathBuf, Error> {
    let python = workspace_root().join(".venv").join("bin").join("python");
    if python.is_file() {
        Ok(python)
    } else {
        Err(Error::SetupMissing {
            what: "the Python venv with moto",
            path: python,
        })
    }
}

/// The launcher script that starts moto (and installs the Lambda bridge).
pub fn moto_launcher() -> Result<PathBuf, Error> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("moto_launcher.py");
    if script.is_file() {
        Ok(script)
    } else {
        Err(Error::SetupMissing {
            what: "local-stack/moto_launcher.py",
            path: script,
        })
    }
}
