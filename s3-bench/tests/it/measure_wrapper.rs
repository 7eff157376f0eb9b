//! The measuring wrapper as the harness runs it: the real `s3-bench measure` binary around real
//! processes, in a real cgroup where this machine has one.

use std::path::Path;
use std::process::Command;

use s3_bench::measure::{read_usage, ChildUsage};
use system::cgroup::CpuController;

fn measure(extra: &[&str], command: &[&str], usage_out: &Path) -> (i32, Option<ChildUsage>) {
    let status = Command::new(env!("CARGO_BIN_EXE_s3-bench"))
        .arg("measure")
        .arg("--usage-out")
        .arg(usage_out)
        .args(extra)
        .arg("--")
        .args(command)
        .status()
        .unwrap_or_else(|e| panic!("running s3-bench measure: {e}"));
    (status.code().unwrap_or(-1), read_usage(usage_out))
}

#[test]
fn reports_the_childs_peak_rss_and_exit_code() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("usage.json");
    // 150 MiB written byte by byte: every page is touched, so it is resident.
    let (code, usage) = measure(
        &[],
        &[
            "python3",
            "-c",
            "import sys; b = b'x' * (150 << 20); sys.exit(3)",
        ],
        &out,
    );
    let usage = usage.ok_or("no usage written (is python3 installed? run scripts/setup)")?;
    assert_eq!(code, 3);
    assert_eq!(usage.exit_code, Some(3));
    let rss_mib = usage.max_rss_kib / 1024;
    assert!((150..400).contains(&rss_mib), "peak RSS {rss_mib} MiB");
    assert!(
        usage.cpu_s() > 0.0 && usage.wall_s >= usage.cpu_s() * 0.5,
        "{usage:?}"
    );
    // The start is on the machine's monotonic clock (the server's), before the command ran,
    // and not long before (this test does nothing else).
    let now = local_s3::monotonic_s().ok_or("no monotonic clock")?;
    let started = usage.started_monotonic_s.ok_or("no start time written")?;
    assert!(
        now - started >= usage.wall_s,
        "{started} + {} > {now}",
        usage.wall_s
    );
    assert!(
        now - started < usage.wall_s + 60.0,
        "started at {started}, now {now}"
    );
    Ok(())
}

#[test]
fn a_missing_program_is_a_clear_error() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let output = Command::new(env!("CARGO_BIN_EXE_s3-bench"))
        .args(["measure", "--usage-out"])
        .arg(dir.path().join("u.json"))
        .args(["--", "s3-bench-no-such-program"])
        .output()?;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("could not start s3-bench-no-such-program"),
        "{stderr}"
    );
    Ok(())
}

/// A busy loop of 1 s wall under a 0.2-CPU quota gets about 0.2 s of CPU and is throttled.
/// The bound is the kernel's hard cap, not a timing guess. Needs a cgroup CPU controller
/// (root on Linux); without one there is nothing to test and the test says so.
#[test]
fn a_quota_caps_the_cpu_of_the_child() -> Result<(), Box<dyn std::error::Error>> {
    let controller = CpuController::detect();
    if let CpuController::Unavailable { reason } = &controller {
        eprintln!("no cgroup CPU controller on this machine, quota not tested: {reason}");
        return Ok(());
    }
    let group = controller.create_group("s3-bench-test-", 0.2)?;
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("usage.json");
    let procs = group.procs_file();
    let (code, usage) = measure(
        &[
            "--cgroup-procs",
            &procs.display().to_string(),
            "--cores",
            "0",
        ],
        &["timeout", "1", "sh", "-c", "while :; do :; done"],
        &out,
    );
    assert_eq!(code, 124, "timeout ends the loop");
    let usage = usage.ok_or("no usage written")?;
    assert!(
        usage.cpu_s() < 0.5,
        "CPU {} s under a 0.2 quota",
        usage.cpu_s()
    );
    assert!(
        usage.cpu_s() > 0.05,
        "CPU {} s: the loop did not run",
        usage.cpu_s()
    );
    assert!(
        group.throttled_periods().unwrap_or(0) > 0,
        "never throttled"
    );
    let dir_path = group.dir().to_path_buf();
    drop(group);
    assert!(!dir_path.exists(), "the cgroup is removed when dropped");
    Ok(())
}
