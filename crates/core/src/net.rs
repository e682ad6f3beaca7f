//! Every call mfatui makes to AWS goes through here: one HTTP client for the process, a deadline
//! on every call, a size cap on every response, and errors a person can act on.
//!
//! Why not the SDK's defaults: they read a response body of any size (a misconfigured proxy's
//! 2 GB answer was read whole) and a server that accepts a connection but never answers was
//! waited on for minutes. Here a response larger than `BODY_CAP` is refused, a body that stops
//! flowing for the read timeout is abandoned, and the engine bounds each call as a whole
//! (`Deadlines::call`, retries included).

use aws_sdk_sts::config::{Credentials, SharedHttpClient};
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sts::primitives::{DateTime, DateTimeFormat};
use aws_smithy_async::rt::sleep::SharedAsyncSleep;
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder, Connector, ConnectorBuilder};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use http_body_util::BodyExt;
use std::sync::OnceLock;
use std::time::Duration;

/// STS and IAM answers are a few KB; anything near this is not an AWS answer.
pub const BODY_CAP: usize = 1 << 20;

/// How long mfatui waits for AWS. Configurable in settings.toml.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// To open a TCP (and TLS) connection.
    pub connect: Duration,
    /// For the first byte of an answer, and between chunks of it.
    pub read: Duration,
    /// For one call as a whole, retries included.
    pub call: Duration,
}

impl Default for Deadlines {
    fn default() -> Self {
        Self { connect: Duration::from_secs(5), read: Duration::from_secs(10), call: Duration::from_secs(25) }
    }
}

pub use crate::secret::Keys;

/// What went wrong talking to AWS, in terms a user can act on. The Display names the service,
/// the endpoint where it matters, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AwsError {
    #[error("MFA code rejected: check the device and try again with its next code")]
    CodeRejected,
    #[error("access denied: {message}")]
    AccessDenied { message: String },
    #[error("the session has expired: sign in again with a new MFA code")]
    Expired,
    #[error("AWS does not recognise the access key (deleted or deactivated?): {message}")]
    InvalidKey { message: String },
    #[error("AWS kept throttling requests (Rate exceeded) and mfatui gave up; wait a minute and try again")]
    Throttled,
    #[error("cannot reach {service} at {endpoint}: {detail}; check the network or the endpoint URL")]
    Network { service: &'static str, endpoint: String, detail: String },
    #[error(
        "{service} at {endpoint} did not answer within {}s; check the network, a proxy, or the endpoint URL (the limits are connect_timeout_secs, read_timeout_secs and call_timeout_secs in mfatui's config.toml)",
        secs
    )]
    Timeout { service: &'static str, endpoint: String, secs: u64 },
    #[error(
        "{service} at {endpoint} answered HTTP {status} ({content_type}) with something that is not an AWS answer: \"{snippet}\"; check the endpoint URL or a proxy"
    )]
    BadResponse { service: &'static str, endpoint: String, status: u16, content_type: String, snippet: String },
    #[error(
        "{service} at {endpoint} sent an answer larger than {} KiB (AWS answers are a few KB), so mfatui stopped reading; check the endpoint URL or a proxy",
        BODY_CAP / 1024
    )]
    TooLarge { service: &'static str, endpoint: String },
    #[error("{code}: {message}")]
    Service { code: String, message: String, status: Option<u16> },
    /// Any error, when the server's clock and ours disagree enough to explain it.
    #[error("{inner}; note: this computer's clock is {} AWS's: fix it (enable NTP), since signatures and MFA codes depend on it", crate::clock::skew_words(*skew_secs))]
    ClockSkew { skew_secs: i64, inner: Box<AwsError> },
}

/// Beyond this, a clock difference is worth telling the user about (AWS rejects signatures
/// more than 5 minutes off; a TOTP window is 30 seconds).
pub const SKEW_WORTH_MENTIONING: i64 = 120;

