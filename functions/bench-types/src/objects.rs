//! The seed-parity test objects: `count` objects of random ASCII letters with sizes in
//! `min_size..=max_size`, one of which holds the magic string. Pure and deterministic (same spec,
//! same objects), so the local S3 server and the deploy tool upload byte-identical data sets.
//!
//! Object `i` is generated on its own (no state carried between objects), so uploaders can
//! generate and send objects concurrently without holding the whole set in memory.

use std::fmt;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectSet {
    /// Number of objects.
    pub count: u64,
    /// Smallest body size in bytes (inclusive).
    pub min_size: u64,
    /// Largest body size in bytes (inclusive).
    pub max_size: u64,
    /// The string written into exactly one object; `None` for no magic object.
    pub magic: Option<String>,
    /// Key of the generator; which object holds the magic string depends on it.
    pub generator_key: u64,
}

/// Why a [`ObjectSet`] cannot be generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectSetError {
    /// `min_size` is larger than `max_size`: set `min_size <= max_size`.
    SizeRange {
        /// The smallest body size asked for, in bytes.
        min_size: u64,
        /// The largest body size asked for, in bytes.
        max_size: u64,
    },
    /// The magic string does not fit in the smallest object: raise `min_size`.
    MagicTooLong {
        /// The magic string's length, in bytes.
        magic_len: u64,
        /// The smallest body size asked for, in bytes.
        min_size: u64,
    },
    /// The magic string is empty or not ASCII letters only (it must not change the alphabet).
    MagicNotLetters,
}

impl fmt::Display for ObjectSetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SizeRange { min_size, max_size } => write!(
                f,
                "object set: min_size ({min_size}) is larger than max_size ({max_size}); set min_size <= max_size"
            ),
            Self::MagicTooLong { magic_len, min_size } => write!(
                f,
                "object set: magic string ({magic_len} bytes) is longer than min_size ({min_size}); raise min_size"
            ),
            Self::MagicNotLetters => {
                write!(f, "object set: magic must be a non-empty string of ASCII letters")
            }
        }
    }
}

impl std::error::Error for ObjectSetError {}

/// The default key of the generator, used by [`ObjectSet::seed_parity`].
pub const DEFAULT_GENERATOR_KEY: u64 = 0x5EED_0F1A_3BDA;

impl ObjectSet {
    /// The seed benchmark's data set: 1000 objects of 1,000-50,000 letters, `MyMagicString` in one.
    pub fn seed_parity() -> Self {
        Self {
            count: 1000,
            min_size: 1000,
            max_size: 50_000,
            magic: Some(crate::MAGIC_STRING.to_owned()),
            generator_key: DEFAULT_GENERATOR_KEY,
        }
    }

    /// Checks that every object can be generated.
    pub fn validate(&self) -> Result<(), ObjectSetError> {
        if self.min_size > self.max_size {
            return Err(ObjectSetError::SizeRange {
                min_size: self.min_size,
                max_size: self.max_size,
            });
        }
        if let Some(magic) = &self.magic {
            if magic.is_empty() || !magic.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(ObjectSetError::MagicNotLetters);
            }
            let magic_len = magic.len() as u64;
            if magic_len > self.min_size {
                return Err(ObjectSetError::MagicTooLong {
                    magic_len,
                    min_size: self.min_size,
                });
            }
        }
        Ok(())
    }

    /// The key of object `index` under `prefix`, e.g. `bench/1000/00042.txt`.
    pub fn key(prefix: &str, index: u64) -> String {
        format!("{prefix}{index:05}.txt")
    }

    /// Which object holds the magic string (`None` without magic or without objects).
    pub fn magic_index(&self) -> Option<u64> {
        if self.magic.is_none() || self.count == 0 {
            return None;
        }
        Some(SplitMix64::new(self.generator_key ^ MAGIC_SALT).next_u64() % self.count)
    }

    /// The key of the object that holds the magic string.
    pub fn magic_key(&self, prefix: &str) -> Option<String> {
        self.magic_index().map(|i| Self::key(prefix, i))
    }

    /// The body size of object `index`, without generating it.
    pub fn size_of(&self, index: u64) -> u64 {
        self.object_rng(index)
            .next_size(self.min_size, self.max_size)
    }

    /// The sum of every object's size.
    pub fn total_bytes(&self) -> u64 {
        (0..self.count).map(|i| self.size_of(i)).sum()
    }

    /// Object `index`: its key under `prefix` and its body. Call [`ObjectSet::validate`] first;
    /// an invalid spec gives bodies clamped to what fits (never a panic).
    pub fn object(&self, prefix: &str, index: u64) -> (String, Vec<u8>) {
        (Self::key(prefix, index), self.body(index))
    }

    /// The body of object `index`.
    pub fn body(&self, index: u64) -> Vec<u8> {
        let mut rng = self.object_rng(index);
        let size = rng.next_size(self.min_size, self.max_size);
        let len = usize::try_from(size).unwrap_or(usize::MAX);
        let mut body = Vec::with_capacity(len);
        while body.len() < len {
            let word = rng.next_u64().to_le_bytes();
            for b in word.into_iter().take(len - body.len()) {
                body.push(LETTERS[usize::from(b) % LETTERS.len()]);
            }
        }
        if let (Some(magic), Some(magic_index)) = (&self.magic, self.magic_index()) {
            if magic_index == index && magic.len() <= body.len() {
                let room = (body.len() - magic.len()) as u64;
                let at = usize::try_from(rng.next_u64() % (room + 1)).unwrap_or(0);
                body[at..at + magic.len()].copy_from_slice(magic.as_bytes());
            }
        }
        body
    }

    fn object_rng(&self, index: u64) -> SplitMix64 {
        SplitMix64::new(self.generator_key ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }
}

