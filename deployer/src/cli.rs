//! The command line of `cargo run --bin deploy`: flags override `bench.toml`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{Architecture, Overrides};

/// Deploys, runs and removes the Lambda memory/concurrency benchmark on AWS.
/// Credentials, region and endpoints come from the standard AWS chain (AWS_PROFILE, AWS_REGION,
/// AWS_ENDPOINT_URL, ...).
#[derive(Debug, Parser)]
#[command(name = "deploy", version)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
}

/// What to do; without a command, `deploy`.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Build the functions, then create or update only what differs (the default).
    Deploy,
    /// Print what deploy would change, without changing anything (like `cdk diff`).
    Diff,
    /// Start an execution, follow it, print the table and recommendations, download the report.
    Run(RunArgs),
    /// Remove everything deploy created (buckets are emptied first). Safe to run twice.
    Destroy,
    /// Render the state machine and its IAM documents to files. No credentials, no AWS call.
    Plan(PlanArgs),
    /// Run the whole benchmark on this machine, no AWS account: local S3, moto, local Lambda runtime.
    #[cfg(feature = "local")]
    Local(crate::local::LocalArgs),
    /// Acceptance run: deploy a throwaway stack with a schedule, run 1 round x 2 memory sizes,
    /// check records, report, index and restored memory, destroy it all, print the cost.
    Selftest(SelftestArgs),
}

#[derive(Debug, Args)]
pub(crate) struct SelftestArgs {
    /// Run against the strict local stack instead of the configured AWS account.
    #[arg(long)]
    pub(crate) local: bool,
    /// With --local: take the function binaries from DIR instead of building them.
    #[arg(long, value_name = "DIR", requires = "local")]
    pub(crate) functions_dir: Option<PathBuf>,
    /// With --local: switch off strict mode.
    #[arg(long, requires = "local")]
    pub(crate) lenient: bool,
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Execution name (default run-<UTC time>).
    #[arg(long)]
    pub(crate) name: Option<String>,
    /// Execution input as JSON (contract 1); `{}` runs the deployed defaults.
    #[arg(long, default_value = "{}")]
    pub(crate) input: String,
    /// Label of the run in the results.
    #[arg(long)]
    pub(crate) label: Option<String>,
    /// Do not download the results.
    #[arg(long)]
    pub(crate) no_download: bool,
    /// Give up following after this many minutes (the execution keeps running).
    #[arg(long, default_value_t = 240)]
    pub(crate) timeout_minutes: u64,
}

#[derive(Debug, Args)]
pub(crate) struct PlanArgs {
    /// Folder for the definition and policy documents.
    #[arg(long, default_value = "out/plan")]
    pub(crate) out: PathBuf,
    /// Also have Step Functions check the definition (ValidateStateMachineDefinition) when AWS
    /// credentials are configured; skipped, with a note, when they are not.
    #[arg(long)]
    pub(crate) validate: bool,
}

/// Flags valid with every command.
#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// The configuration file (default: ./bench.toml, else the workspace's bench.toml, else defaults).
    #[arg(long, global = true)]
    pub(crate) config: Option<PathBuf>,
    /// Folder for stack.json and downloaded results.
    #[arg(long, global = true, default_value = "out")]
    pub(crate) out_dir: PathBuf,
    /// Use prebuilt packages (<bin>/bootstrap or <bin>/bootstrap.zip) instead of building.
    #[arg(long, global = true, env = crate::package::PACKAGE_DIR_ENV)]
    pub(crate) package_dir: Option<PathBuf>,
    #[arg(long, global = true)]
    pub(crate) stack_name: Option<String>,
    #[arg(long, global = true)]
    pub(crate) region: Option<String>,
    /// The functions' architecture (default arm64).
    #[arg(long, global = true, value_enum)]
    pub(crate) arch: Option<Architecture>,
    /// Memory sizes in MB, comma separated.
    #[arg(long, global = true, value_delimiter = ',')]
    pub(crate) memory_sizes: Option<Vec<u32>>,
    #[arg(long, global = true)]
    pub(crate) rounds: Option<u32>,
    /// A target: NAME (this stack's reader) or NAME=FUNCTION-NAME-OR-ARN; repeat for several.
    #[arg(long = "target", global = true)]
    pub(crate) targets: Option<Vec<String>>,
    /// Number of test objects.
    #[arg(long, global = true)]
    pub(crate) objects: Option<u64>,
    /// Smallest object size in bytes.
    #[arg(long, global = true)]
    pub(crate) min_size: Option<u64>,
    /// Largest object size in bytes.
    #[arg(long, global = true)]
    pub(crate) max_size: Option<u64>,
    /// Objects the reader fetches at once: a number, auto (the Rust reader adapts), or a list
    /// swept at every memory size, e.g. 8,64,auto.
    #[arg(long, global = true, value_delimiter = ',')]
    pub(crate) concurrency: Option<Vec<bench_types::Concurrency>>,
    /// EventBridge Scheduler expression, e.g. "rate(7 days)".
    #[arg(long, global = true, conflicts_with = "no_schedule")]
    pub(crate) schedule: Option<String>,
    /// No schedule, whatever bench.toml says (removes a deployed one).
    #[arg(long, global = true)]
    pub(crate) no_schedule: bool,
}

impl GlobalArgs {
    pub(crate) fn overrides(&self) -> Overrides {
        Overrides {
            stack_name: self.stack_name.clone(),
            region: self.region.clone(),
            architecture: self.arch,
            memory_sizes: self.memory_sizes.clone(),
            rounds: self.rounds,
            targets: self.targets.clone(),
            object_count: self.objects,
            min_size: self.min_size,
            max_size: self.max_size,
            concurrency: self.concurrency.clone(),
            schedule: self.schedule.clone(),
            no_schedule: self.no_schedule,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_into_overrides() {
        let cli = Cli::try_parse_from([
            "deploy",
            "diff",
            "--arch",
            "x86_64",
            "--memory-sizes",
            "128,1024",
            "--target",
            "rust",
            "--target",
            "py=fn-py",
            "--schedule",
            "rate(1 day)",
            "--rounds",
            "2",
        ])
        .expect("parse");
        assert!(matches!(cli.command, Some(Command::Diff)));
        let o = cli.global.overrides();
        assert_eq!(o.architecture, Some(Architecture::X86_64));
        assert_eq!(o.memory_sizes, Some(vec![128, 1024]));
        assert_eq!(
            o.targets,
            Some(vec!["rust".to_owned(), "py=fn-py".to_owned()])
        );
        assert_eq!(o.schedule.as_deref(), Some("rate(1 day)"));
        assert_eq!(o.rounds, Some(2));
    }

    #[test]
    fn no_command_means_deploy_and_bad_arch_is_refused() {
        let cli = Cli::try_parse_from(["deploy"]).expect("parse");
        assert!(cli.command.is_none());
        let err = Cli::try_parse_from(["deploy", "--arch", "sparc"]).expect_err("bad arch");
        assert!(
            err.to_string().contains("[possible values: arm64, x86_64]"),
            "{err}"
        );
        let cli = Cli::try_parse_from(["deploy", "--arch", "aarch64"]).expect("alias");
        assert_eq!(cli.global.arch, Some(Architecture::Arm64));
    }
}
