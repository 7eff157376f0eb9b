//! The difference between the declared stack and what exists, per resource, as `cdk diff` shows it.

use std::fmt;

/// One property that differs: its name, what exists, what the stack wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The property, e.g. `memory`, `policy read-test-objects`, `tags`.
    pub field: String,
    /// Its value now, shortened for display (`none` when absent).
    pub old: String,
    /// The value deploy sets, shortened for display.
    pub new: String,
}

impl FieldChange {
    /// A change of `field` from `old` to `new`.
    pub fn new(field: impl Into<String>, old: impl Into<String>, new: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            old: old.into(),
            new: new.into(),
        }
    }
}

/// What deploy will do to one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The resource does not exist: deploy creates it.
    Create,
    /// The resource exists with these properties other than declared: deploy changes them.
    Update(Vec<FieldChange>),
    /// The resource exists but the stack no longer has it (a dropped schedule): deploy deletes it.
    Delete,
    /// The resource exists as declared.
    NoChange,
}

impl Change {
    /// `Update` of the fields that differ, or `NoChange` when none does.
    pub(crate) fn from_fields(fields: Vec<FieldChange>) -> Self {
        if fields.is_empty() {
            Self::NoChange
        } else {
            Self::Update(fields)
        }
    }

    /// True when the field named `field` is part of this update (creates count as every field).
    pub fn touches(&self, field: &str) -> bool {
        match self {
            Self::Create => true,
            Self::Update(fields) => fields.iter().any(|f| f.field == field),
            Self::Delete | Self::NoChange => false,
        }
    }

    /// True for [`Change::NoChange`].
    pub fn is_no_change(&self) -> bool {
        matches!(self, Self::NoChange)
    }
}

/// The change of one named resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceChange {
    /// What kind of resource: one of the `KIND_*` of [`crate::reconcile`], e.g. `IAM role`.
    pub kind: &'static str,
    /// The resource's name (for the test objects, `s3://BUCKET/PREFIX`).
    pub name: String,
    /// What deploy does to it.
    pub change: Change,
}

impl fmt::Display for ResourceChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (mark, verb) = match &self.change {
            Change::Create => ("[+]", "create"),
            Change::Update(_) => ("[~]", "update"),
            Change::Delete => ("[-]", "delete"),
            Change::NoChange => ("[=]", "no change"),
        };
        write!(f, "{mark} {} {} ({verb})", self.kind, self.name)?;
        if let Change::Update(fields) = &self.change {
            for field in fields {
                write!(f, "\n      {}: {} → {}", field.field, field.old, field.new)?;
            }
        }
        Ok(())
    }
}

/// The changes of the whole stack, in deploy order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackDiff {
    /// One per resource, unchanged ones included.
    pub changes: Vec<ResourceChange>,
}

impl StackDiff {
    /// Adds the change of the resource `kind` `name`.
    pub(crate) fn push(&mut self, kind: &'static str, name: impl Into<String>, change: Change) {
        self.changes.push(ResourceChange {
            kind,
            name: name.into(),
            change,
        });
    }

    /// True when nothing is to be created, updated or deleted.
    pub fn is_empty(&self) -> bool {
        self.changes.iter().all(|c| c.change.is_no_change())
    }

    /// The change of the resource `kind` `name`, if the diff holds it.
    pub fn get(&self, kind: &str, name: &str) -> Option<&Change> {
        self.changes
            .iter()
            .find(|c| c.kind == kind && c.name == name)
            .map(|c| &c.change)
    }
}

impl fmt::Display for StackDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for change in &self.changes {
            writeln!(f, "{change}")?;
        }
        let count =
            |pred: fn(&Change) -> bool| self.changes.iter().filter(|c| pred(&c.change)).count();
        write!(
            f,
            "{} to create, {} to update, {} to delete, {} unchanged",
            count(|c| matches!(c, Change::Create)),
            count(|c| matches!(c, Change::Update(_))),
            count(|c| matches!(c, Change::Delete)),
            count(|c| matches!(c, Change::NoChange)),
        )
    }
}

/// A short, one-line rendering of a long value (policy documents, definitions) for the diff.
pub(crate) fn short(value: &str) -> String {
    const MAX: usize = 60;
    let one_line: String = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= MAX {
        one_line
    } else {
        let head: String = one_line.chars().take(MAX).collect();
        format!("{head}… ({} chars)", one_line.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_cdk_diff() {
        let mut diff = StackDiff::default();
        diff.push("S3 bucket", "data", Change::Create);
        diff.push(
            "Lambda function",
            "reader",
            Change::Update(vec![FieldChange::new("memory", "128", "1024")]),
        );
        diff.push("Scheduler schedule", "s", Change::Delete);
        diff.push("IAM role", "r", Change::NoChange);
        assert_eq!(
            diff.to_string(),
            "[+] S3 bucket data (create)\n[~] Lambda function reader (update)\n      memory: 128 → 1024\n[-] Scheduler schedule s (delete)\n[=] IAM role r (no change)\n1 to create, 1 to update, 1 to delete, 1 unchanged"
        );
        assert!(!diff.is_empty());
    }

    #[test]
    fn long_values_are_shortened() {
        let long = "x".repeat(100);
        assert!(short(&long).ends_with("… (100 chars)"));
        assert_eq!(short("{\n  \"a\": 1\n}"), "{ \"a\": 1 }");
    }
}
