//! CPU quotas in proportion to memory, as Lambda gives them (1769 MB = 1 vCPU), through cgroups.
//!
//! v1 (these machines): a group under the `cpu` hierarchy with `cpu.cfs_period_us` and
//! `cpu.cfs_quota_us`; v2 (most users' machines): a group with `cpu.max` = "QUOTA PERIOD". A process
//! joins by writing its pid to the group's `cgroup.procs` (the environment's launcher does that
//! before it execs `bootstrap`, see `environment.rs`). Groups are named `local-lambda-PID-N` and
//! removed when the environment ends; groups left by a killed runtime are removed at the next start.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Memory that buys one vCPU on Lambda.
pub const MB_PER_VCPU: f64 = 1769.0;
/// The CFS period used for every group.
pub const PERIOD_US: u64 = 100_000;
/// The kernel refuses quotas below 1 ms.
const MIN_QUOTA_US: u64 = 1_000;
/// Prefix of every group this runtime creates.
const GROUP_PREFIX: &str = "local-lambda-";

static NEXT_GROUP: AtomicU64 = AtomicU64::new(0);

/// The vCPU share of `memory_mb`, capped at the machine's `cpus`.
pub fn vcpus_for(memory_mb: u32, cpus: usize) -> f64 {
    (f64::from(memory_mb) / MB_PER_VCPU).min(cpus.max(1) as f64)
}

/// The CFS quota (µs per [`PERIOD_US`]) for `memory_mb` on a machine with `cpus`.
pub fn quota_us_for(memory_mb: u32, cpus: usize) -> u64 {
    let quota = (vcpus_for(memory_mb, cpus) * PERIOD_US as f64).round() as u64;
    quota.max(MIN_QUOTA_US)
}

/// The machine's CPU count.
pub fn machine_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Which cgroup version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CgroupVersion {
    V1,
    V2,
}

impl CgroupVersion {
    pub fn label(self) -> &'static str {
        match self {
            CgroupVersion::V1 => "cgroup-v1",
            CgroupVersion::V2 => "cgroup-v2",
        }
    }
}

/// Where (and whether) CPU quota groups can be created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CpuController {
    /// Groups are created under `parent`.
    Available {
        version: CgroupVersion,
        parent: PathBuf,
    },
    /// No writable cgroup with a CPU controller; environments run without a quota.
    Unavailable { reason: String },
}

impl CpuController {
    /// Finds a writable CPU controller: cgroup v1's `cpu` hierarchy first (where it is mounted the
    /// `cpu` controller is not available in v2), then cgroup v2. Probes by creating a group.
    pub fn detect() -> Self {
        let mounts = fs::read_to_string("/proc/self/mounts").unwrap_or_default();
        let own = fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
        let mut reasons = Vec::new();
        for (version, parent) in candidate_parents(&mounts, &own) {
            match Self::probe(version, &parent) {
                Ok(()) => {
                    remove_stale_groups(&parent);
                    return CpuController::Available { version, parent };
                }
                Err(reason) => reasons.push(format!("{}: {reason}", parent.display())),
            }
        }
        if reasons.is_empty() {
            reasons.push("no cgroup v1 `cpu` or cgroup v2 mount found".to_string());
        }
        CpuController::Unavailable {
            reason: reasons.join("; "),
        }
    }

    /// A controller that creates groups under `parent` without probing (for tests and overrides).
    pub fn at(version: CgroupVersion, parent: impl Into<PathBuf>) -> Self {
        CpuController::Available {
            version,
            parent: parent.into(),
        }
    }

    fn probe(version: CgroupVersion, parent: &Path) -> Result<(), String> {
        if version == CgroupVersion::V2 {
            enable_cpu_in_subtree(parent)?;
        }
        let name = format!("{GROUP_PREFIX}probe-{}", std::process::id());
        let group = CpuGroup::create(version, parent, &name, 1769, 1).map_err(|e| e.to_string())?;
        drop(group);
        Ok(())
    }

    /// Creates a group with the quota for `memory_mb`.
    pub fn create_group(&self, memory_mb: u32) -> Result<CpuGroup, String> {
        match self {
            CpuController::Available { version, parent } => {
                let name = format!(
                    "{GROUP_PREFIX}{}-{}",
                    std::process::id(),
                    NEXT_GROUP.fetch_add(1, Ordering::Relaxed)
                );
                CpuGroup::create(*version, parent, &name, memory_mb, machine_cpus())
                    .map_err(|e| format!("creating cgroup {name} in {}: {e}", parent.display()))
            }
            CpuController::Unavailable { reason } => Err(reason.clone()),
        }
    }
}

