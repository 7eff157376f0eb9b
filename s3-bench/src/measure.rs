//! The measuring wrapper: `s3-bench measure --cgroup-procs P --cores 0 --usage-out F -- CMD...`.
//!
//! It joins the cgroup and CPU set itself, then starts the reader as its only child, so the
//! child (and every thread it makes) inherits both, and `getrusage(RUSAGE_CHILDREN)` after the
//! wait is exactly that reader's CPU time and peak RSS, threads included. No `unsafe`, no
//! `pre_exec`: the wrapper is a plain process that idles in `wait` while the reader runs.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use nix::sched::{sched_getaffinity, sched_setaffinity, CpuSet};
use nix::sys::resource::{getrusage, UsageWho};
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};

use crate::cli::{MeasureArgs, PlaceArgs};

/// Why the `measure` wrapper or the `place` launcher could not run the command.
#[derive(Debug, thiserror::Error)]
pub enum MeasureError {
    /// The wrapper could not move itself into the quota group (not root, or the group is gone).
    #[error("could not join cgroup {path}: {source}")]
    JoinCgroup {
        /// The group's `cgroup.procs` file.
        path: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The CPU affinity could not be set: a core this machine (or this process) does not have.
    #[error("could not pin to CPU cores {cores:?}: {source}; pass cores this machine has")]
    Affinity {
        /// The cores asked for.
        cores: Vec<usize>,
        /// The operating system's error.
        #[source]
        source: nix::Error,
    },
    /// The command could not be started (not installed, not executable).
    #[error("could not start {program}: {source}")]
    Spawn {
        /// The program, as given after `--`.
        program: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// Nothing was given after `--`.
    #[error("no command given; pass it after `--`")]
    NoCommand,
    /// The kernel did not report the child's resource usage.
    #[error("getrusage failed: {0}")]
    Rusage(#[source] nix::Error),
    /// The usage JSON could not be written to `--usage-out`.
    #[error("could not write the usage to {path}: {source}")]
    WriteUsage {
        /// The `--usage-out` file.
        path: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

/// What one reader process used, as the kernel accounted it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChildUsage {
    /// User CPU seconds, all threads.
    pub user_s: f64,
    /// System CPU seconds, all threads.
    pub sys_s: f64,
    /// Peak resident set size in KiB (`ru_maxrss`).
    pub max_rss_kib: u64,
    /// Wall time of the whole process, start to exit (interpreter start-up included).
    pub wall_s: f64,
    /// Exit code; `None` when a signal ended it.
    pub exit_code: Option<i32>,
    /// When the wrapper started the command, in seconds of the system's monotonic clock (see
    /// `local_s3::monotonic_s`): the start of its init time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_monotonic_s: Option<f64>,
}

impl ChildUsage {
    /// User plus system CPU, in seconds.
    pub fn cpu_s(&self) -> f64 {
        self.user_s + self.sys_s
    }
}

/// Moves the calling process into the cgroup whose `cgroup.procs` is `procs`.
fn join_cgroup(procs: &Path) -> Result<(), MeasureError> {
    fs::write(procs, std::process::id().to_string()).map_err(|source| MeasureError::JoinCgroup {
        path: procs.display().to_string(),
        source,
    })
}

/// Pins the calling thread, and so every thread and process it starts afterwards, to `cores`.
pub fn pin_to_cores(cores: &[usize]) -> Result<(), MeasureError> {
    let affinity = |source| MeasureError::Affinity {
        cores: cores.to_vec(),
        source,
    };
    let mut set = CpuSet::new();
    for &core in cores {
        set.set(core).map_err(affinity)?;
    }
    sched_setaffinity(Pid::from_raw(0), &set).map_err(affinity)
}

/// The cores the calling thread may run on.
pub fn allowed_cores() -> Vec<usize> {
    match sched_getaffinity(Pid::from_raw(0)) {
        Ok(set) => (0..CpuSet::count())
            .filter(|&c| set.is_set(c).unwrap_or(false))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The wrapper's body: join, pin, run the command, write its usage. Returns its exit code.
pub fn run_measured(args: &MeasureArgs) -> Result<i32, MeasureError> {
    if let Some(procs) = &args.cgroup_procs {
        join_cgroup(procs)?;
    }
    if let Some(cores) = &args.cores {
        pin_to_cores(cores)?;
    }
    let (program, rest) = args.command.split_first().ok_or(MeasureError::NoCommand)?;
    // The machine's monotonic clock, as the server's first-connection time (init = the
    // difference).
    let started_monotonic_s = local_s3::monotonic_s();
    let started = Instant::now();
    let status = Command::new(program)
        .args(rest)
        .stdin(Stdio::null())
        .status()
        .map_err(|source| MeasureError::Spawn {
            program: program.clone(),
            source,
        })?;
    let wall_s = started.elapsed().as_secs_f64();
    let usage = ChildUsage {
        started_monotonic_s,
        ..children_usage(wall_s, status.code())?
    };
    write_usage(&args.usage_out, &usage)?;
    Ok(status.code().unwrap_or(128))
}

/// The usage of every waited-for child of this process (the wrapper has exactly one).
fn children_usage(wall_s: f64, exit_code: Option<i32>) -> Result<ChildUsage, MeasureError> {
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).map_err(MeasureError::Rusage)?;
    let secs = |tv: nix::sys::time::TimeVal| tv.tv_sec() as f64 + tv.tv_usec() as f64 / 1e6;
    Ok(ChildUsage {
        user_s: secs(usage.user_time()),
        sys_s: secs(usage.system_time()),
        max_rss_kib: u64::try_from(usage.max_rss()).unwrap_or(0),
        wall_s,
        exit_code,
        started_monotonic_s: None,
    })
}

fn write_usage(path: &PathBuf, usage: &ChildUsage) -> Result<(), MeasureError> {
    let text = serde_json::to_string(usage).unwrap_or_default();
    fs::write(path, text).map_err(|source| MeasureError::WriteUsage {
        path: path.display().to_string(),
        source,
    })
}

/// The `place` launcher's body: pin to the cores, then become the command (`exec`). Returns
/// only when the command could not be started.
pub fn place_and_exec(args: &PlaceArgs) -> MeasureError {
    use std::os::unix::process::CommandExt;
    if let Err(err) = pin_to_cores(&args.cores) {
        return err;
    }
    let Some((program, rest)) = args.command.split_first() else {
        return MeasureError::NoCommand;
    };
    let source = Command::new(program).args(rest).exec();
    MeasureError::Spawn {
        program: program.clone(),
        source,
    }
}

/// Reads what the wrapper wrote.
pub fn read_usage(path: &Path) -> Option<ChildUsage> {
    serde_json::from_str(&fs::read_to_string(path).ok()?).ok()
}
