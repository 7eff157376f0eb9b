//! The binary's flow: configuration, then the command. Errors carry context for the terminal.
//! This module and its children are the only ones that print: the library reports its progress
//! to [`terminal::Terminal`].

mod outcome;
mod terminal;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use serde_json::Value;

use crate::aws::{load_sdk_config, CallLog};
use crate::cli::{Cli, Command, GlobalArgs, PlanArgs, RunArgs};
use crate::config::BenchConfig;
use crate::names::StackNames;
use crate::outputs::STACK_FILE;
use crate::package::{self, Packages};
use crate::progress::{Reporter, SharedReporter};
use crate::{policies, run, Deployer};
use outcome::{print_outcome, succeeded};
use terminal::Terminal;

/// The configuration file looked for when `--config` is not given.
const CONFIG_FILE: &str = "bench.toml";

pub(crate) async fn main() -> anyhow::Result<()> {
    run_cli(Cli::parse()).await
}

/// Runs one parsed command line.
pub(crate) async fn run_cli(cli: Cli) -> anyhow::Result<()> {
    let config = load_config(&cli.global)?;
    let reporter: SharedReporter = Arc::new(Terminal::default());
    match cli.command.unwrap_or(Command::Deploy) {
        Command::Plan(args) => {
            plan(&config, &args)?;
            if args.validate {
                validate_definition(&config, &args.out).await?;
            }
            Ok(())
        }
        Command::Diff => {
            let deployer = connect(config, reporter).await?;
            let packages = packages(&cli.global, &deployer)?;
            let diff = deployer
                .diff(&packages)
                .await
                .context("computing the diff")?;
            println!("{diff}");
            Ok(())
        }
        Command::Deploy => {
            let deployer = connect(config, reporter).await?;
            let packages = packages(&cli.global, &deployer)?;
            eprintln!(
                "deploying stack {} to {}",
                deployer.names.stack, deployer.names.region
            );
            let report = deployer
                .deploy(&packages, Some(&cli.global.out_dir))
                .await
                .context("deploying")?;
            println!("{}", report.diff);
            println!("{}", report.outputs);
            if let Some(file) = report.stack_file {
                println!("written to {}", file.display());
            }
            Ok(())
        }
        Command::Run(args) => run_command(config, &cli.global, &args, reporter).await,
        #[cfg(feature = "local")]
        Command::Local(args) => {
            let local = crate::local::main(&cli.global, &args, reporter).await?;
            print_outcome(&local.outcome);
            println!(
                "\ntimes: setup and build {:.1} s, local stack + deploy + run {:.1} s, total {:.1} s",
                local.setup_and_build.as_secs_f64(),
                local.stack_deploy_and_run.as_secs_f64(),
                local.total.as_secs_f64()
            );
            succeeded(local.outcome)?;
            println!("local stack stopped; nothing is left running");
            Ok(())
        }
        #[cfg(feature = "local")]
        Command::Selftest(args) if args.local => {
            let report = crate::local::selftest(
                &cli.global,
                args.functions_dir.as_deref(),
                args.lenient,
                reporter,
            )
            .await?;
            finish_selftest(&report)
        }
        #[cfg(not(feature = "local"))]
        Command::Selftest(args) if args.local => anyhow::bail!(
            "selftest --local: this `deploy` was built without the `local` feature; build it with default features"
        ),
        Command::Selftest(_) => {
            let sdk = load_sdk_config(config.region.as_deref()).await?;
            let packages = build_or_load(&cli.global, &config, reporter.as_ref())?;
            let report = crate::selftest::selftest(&sdk, &config, &packages, reporter)
                .await
                .context("selftest")?;
            finish_selftest(&report)
        }
        Command::Destroy => {
            let deployer = connect(config, reporter).await?;
            eprintln!(
                "destroying stack {} in {}",
                deployer.names.stack, deployer.names.region
            );
            let removed = deployer.destroy().await.context("destroying")?;
            let stack_file = cli.global.out_dir.join(STACK_FILE);
            if stack_file.exists() {
                std::fs::remove_file(&stack_file)
                    .with_context(|| format!("removing {}", stack_file.display()))?;
            }
            if removed.is_empty() {
                println!(
                    "nothing to remove: stack {} does not exist",
                    deployer.names.stack
                );
            } else {
                println!("removed {} resources", removed.len());
            }
            Ok(())
        }
    }
}