impl AwsError {
    /// Worth retrying after a pause: throttling, 5xx, network trouble, a slow answer.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Throttled | Self::Network { .. } | Self::Timeout { .. } => true,
            // A proxy's 502/503 page is usually temporary; garbage with a 2xx/4xx is not.
            Self::BadResponse { status, .. } => *status >= 500,
            Self::Service { status, .. } => status.is_some_and(|s| s >= 500),
            Self::ClockSkew { inner, .. } => inner.is_transient(),
            _ => false,
        }
    }

    /// The error without any clock-skew note.
    pub fn root(&self) -> &AwsError {
        match self {
            Self::ClockSkew { inner, .. } => inner.root(),
            other => other,
        }
    }

    /// The AWS error code, when the answer was an AWS error.
    pub fn code(&self) -> Option<&str> {
        match self.root() {
            Self::CodeRejected | Self::AccessDenied { .. } => Some("AccessDenied"),
            Self::Expired => Some("ExpiredToken"),
            Self::InvalidKey { .. } => Some("InvalidClientTokenId"),
            Self::Throttled => Some("Throttling"),
            Self::Service { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// Where a call goes: the service's endpoint as a person would recognise it.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint<'a> {
    pub service: &'static str,
    pub url: &'a str,
}

/// Turn an SDK error into an `AwsError`.
pub fn classify<E: ProvideErrorMetadata + std::error::Error + 'static>(
    err: SdkError<E, aws_sdk_sts::config::http::HttpResponse>,
    at: Endpoint,
) -> AwsError {
    let status = err.raw_response().map(|r| r.status().as_u16());
    let server_time = err
        .raw_response()
        .and_then(|r| r.headers().get("date"))
        .and_then(|d| DateTime::from_str(d, DateTimeFormat::HttpDate).ok())
        .map(|d| d.secs());
    let plain = classify_plain(err, at, status);
    match server_time.map(|t| t - crate::clock::now_secs()) {
        Some(skew) if skew.abs() > SKEW_WORTH_MENTIONING => {
            AwsError::ClockSkew { skew_secs: skew, inner: Box::new(plain) }
        }
        _ => plain,
    }
}

fn classify_plain<E: ProvideErrorMetadata + std::error::Error + 'static>(
    err: SdkError<E, aws_sdk_sts::config::http::HttpResponse>,
    at: Endpoint,
    status: Option<u16>,
) -> AwsError {
    let endpoint = at.url.to_string();
    if let SdkError::TimeoutError(_) = err {
        return AwsError::Timeout { service: at.service, endpoint, secs: 0 };
    }
    if let SdkError::DispatchFailure(_) = err {
        if let Some(e) = answer_problem(&err, at) {
            return e;
        }
        let timed_out = matches!(&err, SdkError::DispatchFailure(d) if d.is_timeout());
        if timed_out {
            return AwsError::Timeout { service: at.service, endpoint, secs: 0 };
        }
        return AwsError::Network { service: at.service, endpoint, detail: innermost(&err).to_string() };
    }
    let code = err.code().map(str::to_string);
    let message = err.message().unwrap_or("").to_string();
    let Some(code) = code else {
        // No AWS error code: the answer was not an AWS error document (an HTML error page, a
        // proxy's answer, garbage). Say what came back instead of "Unknown".
        return match err.raw_response() {
            Some(r) => AwsError::BadResponse {
                service: at.service,
                endpoint,
                status: r.status().as_u16(),
                content_type: r.headers().get("content-type").unwrap_or("no content type").to_string(),
                snippet: snippet(r.body().bytes().unwrap_or_default()),
            },
            None => AwsError::Network { service: at.service, endpoint, detail: err.to_string() },
        };
    };
    match code.as_str() {
        "AccessDenied" if message.contains("MultiFactorAuthentication failed") => AwsError::CodeRejected,
        "AccessDenied" | "AccessDeniedException" => AwsError::AccessDenied { message },
        "ExpiredToken" | "ExpiredTokenException" => AwsError::Expired,
        "InvalidClientTokenId" | "UnrecognizedClientException" => AwsError::InvalidKey { message },
        "Throttling" | "ThrottlingException" | "RequestLimitExceeded" => AwsError::Throttled,
        _ => AwsError::Service { code, message, status },
    }
}

/// The first bytes of an answer, safe to show: printable ASCII only, secrets scrubbed, short.
fn snippet(body: &[u8]) -> String {
    let head = &body[..body.len().min(160)];
    let text: String =
        String::from_utf8_lossy(head).chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { ' ' }).collect();
    let squeezed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = crate::scrub::scrub(&squeezed);
    if out.chars().count() > 80 {
        out = out.chars().take(80).collect::<String>() + "…";
    }
    if body.is_empty() { "(empty)".into() } else { out }
}

/// Why the capped connector stopped reading an answer.
#[derive(Debug, thiserror::Error)]
enum AnswerProblem {
    #[error("the answer is larger than the cap")]
    TooLarge,
    #[error("the answer stopped arriving for {0:?}")]
    Stalled(Duration),
}

