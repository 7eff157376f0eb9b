//! The concurrency map of each swept target (one run at several concurrency values): mean
//! time and cost over memory size x concurrency, and per memory size the best concurrency
//! (fastest, cheapest), the point past which more concurrency stops paying, and how `auto`
//! did against the best fixed value. In `summary.json` (`concurrencyMaps`), the report's
//! heatmaps and best-concurrency tables.

use bench_types::Concurrency;
use serde::Serialize;

use crate::summary::Cell;

/// More concurrency "pays" while it makes the mean time at least this much shorter (5 %):
/// below that, the difference is within the run-to-run spread of a few rounds.
pub(crate) const PAYING_GAIN: f64 = 0.05;

/// One swept target's map.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ConcurrencyMap {
    /// The target's name.
    pub(crate) target: String,
    /// The columns: the concurrency values it ran at, fixed ones ascending, then `auto`.
    pub(crate) concurrencies: Vec<Concurrency>,
    /// The rows: the memory sizes, ascending.
    pub(crate) memory_sizes: Vec<u32>,
    /// Mean time of the valid rounds, seconds, `[memory size][concurrency]`.
    pub(crate) mean_time_s: Vec<Vec<Option<f64>>>,
    /// Mean cost of one invocation, USD, `[memory size][concurrency]`.
    pub(crate) cost_usd: Vec<Vec<Option<f64>>>,
    /// Per memory size, the best values.
    pub(crate) best: Vec<BestConcurrency>,
}

/// The best concurrency of one target at one memory size, among its fixed values.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BestConcurrency {
    pub(crate) memory_mb: u32,
    /// The fixed value with the shortest mean time, and that time.
    pub(crate) fastest: Option<u32>,
    pub(crate) fastest_time_s: Option<f64>,
    /// The fixed value with the lowest mean cost, and that cost (USD per invocation).
    pub(crate) cheapest: Option<u32>,
    pub(crate) cheapest_cost_usd: Option<f64>,
    /// The smallest fixed value that no larger one beats by [`PAYING_GAIN`] or more: past it,
    /// more concurrency stops paying.
    pub(crate) stops_paying_at: Option<u32>,
    /// `auto`'s mean time, and its ratio to the fastest fixed value's (1.10: 10 % slower).
    pub(crate) auto_time_s: Option<f64>,
    pub(crate) auto_over_fastest: Option<f64>,
}

/// The maps of the targets `cells` show at more than one concurrency, in the cells' order.
pub(crate) fn concurrency_maps(cells: &[Cell], memory_sizes: &[u32]) -> Vec<ConcurrencyMap> {
    let mut targets: Vec<&str> = Vec::new();
    for cell in cells {
        if !targets.contains(&cell.target_name.as_str()) {
            targets.push(&cell.target_name);
        }
    }
    targets
        .into_iter()
        .filter_map(|target| {
            let mut concurrencies: Vec<Concurrency> = cells
                .iter()
                .filter(|c| c.target_name == target)
                .filter_map(|c| c.concurrency)
                .collect();
            concurrencies.sort();
            concurrencies.dedup();
            (concurrencies.len() > 1).then(|| map_of(target, concurrencies, cells, memory_sizes))
        })
        .collect()
}

fn map_of(
    target: &str,
    concurrencies: Vec<Concurrency>,
    cells: &[Cell],
    memory_sizes: &[u32],
) -> ConcurrencyMap {
    let grid = |value: fn(&Cell) -> Option<f64>| -> Vec<Vec<Option<f64>>> {
        memory_sizes
            .iter()
            .map(|&memory_mb| {
                concurrencies
                    .iter()
                    .map(|&concurrency| {
                        cells
                            .iter()
                            .find(|c| {
                                c.target_name == target
                                    && c.concurrency == Some(concurrency)
                                    && c.memory_mb == memory_mb
                            })
                            .and_then(value)
                    })
                    .collect()
            })
            .collect()
    };
    let mean_time_s = grid(|c| c.mean_time_s);
    let cost_usd = grid(|c| c.cost_usd);
    let best = memory_sizes
        .iter()
        .zip(mean_time_s.iter().zip(&cost_usd))
        .map(|(&memory_mb, (times, costs))| best_at(memory_mb, &concurrencies, times, costs))
        .collect();
    ConcurrencyMap {
        target: target.to_owned(),
        concurrencies,
        memory_sizes: memory_sizes.to_vec(),
        mean_time_s,
        cost_usd,
        best,
    }
}

