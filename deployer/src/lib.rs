//! Deploys, runs and destroys the benchmark stack (`cargo run --bin deploy`).
//!
//! The stack is declared as values ([`stack::Stack`]); deploy reads what exists, computes a
//! typed difference ([`diff::StackDiff`]) and applies only that ([`Deployer::deploy`]). `diff` prints
//! the difference without applying it, `run` starts and follows an execution, `destroy` removes
//! everything, `plan` renders the state machine without AWS. The library prints nothing: it
//! reports its progress as [`progress::Event`]s to the reporter its caller gives
//! ([`Deployer::with_reporter`]); the `deploy` binary renders them on the terminal.
//!
//! Library use (what the tests do against moto):
//! ```no_run
//! # async fn demo(sdk: aws_config::SdkConfig, dir: &std::path::Path) -> Result<(), deployer::DeployError> {
//! use deployer::{aws::CallLog, config::BenchConfig, package, Deployer};
//! let deployer = Deployer::connect(BenchConfig::default(), &sdk, CallLog::default()).await?;
//! let packages = package::load(dir)?;
//! let report = deployer.deploy(&packages, None).await?;
//! println!("{}", report.diff);
//! deployer.destroy().await?;
//! # Ok(()) }
//! ```

pub mod aws;
mod benchmark_plan;
mod cli;
pub mod config;
mod destroy;
pub mod diff;
mod error;
mod follow;
mod history;
#[cfg(feature = "local")]
pub mod local;
pub mod names;
mod outputs;
pub mod package;
pub mod policies;
pub mod progress;
pub mod readers;
pub mod reconcile;
pub mod resources;
mod restore;
pub mod run;
pub mod script_packages;
mod selftest;
pub mod stack;
mod table;

mod main_cli;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aws_config::{Region, SdkConfig};

pub use error::{DeployError, Result};
pub use outputs::StackOutputs;
pub use restore::Restored;

use aws::{check_credentials, CallLog, Clients};
use config::BenchConfig;
use diff::StackDiff;
use names::StackNames;
use package::Packages;
use progress::{SharedReporter, Silent};
use stack::Stack;

/// The entry of `cargo run --bin deploy`.
pub async fn main() -> anyhow::Result<()> {
    main_cli::main().await
}

/// Runs a command line as `deploy` would (`args[0]` is the program name).
pub async fn run_cli<I, T>(args: I) -> anyhow::Result<()>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::Parser;
    main_cli::run_cli(cli::Cli::try_parse_from(args)?).await
}

/// A configuration connected to an account: the clients, the stack's names, and where the
/// progress of its commands goes.
#[derive(Debug, Clone)]
pub struct Deployer {
    /// The service clients, all recording to the call log given to [`Deployer::connect`].
    pub clients: Clients,
    /// The validated configuration the stack is declared from.
    pub config: BenchConfig,
    /// Every name and ARN of the stack in the connected account and region.
    pub names: StackNames,
    /// Receives the progress of deploy, run and destroy ([`Silent`] unless replaced).
    pub reporter: SharedReporter,
}

/// What a deploy did.
#[derive(Debug, Clone)]
pub struct DeployReport {
    /// The difference that was applied.
    pub diff: StackDiff,
    /// The deployed stack's ARNs, console URL and sample input (what `stack.json` holds).
    pub outputs: StackOutputs,
    /// `OUT/stack.json`, when an output folder was given.
    pub stack_file: Option<PathBuf>,
}

impl Deployer {
    /// Validates `config`, checks the credentials of `sdk` (bounded in time), and finds the
    /// account. `config.region`, when set, replaces the region of `sdk`.
    pub async fn connect(config: BenchConfig, sdk: &SdkConfig, log: CallLog) -> Result<Self> {
        config.validate()?;
        let sdk = match &config.region {
            Some(region) => sdk.to_builder().region(Region::new(region.clone())).build(),
            None => sdk.clone(),
        };
        check_credentials(&sdk).await?;
        let clients = Clients::new(&sdk, log);
        let account = clients.account_id().await?;
        let names = StackNames::new(&config, &account, &clients.region);
        Ok(Self {
            clients,
            config,
            names,
            reporter: Arc::new(Silent),
        })
    }

    /// This deployer reporting its progress to `reporter`.
    pub fn with_reporter(self, reporter: SharedReporter) -> Self {
        Self { reporter, ..self }
    }

    /// The declared stack with the code of `packages`.
    pub fn stack(&self, packages: &Packages) -> Result<Stack> {
        Stack::new(&self.config, &self.names, packages)
    }

    /// What deploy would change (read calls only).
    pub async fn diff(&self, packages: &Packages) -> Result<StackDiff> {
        let stack = self.stack(packages)?;
        let planned = reconcile::plan(&self.clients, &stack).await?;
        Ok(planned.diff(&stack))
    }

    /// Creates or updates only what differs; writes `out_dir/stack.json` when given.
    pub async fn deploy(
        &self,
        packages: &Packages,
        out_dir: Option<&Path>,
    ) -> Result<DeployReport> {
        let stack = self.stack(packages)?;
        let planned = reconcile::plan(&self.clients, &stack).await?;
        let diff = planned.diff(&stack);
        reconcile::apply(&self.clients, &stack, &planned, self.reporter.as_ref()).await?;
        let outputs = StackOutputs::new(&stack);
        let stack_file = out_dir.map(|dir| outputs.write(dir)).transpose()?;
        Ok(DeployReport {
            diff,
            outputs,
            stack_file,
        })
    }

    /// Removes everything; returns what existed.
    pub async fn destroy(&self) -> Result<Vec<String>> {
        destroy::destroy(&self.clients, &self.names, self.reporter.as_ref()).await
    }

    /// Starts an execution and follows it to its end.
    pub async fn run(&self, opts: &run::RunOptions) -> Result<run::RunOutcome> {
        run::run(
            &self.clients,
            &self.names,
            &self.config,
            opts,
            self.reporter.as_ref(),
        )
        .await
    }
}
