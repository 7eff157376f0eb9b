//! `local-lambda`: the local Lambda runtime as a process. Prints `listening on URL` once ready,
//! then serves until Ctrl-C, SIGTERM or (with --exit-on-stdin-eof) its parent closing stdin.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use clap::Parser;
use local_stack::runtime::{LocalRuntime, RuntimeOptions};
use system::signal::stop_signal;

#[derive(Debug, Parser)]
#[command(about = "Runs Lambda bootstrap binaries locally for the moto bridge (POST /invoke)")]
struct Args {
    /// Port on 127.0.0.1 (0 = a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// A variable every function gets below its own, as NAME=VALUE (repeatable).
    #[arg(long = "env", value_name = "NAME=VALUE")]
    env: Vec<String>,
    /// Exit when stdin reaches EOF (the parent died or closed it).
    #[arg(long)]
    exit_on_stdin_eof: bool,
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let mut options = RuntimeOptions {
        port: args.port,
        ..RuntimeOptions::default()
    };
    options.base_env.extend(parse_env(&args.env)?);
    let stop = stop_signal(args.exit_on_stdin_eof).context("installing the signal handlers")?;
    let runtime = LocalRuntime::start(options)
        .await
        .context("starting the local Lambda runtime")?;
    println!("listening on {}", runtime.url());

    let reason = stop.await;
    tracing::info!("{reason}: stopping");
    runtime.shutdown().await;
    Ok(())
}

fn parse_env(pairs: &[String]) -> Result<BTreeMap<String, String>> {
    let mut env = BTreeMap::new();
    for pair in pairs {
        let Some((name, value)) = pair.split_once('=') else {
            bail!("--env {pair:?} is not NAME=VALUE: write it as --env NAME=VALUE");
        };
        if name.is_empty() {
            bail!("--env {pair:?} has an empty NAME: write it as --env NAME=VALUE");
        }
        env.insert(name.to_string(), value.to_string());
    }
    Ok(env)
}
