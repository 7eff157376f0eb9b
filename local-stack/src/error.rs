//! The errors of the local stack. Variant names are stable: callers match on them.

use std::path::PathBuf;

/// Everything that can go wrong while starting or talking to the local stack.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A tool that `scripts/setup` installs is not there.
    #[error("{what} is missing at {}: run scripts/setup", path.display())]
    SetupMissing { what: &'static str, path: PathBuf },

    /// Options that cannot be combined or are out of range.
    #[error("invalid options: {message}")]
    InvalidOptions { message: String },

    /// A child process could not be spawned.
    #[error("could not start {what}: {source}")]
    Spawn {
        what: &'static str,
        #[source]
        source: std::io::Error,
    },

    /// A server process exited while we waited for it to become ready.
    #[error("{what} exited during start ({status}); log tail:\n{log_tail}")]
    ExitedDuringStart {
        what: &'static str,
        status: String,
        log_tail: String,
    },

    /// A server did not answer in time.
    #[error("{what} was not ready after {seconds} s; log tail:\n{log_tail}")]
    NotReady {
        what: &'static str,
        seconds: u64,
        log_tail: String,
    },

    /// A configuration call was answered with an error status.
    #[error("{what} answered {status} to {request}: {body}")]
    Rejected {
        what: &'static str,
        request: String,
        status: u16,
        body: String,
    },

    /// An HTTP exchange on loopback failed.
    #[error("HTTP {request} failed: {message}")]
    Http { request: String, message: String },

    /// A local file or socket operation failed.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// A child process that could not be started: its log or the spawn itself.
    pub(crate) fn spawn(what: &'static str, error: system::process::SpawnError) -> Self {
        match error {
            system::process::SpawnError::Log { path, source } => {
                Error::io(format!("opening log {}", path.display()), source)
            }
            system::process::SpawnError::Spawn(source) => Error::Spawn { what, source },
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_setup_says_what_to_run() {
        let error = Error::SetupMissing {
            what: "the Python venv with moto",
            path: PathBuf::from(".venv/bin/python"),
        };
        assert_eq!(
            error.to_string(),
            "the Python venv with moto is missing at .venv/bin/python: run scripts/setup"
        );
    }
}