/// The (version, parent directory) pairs worth trying, best first.
fn candidate_parents(mounts: &str, own_cgroups: &str) -> Vec<(CgroupVersion, PathBuf)> {
    let mut candidates = Vec::new();
    for line in mounts.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [_, mount_point, fstype, options, ..] = fields[..] else {
            continue;
        };
        let mount_point = PathBuf::from(mount_point);
        if fstype == "cgroup" && options.split(',').any(|o| o == "cpu") {
            let own = own_path(own_cgroups, |controllers| {
                controllers.split(',').any(|c| c == "cpu")
            });
            push_with_own(&mut candidates, CgroupVersion::V1, &mount_point, own);
        }
    }
    for line in mounts.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [_, mount_point, fstype, ..] = fields[..] else {
            continue;
        };
        if fstype == "cgroup2" {
            let mount_point = PathBuf::from(mount_point);
            let own = own_path(own_cgroups, str::is_empty);
            push_with_own(&mut candidates, CgroupVersion::V2, &mount_point, own);
        }
    }
    candidates
}

/// Tries the process's own group first, then the hierarchy's root.
fn push_with_own(
    candidates: &mut Vec<(CgroupVersion, PathBuf)>,
    version: CgroupVersion,
    mount_point: &Path,
    own: Option<String>,
) {
    if let Some(own) = own {
        let relative = own.trim_start_matches('/');
        if !relative.is_empty() {
            let dir = mount_point.join(relative);
            if dir.is_dir() {
                candidates.push((version, dir));
            }
        }
    }
    candidates.push((version, mount_point.to_path_buf()));
}

/// The path of this process's group in the hierarchy whose controller list matches.
fn own_path(own_cgroups: &str, matches: impl Fn(&str) -> bool) -> Option<String> {
    own_cgroups.lines().find_map(|line| {
        let mut parts = line.splitn(3, ':');
        let _id = parts.next()?;
        let controllers = parts.next()?;
        let path = parts.next()?;
        matches(controllers).then(|| path.to_string())
    })
}

/// In v2 a child group has `cpu.max` only when the parent delegates the cpu controller.
fn enable_cpu_in_subtree(parent: &Path) -> Result<(), String> {
    let available = fs::read_to_string(parent.join("cgroup.controllers"))
        .map_err(|e| format!("reading cgroup.controllers: {e}"))?;
    if !available.split_whitespace().any(|c| c == "cpu") {
        return Err("the cpu controller is not available in this cgroup v2 hierarchy".to_string());
    }
    let subtree = parent.join("cgroup.subtree_control");
    let enabled = fs::read_to_string(&subtree).unwrap_or_default();
    if enabled.split_whitespace().any(|c| c == "cpu") {
        return Ok(());
    }
    fs::write(&subtree, "+cpu").map_err(|e| format!("enabling +cpu in {}: {e}", subtree.display()))
}

/// Removes empty groups left by runtimes that no longer run.
fn remove_stale_groups(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(GROUP_PREFIX) else {
            continue;
        };
        let owner = rest.split('-').find_map(|part| part.parse::<u32>().ok());
        let owner_alive = owner.is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
        if !owner_alive {
            let _ = fs::remove_dir(entry.path());
        }
    }
}

/// A cgroup with a CPU quota; removed on drop (after its processes are gone).
#[derive(Debug)]
pub struct CpuGroup {
    dir: PathBuf,
    version: CgroupVersion,
    quota_us: u64,
    period_us: u64,
    removed: bool,
}

impl CpuGroup {
    /// Creates `parent/name` and writes the quota for `memory_mb` on a machine with `cpus`.
    pub fn create(
        version: CgroupVersion,
        parent: &Path,
        name: &str,
        memory_mb: u32,
        cpus: usize,
    ) -> io::Result<Self> {
        let dir = parent.join(name);
        fs::create_dir(&dir)?;
        let mut group = CpuGroup {
            dir,
            version,
            quota_us: quota_us_for(memory_mb, cpus),
            period_us: PERIOD_US,
            removed: false,
        };
        // On failure the group is dropped, which removes the directory.
        group.write_quota()?;
        Ok(group)
    }

