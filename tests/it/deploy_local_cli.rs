//! `deploy local` as a user runs it (the binary, with this build's functions from
//! `--functions-dir`): it prints the table and where the report is, and leaves no process
//! behind, also when interrupted with Ctrl-C (SIGINT) in the middle.

use crate::support;

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// `deploy local` with a tiny sweep, output piped.
fn deploy_local(report_dir: &Path, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_deploy"))
        .arg("local")
        .arg("--functions-dir")
        .arg(support::bin_dir())
        .arg("--report-dir")
        .arg(report_dir)
        .args([
            "--stack-name",
            "cli",
            "--memory-sizes",
            "1769",
            "--rounds",
            "1",
        ])
        .args(["--objects", "20", "--timeout-minutes", "5"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start deploy local")
}

/// Lines of the child's stdout and stderr as they come.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let out = child.stdout.take().expect("stdout");
    let err = child.stderr.take().expect("stderr");
    let tx2 = tx.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            let _ = tx2.send(line);
        }
    });
    rx
}

/// The ports the run printed (`  S3     https://127.0.0.1:P ...`, `AWS`, `Lambda`).
fn ports_in(lines: &[String]) -> Vec<u16> {
    lines
        .iter()
        .filter(|l| {
            let l = l.trim_start();
            l.starts_with("S3 ") || l.starts_with("AWS ") || l.starts_with("Lambda ")
        })
        .filter_map(|l| l.split("://127.0.0.1:").nth(1))
        .filter_map(|rest| {
            rest.split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok()
        })
        .collect()
}

/// Every process whose command line mentions `needle` (moto's launcher with its port).
fn processes_with(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
                let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
                if cmdline.contains(needle) {
                    found.push(format!(
                        "{}: {cmdline}",
                        entry.file_name().to_string_lossy()
                    ));
                }
            }
        }
    }
    found
}

/// Nothing listens on the ports any more and no moto launcher of this run is alive.
fn assert_nothing_left(ports: &[u16]) {
    assert_eq!(
        ports.len(),
        3,
        "expected the S3, AWS and Lambda ports: {ports:?}"
    );
    for port in ports {
        assert!(
            TcpStream::connect(("127.0.0.1", *port)).is_err(),
            "port {port} still answers after deploy local ended"
        );
        let left = processes_with(&format!("--port {port}"));
        assert!(left.is_empty(), "left running: {left:?}");
    }
}

fn wait_bounded(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("deploy local did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn deploy_local_prints_the_table_and_the_report_and_leaves_nothing_running() {
    let report = tempfile::tempdir().expect("tempdir");
    let mut child = deploy_local(report.path(), &[]);
    let rx = lines_of(&mut child);
    let status = wait_bounded(&mut child, Duration::from_secs(400));
    std::thread::sleep(Duration::from_millis(300));
    let lines: Vec<String> = rx.try_iter().collect();
    let text = lines.join("\n");
    println!("{text}");
    assert!(status.success(), "deploy local failed ({status}):\n{text}");
    assert!(text.contains("memory (MB)"), "no table:\n{text}");
    assert!(text.contains("1769"), "no row for 1769 MB:\n{text}");
    assert!(text.contains("local stack stopped"), "{text}");
    let report_line = lines
        .iter()
        .find(|l| l.starts_with("report:"))
        .unwrap_or_else(|| panic!("no report line:\n{text}"));
    assert!(report_line.contains("report.html"), "{report_line}");
    let html = std::fs::read_dir(report.path())
        .expect("report dir")
        .flatten()
        .map(|e| e.path().join("report.html"))
        .find(|p| p.is_file());
    assert!(
        html.is_some(),
        "no report.html under {}",
        report.path().display()
    );
    // S3 over HTTPS by default, as on AWS: the functions trusted the run's CA.
    let s3_line = lines
        .iter()
        .find(|l| l.trim_start().starts_with("S3 "))
        .unwrap_or_else(|| panic!("no S3 line:\n{text}"));
    assert!(s3_line.contains("https://127.0.0.1:"), "{s3_line}");
    assert!(s3_line.contains("TLS 1.2/1.3"), "{s3_line}");
    assert_nothing_left(&ports_in(&lines));
}

#[test]
fn ctrl_c_in_the_middle_stops_every_process() {
    let report = tempfile::tempdir().expect("tempdir");
    // With plain HTTP, the option that keeps the pre-TLS local stack, so it starts here too.
    let mut child = deploy_local(report.path(), &["--plain-http"]);
    let rx = lines_of(&mut child);
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(300);
    // Interrupt once the stack is up and the deploy has begun.
    while !lines
        .iter()
        .any(|l: &String| l.starts_with("deploying stack"))
    {
        assert!(
            Instant::now() < deadline,
            "never reached the deploy:\n{}",
            lines.join("\n")
        );
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(500)) {
            lines.push(line);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            panic!("ended early ({status}):\n{}", lines.join("\n"));
        }
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(kill.success());
    let status = wait_bounded(&mut child, Duration::from_secs(30));
    std::thread::sleep(Duration::from_millis(300));
    lines.extend(rx.try_iter());
    let text = lines.join("\n");
    println!("{text}");
    assert!(!status.success(), "an interrupted run must fail:\n{text}");
    assert!(text.contains("interrupted by Ctrl-C"), "{text}");
    assert!(
        text.contains("(--plain-http)") && text.contains("S3     http://127.0.0.1:"),
        "{text}"
    );
    // moto is killed by its owner's drop; give the kernel a moment to reap it.
    std::thread::sleep(Duration::from_secs(1));
    assert_nothing_left(&ports_in(&lines));
}

/// `deploy selftest --local`, as CI runs the acceptance test a user runs in an account: the
/// throwaway stack is deployed with a schedule on the strict local stack, run, checked, destroyed.
#[test]
fn selftest_passes_on_the_strict_local_stack() {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_deploy"))
        .args(["selftest", "--local", "--functions-dir"])
        .arg(support::bin_dir())
        .output()
        .expect("run deploy selftest --local");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!(
        "selftest --local: {:.1} s\n{stdout}",
        started.elapsed().as_secs_f64()
    );
    assert!(output.status.success(), "{stdout}\n{stderr}");
    for check in [
        "[ok] deploy with a schedule",
        "[ok] execution succeeded",
        "[ok] every configuration ok at its memory size",
        "[ok] report, summary and CSV written and downloaded",
        "[ok] execution listed in runs/index.json",
        "[ok] reader memory restored",
        "[ok] destroy",
        "[ok] nothing left after destroy",
    ] {
        assert!(stdout.contains(check), "missing {check:?}:\n{stdout}");
    }
    let cost: f64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("cost (estimate): $"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("a cost line");
    assert!(cost > 0.0 && cost < 0.05, "cost {cost}");
    assert!(stdout.trim_end().ends_with("selftest PASSED"), "{stdout}");
}
