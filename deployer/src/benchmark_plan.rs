//! The state machine crate's [`BenchmarkPlan`] built from the configuration and the stack's names:
//! the defaults deploy bakes into the state machine.

use bench_statemachine::{BenchmarkPlan, DataLocation, ResultsLocation, TargetSpec};
use serde_json::{Map, Value};

use crate::config::BenchConfig;
use crate::names::{StackNames, RESULTS_PREFIX};

/// The plan of `config` deployed under `names`. Targets without a function are the stack's reader.
pub(crate) fn benchmark_plan(config: &BenchConfig, names: &StackNames) -> BenchmarkPlan {
    let targets = config
        .targets
        .iter()
        .map(|t| {
            let mut payload = Map::new();
            if let Some(mode) = &t.mode {
                payload.insert("mode".into(), Value::from(mode.as_str()));
            }
            // The top-level sweep travels as the input's `concurrencies`, so that an execution
            // input can replace it; only a target's own setting is in its payload.
            if let Some(own) = &t.concurrency {
                payload.insert("concurrency".into(), own.to_json());
            }
            if let Some(client) = t.client {
                payload.insert("client".into(), Value::from(client.as_str()));
            }
            payload.insert("folder".into(), Value::from(names.target_prefix(&t.name)));
            let function_name = match (&t.function, t.stack_reader()) {
                (Some(function), _) => function.clone(),
                (None, reader) => {
                    names.function_arn(&names.reader_function_of(reader.unwrap_or_default()))
                }
            };
            TargetSpec {
                name: t.name.clone(),
                function_name,
                payload,
                auto_concurrency: t.takes_auto_concurrency(),
            }
        })
        .collect();
    BenchmarkPlan {
        label: "manual".into(),
        targets,
        memory_sizes: config.memory_sizes.clone(),
        rounds: config.rounds,
        warmup: config.warmup,
        concurrencies: config.concurrency.0.clone(),
        data: DataLocation {
            bucket: names.data_bucket.clone(),
            prefix: names.data_prefix.clone(),
            find: Some(config.objects.magic.clone()),
            warmup_prefix: Some(names.warmup_prefix()),
            expected_result: config.objects.object_set().magic_key(&names.data_prefix),
        },
        results: ResultsLocation {
            bucket: names.results_bucket.clone(),
            prefix: RESULTS_PREFIX.into(),
        },
        collector_function: names.function_arn(&names.collector_function),
        state_machine_name: names.state_machine.clone(),
        account_id: names.account.clone(),
        region: names.region.clone(),
        subjective_scores: config.subjective_scores.clone(),
        ..BenchmarkPlan::default()
    }
}
