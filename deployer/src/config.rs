//! The benchmark configuration: `bench.toml` (every field optional, defaults are the seed's
//! benchmark), then command-line overrides, then validation. A bad value is an
//! [`DeployError::InvalidConfig`] naming the field and the fix.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use bench_types::concurrency::{ConcurrencyList, MAX_CONCURRENCY};
use bench_types::input::DEFAULT_CONCURRENCY;
use bench_types::objects::{ObjectSet, DEFAULT_GENERATOR_KEY};
use bench_types::Concurrency;
use bench_types::{MAGIC_STRING, MAX_MEMORY_MB, MIN_MEMORY_MB, SEED_MEMORY_SIZES};
use serde::{Deserialize, Serialize};

use crate::error::{DeployError, Result};
use crate::readers::{Reader, RustClient};

/// The longest stack name: bucket names (`STACK-results-ACCOUNT-REGION`) must fit in 63 characters.
pub(crate) const MAX_STACK_NAME_LEN: usize = 20;

/// The functions' Lambda architecture, and how a target's reader fetches the objects (contract
/// types of bench-types, re-exported for the deployer's users).
pub use bench_types::{Architecture, ReadMode};

/// The test objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ObjectsConfig {
    /// How many objects, e.g. 1000 (the seed's).
    pub count: u64,
    /// The smallest object size, in bytes.
    pub min_size: u64,
    /// The largest object size, in bytes.
    pub max_size: u64,
    /// The string written into exactly one object, and searched for by the readers.
    pub magic: String,
    /// The generator key (which object holds the magic string).
    pub generator_key: u64,
}

impl Default for ObjectsConfig {
    fn default() -> Self {
        Self {
            count: 1000,
            min_size: 1000,
            max_size: 50_000,
            magic: MAGIC_STRING.to_owned(),
            generator_key: DEFAULT_GENERATOR_KEY,
        }
    }
}

impl ObjectsConfig {
    /// The generator spec of the shared objects module.
    pub fn object_set(&self) -> ObjectSet {
        ObjectSet {
            count: self.count,
            min_size: self.min_size,
            max_size: self.max_size,
            magic: Some(self.magic.clone()),
            generator_key: self.generator_key,
        }
    }
}

/// One function under test.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    /// Short label for tables and charts.
    pub name: String,
    /// Function name or ARN of a Lambda that speaks the reader contract; absent means the
    /// stack's reader named by `reader`.
    #[serde(default)]
    pub function: Option<String>,
    /// Which of the stack's readers runs this target (`rust`, `python`, `node`; default `rust`);
    /// not with `function`.
    #[serde(default)]
    pub reader: Option<Reader>,
    /// The Rust reader's GET path: `sdk` (aws-sdk-s3 GetObject, the seed's method; the default)
    /// or `direct` (signed GETs over hyper). Only for the Rust reader.
    #[serde(default)]
    pub client: Option<RustClient>,
    /// `concurrent` or `sequential`; absent means the reader's default (concurrent).
    #[serde(default)]
    pub mode: Option<ReadMode>,
    /// Replaces the top-level `concurrency` for this target: a number, `"auto"` (the Rust
    /// reader) or a list of them (this target's sweep).
    #[serde(default)]
    pub concurrency: Option<ConcurrencyList>,
}

/// The whole configuration, as in `bench.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BenchConfig {
    /// The name every resource name derives from (3 to 20 characters), e.g. `lambda-bench`.
    pub stack_name: String,
    /// Region; absent means the standard chain (`AWS_REGION`, the profile).
    pub region: Option<String>,
    /// The architecture the functions are built and deployed for.
    pub architecture: Architecture,
    /// The memory sizes each execution sweeps, in MB, in this order.
    pub memory_sizes: Vec<u32>,
    /// How many times the sweep repeats in one execution.
    pub rounds: u32,
    /// Whether each configuration gets an untimed invocation first (a warm start).
    pub warmup: bool,
    /// The reader's concurrency (objects in flight) for targets that do not set their own: a
    /// number, or a list swept at every memory size (`"auto"` among them goes to the Rust
    /// reader's targets only).
    pub concurrency: ConcurrencyList,
    /// EventBridge Scheduler expression (`rate(7 days)`, `cron(0 6 * * ? *)`); absent = no schedule.
    pub schedule: Option<String>,
    /// The data bucket's name; absent means `STACK-data-ACCOUNT-REGION`.
    pub data_bucket: Option<String>,
    /// The results bucket's name; absent means `STACK-results-ACCOUNT-REGION`.
    pub results_bucket: Option<String>,
    /// Memory of the deployed reader between runs, in MB (the state machine sets the target's).
    pub reader_memory_mb: u32,
    /// Memory of the collector, in MB.
    pub collector_memory_mb: u32,
    /// The test objects.
    pub objects: ObjectsConfig,
    /// The functions under test, in the order of the table's columns.
    pub targets: Vec<TargetConfig>,
    /// The seed's subjective review, per target: the seven categories of
    /// [`bench_types::subjective::SUBJECTIVE_CATEGORIES`] graded 1 to 6. Baked into the state
    /// machine's default input as `subjectiveScores`, so the report shows the combined score;
    /// empty (the default) leaves it out.
    pub subjective_scores: BTreeMap<String, BTreeMap<String, f64>>,
}

