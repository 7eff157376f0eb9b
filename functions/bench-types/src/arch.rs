//! The Lambda instruction set architectures: what a function is deployed for (the deployer's
//! `--arch`, `bench.toml`'s `architecture`), what a target's `architecture` names in the
//! execution input, and what a reader reports in `stats.arch` (which sets the GB-second price).

use serde::{Deserialize, Serialize};

/// A Lambda architecture. On the wire (JSON, TOML, the CLI) it is Lambda's own name, `arm64`
/// or `x86_64`; [`Architecture::parse`] also reads what runtimes report (`aarch64`, `amd64`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Architecture {
    /// Graviton; the project's default (cheaper per GB-second).
    #[default]
    #[serde(rename = "arm64")]
    #[cfg_attr(feature = "clap", value(name = "arm64", alias = "aarch64"))]
    Arm64,
    /// Intel or AMD x86-64.
    #[serde(rename = "x86_64")]
    #[cfg_attr(feature = "clap", value(name = "x86_64", alias = "amd64"))]
    X86_64,
}

impl Architecture {
    /// Lambda's name: `arm64` or `x86_64`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Arm64 => "arm64",
            Self::X86_64 => "x86_64",
        }
    }

    /// Reads Lambda's names and what runtimes and `uname` report, in any case: `arm64` /
    /// `aarch64`, `x86_64` / `x86-64` / `amd64` / `x64`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "arm64" | "aarch64" => Some(Self::Arm64),
            "x86_64" | "x86-64" | "amd64" | "x64" => Some(Self::X86_64),
            _ => None,
        }
    }
}

/// Why a text is not an architecture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownArchitecture(pub String);

impl std::fmt::Display for UnknownArchitecture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}`: use arm64 or x86_64", self.0)
    }
}

impl std::error::Error for UnknownArchitecture {}

impl std::str::FromStr for Architecture {
    type Err = UnknownArchitecture;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| UnknownArchitecture(s.to_owned()))
    }
}

impl std::fmt::Display for Architecture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_name_is_lambdas() {
        for arch in [Architecture::Arm64, Architecture::X86_64] {
            let json = serde_json::to_value(arch).unwrap();
            assert_eq!(json, arch.as_str());
            assert_eq!(arch.to_string(), arch.as_str());
            let back: Architecture = serde_json::from_value(json).unwrap();
            assert_eq!(back, arch);
        }
        assert!(serde_json::from_str::<Architecture>("\"aarch64\"").is_err());
    }

    #[test]
    fn runtime_spellings_are_read() {
        assert_eq!(Architecture::parse("aarch64"), Some(Architecture::Arm64));
        assert_eq!(Architecture::parse("ARM64"), Some(Architecture::Arm64));
        assert_eq!(Architecture::parse("x86-64"), Some(Architecture::X86_64));
        assert_eq!(Architecture::parse("amd64"), Some(Architecture::X86_64));
        assert_eq!(Architecture::parse("sparc"), None);
        let err = "sparc".parse::<Architecture>().unwrap_err();
        assert_eq!(err.to_string(), "`sparc`: use arm64 or x86_64");
    }

    #[cfg(feature = "clap")]
    #[test]
    fn the_cli_offers_lambdas_names_and_the_aliases() {
        use clap::ValueEnum;
        let names: Vec<String> = Architecture::value_variants()
            .iter()
            .filter_map(|a| a.to_possible_value())
            .map(|v| v.get_name().to_owned())
            .collect();
        assert_eq!(names, ["arm64", "x86_64"]);
        assert_eq!(
            <Architecture as ValueEnum>::from_str("aarch64", false),
            Ok(Architecture::Arm64)
        );
        assert_eq!(
            <Architecture as ValueEnum>::from_str("amd64", false),
            Ok(Architecture::X86_64)
        );
    }
}
