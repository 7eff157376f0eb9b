//! Request ids and trace ids in the shapes Lambda uses, without a random-number crate: the
//! standard library's randomly keyed SipHash over a counter is unpredictable enough for ids.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn random_u64() -> u64 {
    static KEYS: OnceLock<RandomState> = OnceLock::new();
    let mut hasher = KEYS.get_or_init(RandomState::new).build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.finish()
}

/// A UUID v4 in text form, like Lambda's request ids.
pub(crate) fn request_id() -> String {
    let a = random_u64();
    let b = random_u64();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

/// An X-Ray trace header: `Root=1-{epoch hex}-{24 hex};Parent={16 hex};Sampled=0`.
pub(crate) fn trace_id() -> String {
    let seconds = system::time::unix_ms_now() / 1000;
    format!(
        "Root=1-{seconds:08x}-{:08x}{:016x};Parent={:016x};Sampled=0",
        random_u64() as u32,
        random_u64(),
        random_u64()
    )
}

/// A short random hex token (log stream names).
pub(crate) fn hex_token() -> String {
    format!("{:016x}{:016x}", random_u64(), random_u64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_uuid_v4_shaped_and_distinct() {
        let a = request_id();
        let b = request_id();
        assert_ne!(a, b);
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'));
        assert!(matches!(
            parts[3].chars().next(),
            Some('8' | '9' | 'a' | 'b')
        ));
    }

    #[test]
    fn trace_ids_have_the_xray_shape() {
        let trace = trace_id();
        assert!(trace.starts_with("Root=1-"), "{trace}");
        assert!(trace.ends_with(";Sampled=0"), "{trace}");
    }
}
