//! `deploy` against moto server (started per test on 127.0.0.1, stopped on drop): everything is
//! created, a second deploy makes no mutating call, a memory change updates only the state
//! machine, the schedule comes and goes with the config, destroy leaves nothing (twice).

use std::sync::Arc;

use aws_config::SdkConfig;
use bench_types::objects::SeedSpec;
use deployer::aws::{Call, CallLog};
use deployer::config::BenchConfig;
use deployer::diff::Change;
use deployer::package::{Package, Packages};
use deployer::reconcile::{KIND_ROLE, KIND_SCHEDULE, KIND_STATE_MACHINE};
use deployer::resources::role::decode_policy;
use deployer::Deployer;
use local_stack::moto::{MotoOptions, MotoServer};
use serde_json::{json, Value};

async fn moto() -> MotoServer {
    MotoServer::start(MotoOptions::simple_lambda())
        .await
        .unwrap_or_else(|e| panic!("moto server did not start ({e}); run scripts/setup"))
}

/// A small stack: 12 objects, two memory sizes, one round.
fn config() -> BenchConfig {
    let mut c = BenchConfig {
        stack_name: "bench-test".into(),
        memory_sizes: vec![128, 1024],
        rounds: 1,
        ..BenchConfig::default()
    };
    c.objects.count = 12;
    c.objects.min_size = 100;
    c.objects.max_size = 400;
    c
}

/// Packages whose `bootstrap` is a stand-in (moto's simple Lambda backend runs no code).
fn packages(version: &str) -> Packages {
    let pkg = |bin: &str| {
        Arc::new(
            Package::from_bootstrap(bin, format!("#!/bin/sh\n# {bin} {version}\n").as_bytes())
                .expect("zip"),
        )
    };
    Packages {
        reader: pkg("s3-reader"),
        collector: pkg("collector"),
    }
}

async fn connect(config: BenchConfig, sdk: &SdkConfig) -> (Deployer, CallLog) {
    let log = CallLog::default();
    let deployer = Deployer::connect(config, sdk, log.clone())
        .await
        .expect("connect to moto");
    (deployer, log)
}

