//! The model's validation: each bad plan is refused with the error naming the field.

use bench_statemachine::plan_check::check_plan;
use bench_statemachine::{render_plan, BenchmarkPlan, Error, PlanError};

fn refused(plan: BenchmarkPlan) -> PlanError {
    check_plan(&plan).expect_err("the plan is refused")
}

#[test]
fn the_default_plan_is_the_seeds_and_is_valid() {
    let plan = BenchmarkPlan::default();
    check_plan(&plan).expect("valid");
    assert_eq!(plan.memory_sizes, bench_types::SEED_MEMORY_SIZES.to_vec());
    assert_eq!((plan.rounds, plan.warmup, plan.targets.len()), (3, true, 1));
    assert_eq!(plan.configurations(), 30);
}

#[test]
fn bad_plans_are_refused_with_the_field_named() {
    let base = BenchmarkPlan::default;
    assert_eq!(
        refused(BenchmarkPlan {
            targets: vec![],
            ..base()
        }),
        PlanError::NoTargets
    );

    let mut twice = base();
    twice.targets.push(twice.targets[0].clone());
    let err = refused(twice);
    assert_eq!(
        err,
        PlanError::DuplicateTargetName {
            index: 1,
            name: "rust".into()
        }
    );
    assert!(err.to_string().contains("targets[1].name"), "{err}");

    let mut unnamed = base();
    unnamed.targets[0].name = " ".into();
    assert_eq!(refused(unnamed), PlanError::EmptyTargetName { index: 0 });

    let mut no_function = base();
    no_function.targets[0].function_name = String::new();
    assert_eq!(
        refused(no_function),
        PlanError::EmptyFunctionName { index: 0 }
    );

    assert_eq!(
        refused(BenchmarkPlan {
            memory_sizes: vec![],
            ..base()
        }),
        PlanError::NoMemorySizes
    );
    let err = refused(BenchmarkPlan {
        memory_sizes: vec![128, 127],
        ..base()
    });
    assert_eq!(
        err,
        PlanError::MemorySizeOutOfRange {
            index: 1,
            value: 127,
            min: 128,
            max: 10240
        }
    );
    assert!(err.to_string().contains("memorySizes[1]"), "{err}");
    assert!(matches!(
        refused(BenchmarkPlan {
            memory_sizes: vec![10241],
            ..base()
        }),
        PlanError::MemorySizeOutOfRange { value: 10241, .. }
    ));
    assert_eq!(
        refused(BenchmarkPlan {
            memory_sizes: vec![256, 256],
            ..base()
        }),
        PlanError::DuplicateMemorySize {
            index: 1,
            value: 256
        }
    );
    assert!(matches!(
        refused(BenchmarkPlan {
            rounds: 0,
            ..base()
        }),
        PlanError::RoundsOutOfRange { value: 0, .. }
    ));
    assert!(matches!(
        refused(BenchmarkPlan {
            rounds: 1001,
            ..base()
        }),
        PlanError::RoundsOutOfRange { value: 1001, .. }
    ));

    let mut no_bucket = base();
    no_bucket.data.bucket = String::new();
    assert_eq!(
        refused(no_bucket),
        PlanError::EmptyBucket {
            field: "data.bucket"
        }
    );
    let mut no_results = base();
    no_results.results.bucket = String::new();
    assert_eq!(
        refused(no_results),
        PlanError::EmptyBucket {
            field: "results.bucket"
        }
    );
    assert_eq!(
        refused(BenchmarkPlan {
            collector_function: String::new(),
            ..base()
        }),
        PlanError::EmptyCollector
    );

    let mut poll = base();
    poll.poll.limit = 0;
    assert_eq!(refused(poll), PlanError::PollSetting { field: "limit" });
    let mut backoff = base();
    backoff.retries.invoke.backoff_rate = 0.5;
    assert!(matches!(
        refused(backoff),
        PlanError::RetrySetting {
            policy: "invoke",
            field: "backoffRate",
            ..
        }
    ));
}

#[test]
fn rendering_refuses_a_bad_plan_before_rendering() {
    let err = render_plan(&BenchmarkPlan {
        rounds: 0,
        ..BenchmarkPlan::default()
    })
    .expect_err("refused");
    assert!(
        matches!(err, Error::Plan(PlanError::RoundsOutOfRange { .. })),
        "{err}"
    );
}
