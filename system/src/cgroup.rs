//! CPU quotas for child processes, as Lambda gives them (1769 MB of memory buy one vCPU), through
//! cgroups. v1: a group under the `cpu` hierarchy with `cpu.cfs_period_us` and `cpu.cfs_quota_us`;
//! v2: a group with `cpu.max` = "QUOTA PERIOD".
//!
//! [`CpuController::detect`] finds where groups can be made by making one: cgroup v1's `cpu`
//! hierarchy first (where it is mounted, v2 has no `cpu` controller), then v2; in each the
//! process's own group before the hierarchy's root. [`CpuController::create_group`] makes a group
//! named `PREFIX<pid>-<n>`; a process joins it by writing its pid to [`CpuGroup::procs_file`]. A
//! group is removed when dropped, once its processes are gone; groups a killed owner left behind
//! are removed by [`CpuController::remove_stale_groups`].

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Memory that buys one vCPU on Lambda.
pub const MB_PER_VCPU: f64 = 1769.0;
/// The CFS period of every group (the kernel's default, as Lambda uses).
const PERIOD_US: u64 = 100_000;
/// The kernel refuses quotas below 1 ms per period.
const MIN_QUOTA_US: u64 = 1_000;
/// The groups [`CpuController::detect`] makes to find out whether it can.
const PROBE_PREFIX: &str = "cpu-quota-probe-";
/// How long [`CpuGroup::remove`] waits for the processes of a group to leave it.
const REMOVE_ATTEMPTS: u32 = 100;
const REMOVE_INTERVAL: Duration = Duration::from_millis(10);

static NEXT_GROUP: AtomicU64 = AtomicU64::new(0);

/// Why a quota could not be set; callers report it and run without that quota.
#[derive(Debug, thiserror::Error)]
pub enum QuotaError {
    /// No cgroup CPU controller this process can write to; the reason says what was tried.
    #[error("{reason}")]
    Unavailable {
        /// Each place tried and why it failed, e.g. `/sys/fs/cgroup: Permission denied`.
        reason: String,
    },
    /// The CPU count is not a finite number in `(0, 1024]`; the caller passes a positive one.
    #[error("CPU quota {cpus} is out of range; pass a positive number of CPUs such as 0.58 or 1")]
    BadQuota {
        /// The CPUs asked for.
        cpus: f64,
    },
    /// A cgroup file or folder could not be written or removed (often: not root, or the
    /// controller is not delegated to this group).
    #[error("cgroup file {}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> QuotaError + '_ {
    move |source| QuotaError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The vCPU share Lambda gives `memory_mb`, capped at the machine's `machine_cpus`.
pub fn vcpus_for_memory(memory_mb: u32, machine_cpus: usize) -> f64 {
    (f64::from(memory_mb) / MB_PER_VCPU).min(machine_cpus.max(1) as f64)
}

/// The machine's CPU count (1 when unknown).
pub fn machine_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The quota in microseconds per [`PERIOD_US`] for `cpus` CPUs (at least [`MIN_QUOTA_US`]).
fn quota_us(cpus: f64) -> Result<u64, QuotaError> {
    if !(cpus.is_finite() && cpus > 0.0 && cpus <= 1024.0) {
        return Err(QuotaError::BadQuota { cpus });
    }
    Ok(((cpus * PERIOD_US as f64).round() as u64).max(MIN_QUOTA_US))
}

/// Which cgroup interface carries the CPU controller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CgroupVersion {
    /// cgroup v1: a `cpu` hierarchy with `cpu.cfs_period_us` and `cpu.cfs_quota_us`.
    V1,
    /// cgroup v2 (the unified hierarchy): `cpu.max`.
    V2,
}

impl CgroupVersion {
    /// `v1` or `v2`.
    pub fn name(self) -> &'static str {
        match self {
            CgroupVersion::V1 => "v1",
            CgroupVersion::V2 => "v2",
        }
    }

    /// `cgroup-v1` or `cgroup-v2`.
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
        /// The interface of the hierarchy `parent` is in.
        version: CgroupVersion,
        /// The cgroup folder the groups are made in.
        parent: PathBuf,
    },
    /// No writable cgroup with a CPU controller; processes run without a quota.
    Unavailable {
        /// Each place tried and why it failed, for the user's note.
        reason: String,
    },
}

impl CpuController {
    /// Finds a writable CPU controller of this process (see the module docs).
    pub fn detect() -> Self {
        let mounts = fs::read_to_string("/proc/self/mounts").unwrap_or_default();
        let own = fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
        Self::detect_in(&mounts, &own)
    }

