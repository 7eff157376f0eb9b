//! Every rendered variant passes `asl-validator` (npm, installed by `scripts/setup`), and the
//! validator really rejects a broken definition, so a pass means something.

use crate::support;

use std::path::Path;
use std::process::Command;

use bench_statemachine::render_plan;

/// Runs asl-validator on one file; returns (passed, what it printed).
fn validate(path: &Path) -> (bool, String) {
    let out = Command::new(support::node_tool("asl-validator"))
        .arg("--json-path")
        .arg(path)
        .output()
        .expect("asl-validator runs (node is installed by scripts/setup)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn every_variant_passes_asl_validator() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, plan) in support::variants() {
        let rendered = render_plan(&plan).expect("renders");
        let path = dir.path().join(format!("{name}.asl.json"));
        std::fs::write(&path, rendered.definition.to_string()).expect("writes");
        let (ok, text) = validate(&path);
        assert!(ok, "{name}: asl-validator rejected the definition:\n{text}");
    }
}

#[test]
fn asl_validator_rejects_a_broken_definition() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut definition = render_plan(&support::variants()[0].1)
        .expect("renders")
        .definition;
    // A Next to a state that does not exist, and a retrier whose interval is text.
    definition["States"]["MergeInput"]["Next"] = "NoSuchState".into();
    definition["States"]["Report"]["Retry"][0]["IntervalSeconds"] = "soon".into();
    let path = dir.path().join("broken.asl.json");
    std::fs::write(&path, definition.to_string()).expect("writes");
    let (ok, text) = validate(&path);
    assert!(!ok, "asl-validator accepted a broken definition:\n{text}");
    assert!(
        text.contains("IntervalSeconds") || text.contains("NoSuchState"),
        "the rejection names the broken field:\n{text}"
    );
}