impl Default for BenchConfig {
    fn default() -> Self {
        Self {
            stack_name: "lambda-bench".into(),
            region: None,
            architecture: Architecture::Arm64,
            memory_sizes: SEED_MEMORY_SIZES.to_vec(),
            rounds: 3,
            warmup: true,
            concurrency: ConcurrencyList::fixed(DEFAULT_CONCURRENCY),
            schedule: None,
            data_bucket: None,
            results_bucket: None,
            reader_memory_mb: 1024,
            collector_memory_mb: 1024,
            objects: ObjectsConfig::default(),
            targets: seed_targets(),
            subjective_scores: BTreeMap::new(),
        }
    }
}

/// Values from the command line that replace those of the file.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Overrides {
    pub(crate) stack_name: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) architecture: Option<Architecture>,
    pub(crate) memory_sizes: Option<Vec<u32>>,
    pub(crate) rounds: Option<u32>,
    /// `NAME` (the stack's reader) or `NAME=FUNCTION`, replacing the configured targets.
    pub(crate) targets: Option<Vec<String>>,
    pub(crate) object_count: Option<u64>,
    pub(crate) min_size: Option<u64>,
    pub(crate) max_size: Option<u64>,
    pub(crate) concurrency: Option<Vec<Concurrency>>,
    pub(crate) schedule: Option<String>,
    /// Drops the schedule of the file.
    pub(crate) no_schedule: bool,
}

impl BenchConfig {
    /// Parses TOML text (unknown fields are an error, so typos do not pass silently).
    pub(crate) fn from_toml(text: &str, origin: &Path) -> Result<Self> {
        toml::from_str(text).map_err(|e| DeployError::ConfigFile {
            path: origin.to_path_buf(),
            message: e.to_string(),
        })
    }

    /// Reads `path`; a missing file gives the defaults only when `required` is false.
    pub(crate) fn load(path: &Path, required: bool) -> Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_toml(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Ok(Self::default()),
            Err(e) => Err(DeployError::io(path, e)),
        }
    }

    /// Applies command-line overrides.
    pub(crate) fn apply(&mut self, o: &Overrides) -> Result<()> {
        if let Some(v) = &o.stack_name {
            self.stack_name.clone_from(v);
        }
        if let Some(v) = &o.region {
            self.region = Some(v.clone());
        }
        if let Some(v) = o.architecture {
            self.architecture = v;
        }
        if let Some(v) = &o.memory_sizes {
            self.memory_sizes.clone_from(v);
        }
        if let Some(v) = o.rounds {
            self.rounds = v;
        }
        if let Some(v) = &o.concurrency {
            self.concurrency = ConcurrencyList(v.clone());
        }
        if let Some(v) = o.object_count {
            self.objects.count = v;
        }
        if let Some(v) = o.min_size {
            self.objects.min_size = v;
        }
        if let Some(v) = o.max_size {
            self.objects.max_size = v;
        }
        if let Some(v) = &o.schedule {
            self.schedule = Some(v.clone());
        }
        if o.no_schedule {
            self.schedule = None;
        }
        if let Some(targets) = &o.targets {
            self.targets = targets
                .iter()
                .map(|t| parse_target_flag(t))
                .collect::<Result<_>>()?;
        }
        Ok(())
    }

    /// Checks every field; the first bad one is reported with its fix.
    pub(crate) fn validate(&self) -> Result<()> {
        validate_stack_name(&self.stack_name)?;
        if let Some(region) = &self.region {
            if region.is_empty()
                || !region
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                return Err(DeployError::config(
                    "region",
                    format!("`{region}` is not a region name"),
                    "use a name such as eu-west-1, or remove it to use AWS_REGION / the profile's region",
                ));
            }
        }
        validate_memory_sizes(&self.memory_sizes)?;
        for (field, mb) in [
            ("reader_memory_mb", self.reader_memory_mb),
            ("collector_memory_mb", self.collector_memory_mb),
        ] {
            if !(MIN_MEMORY_MB..=MAX_MEMORY_MB).contains(&mb) {
                return Err(DeployError::config(
                    field,
                    format!("{mb} MB is outside {MIN_MEMORY_MB}..={MAX_MEMORY_MB}"),
                    "give a size Lambda accepts, e.g. 1024",
                ));
            }
        }
        if !(1..=100).contains(&self.rounds) {
            return Err(DeployError::config(
                "rounds",
                format!("{} rounds", self.rounds),
                "give between 1 and 100 rounds (--rounds)",
            ));
        }
        validate_concurrency("concurrency", &self.concurrency)?;
        validate_objects(&self.objects)?;
        validate_targets(&self.targets)?;
        validate_subjective_scores(&self.subjective_scores)?;
        if let Some(expr) = &self.schedule {
            validate_schedule(expr)?;
        }
        for (field, bucket) in [
            ("data_bucket", &self.data_bucket),
            ("results_bucket", &self.results_bucket),
        ] {
            if let Some(name) = bucket {
                validate_bucket_name(field, name)?;
            }
        }
        if self.data_bucket.is_some() && self.data_bucket == self.results_bucket {
            return Err(DeployError::config(
                "results_bucket",
                "is the same as data_bucket",
                "give the results their own bucket",
            ));
        }
        Ok(())
    }
}

