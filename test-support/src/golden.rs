//! Golden files: what a test renders is compared with a file kept in the repository, so that
//! a change shows up as a diff to review. `UPDATE_GOLDEN=1` writes the files instead.

use std::path::Path;

/// The variable that makes [`assert_golden_files`] write the files instead of comparing.
pub const UPDATE_VARIABLE: &str = "UPDATE_GOLDEN";

/// Whether this run writes the golden files (`UPDATE_GOLDEN=1`).
pub fn updating() -> bool {
    std::env::var_os(UPDATE_VARIABLE).is_some_and(|v| v == "1")
}

/// Compares each `(file name, rendered text)` with the file of that name in `dir`, and panics
/// listing every missing or different file with both texts; with `UPDATE_GOLDEN=1` it writes
/// the files instead.
#[track_caller]
pub fn assert_golden_files<N, T>(dir: &Path, files: impl IntoIterator<Item = (N, T)>)
where
    N: AsRef<str>,
    T: AsRef<str>,
{
    let update = updating();
    let mut problems = Vec::new();
    for (name, rendered) in files {
        let path = dir.join(name.as_ref());
        let rendered = rendered.as_ref();
        if update {
            std::fs::write(&path, rendered)
                .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(golden) if golden == rendered => {}
            Ok(golden) => problems.push(format!(
                "{} differs:\n--- golden\n{golden}--- rendered\n{rendered}",
                path.display()
            )),
            Err(e) => problems.push(format!("{}: {e}", path.display())),
        }
    }
    assert!(
        problems.is_empty(),
        "{}\nIf the change is meant, rerun with {UPDATE_VARIABLE}=1 and review the diff.",
        problems.join("\n")
    );
}
