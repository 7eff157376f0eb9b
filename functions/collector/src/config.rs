//! What the collector takes from the execution's effective input (contract 1), plus its own
//! optional fields: `prices` (see [`crate::pricing`]), `balancedWeight` (0 = fastest,
//! 1 = cheapest, default 0.5, as in AWS Lambda Power Tuning) and `subjectiveScores` (the seed's
//! subjective review, see [`bench_types::subjective`]). Every field is optional: targets,
//! memory sizes and rounds default to what the records show.

use std::collections::BTreeMap;

use bench_types::subjective::check_grades;
use bench_types::{Architecture, ReadMode};
use serde_json::{Map, Value};

use crate::error::CollectorError;
use crate::pricing::Prices;

pub(crate) use bench_types::recommendation::DEFAULT_BALANCED_WEIGHT;
pub(crate) use bench_types::records::DEFAULT_RESULTS_PREFIX;

/// One configured target as the collector needs it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TargetConfig {
    pub(crate) name: String,
    pub(crate) function_name: Option<String>,
    /// The function's architecture when the reader does not report it (`architecture` in the
    /// target, `arm64` or `x86_64`); our reader reports it in `stats.arch`.
    pub(crate) architecture: Option<Architecture>,
    /// The target's `payload.mode`, when it names one: how the reader was asked to read (the
    /// reader's own `stats.mode` wins where it reports one).
    pub(crate) mode: Option<ReadMode>,
}

/// The seed's subjective grades: target, then category, then grade (1 to 6).
pub(crate) type SubjectiveScores = BTreeMap<String, BTreeMap<String, f64>>;

/// The collector's view of the effective input.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReportConfig {
    pub(crate) targets: Vec<TargetConfig>,
    pub(crate) memory_sizes: Vec<u32>,
    pub(crate) rounds: Option<u32>,
    pub(crate) label: String,
    /// The data the readers read, for the report's header.
    pub(crate) data_bucket: Option<String>,
    pub(crate) data_prefix: Option<String>,
    pub(crate) prices: Prices,
    pub(crate) balanced_weight: f64,
    /// `subjectiveScores`, checked (every target has all seven categories graded 1 to 6); empty
    /// when not given.
    pub(crate) subjective_scores: SubjectiveScores,
}

impl ReportConfig {
    /// Reads the effective input; a wrong type or value is an `InvalidInput` naming the field.
    pub(crate) fn from_input(input: &Value) -> Result<Self, CollectorError> {
        let empty = Map::new();
        let object = match input {
            Value::Null => &empty,
            Value::Object(object) => object,
            other => {
                return Err(CollectorError::input(
                    "input",
                    format!("must be an object, found {other}"),
                ))
            }
        };
        Ok(Self {
            targets: targets(object.get("targets"))?,
            memory_sizes: memory_sizes(object.get("memorySizes"))?,
            rounds: optional_u32(object, "rounds")?,
            label: optional_string(object, "label")?.unwrap_or_default(),
            data_bucket: optional_string(object, "bucket")?,
            data_prefix: optional_string(object, "prefix")?,
            prices: Prices::with_overrides(object.get("prices").filter(|v| !v.is_null()))?,
            balanced_weight: balanced_weight(object.get("balancedWeight"))?,
            subjective_scores: subjective_scores(object.get("subjectiveScores"))?,
        })
    }

    /// The target of that name, or of that series (`rust@8`: `rust`).
    pub(crate) fn target(&self, name: &str) -> Option<&TargetConfig> {
        let find = |name: &str| self.targets.iter().find(|t| t.name == name);
        find(name).or_else(|| find(bench_types::series::Series::target_of(name)))
    }
}

/// Where the results of executions go: `resultsBucket` and `resultsPrefix` of the input.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultsPlace {
    /// `resultsBucket`; `None` when absent or empty.
    pub bucket: Option<String>,
    /// `resultsPrefix` with a trailing `/` (`runs/` when absent, `""` for the bucket root).
    pub prefix: String,
}

impl ResultsPlace {
    /// Reads them from the effective input; a field of the wrong type is an `InvalidInput`.
    pub fn from_input(input: &Value) -> Result<Self, CollectorError> {
        let empty = Map::new();
        let object = input.as_object().unwrap_or(&empty);
        let bucket = optional_string(object, "resultsBucket")?.filter(|b| !b.is_empty());
        let prefix = normalize_prefix(optional_string(object, "resultsPrefix")?.as_deref());
        Ok(Self { bucket, prefix })
    }
}

/// `None` gives `runs/`; a prefix without a trailing slash gets one; `""` stays the bucket root.
pub(crate) fn normalize_prefix(prefix: Option<&str>) -> String {
    match prefix {
        None => DEFAULT_RESULTS_PREFIX.to_string(),
        Some("") => String::new(),
        Some(p) if p.ends_with('/') => p.to_string(),
        Some(p) => format!("{p}/"),
    }
}

