//! The rendered definitions of the plan variants, compared with `tests/golden/*.asl.json`.
//! A template change shows up here as a diff; regenerate deliberately with `UPDATE_GOLDEN=1`.

mod support;

use std::path::PathBuf;

use bench_statemachine::render_plan;

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("golden")
        .join(format!("{name}.asl.json"))
}

#[test]
fn rendered_definitions_match_the_golden_files() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    for (name, plan) in support::variants() {
        let rendered = render_plan(&plan).expect("the variant renders and passes the checks");
        let text = serde_json::to_string_pretty(&rendered.definition).expect("serializes") + "\n";
        let path = golden_path(name);
        if update {
            std::fs::write(&path, &text).expect("writes the golden file");
            continue;
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; create it with UPDATE_GOLDEN=1 cargo test -p bench-statemachine --test golden",
                path.display()
            )
        });
        assert!(
            golden == text,
            "{name}: the rendered definition differs from {}; if the change is meant, rerun with UPDATE_GOLDEN=1 and review the diff",
            path.display()
        );
    }
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