    fn write_quota(&mut self) -> io::Result<()> {
        match self.version {
            CgroupVersion::V1 => {
                fs::write(
                    self.dir.join("cpu.cfs_period_us"),
                    self.period_us.to_string(),
                )?;
                fs::write(self.dir.join("cpu.cfs_quota_us"), self.quota_us.to_string())
            }
            CgroupVersion::V2 => fs::write(
                self.dir.join("cpu.max"),
                format!("{} {}", self.quota_us, self.period_us),
            ),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn version(&self) -> CgroupVersion {
        self.version
    }

    pub fn quota_us(&self) -> u64 {
        self.quota_us
    }

    pub fn period_us(&self) -> u64 {
        self.period_us
    }

    /// The file a process writes its pid to in order to join.
    pub fn procs_file(&self) -> PathBuf {
        self.dir.join("cgroup.procs")
    }

    /// Reads back the quota as the kernel holds it: (quota µs, period µs).
    pub fn read_quota(&self) -> io::Result<(u64, u64)> {
        let parse = |text: &str| {
            text.trim()
                .parse::<u64>()
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{text:?}: {e}")))
        };
        match self.version {
            CgroupVersion::V1 => Ok((
                parse(&fs::read_to_string(self.dir.join("cpu.cfs_quota_us"))?)?,
                parse(&fs::read_to_string(self.dir.join("cpu.cfs_period_us"))?)?,
            )),
            CgroupVersion::V2 => {
                let text = fs::read_to_string(self.dir.join("cpu.max"))?;
                let mut parts = text.split_whitespace();
                let quota = parse(parts.next().unwrap_or(""))?;
                let period = parse(parts.next().unwrap_or(""))?;
                Ok((quota, period))
            }
        }
    }

    /// Removes the group. Its processes must have exited; a killed process leaves the group as it
    /// exits, so this retries briefly (bounded) before giving up.
    pub fn remove(&mut self) {
        if self.removed {
            return;
        }
        for _ in 0..100 {
            match fs::remove_dir(&self.dir) {
                Ok(()) => break,
                Err(e) if e.kind() == io::ErrorKind::NotFound => break,
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
        if self.dir.exists() {
            tracing::warn!(group = %self.dir.display(), "could not remove cgroup (still busy)");
        }
        self.removed = true;
    }
}

impl Drop for CpuGroup {
    fn drop(&mut self) {
        self.remove();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_is_proportional_to_memory_and_capped() {
        assert_eq!(quota_us_for(1769, 2), 100_000);
        assert_eq!(quota_us_for(128, 2), 7_236);
        assert_eq!(quota_us_for(3538, 4), 200_000);
        // 10240 MB would be 5.79 vCPUs: capped at the machine's 2.
        assert_eq!(quota_us_for(10_240, 2), 200_000);
        assert!((vcpus_for(885, 8) - 0.5003).abs() < 0.001);
    }

    #[test]
    fn finds_v1_cpu_hierarchy_before_v2() {
        let mounts = "tmpfs /sys/fs/cgroup tmpfs rw 0 0\n\
                      cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\n\
                      cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n\
                      cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n";
        let own = "4:memory:/x\n1:cpu:/\n0::/\n";
        let found = candidate_parents(mounts, own);
        assert_eq!(
            found,
            vec![
                (CgroupVersion::V1, PathBuf::from("/sys/fs/cgroup/cpu")),
                (CgroupVersion::V2, PathBuf::from("/sys/fs/cgroup/unified")),
            ]
        );
    }

    #[test]
    fn finds_v2_only_hierarchy() {
        let mounts = "cgroup2 /sys/fs/cgroup cgroup2 rw,nsdelegate 0 0\n";
        let own = "0::/\n";
        assert_eq!(
            candidate_parents(mounts, own),
            vec![(CgroupVersion::V2, PathBuf::from("/sys/fs/cgroup"))]
        );
    }

    #[test]
    fn v2_group_writes_cpu_max_in_a_plain_directory() {
        // A v2 group is a directory with a cpu.max file; a temp dir stands in for the hierarchy
        // (the kernel is not involved, so this checks only the file format).
        let parent = tempfile::tempdir().expect("temp dir");
        let group =
            CpuGroup::create(CgroupVersion::V2, parent.path(), "g", 885, 2).expect("create group");
        assert_eq!(
            fs::read_to_string(group.dir().join("cpu.max")).expect("cpu.max"),
            "50028 100000"
        );
        assert_eq!(group.read_quota().expect("read back"), (50_028, 100_000));
        // cgroupfs removes its control files with the directory; a plain directory does not.
        fs::remove_file(group.dir().join("cpu.max")).expect("remove cpu.max");
    }

    #[test]
    fn unavailable_controller_says_why() {
        let controller = CpuController::Unavailable {
            reason: "no cgroup".to_string(),
        };
        assert_eq!(
            controller.create_group(1024).expect_err("no group"),
            "no cgroup"
        );
    }
}
