//! The validated form of a reader event (contract 2).

use bench_types::concurrency::MAX_CONCURRENCY;
use bench_types::{Concurrency, ReadMode, ReaderEvent};
use serde_json::Value;

use crate::error::InvalidEvent;

/// Concurrency when the event gives none (the seed's readers fanned out to all 1000 at once;
/// 64 in flight saturates one vCPU without queueing inside the HTTP client).
const DEFAULT_CONCURRENCY: u32 = 64;

/// What to read and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadRequest {
    /// The bucket holding the objects (the event's `s3_bucket_name`).
    pub bucket: String,
    /// Key prefix (the seed's `folder`); empty reads the whole bucket.
    pub prefix: String,
    /// With `Some`, report the key of the object that holds this string.
    pub find: Option<String>,
    /// Concurrently behind a semaphore, or one object after the other.
    pub mode: ReadMode,
    /// Objects in flight at once, or `auto` (an adaptive limit); 1 in sequential mode.
    pub concurrency: Concurrency,
    /// Keep the client built at init instead of a new one (cold connection pool).
    pub reuse_connections: bool,
    /// How GETs are made.
    pub client: GetClient,
}

/// The GET path (listing always goes through the SDK).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum GetClient {
    /// Signed GETs over hyper ([`crate::direct`]): the same URL, signature and checks as the
    /// SDK's, without its per-request pipeline.
    #[default]
    Direct,
    /// aws-sdk-s3 `GetObject`.
    Sdk,
}

impl GetClient {
    /// The event's and `stats.client`'s name: `direct` or `sdk`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Sdk => "sdk",
        }
    }
}

impl ReadRequest {
    /// Parses and checks a raw event.
    pub(crate) fn from_json(event: Value) -> Result<Self, InvalidEvent> {
        let event: ReaderEvent =
            serde_json::from_value(event).map_err(|e| InvalidEvent::Malformed {
                message: e.to_string(),
            })?;
        Self::from_event(event)
    }

    /// Checks an event.
    pub fn from_event(event: ReaderEvent) -> Result<Self, InvalidEvent> {
        let bucket = event
            .s3_bucket_name
            .filter(|b| !b.trim().is_empty())
            .ok_or(InvalidEvent::MissingBucket)?;
        let mode = match event.mode.as_deref().map(str::trim) {
            None | Some("") => ReadMode::default(),
            Some(text) => ReadMode::parse(text).ok_or_else(|| InvalidEvent::UnknownMode {
                value: text.to_owned(),
            })?,
        };
        let concurrency = match &event.concurrency {
            None | Some(Value::Null) => Concurrency::Fixed(DEFAULT_CONCURRENCY),
            Some(value) => {
                Concurrency::from_json(value).map_err(|_| InvalidEvent::ConcurrencyOutOfRange {
                    value: value.to_string(),
                    max: MAX_CONCURRENCY,
                })?
            }
        };
        let client = match event.client.as_deref().map(str::trim) {
            None | Some("") => GetClient::default(),
            Some(c) if c.eq_ignore_ascii_case("direct") => GetClient::Direct,
            Some(c) if c.eq_ignore_ascii_case("sdk") => GetClient::Sdk,
            Some(other) => {
                return Err(InvalidEvent::UnknownClient {
                    value: other.to_owned(),
                })
            }
        };
        let find = match event.find {
            Some(f) if f.is_empty() => return Err(InvalidEvent::EmptyFind),
            other => other,
        };
        Ok(Self {
            bucket,
            prefix: event.folder.unwrap_or_default(),
            find,
            mode,
            concurrency: if mode == ReadMode::Sequential {
                Concurrency::Fixed(1)
            } else {
                concurrency
            },
            reuse_connections: event.reuse_connections.unwrap_or(false),
            client,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn seed_event_gets_the_defaults() {
        let r = ReadRequest::from_json(json!({"s3_bucket_name": "b", "folder": "bench/1000/"}));
        assert_eq!(
            r,
            Ok(ReadRequest {
                bucket: "b".into(),
                prefix: "bench/1000/".into(),
                find: None,
                mode: ReadMode::Concurrent,
                concurrency: Concurrency::Fixed(64),
                reuse_connections: false,
                client: GetClient::Direct,
            })
        );
    }

    #[test]
    fn sequential_reads_one_at_a_time() {
        let r = ReadRequest::from_json(
            json!({"s3_bucket_name": "b", "mode": "Sequential", "concurrency": 8, "find": "x"}),
        );
        let r = r.ok();
        assert_eq!(
            r.as_ref().map(|r| r.concurrency),
            Some(Concurrency::Fixed(1))
        );
        assert_eq!(r.and_then(|r| r.find), Some("x".to_owned()));
    }

    #[test]
    fn auto_asks_for_the_adaptive_limit() {
        let r = ReadRequest::from_json(json!({"s3_bucket_name": "b", "concurrency": "auto"}));
        assert_eq!(r.ok().map(|r| r.concurrency), Some(Concurrency::Auto));
        let r = ReadRequest::from_json(
            json!({"s3_bucket_name": "b", "concurrency": "auto", "mode": "sequential"}),
        );
        assert_eq!(r.ok().map(|r| r.concurrency), Some(Concurrency::Fixed(1)));
    }

    #[test]
    fn client_is_direct_unless_the_event_asks_for_the_sdk() {
        let client = |event| ReadRequest::from_json(event).ok().map(|r| r.client);
        assert_eq!(
            client(json!({"s3_bucket_name": "b"})),
            Some(GetClient::Direct)
        );
        assert_eq!(
            client(json!({"s3_bucket_name": "b", "client": "SDK"})),
            Some(GetClient::Sdk)
        );
        assert_eq!(
            client(json!({"s3_bucket_name": "b", "client": "direct"})),
            Some(GetClient::Direct)
        );
    }

    #[test]
    fn bad_events_name_the_field() {
        let cases = [
            (json!({}), "s3_bucket_name"),
            (json!({"s3_bucket_name": " "}), "s3_bucket_name"),
            (
                json!({"s3_bucket_name": "b", "concurrency": 0}),
                "concurrency is 0",
            ),
            (
                json!({"s3_bucket_name": "b", "concurrency": -3}),
                "concurrency is -3",
            ),
            (
                json!({"s3_bucket_name": "b", "concurrency": 100000}),
                "between 1 and 4096",
            ),
            (
                json!({"s3_bucket_name": "b", "mode": "parallel"}),
                "\"parallel\"",
            ),
            (json!({"s3_bucket_name": "b", "find": ""}), "find is empty"),
            (
                json!({"s3_bucket_name": "b", "client": "curl"}),
                "client is \"curl\"",
            ),
            (
                json!({"s3_bucket_name": "b", "concurrency": "64"}),
                "concurrency is \"64\"; it must be between 1 and 4096 or \"auto\"",
            ),
            (
                json!({"s3_bucket_name": "b", "concurrency": [8, 64]}),
                "concurrency is [8,64]",
            ),
            (json!([1, 2]), "not a reader event"),
        ];
        for (event, needle) in cases {
            let msg = ReadRequest::from_json(event.clone())
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(msg.contains(needle), "{event}: {msg}");
        }
    }
}
