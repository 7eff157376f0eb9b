//! `PREFIX index.json`: one entry per execution, for the trend over scheduled reruns. Writing an
//! execution again replaces its entry, so the index (and everything drawn from it) comes out
//! the same. Entries are ordered by start time, then name; nothing in it is "now".

use serde::{Deserialize, Serialize};

use crate::error::CollectorError;
use crate::summary::Summary;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Index {
    pub(crate) executions: Vec<IndexEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IndexEntry {
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) start_time: String,
    #[serde(default)]
    pub(crate) label: String,
    /// The execution's folder, relative to the bucket (e.g. `runs/NAME/`).
    #[serde(default)]
    pub(crate) folder: String,
    #[serde(default)]
    pub(crate) runs: usize,
    #[serde(default)]
    pub(crate) failures: usize,
    #[serde(default)]
    pub(crate) invalid: usize,
    #[serde(default)]
    pub(crate) targets: Vec<TargetHeadline>,
}

/// The headline figures of one target in one execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TargetHeadline {
    pub(crate) target: String,
    /// The least mean time over memory sizes, and where.
    pub(crate) fastest_time_s: Option<f64>,
    pub(crate) fastest_memory_mb: Option<u32>,
    pub(crate) cheapest_cost_usd: Option<f64>,
    pub(crate) cheapest_memory_mb: Option<u32>,
    pub(crate) balanced_memory_mb: Option<u32>,
    #[serde(default)]
    pub(crate) score: Option<f64>,
}

impl Index {
    /// Reads an existing index; `key` only names it in the error.
    pub(crate) fn parse(key: &str, bytes: &[u8]) -> Result<Self, CollectorError> {
        serde_json::from_slice(bytes).map_err(|e| CollectorError::InvalidIndex {
            key: key.to_string(),
            reason: e.to_string(),
        })
    }

    /// Adds the entry, or replaces the entry of the same execution name.
    pub(crate) fn upsert(&mut self, entry: IndexEntry) {
        self.executions.retain(|e| e.name != entry.name);
        self.executions.push(entry);
        self.executions
            .sort_by(|a, b| (&a.start_time, &a.name).cmp(&(&b.start_time, &b.name)));
    }

    pub(crate) fn to_json(&self) -> Result<Vec<u8>, CollectorError> {
        serde_json::to_vec_pretty(self).map_err(|e| CollectorError::render("index.json", e))
    }
}

impl IndexEntry {
    pub(crate) fn of(summary: &Summary, folder: &str) -> Self {
        Self {
            name: summary.execution.name.clone(),
            id: summary.execution.id.clone(),
            start_time: summary.execution.start_time.clone(),
            label: summary.label.clone(),
            folder: folder.to_string(),
            runs: summary.runs,
            failures: summary.failures,
            invalid: summary.invalid,
            targets: summary
                .targets
                .iter()
                .map(|t| {
                    let r = summary.recommendation_of(t);
                    TargetHeadline {
                        target: t.clone(),
                        fastest_time_s: r.and_then(|r| r.fastest).map(|c| c.mean_time_s),
                        fastest_memory_mb: r.and_then(|r| r.fastest).map(|c| c.memory_mb),
                        cheapest_cost_usd: r.and_then(|r| r.cheapest).map(|c| c.cost_usd),
                        cheapest_memory_mb: r.and_then(|r| r.cheapest).map(|c| c.memory_mb),
                        balanced_memory_mb: r.and_then(|r| r.balanced).map(|c| c.memory_mb),
                        score: summary.score_of(t),
                    }
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, start: &str) -> IndexEntry {
        IndexEntry {
            name: name.into(),
            id: format!("arn:{name}"),
            start_time: start.into(),
            label: String::new(),
            folder: format!("runs/{name}/"),
            runs: 1,
            failures: 0,
            invalid: 0,
            targets: vec![],
        }
    }

    #[test]
    fn entries_are_added_once_and_kept_in_start_order() {
        let mut index = Index::default();
        index.upsert(entry("b", "2026-01-02T00:00:00Z"));
        index.upsert(entry("a", "2026-01-01T00:00:00Z"));
        let mut again = entry("b", "2026-01-02T00:00:00Z");
        again.runs = 7;
        index.upsert(again);
        let names: Vec<_> = index
            .executions
            .iter()
            .map(|e| (e.name.as_str(), e.runs))
            .collect();
        assert_eq!(names, vec![("a", 1), ("b", 7)]);
    }

    #[test]
    fn an_unreadable_index_is_a_named_error() {
        let err = Index::parse("runs/index.json", b"{\"executions\": 3}").unwrap_err();
        assert_eq!(err.name(), "InvalidIndex");
        assert!(err.to_string().contains("runs/index.json"), "{err}");
        let index = Index::parse("k", b"{\"executions\": [{\"name\": \"x\"}]}").unwrap();
        assert_eq!(index.executions[0].name, "x");
    }
}
