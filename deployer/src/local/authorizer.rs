//! The local stack's IAM in strict mode, as local-s3 and the Step Functions tasks ask it: which
//! secret a key signs with (the admin's test key, or a session STS issued, looked up in moto),
//! and whether a role may do what it asks (its inline and attached policies from moto's IAM,
//! evaluated with `iam-rs`: explicit deny first, then an allow, else deny).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use hyper::Method;
use iam_rs::{
    evaluate_policies, Arn, Context, ContextValue, Decision, IAMPolicy, IAMRequest, Principal,
    PrincipalId,
};
use local_s3::{AccessRequest, Authorizer, KeyCredentials};
use local_stack::http::HttpClient;
use local_stack::runtime::RoleAuthorizer;
use serde_json::{json, Value};

use crate::resources::role::decode_policy;

/// How long a role's policies are used before they are read again (IAM is eventually
/// consistent on AWS too: a policy change takes a few seconds to apply).
///
/// Past it, one request reads them again while the others go on with the copy it replaces:
/// were every request in flight to read them (64 GETs of a reader, each with 4 or more calls to
/// moto, which also runs the state machine), the reads would queue behind each other for
/// seconds, and a GET with them: seen here as 1 to 3 s GETs in every reader past 2 s.
const POLICY_TTL: Duration = Duration::from_secs(2);
/// The route of the moto launcher that answers which session a temporary key belongs to.
const SESSION_ROUTE: &str = "/moto-api/local-stack/session";

#[derive(Debug, Clone)]
struct Session {
    secret: String,
    token: String,
    role_arn: String,
}

/// Keys, sessions and role policies from moto.
#[derive(Debug)]
pub(crate) struct MotoIam {
    session_url: String,
    http: HttpClient,
    iam: aws_sdk_iam::Client,
    admin_key: String,
    admin_secret: String,
    sessions: Mutex<HashMap<String, Session>>,
    policies: Mutex<HashMap<String, CachedPolicies>>,
    /// Held by the one request that reads a role's policies from moto.
    policy_read: tokio::sync::Mutex<()>,
}

/// A role's policies and when they were read.
type CachedPolicies = (Instant, Arc<Vec<IAMPolicy>>);

impl MotoIam {
    /// `sdk` reaches moto's IAM with the admin's credentials (`admin_key`/`admin_secret`, which
    /// are allowed everything, as the deployer's are on AWS).
    pub(crate) fn new(
        moto_endpoint: &str,
        sdk: &SdkConfig,
        admin_key: &str,
        admin_secret: &str,
    ) -> Self {
        Self {
            session_url: format!("{moto_endpoint}{SESSION_ROUTE}"),
            http: HttpClient::new(),
            iam: aws_sdk_iam::Client::new(sdk),
            admin_key: admin_key.to_owned(),
            admin_secret: admin_secret.to_owned(),
            sessions: Mutex::new(HashMap::new()),
            policies: Mutex::new(HashMap::new()),
            policy_read: tokio::sync::Mutex::new(()),
        }
    }

