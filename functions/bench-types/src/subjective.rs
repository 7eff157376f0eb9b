//! The seed's subjective review: seven categories of developer experience, each graded from 1 to
//! 6 (higher is better), summed per language and added to the objective score for the combined
//! score ("Combining Subjective and Objective Results"). The article names only the first
//! category, `code complexity`, in its text; the other six keys are this project's names for the
//! rest of its review.
//!
//! The rules live here once, for the collector (`subjectiveScores` in the execution input) and
//! the deployer (`subjective_scores` in `bench.toml`).

use std::collections::BTreeMap;

/// The seven categories, in the order tables show them.
pub const SUBJECTIVE_CATEGORIES: [&str; 7] = [
    "code_complexity",
    "concurrency_model",
    "aws_sdk",
    "toolchain",
    "packaging_and_deployment",
    "documentation",
    "ecosystem",
];

/// The lowest grade.
pub const MIN_GRADE: f64 = 1.0;
/// The highest grade.
pub const MAX_GRADE: f64 = 6.0;

/// What is wrong with a target's grades: the field (`PREFIX.TARGET` or `PREFIX.TARGET.CATEGORY`)
/// and the problem with its fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectiveProblem {
    /// E.g. `subjectiveScores.rust.toolchain`.
    pub field: String,
    /// What is wrong and what to give instead.
    pub reason: String,
}

/// Checks one target's grades: every category one of the seven, every grade a number from 1 to
/// 6, all seven given. `prefix` names the whole map (`subjectiveScores`, `subjective_scores`).
/// Returns the target's subjective score (the sum of its grades).
pub fn check_grades(
    prefix: &str,
    target: &str,
    grades: &BTreeMap<String, f64>,
) -> Result<f64, SubjectiveProblem> {
    for (category, &grade) in grades {
        if !SUBJECTIVE_CATEGORIES.contains(&category.as_str()) {
            return Err(SubjectiveProblem {
                field: format!("{prefix}.{target}.{category}"),
                reason: format!(
                    "is not one of the seed's seven categories; use {}",
                    SUBJECTIVE_CATEGORIES.join(", ")
                ),
            });
        }
        if !(grade.is_finite() && (MIN_GRADE..=MAX_GRADE).contains(&grade)) {
            return Err(SubjectiveProblem {
                field: format!("{prefix}.{target}.{category}"),
                reason: format!(
                    "{grade} is not a grade; give a number from {MIN_GRADE} (worst) to {MAX_GRADE} (best)"
                ),
            });
        }
    }
    let missing: Vec<&str> = SUBJECTIVE_CATEGORIES
        .iter()
        .copied()
        .filter(|c| !grades.contains_key(*c))
        .collect();
    if !missing.is_empty() {
        return Err(SubjectiveProblem {
            field: format!("{prefix}.{target}"),
            reason: format!(
                "misses {}; grade all seven categories ({}) from {MIN_GRADE} to {MAX_GRADE}",
                missing.join(", "),
                SUBJECTIVE_CATEGORIES.join(", ")
            ),
        });
    }
    Ok(grades.values().sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grades(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
        pairs.iter().map(|(c, g)| ((*c).to_owned(), *g)).collect()
    }

    fn all(grade: f64) -> BTreeMap<String, f64> {
        SUBJECTIVE_CATEGORIES
            .iter()
            .map(|c| ((*c).to_owned(), grade))
            .collect()
    }

    #[test]
    fn seven_grades_from_1_to_6_sum_up() {
        assert_eq!(check_grades("s", "rust", &all(4.0)), Ok(28.0));
        let mut half = all(5.0);
        half.insert("toolchain".into(), 5.5);
        assert_eq!(check_grades("s", "rust", &half), Ok(35.5));
    }

    #[test]
    fn unknown_categories_bad_grades_and_missing_categories_name_the_field() {
        let mut typo = all(3.0);
        typo.insert("tooling".into(), 3.0);
        let err = check_grades("subjectiveScores", "go", &typo).unwrap_err();
        assert_eq!(err.field, "subjectiveScores.go.tooling");
        assert!(err.reason.contains("code_complexity"), "{}", err.reason);

        let mut high = all(3.0);
        high.insert("aws_sdk".into(), 7.0);
        let err = check_grades("subjective_scores", "go", &high).unwrap_err();
        assert_eq!(err.field, "subjective_scores.go.aws_sdk");
        assert!(err.reason.contains("from 1 (worst) to 6"), "{}", err.reason);

        let err = check_grades("p", "go", &grades(&[("code_complexity", 0.5)])).unwrap_err();
        assert_eq!(err.field, "p.go.code_complexity");

        let err = check_grades("p", "go", &grades(&[("code_complexity", 2.0)])).unwrap_err();
        assert_eq!(err.field, "p.go");
        assert!(
            err.reason.contains("misses concurrency_model, aws_sdk"),
            "{}",
            err.reason
        );
    }
}