/// Wraps the real connector: reads each answer into memory, refusing more than `BODY_CAP`
/// bytes and giving up when the body stops flowing for `read`. AWS answers are small, so
/// buffering costs nothing and lets error messages quote the first bytes.
#[derive(Debug)]
struct CappedConnector {
    inner: SharedHttpConnector,
    read: Duration,
}

impl HttpConnector for CappedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let pending = self.inner.call(request);
        let read = self.read;
        HttpConnectorFuture::new(async move {
            let mut response = pending.await?;
            let declared = response.headers().get("content-length").and_then(|l| l.parse::<u64>().ok());
            if declared.is_some_and(|l| l > BODY_CAP as u64) {
                return Err(ConnectorError::other(Box::new(AnswerProblem::TooLarge), None));
            }
            let mut body = response.take_body();
            let mut bytes = Vec::with_capacity(declared.unwrap_or(4096).min(BODY_CAP as u64) as usize);
            loop {
                let frame = match tokio::time::timeout(read, body.frame()).await {
                    Err(_) => return Err(ConnectorError::timeout(Box::new(AnswerProblem::Stalled(read)))),
                    Ok(None) => break,
                    Ok(Some(f)) => f.map_err(ConnectorError::io)?,
                };
                if let Ok(data) = frame.into_data() {
                    if bytes.len() + data.len() > BODY_CAP {
                        return Err(ConnectorError::other(Box::new(AnswerProblem::TooLarge), None));
                    }
                    bytes.extend_from_slice(&data);
                }
            }
            *response.body_mut() = SdkBody::from(bytes);
            Ok(response)
        })
    }
}

#[derive(Debug)]
struct CappedClient {
    inner: SharedHttpClient,
}

impl HttpClient for CappedClient {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        let read = settings.read_timeout().unwrap_or(Deadlines::default().read);
        SharedHttpConnector::new(CappedConnector { inner: self.inner.http_connector(settings, components), read })
    }
}

/// Our own reason for a failed call anywhere in its error's chain (the SDK wraps the cause
/// several times: "dispatch failure" > "io error" > …): an answer too large, a body that stalled.
fn answer_problem(err: &(dyn std::error::Error + 'static), at: Endpoint) -> Option<AwsError> {
    let mut cause = Some(err);
    while let Some(c) = cause {
        if let Some(p) = c.downcast_ref::<AnswerProblem>() {
            let endpoint = at.url.to_string();
            return Some(match p {
                AnswerProblem::TooLarge => AwsError::TooLarge { service: at.service, endpoint },
                AnswerProblem::Stalled(d) => AwsError::Timeout { service: at.service, endpoint, secs: d.as_secs() },
            });
        }
        cause = c.source();
    }
    None
}

/// The innermost cause of an error: what actually happened.
fn innermost<'a>(err: &'a (dyn std::error::Error + 'static)) -> &'a (dyn std::error::Error + 'static) {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause
}

/// A TLS (rustls) connector honouring the proxy variables, as every call uses.
fn connector(settings: Option<HttpConnectorSettings>, sleep: Option<SharedAsyncSleep>) -> Connector {
    let mut b = ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc));
    b.set_connector_settings(settings);
    b.set_sleep_impl(sleep);
    b.set_proxy_config(Some(ProxyConfig::from_env()));
    b.build()
}

/// One HTTP client for the whole process, so calls share connections (and TLS sessions).
pub fn http_client() -> SharedHttpClient {
    static CLIENT: OnceLock<SharedHttpClient> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            let inner = Builder::new().build_with_connector_fn(|settings, components| {
                connector(settings.cloned(), components.and_then(|c| c.sleep_impl()))
            });
            SharedHttpClient::new(CappedClient { inner })
        })
        .clone()
}

/// A plain HTTPS GET outside the SDK (the console federation endpoint), with the same deadlines
/// and cap as every SDK call. Returns the status and the body.
pub async fn get(url: &str, d: Deadlines, service: &'static str) -> Result<(u16, Vec<u8>), AwsError> {
    get_with(url, &[], d, service).await
}

