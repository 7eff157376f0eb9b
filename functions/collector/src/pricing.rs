//! The price table (one place, with its source and date) and the cost of one invocation.
//!
//! Cost of one invocation = memory (GB) x billed seconds x GB-second price of the architecture,
//! plus the request price, plus the S3 GET and LIST requests the reader made. The execution
//! input can override any price with `"prices": {"gbSecondArm64": .., "gbSecondX86_64": ..,
//! "request": .., "s3Get": .., "s3List": .., "region": .., "source": .., "asOf": ..}` (all
//! optional).

use bench_types::Architecture;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::CollectorError;

/// USD prices used for the cost columns. Defaults: AWS list prices in us-east-1, first tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Prices {
    /// Lambda duration price per GB-second on arm64 (Graviton).
    pub(crate) gb_second_arm64: f64,
    /// Lambda duration price per GB-second on x86_64.
    #[serde(rename = "gbSecondX86_64")]
    pub(crate) gb_second_x86_64: f64,
    /// Lambda price per request (invocation).
    pub(crate) request: f64,
    /// S3 Standard price per GET request.
    pub(crate) s3_get: f64,
    /// S3 Standard price per LIST request.
    pub(crate) s3_list: f64,
    pub(crate) region: String,
    /// Where the numbers come from.
    pub(crate) source: String,
    /// When the numbers were taken from the source.
    pub(crate) as_of: String,
}

impl Default for Prices {
    fn default() -> Self {
        Self {
            gb_second_arm64: 0.000_013_333_4,
            gb_second_x86_64: 0.000_016_666_7,
            // $0.20 per 1M requests, $0.0004 per 1000 GETs, $0.005 per 1000 LISTs.
            request: 0.000_000_2,
            s3_get: 0.000_000_4,
            s3_list: 0.000_005,
            region: "us-east-1".into(),
            source: "https://aws.amazon.com/lambda/pricing/ (first tier) and \
                     https://aws.amazon.com/s3/pricing/ (S3 Standard requests)"
                .into(),
            as_of: "2025-01".into(),
        }
    }
}

impl Prices {
    /// The default table with the fields of `overrides` (the input's `prices`) laid over it.
    pub(crate) fn with_overrides(overrides: Option<&Value>) -> Result<Self, CollectorError> {
        let mut prices = Self::default();
        let Some(overrides) = overrides else {
            return Ok(prices);
        };
        let Some(object) = overrides.as_object() else {
            return Err(CollectorError::input(
                "prices",
                "must be an object such as {\"gbSecondArm64\": 0.0000133334}",
            ));
        };
        for (name, value) in object {
            let field = format!("prices.{name}");
            match name.as_str() {
                "gbSecondArm64" => prices.gb_second_arm64 = price(&field, value)?,
                "gbSecondX86_64" => prices.gb_second_x86_64 = price(&field, value)?,
                "request" => prices.request = price(&field, value)?,
                "s3Get" => prices.s3_get = price(&field, value)?,
                "s3List" => prices.s3_list = price(&field, value)?,
                "region" => prices.region = text(&field, value)?,
                "source" => prices.source = text(&field, value)?,
                "asOf" => prices.as_of = text(&field, value)?,
                _ => {
                    return Err(CollectorError::input(
                        field,
                        "unknown price; known: gbSecondArm64, gbSecondX86_64, request, s3Get, s3List, region, source, asOf",
                    ))
                }
            }
        }
        Ok(prices)
    }

    /// The GB-second price for an architecture.
    pub(crate) fn gb_second(&self, arch: Architecture) -> f64 {
        match arch {
            Architecture::Arm64 => self.gb_second_arm64,
            Architecture::X86_64 => self.gb_second_x86_64,
        }
    }

