//! CPU quotas like Lambda's (1769 MB = 1 vCPU, so 1023 MB = 0.58 CPU): one cgroup per quota,
//! made by the harness and removed when dropped. Supports cgroup v1 (the `cpu` controller,
//! `cpu.cfs_quota_us` over `cpu.cfs_period_us`) and v2 (`cpu.max`).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The CFS period the quotas are expressed in (the kernel's default, as Lambda uses).
pub const PERIOD_US: u64 = 100_000;

/// Why a quota could not be set; the harness reports it and runs without that quota.
#[derive(Debug, thiserror::Error)]
pub enum QuotaError {
    #[error("no writable cgroup CPU controller (looked for {v1} and {v2} with `cpu` enabled); run as root on a machine with cgroups, or pass --cpus 0")]
    NoController { v1: String, v2: String },
    #[error("CPU quota {cpus} is out of range; pass a positive number of CPUs such as 0.58 or 1")]
    BadQuota { cpus: f64 },
    #[error("cgroup file {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> QuotaError + '_ {
    move |source| QuotaError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Which cgroup interface carries the CPU controller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CgroupFs {
    /// cgroup v1: the `cpu` hierarchy's root, e.g. `/sys/fs/cgroup/cpu`.
    V1 { cpu_root: PathBuf },
    /// cgroup v2: the unified hierarchy's root, e.g. `/sys/fs/cgroup`.
    V2 { root: PathBuf },
}

impl CgroupFs {
    /// Finds the CPU controller of this machine under `/sys/fs/cgroup`.
    pub fn detect() -> Result<Self, QuotaError> {
        Self::detect_under(Path::new("/sys/fs/cgroup"))
    }

    /// Finds the CPU controller under `base` (v1 first, then v2 at `base` or `base/unified`).
    pub fn detect_under(base: &Path) -> Result<Self, QuotaError> {
        let v1 = base.join("cpu");
        // Writability shows only when a group is made (cgroupfs roots are mode 555 even for
        // root); `create` then reports the real error.
        if v1.join("cpu.cfs_quota_us").is_file() {
            return Ok(Self::V1 { cpu_root: v1 });
        }
        for root in [base.to_path_buf(), base.join("unified")] {
            let controllers =
                fs::read_to_string(root.join("cgroup.controllers")).unwrap_or_default();
            if controllers.split_whitespace().any(|c| c == "cpu") {
                return Ok(Self::V2 { root });
            }
        }
        Err(QuotaError::NoController {
            v1: v1.display().to_string(),
            v2: base.join("cgroup.controllers").display().to_string(),
        })
    }

    /// `v1` or `v2`, for reports.
    pub fn version(&self) -> &'static str {
        match self {
            Self::V1 { .. } => "v1",
            Self::V2 { .. } => "v2",
        }
    }

    /// Makes the group `name` limited to `cpus` CPUs. The group is removed when dropped.
    pub fn create(&self, name: &str, cpus: f64) -> Result<CpuGroup, QuotaError> {
        let quota_us = quota_us(cpus)?;
        let dir = match self {
            Self::V1 { cpu_root } => cpu_root.join(name),
            Self::V2 { root } => root.join(name),
        };
        if !dir.is_dir() {
            fs::create_dir(&dir).map_err(io_err(&dir))?;
        }
        let group = CpuGroup {
            dir: dir.clone(),
            cpus,
        };
        match self {
            Self::V1 { .. } => {
                write(&dir.join("cpu.cfs_period_us"), &PERIOD_US.to_string())?;
                write(&dir.join("cpu.cfs_quota_us"), &quota_us.to_string())?;
            }
            Self::V2 { root } => {
                // The root may host processes and still delegate `cpu` to its children.
                let control = root.join("cgroup.subtree_control");
                let enabled = fs::read_to_string(&control).unwrap_or_default();
                if !enabled.split_whitespace().any(|c| c == "cpu") {
                    write(&control, "+cpu")?;
                }
                write(&dir.join("cpu.max"), &format!("{quota_us} {PERIOD_US}"))?;
            }
        }
        Ok(group)
    }
}

fn write(path: &Path, value: &str) -> Result<(), QuotaError> {
    fs::write(path, value).map_err(io_err(path))
}