fn targets(value: Option<&Value>) -> Result<Vec<TargetConfig>, CollectorError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let Some(items) = value.as_array() else {
        return Err(CollectorError::input(
            "targets",
            "must be an array of {\"name\", \"functionName\"}",
        ));
    };
    let mut targets = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let field = |name: &str| format!("targets[{i}].{name}");
        let Some(name) = item.get("name").and_then(Value::as_str) else {
            return Err(CollectorError::input(
                field("name"),
                "must be a string such as \"rust\"",
            ));
        };
        let architecture = match item.get("architecture") {
            None | Some(Value::Null) => None,
            Some(v) => Some(v.as_str().and_then(Architecture::parse).ok_or_else(|| {
                CollectorError::input(
                    field("architecture"),
                    format!("must be \"arm64\" or \"x86_64\", found {v}"),
                )
            })?),
        };
        targets.push(TargetConfig {
            name: name.to_string(),
            function_name: item
                .get("functionName")
                .and_then(Value::as_str)
                .map(str::to_owned),
            architecture,
            mode: item
                .get("payload")
                .and_then(|p| p.get("mode"))
                .and_then(Value::as_str)
                .and_then(ReadMode::parse),
        });
    }
    Ok(targets)
}

fn memory_sizes(value: Option<&Value>) -> Result<Vec<u32>, CollectorError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let bad = || {
        CollectorError::input(
            "memorySizes",
            format!("must be an array of MB numbers such as [128, 1024], found {value}"),
        )
    };
    let items = value.as_array().ok_or_else(bad)?;
    items
        .iter()
        .map(|v| {
            v.as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(bad)
        })
        .collect()
}

fn balanced_weight(value: Option<&Value>) -> Result<f64, CollectorError> {
    match value {
        None | Some(Value::Null) => Ok(DEFAULT_BALANCED_WEIGHT),
        Some(v) => match v.as_f64() {
            Some(w) if (0.0..=1.0).contains(&w) => Ok(w),
            _ => Err(CollectorError::input(
                "balancedWeight",
                format!("must be a number from 0 (fastest) to 1 (cheapest), found {v}"),
            )),
        },
    }
}

/// `subjectiveScores`: `{"TARGET": {"CATEGORY": GRADE, ...}, ...}`, the seven categories of
/// [`bench_types::subjective::SUBJECTIVE_CATEGORIES`] graded from 1 to 6 for every target named.
fn subjective_scores(value: Option<&Value>) -> Result<SubjectiveScores, CollectorError> {
    const FIELD: &str = "subjectiveScores";
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(SubjectiveScores::new());
    };
    let Some(targets) = value.as_object() else {
        return Err(CollectorError::input(
            FIELD,
            format!("must be an object {{\"TARGET\": {{\"code_complexity\": 1 to 6, ...}}, ...}}, found {value}"),
        ));
    };
    let mut scores = SubjectiveScores::new();
    for (target, grades) in targets {
        let Some(grades) = grades.as_object() else {
            return Err(CollectorError::input(
                format!("{FIELD}.{target}"),
                format!("must be an object of the seven categories' grades, e.g. {{\"code_complexity\": 4, ...}}, found {grades}"),
            ));
        };
        let mut numbers = BTreeMap::new();
        for (category, grade) in grades {
            let Some(number) = grade.as_f64() else {
                return Err(CollectorError::input(
                    format!("{FIELD}.{target}.{category}"),
                    format!("must be a number from 1 (worst) to 6 (best), found {grade}"),
                ));
            };
            numbers.insert(category.clone(), number);
        }
        check_grades(FIELD, target, &numbers)
            .map_err(|p| CollectorError::input(p.field, p.reason))?;
        scores.insert(target.clone(), numbers);
    }
    Ok(scores)
}

fn optional_u32(object: &Map<String, Value>, name: &str) -> Result<Option<u32>, CollectorError> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| {
                CollectorError::input(name, format!("must be a whole number, found {v}"))
            }),
    }
}