/// `NAME` or `NAME=FUNCTION-NAME-OR-ARN`.
fn parse_target_flag(flag: &str) -> Result<TargetConfig> {
    let (name, function) = match flag.split_once('=') {
        Some((name, function)) => (name, Some(function.to_owned())),
        None => (flag, None),
    };
    if function.as_deref() == Some("") {
        return Err(DeployError::config(
            "--target",
            format!("`{flag}` has an empty function"),
            "write NAME (the stack's reader) or NAME=FUNCTION-NAME-OR-ARN",
        ));
    }
    Ok(TargetConfig {
        name: name.to_owned(),
        function,
        ..TargetConfig::default()
    })
}

/// The seed's method: every reader through its language's AWS SDK, concurrently, and the
/// seed's sequential baseline in Python (its Figure 6); plus the Rust reader's direct GETs.
pub fn seed_targets() -> Vec<TargetConfig> {
    let target = |name: &str, reader, client, mode| TargetConfig {
        name: name.into(),
        reader: Some(reader),
        client,
        mode: Some(mode),
        ..TargetConfig::default()
    };
    vec![
        target(
            "rust",
            Reader::Rust,
            Some(RustClient::Sdk),
            ReadMode::Concurrent,
        ),
        target(
            "rust-direct",
            Reader::Rust,
            Some(RustClient::Direct),
            ReadMode::Concurrent,
        ),
        target("python", Reader::Python, None, ReadMode::Concurrent),
        target("node", Reader::Node, None, ReadMode::Concurrent),
        target(
            "python-sequential",
            Reader::Python,
            None,
            ReadMode::Sequential,
        ),
    ]
}

impl TargetConfig {
    /// The stack's reader this target runs, `None` for a target on another `function`.
    pub fn stack_reader(&self) -> Option<Reader> {
        match self.function {
            Some(_) => None,
            None => Some(self.reader.unwrap_or_default()),
        }
    }

    /// Whether the target's reader takes `concurrency = "auto"`: the stack's Rust reader.
    pub fn takes_auto_concurrency(&self) -> bool {
        self.stack_reader() == Some(Reader::Rust)
    }
}

fn validate_stack_name(name: &str) -> Result<()> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let starts = name.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    if !ok_chars
        || !starts
        || name.ends_with('-')
        || name.len() < 3
        || name.len() > MAX_STACK_NAME_LEN
    {
        return Err(DeployError::config(
            "stack_name",
            format!("`{name}` cannot name buckets, roles and functions"),
            format!(
                "use 3 to {MAX_STACK_NAME_LEN} lowercase letters, digits and hyphens, starting with a letter (e.g. lambda-bench)"
            ),
        ));
    }
    Ok(())
}