/// The quota in microseconds per [`PERIOD_US`] for `cpus` CPUs.
pub fn quota_us(cpus: f64) -> Result<u64, QuotaError> {
    if !(cpus.is_finite() && cpus > 0.0 && cpus <= 1024.0) {
        return Err(QuotaError::BadQuota { cpus });
    }
    // The kernel's floor is 1 ms per period.
    Ok(((cpus * PERIOD_US as f64).round() as u64).max(1000))
}

/// One CPU-limited cgroup. Processes join it through [`CpuGroup::procs_file`].
#[derive(Debug)]
pub struct CpuGroup {
    dir: PathBuf,
    cpus: f64,
}

impl CpuGroup {
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn cpus(&self) -> f64 {
        self.cpus
    }

    /// Writing a pid here moves that process (and its future children) into the group.
    pub fn procs_file(&self) -> PathBuf {
        self.dir.join("cgroup.procs")
    }

    /// How many periods the group was throttled in (`nr_throttled` of `cpu.stat`).
    pub fn throttled_periods(&self) -> Option<u64> {
        let stat = fs::read_to_string(self.dir.join("cpu.stat")).ok()?;
        stat.lines().find_map(|line| {
            let (key, value) = line.split_once(' ')?;
            (key == "nr_throttled").then(|| value.trim().parse().ok())?
        })
    }
}

impl Drop for CpuGroup {
    fn drop(&mut self) {
        // A cgroup can be removed once its processes have exited; they have, since every run is
        // awaited before its group is dropped.
        if let Err(err) = fs::remove_dir(&self.dir) {
            eprintln!(
                "s3-bench: could not remove cgroup {}: {err}",
                self.dir.display()
            );
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
    fn detects_v1_then_v2_layouts() -> Result<(), Box<dyn std::error::Error>> {
        let v1 = tempfile::tempdir()?;
        fs::create_dir(v1.path().join("cpu"))?;
        fs::write(v1.path().join("cpu/cpu.cfs_quota_us"), "-1")?;
        assert_eq!(
            CgroupFs::detect_under(v1.path())?,
            CgroupFs::V1 {
                cpu_root: v1.path().join("cpu")
            }
        );

        let v2 = tempfile::tempdir()?;
        fs::write(v2.path().join("cgroup.controllers"), "cpuset cpu io memory")?;
        assert_eq!(
            CgroupFs::detect_under(v2.path())?,
            CgroupFs::V2 {
                root: v2.path().to_path_buf()
            }
        );

        let hybrid_without_cpu = tempfile::tempdir()?;
        fs::create_dir(hybrid_without_cpu.path().join("unified"))?;
        fs::write(
            hybrid_without_cpu.path().join("unified/cgroup.controllers"),
            "hugetlb",
        )?;
        let err = CgroupFs::detect_under(hybrid_without_cpu.path())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("--cpus 0"), "{err}");
        Ok(())
    }

    #[test]
    fn v2_group_writes_cpu_max_and_enables_the_controller() -> Result<(), Box<dyn std::error::Error>>
    {
        let root = tempfile::tempdir()?;
        fs::write(root.path().join("cgroup.controllers"), "cpu memory")?;
        fs::write(root.path().join("cgroup.subtree_control"), "memory")?;
        let fs_ = CgroupFs::V2 {
            root: root.path().to_path_buf(),
        };
        let group = fs_.create("bench-test", 0.58)?;
        assert_eq!(
            fs::read_to_string(group.dir().join("cpu.max"))?,
            "58000 100000"
        );
        assert_eq!(
            fs::read_to_string(root.path().join("cgroup.subtree_control"))?,
            "+cpu"
        );
        assert_eq!(
            group.procs_file(),
            root.path().join("bench-test/cgroup.procs")
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
        let fs_ = CgroupFs::V1 {
            cpu_root: root.path().to_path_buf(),
        };
        let group = fs_.create("bench-test", 1.0)?;
        assert_eq!(
            fs::read_to_string(group.dir().join("cpu.cfs_quota_us"))?,
            "100000"
        );
        assert_eq!(
            fs::read_to_string(group.dir().join("cpu.cfs_period_us"))?,
            "100000"
        );
        fs::write(
            group.dir().join("cpu.stat"),
            "nr_periods 10\nnr_throttled 4\nthrottled_time 9\n",
        )?;
        assert_eq!(group.throttled_periods(), Some(4));
        for f in ["cpu.cfs_quota_us", "cpu.cfs_period_us", "cpu.stat"] {
            fs::remove_file(group.dir().join(f))?;
        }
        Ok(())
    }
}
