//! The state-transition figures, walked on the rendered definitions.

use bench_statemachine::transitions::{count_transitions, Scenario};
use bench_statemachine::{
    render_plan, write_plan, BenchmarkPlan, Error, PlanError, TargetSpec, MAX_HISTORY_EVENTS,
};

#[test]
fn a_default_run_costs_at_most_8_transitions_per_configuration() {
    let plan = BenchmarkPlan::default();
    let t = render_plan(&plan).expect("renders").transitions;
    println!(
        "default run: {} transitions for {} configurations = {:.2} per (round, memory, target); +{} per extra poll",
        t.per_run, t.configurations, t.per_configuration, t.per_extra_poll
    );
    assert_eq!(t.configurations, 30);
    assert!(
        t.per_configuration <= 8.0,
        "budget exceeded: {:.2}",
        t.per_configuration
    );
    // Each extra poll is CountPoll, WaitForUpdate, GetConfiguration and CheckUpdate again.
    assert_eq!(t.per_extra_poll, 4);
}

#[test]
fn the_walk_follows_the_plan_shape() {
    // Each extra round, size or target adds exactly the states of its Map item; the warm-up
    // adds one state per configuration.
    let figures = |plan: &BenchmarkPlan| render_plan(plan).expect("renders").transitions.per_run;
    let base = BenchmarkPlan {
        rounds: 1,
        memory_sizes: vec![128],
        ..BenchmarkPlan::default()
    };
    let one = figures(&base);
    let two_rounds = figures(&BenchmarkPlan {
        rounds: 2,
        ..base.clone()
    });
    let no_warmup = figures(&BenchmarkPlan {
        warmup: false,
        ..base.clone()
    });
    // One configuration: ChooseSteps, the Steps Map, and its one step: SetMemory, CheckUpdate,
    // WarmUp, the Targets Map, TimedInvoke, RecordRun = 8 per round.
    assert_eq!(two_rounds - one, 8);
    assert_eq!(one - no_warmup, 1);
}

#[test]
fn the_walk_refuses_a_scenario_that_does_not_fit() {
    let plan = BenchmarkPlan::default();
    let definition = render_plan(&plan).expect("renders").definition;
    let mut scenario = Scenario::happy_path(&plan);
    scenario
        .choices
        .insert("ValidateInput".into(), "InvalidRounds".into());
    let err = count_transitions(&definition, &scenario).expect_err("a Fail is not a happy path");
    assert!(err.to_string().contains("InvalidRounds"), "{err}");
    let mut scenario = Scenario::happy_path(&plan);
    scenario.map_items.remove("Targets");
    assert!(count_transitions(&definition, &scenario).is_err());
}

#[test]
fn write_plan_writes_the_files_and_prints_the_figures() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("plan");
    let report = write_plan(&BenchmarkPlan::default(), &out).expect("writes");
    let text = report.to_string();
    println!("{text}");
    for name in [
        "statemachine.asl.json",
        "statemachine-role-policy.json",
        "statemachine-trust-policy.json",
    ] {
        let path = out.join(name);
        let content = std::fs::read_to_string(&path).expect("written");
        serde_json::from_str::<serde_json::Value>(&content).expect("valid JSON");
        assert!(text.contains(name), "the report lists {name}");
    }
    assert!(
        text.contains("per (round, memory, target): 7.40 (222 for the 30 configurations"),
        "{text}"
    );
}

#[test]
fn a_run_too_long_for_the_execution_history_is_refused() {
    let t = render_plan(&BenchmarkPlan::default())
        .expect("renders")
        .transitions;
    // A poll is CountPoll (2 events), WaitForUpdate (2), GetConfiguration (5), CheckUpdate (2).
    assert_eq!(t.history_events_per_extra_poll, 11);
    assert!(t.history_events_with_polls(1) < MAX_HISTORY_EVENTS);

    let mut big = BenchmarkPlan {
        rounds: 10,
        ..BenchmarkPlan::default()
    };
    // Seven targets, each on its own function: 700 memory updates.
    big.targets = (0..7)
        .map(|i| TargetSpec {
            name: format!("t{i}"),
            function_name: format!("reader-{i}"),
            ..BenchmarkPlan::default().targets[0].clone()
        })
        .collect();
    let err = render_plan(&big).expect_err("700 configurations do not fit in 25,000 events");
    assert!(
        matches!(
            err,
            Error::Plan(PlanError::HistoryTooLong {
                configurations: 700,
                ..
            })
        ),
        "{err}"
    );
    assert!(err.to_string().contains("700 configurations"), "{err}");

    // The same seven targets on one function share its 100 updates, and fit.
    for target in &mut big.targets {
        target.function_name = "reader".into();
    }
    let fits = render_plan(&big).expect("700 configurations on one function fit");
    assert_eq!(fits.transitions.updates, 100);
}

