//! `deploy plan` renders the state machine and every IAM document with no credentials and no
//! AWS call: it builds no SDK client at all.

#[tokio::test]
async fn plan_writes_the_definition_and_policies_without_aws() {
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().join("plan");
    let config = system::paths::workspace_root().join("bench.toml");
    deployer::run_cli([
        "deploy".as_ref(),
        "plan".as_ref(),
        "--config".as_ref(),
        config.as_os_str(),
        "--out".as_ref(),
        dir.as_os_str(),
        "--memory-sizes".as_ref(),
        "128,2048".as_ref(),
    ])
    .await
    .expect("plan");
    let definition: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("statemachine.asl.json")).expect("definition"),
    )
    .expect("json");
    assert!(definition.get("StartAt").is_some());
    assert!(
        definition.to_string().contains("2048"),
        "the flag reached the definition"
    );
    for file in [
        "statemachine-role-policy.json",
        "statemachine-trust-policy.json",
        "lambda-trust-policy.json",
        "reader-role-policy.json",
        "collector-role-policy.json",
        "schedule-role-policy.json",
    ] {
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(file)).expect(file))
                .expect(file);
        assert_eq!(doc["Version"], "2012-10-17", "{file}");
    }
}

#[tokio::test]
async fn a_bad_flag_value_names_the_field_and_the_fix() {
    let err = deployer::run_cli(["deploy", "plan", "--rounds", "0"])
        .await
        .expect_err("rounds 0");
    let text = format!("{err:#}");
    assert!(
        text.contains("rounds") && text.contains("between 1 and 100"),
        "{text}"
    );
}