    /// The cost of one invocation.
    pub(crate) fn invocation_cost(&self, usage: &Usage) -> Cost {
        let gb_seconds = f64::from(usage.memory_mb) / 1024.0 * usage.billed_ms / 1000.0;
        let compute = gb_seconds * self.gb_second(usage.arch);
        let s3 = usage.s3_gets as f64 * self.s3_get + usage.s3_lists as f64 * self.s3_list;
        Cost {
            compute,
            request: self.request,
            s3,
            total: compute + self.request + s3,
        }
    }
}

fn price(field: &str, value: &Value) -> Result<f64, CollectorError> {
    match value.as_f64() {
        Some(v) if v >= 0.0 && v.is_finite() => Ok(v),
        _ => Err(CollectorError::input(
            field,
            format!("must be a non-negative number of USD, found {value}"),
        )),
    }
}

fn text(field: &str, value: &Value) -> Result<String, CollectorError> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| CollectorError::input(field, format!("must be a string, found {value}")))
}

/// What one invocation used.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Usage {
    pub(crate) memory_mb: u32,
    pub(crate) billed_ms: f64,
    pub(crate) arch: Architecture,
    pub(crate) s3_gets: u64,
    pub(crate) s3_lists: u64,
}

/// The cost of one invocation in USD, by part.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Cost {
    pub(crate) compute: f64,
    pub(crate) request: f64,
    pub(crate) s3: f64,
    pub(crate) total: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-15 + 1e-9 * b.abs()
    }

    #[test]
    fn one_gb_for_one_second_on_arm64_costs_the_gb_second_price_plus_requests() {
        let prices = Prices::default();
        let cost = prices.invocation_cost(&Usage {
            memory_mb: 1024,
            billed_ms: 1000.0,
            arch: Architecture::Arm64,
            s3_gets: 1000,
            s3_lists: 1,
        });
        assert!(close(cost.compute, 0.000_013_333_4), "{cost:?}");
        assert!(close(cost.request, 0.000_000_2));
        // 1000 GETs at $0.0004 per 1000 and 1 LIST at $0.005 per 1000.
        assert!(close(cost.s3, 0.0004 + 0.000_005), "{cost:?}");
        assert!(close(cost.total, cost.compute + cost.request + cost.s3));
    }

    #[test]
    fn x86_uses_its_own_price() {
        let prices = Prices::default();
        let usage = Usage {
            memory_mb: 2048,
            billed_ms: 500.0,
            arch: Architecture::X86_64,
            s3_gets: 0,
            s3_lists: 0,
        };
        assert!(close(
            prices.invocation_cost(&usage).compute,
            0.000_016_666_7
        ));
    }

    #[test]
    fn overrides_replace_only_the_given_prices() {
        let prices =
            Prices::with_overrides(Some(&json!({"gbSecondArm64": 0.00001, "asOf": "2030-01"})))
                .unwrap();
        assert_eq!(prices.gb_second_arm64, 0.00001);
        assert_eq!(prices.as_of, "2030-01");
        assert_eq!(prices.gb_second_x86_64, Prices::default().gb_second_x86_64);
    }

    #[test]
    fn bad_overrides_name_the_field() {
        let err = Prices::with_overrides(Some(&json!({"request": -1}))).unwrap_err();
        assert_eq!(err.name(), "InvalidInput");
        assert!(err.to_string().contains("prices.request"), "{err}");
        let err = Prices::with_overrides(Some(&json!({"gbSecond": 1}))).unwrap_err();
        assert!(
            err.to_string().contains("prices.gbSecond")
                && err.to_string().contains("gbSecondArm64"),
            "{err}"
        );
        let err = Prices::with_overrides(Some(&json!(3))).unwrap_err();
        assert!(err.to_string().contains("prices"), "{err}");
    }

    #[test]
    fn architectures_are_read_as_runtimes_report_them() {
        assert_eq!(Architecture::parse("aarch64"), Some(Architecture::Arm64));
        assert_eq!(Architecture::parse("ARM64"), Some(Architecture::Arm64));
        assert_eq!(Architecture::parse("x86_64"), Some(Architecture::X86_64));
        assert_eq!(Architecture::parse("sparc"), None);
    }
}