#[test]
fn a_target_on_a_function_already_measured_adds_only_its_invoke_and_record() {
    // Targets on one function share the memory update, its wait and the warm-up: each more
    // target costs its Map item's TimedInvoke and RecordRun per (round, memory size).
    let one = BenchmarkPlan {
        rounds: 2,
        memory_sizes: vec![128, 1024],
        ..BenchmarkPlan::default()
    };
    let mut two = one.clone();
    two.targets.push(TargetSpec {
        name: "rust-sequential".into(),
        ..one.targets[0].clone()
    });
    let mut other_function = two.clone();
    other_function.targets[1].function_name = "another-reader".into();
    let mut third_function = other_function.clone();
    third_function.targets.push(TargetSpec {
        name: "third".into(),
        function_name: "third-reader".into(),
        ..one.targets[0].clone()
    });
    let per_run = |plan: &BenchmarkPlan| render_plan(plan).expect("renders").transitions.per_run;
    let sizes_in_rounds = 2 * 2;
    assert_eq!(per_run(&two) - per_run(&one), 2 * sizes_in_rounds);
    // A second function takes the run from the Steps path (SetMemory, CheckUpdate, WarmUp, the
    // Targets Map, TimedInvoke, RecordRun per size) to the Sizes path: the UpdateMemory and
    // Functions Maps, and per function SetMemoryEach, CheckUpdateEach, Updated, CheckUpdated,
    // WarmUpEach, the TargetsEach Map, then each target's TimedInvokeEach and RecordRunEach;
    // plus the new function's original memory read and restore.
    assert_eq!(
        per_run(&other_function) - per_run(&one),
        (2 + 2 * 6 + 2 * 2 - 6) * sizes_in_rounds + 2
    );
    // Each further function adds its own update and run: 8 per (round, memory size).
    assert_eq!(
        per_run(&third_function) - per_run(&other_function),
        8 * sizes_in_rounds + 2
    );
}

#[test]
fn each_extra_concurrency_adds_at_most_4_transitions_and_counts_against_the_history_limit() {
    // A concurrency sweep runs every value after the function's one update and warm-up: each
    // extra (target, concurrency) is one more item of the Targets Map, TimedInvoke and
    // RecordRun, per (round, memory size); on one function and on several alike.
    use bench_statemachine::Concurrency;
    let sizes_in_rounds: u32 = 2 * 3;
    let one = BenchmarkPlan {
        rounds: 2,
        memory_sizes: vec![256, 1024, 1769],
        ..BenchmarkPlan::default()
    };
    let swept = |plan: &BenchmarkPlan, values: Vec<Concurrency>| BenchmarkPlan {
        concurrencies: values,
        ..plan.clone()
    };
    let sweep = vec![
        Concurrency::Fixed(8),
        Concurrency::Fixed(64),
        Concurrency::Fixed(256),
        Concurrency::Auto,
    ];
    let mut two_functions = one.clone();
    two_functions.targets.push(TargetSpec {
        name: "python".into(),
        function_name: "py-reader".into(),
        auto_concurrency: false,
        ..one.targets[0].clone()
    });
    for (plan, extra_runs) in [(&one, 3u32), (&two_functions, 3 + 2)] {
        let base = render_plan(plan).expect("renders").transitions;
        let wide = render_plan(&swept(plan, sweep.clone()))
            .expect("renders")
            .transitions;
        let per_extra =
            (wide.per_run - base.per_run) as f64 / f64::from(extra_runs * sizes_in_rounds);
        println!(
            "{} function(s): {} extra (target, concurrency) runs cost {:.2} transitions each; the sweep {:.2} per configuration",
            plan.targets.len(),
            extra_runs,
            per_extra,
            wide.per_configuration
        );
        assert_eq!(per_extra, 2.0, "TimedInvoke and RecordRun");
        assert!(per_extra <= 4.0);
        assert_eq!(
            wide.configurations,
            base.configurations + u64::from(extra_runs * sizes_in_rounds)
        );
        assert_eq!(wide.updates, base.updates, "no more updates or waits");
    }

    // The history limit counts every (target, concurrency) run: 30 rounds of the seed's ten
    // sizes fit at one concurrency on one function, not at four.
    let long = BenchmarkPlan {
        rounds: 30,
        ..BenchmarkPlan::default()
    };
    render_plan(&long).expect("300 configurations fit");
    let err = render_plan(&swept(&long, sweep)).expect_err("1200 configurations do not fit");
    assert!(
        matches!(
            err,
            Error::Plan(PlanError::HistoryTooLong {
                configurations: 1200,
                ..
            })
        ),
        "{err}"
    );
}
