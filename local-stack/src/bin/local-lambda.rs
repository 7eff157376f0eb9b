//! `local-lambda`: the local Lambda runtime as a process. Prints `listening on URL` once ready,
//! then serves until Ctrl-C, SIGTERM or (with --exit-on-stdin-eof) its parent closing stdin.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use clap::Parser;
use local_stack::runtime::{LocalRuntime, RuntimeOptions};
use tokio::io::AsyncReadExt;
use tokio::signal::unix::{signal, SignalKind};

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
    let runtime = LocalRuntime::start(options)
        .await
        .context("starting the local Lambda runtime")?;
    println!("listening on {}", runtime.url());

    let mut terminate =
        signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    let stdin_closed = async {
        if args.exit_on_stdin_eof {
            let mut stdin = tokio::io::stdin();
            let mut buffer = [0u8; 256];
            while matches!(stdin.read(&mut buffer).await, Ok(n) if n > 0) {}
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => tracing::info!("Ctrl-C: stopping"),
        _ = terminate.recv() => tracing::info!("SIGTERM: stopping"),
        () = stdin_closed => tracing::info!("stdin closed: stopping"),
    }
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
