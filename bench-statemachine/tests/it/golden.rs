//! The rendered definitions of the plan variants, compared with `tests/golden/*.asl.json`.
//! A template change shows up here as a diff; regenerate deliberately with
//! `UPDATE_GOLDEN=1 cargo test -p bench-statemachine --test it golden::`.

use crate::support;

use std::path::PathBuf;

use bench_statemachine::render_plan;
use test_support::golden::assert_golden_files;

#[test]
fn rendered_definitions_match_the_golden_files() {
    let rendered = support::variants().into_iter().map(|(name, plan)| {
        let rendered = render_plan(&plan).expect("the variant renders and passes the checks");
        let text = serde_json::to_string_pretty(&rendered.definition).expect("serializes") + "\n";
        (format!("{name}.asl.json"), text)
    });
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    assert_golden_files(&dir, rendered);
}

#[test]
fn variants_differ_where_their_plans_differ() {
    let variants = support::variants();
    let definition = |i: usize| render_plan(&variants[i].1).expect("renders").definition;
    let default = definition(0);
    let several = definition(1);
    let no_warmup = definition(2);
    let defaults_of =
        |d: &serde_json::Value| d["States"]["Defaults"]["Parameters"]["defaults"].clone();
    assert_eq!(
        defaults_of(&default)["targets"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(
        defaults_of(&several)["targets"].as_array().map(Vec::len),
        Some(3)
    );
    assert_eq!(defaults_of(&no_warmup)["warmup"], serde_json::json!(false));
    assert_eq!(
        defaults_of(&default)["memorySizes"],
        serde_json::json!([128, 256, 511, 1023, 3008, 3071, 6143, 7167, 9215, 10240])
    );
}
