//! The `local-s3` binary: prints its endpoint, populates its bucket, and stops on stdin EOF and on SIGTERM.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use local_s3::ObjectSet;
use system::process::KillOnDrop;

fn spawn(args: &[&str]) -> (KillOnDrop, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_local-s3"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let guard = KillOnDrop(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let endpoint = line
        .trim()
        .strip_prefix("endpoint=")
        .unwrap_or_else(|| panic!("first stdout line should be endpoint=..., got {line:?}"))
        .to_owned();
    (guard, endpoint)
}

fn wait_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "local-s3 did not exit within {within:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn binary_populates_serves_and_exits_when_stdin_closes() {
    let (mut guard, endpoint) = spawn(&[
        "--port",
        "0",
        "--latency-ms",
        "1",
        "--objects-bucket",
        "bench-data",
        "--objects-prefix",
        "bench/40/",
        "--objects-count",
        "40",
        "--objects-min-size",
        "1000",
        "--objects-max-size",
        "5000",
        "--exit-on-stdin-eof",
    ]);
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{endpoint}");
    let client = local_s3::client_for(&endpoint);
    let listed = client
        .list_objects_v2()
        .bucket("bench-data")
        .prefix("bench/40/")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.key_count(), Some(40));
    let spec = ObjectSet {
        count: 40,
        min_size: 1000,
        max_size: 5000,
        ..ObjectSet::seed_parity()
    };
    let magic = spec.magic_key("bench/40/").unwrap();
    let got = client
        .get_object()
        .bucket("bench-data")
        .key(&magic)
        .send()
        .await
        .unwrap();
    let body = got.body.collect().await.unwrap().into_bytes();
    assert!(body.windows(13).any(|w| w == b"MyMagicString"));

    drop(guard.0.stdin.take());
    let status = wait_exit(&mut guard.0, Duration::from_secs(10));
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn binary_exits_cleanly_on_sigterm() {
    let (mut guard, endpoint) = spawn(&["--fault-rate", "0.1", "--faults", "503"]);
    assert!(endpoint.starts_with("http://127.0.0.1:"));
    let pid = guard.0.id().to_string();
    let kill = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(kill.success());
    let status = wait_exit(&mut guard.0, Duration::from_secs(10));
    assert!(status.success(), "{status:?}");
}

#[test]
fn bad_flags_are_named() {
    let out = Command::new(env!("CARGO_BIN_EXE_local-s3"))
        .args(["--faults", "404"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--faults") && stderr.contains("500, 503 or reset"),
        "{stderr}"
    );
}

/// `--tls`: a `ca=PATH` line before the endpoint, an https endpoint that a client trusting that
/// file reads, and the handshake counts on stderr at exit.
#[tokio::test]
async fn binary_with_tls_prints_its_ca_and_counts_handshakes_at_exit() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_local-s3"))
        .args([
            "--tls",
            "--tls-key",
            "ecdsa",
            "--objects-bucket",
            "tls-data",
        ])
        .args(["--objects-count", "3", "--exit-on-stdin-eof"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let stderr = child.stderr.take().unwrap();
    let mut guard = KillOnDrop(child);
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let ca_path = line
        .trim()
        .strip_prefix("ca=")
        .expect("ca= first")
        .to_owned();
    line.clear();
    stdout.read_line(&mut line).unwrap();
    let endpoint = line
        .trim()
        .strip_prefix("endpoint=")
        .expect("endpoint= next");
    assert!(endpoint.starts_with("https://127.0.0.1:"), "{endpoint}");
    let ca = std::fs::read_to_string(&ca_path).unwrap();
    let listed = local_s3::client_trusting(endpoint, Some(&ca))
        .list_objects_v2()
        .bucket("tls-data")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.key_count(), Some(3));

    drop(guard.0.stdin.take());
    let status = wait_exit(&mut guard.0, Duration::from_secs(10));
    assert!(status.success(), "{status}");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut text).unwrap();
    let counts = text
        .lines()
        .find(|l| l.starts_with("handshakes "))
        .unwrap_or_else(|| panic!("no handshakes line in {text}"));
    assert!(counts.contains("resumed=0 failed=0"), "{counts}");
    assert!(!counts.contains("full=0"), "{counts}");
    assert!(
        !std::path::Path::new(&ca_path).exists(),
        "the CA file goes with the server"
    );
}

/// SIGUSR1 prints the counts so far, over plain HTTP too: connections accepted (the difference
/// between two lines is what a client opened in between), the first of them since the previous
/// line, and no handshakes without TLS.
#[tokio::test]
async fn binary_prints_its_connection_counts_at_sigusr1() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_local-s3"))
        .args(["--objects-bucket", "counted", "--exit-on-stdin-eof"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut guard = KillOnDrop(child);
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let endpoint = line.trim().strip_prefix("endpoint=").unwrap().to_owned();
    let pid = guard.0.id().to_string();
    let mut counts = || {
        let kill = Command::new("kill").args(["-USR1", &pid]).status().unwrap();
        assert!(kill.success());
        loop {
            let mut line = String::new();
            assert!(stderr.read_line(&mut line).unwrap() > 0, "stderr ended");
            if line.starts_with("counts ") {
                return line.trim().to_owned();
            }
        }
    };
    let field = |line: &str, name: &str| -> String {
        line.split_whitespace()
            .find_map(|f| f.strip_prefix(name)?.strip_prefix('='))
            .unwrap_or_else(|| panic!("no {name} in {line}"))
            .to_owned()
    };
    let before = counts();
    let started = local_s3::monotonic_s().unwrap();
    for _ in 0..3 {
        // A new client each time: a connection of its own.
        local_s3::client_for(&endpoint)
            .list_objects_v2()
            .bucket("counted")
            .send()
            .await
            .unwrap();
    }
    let after = counts();
    let opened: u64 = field(&after, "connections").parse::<u64>().unwrap()
        - field(&before, "connections").parse::<u64>().unwrap();
    assert_eq!(opened, 3, "{before} / {after}");
    let first: f64 = field(&after, "first_connection").parse().unwrap();
    let at: f64 = field(&after, "at").parse().unwrap();
    assert!(started <= first && first <= at, "{after}");
    assert!(!after.contains("full="), "no TLS, no handshakes: {after}");
    // Nothing connected since: no first connection in the next line.
    assert_eq!(field(&counts(), "first_connection"), "-");
    // A clean stop, which removes the server's data folder.
    drop(guard.0.stdin.take());
    assert!(wait_exit(&mut guard.0, Duration::from_secs(10)).success());
}
