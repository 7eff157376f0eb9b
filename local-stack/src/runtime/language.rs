//! What an execution environment starts for the function's runtime, as Lambda's managed runtimes
//! do: `provided.*` runs the code's own `bootstrap`; `python3.*` and `nodejs*` run AWS's runtime
//! interface client for the language (`awslambdaric`, `aws-lambda-ric`, installed by
//! `scripts/setup`) with the function's handler, the code directory first on the module path.

use std::path::{Path, PathBuf};

use super::protocol::InvokeRequest;

/// The language of a runtime identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Language {
    /// `provided.al2023`, `provided.al2`: the code's `bootstrap` executable.
    Provided,
    /// `python3.13` and the other `python3.*`.
    Python,
    /// `nodejs22.x` and the other `nodejs*`.
    Node,
}

impl Language {
    pub(crate) fn of(runtime: &str) -> Option<Self> {
        if runtime.starts_with("provided") {
            Some(Self::Provided)
        } else if runtime.starts_with("python3.") {
            Some(Self::Python)
        } else if runtime.starts_with("nodejs") {
            Some(Self::Node)
        } else {
            None
        }
    }
}

/// The program an environment runs, its arguments, and the variables its runtime adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Launch {
    pub(crate) program: PathBuf,
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
}

/// Where the runtime interface clients are ([`crate::paths::runtimes_dir`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuntimeClients {
    /// The interpreter of the venv holding `awslambdaric`.
    pub(crate) python: PathBuf,
    /// The Node.js binary the local runs use.
    pub(crate) node: PathBuf,
    /// The `aws-lambda-ric` entry script.
    pub(crate) node_ric: PathBuf,
}

impl RuntimeClients {
    pub(crate) fn in_workspace(root: &Path) -> Self {
        let node_modules = crate::paths::runtimes_dir(root)
            .join("node")
            .join("node_modules");
        Self {
            python: crate::paths::runtime_python(root),
            node: node_modules.join("node").join("bin").join("node"),
            node_ric: node_modules.join("aws-lambda-ric").join("index.mjs"),
        }
    }
}

/// What to start for `request`; `Err` is Lambda's error (type, message) for code or a runtime
/// that cannot start here.
pub(crate) fn launch(
    request: &InvokeRequest,
    clients: &RuntimeClients,
) -> Result<Launch, (String, String)> {
    let invalid = |message: String| Err(("Runtime.InvalidEntrypoint".to_string(), message));
    let code = request.code_dir.display().to_string();
    match Language::of(&request.runtime) {
        Some(Language::Provided) => {
            let bootstrap = request.code_dir.join("bootstrap");
            if !bootstrap.is_file() {
                return invalid(format!("no bootstrap file in {code}"));
            }
            super::elf::check_runs_here(&bootstrap)
                .map_err(|message| ("Runtime.InvalidEntrypoint".to_string(), message))?;
            Ok(Launch {
                program: bootstrap,
                args: Vec::new(),
                env: Vec::new(),
            })
        }
        Some(Language::Python) => Ok(Launch {
            program: installed(&clients.python, "awslambdaric (Python)")?,
            args: vec![
                "-m".to_string(),
                "awslambdaric".to_string(),
                request.handler.clone(),
            ],
            env: vec![
                ("PYTHONPATH".to_string(), code),
                ("PYTHONUNBUFFERED".to_string(), "1".to_string()),
            ],
        }),
        Some(Language::Node) => {
            let node = installed(&clients.node, "Node.js for the local runtime")?;
            let ric = installed(&clients.node_ric, "aws-lambda-ric (Node.js)")?;
            // aws-lambda-ric takes the handler from `_HANDLER` and the code from
            // `LAMBDA_TASK_ROOT`, both set for every runtime.
            Ok(Launch {
                program: node,
                args: vec![ric.display().to_string()],
                env: vec![("NODE_PATH".to_string(), format!("{code}/node_modules"))],
            })
        }
        None => Err((
            "InvalidRuntimeException".to_string(),
            format!(
                "runtime {} is not run by the local runtime; use provided.al2023, python3.x or nodejs*.x",
                request.runtime
            ),
        )),
    }
}

fn installed(path: &Path, what: &str) -> Result<PathBuf, (String, String)> {
    if path.is_file() {
        Ok(path.to_path_buf())
    } else {
        Err((
            "Runtime.InvalidEntrypoint".to_string(),
            format!(
                "{what} is missing at {}: run scripts/setup --local",
                path.display()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtimes_map_to_their_language() {
        assert_eq!(Language::of("provided.al2023"), Some(Language::Provided));
        assert_eq!(Language::of("python3.13"), Some(Language::Python));
        assert_eq!(Language::of("nodejs22.x"), Some(Language::Node));
        assert_eq!(Language::of("java21"), None);
    }
}