fn validate_memory_sizes(sizes: &[u32]) -> Result<()> {
    if sizes.is_empty() {
        return Err(DeployError::config(
            "memory_sizes",
            "empty",
            "give at least one size in MB, e.g. memory_sizes = [128, 1024]",
        ));
    }
    let mut seen = BTreeSet::new();
    for (i, &mb) in sizes.iter().enumerate() {
        if !(MIN_MEMORY_MB..=MAX_MEMORY_MB).contains(&mb) {
            return Err(DeployError::config(
                format!("memory_sizes[{i}]"),
                format!("{mb} MB is outside {MIN_MEMORY_MB}..={MAX_MEMORY_MB}"),
                "give sizes Lambda accepts",
            ));
        }
        if !seen.insert(mb) {
            return Err(DeployError::config(
                format!("memory_sizes[{i}]"),
                format!("{mb} MB appears twice"),
                "list each size once",
            ));
        }
    }
    Ok(())
}

/// The most objects in flight deploy accepts (the Rust reader takes up to
/// [`MAX_CONCURRENCY`]; a Lambda runs out of sockets first).
const MAX_DEPLOY_CONCURRENCY: u32 = 1000;
const _: () = assert!(MAX_DEPLOY_CONCURRENCY <= MAX_CONCURRENCY);

fn validate_concurrency(field: &str, values: &ConcurrencyList) -> Result<()> {
    for value in &values.0 {
        if let Concurrency::Fixed(n) = value {
            if !(1..=MAX_DEPLOY_CONCURRENCY).contains(n) {
                return Err(DeployError::config(
                    field,
                    format!("{n}"),
                    "give between 1 and 1000 objects in flight, \"auto\", or a list of them (--concurrency 8,64,auto)",
                ));
            }
        }
    }
    Ok(())
}

fn validate_objects(o: &ObjectsConfig) -> Result<()> {
    if !(1..=100_000).contains(&o.count) {
        return Err(DeployError::config(
            "objects.count",
            format!("{} objects", o.count),
            "give between 1 and 100000 (--objects)",
        ));
    }
    if o.max_size > 100 * 1024 * 1024 {
        return Err(DeployError::config(
            "objects.max_size",
            format!("{} bytes", o.max_size),
            "keep objects at or below 100 MiB",
        ));
    }
    o.object_set().validate().map_err(|e| {
        let field = match e {
            bench_types::objects::ObjectSetError::SizeRange { .. } => "objects.min_size",
            bench_types::objects::ObjectSetError::MagicTooLong { .. } => "objects.min_size",
            bench_types::objects::ObjectSetError::MagicNotLetters => "objects.magic",
        };
        DeployError::config(
            field,
            e.to_string(),
            "fix the [objects] section of bench.toml",
        )
    })
}

fn validate_targets(targets: &[TargetConfig]) -> Result<()> {
    if targets.is_empty() {
        return Err(DeployError::config(
            "targets",
            "no target",
            "add a [[targets]] entry with name = \"rust\" (or pass --target rust)",
        ));
    }
    let mut names = BTreeSet::new();
    for (i, t) in targets.iter().enumerate() {
        let good_name = !t.name.is_empty()
            && t.name.len() <= 32
            && t.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !good_name {
            return Err(DeployError::config(
                format!("targets[{i}].name"),
                format!("`{}` is not a short label", t.name),
                "use up to 32 letters, digits, `-` and `_`, e.g. rust",
            ));
        }
        if !names.insert(t.name.as_str()) {
            return Err(DeployError::config(
                format!("targets[{i}].name"),
                format!("`{}` is used twice", t.name),
                "give every target its own name",
            ));
        }
        if let Some(c) = &t.concurrency {
            let field = format!("targets[{i}].concurrency");
            validate_concurrency(&field, c)?;
            if t.mode == Some(ReadMode::Sequential) && c.0.len() > 1 {
                return Err(DeployError::config(
                    field,
                    format!("[{c}] on a sequential target"),
                    "a sequential target reads one object at a time and is not swept; remove `concurrency` or set mode = \"concurrent\"",
                ));
            }
            if c.0.contains(&Concurrency::Auto) && !t.takes_auto_concurrency() {
                return Err(DeployError::config(
                    field,
                    "\"auto\" on a target that is not the Rust reader".to_string(),
                    "only the Rust reader adapts its concurrency; give numbers, e.g. [8, 64, 256]",
                ));
            }
        }
        if let (Some(function), Some(reader)) = (&t.function, t.reader) {
            return Err(DeployError::config(
                format!("targets[{i}].reader"),
                format!("`{reader}` is given with function `{function}`"),
                "keep `reader` to run one of the stack's readers, or `function` to run another Lambda, not both",
            ));
        }
        if let Some(client) = t.client {
            if t.stack_reader() != Some(Reader::Rust) {
                return Err(DeployError::config(
                    format!("targets[{i}].client"),
                    format!(
                        "`{}` is set on a target that is not the Rust reader",
                        client.as_str()
                    ),
                    "remove `client`: only the Rust reader has two GET paths (sdk, direct)",
                ));
            }
        }
    }
    Ok(())
}

