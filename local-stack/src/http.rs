//! A small HTTP/1 client for loopback calls (moto's config API, the runtime's invoke API).

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;

use crate::Error;

/// A status code and a body.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The HTTP status code, e.g. 200.
    pub status: u16,
    /// The whole body, as received.
    pub body: Bytes,
}

impl Answer {
    /// The body as text (invalid UTF-8 replaced), for assertions and error messages.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A plain-HTTP client.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Default for HttpClient {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpClient {
    /// A client for plain HTTP (no TLS), keeping connections alive between calls.
    pub fn new() -> Self {
        Self {
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    /// Sends `body` as JSON with `method` to `url` and reads the whole answer.
    pub async fn send_json(
        &self,
        method: Method,
        url: &str,
        body: &serde_json::Value,
    ) -> Result<Answer, Error> {
        let request_name = format!("{method} {url}");
        let request = Request::builder()
            .method(method)
            .uri(url)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body.to_string())))
            .map_err(|e| Error::Http {
                request: request_name.clone(),
                message: e.to_string(),
            })?;
        self.send(request_name, request).await
    }

    /// GET `url` and read the whole answer.
    pub async fn get(&self, url: &str) -> Result<Answer, Error> {
        let request_name = format!("GET {url}");
        let request = Request::builder()
            .method(Method::GET)
            .uri(url)
            .body(Full::new(Bytes::new()))
            .map_err(|e| Error::Http {
                request: request_name.clone(),
                message: e.to_string(),
            })?;
        self.send(request_name, request).await
    }

    async fn send(
        &self,
        request_name: String,
        request: Request<Full<Bytes>>,
    ) -> Result<Answer, Error> {
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| Error::Http {
                request: request_name.clone(),
                message: format!("{e:?}"),
            })?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| Error::Http {
                request: request_name,
                message: e.to_string(),
            })?
            .to_bytes();
        Ok(Answer { status, body })
    }
}
