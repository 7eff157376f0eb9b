//! `deploy` against moto server (started per test on 127.0.0.1, stopped on drop): everything is
//! created, a second deploy makes no mutating call, a memory change updates only the state
//! machine, the schedule comes and goes with the config, destroy leaves nothing (twice).

use std::sync::Arc;

use aws_config::SdkConfig;
use bench_types::objects::ObjectSet;
use deployer::aws::{Call, CallLog};
use deployer::config::BenchConfig;
use deployer::diff::Change;
use deployer::names::WARMUP_OBJECTS;
use deployer::package::{Package, Packages};
use deployer::progress::{Event, Recorder};
use deployer::reconcile::{KIND_ROLE, KIND_SCHEDULE, KIND_STATE_MACHINE};
use deployer::resources::role::decode_policy;
use deployer::Deployer;
use local_stack::moto::{MotoOptions, MotoServer, StrictOptions};
use serde_json::{json, Value};
use test_support::collector_answer::collector_answer_of;

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
        // The Rust reader alone: moto's simple Lambda backend runs no code of any language.
        targets: deployer::config::seed_targets()
            .into_iter()
            .take(1)
            .collect(),
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
        python: Some(pkg("python-reader")),
        node: Some(pkg("node-reader")),
    }
}

async fn connect(config: BenchConfig, sdk: &SdkConfig) -> (Deployer, CallLog) {
    let log = CallLog::default();
    let deployer = Deployer::connect(config, sdk, log.clone())
        .await
        .expect("connect to moto");
    (deployer, log)
}

/// moto (simple Lambda backend) and a deployer of `config` connected to it, with its call log.
async fn on_moto(config: BenchConfig) -> (MotoServer, Deployer, CallLog) {
    let moto = moto().await;
    let (deployer, log) = connect(config, &moto.sdk_config().await).await;
    (moto, deployer, log)
}