/// The collector's rules (`bench_types::subjective`): every category one of the seven, every
/// grade 1 to 6, all seven per target.
fn validate_subjective_scores(scores: &BTreeMap<String, BTreeMap<String, f64>>) -> Result<()> {
    for (target, grades) in scores {
        bench_types::subjective::check_grades("subjective_scores", target, grades).map_err(
            |p| {
                DeployError::config(
                    p.field,
                    p.reason,
                    "fix [subjective_scores.TARGET] in bench.toml, or remove it for no combined score",
                )
            },
        )?;
    }
    Ok(())
}

fn validate_schedule(expr: &str) -> Result<()> {
    let ok = ["rate(", "cron(", "at("]
        .iter()
        .any(|p| expr.starts_with(p))
        && expr.ends_with(')');
    if !ok {
        return Err(DeployError::config(
            "schedule",
            format!("`{expr}` is not a Scheduler expression"),
            "use rate(7 days), cron(0 6 ? * MON *) or at(2030-01-01T06:00:00); remove it (or pass --no-schedule) for no schedule",
        ));
    }
    Ok(())
}

fn validate_bucket_name(field: &str, name: &str) -> Result<()> {
    let ok = (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if !ok {
        return Err(DeployError::config(
            field,
            format!("`{name}` is not a valid bucket name"),
            "use 3 to 63 lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(err: DeployError) -> String {
        match err {
            DeployError::InvalidConfig { field, .. } => field,
            other => panic!("expected InvalidConfig, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_the_seed_benchmark_and_valid() {
        let c = BenchConfig::default();
        c.validate().expect("defaults are valid");
        assert_eq!(c.memory_sizes, SEED_MEMORY_SIZES.to_vec());
        assert_eq!(c.rounds, 3);
        assert_eq!(c.objects.count, 1000);
        assert_eq!((c.objects.min_size, c.objects.max_size), (1000, 50_000));
        assert_eq!(c.architecture, Architecture::Arm64);
        assert_eq!(c.schedule, None);
    }

    #[test]
    fn the_root_bench_toml_parses_and_validates() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench.toml");
        let c = BenchConfig::load(&path, true).expect("bench.toml");
        c.validate().expect("bench.toml is valid");
        assert_eq!(
            c,
            BenchConfig::default(),
            "bench.toml documents the defaults"
        );
    }

    #[test]
    fn overrides_replace_file_values() {
        let mut c = BenchConfig::from_toml(
            "stack_name = \"a-b-c\"\nrounds = 2\nschedule = \"rate(1 day)\"\n",
            Path::new("x.toml"),
        )
        .expect("parse");
        c.apply(&Overrides {
            rounds: Some(5),
            memory_sizes: Some(vec![128, 256]),
            targets: Some(vec![
                "rust".into(),
                "py=arn:aws:lambda:eu-west-1:1:function:py".into(),
            ]),
            architecture: Some(Architecture::X86_64),
            no_schedule: true,
            ..Overrides::default()
        })
        .expect("apply");
        c.validate().expect("valid");
        assert_eq!(c.stack_name, "a-b-c");
        assert_eq!(c.rounds, 5);
        assert_eq!(c.memory_sizes, vec![128, 256]);
        assert_eq!(c.schedule, None);
        assert_eq!(c.architecture, Architecture::X86_64);
        assert_eq!(
            c.targets[1].function.as_deref(),
            Some("arn:aws:lambda:eu-west-1:1:function:py")
        );
    }

    #[test]
    fn unknown_fields_are_rejected_with_the_file_named() {
        let err = BenchConfig::from_toml(
            "rounds = 3\nmemmory_sizes = [128]\n",
            Path::new("bench.toml"),
        )
        .expect_err("typo");
        let text = err.to_string();
        assert!(
            text.contains("bench.toml") && text.contains("memmory_sizes"),
            "{text}"
        );
    }

    #[test]
    fn a_mode_that_is_not_a_read_mode_is_refused_with_the_file_and_the_choices() {
        let err = BenchConfig::from_toml(
            "[[targets]]\nname = \"rust\"\nmode = \"fast\"\n",
            Path::new("bench.toml"),
        )
        .expect_err("bad mode");
        let text = err.to_string();
        assert!(
            text.contains("bench.toml")
                && text.contains("fast")
                && text.contains("sequential")
                && text.contains("concurrent"),
            "{text}"
        );
        let ok = BenchConfig::from_toml(
            "[[targets]]\nname = \"rust\"\nmode = \"sequential\"\n",
            Path::new("bench.toml"),
        )
        .expect("good mode");
        assert_eq!(ok.targets[0].mode, Some(ReadMode::Sequential));
    }

    /// Seven grades of 4 for `target`, with `category` set to `grade`.
    fn subjective(
        target: &str,
        category: &str,
        grade: f64,
    ) -> BTreeMap<String, BTreeMap<String, f64>> {
        let mut grades: BTreeMap<String, f64> = bench_types::subjective::SUBJECTIVE_CATEGORIES
            .iter()
            .map(|c| ((*c).to_owned(), 4.0))
            .collect();
        grades.insert(category.into(), grade);
        BTreeMap::from([(target.to_owned(), grades)])
    }

    #[test]
    fn subjective_scores_parse_from_toml_and_a_target_missing_categories_is_named() {
        let c = BenchConfig::from_toml(
            "[subjective_scores.rust]\ncode_complexity = 3\nconcurrency_model = 4\naws_sdk = 4\ntoolchain = 6\npackaging_and_deployment = 5\ndocumentation = 3\necosystem = 3\n",
            Path::new("bench.toml"),
        )
        .expect("parse");
        c.validate().expect("seven grades are valid");
        assert_eq!(c.subjective_scores["rust"].values().sum::<f64>(), 28.0);
        let partial = BenchConfig::from_toml(
            "[subjective_scores.go]\ncode_complexity = 3\n",
            Path::new("bench.toml"),
        )
        .expect("parse");
        let err = partial.validate().expect_err("six missing");
        let message = err.to_string();
        assert_eq!(field_of(err), "subjective_scores.go", "{message}");
        assert!(message.contains("concurrency_model"), "{message}");
    }

    #[test]
    fn bad_values_name_their_field() {
        type Edit = Box<dyn Fn(&mut BenchConfig)>;
        let cases: Vec<(&str, Edit)> = vec![
            ("stack_name", Box::new(|c| c.stack_name = "Bad_Name".into())),
            ("memory_sizes", Box::new(|c| c.memory_sizes.clear())),
            (
                "memory_sizes[1]",
                Box::new(|c| c.memory_sizes = vec![128, 64]),
            ),
            (
                "memory_sizes[1]",
                Box::new(|c| c.memory_sizes = vec![128, 128]),
            ),
            ("rounds", Box::new(|c| c.rounds = 0)),
            (
                "concurrency",
                Box::new(|c| c.concurrency = ConcurrencyList::fixed(2000)),
            ),
            (
                "targets[2].concurrency",
                Box::new(|c| {
                    c.targets[2].concurrency = Some(ConcurrencyList(vec![Concurrency::Auto]))
                }),
            ),
            (
                "targets[4].concurrency",
                Box::new(|c| {
                    c.targets[4].concurrency = Some(ConcurrencyList(vec![
                        Concurrency::Fixed(1),
                        Concurrency::Fixed(2),
                    ]))
                }),
            ),
            ("objects.count", Box::new(|c| c.objects.count = 0)),
            (
                "objects.min_size",
                Box::new(|c| c.objects.min_size = 60_000),
            ),
            ("objects.min_size", Box::new(|c| c.objects.min_size = 5)),
            ("targets", Box::new(|c| c.targets.clear())),
            (
                "schedule",
                Box::new(|c| c.schedule = Some("every day".into())),
            ),
            (
                "data_bucket",
                Box::new(|c| c.data_bucket = Some("UPPER".into())),
            ),
            ("region", Box::new(|c| c.region = Some("EU West".into()))),
            (
                "subjective_scores.rust.tooling",
                Box::new(|c| c.subjective_scores = subjective("rust", "tooling", 3.0)),
            ),
            (
                "subjective_scores.rust.toolchain",
                Box::new(|c| c.subjective_scores = subjective("rust", "toolchain", 7.0)),
            ),
        ];
        for (field, change) in cases {
            let mut c = BenchConfig::default();
            change(&mut c);
            let err = c.validate().expect_err(field);
            let message = err.to_string();
            assert_eq!(field_of(err), field, "{message}");
        }
    }
}