/// The best values of one row; `concurrencies` ascending with `auto` last.
fn best_at(
    memory_mb: u32,
    concurrencies: &[Concurrency],
    times: &[Option<f64>],
    costs: &[Option<f64>],
) -> BestConcurrency {
    let fixed = |values: &[Option<f64>]| -> Vec<(u32, f64)> {
        concurrencies
            .iter()
            .zip(values)
            .filter_map(|(c, v)| Some((c.fixed()?, (*v)?)))
            .collect()
    };
    let lowest = |values: &[(u32, f64)]| values.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1));
    let fixed_times = fixed(times);
    let fastest = lowest(&fixed_times);
    let cheapest = lowest(&fixed(costs));
    let stops_paying_at = fixed_times
        .iter()
        .enumerate()
        .find(|(i, (_, time))| {
            fixed_times[i + 1..]
                .iter()
                .all(|(_, larger)| *larger > time * (1.0 - PAYING_GAIN))
        })
        .map(|(_, (c, _))| *c);
    let auto_time_s = concurrencies
        .iter()
        .position(|c| *c == Concurrency::Auto)
        .and_then(|i| times.get(i).copied().flatten());
    BestConcurrency {
        memory_mb,
        fastest: fastest.map(|f| f.0),
        fastest_time_s: fastest.map(|f| f.1),
        cheapest: cheapest.map(|c| c.0),
        cheapest_cost_usd: cheapest.map(|c| c.1),
        stops_paying_at,
        auto_time_s,
        auto_over_fastest: auto_time_s
            .zip(fastest)
            .filter(|(_, f)| f.1 > 0.0)
            .map(|(auto, f)| auto / f.1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(target: &str, concurrency: Option<Concurrency>, mb: u32, time: f64, cost: f64) -> Cell {
        Cell {
            target: target.into(),
            target_name: target.into(),
            concurrency,
            memory_mb: mb,
            mean_time_s: Some(time),
            cost_usd: Some(cost),
            ..Cell::default()
        }
    }

    #[test]
    fn the_best_values_come_from_the_fixed_ones_and_auto_is_set_beside_them() {
        let (fixed, auto) = (|n| Some(Concurrency::Fixed(n)), Some(Concurrency::Auto));
        let cells = vec![
            // 256 MB: 8 is fastest and cheapest; 64 is not 5 % faster than 8.
            cell("rust", fixed(1), 256, 4.0, 4.0),
            cell("rust", fixed(8), 256, 1.0, 1.0),
            cell("rust", fixed(64), 256, 0.97, 1.1),
            cell("rust", auto, 256, 1.05, 1.05),
            // 1024 MB: 64 is fastest; 8 is cheapest; more stops paying at 64.
            cell("rust", fixed(1), 1024, 2.0, 3.0),
            cell("rust", fixed(8), 1024, 0.5, 0.9),
            cell("rust", fixed(64), 1024, 0.2, 1.0),
            cell("rust", auto, 1024, 0.3, 1.2),
            cell("python", fixed(64), 256, 3.0, 3.0),
            cell("python", fixed(64), 1024, 2.0, 2.0),
        ];
        let maps = concurrency_maps(&cells, &[256, 1024]);
        assert_eq!(maps.len(), 1, "python ran at one value: no map");
        let map = &maps[0];
        assert_eq!(map.target, "rust");
        assert_eq!(
            map.concurrencies,
            [
                Concurrency::Fixed(1),
                Concurrency::Fixed(8),
                Concurrency::Fixed(64),
                Concurrency::Auto
            ]
        );
        assert_eq!(
            map.mean_time_s[1],
            [Some(2.0), Some(0.5), Some(0.2), Some(0.3)]
        );
        let at256 = &map.best[0];
        assert_eq!((at256.fastest, at256.cheapest), (Some(64), Some(8)));
        assert_eq!(at256.stops_paying_at, Some(8));
        assert_eq!(at256.auto_time_s, Some(1.05));
        let ratio = at256.auto_over_fastest.unwrap();
        assert!((ratio - 1.05 / 0.97).abs() < 1e-12, "{ratio}");
        let at1024 = &map.best[1];
        assert_eq!((at1024.fastest, at1024.cheapest), (Some(64), Some(8)));
        assert_eq!(at1024.stops_paying_at, Some(64));
        assert_eq!(at1024.fastest_time_s, Some(0.2));
    }

    #[test]
    fn a_size_without_valid_runs_has_no_best() {
        let (fixed, auto) = (|n| Some(Concurrency::Fixed(n)), Some(Concurrency::Auto));
        let mut failed = cell("rust", fixed(8), 128, 0.0, 0.0);
        failed.mean_time_s = None;
        failed.cost_usd = None;
        let cells = vec![failed, cell("rust", auto, 128, 1.0, 1.0)];
        let best = &concurrency_maps(&cells, &[128])[0].best[0];
        assert_eq!(best.fastest, None);
        assert_eq!(best.stops_paying_at, None);
        assert_eq!(best.auto_time_s, Some(1.0));
        assert_eq!(best.auto_over_fastest, None);
    }
}
