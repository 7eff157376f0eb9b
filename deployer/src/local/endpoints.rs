//! One `SdkConfig` for two local endpoints: S3 calls go to local-s3, every other service to
//! moto. The SDK asks an `SdkConfig`'s service configuration for a service-specific endpoint
//! before it falls back to the shared one (what `AWS_ENDPOINT_URL_S3` does from the
//! environment), so the normal deploy code needs no change to talk to both.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_s3::config::Credentials;
use aws_types::origin::Origin;
use aws_types::service_config::{LoadServiceConfig, ServiceConfigKey};

/// The region of the local stack (moto's default).
pub(crate) const LOCAL_REGION: &str = "us-east-1";
/// The dummy key pair every local client and function uses (moto accepts any).
pub(crate) const LOCAL_ACCESS_KEY: &str = "test";
pub(crate) const LOCAL_SECRET_KEY: &str = "test";

/// The SDK's service id of S3 in a [`ServiceConfigKey`].
const S3_SERVICE_ID: &str = "S3";
/// The profile key the SDK asks for when it looks up a service's endpoint.
const ENDPOINT_KEY: &str = "endpoint_url";

/// Answers the SDK's "endpoint for service X" question: local-s3 for S3, moto for the rest.
#[derive(Debug, Clone)]
struct LocalEndpoints {
    s3: String,
    moto: String,
}

impl LoadServiceConfig for LocalEndpoints {
    fn load_config(&self, key: ServiceConfigKey<'_>) -> Option<String> {
        if key.profile() != ENDPOINT_KEY {
            return None;
        }
        Some(if key.service_id() == S3_SERVICE_ID {
            self.s3.clone()
        } else {
            self.moto.clone()
        })
    }
}

/// An `SdkConfig` whose S3 endpoint is `s3_endpoint` and every other endpoint `moto_endpoint`,
/// with the local region and dummy credentials, trusting the CA certificate `s3_ca_pem` when
/// local-s3 speaks HTTPS. Environment endpoints (`AWS_ENDPOINT_URL*`) are ignored: the local run
/// must never reach anything else.
pub async fn local_sdk_config(
    moto_endpoint: &str,
    s3_endpoint: &str,
    s3_ca_pem: Option<&str>,
) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(pem) = s3_ca_pem {
        loader = loader.http_client(local_s3::https_client_trusting(pem));
    }
    let loaded = loader
        .region(Region::new(LOCAL_REGION))
        .credentials_provider(Credentials::new(
            LOCAL_ACCESS_KEY,
            LOCAL_SECRET_KEY,
            None,
            None,
            "deploy-local",
        ))
        .load()
        .await;
    let mut builder = loaded.into_builder();
    builder.set_endpoint_url(Some(moto_endpoint.to_owned()));
    // Not "set programmatically": the clients then consult the service config first.
    builder.insert_origin("endpoint_url", Origin::default());
    builder
        .service_config(LocalEndpoints {
            s3: s3_endpoint.to_owned(),
            moto: moto_endpoint.to_owned(),
        })
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::{CallLog, Clients};
    use tokio::net::TcpListener;

    /// A listener that counts the connections it gets (and closes each at once).
    async fn counting_listener() -> (String, tokio::sync::watch::Receiver<u32>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = tokio::sync::watch::channel(0u32);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                drop(stream);
                tx.send_modify(|n| *n += 1);
            }
        });
        (url, rx)
    }

    #[tokio::test]
    async fn s3_goes_to_local_s3_and_the_rest_to_moto() {
        let (moto, moto_hits) = counting_listener().await;
        let (s3, s3_hits) = counting_listener().await;
        let sdk = local_sdk_config(&moto, &s3, None).await;
        let clients = Clients::new(&sdk, CallLog::default());
        assert_eq!(clients.region, LOCAL_REGION);

        let _ = clients.s3.list_buckets().send().await;
        assert!(*s3_hits.borrow() > 0, "S3 did not reach local-s3");
        assert_eq!(*moto_hits.borrow(), 0, "S3 reached moto");

        let _ = clients.sts.get_caller_identity().send().await;
        let _ = clients.lambda.list_functions().send().await;
        let _ = clients.sfn.list_state_machines().send().await;
        let s3_before = *s3_hits.borrow();
        assert!(
            *moto_hits.borrow() >= 3,
            "STS, Lambda, SFN did not reach moto"
        );
        assert_eq!(*s3_hits.borrow(), s3_before);
    }
}
