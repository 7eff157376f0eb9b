//! `s3-bench --quick` end to end over HTTPS, its default: the real server (`local-s3 --tls`),
//! every reader the quick mode runs (Rust direct and SDK, Python, Node.js) trusting the server's
//! CA through the environment, and the transport, each run's handshakes and init time in the
//! outputs; and the Rust readers' `concurrency: "auto"` case with its limits.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// A binary of the workspace built beside `s3-bench` (the test build makes `s3-read` and
/// `local-s3` for their own crates' tests).
fn sibling_bin(name: &str) -> Result<PathBuf, String> {
    let bench = Path::new(env!("CARGO_BIN_EXE_s3-bench"));
    let bin = bench.with_file_name(name);
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(format!(
            "{} is missing; build the workspace's tests with `cargo test --workspace --tests`",
            bin.display()
        ))
    }
}

#[test]
fn a_quick_run_reads_every_object_over_https_with_every_reader(
) -> Result<(), Box<dyn std::error::Error>> {
    let out = tempfile::tempdir()?;
    let output = Command::new(env!("CARGO_BIN_EXE_s3-bench"))
        .arg("--quick")
        .arg("--out")
        .arg(out.path())
        .arg("--reader-bin")
        .arg(sibling_bin("s3-read")?)
        .arg("--server-bin")
        .arg(sibling_bin("local-s3")?)
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "s3-bench --quick failed (is scripts/setup done?)\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("transport: https (TLS, session resumption off)"),
        "{stdout}"
    );

    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("results.json"))?)?;
    let objects = results["plan"]["objects"]
        .as_u64()
        .ok_or("no plan.objects")?;
    assert_eq!(results["plan"]["tls"], Value::Bool(true));
    let transport = &results["transport"];
    assert_eq!(transport["scheme"], "https", "{transport}");
    let connections = transport["connections"].as_u64().ok_or("no connections")?;
    let handshakes = &transport["handshakes"];
    let count = |kind: &str| {
        handshakes[kind]
            .as_u64()
            .ok_or(format!("no {kind}: {transport}"))
    };
    assert_eq!(count("failed")?, 0, "{transport}");
    assert_eq!(count("resumed")?, 0, "resumption is off: {transport}");
    // Without resumption every connection (readers and the harness's listings) is one full
    // handshake; the server's count also has its own uploads at start (at most a connection per
    // object and one for the bucket), which the run's connections leave out.
    let full = count("full")?;
    assert!(
        (connections..=connections + objects + 1).contains(&full),
        "{transport}"
    );

    let cases = results["cases"].as_array().ok_or("no cases")?;
    let readers: BTreeSet<&str> = cases.iter().filter_map(|c| c["reader"].as_str()).collect();
    assert_eq!(
        readers,
        BTreeSet::from(["node", "python", "rust", "rust-sdk"]),
        "{stdout}"
    );
    for case in cases {
        let samples = case["samples"].as_array().ok_or("no samples")?;
        assert!(!samples.is_empty(), "{case}");
        for sample in samples {
            assert_eq!(sample.get("error"), None, "{sample}");
            assert_eq!(sample["result"], objects.to_string(), "{sample}");
            let connections = sample["connections"].as_u64().ok_or("no connections")?;
            assert!(connections > 0, "{sample}");
            // Each run's own handshakes (the server's counts at SIGUSR1 before and after it):
            // one full handshake per connection the run opened.
            assert_eq!(
                sample["handshakes"],
                serde_json::json!({"full": connections, "resumed": 0, "failed": 0}),
                "{sample}"
            );
            // Init: from the process start to its first connection, well under the run.
            let init = sample["initS"].as_f64().ok_or("no initS")?;
            let wall = sample["usage"]["wallS"].as_f64().ok_or("no usage.wallS")?;
            assert!(init > 0.0 && init < wall, "{sample}");
        }
    }
    assert!(
        stdout.contains("each reader at its best concurrency:"),
        "{stdout}"
    );
    // The Rust readers' `auto` case: marked as such, each run with the limits it took, and
    // checked against the fastest fixed C in the goals.
    let auto: Vec<&Value> = cases
        .iter()
        .filter(|c| c["concurrency"] == "auto")
        .collect();
    let auto_readers: BTreeSet<&str> = auto.iter().filter_map(|c| c["reader"].as_str()).collect();
    assert_eq!(
        auto_readers,
        BTreeSet::from(["rust", "rust-sdk"]),
        "{stdout}"
    );
    for case in &auto {
        for sample in case["samples"].as_array().ok_or("no samples")? {
            let limits = &sample["autoConcurrency"];
            let settled = limits["final"].as_u64().ok_or("no autoConcurrency.final")?;
            let max = limits["max"].as_u64().ok_or("no autoConcurrency.max")?;
            assert!(settled > 0 && settled <= max, "{sample}");
        }
    }
    assert!(stdout.contains("1 CPU: rust auto / best fixed"), "{stdout}");
    Ok(())
}
