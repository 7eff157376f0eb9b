//! Authorization of every request, as S3 decides it, when the server is given an [`Authorizer`]
//! (the local stack's strict mode): the signature is checked with the key's secret, a temporary
//! key must come with its own session token, and the caller's policies must allow the S3 action
//! on the resource with the request's condition keys (`s3:prefix`, `s3:delimiter`,
//! `s3:max-keys` for a listing). A GET or HEAD of a missing key answers 404 only to a caller who
//! may list the bucket with `s3:prefix` set to the key; anyone else gets 403, as S3 does (it does
//! not tell a caller who may not list whether a key exists).

use std::path::PathBuf;
use std::sync::Arc;

use s3s::access::{S3Access, S3AccessContext};
use s3s::auth::{S3Auth, SecretKey};
use s3s::path::S3Path;
use s3s::{s3_error, S3Result};

/// What a key signs with.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyCredentials {
    /// The secret the request's SigV4 signature is checked with.
    pub secret_access_key: String,
    /// The session token a temporary key must send (`x-amz-security-token`); `None` for a
    /// long-term key.
    pub session_token: Option<String>,
}

impl std::fmt::Debug for KeyCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCredentials").finish_non_exhaustive()
    }
}

/// One S3 authorization question: may the key's principal perform `action` on `resource`?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRequest {
    /// The access key id the request was signed with; names the principal.
    pub access_key: String,
    /// IAM notation, e.g. `s3:GetObject`.
    pub action: String,
    /// `arn:PARTITION:s3:::BUCKET` or `arn:PARTITION:s3:::BUCKET/KEY`.
    pub resource: String,
    /// Condition keys and their values, e.g. `("s3:prefix", "bench/")`.
    pub context: Vec<(String, String)>,
}

/// Who decides: the local stack's IAM (keys, sessions and role policies).
#[async_trait::async_trait]
pub trait Authorizer: Send + Sync + std::fmt::Debug + 'static {
    /// The secret (and session token) of `access_key`; `None` for a key no one issued.
    async fn credentials(&self, access_key: &str) -> Option<KeyCredentials>;
    /// Whether the request is allowed (an explicit deny wins; no allow is a deny).
    async fn allowed(&self, request: &AccessRequest) -> bool;
}

/// The s3s authentication of an [`Authorizer`]: the secret the signature is checked with.
pub(crate) struct AuthBridge(pub(crate) Arc<dyn Authorizer>);

#[async_trait::async_trait]
impl S3Auth for AuthBridge {
    async fn get_secret_key(&self, access_key: &str) -> S3Result<SecretKey> {
        match self.0.credentials(access_key).await {
            Some(c) => Ok(SecretKey::from(c.secret_access_key)),
            None => Err(s3_error!(
                InvalidAccessKeyId,
                "The AWS Access Key Id you provided does not exist in our records."
            )),
        }
    }
}

/// The s3s access check of an [`Authorizer`].
pub(crate) struct AccessBridge {
    pub(crate) authorizer: Arc<dyn Authorizer>,
    /// Where the objects are (`ROOT/BUCKET/KEY`), to tell a missing key.
    pub(crate) root: PathBuf,
    pub(crate) partition: String,
}

#[async_trait::async_trait]
impl S3Access for AccessBridge {
    async fn check(&self, cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        let Some(credentials) = cx.credentials() else {
            return Err(s3_error!(AccessDenied, "Access Denied (anonymous request)"));
        };
        let access_key = credentials.access_key.clone();
        let expected = self.authorizer.credentials(&access_key).await;
        let sent = session_token(cx);
        if expected.and_then(|c| c.session_token) != sent {
            return Err(s3_error!(
                InvalidToken,
                "The provided token is malformed or otherwise invalid."
            ));
        }
        let op = cx.s3_op().name();
        let (bucket, key) = match cx.s3_path() {
            S3Path::Root => (None, None),
            S3Path::Bucket { bucket } => (Some(bucket.to_string()), None),
            S3Path::Object { bucket, key } => (Some(bucket.to_string()), Some(key.to_string())),
        };
        let query = cx.uri().query().unwrap_or_default().to_owned();
        let request =
            self.access_request(&access_key, op, bucket.as_deref(), key.as_deref(), &query);
        if !self.authorizer.allowed(&request).await {
            return Err(s3_error!(
                AccessDenied,
                "User with access key {access_key} is not authorized to perform: {} on resource: \"{}\" because no identity-based policy allows the {} action",
                request.action,
                request.resource,
                request.action
            ));
        }
        // A missing key is a 404 only for whoever may list it.
        if let (Some(bucket), Some(key), "GetObject" | "HeadObject") =
            (bucket.as_deref(), key.as_deref(), op)
        {
            if !self.root.join(bucket).join(key).is_file() {
                let list = AccessRequest {
                    access_key,
                    action: "s3:ListBucket".into(),
                    resource: self.bucket_arn(bucket),
                    context: vec![("s3:prefix".into(), key.to_owned())],
                };
                if !self.authorizer.allowed(&list).await {
                    return Err(s3_error!(AccessDenied, "Access Denied"));
                }
            }
        }
        Ok(())
    }
}

