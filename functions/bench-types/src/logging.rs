//! How the Lambda binaries log (feature `logging`): plain lines without terminal colour codes
//! (Lambda's log console shows ANSI escapes as garbage), and Lambda's advanced logging controls
//! honoured:
//!
//! - `AWS_LAMBDA_LOG_FORMAT=JSON` (the function's `LoggingConfig.LogFormat`): one JSON object
//!   per line with `level`, `timestamp` (RFC 3339) and the event's fields at the top level, so
//!   that Lambda can filter application logs by level. Lambda gives a line without a valid
//!   timestamp the level INFO, so JSON lines keep theirs.
//! - otherwise text lines without a timestamp (CloudWatch stamps every line).
//! - the level: `AWS_LAMBDA_LOG_LEVEL` (`TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR`, `FATAL`) when
//!   set and valid, else `RUST_LOG` (`tracing_subscriber::EnvFilter` directives), else the
//!   binary's default.

use tracing_subscriber::filter::{EnvFilter, LevelFilter};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::{SubscriberInitExt, TryInitError};

/// The shape of a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LogFormat {
    /// Plain text lines without a timestamp.
    Text,
    /// One JSON object per line (`AWS_LAMBDA_LOG_FORMAT=JSON`).
    Json,
}

/// What the environment asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LogSettings {
    format: LogFormat,
    /// `EnvFilter` directives, e.g. `warn` or `s3_reader=debug,info`.
    filter: String,
}

impl LogSettings {
    /// From environment variables (`get` reads one); `default_filter` applies when neither
    /// `AWS_LAMBDA_LOG_LEVEL` nor `RUST_LOG` gives a usable level.
    fn from_env(get: impl Fn(&str) -> Option<String>, default_filter: &str) -> Self {
        let format = match get("AWS_LAMBDA_LOG_FORMAT") {
            Some(v) if v.trim().eq_ignore_ascii_case("json") => LogFormat::Json,
            _ => LogFormat::Text,
        };
        let filter = get("AWS_LAMBDA_LOG_LEVEL")
            .and_then(|v| lambda_level(&v))
            .map(|level| level.to_string())
            .or_else(|| {
                get("RUST_LOG")
                    .map(|v| v.trim().to_owned())
                    .filter(|v| !v.is_empty() && EnvFilter::try_new(v).is_ok())
            })
            .unwrap_or_else(|| default_filter.to_owned());
        Self { format, filter }
    }
}

/// Lambda's application log levels; `FATAL` has no `tracing` level of its own and is `ERROR`.
fn lambda_level(value: &str) -> Option<LevelFilter> {
    match value.trim().to_ascii_uppercase().as_str() {
        "TRACE" => Some(LevelFilter::TRACE),
        "DEBUG" => Some(LevelFilter::DEBUG),
        "INFO" => Some(LevelFilter::INFO),
        "WARN" => Some(LevelFilter::WARN),
        "ERROR" | "FATAL" => Some(LevelFilter::ERROR),
        _ => None,
    }
}

/// The subscriber for `settings`, writing to `writer`: no ANSI escapes in either format.
fn dispatch<W>(settings: &LogSettings, writer: W) -> tracing::Dispatch
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    // `EnvFilter::new` ignores directives it cannot parse rather than failing.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(&settings.filter))
        .with_ansi(false)
        .with_writer(writer);
    match settings.format {
        LogFormat::Json => tracing::Dispatch::new(builder.json().flatten_event(true).finish()),
        LogFormat::Text => tracing::Dispatch::new(builder.without_time().finish()),
    }
}

/// Installs the process-wide subscriber of a Lambda binary, from the environment, on stdout.
/// Fails only when a subscriber is already installed.
pub fn init_from_env(default_filter: &str) -> Result<(), TryInitError> {
    init_from_env_writing_to(default_filter, std::io::stdout)
}

