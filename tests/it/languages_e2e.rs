//! The Python and Node.js readers on the local stack: packaged and deployed by the normal deploy
//! code as their own functions (`python3.13` and `nodejs22.x`, run by AWS's runtime interface
//! clients under the memory size's CPU quota), swept beside each other with each target on its
//! own copy of the objects; then a Python and a Node.js function that fail at one memory size,
//! whose failure is recorded while the other size still runs.

use crate::support;

use std::io::Write;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Architecture, FunctionCode, Runtime};
use deployer::config::{ReadMode, TargetConfig};
use deployer::local::functions;
use deployer::readers::Reader;
use deployer::Deployer;
use serde_json::json;

use support::{memory_of, run};

fn target(name: &str, reader: Reader, mode: ReadMode) -> TargetConfig {
    TargetConfig {
        name: name.into(),
        reader: Some(reader),
        mode: Some(mode),
        ..TargetConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn python_and_node_readers_run_beside_each_other_and_their_failures_are_recorded() {
    let staging = tempfile::tempdir().expect("tempdir");
    let mut config = support::small_config("langs");
    config.targets = vec![
        target("python", Reader::Python, ReadMode::Concurrent),
        target("node", Reader::Node, ReadMode::Concurrent),
        target("python-sequential", Reader::Python, ReadMode::Sequential),
    ];
    let root = system::paths::workspace_root();
    let scripts = functions::local_script_readers(&root, &config)
        .unwrap_or_else(|e| panic!("packaging the Python and Node.js readers: {e:#}"));
    let packages = support::packages(staging.path()).with(scripts);
    let (bench, d) = support::start_and_deploy(config, &packages).await;

    let outcome = run(&d, "langs-ok", json!({"label": "e2e"}), None).await;
    println!("{}{}", outcome.table, outcome.recommendations);
    assert_eq!(
        outcome.status, "SUCCEEDED",
        "{:?} {:?}",
        outcome.error, outcome.cause
    );
    let sizes = &d.config.memory_sizes;
    assert_eq!(
        outcome.records.len(),
        sizes.len() * 3,
        "{:?}",
        outcome.records
    );
    let objects = d.config.objects.object_set();
    for r in &outcome.records {
        assert!(r.ok, "record not ok: {r:?}");
        let output = r.output.as_ref().expect("an ok record has the output");
        let lang = if r.target == "node" { "node" } else { "python" };
        assert_eq!(output["lang"], lang, "{output}");
        assert_eq!(
            output["stats"]["memoryMb"].as_u64(),
            Some(u64::from(r.memory_mb)),
            "{} ran with another memory size than configured: {output}",
            r.target
        );
        assert_eq!(output["stats"]["objects"].as_u64(), Some(60), "{output}");
        assert_eq!(output["stats"]["errors"].as_u64(), Some(0), "{output}");
        // Each target read its own copy: the magic string is in its own prefix.
        let own_key = objects.magic_key(&d.names.target_prefix(&r.target));
        assert_eq!(output["result"].as_str(), own_key.as_deref(), "{output}");
        let mode = if r.target == "python-sequential" {
            "sequential"
        } else {
            "concurrent"
        };
        assert_eq!(output["stats"]["mode"], mode, "{output}");
    }
    for name in ["python", "node", "python-sequential"] {
        assert!(outcome.table.contains(name), "{}", outcome.table);
    }
    let summary = outcome.output.as_ref().expect("summary");
    assert_eq!(summary["runs"].as_u64(), Some(6), "{summary}");

    flaky_targets_record_one_failed_size(&bench, &d, &packages).await;
    bench.shutdown().await;
}

/// A Python and a Node.js function that raise at 512 MB and read at 1769 MB: the failure at 512
/// is recorded with the error name the runtime reported, and the sweep goes on.
async fn flaky_targets_record_one_failed_size(
    bench: &deployer::local::LocalBench,
    d: &Deployer,
    packages: &deployer::package::Packages,
) {
    let python = with_file(
        &packages.python.as_ref().expect("python package").zip,
        "flaky.py",
        "import reader\n\n\nclass FailsAtThisSize(Exception):\n    pass\n\n\ndef handler(event, context):\n    if int(context.memory_limit_in_mb) == 512:\n        raise FailsAtThisSize('e2e: this target fails at 512 MB')\n    return reader.lambda_handler(event, context)\n",
    );
    let node = with_file(
        &packages.node.as_ref().expect("node package").zip,
        "flaky.js",
        "const reader = require('./index.js');\nexports.handler = async (event, context) => {\n  if (Number(context.memoryLimitInMB) === 512) {\n    const error = new Error('e2e: this target fails at 512 MB');\n    error.name = 'FailsAtThisSize';\n    throw error;\n  }\n  return reader.handler(event, context);\n};\n",
    );
    let functions = [
        ("langs-py-flaky", Runtime::Python313, python),
        ("langs-node-flaky", Runtime::Nodejs22x, node),
    ];
    let arch = match d.config.architecture {
        deployer::config::Architecture::X86_64 => Architecture::X8664,
        deployer::config::Architecture::Arm64 => Architecture::Arm64,
    };
    for (name, runtime, zip) in &functions {
        d.clients
            .lambda
            .create_function()
            .function_name(*name)
            .runtime(runtime.clone())
            .handler("flaky.handler")
            .architectures(arch.clone())
            .memory_size(300)
            .timeout(60)
            .role(d.names.role_arn(&d.names.reader_role))
            .code(
                FunctionCode::builder()
                    .zip_file(Blob::new(zip.clone()))
                    .build(),
            )
            .send()
            .await
            .unwrap_or_else(|e| panic!("create {name}: {e:?}"));
        test_support::lambda::wait_active(&d.clients.lambda, name).await;
    }

    // In the configuration, so that the state machine's role may run them.
    let added = functions.iter().map(|(name, _, _)| TargetConfig {
        name: (*name).into(),
        function: Some((*name).into()),
        mode: Some(ReadMode::Concurrent),
        ..TargetConfig::default()
    });
    let d = &support::redeploy_with_targets(d, bench, packages, added).await;

    let targets: Vec<_> = functions
        .iter()
        .map(|(name, _, _)| json!({"name": name, "functionName": name, "payload": {"mode": "concurrent"}}))
        .collect();
    let outcome = run(
        d,
        "langs-flaky",
        json!({"warmup": false, "targets": targets}),
        None,
    )
    .await;
    println!("flaky targets:\n{}", outcome.table);
    assert_eq!(
        outcome.status, "SUCCEEDED",
        "{:?} {:?}",
        outcome.error, outcome.cause
    );
    for (name, _, _) in &functions {
        let seen: Vec<(u32, bool)> = outcome
            .records
            .iter()
            .filter(|r| r.target == *name)
            .map(|r| (r.memory_mb, r.ok))
            .collect();
        assert_eq!(
            seen,
            [(512, false), (1769, true)],
            "{name}: {:?}",
            outcome.records
        );
        let failed = outcome
            .records
            .iter()
            .find(|r| r.target == *name && !r.ok)
            .expect("the failed record");
        assert_eq!(
            failed.error.as_deref(),
            Some("FailsAtThisSize"),
            "{name}: {:?}",
            failed.cause
        );
        assert_eq!(memory_of(d, name).await, 300, "{name}: memory not restored");
    }
}

/// `zip` with one more file.
fn with_file(zip: &[u8], name: &str, text: &str) -> Vec<u8> {
    let mut writer =
        zip::ZipWriter::new_append(std::io::Cursor::new(zip.to_vec())).expect("open the package");
    writer
        .start_file(name, zip::write::SimpleFileOptions::default())
        .expect("add a file");
    writer.write_all(text.as_bytes()).expect("write");
    writer.finish().expect("finish").into_inner()
}