/// The token of the request: the header, or for a presigned URL the query parameter.
fn session_token(cx: &S3AccessContext<'_>) -> Option<String> {
    if let Some(value) = cx.headers().get("x-amz-security-token") {
        return value.to_str().ok().map(str::to_owned);
    }
    cx.uri().query().and_then(|q| {
        q.split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == "X-Amz-Security-Token")
            .map(|(_, v)| percent_decode(v))
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl AccessBridge {
    fn bucket_arn(&self, bucket: &str) -> String {
        format!("arn:{}:s3:::{bucket}", self.partition)
    }

    /// The IAM action, resource and condition keys of an S3 operation.
    fn access_request(
        &self,
        access_key: &str,
        op: &str,
        bucket: Option<&str>,
        key: Option<&str>,
        query: &str,
    ) -> AccessRequest {
        let resource = match (bucket, key) {
            (Some(b), Some(k)) => format!("{}/{k}", self.bucket_arn(b)),
            (Some(b), None) => self.bucket_arn(b),
            _ => format!("arn:{}:s3:::*", self.partition),
        };
        let mut context = Vec::new();
        let action = match op {
            "GetObject" | "HeadObject" => "s3:GetObject".to_owned(),
            "PutObject"
            | "CopyObject"
            | "CreateMultipartUpload"
            | "UploadPart"
            | "UploadPartCopy"
            | "CompleteMultipartUpload" => "s3:PutObject".to_owned(),
            "AbortMultipartUpload" => "s3:AbortMultipartUpload".to_owned(),
            "DeleteObject" | "DeleteObjects" => "s3:DeleteObject".to_owned(),
            "ListObjects" | "ListObjectsV2" | "HeadBucket" => {
                if op != "HeadBucket" {
                    let param = |name: &str| {
                        query
                            .split('&')
                            .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
                            .find(|(k, _)| *k == name)
                            .map(|(_, v)| percent_decode(v))
                    };
                    context.push(("s3:prefix".to_owned(), param("prefix").unwrap_or_default()));
                    if let Some(d) = param("delimiter") {
                        context.push(("s3:delimiter".to_owned(), d));
                    }
                    context.push((
                        "s3:max-keys".to_owned(),
                        param("max-keys").unwrap_or_else(|| "1000".to_owned()),
                    ));
                }
                "s3:ListBucket".to_owned()
            }
            "ListObjectVersions" => "s3:ListBucketVersions".to_owned(),
            "ListBuckets" => "s3:ListAllMyBuckets".to_owned(),
            "GetBucketEncryption" => "s3:GetEncryptionConfiguration".to_owned(),
            "PutBucketEncryption" => "s3:PutEncryptionConfiguration".to_owned(),
            "GetPublicAccessBlock" => "s3:GetBucketPublicAccessBlock".to_owned(),
            "PutPublicAccessBlock" => "s3:PutBucketPublicAccessBlock".to_owned(),
            other => format!("s3:{other}"),
        };
        AccessRequest {
            access_key: access_key.to_owned(),
            action,
            resource: match (op, bucket) {
                // DeleteObjects names its keys in the body: checked on the bucket's objects.
                ("DeleteObjects", Some(b)) => format!("{}/*", self.bucket_arn(b)),
                _ => resource,
            },
            context,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listings_carry_their_condition_keys() {
        #[derive(Debug)]
        struct Nobody;
        #[async_trait::async_trait]
        impl Authorizer for Nobody {
            async fn credentials(&self, _: &str) -> Option<KeyCredentials> {
                None
            }
            async fn allowed(&self, _: &AccessRequest) -> bool {
                false
            }
        }
        let bridge = AccessBridge {
            authorizer: Arc::new(Nobody),
            root: PathBuf::from("/nowhere"),
            partition: "aws".into(),
        };
        let r = bridge.access_request(
            "k",
            "ListObjectsV2",
            Some("data"),
            None,
            "list-type=2&prefix=bench%2F200%2F&delimiter=%2F",
        );
        assert_eq!(r.action, "s3:ListBucket");
        assert_eq!(r.resource, "arn:aws:s3:::data");
        assert_eq!(
            r.context,
            vec![
                ("s3:prefix".to_owned(), "bench/200/".to_owned()),
                ("s3:delimiter".to_owned(), "/".to_owned()),
                ("s3:max-keys".to_owned(), "1000".to_owned()),
            ]
        );
        let r = bridge.access_request("k", "HeadObject", Some("data"), Some("a b/c"), "");
        assert_eq!(
            (r.action.as_str(), r.resource.as_str()),
            ("s3:GetObject", "arn:aws:s3:::data/a b/c")
        );
    }

    #[test]
    fn percent_decoding_of_query_values() {
        assert_eq!(percent_decode("bench%2F200%2F"), "bench/200/");
        assert_eq!(percent_decode("a+b%2"), "a+b%2");
    }
}