/// `--config`, else `./bench.toml`, else the workspace's `bench.toml`, else the defaults;
/// then the flags; then validation.
fn load_config(global: &GlobalArgs) -> anyhow::Result<BenchConfig> {
    let mut config = match &global.config {
        Some(path) => BenchConfig::load(path, true)?,
        None => {
            let here = PathBuf::from(CONFIG_FILE);
            let path = if here.exists() {
                here
            } else {
                system::paths::workspace_root().join(CONFIG_FILE)
            };
            BenchConfig::load(&path, false)?
        }
    };
    config.apply(&global.overrides())?;
    config.validate()?;
    Ok(config)
}

async fn connect(config: BenchConfig, reporter: SharedReporter) -> anyhow::Result<Deployer> {
    let sdk = load_sdk_config(config.region.as_deref()).await?;
    Ok(Deployer::connect(config, &sdk, CallLog::default())
        .await?
        .with_reporter(reporter))
}

/// The packages `deployer` deploys (see [`build_or_load`]).
fn packages(global: &GlobalArgs, deployer: &Deployer) -> anyhow::Result<Packages> {
    build_or_load(global, &deployer.config, deployer.reporter.as_ref())
}

/// Prebuilt packages from `--package-dir`, else a release build for the configured architecture.
fn build_or_load(
    global: &GlobalArgs,
    config: &BenchConfig,
    reporter: &dyn Reporter,
) -> anyhow::Result<Packages> {
    let dir = match &global.package_dir {
        Some(dir) => dir.clone(),
        None => {
            eprintln!(
                "building both functions for {} (cargo lambda build --release; minutes the first time)",
                config.architecture
            );
            package::build(
                &system::paths::workspace_root(),
                config.architecture,
                reporter,
            )?
        }
    };
    let root = system::paths::workspace_root();
    Ok(package::load(&dir)?.with_script_readers(
        &root,
        config,
        config.architecture,
        crate::script_packages::LAMBDA_PYTHON_VERSION,
    )?)
}

fn plan(config: &BenchConfig, args: &PlanArgs) -> anyhow::Result<()> {
    use bench_statemachine::arn::{PLACEHOLDER_ACCOUNT, PLACEHOLDER_REGION};
    let region = config.region.as_deref().unwrap_or(PLACEHOLDER_REGION);
    let names = StackNames::new(config, PLACEHOLDER_ACCOUNT, region);
    let plan = crate::benchmark_plan::benchmark_plan(config, &names);
    let report = bench_statemachine::write_plan(&plan, &args.out).context("writing the plan")?;
    println!("{report}");
    for (file, doc) in [
        ("lambda-trust-policy.json", policies::lambda_trust_policy()),
        (
            "reader-role-policy.json",
            policies::reader_policy(&names, &crate::stack::reader_functions(config, &names)),
        ),
        (
            "collector-role-policy.json",
            policies::collector_policy(&names),
        ),
        (
            "schedule-role-policy.json",
            policies::schedule_policy(&names),
        ),
    ] {
        let path = args.out.join(file);
        write_json(&path, &doc)?;
        println!("also wrote {}", path.display());
    }
    println!(
        "(ARNs use account {PLACEHOLDER_ACCOUNT} in {region}: deploy fills in the real account)"
    );
    Ok(())
}

/// Prints the selftest's checks and cost; an error when a check failed.
fn finish_selftest(report: &crate::selftest::SelftestReport) -> anyhow::Result<()> {
    println!("{report}");
    if report.passed() {
        Ok(())
    } else {
        anyhow::bail!("selftest failed: see the checks above (the throwaway stack was destroyed)")
    }
}

