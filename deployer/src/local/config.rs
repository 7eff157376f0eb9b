//! The configuration of the local run: `--config FILE`, else the workspace's `local.toml`, else
//! the same file as compiled in; then the command-line overrides; the architecture is the host's.

use std::path::{Path, PathBuf};

use crate::cli::GlobalArgs;
use crate::config::BenchConfig;
use crate::error::Result;

/// The quick default's file name at the workspace root.
pub(crate) const LOCAL_CONFIG_FILE: &str = "local.toml";
/// `local.toml` as it was when this binary was built (used when the file is not found).
const EMBEDDED_LOCAL_CONFIG: &str = include_str!("../../../local.toml");

/// The quick default (3 memory sizes, 2 rounds, concurrent and sequential targets, 200 objects).
pub fn quick_default() -> Result<BenchConfig> {
    BenchConfig::from_toml(EMBEDDED_LOCAL_CONFIG, Path::new(LOCAL_CONFIG_FILE))
}

/// Which file, if any, the local run reads.
pub(crate) fn config_path(global: &GlobalArgs, root: &Path) -> Option<PathBuf> {
    if let Some(path) = &global.config {
        return Some(path.clone());
    }
    let path = root.join(LOCAL_CONFIG_FILE);
    path.is_file().then_some(path)
}

/// The file (or the compiled-in default), then the flags, with the host's architecture.
pub(crate) fn load(global: &GlobalArgs, root: &Path) -> anyhow::Result<BenchConfig> {
    let mut config = match config_path(global, root) {
        Some(path) => BenchConfig::load(&path, true)?,
        None => quick_default()?,
    };
    let host = super::functions::host_architecture()?;
    if let Some(arch) = global.arch {
        if arch != host {
            anyhow::bail!(
                "--arch {arch}: the local run executes the functions on this machine, which is {host}; leave --arch out"
            );
        }
    }
    config.apply(&global.overrides())?;
    config.architecture = host;
    config.validate()?;
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ReadMode;

    #[test]
    fn the_quick_default_is_the_issue_s() {
        let config = quick_default().expect("local.toml parses");
        assert_eq!(config.memory_sizes, [256, 1024, 1769]);
        assert_eq!(config.rounds, 2);
        assert_eq!(config.objects.count, 200);
        let modes: Vec<_> = config
            .targets
            .iter()
            .map(|t| (t.name.as_str(), t.mode, t.function.is_none()))
            .collect();
        assert_eq!(
            modes,
            [
                ("rust", Some(ReadMode::Concurrent), true),
                ("rust-direct", Some(ReadMode::Concurrent), true),
                ("python", Some(ReadMode::Concurrent), true),
                ("node", Some(ReadMode::Concurrent), true),
                ("python-sequential", Some(ReadMode::Sequential), true),
            ]
        );
        // As bench.toml: the seed's method, with the Rust targets swept over concurrency
        // (issue 15), `auto` among the values.
        let mut seed = crate::config::seed_targets();
        let sweep = bench_types::concurrency::ConcurrencyList(vec![
            bench_types::Concurrency::Fixed(32),
            bench_types::Concurrency::Fixed(128),
            bench_types::Concurrency::Auto,
        ]);
        for target in seed.iter_mut().filter(|t| t.takes_auto_concurrency()) {
            target.concurrency = Some(sweep.clone());
        }
        assert_eq!(config.targets, seed);
        config.validate().expect("valid");
        let plan = crate::benchmark_plan::benchmark_plan(
            &config,
            &crate::names::StackNames::new(&config, "000000000000", "us-east-1"),
        );
        // 3 values on each Rust target, 1 on each other: 9 runs per (round, memory size).
        assert_eq!(plan.shape().targets, 9);
    }
}