    async fn session(&self, access_key: &str) -> Option<Session> {
        if let Some(s) = self.sessions.lock().ok()?.get(access_key) {
            return Some(s.clone());
        }
        let answer = self
            .http
            .send_json(
                Method::POST,
                &self.session_url,
                &json!({"accessKeyId": access_key}),
            )
            .await
            .ok()?;
        if answer.status != 200 {
            return None;
        }
        let body: Value = serde_json::from_slice(&answer.body).ok()?;
        let session = Session {
            secret: body["secretAccessKey"].as_str()?.to_owned(),
            token: body["sessionToken"].as_str()?.to_owned(),
            role_arn: body["roleArn"].as_str()?.to_owned(),
        };
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.insert(access_key.to_owned(), session.clone());
        }
        Some(session)
    }

    /// The role's inline and attached policies (cached for [`POLICY_TTL`]; past it, read again
    /// by one request while the others use the cached copy).
    async fn role_policies(&self, role_arn: &str) -> Result<Arc<Vec<IAMPolicy>>, String> {
        let cached = self.cached_policies(role_arn)?;
        if let Some((at, policies)) = &cached {
            if at.elapsed() < POLICY_TTL {
                return Ok(Arc::clone(policies));
            }
        }
        let _reading = match (&cached, self.policy_read.try_lock()) {
            (_, Ok(guard)) => guard,
            (Some((_, stale)), Err(_)) => return Ok(Arc::clone(stale)),
            // Never read: wait for the read in progress, which may be this role's.
            (None, Err(_)) => {
                let guard = self.policy_read.lock().await;
                if let Some((_, policies)) = self.cached_policies(role_arn)? {
                    return Ok(policies);
                }
                guard
            }
        };
        let policies = self.read_role_policies(role_arn).await?;
        if let Ok(mut cache) = self.policies.lock() {
            cache.insert(role_arn.to_owned(), (Instant::now(), Arc::clone(&policies)));
        }
        Ok(policies)
    }

    fn cached_policies(&self, role_arn: &str) -> Result<Option<CachedPolicies>, String> {
        Ok(self
            .policies
            .lock()
            .map_err(|e| e.to_string())?
            .get(role_arn)
            .cloned())
    }

    /// The role's inline and attached policies, from moto's IAM.
    async fn read_role_policies(&self, role_arn: &str) -> Result<Arc<Vec<IAMPolicy>>, String> {
        let role = role_arn.rsplit('/').next().unwrap_or(role_arn);
        let mut documents = Vec::new();
        let inline = self
            .iam
            .list_role_policies()
            .role_name(role)
            .send()
            .await
            .map_err(|e| format!("ListRolePolicies {role}: {e:?}"))?;
        for name in inline.policy_names() {
            let policy = self
                .iam
                .get_role_policy()
                .role_name(role)
                .policy_name(name)
                .send()
                .await
                .map_err(|e| format!("GetRolePolicy {role}/{name}: {e:?}"))?;
            documents.push(decode_policy(policy.policy_document()));
        }
        let attached = self
            .iam
            .list_attached_role_policies()
            .role_name(role)
            .send()
            .await
            .map_err(|e| format!("ListAttachedRolePolicies {role}: {e:?}"))?;
        for policy in attached.attached_policies() {
            let Some(arn) = policy.policy_arn() else {
                continue;
            };
            let version = self
                .iam
                .get_policy()
                .policy_arn(arn)
                .send()
                .await
                .ok()
                .and_then(|p| p.policy.and_then(|p| p.default_version_id));
            let Some(version) = version else { continue };
            if let Ok(v) = self
                .iam
                .get_policy_version()
                .policy_arn(arn)
                .version_id(version)
                .send()
                .await
            {
                if let Some(doc) = v.policy_version.and_then(|v| v.document) {
                    documents.push(decode_policy(&doc));
                }
            }
        }
        let policies: Vec<IAMPolicy> = documents
            .iter()
            .map(|d| {
                IAMPolicy::from_json(&d.to_string()).map_err(|e| format!("policy of {role}: {e}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Arc::new(policies))
    }
}

/// The condition keys of a request as iam-rs takes them (`s3:max-keys` is a number).
fn context_of(request: &AccessRequest) -> Context {
    let mut context = Context::new();
    for (key, value) in &request.context {
        let value = match (key.as_str(), value.parse::<f64>()) {
            ("s3:max-keys", Ok(n)) => ContextValue::Number(n),
            _ => ContextValue::String(value.clone()),
        };
        context.insert(key.clone(), value);
    }
    context
}

#[async_trait::async_trait]
impl Authorizer for MotoIam {
    async fn credentials(&self, access_key: &str) -> Option<KeyCredentials> {
        if access_key == self.admin_key {
            return Some(KeyCredentials {
                secret_access_key: self.admin_secret.clone(),
                session_token: None,
            });
        }
        self.session(access_key).await.map(|s| KeyCredentials {
            secret_access_key: s.secret,
            session_token: Some(s.token),
        })
    }

    async fn allowed(&self, request: &AccessRequest) -> bool {
        if request.access_key == self.admin_key {
            return true;
        }
        let Some(session) = self.session(&request.access_key).await else {
            return false;
        };
        self.decide(
            &session.role_arn,
            &request.action,
            &request.resource,
            context_of(request),
        )
        .await
    }
}

#[async_trait::async_trait]
impl RoleAuthorizer for MotoIam {
    async fn allowed(&self, role_arn: &str, action: &str, resource: &str) -> bool {
        self.decide(role_arn, action, resource, Context::new())
            .await
    }
}

impl MotoIam {
    /// Whether the role's policies allow `action` on `resource` (an explicit deny wins; no
    /// allow is a deny; policies that cannot be read deny).
    async fn decide(&self, role_arn: &str, action: &str, resource: &str, context: Context) -> bool {
        let policies = match self.role_policies(role_arn).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "authorization: the role's policies could not be read; denying");
                return false;
            }
        };
        let allowed = evaluate(&policies, role_arn, action, resource, context);
        tracing::debug!(%role_arn, %action, %resource, allowed, "authorization");
        allowed
    }
}

