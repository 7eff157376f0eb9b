//! A reader's concurrency setting: a fixed number of objects in flight, or `auto` (the reader
//! adapts its own limit while it runs). On the wire a number or the text `"auto"`; in
//! `bench.toml`, the execution input's `concurrencies` and a target's payload, also a list of
//! them, which the run sweeps.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// The most objects a reader is asked to keep in flight (the Rust reader's limit too).
pub const MAX_CONCURRENCY: u32 = 4096;

/// One concurrency setting. Ordered as a sweep is shown: the fixed values ascending, then `auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Concurrency {
    /// At most this many objects in flight (1 to [`MAX_CONCURRENCY`]).
    Fixed(u32),
    /// The reader chooses, and adapts, its limit while it runs.
    Auto,
}

impl Concurrency {
    /// The wire text of `auto`.
    pub const AUTO: &'static str = "auto";

    /// Reads one setting from JSON: a whole number from 1 to [`MAX_CONCURRENCY`] or `"auto"` (any
    /// case). The error says what was found, for a message that names the field.
    pub fn from_json(value: &Value) -> Result<Self, String> {
        match value {
            Value::Number(n) => n
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| (1..=MAX_CONCURRENCY).contains(n))
                .map(Self::Fixed)
                .ok_or_else(|| format!("{n} is not a whole number from 1 to {MAX_CONCURRENCY}")),
            Value::String(text) if text.trim().eq_ignore_ascii_case(Self::AUTO) => Ok(Self::Auto),
            Value::String(text) => Err(format!("\"{text}\" is neither a number nor \"auto\"")),
            other => Err(format!("found {other}, not a number or \"auto\"")),
        }
    }

    /// Reads a setting or a list of them (a sweep); a list must be non-empty, without repeats.
    pub fn list_from_json(value: &Value) -> Result<Vec<Self>, String> {
        let items = match value {
            Value::Array(items) if items.is_empty() => {
                return Err("the list is empty; give at least one value".into())
            }
            Value::Array(items) => items
                .iter()
                .map(Self::from_json)
                .collect::<Result<_, _>>()?,
            single => vec![Self::from_json(single)?],
        };
        let mut seen: Vec<Self> = Vec::with_capacity(items.len());
        for item in items {
            if seen.contains(&item) {
                return Err(format!("{item} is listed twice; list each value once"));
            }
            seen.push(item);
        }
        Ok(seen)
    }

    /// The fixed number, `None` for `auto`.
    pub fn fixed(self) -> Option<u32> {
        match self {
            Self::Fixed(n) => Some(n),
            Self::Auto => None,
        }
    }

    /// The setting as JSON: a number, or `"auto"`.
    pub fn to_json(self) -> Value {
        match self {
            Self::Fixed(n) => Value::from(n),
            Self::Auto => Value::from(Self::AUTO),
        }
    }
}

impl std::str::FromStr for Concurrency {
    type Err = String;

    /// A number or `auto`, as on a command line.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let value = match text.trim().parse::<u64>() {
            Ok(n) => Value::from(n),
            Err(_) => Value::from(text),
        };
        Self::from_json(&value)
    }
}

/// One setting or a list of them, as `bench.toml` takes it (`concurrency = 64`,
/// `concurrency = [8, 64, "auto"]`): non-empty, no repeats; written as a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConcurrencyList(pub Vec<Concurrency>);

impl ConcurrencyList {
    /// One fixed value.
    pub fn fixed(n: u32) -> Self {
        Self(vec![Concurrency::Fixed(n)])
    }

    /// The value as a target's payload carries it: a single value alone, else the list.
    pub fn to_json(&self) -> Value {
        match self.0.as_slice() {
            [one] => one.to_json(),
            many => Value::Array(many.iter().map(|c| c.to_json()).collect()),
        }
    }
}

impl fmt::Display for ConcurrencyList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let texts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&texts.join(", "))
    }
}

impl<'de> Deserialize<'de> for ConcurrencyList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Concurrency::list_from_json(&value)
            .map(Self)
            .map_err(|why| {
                serde::de::Error::custom(format!(
                    "concurrency: {why}; give a number, \"auto\" or a list such as [8, 64, \"auto\"]"
                ))
            })
    }
}

impl fmt::Display for Concurrency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fixed(n) => write!(f, "{n}"),
            Self::Auto => f.write_str(Self::AUTO),
        }
    }
}

impl Serialize for Concurrency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Fixed(n) => serializer.serialize_u32(*n),
            Self::Auto => serializer.serialize_str(Self::AUTO),
        }
    }
}

impl<'de> Deserialize<'de> for Concurrency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Self::from_json(&value)
            .map_err(|why| serde::de::Error::custom(format!("concurrency: {why}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_and_auto_round_trip_and_sort_fixed_first() {
        let parsed: Vec<Concurrency> = serde_json::from_value(json!([64, "auto", 8])).unwrap();
        assert_eq!(
            parsed,
            [
                Concurrency::Fixed(64),
                Concurrency::Auto,
                Concurrency::Fixed(8)
            ]
        );
        assert_eq!(
            serde_json::to_value(&parsed).unwrap(),
            json!([64, "auto", 8])
        );
        let mut sorted = parsed;
        sorted.sort();
        assert_eq!(
            sorted,
            [
                Concurrency::Fixed(8),
                Concurrency::Fixed(64),
                Concurrency::Auto
            ]
        );
        assert_eq!(
            Concurrency::from_json(&json!(" AUTO ")),
            Ok(Concurrency::Auto)
        );
    }

    #[test]
    fn a_list_reads_from_toml_as_one_value_or_many() {
        #[derive(Deserialize)]
        struct File {
            concurrency: ConcurrencyList,
        }
        let one: File = toml::from_str("concurrency = 64").unwrap();
        assert_eq!(one.concurrency, ConcurrencyList::fixed(64));
        assert_eq!(one.concurrency.to_json(), json!(64));
        let many: File = toml::from_str("concurrency = [8, 64, \"auto\"]").unwrap();
        assert_eq!(many.concurrency.to_json(), json!([8, 64, "auto"]));
        assert_eq!(many.concurrency.to_string(), "8, 64, auto");
        let bad = toml::from_str::<File>("concurrency = [8, 0]")
            .err()
            .unwrap();
        assert!(
            bad.to_string()
                .contains("concurrency: 0 is not a whole number"),
            "{bad}"
        );
        assert_eq!("auto".parse::<Concurrency>(), Ok(Concurrency::Auto));
        assert_eq!("16".parse::<Concurrency>(), Ok(Concurrency::Fixed(16)));
        assert!("x".parse::<Concurrency>().is_err());
    }

    #[test]
    fn bad_values_say_what_was_found() {
        for (value, found) in [
            (json!(0), "0 is not a whole number from 1 to 4096"),
            (json!(5000), "5000 is not"),
            (json!(2.5), "2.5 is not"),
            (json!("fast"), "\"fast\" is neither"),
            (json!(null), "found null"),
        ] {
            let why = Concurrency::from_json(&value).unwrap_err();
            assert!(why.starts_with(found), "{value}: {why}");
        }
        assert!(Concurrency::list_from_json(&json!([]))
            .unwrap_err()
            .starts_with("the list is empty"));
        assert!(Concurrency::list_from_json(&json!([8, "auto", 8]))
            .unwrap_err()
            .starts_with("8 is listed twice"));
        assert_eq!(
            Concurrency::list_from_json(&json!(16)),
            Ok(vec![Concurrency::Fixed(16)])
        );
    }
}