    /// [`Self::detect`] from the text of `/proc/self/mounts` and `/proc/self/cgroup`.
    fn detect_in(mounts: &str, own_cgroups: &str) -> Self {
        let mut reasons = Vec::new();
        for (version, parent) in candidate_parents(mounts, own_cgroups) {
            match probe(version, &parent) {
                Ok(()) => {
                    remove_stale_groups(&parent, PROBE_PREFIX);
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

    /// Creates a group `PREFIX<pid>-<n>` limited to `cpus` CPUs.
    pub fn create_group(&self, prefix: &str, cpus: f64) -> Result<CpuGroup, QuotaError> {
        match self {
            CpuController::Available { version, parent } => {
                let name = format!(
                    "{prefix}{}-{}",
                    std::process::id(),
                    NEXT_GROUP.fetch_add(1, Ordering::Relaxed)
                );
                CpuGroup::create(*version, parent, &name, cpus)
            }
            CpuController::Unavailable { reason } => Err(QuotaError::Unavailable {
                reason: reason.clone(),
            }),
        }
    }

    /// Removes the empty groups named `PREFIX<pid>...` whose process no longer runs.
    pub fn remove_stale_groups(&self, prefix: &str) {
        if let CpuController::Available { parent, .. } = self {
            remove_stale_groups(parent, prefix);
        }
    }
}

/// Makes (and removes) a group under `parent`: the only proof that this process may.
fn probe(version: CgroupVersion, parent: &Path) -> Result<(), String> {
    if version == CgroupVersion::V2 {
        let available = fs::read_to_string(parent.join("cgroup.controllers"))
            .map_err(|e| format!("reading cgroup.controllers: {e}"))?;
        if !available.split_whitespace().any(|c| c == "cpu") {
            return Err(
                "the cpu controller is not available in this cgroup v2 hierarchy".to_string(),
            );
        }
    }
    let name = format!("{PROBE_PREFIX}{}", std::process::id());
    CpuGroup::create(version, parent, &name, 1.0).map_err(|e| e.to_string())?;
    Ok(())
}

/// The (version, parent directory) pairs worth trying, best first.
fn candidate_parents(mounts: &str, own_cgroups: &str) -> Vec<(CgroupVersion, PathBuf)> {
    let mut candidates = Vec::new();
    for line in mounts.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [_, mount_point, fstype, options, ..] = fields[..] else {
            continue;
        };
        if fstype == "cgroup" && options.split(',').any(|o| o == "cpu") {
            let own = own_path(own_cgroups, |controllers| {
                controllers.split(',').any(|c| c == "cpu")
            });
            push_with_own(
                &mut candidates,
                CgroupVersion::V1,
                Path::new(mount_point),
                own,
            );
        }
    }
    for line in mounts.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [_, mount_point, fstype, ..] = fields[..] else {
            continue;
        };
        if fstype == "cgroup2" {
            let own = own_path(own_cgroups, str::is_empty);
            push_with_own(
                &mut candidates,
                CgroupVersion::V2,
                Path::new(mount_point),
                own,
            );
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

/// In v2 a child group has `cpu.max` only when its parent delegates the cpu controller; the
/// parent may host processes and still delegate.
fn enable_cpu_in_subtree(parent: &Path) -> Result<(), QuotaError> {
    let control = parent.join("cgroup.subtree_control");
    let enabled = fs::read_to_string(&control).unwrap_or_default();
    if enabled.split_whitespace().any(|c| c == "cpu") {
        return Ok(());
    }
    fs::write(&control, "+cpu").map_err(io_error(&control))
}

/// Removes the empty groups `PREFIX<pid>...` under `parent` whose process no longer runs.
fn remove_stale_groups(parent: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(prefix) else {
            continue;
        };
        let owner = rest.split('-').find_map(|part| part.parse::<u32>().ok());
        let owner_alive = owner.is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
        if !owner_alive {
            // A group that still holds processes is not removed: the kernel refuses.
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
    removed: bool,
}

impl CpuGroup {
    /// Creates `parent/name` limited to `cpus` CPUs.
    fn create(
        version: CgroupVersion,
        parent: &Path,
        name: &str,
        cpus: f64,
    ) -> Result<Self, QuotaError> {
        let quota_us = quota_us(cpus)?;
        if version == CgroupVersion::V2 {
            enable_cpu_in_subtree(parent)?;
        }
        let dir = parent.join(name);
        fs::create_dir(&dir).map_err(io_error(&dir))?;
        // From here on a failure drops the group, which removes the directory.
        let group = CpuGroup {
            dir,
            version,
            quota_us,
            removed: false,
        };
        group.write_quota()?;
        Ok(group)
    }

    fn write_quota(&self) -> Result<(), QuotaError> {
        let write = |file: &str, value: String| {
            let path = self.dir.join(file);
            fs::write(&path, value).map_err(io_error(&path))
        };
        match self.version {
            CgroupVersion::V1 => {
                write("cpu.cfs_period_us", PERIOD_US.to_string())?;
                write("cpu.cfs_quota_us", self.quota_us.to_string())
            }
            CgroupVersion::V2 => write("cpu.max", format!("{} {PERIOD_US}", self.quota_us)),
        }
    }

    /// The group's folder in the cgroup file system.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The cgroup interface the group was made with (which files hold its quota).
    pub fn version(&self) -> CgroupVersion {
        self.version
    }

    /// The CPU time the group may use per period, in microseconds (e.g. 58,000 for 0.58 CPU).
    pub fn quota_us(&self) -> u64 {
        self.quota_us
    }

    /// The period the quota is measured over, in microseconds (always 100,000).
    pub fn period_us(&self) -> u64 {
        PERIOD_US
    }

    /// Writing a pid here moves that process (and its future children) into the group.
    pub fn procs_file(&self) -> PathBuf {
        self.dir.join("cgroup.procs")
    }

    /// Reads back the quota as the kernel holds it: (quota µs, period µs).
    #[cfg(test)]
    fn read_quota(&self) -> io::Result<(u64, u64)> {
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

    /// How many periods the group was throttled in (`nr_throttled` of `cpu.stat`).
    pub fn throttled_periods(&self) -> Option<u64> {
        let stat = fs::read_to_string(self.dir.join("cpu.stat")).ok()?;
        stat.lines().find_map(|line| {
            let (key, value) = line.split_once(' ')?;
            (key == "nr_throttled").then(|| value.trim().parse().ok())?
        })
    }

    /// Removes the group. A killed process leaves its group only as it exits, so a busy group is
    /// retried for up to a second; any other refusal is returned at once. Dropping the group
    /// removes it too, ignoring the error.
    pub fn remove(&mut self) -> Result<(), QuotaError> {
        if self.removed {
            return Ok(());
        }
        self.removed = true;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match fs::remove_dir(&self.dir) {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::ResourceBusy && attempt < REMOVE_ATTEMPTS => {
                    std::thread::sleep(REMOVE_INTERVAL);
                }
                Err(e) => return Err(io_error(&self.dir)(e)),
            }
        }
    }
}

impl Drop for CpuGroup {
    fn drop(&mut self) {
        // Callers that must know call `remove` themselves; groups left here are stale groups.
        let _ = self.remove();
    }
}

#[cfg(test)]
impl CpuController {
    /// A controller that creates groups under `parent` without probing.
    fn at(version: CgroupVersion, parent: impl Into<PathBuf>) -> Self {
        CpuController::Available {
            version,
            parent: parent.into(),
        }
    }

    /// The cgroup version, when available.
    fn version(&self) -> Option<CgroupVersion> {
        match self {
            CpuController::Available { version, .. } => Some(*version),
            CpuController::Unavailable { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas_are_microseconds_per_period() {
        assert_eq!(quota_us(0.58).ok(), Some(58_000));
        assert_eq!(quota_us(1.0).ok(), Some(100_000));
        assert_eq!(quota_us(2.0).ok(), Some(200_000));
        assert_eq!(quota_us(0.001).ok(), Some(1000));
        assert!(matches!(quota_us(0.0), Err(QuotaError::BadQuota { .. })));
        assert!(matches!(
            quota_us(f64::NAN),
            Err(QuotaError::BadQuota { .. })
        ));
    }

    #[test]
    fn quota_is_proportional_to_memory_and_capped() {
        let quota = |memory_mb, cpus| quota_us(vcpus_for_memory(memory_mb, cpus)).unwrap();
        assert_eq!(quota(1769, 2), 100_000);
        assert_eq!(quota(128, 2), 7_236);
        assert_eq!(quota(3538, 4), 200_000);
        // 10240 MB would be 5.79 vCPUs: capped at the machine's 2.
        assert_eq!(quota(10_240, 2), 200_000);
        assert!((vcpus_for_memory(885, 8) - 0.5003).abs() < 0.001);
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

    /// Temp dirs stand in for the hierarchies: detection makes a probe group in each.
    #[test]
    fn detects_v1_then_v2_layouts() -> Result<(), Box<dyn std::error::Error>> {
        let v1 = tempfile::tempdir()?;
        let mounts = format!("cgroup {} cgroup rw,cpu 0 0\n", v1.path().display());
        assert_eq!(
            CpuController::detect_in(&mounts, "1:cpu:/\n"),
            CpuController::at(CgroupVersion::V1, v1.path())
        );

        let v2 = tempfile::tempdir()?;
        fs::write(v2.path().join("cgroup.controllers"), "cpuset cpu io memory")?;
        let mounts = format!("cgroup2 {} cgroup2 rw 0 0\n", v2.path().display());
        assert_eq!(
            CpuController::detect_in(&mounts, "0::/\n"),
            CpuController::at(CgroupVersion::V2, v2.path())
        );

        let v2_without_cpu = tempfile::tempdir()?;
        fs::write(v2_without_cpu.path().join("cgroup.controllers"), "hugetlb")?;
        let mounts = format!(
            "cgroup2 {} cgroup2 rw 0 0\n",
            v2_without_cpu.path().display()
        );
        match CpuController::detect_in(&mounts, "0::/\n") {
            CpuController::Unavailable { reason } => {
                assert!(
                    reason.contains("cpu controller is not available"),
                    "{reason}"
                );
            }
            other => panic!("{other:?}"),
        }
        match CpuController::detect_in("", "") {
            CpuController::Unavailable { reason } => assert!(reason.contains("no cgroup")),
            other => panic!("{other:?}"),
        }
        Ok(())
    }

    #[test]
    fn v2_group_writes_cpu_max_and_enables_the_controller() -> Result<(), Box<dyn std::error::Error>>
    {
        let root = tempfile::tempdir()?;
        fs::write(root.path().join("cgroup.controllers"), "cpu memory")?;
        fs::write(root.path().join("cgroup.subtree_control"), "memory")?;
        let controller = CpuController::at(CgroupVersion::V2, root.path());
        let group = controller.create_group("bench-test-", 0.58)?;
        assert_eq!(
            fs::read_to_string(group.dir().join("cpu.max"))?,
            "58000 100000"
        );
        assert_eq!(group.read_quota()?, (58_000, 100_000));
        assert_eq!(
            fs::read_to_string(root.path().join("cgroup.subtree_control"))?,
            "+cpu"
        );
        assert_eq!(group.procs_file(), group.dir().join("cgroup.procs"));
        let name = group
            .dir()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(
            name.starts_with(&format!("bench-test-{}-", std::process::id())),
            "{name}"
        );
        // On a plain directory (not cgroupfs) the files keep the group from being removed.
        fs::remove_file(group.dir().join("cpu.max"))?;
        let dir = group.dir().to_path_buf();
        drop(group);
        assert!(!dir.exists());
        Ok(())
    }

    #[test]
    fn v1_group_writes_quota_and_period() -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        let mut group = CpuGroup::create(CgroupVersion::V1, root.path(), "g", 1.0)?;
        assert_eq!(
            fs::read_to_string(group.dir().join("cpu.cfs_quota_us"))?,
            "100000"
        );
        assert_eq!(
            fs::read_to_string(group.dir().join("cpu.cfs_period_us"))?,
            "100000"
        );
        assert_eq!(group.read_quota()?, (100_000, 100_000));
        fs::write(
            group.dir().join("cpu.stat"),
            "nr_periods 10\nnr_throttled 4\nthrottled_time 9\n",
        )?;
        assert_eq!(group.throttled_periods(), Some(4));
        // A refusal other than "busy" is reported at once, not retried.
        assert!(matches!(group.remove(), Err(QuotaError::Io { .. })));
        Ok(())
    }

    #[test]
    fn unavailable_controller_says_why() {
        let controller = CpuController::Unavailable {
            reason: "no cgroup".to_string(),
        };
        let error = controller.create_group("x-", 1.0).expect_err("no group");
        assert_eq!(error.to_string(), "no cgroup");
        assert_eq!(controller.version(), None);
    }

    #[test]
    fn stale_groups_of_dead_owners_are_removed() -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        let own = format!("app-{}-0", std::process::id());
        // Pid 0 is never a running process.
        for name in [own.as_str(), "app-0-1", "other-0-1"] {
            fs::create_dir(root.path().join(name))?;
        }
        CpuController::at(CgroupVersion::V1, root.path()).remove_stale_groups("app-");
        assert!(root.path().join(&own).exists());
        assert!(!root.path().join("app-0-1").exists());
        assert!(root.path().join("other-0-1").exists());
        Ok(())
    }
}