/// IAM's decision for one request against a principal's identity policies: allowed only when a
/// statement allows it and none denies it (an explicit deny wins; no allow is a deny).
pub(crate) fn evaluate(
    policies: &[IAMPolicy],
    principal_arn: &str,
    action: &str,
    resource: &str,
    context: Context,
) -> bool {
    let Ok(resource_arn) = Arn::parse(resource) else {
        return false;
    };
    let request = IAMRequest::new_with_context(
        Principal::Aws(PrincipalId::String(principal_arn.to_owned())),
        action,
        resource_arn,
        context,
    );
    matches!(evaluate_policies(policies, &request), Ok(Decision::Allow))
}

#[cfg(test)]
mod tests {
    //! The evaluator against the cases of AWS's documented policy evaluation logic and S3's
    //! condition keys that the stack relies on.
    use super::*;

    const ROLE: &str = "arn:aws:iam::123456789012:role/r";

    fn policy(document: Value) -> IAMPolicy {
        IAMPolicy::from_json(&document.to_string()).expect("a policy")
    }

    fn strings(pairs: &[(&str, &str)]) -> Context {
        let mut c = Context::new();
        for (k, v) in pairs {
            c.insert((*k).to_string(), ContextValue::String((*v).to_string()));
        }
        c
    }

    #[test]
    fn an_explicit_deny_overrides_any_allow_and_no_allow_is_a_deny() {
        let allow_all_s3 = policy(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}));
        let deny_secrets = policy(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/secret/*"}]}));
        let both = [allow_all_s3.clone(), deny_secrets];
        let get = |policies: &[IAMPolicy], key: &str| {
            evaluate(
                policies,
                ROLE,
                "s3:GetObject",
                &format!("arn:aws:s3:::data/{key}"),
                Context::new(),
            )
        };
        assert!(get(&both, "bench/1.txt"));
        assert!(!get(&both, "secret/1.txt"), "the explicit deny wins");
        assert!(
            !evaluate(
                &[allow_all_s3],
                ROLE,
                "lambda:InvokeFunction",
                "arn:aws:lambda:us-east-1:123456789012:function:f",
                Context::new()
            ),
            "implicit deny"
        );
    }

    #[test]
    fn the_readers_listing_grant_is_conditioned_on_the_prefix() {
        let reader = policy(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::data",
             "Condition": {"StringLike": {"s3:prefix": ["bench/*"]}}},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/bench/*"}]}));
        let list = |prefix: Option<&str>| {
            let context = prefix.map_or_else(Context::new, |p| strings(&[("s3:prefix", p)]));
            evaluate(
                std::slice::from_ref(&reader),
                ROLE,
                "s3:ListBucket",
                "arn:aws:s3:::data",
                context,
            )
        };
        assert!(list(Some("bench/200/")));
        assert!(
            list(Some("bench/200/00001.txt")),
            "S3's 404 check lists with the key as prefix"
        );
        assert!(!list(Some("other/")));
        assert!(!list(Some("")), "the whole bucket is not under bench/");
        assert!(
            !list(None),
            "a condition on a key the request lacks does not match"
        );
        assert!(evaluate(
            std::slice::from_ref(&reader),
            ROLE,
            "s3:GetObject",
            "arn:aws:s3:::data/bench/200/1.txt",
            Context::new()
        ));
        assert!(!evaluate(
            &[reader],
            ROLE,
            "s3:GetObject",
            "arn:aws:s3:::data/other.txt",
            Context::new()
        ));
    }

    #[test]
    fn numeric_conditions_and_not_action_follow_the_documented_semantics() {
        let capped = policy(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::data",
             "Condition": {"NumericLessThanEquals": {"s3:max-keys": "100"}}}]}));
        let with_max = |n: f64| {
            let mut c = Context::new();
            c.insert("s3:max-keys".into(), ContextValue::Number(n));
            evaluate(
                std::slice::from_ref(&capped),
                ROLE,
                "s3:ListBucket",
                "arn:aws:s3:::data",
                c,
            )
        };
        assert!(with_max(10.0));
        assert!(!with_max(1000.0));
        let not_iam = policy(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}));
        assert!(evaluate(
            std::slice::from_ref(&not_iam),
            ROLE,
            "s3:GetObject",
            "arn:aws:s3:::data/k",
            Context::new()
        ));
        assert!(!evaluate(
            &[not_iam],
            ROLE,
            "iam:CreateRole",
            "arn:aws:iam::123456789012:role/x",
            Context::new()
        ));
    }
}