/// As [`init_from_env`], writing to `writer` (the functions' command-line tools log to stderr,
/// keeping stdout for their JSON).
pub fn init_from_env_writing_to<W>(default_filter: &str, writer: W) -> Result<(), TryInitError>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let settings = LogSettings::from_env(|name| std::env::var(name).ok(), default_filter);
    dispatch(&settings, writer).try_init()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A writer that keeps what was logged.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;
        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    fn log_with(settings: &LogSettings) -> String {
        let out = Captured::default();
        let dispatch = dispatch(settings, out.clone());
        tracing::dispatcher::with_default(&dispatch, || {
            tracing::debug!("not shown at info");
            tracing::info!(key = "bench/00001.txt", "object read");
            tracing::error!(errors = 2u64, "objects not read");
        });
        out.text()
    }

    #[test]
    fn text_lines_carry_no_colour_codes_and_no_timestamp() {
        let settings = LogSettings::from_env(env(&[]), "info");
        assert_eq!(settings.format, LogFormat::Text);
        let text = log_with(&settings);
        assert!(!text.contains('\u{1b}'), "ANSI escape in {text:?}");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(
            lines[0].starts_with(" INFO") || lines[0].starts_with("INFO"),
            "{text}"
        );
        assert!(
            lines[0].contains("object read key=\"bench/00001.txt\""),
            "{text}"
        );
        assert!(
            lines[1].contains("ERROR") && lines[1].contains("errors=2"),
            "{text}"
        );
        assert!(!text.contains("not shown"), "{text}");
    }

    #[test]
    fn json_lines_have_level_timestamp_and_flat_fields() {
        let settings = LogSettings::from_env(env(&[("AWS_LAMBDA_LOG_FORMAT", "JSON")]), "info");
        assert_eq!(settings.format, LogFormat::Json);
        let text = log_with(&settings);
        assert!(!text.contains('\u{1b}'), "ANSI escape in {text:?}");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
            .collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert_eq!(lines[0]["level"], "INFO");
        assert_eq!(lines[0]["message"], "object read");
        assert_eq!(lines[0]["key"], "bench/00001.txt");
        assert_eq!(lines[1]["level"], "ERROR");
        assert_eq!(lines[1]["errors"], 2);
        // RFC 3339, e.g. 2026-11-27T10:50:00.123456Z.
        let stamp = lines[0]["timestamp"].as_str().unwrap_or_default();
        assert!(
            stamp.len() >= 20 && stamp.as_bytes()[10] == b'T' && stamp.ends_with('Z'),
            "{stamp:?}"
        );
    }

    #[test]
    fn text_is_the_format_unless_json_is_asked_for() {
        for format in ["Text", "TEXT", "xml", ""] {
            let settings = LogSettings::from_env(env(&[("AWS_LAMBDA_LOG_FORMAT", format)]), "info");
            assert_eq!(settings.format, LogFormat::Text, "{format:?}");
        }
        let json = LogSettings::from_env(env(&[("AWS_LAMBDA_LOG_FORMAT", " json ")]), "info");
        assert_eq!(json.format, LogFormat::Json);
    }

    #[test]
    fn the_lambda_level_wins_over_rust_log_and_the_default() {
        let both = env(&[("AWS_LAMBDA_LOG_LEVEL", "WARN"), ("RUST_LOG", "debug")]);
        let settings = LogSettings::from_env(both, "info");
        assert_eq!(settings.filter, "warn");
        let text = log_with(&settings);
        assert!(
            !text.contains("object read") && text.contains("objects not read"),
            "{text}"
        );

        let fatal = LogSettings::from_env(env(&[("AWS_LAMBDA_LOG_LEVEL", "fatal")]), "info");
        assert_eq!(fatal.filter, "error");
        let debug = LogSettings::from_env(env(&[("AWS_LAMBDA_LOG_LEVEL", "DEBUG")]), "info");
        assert!(log_with(&debug).contains("not shown at info"));
    }

    #[test]
    fn rust_log_then_the_default_apply_without_a_valid_lambda_level() {
        let rust_log = env(&[("AWS_LAMBDA_LOG_LEVEL", "LOUD"), ("RUST_LOG", "error")]);
        assert_eq!(LogSettings::from_env(rust_log, "info").filter, "error");
        let bad_rust_log = env(&[("RUST_LOG", "=[")]);
        assert_eq!(LogSettings::from_env(bad_rust_log, "warn").filter, "warn");
        assert_eq!(LogSettings::from_env(env(&[]), "info").filter, "info");
    }
}