fn optional_string(
    object: &Map<String, Value>,
    name: &str,
) -> Result<Option<String>, CollectorError> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(CollectorError::input(
            name,
            format!("must be a string, found {v}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_empty_input_gives_the_defaults() {
        let config = ReportConfig::from_input(&json!({})).unwrap();
        assert!(config.targets.is_empty() && config.memory_sizes.is_empty());
        assert_eq!(config.balanced_weight, 0.5);
        assert_eq!(config.prices, Prices::default());
        assert_eq!(
            ResultsPlace::from_input(&json!({})).unwrap().prefix,
            "runs/"
        );
    }

    #[test]
    fn the_effective_input_is_read() {
        let input = json!({
            "targets": [{"name": "rust", "functionName": "f1"}, {"name": "go", "functionName": "f2", "architecture": "x86_64"}],
            "memorySizes": [128, 1024], "rounds": 3, "label": "nightly",
            "bucket": "data", "prefix": "bench/1000/",
            "resultsBucket": "results", "resultsPrefix": "history",
            "balancedWeight": 0.25, "prices": {"s3Get": 0}
        });
        let config = ReportConfig::from_input(&input).unwrap();
        assert_eq!(config.targets.len(), 2);
        assert_eq!(
            config.target("go").unwrap().architecture,
            Some(Architecture::X86_64)
        );
        assert_eq!(config.memory_sizes, vec![128, 1024]);
        assert_eq!(config.rounds, Some(3));
        assert_eq!(config.balanced_weight, 0.25);
        assert_eq!(config.prices.s3_get, 0.0);
        let place = ResultsPlace::from_input(&input).unwrap();
        assert_eq!(
            place,
            ResultsPlace {
                bucket: Some("results".into()),
                prefix: "history/".into()
            }
        );
    }

    #[test]
    fn bad_fields_are_named() {
        for (input, field) in [
            (json!({"balancedWeight": 2}), "balancedWeight"),
            (json!({"memorySizes": ["big"]}), "memorySizes"),
            (
                json!({"targets": [{"functionName": "f"}]}),
                "targets[0].name",
            ),
            (
                json!({"targets": [{"name": "a", "architecture": "mips"}]}),
                "targets[0].architecture",
            ),
            (json!({"rounds": -1}), "rounds"),
            (json!({"label": 5}), "label"),
            (json!([1]), "input"),
        ] {
            let err = ReportConfig::from_input(&input).unwrap_err();
            assert_eq!(err.name(), "InvalidInput");
            assert!(err.to_string().contains(field), "{field}: {err}");
        }
    }

    #[test]
    fn subjective_scores_are_read_and_bad_ones_name_the_field_and_the_fix() {
        use bench_types::subjective::SUBJECTIVE_CATEGORIES;
        let seven = |grade: Value| -> Value {
            SUBJECTIVE_CATEGORIES
                .iter()
                .map(|c| ((*c).to_owned(), grade.clone()))
                .collect::<Map<_, _>>()
                .into()
        };
        let config =
            ReportConfig::from_input(&json!({"subjectiveScores": {"rust": seven(json!(4))}}))
                .unwrap();
        assert_eq!(config.subjective_scores["rust"]["toolchain"], 4.0);
        assert_eq!(config.subjective_scores["rust"].values().sum::<f64>(), 28.0);
        assert!(ReportConfig::from_input(&json!({}))
            .unwrap()
            .subjective_scores
            .is_empty());

        let with = |category: &str, grade: Value| {
            let mut grades = seven(json!(3));
            grades[category] = grade;
            json!({"subjectiveScores": {"go": grades}})
        };
        let mut missing = seven(json!(3));
        missing.as_object_mut().unwrap().remove("ecosystem");
        for (input, field, fix) in [
            (
                json!({"subjectiveScores": [1]}),
                "subjectiveScores",
                "must be an object",
            ),
            (
                json!({"subjectiveScores": {"go": 30}}),
                "subjectiveScores.go",
                "seven categories",
            ),
            (
                with("tooling", json!(3)),
                "subjectiveScores.go.tooling",
                "use code_complexity",
            ),
            (
                with("toolchain", json!(0)),
                "subjectiveScores.go.toolchain",
                "from 1 (worst) to 6",
            ),
            (
                with("toolchain", json!(6.5)),
                "subjectiveScores.go.toolchain",
                "from 1 (worst) to 6",
            ),
            (
                with("aws_sdk", json!("good")),
                "subjectiveScores.go.aws_sdk",
                "must be a number",
            ),
            (
                json!({"subjectiveScores": {"go": missing}}),
                "subjectiveScores.go",
                "misses ecosystem",
            ),
        ] {
            let err = ReportConfig::from_input(&input).unwrap_err();
            assert_eq!(err.name(), "InvalidInput");
            match &err {
                CollectorError::InvalidInput { field: f, reason } => {
                    assert_eq!(f, field, "{err}");
                    assert!(reason.contains(fix), "{field}: {reason}");
                }
                other => panic!("{other}"),
            }
        }
        // Half grades are grades.
        assert!(ReportConfig::from_input(&with("toolchain", json!(5.5))).is_ok());
    }

    #[test]
    fn a_targets_payload_mode_is_read() {
        let config = ReportConfig::from_input(&json!({"targets": [
            {"name": "a", "payload": {"mode": "sequential"}},
            {"name": "b", "payload": {"mode": "fast"}},
            {"name": "c"}
        ]}))
        .unwrap();
        let modes: Vec<_> = config.targets.iter().map(|t| t.mode).collect();
        assert_eq!(modes, vec![Some(ReadMode::Sequential), None, None]);
    }

    #[test]
    fn prefixes_are_normalized() {
        assert_eq!(normalize_prefix(None), "runs/");
        assert_eq!(normalize_prefix(Some("")), "");
        assert_eq!(normalize_prefix(Some("a/b")), "a/b/");
        assert_eq!(normalize_prefix(Some("a/")), "a/");
    }
}
