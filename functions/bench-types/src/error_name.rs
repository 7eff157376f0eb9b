//! Stable error names. A Lambda's error type (`errorType`) is what a state machine's `Retry`
//! and `Catch` match on, so it must not follow Rust's type paths (lambda_runtime's default);
//! [`error_names!`](crate::error_names) derives it from the variant's own name instead of a
//! hand-kept match that could drift from the variants.

/// Gives an error enum `fn name(&self) -> &'static str`, the variant's name, and `NAMES`, every
/// variant's name in order. Listing a variant the enum lacks, or leaving one out, does not
/// compile (the match is exhaustive), and the names are the identifiers themselves.
///
/// ```
/// #[derive(Debug)]
/// enum ReaderError { InvalidEvent(String), ListFailed { bucket: String } }
/// bench_types::error_names!(ReaderError { InvalidEvent, ListFailed });
///
/// let e = ReaderError::ListFailed { bucket: "b".into() };
/// assert_eq!(e.name(), "ListFailed");
/// assert_eq!(ReaderError::NAMES, ["InvalidEvent", "ListFailed"]);
/// # let _ = ReaderError::InvalidEvent(String::new());
/// ```
#[macro_export]
macro_rules! error_names {
    ($error:ty { $($variant:ident),+ $(,)? }) => {
        #[allow(unreachable_pub)] // as public as the error type it names
        impl $error {
            /// Every variant's stable name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($variant)),+];

            /// The variant's stable name: the Lambda's error type, which the state machine
            /// retries or catches on.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Self::$variant { .. } => stringify!($variant),)+
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    #[derive(Debug)]
    enum Sample {
        Unit,
        Tuple(#[allow(dead_code)] u8),
        Fields {
            #[allow(dead_code)]
            what: &'static str,
        },
    }
    crate::error_names!(Sample {
        Unit,
        Tuple,
        Fields
    });

    #[test]
    fn every_shape_of_variant_is_named_by_its_identifier() {
        assert_eq!(Sample::Unit.name(), "Unit");
        assert_eq!(Sample::Tuple(1).name(), "Tuple");
        assert_eq!(Sample::Fields { what: "x" }.name(), "Fields");
        assert_eq!(Sample::NAMES, ["Unit", "Tuple", "Fields"]);
    }
}