const MAGIC_SALT: u64 = 0xA5A5_5A5A_DEAD_BEEF;
const LETTERS: &[u8; 52] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// splitmix64 (Steele, Lea, Flood 2014): tiny, fast, good enough for test data, no dependency.
#[derive(Debug, Clone)]
struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    fn new(key: u64) -> Self {
        Self { state: key }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A size in `min..=max` (`min` when the range is empty or inverted).
    fn next_size(&mut self, min: u64, max: u64) -> u64 {
        let draw = self.next_u64();
        match max.checked_sub(min).and_then(|span| span.checked_add(1)) {
            Some(width) => min + draw % width,
            None if max >= min => draw, // the full u64 range
            None => min,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(count: u64) -> ObjectSet {
        ObjectSet {
            count,
            ..ObjectSet::seed_parity()
        }
    }

    #[test]
    fn keys_are_zero_padded_under_the_prefix() {
        assert_eq!(ObjectSet::key("bench/1000/", 7), "bench/1000/00007.txt");
        assert_eq!(ObjectSet::key("", 12345), "12345.txt");
    }

    #[test]
    fn bodies_are_letters_of_a_size_in_range_and_deterministic() {
        let s = spec(200);
        for i in 0..s.count {
            let body = s.body(i);
            assert!(
                (1000..=50_000).contains(&(body.len() as u64)),
                "size {}",
                body.len()
            );
            assert_eq!(body.len() as u64, s.size_of(i));
            assert!(body.iter().all(u8::is_ascii_alphabetic));
            assert_eq!(body, s.body(i));
        }
        assert_ne!(s.body(0), s.body(1));
    }

    #[test]
    fn exactly_one_object_holds_the_magic_string() {
        let s = spec(300);
        let needle = b"MyMagicString";
        let holders: Vec<u64> = (0..s.count)
            .filter(|&i| s.body(i).windows(needle.len()).any(|w| w == needle))
            .collect();
        assert_eq!(holders, vec![s.magic_index().unwrap_or(u64::MAX)]);
        let other_key = ObjectSet {
            generator_key: 7,
            ..s.clone()
        };
        assert_ne!(
            (0..20).map(|i| s.size_of(i)).collect::<Vec<_>>(),
            (0..20).map(|i| other_key.size_of(i)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn sizes_spread_over_the_range() {
        let s = spec(1000);
        let sizes: Vec<u64> = (0..s.count).map(|i| s.size_of(i)).collect();
        let min = sizes.iter().min().copied().unwrap_or(0);
        let max = sizes.iter().max().copied().unwrap_or(0);
        assert!(min < 2_000 && max > 49_000, "min {min} max {max}");
        assert_eq!(s.total_bytes(), sizes.iter().sum::<u64>());
    }

    #[test]
    fn fixed_size_and_no_magic_work() {
        let s = ObjectSet {
            count: 3,
            min_size: 25_000,
            max_size: 25_000,
            magic: None,
            generator_key: 1,
        };
        assert!(s.validate().is_ok());
        assert_eq!(s.magic_index(), None);
        assert!((0..3).all(|i| s.body(i).len() == 25_000));
    }

    #[test]
    fn invalid_specs_name_the_field() {
        let bad = ObjectSet {
            min_size: 10,
            max_size: 5,
            ..spec(1)
        };
        let msg = bad
            .validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(msg.contains("min_size"), "{msg}");
        let short = ObjectSet {
            min_size: 4,
            max_size: 5,
            ..spec(1)
        };
        assert!(matches!(
            short.validate(),
            Err(ObjectSetError::MagicTooLong { .. })
        ));
        let spaces = ObjectSet {
            magic: Some("a b".into()),
            ..spec(1)
        };
        assert_eq!(spaces.validate(), Err(ObjectSetError::MagicNotLetters));
    }
}
