//! Child processes that cannot outlive their owner: each runs in its own process group, which is
//! killed (SIGKILL) when the owner is dropped, also while a test unwinds from a panic.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use tokio::process::{Child, ChildStdin, Command};

use crate::Error;

/// How much of a log file an error message quotes.
const LOG_TAIL_BYTES: u64 = 4000;

/// A spawned process group whose output goes to a log file.
#[derive(Debug)]
pub struct GroupChild {
    child: Child,
    /// Held open so that the child sees EOF on stdin when we die (the launcher watches it).
    _stdin: Option<ChildStdin>,
    pgid: Option<i32>,
    log_path: PathBuf,
}

impl GroupChild {
    /// Spawns `command` in a new process group, stdout and stderr appended to `log_path`, stdin a
    /// pipe that stays open as long as this value lives.
    pub fn spawn(what: &'static str, mut command: Command, log_path: &Path) -> Result<Self, Error> {
        let log = File::options()
            .create(true)
            .append(true)
            .open(log_path)
            .map_err(|e| Error::io(format!("opening log {}", log_path.display()), e))?;
        let log_err = log
            .try_clone()
            .map_err(|e| Error::io(format!("opening log {}", log_path.display()), e))?;
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .process_group(0)
            .kill_on_drop(true);
        let mut child = command
            .spawn()
            .map_err(|source| Error::Spawn { what, source })?;
        let stdin = child.stdin.take();
        let pgid = child.id().and_then(|id| i32::try_from(id).ok());
        Ok(Self {
            child,
            _stdin: stdin,
            pgid,
            log_path: log_path.to_path_buf(),
        })
    }

    /// The process id (also the process group id).
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// `Some(description)` when the process has exited.
    pub fn exit_status(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            Ok(None) => None,
            Err(e) => Some(format!("unknown status: {e}")),
        }
    }

    /// Waits until the process exits and describes how it ended.
    pub async fn wait(&mut self) -> String {
        match self.child.wait().await {
            Ok(status) => status.to_string(),
            Err(e) => format!("unknown status: {e}"),
        }
    }

    /// The last few KB of the log.
    pub fn log_tail(&self) -> String {
        read_tail(&self.log_path)
    }

    /// Kills the whole process group now and waits for the leader.
    pub async fn kill(&mut self) {
        self.signal_group();
        let _ = self.child.kill().await;
    }

    fn signal_group(&mut self) {
        if let Some(pgid) = self.pgid.take() {
            // The group may already be gone; nothing to do then.
            let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
        }
    }
}

impl Drop for GroupChild {
    fn drop(&mut self) {
        self.signal_group();
        // kill_on_drop(true) makes tokio reap the leader.
    }
}

/// The last few KB of a text file, or a note that it cannot be read.
pub fn read_tail(path: &Path) -> String {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) => return format!("(cannot read {}: {e})", path.display()),
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let start = len.saturating_sub(LOG_TAIL_BYTES);
    if file.seek(SeekFrom::Start(start)).is_err() {
        return String::new();
    }
    let mut bytes = Vec::new();
    let _ = file.read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}
