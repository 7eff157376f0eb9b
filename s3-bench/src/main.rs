//! `s3-bench`: see the crate docs and `s3-bench/README.md`. Thin entry over the library.

use anyhow::Context;
use clap::Parser;
use s3_bench::bench::{self, BenchInputs, CoreLayout};
use s3_bench::cli::{BenchArgs, Cli, Command};
use s3_bench::measure::{allowed_cores, pin_to_cores, place_and_exec, run_measured};
use s3_bench::peers::{build_workspace_bin, install_all};
use s3_bench::plan::Plan;
use s3_bench::table;
use system::paths::workspace_root;
use system::time::utc_now_secs;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Measure(args)) => {
            let code = run_measured(&args).context("s3-bench measure")?;
            std::process::exit(code);
        }
        Some(Command::Place(args)) => Err(place_and_exec(&args)).context("s3-bench place"),
        None => run_bench(cli.bench),
    }
}

fn run_bench(args: BenchArgs) -> anyhow::Result<()> {
    let cores = CoreLayout::split(&allowed_cores());
    let plan = Plan::from_args(&args, cores.reader_cores.len()).context("bad options")?;
    let programs = install_all(args.reader_bin.clone()).context("installing the readers")?;
    let server_bin = match args.server_bin.clone() {
        Some(bin) => bin,
        None => build_workspace_bin("local-s3", "local-s3").context("building the S3 server")?,
    };
    let out_dir = args.out.clone().unwrap_or_else(|| {
        workspace_root()
            .join("bench-results")
            .join(utc_now_secs().replace(':', ""))
    });
    // Pin the harness to the server's core before any thread starts; the
    // readers are moved to the other cores by the measuring wrapper.
    if let Some(core) = cores.server_core {
        pin_to_cores(&[core]).context("pinning the harness to the server core")?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let inputs = BenchInputs {
        plan,
        programs,
        server_bin,
        out_dir: out_dir.clone(),
        cores,
    };
    let results = runtime
        .block_on(bench::run(&inputs))
        .context("benchmark run")?;
    println!("{}", table::transport_text(&results.transport));
    println!("{}", table::text_table(&results.cases));
    println!("each reader at its best concurrency:");
    println!("{}", table::best_text_table(&results.cases));
    println!("{}", table::goals_text(&results.goals));
    for note in results
        .settings
        .iter()
        .filter_map(|s| s.note.as_ref())
        .chain(&results.notes)
    {
        println!("note: {note}");
    }
    println!("results: {}", out_dir.display());
    Ok(())
}
