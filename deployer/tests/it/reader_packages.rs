//! The Python and Node.js readers' packages as deploy builds them: the Python package holds
//! wheels for the function's architecture (aarch64 for arm64, whatever this machine is), both
//! zips are the same bytes when built again, and a second deploy of the seed's five targets
//! changes nothing.

use std::io::Read;
use std::sync::Arc;

use deployer::aws::CallLog;
use deployer::config::{Architecture, BenchConfig};
use deployer::diff::Change;
use deployer::package::{elf_machine, Package, Packages, EM_AARCH64, EM_X86_64};
use deployer::script_packages::{node_package, python_package, LAMBDA_PYTHON_VERSION};
use deployer::Deployer;
use local_stack::moto::{MotoOptions, MotoServer};

/// Every entry of a zip: (name, bytes).
fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).expect("entry");
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).expect("read");
            (file.name().to_owned(), bytes)
        })
        .collect()
}

#[test]
fn the_python_package_for_arm64_holds_aarch64_wheels_and_is_reproducible() {
    let root = system::paths::workspace_root();
    let package = python_package(&root, Architecture::Arm64, LAMBDA_PYTHON_VERSION)
        .unwrap_or_else(|e| panic!("{e} (run scripts/setup)"));
    let files = entries(&package.zip);
    assert!(
        files.iter().any(|(name, _)| name == "reader.py"),
        "no reader.py"
    );
    assert!(
        files.iter().any(|(name, _)| name.starts_with("aioboto3/")),
        "no aioboto3"
    );
    // Compiled extensions (aiohttp, multidict, yarl, ...) are aarch64 ELF objects, none x86_64.
    let machines: Vec<(String, Option<u16>)> = files
        .iter()
        .filter(|(name, _)| name.ends_with(".so"))
        .map(|(name, bytes)| (name.clone(), elf_machine(bytes)))
        .collect();
    assert!(machines.len() >= 5, "few extension modules: {machines:?}");
    for (name, machine) in &machines {
        assert_eq!(*machine, Some(EM_AARCH64), "{name} is not aarch64");
        assert_ne!(*machine, Some(EM_X86_64));
        assert!(
            name.contains("cpython-313"),
            "{name} is not for Python 3.13"
        );
    }
    // pip's record of each wheel names its platform: manylinux aarch64 for the compiled ones.
    let tags: Vec<String> = files
        .iter()
        .filter(|(name, _)| name.ends_with(".dist-info/WHEEL"))
        .flat_map(|(_, bytes)| {
            String::from_utf8_lossy(bytes)
                .lines()
                .filter_map(|l| l.strip_prefix("Tag: ").map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        tags.iter()
            .any(|t| t.starts_with("cp313-cp313-manylinux") && t.ends_with("_aarch64")),
        "{tags:?}"
    );
    assert!(
        tags.iter()
            .all(|t| t.ends_with("-any") || t.ends_with("_aarch64")),
        "a wheel for another platform: {tags:?}"
    );
    println!(
        "python-reader arm64: {} files, {} extension modules, zip {} bytes",
        files.len(),
        machines.len(),
        package.zip.len()
    );

    let again = python_package(&root, Architecture::Arm64, LAMBDA_PYTHON_VERSION).expect("again");
    assert_eq!(
        again.sha256, package.sha256,
        "the same sources give the same zip"
    );
}

#[test]
fn the_node_package_is_one_bundle_and_reproducible() {
    let root = system::paths::workspace_root();
    let package = node_package(&root).unwrap_or_else(|e| panic!("{e} (run scripts/setup)"));
    let files = entries(&package.zip);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["index.js"]);
    let bundle = String::from_utf8_lossy(&files[0].1);
    // The pinned SDK is inside, and the handler is exported as CommonJS.
    assert!(
        bundle.contains("GetObjectCommand"),
        "the SDK is not bundled"
    );
    assert!(bundle.contains("module.exports"), "not CommonJS");
    println!(
        "node-reader: bundle {} bytes, zip {} bytes",
        files[0].1.len(),
        package.zip.len()
    );
    let again = node_package(&root).expect("again");
    assert_eq!(
        again.sha256, package.sha256,
        "the same sources give the same zip"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_deploy_of_the_seed_targets_changes_nothing() {
    let moto = MotoServer::start(MotoOptions::simple_lambda())
        .await
        .unwrap_or_else(|e| panic!("moto server did not start ({e}); run scripts/setup"));
    let sdk = moto.sdk_config().await;
    let mut config = BenchConfig {
        stack_name: "bench-langs".into(),
        memory_sizes: vec![128, 1024],
        rounds: 1,
        ..BenchConfig::default()
    };
    config.objects.count = 5;
    config.objects.min_size = 100;
    config.objects.max_size = 200;
    assert_eq!(config.targets.len(), 5, "the seed's five targets");
    let root = system::paths::workspace_root();
    let stand_in = |bin: &str| Arc::new(Package::from_bootstrap(bin, b"stand-in").expect("zip"));
    let packages = Packages {
        reader: stand_in("s3-reader"),
        collector: stand_in("collector"),
        python: None,
        node: None,
    }
    .with_script_readers(&root, &config, Architecture::Arm64, LAMBDA_PYTHON_VERSION)
    .expect("the Python and Node.js packages");

    let d = Deployer::connect(config, &sdk, CallLog::default())
        .await
        .expect("connect");
    let first = d.deploy(&packages, None).await.expect("first deploy");
    println!("first deploy:\n{}", first.diff);
    for (function, runtime, handler) in [
        ("bench-langs-s3-reader", "provided.al2023", "bootstrap"),
        (
            "bench-langs-python-reader",
            "python3.13",
            "reader.lambda_handler",
        ),
        ("bench-langs-node-reader", "nodejs22.x", "index.handler"),
    ] {
        let conf = d
            .clients
            .lambda
            .get_function_configuration()
            .function_name(function)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{function}: {e:?}"));
        assert_eq!(conf.runtime().map(|r| r.as_str()), Some(runtime));
        assert_eq!(conf.handler(), Some(handler));
        assert_eq!(
            conf.architectures().first().map(|a| a.as_str()),
            Some("arm64"),
            "{function}"
        );
    }
    // Every target's own copy of the objects, beside the shared one.
    for target in ["rust", "rust-direct", "python", "node", "python-sequential"] {
        let prefix = d.names.target_prefix(target);
        let listed = d
            .clients
            .s3
            .list_objects_v2()
            .bucket(&d.names.data_bucket)
            .prefix(&prefix)
            .send()
            .await
            .expect("list");
        assert_eq!(listed.key_count(), Some(5), "{prefix}");
    }

    // Built again from the same sources: the same zips, and nothing to change.
    let rebuilt = Packages {
        reader: stand_in("s3-reader"),
        collector: stand_in("collector"),
        python: None,
        node: None,
    }
    .with_script_readers(&root, &d.config, Architecture::Arm64, LAMBDA_PYTHON_VERSION)
    .expect("rebuilt");
    let second = d.deploy(&rebuilt, None).await.expect("second deploy");
    let changed: Vec<_> = second
        .diff
        .changes
        .iter()
        .filter(|c| c.change != Change::NoChange)
        .collect();
    assert!(changed.is_empty(), "the second deploy changed {changed:?}");
}
