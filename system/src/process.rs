//! Child processes that cannot outlive their owner.
//!
//! - [`GroupChild`]: a tokio child that leads its own process group; the whole group is killed
//!   (SIGKILL) when the value is dropped, also while a test unwinds from a panic. Its stdin, when
//!   piped, stays open as long as the value lives, so a child that exits on EOF (`local-s3
//!   --exit-on-stdin-eof`, `local-lambda`, moto's launcher) also goes when the owner dies.
//! - [`KillOnDrop`]: a `std::process::Child` killed and reaped on drop (tests' helpers).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// Why a [`GroupChild`] could not be started.
#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    /// The log file could not be opened for appending (a missing folder, no permission).
    #[error("opening log {}: {source}", path.display())]
    Log {
        /// The log file given to [`GroupChild::spawn_logged`].
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// The program could not be started (not found, not executable).
    #[error("{0}")]
    Spawn(#[source] io::Error),
}

/// A process group, killed (SIGKILL) when this value is dropped.
#[derive(Debug)]
struct ProcessGroup {
    pgid: Option<Pid>,
}

impl ProcessGroup {
    /// The group led by `child`, which must have been spawned with `process_group(0)`.
    fn led_by(child: &Child) -> Self {
        Self {
            pgid: child
                .id()
                .and_then(|id| i32::try_from(id).ok())
                .map(Pid::from_raw),
        }
    }

    /// Sends `signal` to every process of the group (none once the group was killed).
    fn signal(&self, signal: Signal) {
        if let Some(pgid) = self.pgid {
            // The group may already be gone; nothing to do then.
            let _ = killpg(pgid, signal);
        }
    }

    /// Kills the whole group now.
    fn kill(&mut self) {
        self.signal(Signal::SIGKILL);
        self.pgid = None;
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A child that leads its own process group, killed with the group when dropped.
#[derive(Debug)]
pub struct GroupChild {
    child: Child,
    /// Held open so that the child sees EOF on stdin when we die.
    stdin: Option<ChildStdin>,
    group: ProcessGroup,
}

impl GroupChild {
    /// Spawns `command` as the leader of a new process group. Set up stdin, stdout and stderr
    /// before; a piped stdin is kept open while this value lives.
    pub fn spawn(command: &mut Command) -> io::Result<Self> {
        let mut child = command.process_group(0).kill_on_drop(true).spawn()?;
        let group = ProcessGroup::led_by(&child);
        let stdin = child.stdin.take();
        Ok(Self {
            child,
            stdin,
            group,
        })
    }

    /// [`Self::spawn`] with stdout and stderr appended to `log_path` and stdin a pipe.
    pub fn spawn_logged(command: &mut Command, log_path: &Path) -> Result<Self, SpawnError> {
        let log_error = |source| SpawnError::Log {
            path: log_path.to_path_buf(),
            source,
        };
        let log = File::options()
            .create(true)
            .append(true)
            .open(log_path)
            .map_err(log_error)?;
        let log_err = log.try_clone().map_err(log_error)?;
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err));
        Self::spawn(command).map_err(SpawnError::Spawn)
    }

    /// The process id (also the process group id); `None` once it was reaped.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// The child's stdout, when it was piped (once).
    pub fn take_stdout(&mut self) -> Option<ChildStdout> {
        self.child.stdout.take()
    }

    /// Closes our end of the child's stdin (a child that watches it then stops).
    #[cfg(test)]
    fn close_stdin(&mut self) {
        self.stdin = None;
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

    /// Kills the whole process group now and waits for the leader.
    pub async fn kill(&mut self) {
        self.group.kill();
        let _ = self.child.kill().await;
    }

    /// Asks the group to stop (SIGTERM, so it can clean up), waits up to `grace` for the leader,
    /// then kills the group.
    pub async fn stop(&mut self, grace: Duration) {
        self.group.signal(Signal::SIGTERM);
        let _ = tokio::time::timeout(grace, self.child.wait()).await;
        self.kill().await;
    }

    /// Waits for the leader and collects its piped stdout and stderr. The group is killed when
    /// this future is dropped before it ends (a timeout, say) and when it ends.
    pub async fn wait_with_output(self) -> io::Result<std::process::Output> {
        let GroupChild {
            child,
            stdin,
            group,
        } = self;
        let output = child.wait_with_output().await;
        drop((stdin, group));
        output
    }
}

/// The last `max_bytes` of a text file (a child's log, for error messages), or a note that it
/// cannot be read.
pub fn read_tail(path: &Path, max_bytes: u64) -> String {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) => return format!("(cannot read {}: {e})", path.display()),
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if file
        .seek(SeekFrom::Start(len.saturating_sub(max_bytes)))
        .is_err()
    {
        return String::new();
    }
    let mut bytes = Vec::new();
    let _ = file.read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A `std::process::Child` killed and reaped when dropped, also when a test panics.
#[derive(Debug)]
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alive(pid: u32) -> bool {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        !status.is_empty() && !status.contains("State:\tZ")
    }

    async fn gone_within(pid: u32, limit: Duration) -> bool {
        let started = std::time::Instant::now();
        while alive(pid) && started.elapsed() < limit {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        !alive(pid)
    }

    /// A shell that starts a grandchild in the background and prints its pid.
    fn shell_with_grandchild() -> Command {
        let mut command = Command::new("/bin/sh");
        command
            .arg("-c")
            .arg("sleep 60 & echo $!; wait")
            .stdout(Stdio::piped());
        command
    }

    async fn first_line(child: &mut GroupChild) -> u32 {
        use tokio::io::AsyncBufReadExt;
        let stdout = child.take_stdout().unwrap();
        let mut line = String::new();
        tokio::io::BufReader::new(stdout)
            .read_line(&mut line)
            .await
            .unwrap();
        line.trim().parse().unwrap()
    }

    #[tokio::test]
    async fn dropping_the_child_kills_its_whole_group() {
        let mut child = GroupChild::spawn(&mut shell_with_grandchild()).unwrap();
        let grandchild = first_line(&mut child).await;
        assert!(alive(grandchild));
        drop(child);
        assert!(gone_within(grandchild, Duration::from_secs(5)).await);
    }

    #[tokio::test]
    async fn stop_ends_the_group_and_the_leader() {
        let mut child = GroupChild::spawn(&mut shell_with_grandchild()).unwrap();
        let grandchild = first_line(&mut child).await;
        child.stop(Duration::from_secs(5)).await;
        assert!(child.exit_status().is_some());
        assert!(gone_within(grandchild, Duration::from_secs(5)).await);
    }

    #[tokio::test]
    async fn a_piped_stdin_stays_open_until_closed() {
        let mut command = Command::new("/bin/cat");
        command.stdin(Stdio::piped()).stdout(Stdio::null());
        let mut child = GroupChild::spawn(&mut command).unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(
            child.exit_status(),
            None,
            "cat sees no EOF while we hold stdin"
        );
        child.close_stdin();
        let status = tokio::time::timeout(Duration::from_secs(5), child.wait())
            .await
            .unwrap();
        assert!(status.contains("exit status: 0"), "{status}");
    }

    #[tokio::test]
    async fn logged_output_and_its_tail() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("child.log");
        let mut command = Command::new("/bin/sh");
        command.arg("-c").arg("echo out; echo err >&2");
        let mut child = GroupChild::spawn_logged(&mut command, &log).unwrap();
        assert!(child.wait().await.contains("exit status: 0"));
        assert_eq!(read_tail(&log, 4000), "out\nerr\n");
        assert_eq!(read_tail(&log, 4), "err\n");
        assert!(read_tail(&dir.path().join("missing"), 10).starts_with("(cannot read"));

        let error = GroupChild::spawn_logged(&mut command, &dir.path().join("no/such/dir.log"))
            .unwrap_err();
        assert!(matches!(error, SpawnError::Log { .. }), "{error}");
        let error =
            GroupChild::spawn_logged(&mut Command::new("/no/such/program"), &log).unwrap_err();
        assert!(matches!(error, SpawnError::Spawn(_)), "{error}");
    }

    #[tokio::test]
    async fn output_is_collected_and_a_timeout_kills_the_group() {
        let mut command = Command::new("/bin/sh");
        command.arg("-c").arg("echo hi").stdout(Stdio::piped());
        let output = GroupChild::spawn(&mut command)
            .unwrap()
            .wait_with_output()
            .await
            .unwrap();
        assert_eq!(output.stdout, b"hi\n");

        let mut child = GroupChild::spawn(&mut shell_with_grandchild()).unwrap();
        let grandchild = first_line(&mut child).await;
        let timed_out =
            tokio::time::timeout(Duration::from_millis(100), child.wait_with_output()).await;
        assert!(timed_out.is_err());
        assert!(gone_within(grandchild, Duration::from_secs(5)).await);
    }

    #[test]
    fn kill_on_drop_reaps_the_child() {
        let child = std::process::Command::new("/bin/sleep")
            .arg("60")
            .spawn()
            .unwrap();
        let pid = child.id();
        drop(KillOnDrop(child));
        assert!(!alive(pid));
    }
}
