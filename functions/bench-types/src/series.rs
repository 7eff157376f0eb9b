//! The name of each (target, concurrency) of a run, for the tables and charts that show one
//! line or column per measured thing: the target's name when it ran at one concurrency, else
//! `NAME@VALUE` (`rust@8`, `rust@auto`).

use std::collections::{BTreeMap, BTreeSet};

use crate::Concurrency;

/// The (target, concurrency) pairs of a run, and their names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    /// Every target's concurrency values, as they were run (`None`: sequential).
    values: BTreeMap<String, BTreeSet<Option<Concurrency>>>,
}

impl Series {
    /// The series of the runs given as (target, concurrency).
    pub fn of<'a>(runs: impl IntoIterator<Item = (&'a str, Option<Concurrency>)>) -> Self {
        let mut values: BTreeMap<String, BTreeSet<Option<Concurrency>>> = BTreeMap::new();
        for (target, concurrency) in runs {
            values
                .entry(target.to_owned())
                .or_default()
                .insert(concurrency);
        }
        Self { values }
    }

    /// Whether `target` ran at more than one concurrency.
    pub fn is_swept(&self, target: &str) -> bool {
        self.values.get(target).is_some_and(|v| v.len() > 1)
    }

    /// The concurrency values `target` ran at, fixed ones ascending then `auto`.
    pub fn values_of(&self, target: &str) -> Vec<Option<Concurrency>> {
        self.values
            .get(target)
            .map(|v| v.iter().copied().collect())
            .unwrap_or_default()
    }

    /// The name of `target` at `concurrency`.
    pub fn label(&self, target: &str, concurrency: Option<Concurrency>) -> String {
        match concurrency {
            Some(value) if self.is_swept(target) => format!("{target}@{value}"),
            _ => target.to_owned(),
        }
    }

    /// The target a series name belongs to: `rust` of `rust@8` (a name without a concurrency
    /// after its last `@` is a target's own).
    pub fn target_of(label: &str) -> &str {
        match label.rsplit_once('@') {
            Some((target, value)) if value.parse::<Concurrency>().is_ok() => target,
            _ => label,
        }
    }

    /// Every series name, targets in the order of `targets` (then the others by name), each
    /// target's values in order. A target of `targets` without any run keeps its place under its
    /// own name, so a table or chart still shows it.
    pub fn labels_in_order(&self, targets: &[String]) -> Vec<String> {
        let others = self.values.keys().filter(|t| !targets.contains(t));
        targets
            .iter()
            .chain(others)
            .flat_map(|target| match self.values_of(target).as_slice() {
                [] => vec![target.clone()],
                values => values.iter().map(|&c| self.label(target, c)).collect(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_swept_target_carries_its_concurrency_in_its_name() {
        let (fixed, auto) = (Concurrency::Fixed, Concurrency::Auto);
        let series = Series::of([
            ("rust", Some(auto)),
            ("rust", Some(fixed(64))),
            ("rust", Some(fixed(8))),
            ("python", Some(fixed(64))),
            ("python-sequential", None),
            ("extra", Some(fixed(1))),
        ]);
        assert!(series.is_swept("rust"));
        assert!(!series.is_swept("python"));
        assert_eq!(series.label("rust", Some(fixed(8))), "rust@8");
        assert_eq!(series.label("python", Some(fixed(64))), "python");
        assert_eq!(Series::target_of("rust@auto"), "rust");
        assert_eq!(Series::target_of("rust@8"), "rust");
        assert_eq!(Series::target_of("me@home"), "me@home");
        assert_eq!(Series::target_of("python"), "python");
        assert_eq!(
            series.labels_in_order(&[
                "python-sequential".into(),
                "rust".into(),
                "not-run".into(),
                "python".into()
            ]),
            [
                "python-sequential",
                "rust@8",
                "rust@64",
                "rust@auto",
                "not-run",
                "python",
                "extra"
            ]
        );
    }
}