/// `get` with extra request headers (the SSO portal's bearer token). Header values never
/// appear in errors: only the URL without its query is named.
pub async fn get_with(
    url: &str,
    headers: &[(&str, &str)],
    d: Deadlines,
    service: &'static str,
) -> Result<(u16, Vec<u8>), AwsError> {
    let label = url.split('?').next().unwrap_or(url).to_string();
    let at = Endpoint { service, url: &label };
    let settings = HttpConnectorSettings::builder().connect_timeout(d.connect).read_timeout(d.read).build();
    let sleep = SharedAsyncSleep::new(aws_smithy_async::rt::sleep::TokioSleep::new());
    let connector =
        CappedConnector { inner: SharedHttpConnector::new(connector(Some(settings), Some(sleep))), read: d.read };
    let mut request = http::Request::get(url).header("accept", "application/json");
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let request = request.body(SdkBody::empty()).map_err(|e| AwsError::Network {
        service,
        endpoint: label.clone(),
        detail: e.to_string(),
    })?;
    let request = HttpRequest::try_from(request).map_err(|e| AwsError::Network {
        service,
        endpoint: label.clone(),
        detail: e.to_string(),
    })?;
    within(d.call, at, async {
        let response = connector.call(request).await.map_err(|e| {
            if let Some(problem) = answer_problem(&e, at) {
                return problem;
            }
            if e.is_timeout() {
                return AwsError::Timeout { service, endpoint: label.clone(), secs: d.read.as_secs() };
            }
            AwsError::Network { service, endpoint: label.clone(), detail: innermost(&e).to_string() }
        })?;
        Ok((response.status().as_u16(), response.body().bytes().unwrap_or_default().to_vec()))
    })
    .await
}

/// The SDK's timeout settings for `d`. The call deadline is enforced by the engine around
/// each call (it spans retries); per attempt the SDK gets the same bound.
pub fn timeout_config(d: Deadlines) -> aws_sdk_sts::config::timeout::TimeoutConfig {
    aws_sdk_sts::config::timeout::TimeoutConfig::builder()
        .connect_timeout(d.connect)
        .read_timeout(d.read)
        .operation_timeout(d.call)
        .build()
}

/// The SDK's credentials for `keys` (the same type for every aws-sdk crate).
pub fn sdk_credentials(keys: &Keys) -> Credentials {
    Credentials::new(
        keys.access_key_id.clone(),
        keys.secret_access_key.expose().to_string(),
        keys.session_token.as_ref().map(|t| t.expose().to_string()),
        None,
        "mfatui",
    )
}

/// Run one AWS call within `budget`, so a server that accepts a connection and never answers
/// costs a bounded wait whatever the SDK does.
pub async fn within<T>(
    budget: Duration,
    at: Endpoint<'_>,
    call: impl std::future::Future<Output = Result<T, AwsError>>,
) -> Result<T, AwsError> {
    match tokio::time::timeout(budget, call).await {
        Ok(r) => r.map_err(|e| fill_timeout(e, budget)),
        Err(_) => Err(AwsError::Timeout { service: at.service, endpoint: at.url.to_string(), secs: budget.as_secs() }),
    }
}

/// The SDK's timeout errors do not say how long was waited; the caller knows.
fn fill_timeout(e: AwsError, waited: Duration) -> AwsError {
    match e {
        AwsError::Timeout { service, endpoint, secs: 0 } => {
            AwsError::Timeout { service, endpoint, secs: waited.as_secs() }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_short_printable_and_scrubbed() {
        assert_eq!(snippet(b""), "(empty)");
        assert_eq!(snippet(b"<html>\r\n<body>Bad\x00gateway</body>"), "<html> <body>Bad gateway</body>");
        let long = "x".repeat(500);
        assert_eq!(snippet(long.as_bytes()).chars().count(), 81);
        let leaky = b"SecretAccessKey=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        assert!(!snippet(leaky).contains("wJalrXUtnFEMI"), "{}", snippet(leaky));
    }

    #[test]
    fn transient_errors() {
        let t = AwsError::Timeout { service: "STS", endpoint: "x".into(), secs: 3 };
        assert!(t.is_transient());
        let bad = |status| AwsError::BadResponse {
            service: "STS",
            endpoint: "x".into(),
            status,
            content_type: "text/html".into(),
            snippet: "x".into(),
        };
        assert!(!bad(200).is_transient(), "garbage is not worth retrying");
        assert!(bad(502).is_transient(), "a proxy's gateway error usually is");
        assert!(
            AwsError::Service { code: "InternalFailure".into(), message: String::new(), status: Some(500) }
                .is_transient()
        );
        assert!(t.to_string().contains("did not answer within 3s"), "{t}");
    }
}