fn names(calls: &[Call]) -> Vec<String> {
    calls.iter().map(ToString::to_string).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_creates_everything_and_a_second_deploy_changes_nothing() {
    let moto = moto().await;
    let sdk = moto.sdk_config().await;
    let (d, log) = connect(config(), &sdk).await;
    let out = tempfile::tempdir().expect("tempdir");
    let report = d
        .deploy(&packages("v1"), Some(out.path()))
        .await
        .expect("first deploy");
    println!("first deploy:\n{}", report.diff);
    assert!(
        report.diff.changes.iter().all(|c| match c.kind {
            KIND_SCHEDULE => c.change == Change::NoChange,
            _ if c.name == d.names.schedule_role => c.change == Change::NoChange,
            _ => c.change == Change::Create,
        }),
        "{}",
        report.diff
    );
    let first_calls = log.mutating_calls();
    println!("first deploy: {} mutating calls", first_calls.len());

    let c = &d.clients;
    let n = &d.names;
    // Buckets: public access blocked, encrypted.
    for bucket in [&n.data_bucket, &n.results_bucket] {
        let pab =
            c.s3.get_public_access_block()
                .bucket(bucket)
                .send()
                .await
                .expect("pab");
        let conf = pab.public_access_block_configuration().expect("pab config");
        assert_eq!(
            (
                conf.block_public_acls(),
                conf.ignore_public_acls(),
                conf.block_public_policy(),
                conf.restrict_public_buckets()
            ),
            (Some(true), Some(true), Some(true), Some(true)),
            "{bucket}"
        );
        let enc =
            c.s3.get_bucket_encryption()
                .bucket(bucket)
                .send()
                .await
                .expect("encryption");
        let algo = enc
            .server_side_encryption_configuration()
            .and_then(|s| s.rules().first())
            .and_then(|r| r.apply_server_side_encryption_by_default())
            .map(|d| d.sse_algorithm().as_str().to_owned());
        assert_eq!(algo.as_deref(), Some("AES256"), "{bucket}");
    }
    // Objects: the seed set, magic string in exactly one.
    let listed =
        c.s3.list_objects_v2()
            .bucket(&n.data_bucket)
            .prefix(&n.data_prefix)
            .send()
            .await
            .expect("list");
    assert_eq!(listed.contents().len(), 12);
    let spec = d.config.objects.seed_spec();
    let mut holders = Vec::new();
    for i in 0..spec.count {
        let key = SeedSpec::key(&n.data_prefix, i);
        let body =
            c.s3.get_object()
                .bucket(&n.data_bucket)
                .key(&key)
                .send()
                .await
                .expect("get")
                .body
                .collect()
                .await
                .expect("body")
                .into_bytes();
        assert_eq!(body.len() as u64, spec.size_of(i), "{key}");
        if body.windows(13).any(|w| w == b"MyMagicString") {
            holders.push(key);
        }
    }
    assert_eq!(
        holders,
        vec![spec.magic_key(&n.data_prefix).expect("magic key")]
    );
    // Roles and their inline policies, as declared.
    let stack = d.stack(&packages("v1")).expect("stack");
    for role in &stack.roles {
        let got = c
            .iam
            .get_role()
            .role_name(&role.name)
            .send()
            .await
            .expect("role");
        let trust = got
            .role()
            .and_then(|r| r.assume_role_policy_document())
            .expect("trust");
        assert_eq!(decode_policy(trust), role.trust, "{}", role.name);
        for (policy, doc) in &role.policies {
            let got = c
                .iam
                .get_role_policy()
                .role_name(&role.name)
                .policy_name(policy)
                .send()
                .await
                .expect("inline policy");
            assert_eq!(
                &decode_policy(got.policy_document()),
                doc,
                "{}/{policy}",
                role.name
            );
        }
    }
    // Functions.
    for (function, role) in [
        (&n.reader_function, &n.reader_role),
        (&n.collector_function, &n.collector_role),
    ] {
        let conf = c
            .lambda
            .get_function_configuration()
            .function_name(function)
            .send()
            .await
            .expect("function");
        assert_eq!(conf.runtime().map(|r| r.as_str()), Some("provided.al2023"));
        assert_eq!(conf.handler(), Some("bootstrap"));
        assert_eq!(
            conf.architectures().first().map(|a| a.as_str()),
            Some("arm64")
        );
        assert_eq!(conf.role(), Some(n.role_arn(role).as_str()));
    }
    // The state machine, with the rendered definition.
    let sm = c
        .sfn
        .describe_state_machine()
        .state_machine_arn(n.state_machine_arn())
        .send()
        .await
        .expect("state machine");
    assert_eq!(sm.r#type().as_str(), "STANDARD");
    assert_eq!(sm.role_arn(), n.role_arn(&n.state_machine_role));
    let definition: Value = serde_json::from_str(sm.definition()).expect("json definition");
    assert_eq!(definition, stack.state_machine.definition);
    // No schedule by default.
    let schedules = c
        .scheduler
        .list_schedules()
        .send()
        .await
        .expect("list schedules");
    assert!(schedules.schedules().is_empty());
    // stack.json.
    let written: Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("stack.json")).expect("stack.json"),
    )
    .expect("json");
    assert_eq!(written["stateMachineArn"], json!(n.state_machine_arn()));
    assert!(written["consoleUrl"]
        .as_str()
        .is_some_and(|u| u.contains("states/home")));
    assert_eq!(written["sampleInput"]["memorySizes"], json!([128, 1024]));

    // Second deploy: nothing to change, and no mutating call at all.
    log.clear();
    let again = d
        .deploy(&packages("v1"), None)
        .await
        .expect("second deploy");
    println!("second deploy:\n{}", again.diff);
    let calls = log.calls();
    let mutating = log.mutating_calls();
    println!(
        "second deploy: {} calls, {} mutating: {:?}",
        calls.len(),
        mutating.len(),
        names(&mutating)
    );
    assert!(again.diff.is_empty(), "{}", again.diff);
    assert!(mutating.is_empty(), "{:?}", names(&mutating));
    assert!(
        calls.len() > 10,
        "the second deploy did read the stack: {:?}",
        names(&calls)
    );

    // New code: only the functions' code is updated.
    log.clear();
    let code = d.deploy(&packages("v2"), None).await.expect("code deploy");
    assert_eq!(
        names(&log.mutating_calls()),
        ["Lambda:UpdateFunctionCode", "Lambda:UpdateFunctionCode"],
        "{}",
        code.diff
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_memory_size_updates_only_the_state_machine() {
    let moto = moto().await;
    let sdk = moto.sdk_config().await;
    let (d, _) = connect(config(), &sdk).await;
    d.deploy(&packages("v1"), None).await.expect("deploy");

    let mut changed = config();
    changed.memory_sizes = vec![128, 2048];
    let (d2, log) = connect(changed, &sdk).await;
    let diff = d2.diff(&packages("v1")).await.expect("diff");
    println!("{diff}");
    assert!(log.mutating_calls().is_empty(), "diff changes nothing");
    let updated: Vec<_> = diff
        .changes
        .iter()
        .filter(|c| !c.change.is_no_change())
        .map(|c| (c.kind, c.name.clone()))
        .collect();
    assert_eq!(
        updated,
        [(KIND_STATE_MACHINE, d2.names.state_machine.clone())]
    );
    assert!(diff
        .get(KIND_STATE_MACHINE, &d2.names.state_machine)
        .is_some_and(|c| c.touches("definition")));

    log.clear();
    d2.deploy(&packages("v1"), None).await.expect("deploy");
    assert_eq!(names(&log.mutating_calls()), ["SFN:UpdateStateMachine"]);
    let sm = d2
        .clients
        .sfn
        .describe_state_machine()
        .state_machine_arn(d2.names.state_machine_arn())
        .send()
        .await
        .expect("state machine");
    assert!(
        sm.definition().contains("2048"),
        "the new size is in the definition"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_targets_the_state_machine_and_goes_when_dropped() {
    let moto = moto().await;
    let sdk = moto.sdk_config().await;
    let mut with_schedule = config();
    with_schedule.schedule = Some("rate(7 days)".into());
    let (d, _) = connect(with_schedule, &sdk).await;
    let report = d.deploy(&packages("v1"), None).await.expect("deploy");
    assert_eq!(
        report.diff.get(KIND_SCHEDULE, &d.names.schedule),
        Some(&Change::Create)
    );
    let n = &d.names;
    let c = &d.clients;

    let schedule = c
        .scheduler
        .get_schedule()
        .group_name("default")
        .name(&n.schedule)
        .send()
        .await
        .expect("schedule");
    assert_eq!(schedule.schedule_expression(), Some("rate(7 days)"));
    let target = schedule.target().expect("target");
    assert_eq!(target.arn(), n.state_machine_arn());
    assert_eq!(target.role_arn(), n.role_arn(&n.schedule_role));
    let input: Value = serde_json::from_str(target.input().expect("input")).expect("json");
    assert_eq!(input, json!({"label": "scheduled"}));
    // The schedule's role may start this state machine, nothing else.
    let policy = c
        .iam
        .get_role_policy()
        .role_name(&n.schedule_role)
        .policy_name(deployer::stack::SCHEDULE_POLICY)
        .send()
        .await
        .expect("schedule policy");
    let policy = decode_policy(policy.policy_document());
    assert_eq!(
        policy["Statement"][0]["Action"],
        json!(["states:StartExecution"])
    );
    assert_eq!(
        policy["Statement"][0]["Resource"],
        json!([n.state_machine_arn()])
    );
    let trust = c
        .iam
        .get_role()
        .role_name(&n.schedule_role)
        .send()
        .await
        .expect("role");
    let trust = decode_policy(
        trust
            .role()
            .and_then(|r| r.assume_role_policy_document())
            .expect("trust"),
    );
    assert_eq!(
        trust["Statement"][0]["Principal"]["Service"],
        "scheduler.amazonaws.com"
    );

    // Dropped from the config: the schedule and its role go, nothing else changes.
    let (d2, log) = connect(config(), &sdk).await;
    let report = d2
        .deploy(&packages("v1"), None)
        .await
        .expect("deploy without schedule");
    println!("{}", report.diff);
    assert_eq!(
        report.diff.get(KIND_SCHEDULE, &n.schedule),
        Some(&Change::Delete)
    );
    assert_eq!(
        report.diff.get(KIND_ROLE, &n.schedule_role),
        Some(&Change::Delete)
    );
    assert_eq!(
        names(&log.mutating_calls()),
        [
            "Scheduler:DeleteSchedule",
            "IAM:DeleteRolePolicy",
            "IAM:DeleteRole"
        ]
    );
    let gone = c
        .scheduler
        .get_schedule()
        .group_name("default")
        .name(&n.schedule)
        .send()
        .await;
    assert!(gone.is_err(), "schedule removed");
    assert!(
        c.iam
            .get_role()
            .role_name(&n.schedule_role)
            .send()
            .await
            .is_err(),
        "role removed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destroy_leaves_nothing_and_a_second_destroy_succeeds() {
    let moto = moto().await;
    let sdk = moto.sdk_config().await;
    let mut cfg = config();
    cfg.schedule = Some("rate(1 day)".into());
    let (d, _) = connect(cfg, &sdk).await;
    d.deploy(&packages("v1"), None).await.expect("deploy");
    // A result object, as the collector would write.
    d.clients
        .s3
        .put_object()
        .bucket(&d.names.results_bucket)
        .key("runs/x/report.html")
        .body(b"<html></html>".to_vec().into())
        .send()
        .await
        .expect("put");

    let removed = d.destroy().await.expect("destroy");
    println!("removed: {removed:#?}");
    assert_eq!(
        removed.len(),
        10,
        "schedule, state machine, 2 functions, 4 roles, 2 buckets"
    );

    let c = &d.clients;
    let buckets = c.s3.list_buckets().send().await.expect("buckets");
    assert!(buckets.buckets().is_empty(), "{:?}", buckets.buckets());
    let roles = c.iam.list_roles().send().await.expect("roles");
    let ours: Vec<_> = roles
        .roles()
        .iter()
        .filter(|r| r.role_name().starts_with("bench-test"))
        .collect();
    assert!(ours.is_empty(), "{ours:?}");
    let functions = c.lambda.list_functions().send().await.expect("functions");
    assert!(functions.functions().is_empty());
    let machines = c
        .sfn
        .list_state_machines()
        .send()
        .await
        .expect("state machines");
    assert!(machines.state_machines().is_empty());
    let schedules = c
        .scheduler
        .list_schedules()
        .send()
        .await
        .expect("schedules");
    assert!(schedules.schedules().is_empty());

    let again = d.destroy().await.expect("second destroy");
    assert!(again.is_empty(), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bucket_name_of_another_account_is_reported() {
    let moto = moto().await;
    let sdk = moto.sdk_config().await;
    // Credentials of another account (moto maps assumed-role keys to the role's account).
    let sts = aws_sdk_sts::Client::new(&sdk);
    let other = sts
        .assume_role()
        .role_arn("arn:aws:iam::111111111111:role/other")
        .role_session_name("other")
        .send()
        .await
        .expect("assume role");
    let creds = other.credentials().expect("credentials");
    let other_sdk = sdk
        .to_builder()
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(
                aws_credential_types::Credentials::new(
                    creds.access_key_id(),
                    creds.secret_access_key(),
                    Some(creds.session_token().to_owned()),
                    None,
                    "other-account",
                ),
            ),
        )
        .build();
    let other_s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&other_sdk)
            .force_path_style(true)
            .build(),
    );
    other_s3
        .create_bucket()
        .bucket("taken-bucket-name")
        .send()
        .await
        .expect("other account's bucket");

    let mut cfg = config();
    cfg.data_bucket = Some("taken-bucket-name".into());
    let (d, _) = connect(cfg, &sdk).await;
    assert_ne!(d.names.account, "111111111111");
    let err = d
        .deploy(&packages("v1"), None)
        .await
        .expect_err("name taken");
    assert_eq!(err.name(), "BucketNameTaken", "{err}");
    assert!(err.to_string().contains("data_bucket"), "{err}");
}
