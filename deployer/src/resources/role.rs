//! An IAM role with its trust policy and inline policies (no managed policy is attached).

use std::collections::BTreeMap;

use percent_encoding::percent_decode_str;
use serde_json::Value;

use crate::aws::sdk_error::{classify, is_not_found};
use crate::aws::Clients;
use crate::diff::{short, Change, FieldChange};
use crate::error::Result;

/// What the stack wants of a role.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleSpec {
    /// The role's name, e.g. `lambda-bench-reader`.
    pub name: String,
    /// The role's IAM description, e.g. `Lambda benchmark lambda-bench: S3 reader function`.
    pub description: String,
    /// The trust policy: which service may assume the role.
    pub trust: Value,
    /// Inline policies by name.
    pub policies: BTreeMap<String, Value>,
}

/// What exists.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RoleState {
    pub(crate) trust: Value,
    pub(crate) policies: BTreeMap<String, Value>,
}

/// IAM returns policy documents URL-encoded; moto and some tools return them plain.
pub fn decode_policy(text: &str) -> Value {
    serde_json::from_str(text)
        .or_else(|_| {
            let decoded = percent_decode_str(text).decode_utf8_lossy();
            serde_json::from_str(&decoded)
        })
        .unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// Reads the role and its inline policies; `None` when it does not exist.
pub(crate) async fn read(c: &Clients, name: &str) -> Result<Option<RoleState>> {
    let role = match c.iam.get_role().role_name(name).send().await {
        Ok(out) => out.role,
        Err(e) if is_not_found(&e) => return Ok(None),
        Err(e) => return Err(classify("iam:GetRole", e)),
    };
    let trust = role
        .and_then(|r| r.assume_role_policy_document)
        .map(|d| decode_policy(&d))
        .unwrap_or(Value::Null);
    let mut policies = BTreeMap::new();
    for policy_name in list_inline_policies(c, name).await? {
        let doc = c
            .iam
            .get_role_policy()
            .role_name(name)
            .policy_name(&policy_name)
            .send()
            .await
            .map_err(|e| classify("iam:GetRolePolicy", e))?;
        policies.insert(policy_name, decode_policy(doc.policy_document()));
    }
    Ok(Some(RoleState { trust, policies }))
}

async fn list_inline_policies(c: &Clients, role: &str) -> Result<Vec<String>> {
    let mut names = Vec::new();
    let mut pages = c
        .iam
        .list_role_policies()
        .role_name(role)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify("iam:ListRolePolicies", e))?;
        names.extend(page.policy_names().iter().cloned());
    }
    Ok(names)
}

fn policy_field(name: &str) -> String {
    format!("policy {name}")
}

/// The change from `current` to `spec`; documents compare as JSON values.
pub(crate) fn diff(spec: &RoleSpec, current: Option<&RoleState>) -> Change {
    let Some(current) = current else {
        return Change::Create;
    };
    let mut fields = Vec::new();
    if current.trust != spec.trust {
        fields.push(FieldChange::new(
            "trust policy",
            short(&current.trust.to_string()),
            short(&spec.trust.to_string()),
        ));
    }
    for (name, wanted) in &spec.policies {
        match current.policies.get(name) {
            Some(existing) if existing == wanted => {}
            existing => fields.push(FieldChange::new(
                policy_field(name),
                existing.map_or_else(|| "none".to_owned(), |e| short(&e.to_string())),
                short(&wanted.to_string()),
            )),
        }
    }
    for (name, existing) in &current.policies {
        if !spec.policies.contains_key(name) {
            fields.push(FieldChange::new(
                policy_field(name),
                short(&existing.to_string()),
                "none",
            ));
        }
    }
    Change::from_fields(fields)
}

/// Creates or updates the role as `change` says.
pub(crate) async fn apply(
    c: &Clients,
    spec: &RoleSpec,
    current: Option<&RoleState>,
    change: &Change,
) -> Result<()> {
    match change {
        Change::NoChange | Change::Delete => return Ok(()),
        Change::Create => {
            c.iam
                .create_role()
                .role_name(&spec.name)
                .description(&spec.description)
                .assume_role_policy_document(spec.trust.to_string())
                .send()
                .await
                .map_err(|e| classify("iam:CreateRole", e))?;
        }
        Change::Update(_) => {
            if change.touches("trust policy") {
                c.iam
                    .update_assume_role_policy()
                    .role_name(&spec.name)
                    .policy_document(spec.trust.to_string())
                    .send()
                    .await
                    .map_err(|e| classify("iam:UpdateAssumeRolePolicy", e))?;
            }
        }
    }
    for (name, document) in &spec.policies {
        if change.touches(&policy_field(name)) {
            c.iam
                .put_role_policy()
                .role_name(&spec.name)
                .policy_name(name)
                .policy_document(document.to_string())
                .send()
                .await
                .map_err(|e| classify("iam:PutRolePolicy", e))?;
        }
    }
    if let Some(current) = current {
        for name in current.policies.keys() {
            if !spec.policies.contains_key(name) {
                delete_inline(c, &spec.name, name).await?;
            }
        }
    }
    Ok(())
}

async fn delete_inline(c: &Clients, role: &str, policy: &str) -> Result<()> {
    match c
        .iam
        .delete_role_policy()
        .role_name(role)
        .policy_name(policy)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if is_not_found(&e) => Ok(()),
        Err(e) => Err(classify("iam:DeleteRolePolicy", e)),
    }
}

/// Deletes the inline policies, then the role. A missing role is fine; returns whether it existed.
pub(crate) async fn destroy(c: &Clients, name: &str) -> Result<bool> {
    match c.iam.get_role().role_name(name).send().await {
        Ok(_) => {}
        Err(e) if is_not_found(&e) => return Ok(false),
        Err(e) => return Err(classify("iam:GetRole", e)),
    }
    for policy in list_inline_policies(c, name).await? {
        delete_inline(c, name, &policy).await?;
    }
    match c.iam.delete_role().role_name(name).send().await {
        Ok(_) => Ok(true),
        Err(e) if is_not_found(&e) => Ok(false),
        Err(e) => Err(classify("iam:DeleteRole", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn url_encoded_and_plain_documents_decode_alike() {
        let plain = r#"{"Version":"2012-10-17","Statement":[]}"#;
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(decode_policy(plain), decode_policy(encoded));
        assert_eq!(decode_policy(plain)["Version"], "2012-10-17");
    }

    #[test]
    fn diff_names_changed_added_and_removed_policies() {
        let spec = RoleSpec {
            name: "r".into(),
            description: "d".into(),
            trust: json!({"a": 1}),
            policies: BTreeMap::from([
                ("keep".into(), json!({"k": 1})),
                ("new".into(), json!({"n": 1})),
            ]),
        };
        assert_eq!(diff(&spec, None), Change::Create);
        let current = RoleState {
            trust: json!({"a": 1}),
            policies: BTreeMap::from([
                ("keep".into(), json!({"k": 1})),
                ("old".into(), json!({"o": 1})),
            ]),
        };
        let change = diff(&spec, Some(&current));
        assert!(change.touches("policy new") && change.touches("policy old"));
        assert!(!change.touches("policy keep") && !change.touches("trust policy"));
        let same = RoleState {
            trust: spec.trust.clone(),
            policies: spec.policies.clone(),
        };
        assert_eq!(diff(&spec, Some(&same)), Change::NoChange);
    }
}
