//! Error text shared by the functions.

/// An error with all its sources, as one line: `outer: cause: root cause`. The SDK's errors
/// say only "service error" or "dispatch failure" in their own Display; the reason is in the
/// sources.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer {
        text: &'static str,
        source: Option<Box<Layer>>,
    }

    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.text)
        }
    }

    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.source
                .as_deref()
                .map(|s| s as &(dyn std::error::Error + 'static))
        }
    }

    #[test]
    fn every_source_is_joined_in_order() {
        let error = Layer {
            text: "dispatch failure",
            source: Some(Box::new(Layer {
                text: "io error",
                source: Some(Box::new(Layer {
                    text: "connection refused",
                    source: None,
                })),
            })),
        };
        assert_eq!(
            error_chain(&error),
            "dispatch failure: io error: connection refused"
        );
        let alone = Layer {
            text: "alone",
            source: None,
        };
        assert_eq!(error_chain(&alone), "alone");
    }
}
