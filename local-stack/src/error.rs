//! The errors of the local stack. Variant names are stable: callers match on them.

use std::path::PathBuf;

/// Everything that can go wrong while starting or talking to the local stack.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A tool that `scripts/setup` installs is not there: run `scripts/setup`.
    #[error("{what} is missing at {}: run scripts/setup", path.display())]
    SetupMissing {
        /// The tool, e.g. `the Python venv with moto`.
        what: &'static str,
        /// Where it was looked for.
        path: PathBuf,
    },

    /// Options that cannot be combined or are out of range: change the options the message names.
    #[error("invalid options: {message}")]
    InvalidOptions {
        /// Which options, and what is accepted.
        message: String,
    },

    /// A child process could not be spawned.
    #[error("could not start {what}: {source}")]
    Spawn {
        /// The process, e.g. `moto` or `bootstrap`.
        what: &'static str,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },

    /// A server process exited while we waited for it to become ready: its log tail says why.
    #[error("{what} exited during start ({status}); log tail:\n{log_tail}")]
    ExitedDuringStart {
        /// The server, e.g. `moto`.
        what: &'static str,
        /// Its exit status, as the operating system reports it.
        status: String,
        /// The end of its log.
        log_tail: String,
    },

    /// A server did not answer in time (a loaded machine, or a server stuck at start).
    #[error("{what} was not ready after {seconds} s; log tail:\n{log_tail}")]
    NotReady {
        /// The server, e.g. `moto`.
        what: &'static str,
        /// How long it was given, in seconds.
        seconds: u64,
        /// The end of its log.
        log_tail: String,
    },

    /// A configuration call was answered with an error status.
    #[error("{what} answered {status} to {request}: {body}")]
    Rejected {
        /// The server, e.g. `moto`.
        what: &'static str,
        /// The call, as `METHOD URL` (moto's config call adds the JSON it sent).
        request: String,
        /// The HTTP status code of the answer.
        status: u16,
        /// The answer's body, as text.
        body: String,
    },

    /// An HTTP exchange on loopback failed (no server on the port, a connection reset, a
    /// malformed URL).
    #[error("HTTP {request} failed: {message}")]
    Http {
        /// The request, as `METHOD URL`.
        request: String,
        /// What failed, from the HTTP client.
        message: String,
    },

    /// A local file or socket operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, e.g. `binding 127.0.0.1:0 to find a free port`.
        context: String,
        /// The operating system's error.
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

    /// An [`Error::Io`] with what was being done.
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