/// `plan --validate`: Step Functions' own check of the written definition, when credentials are
/// configured (the check is free and changes nothing).
async fn validate_definition(config: &BenchConfig, out: &Path) -> anyhow::Result<()> {
    let path = out.join(bench_statemachine::report::DEFINITION_FILE);
    let definition =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let sdk = match load_sdk_config(config.region.as_deref()).await {
        Ok(sdk) => sdk,
        Err(e) => {
            println!("validate: skipped ({e})");
            return Ok(());
        }
    };
    if let Err(e) = crate::aws::check_credentials(&sdk).await {
        println!("validate: skipped ({e})");
        return Ok(());
    }
    let answer = aws_sdk_sfn::Client::new(&sdk)
        .validate_state_machine_definition()
        .definition(definition)
        .r#type(aws_sdk_sfn::types::StateMachineType::Standard)
        .send()
        .await
        .map_err(|e| crate::aws::sdk_error::classify("states:ValidateStateMachineDefinition", e))?;
    for d in answer.diagnostics() {
        println!(
            "validate: {} {} at {}: {}",
            d.severity().as_str(),
            d.code(),
            d.location().unwrap_or("-"),
            d.message()
        );
    }
    match answer.result().as_str() {
        "OK" => {
            println!("validate: Step Functions accepts {}", path.display());
            Ok(())
        }
        other => anyhow::bail!(
            "validate: Step Functions answers {other} for {}",
            path.display()
        ),
    }
}

fn write_json(path: &Path, value: &Value) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

async fn run_command(
    config: BenchConfig,
    global: &GlobalArgs,
    args: &RunArgs,
    reporter: SharedReporter,
) -> anyhow::Result<()> {
    let mut input = parse_given_input(&args.input)?;
    if let Some(label) = &args.label {
        input.label = Some(label.clone());
    }
    let deployer = connect(config, reporter).await?;
    let opts = run::RunOptions {
        name: args.name.clone(),
        input,
        download_dir: (!args.no_download).then(|| global.out_dir.join("runs")),
        poll_interval: Duration::from_secs(2),
        timeout: Duration::from_secs(args.timeout_minutes.saturating_mul(60)),
    };
    let outcome = deployer.run(&opts).await.context("running the benchmark")?;
    print_outcome(&outcome);
    succeeded(outcome)
}

/// `--input`: contract 1's given input, refused here (naming the field) when a field has the
/// wrong type; ranges and references are the state machine's own checks.
fn parse_given_input(text: &str) -> anyhow::Result<bench_types::GivenInput> {
    let mut json = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut json).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            anyhow::anyhow!(
                "--input: not JSON ({inner}); give an object such as '{{\"rounds\": 1}}'"
            )
        } else if path == "." {
            anyhow::anyhow!("--input: must be a JSON object such as '{{\"rounds\": 1}}' ({inner})")
        } else {
            anyhow::anyhow!("--input: {path}: {inner}")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::parse_given_input;

    #[test]
    fn a_given_input_is_typed_and_a_wrong_field_is_named() {
        let given =
            parse_given_input(r#"{"rounds": 1, "memorySizes": [128, 1024]}"#).expect("valid");
        assert_eq!(given.rounds, Some(1));
        assert_eq!(given.memory_sizes, Some(vec![128, 1024]));
        let err = parse_given_input(r#"{"memorySizes": [128, "big"]}"#).expect_err("refused");
        assert!(
            err.to_string()
                .starts_with("--input: memorySizes[1]: invalid type"),
            "{err}"
        );
        let err = parse_given_input("rounds=1").expect_err("refused");
        assert!(err.to_string().starts_with("--input: not JSON"), "{err}");
        let err = parse_given_input("[1]").expect_err("refused");
        assert!(err.to_string().contains("must be a JSON object"), "{err}");
    }
}