fn names(calls: &[Call]) -> Vec<String> {
    calls.iter().map(ToString::to_string).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_creates_everything_and_a_second_deploy_changes_nothing() {
    let (_moto, d, log) = on_moto(config()).await;
    let progress = Arc::new(Recorder::default());
    let d = d.with_reporter(progress.clone());
    let out = tempfile::tempdir().expect("tempdir");
    let report = d
        .deploy(&packages("v1"), Some(out.path()))
        .await
        .expect("first deploy");
    println!("first deploy:\n{}", report.diff);
    // The progress names each change of the diff as it is applied, and each uploaded object.
    let events = progress.events();
    let applied: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Changing(change) => Some(change.clone()),
            _ => None,
        })
        .collect();
    let planned: Vec<_> = report
        .diff
        .changes
        .iter()
        .filter(|c| !c.change.is_no_change())
        .cloned()
        .collect();
    assert_eq!(applied, planned);
    // The shared copy, the one target's own copy and the warm-up's objects.
    let uploaded = events.iter().filter(|e| **e == Event::ObjectUploaded);
    assert_eq!(uploaded.count(), 2 * 12 + WARMUP_OBJECTS as usize);
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
        assert_eq!(
            encryption_algorithm(&c.s3, bucket).await.as_deref(),
            Some("AES256"),
            "{bucket}"
        );
    }
    // Objects: the seed-parity set, magic string in exactly one.
    let listed =
        c.s3.list_objects_v2()
            .bucket(&n.data_bucket)
            .prefix(&n.data_prefix)
            .send()
            .await
            .expect("list");
    assert_eq!(listed.contents().len(), 12);
    let spec = d.config.objects.object_set();
    let mut holders = Vec::new();
    for i in 0..spec.count {
        let key = ObjectSet::key(&n.data_prefix, i);
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
    progress.clear();
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
    assert_eq!(progress.events(), [], "nothing to report");
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
    let mut with_schedule = config();
    with_schedule.schedule = Some("rate(7 days)".into());
    let moto = moto().await;
    let sdk = moto.sdk_config().await;
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
    let mut cfg = config();
    cfg.schedule = Some("rate(1 day)".into());
    let (_moto, d, _) = on_moto(cfg).await;
    d.deploy(&packages("v1"), None).await.expect("deploy");
    let progress = Arc::new(Recorder::default());
    let d = d.with_reporter(progress.clone());
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
    let deleted: Vec<Event> = removed
        .iter()
        .map(|what| Event::Deleted { what: what.clone() })
        .collect();
    assert_eq!(progress.events(), deleted, "each deletion reported");

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

// --- Buckets are the stack's by tag; destroy empties every version; objects by identity. ---

use std::collections::BTreeMap;
use std::time::Instant;

use aws_sdk_s3::types::{BucketVersioningStatus, Tag, Tagging, VersioningConfiguration};
use deployer::diff::FieldChange;
use deployer::reconcile::{KIND_BUCKET, KIND_OBJECTS};
use deployer::resources::objects::{self, object_id, ID_METADATA};
use local_s3::{LocalS3, ServerConfig};
use test_support::lambda::memory_of;
use test_support::s3::{encryption_algorithm, get_bytes, list_keys};

/// Every tag of `bucket` (none on `NoSuchTagSet`).
async fn bucket_tags(s3: &aws_sdk_s3::Client, bucket: &str) -> BTreeMap<String, String> {
    match s3.get_bucket_tagging().bucket(bucket).send().await {
        Ok(out) => out
            .tag_set()
            .iter()
            .map(|t| (t.key().to_owned(), t.value().to_owned()))
            .collect(),
        Err(e) => {
            use aws_sdk_s3::error::ProvideErrorMetadata;
            assert_eq!(e.code(), Some("NoSuchTagSet"), "{e:?}");
            BTreeMap::new()
        }
    }
}

fn tag_map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn tagging(pairs: &[(&str, &str)]) -> Tagging {
    Tagging::builder()
        .set_tag_set(Some(
            pairs
                .iter()
                .map(|(k, v)| Tag::builder().key(*k).value(*v).build().expect("tag"))
                .collect(),
        ))
        .build()
        .expect("tagging")
}

/// The expected tags of the two buckets of `config()`.
fn stack_tags(role: &str) -> BTreeMap<String, String> {
    tag_map(&[
        ("lambda-bench:stack", "bench-test"),
        ("lambda-bench:role", role),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destroy_refuses_a_bucket_without_the_stacks_tag_until_deploy_adds_it() {
    let (_moto, d, log) = on_moto(config()).await;
    d.deploy(&packages("v1"), None).await.expect("deploy");
    let (c, n) = (&d.clients, &d.names);
    assert_eq!(bucket_tags(&c.s3, &n.data_bucket).await, stack_tags("data"));
    assert_eq!(
        bucket_tags(&c.s3, &n.results_bucket).await,
        stack_tags("results")
    );

    // As a stack deployed before buckets were tagged: the data bucket has no tags; the results
    // bucket has only a tag someone else put on it.
    c.s3.delete_bucket_tagging()
        .bucket(&n.data_bucket)
        .send()
        .await
        .expect("untag");
    c.s3.put_bucket_tagging()
        .bucket(&n.results_bucket)
        .tagging(tagging(&[("team", "perf")]))
        .send()
        .await
        .expect("retag");

    log.clear();
    let err = d
        .destroy()
        .await
        .expect_err("an untagged bucket is refused");
    println!("{err}");
    assert_eq!(err.name(), "ForeignBucket", "{err}");
    let text = err.to_string();
    assert!(text.starts_with("destroy refused"), "{text}");
    assert!(text.contains(&n.data_bucket), "{text}");
    assert!(text.contains("it has no tags"), "{text}");
    assert!(text.contains("Nothing was deleted"), "{text}");
    assert!(
        log.mutating_calls().is_empty(),
        "nothing deleted: {:?}",
        names(&log.mutating_calls())
    );
    assert_eq!(
        list_keys(&c.s3, &n.data_bucket, &n.data_prefix).await.len(),
        12
    );
    c.lambda
        .get_function()
        .function_name(&n.reader_function)
        .send()
        .await
        .expect("the functions are still there");

    // diff shows the missing tags; deploy adds them and keeps the other tag.
    let diff = d.diff(&packages("v1")).await.expect("diff");
    println!("{diff}");
    let wanted = |role: &str| format!("lambda-bench:stack=bench-test, lambda-bench:role={role}");
    assert_eq!(
        diff.get(KIND_BUCKET, &n.data_bucket),
        Some(&Change::Update(vec![FieldChange::new(
            "tags",
            "none",
            wanted("data")
        )]))
    );
    assert_eq!(
        diff.get(KIND_BUCKET, &n.results_bucket),
        Some(&Change::Update(vec![FieldChange::new(
            "tags",
            "none",
            wanted("results")
        )]))
    );
    assert!(diff
        .to_string()
        .contains("tags: none → lambda-bench:stack=bench-test"));
    log.clear();
    d.deploy(&packages("v1"), None).await.expect("deploy tags");
    assert_eq!(
        names(&log.mutating_calls()),
        ["S3:PutBucketTagging", "S3:PutBucketTagging"]
    );
    assert_eq!(bucket_tags(&c.s3, &n.data_bucket).await, stack_tags("data"));
    let mut results_tags = stack_tags("results");
    results_tags.insert("team".into(), "perf".into());
    assert_eq!(bucket_tags(&c.s3, &n.results_bucket).await, results_tags);

    let removed = d.destroy().await.expect("destroy");
    assert_eq!(
        removed.len(),
        8,
        "state machine, 2 functions, 3 roles, 2 buckets: {removed:?}"
    );
    let buckets = c.s3.list_buckets().send().await.expect("buckets");
    assert!(buckets.buckets().is_empty(), "{:?}", buckets.buckets());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bucket_tagged_by_another_stack_is_neither_taken_over_nor_deleted() {
    let moto = moto().await;
    let sdk = moto.sdk_config().await;
    let (other, _) = connect(config(), &sdk).await;
    let s3 = &other.clients.s3;
    s3.create_bucket()
        .bucket("shared-data")
        .send()
        .await
        .expect("bucket");
    s3.put_bucket_tagging()
        .bucket("shared-data")
        .tagging(tagging(&[("lambda-bench:stack", "other-stack")]))
        .send()
        .await
        .expect("tag");

    let mut cfg = config();
    cfg.data_bucket = Some("shared-data".into());
    let (d, log) = connect(cfg, &sdk).await;
    let err = d
        .deploy(&packages("v1"), None)
        .await
        .expect_err("another stack's bucket");
    println!("{err}");
    assert_eq!(err.name(), "ForeignBucket", "{err}");
    let text = err.to_string();
    assert!(text.starts_with("deploy refused"), "{text}");
    assert!(
        text.contains("shared-data") && text.contains("other-stack"),
        "{text}"
    );
    assert!(
        log.mutating_calls().is_empty(),
        "{:?}",
        names(&log.mutating_calls())
    );

    let err = d.destroy().await.expect_err("not this stack's to delete");
    assert_eq!(err.name(), "ForeignBucket", "{err}");
    assert!(
        log.mutating_calls().is_empty(),
        "{:?}",
        names(&log.mutating_calls())
    );
    assert_eq!(
        bucket_tags(s3, "shared-data").await,
        tag_map(&[("lambda-bench:stack", "other-stack")])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destroy_empties_versioned_buckets_of_every_version_and_delete_marker() {
    let (_moto, d, _) = on_moto(config()).await;
    d.deploy(&packages("v1"), None).await.expect("deploy");
    let (c, n) = (&d.clients, &d.names);
    for bucket in [&n.data_bucket, &n.results_bucket] {
        c.s3.put_bucket_versioning()
            .bucket(bucket)
            .versioning_configuration(
                VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::Enabled)
                    .build(),
            )
            .send()
            .await
            .expect("versioning on");
    }
    let put = |bucket: &str, key: &str, body: &'static [u8]| {
        c.s3.put_object()
            .bucket(bucket)
            .key(key)
            .body(body.to_vec().into())
            .send()
    };
    // Two versions of a report, and a deleted key (a version and a delete marker).
    put(&n.results_bucket, "runs/a/report.html", b"one")
        .await
        .expect("put");
    put(&n.results_bucket, "runs/a/report.html", b"two")
        .await
        .expect("put");
    put(&n.results_bucket, "runs/b/runs.json", b"[]")
        .await
        .expect("put");
    c.s3.delete_object()
        .bucket(&n.results_bucket)
        .key("runs/b/runs.json")
        .send()
        .await
        .expect("delete");
    // An object of the data set overwritten after versioning came on (a null version and a new one).
    let key0 = ObjectSet::key(&n.data_prefix, 0);
    put(&n.data_bucket, &key0, b"overwritten")
        .await
        .expect("put");
    let listed =
        c.s3.list_object_versions()
            .bucket(&n.results_bucket)
            .send()
            .await
            .expect("versions");
    assert_eq!(listed.versions().len(), 3, "{listed:?}");
    assert_eq!(listed.delete_markers().len(), 1, "{listed:?}");

    let removed = d.destroy().await.expect("destroy");
    println!("removed: {removed:#?}");
    for bucket in [&n.data_bucket, &n.results_bucket] {
        assert!(
            removed.contains(&format!("S3 bucket {bucket}")),
            "{removed:?}"
        );
    }
    let buckets = c.s3.list_buckets().send().await.expect("buckets");
    assert!(buckets.buckets().is_empty(), "{:?}", buckets.buckets());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destroy_reports_the_keys_delete_objects_could_not_delete() {
    let (_moto, d, _) = on_moto(config()).await;
    d.deploy(&packages("v1"), None).await.expect("deploy");
    let (c, n) = (&d.clients, &d.names);
    for key in ["runs/keep/report.html", "runs/x/report.html"] {
        c.s3.put_object()
            .bucket(&n.results_bucket)
            .key(key)
            .body(b"<html></html>".to_vec().into())
            .send()
            .await
            .expect("put");
    }
    // A bucket policy that protects one prefix from deletion: DeleteObjects answers 200 with a
    // per-key AccessDenied for it.
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion"],
            "Resource": format!("arn:aws:s3:::{}/runs/keep/*", n.results_bucket),
        }],
    });
    c.s3.put_bucket_policy()
        .bucket(&n.results_bucket)
        .policy(policy.to_string())
        .send()
        .await
        .expect("policy");

    let err = d.destroy().await.expect_err("a key could not be deleted");
    println!("{err}");
    assert_eq!(err.name(), "ObjectsNotDeleted", "{err}");
    let text = err.to_string();
    assert!(text.contains(&n.results_bucket), "{text}");
    assert!(text.contains("runs/keep/report.html"), "{text}");
    assert!(text.contains("AccessDenied"), "{text}");
    assert!(!text.contains("runs/x/report.html"), "{text}");
    // The bucket and the protected object are still there.
    assert_eq!(
        list_keys(&c.s3, &n.results_bucket, "runs/").await,
        ["runs/keep/report.html"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_of_the_right_size_but_other_content_are_uploaded_again() {
    let moto = moto().await;
    let sdk = moto.sdk_config().await;
    let (d, _) = connect(config(), &sdk).await;
    d.deploy(&packages("v1"), None).await.expect("deploy");
    let (c, n) = (&d.clients, &d.names);
    let spec = d.config.objects.object_set();
    for i in 0..spec.count {
        let head =
            c.s3.head_object()
                .bucket(&n.data_bucket)
                .key(ObjectSet::key(&n.data_prefix, i))
                .send()
                .await
                .expect("head");
        let id = head.metadata().and_then(|m| m.get(ID_METADATA));
        assert_eq!(id, Some(&object_id(&spec, i)), "object {i}");
    }

    // Someone writes other bytes of the same size into one object; and the next config has
    // another magic string of the same length (every size stays the same).
    let holder = spec.magic_index().expect("magic holder");
    let victim = (holder + 1) % spec.count;
    let victim_key = ObjectSet::key(&n.data_prefix, victim);
    let size = usize::try_from(spec.size_of(victim)).expect("size");
    c.s3.put_object()
        .bucket(&n.data_bucket)
        .key(&victim_key)
        .body(vec![b'x'; size].into())
        .send()
        .await
        .expect("overwrite");
    let mut changed = config();
    changed.objects.magic = "MyOtherString".into();
    let (d2, log) = connect(changed, &sdk).await;
    let spec2 = d2.config.objects.object_set();
    assert!((0..spec.count).all(|i| spec.size_of(i) == spec2.size_of(i)));

    let objects_name = format!("s3://{}/{}", n.data_bucket, n.data_prefix);
    let diff = d2.diff(&packages("v1")).await.expect("diff");
    println!("{diff}");
    assert_eq!(
        diff.get(KIND_OBJECTS, &objects_name),
        Some(&Change::Update(vec![
            FieldChange::new("objects", "10 of 12 in place", "all 12"),
            FieldChange::new(
                "content",
                "2 of the right size with another or no bench-id",
                "the configured set's"
            ),
        ]))
    );
    log.clear();
    d2.deploy(&packages("v1"), None).await.expect("deploy");
    let s3_writes: Vec<String> = names(&log.mutating_calls())
        .into_iter()
        .filter(|call| call.starts_with("S3:"))
        .collect();
    assert_eq!(
        s3_writes,
        ["S3:PutObject", "S3:PutObject", "S3:PutObject"],
        "only the objects whose bytes differ: two in the shared copy, the magic one in the target's (the state machine's `find` changes too)"
    );
    for i in 0..spec2.count {
        let key = ObjectSet::key(&n.data_prefix, i);
        assert_eq!(
            get_bytes(&c.s3, &n.data_bucket, &key).await,
            spec2.body(i),
            "{key}"
        );
    }
    let holder_body = get_bytes(
        &c.s3,
        &n.data_bucket,
        &ObjectSet::key(&n.data_prefix, holder),
    )
    .await;
    assert!(holder_body.windows(13).any(|w| w == b"MyOtherString"));

    redeploy_changes_nothing(&d2, &log).await;
}

/// Deploys the same packages again: an empty diff and not one mutating call.
async fn redeploy_changes_nothing(d: &Deployer, log: &CallLog) {
    log.clear();
    let again = d.deploy(&packages("v1"), None).await.expect("deploy again");
    assert!(again.diff.is_empty(), "{}", again.diff);
    assert!(
        log.mutating_calls().is_empty(),
        "{:?}",
        names(&log.mutating_calls())
    );
}

/// The S3 side of `deploy local`: local-s3 for S3, moto for the rest.
async fn local_s3_stack(latency: std::time::Duration) -> (MotoServer, LocalS3, SdkConfig) {
    let moto = moto().await;
    let s3 = LocalS3::start(ServerConfig {
        latency,
        ..ServerConfig::default()
    })
    .await
    .expect("local-s3");
    let sdk =
        deployer::local::endpoints::local_sdk_config(&moto.endpoint(), &s3.endpoint(), s3.ca_pem())
            .await;
    (moto, s3, sdk)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_s3_keeps_the_tags_and_identities_deploy_and_destroy_rely_on() {
    let (_moto, _s3, sdk) = local_s3_stack(std::time::Duration::ZERO).await;
    let (d, log) = connect(config(), &sdk).await;
    d.deploy(&packages("v1"), None).await.expect("deploy");
    let (c, n) = (&d.clients, &d.names);
    assert_eq!(bucket_tags(&c.s3, &n.data_bucket).await, stack_tags("data"));
    assert_eq!(
        bucket_tags(&c.s3, &n.results_bucket).await,
        stack_tags("results")
    );
    let spec = d.config.objects.object_set();
    let key1 = ObjectSet::key(&n.data_prefix, 1);
    let head =
        c.s3.head_object()
            .bucket(&n.data_bucket)
            .key(&key1)
            .send()
            .await
            .expect("head");
    assert_eq!(
        head.metadata().and_then(|m| m.get(ID_METADATA)),
        Some(&object_id(&spec, 1))
    );
    redeploy_changes_nothing(&d, &log).await;

    // Same size, other bytes: uploaded again.
    let size = usize::try_from(spec.size_of(1)).expect("size");
    c.s3.put_object()
        .bucket(&n.data_bucket)
        .key(&key1)
        .body(vec![b'y'; size].into())
        .send()
        .await
        .expect("overwrite");
    log.clear();
    d.deploy(&packages("v1"), None).await.expect("deploy");
    assert_eq!(names(&log.mutating_calls()), ["S3:PutObject"]);
    assert_eq!(get_bytes(&c.s3, &n.data_bucket, &key1).await, spec.body(1));

    // Untagged: destroy refuses; deploy tags it; destroy removes it.
    c.s3.delete_bucket_tagging()
        .bucket(&n.data_bucket)
        .send()
        .await
        .expect("untag");
    let err = d.destroy().await.expect_err("untagged");
    assert_eq!(err.name(), "ForeignBucket", "{err}");
    d.deploy(&packages("v1"), None).await.expect("deploy tags");
    assert_eq!(bucket_tags(&c.s3, &n.data_bucket).await, stack_tags("data"));
    let removed = d.destroy().await.expect("destroy");
    assert_eq!(removed.len(), 8, "{removed:?}");
    let buckets = c.s3.list_buckets().send().await.expect("buckets");
    assert!(buckets.buckets().is_empty(), "{:?}", buckets.buckets());
}

/// What the identity check costs: `objects::read` (list + a HeadObject per object, 32 at a
/// time) against the list alone, for 1000 objects on local-s3 with `deploy local`'s 20 ms per
/// request and on moto. A measurement (prints figures); run with
/// `cargo test -p deployer --test it moto_deploy::identity_check_time -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: uploads 1000 objects twice (about a minute)"]
async fn identity_check_time_for_1000_objects() {
    let mut cfg = config();
    cfg.objects.count = 1000;
    cfg.objects.min_size = 1000;
    cfg.objects.max_size = 50_000;
    let (_moto, _s3, local_sdk) = local_s3_stack(deployer::local::DEFAULT_S3_LATENCY).await;
    let moto_only = moto().await;
    let moto_sdk = moto_only.sdk_config().await;
    for (backend, sdk) in [("local-s3 (20 ms)", &local_sdk), ("moto", &moto_sdk)] {
        let (d, _) = connect(cfg.clone(), sdk).await;
        let t0 = Instant::now();
        d.deploy(&packages("v1"), None).await.expect("deploy");
        let deploy_time = t0.elapsed();
        let spec = d.stack(&packages("v1")).expect("stack").objects[0].clone();
        let mut list_only = Vec::new();
        let mut with_ids = Vec::new();
        for _ in 0..3 {
            let t0 = Instant::now();
            let keys = d
                .clients
                .s3
                .list_objects_v2()
                .bucket(&spec.bucket)
                .prefix(&spec.prefix)
                .into_paginator()
                .send()
                .collect::<Vec<_>>()
                .await;
            assert_eq!(keys.len(), 1, "one page of 1000 keys");
            list_only.push(t0.elapsed());
            let t0 = Instant::now();
            let state = objects::read(&d.clients, &spec).await.expect("read");
            with_ids.push(t0.elapsed());
            assert_eq!(state.ids.len(), 1000);
            assert_eq!(
                objects::plan(&spec, &state),
                objects::ObjectsPlan::default()
            );
        }
        let median = |v: &mut Vec<std::time::Duration>| {
            v.sort();
            v[v.len() / 2]
        };
        println!(
            "{backend}: first deploy {deploy_time:.2?}; list alone {:.0?}, list + 1000 HeadObject (32 at a time) {:.0?} (median of 3)",
            median(&mut list_only),
            median(&mut with_ids)
        );
    }
}

/// moto as strict as AWS where a first deploy meets it: new roles unusable for a few seconds,
/// functions Pending and updates InProgress for a while.
async fn strict_moto(role_propagation_s: u64, update_latency_ms: u64) -> MotoServer {
    let strict = StrictOptions {
        role_propagation: std::time::Duration::from_secs(role_propagation_s),
        update_latency: std::time::Duration::from_millis(update_latency_ms),
        ..StrictOptions::default()
    };
    MotoServer::start(MotoOptions::simple_lambda().with_strict(strict))
        .await
        .unwrap_or_else(|e| panic!("moto server did not start ({e}); run scripts/setup"))
}

/// The first deploy with a schedule creates roles and, seconds later, the functions, the state
/// machine and the schedule that must assume them: each service refuses the new role with its own
/// code and message until it propagates, and deploy retries exactly those refusals.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_deploy_with_a_schedule_waits_for_its_new_roles() {
    let moto = strict_moto(6, 500).await;
    let sdk = moto.sdk_config().await;
    let config = BenchConfig {
        schedule: Some("rate(7 days)".into()),
        ..config()
    };
    let (d, _log) = connect(config, &sdk).await;
    let started = std::time::Instant::now();
    let report = d
        .deploy(&packages("v1"), None)
        .await
        .unwrap_or_else(|e| panic!("first deploy with a schedule: {e}"));
    println!(
        "first deploy with a schedule on strict moto: {:.1} s\n{}",
        started.elapsed().as_secs_f64(),
        report.diff
    );
    let schedule = d
        .clients
        .scheduler
        .get_schedule()
        .name(&d.names.schedule)
        .send()
        .await
        .expect("the schedule exists");
    assert_eq!(
        schedule.target().map(|t| t.arn()),
        Some(d.names.state_machine_arn().as_str())
    );
}

/// Lambda refuses an update while another is in progress: a deploy that finds one (a run's
/// memory change, a previous deploy) waits for it before it updates the code, and a deploy
/// that would change a function while an execution runs refuses before changing anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_waits_for_an_update_in_progress_and_refuses_to_change_a_running_benchmark() {
    let moto = strict_moto(0, 3000).await;
    let sdk = moto.sdk_config().await;
    let (d, _log) = connect(config(), &sdk).await;
    d.deploy(&packages("v1"), None).await.expect("first deploy");

    // A memory change in progress, as a run's SetMemory leaves it.
    d.clients
        .lambda
        .update_function_configuration()
        .function_name(&d.names.reader_function)
        .memory_size(512)
        .send()
        .await
        .expect("update started");
    d.deploy(&packages("v2"), None)
        .await
        .unwrap_or_else(|e| panic!("deploy during an update in progress: {e}"));
    assert_eq!(
        memory_of(&d.clients.lambda, &d.names.reader_function).await,
        Some(1024),
        "deploy put the memory back"
    );

    // An execution running (its first update waits 3 s): a deploy that changes a function stops.
    let valid = collector_answer_of(&d.clients.sfn, &d.names.state_machine_arn(), &json!({})).await;
    moto.queue_simple_lambda_responses(&[valid])
        .await
        .expect("queued");
    let execution = d
        .clients
        .sfn
        .start_execution()
        .state_machine_arn(d.names.state_machine_arn())
        .name("running")
        .input("{}")
        .send()
        .await
        .expect("started")
        .execution_arn;
    let err = d
        .deploy(&packages("v3"), None)
        .await
        .expect_err("a deploy that changes the reader during a run is refused");
    assert_eq!(err.name(), "ExecutionRunning", "{err}");
    assert!(err.to_string().contains("running"), "{err}");
    d.clients
        .sfn
        .stop_execution()
        .execution_arn(execution)
        .send()
        .await
        .expect("stopped");
}
