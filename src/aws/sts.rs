//! Thin wrappers over aws-sdk-sts: which endpoint, which credentials, and what an error means
//! to a person. No prompting: MFA codes arrive as arguments.

use super::secret::Secret;
use aws_sdk_sts::config::retry::RetryConfig;
use aws_sdk_sts::config::{BehaviorVersion, Credentials, Region, SharedHttpClient};
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sts::primitives::{DateTime, DateTimeFormat};
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder, ConnectorBuilder};
use std::sync::OnceLock;

/// Credentials to sign with: long-term keys, or temporary ones with a session token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Option<Secret>,
}

/// Temporary credentials STS handed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TempCredentials {
    pub keys: Keys,
    /// Unix seconds.
    pub expiration: i64,
    /// For AssumeRole: the assumed-role ARN.
    pub assumed_arn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

/// Where STS calls go: the region, and an endpoint override (`AWS_ENDPOINT_URL_STS` /
/// `AWS_ENDPOINT_URL`, or the sandbox). Without an override the SDK picks the regional endpoint
/// of the region's partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub region: String,
    pub endpoint: Option<String>,
}

impl Target {
    /// The endpoint override the AWS CLI would use for STS, from the environment.
    pub fn endpoint_from_env() -> Option<String> {
        ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    }

    /// `AWS_ENDPOINT_URL_IAM`, when set: IAM calls may go elsewhere than STS calls.
    pub fn iam_endpoint_from_env() -> Option<String> {
        std::env::var("AWS_ENDPOINT_URL_IAM").ok().filter(|v| !v.is_empty())
    }
}

pub struct AssumeRole<'a> {
    pub role_arn: &'a str,
    pub session_name: &'a str,
    pub external_id: Option<&'a str>,
    pub duration_secs: Option<i32>,
    /// `(serial, code)` when the trust policy wants MFA and the caller's keys have none.
    pub mfa: Option<(&'a str, &'a str)>,
}

/// What went wrong, in terms a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StsError {
    #[error("MFA code rejected: check the device and type the next code when it changes")]
    CodeRejected,
    #[error("access denied: {message}")]
    AccessDenied { message: String },
    #[error("the session has expired: sign in again with a new MFA code")]
    Expired,
    #[error("AWS does not recognise the access key (deleted or deactivated?): {message}")]
    InvalidKey { message: String },
    #[error("AWS is throttling requests (Rate exceeded); mfatui will retry with back-off")]
    Throttled,
    #[error("cannot reach STS at {endpoint}: {detail}; check the network or the endpoint URL")]
    Network { endpoint: String, detail: String },
    #[error("{code}: {message}")]
    Service { code: String, message: String, status: Option<u16> },
    /// Any error, when the server's clock and ours disagree enough to explain it.
    #[error("{inner}; note: this computer's clock is {} {} AWS's: fix it (enable NTP), since signatures and MFA codes depend on it", crate::aws::clock::human_duration(skew_secs.abs()), if *skew_secs > 0 { "behind" } else { "ahead of" })]
    ClockSkew { skew_secs: i64, inner: Box<StsError> },
}

/// Beyond this, a clock difference is worth telling the user about (AWS rejects signatures
/// more than 5 minutes off; a TOTP window is 30 seconds).
const SKEW_WORTH_MENTIONING: i64 = 120;

impl StsError {
    /// Worth retrying after a pause: throttling, 5xx, network trouble.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Throttled | Self::Network { .. } => true,
            Self::Service { status, .. } => status.is_some_and(|s| s >= 500),
            Self::ClockSkew { inner, .. } => inner.is_transient(),
            _ => false,
        }
    }

    /// The error without any clock-skew note.
    pub fn root(&self) -> &StsError {
        match self {
            Self::ClockSkew { inner, .. } => inner.root(),
            other => other,
        }
    }
}

pub(crate) fn classify<E: ProvideErrorMetadata + std::error::Error + 'static>(
    err: SdkError<E, aws_sdk_sts::config::http::HttpResponse>,
    endpoint: &str,
) -> StsError {
    let status = err.raw_response().map(|r| r.status().as_u16());
    let server_time = err
        .raw_response()
        .and_then(|r| r.headers().get("date"))
        .and_then(|d| DateTime::from_str(d, DateTimeFormat::HttpDate).ok())
        .map(|d| d.secs());
    let plain = classify_plain(err, endpoint, status);
    match server_time.map(|t| t - crate::aws::store::now_secs()) {
        Some(skew) if skew.abs() > SKEW_WORTH_MENTIONING => {
            StsError::ClockSkew { skew_secs: skew, inner: Box::new(plain) }
        }
        _ => plain,
    }
}

fn classify_plain<E: ProvideErrorMetadata + std::error::Error + 'static>(
    err: SdkError<E, aws_sdk_sts::config::http::HttpResponse>,
    endpoint: &str,
    status: Option<u16>,
) -> StsError {
    if let SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) = err {
        // The SDK wraps the cause several times ("dispatch failure" > "io error" > …); the
        // innermost one says what actually happened ("Connection refused").
        let mut cause: &dyn std::error::Error = &err;
        while let Some(next) = cause.source() {
            cause = next;
        }
        let detail = cause.to_string();
        return StsError::Network { endpoint: endpoint.into(), detail };
    }
    let code = err.code().unwrap_or("Unknown").to_string();
    let message = err.message().unwrap_or("").to_string();
    match code.as_str() {
        "AccessDenied" if message.contains("MultiFactorAuthentication failed") => StsError::CodeRejected,
        "AccessDenied" => StsError::AccessDenied { message },
        "ExpiredToken" | "ExpiredTokenException" => StsError::Expired,
        "InvalidClientTokenId" | "UnrecognizedClientException" => StsError::InvalidKey { message },
        "Throttling" | "ThrottlingException" | "RequestLimitExceeded" => StsError::Throttled,
        _ if code == "Unknown" && status.is_none() => {
            StsError::Network { endpoint: endpoint.into(), detail: err.to_string() }
        }
        _ => StsError::Service { code, message, status },
    }
}

/// One HTTP client for the whole process, so calls share connections (and TLS sessions).
pub(crate) fn http_client() -> SharedHttpClient {
    static CLIENT: OnceLock<SharedHttpClient> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            Builder::new().build_with_connector_fn(|settings, components| {
                let mut b = ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc));
                b.set_connector_settings(settings.cloned());
                if let Some(c) = components {
                    b.set_sleep_impl(c.sleep_impl());
                }
                b.set_proxy_config(Some(ProxyConfig::from_env()));
                b.build()
            })
        })
        .clone()
}

/// The SDK's credentials for `keys` (the same type for every aws-sdk crate).
pub(crate) fn sdk_credentials(keys: &Keys) -> Credentials {
    Credentials::new(
        keys.access_key_id.clone(),
        keys.secret_access_key.expose().to_string(),
        keys.session_token.as_ref().map(|t| t.expose().to_string()),
        None,
        "mfatui",
    )
}

fn client(target: &Target, keys: &Keys) -> aws_sdk_sts::Client {
    let creds = sdk_credentials(keys);
    let mut b = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(target.region.clone()))
        .credentials_provider(creds)
        // The engine retries with its own back-off and knows what not to retry.
        .retry_config(RetryConfig::disabled())
        .http_client(http_client());
    if let Some(url) = &target.endpoint {
        b = b.endpoint_url(url);
    }
    aws_sdk_sts::Client::from_conf(b.build())
}

pub(crate) fn endpoint_label(target: &Target) -> String {
    target.endpoint.clone().unwrap_or_else(|| format!("sts.{}.amazonaws.com", target.region))
}

fn temp(c: Option<&aws_sdk_sts::types::Credentials>, assumed_arn: Option<String>) -> Result<TempCredentials, StsError> {
    let c = c.ok_or_else(|| StsError::Service {
        code: "MissingCredentials".into(),
        message: "STS answered without credentials".into(),
        status: None,
    })?;
    Ok(TempCredentials {
        keys: Keys {
            access_key_id: c.access_key_id().to_string(),
            secret_access_key: Secret::new(c.secret_access_key()),
            session_token: Some(Secret::new(c.session_token())),
        },
        expiration: c.expiration().secs(),
        assumed_arn,
    })
}

pub async fn get_session_token(
    target: &Target,
    keys: &Keys,
    mfa: Option<(&str, &str)>,
    duration_secs: Option<i32>,
) -> Result<TempCredentials, StsError> {
    let mut req = client(target, keys).get_session_token().set_duration_seconds(duration_secs);
    if let Some((serial, code)) = mfa {
        req = req.serial_number(serial).token_code(code);
    }
    let out = req.send().await.map_err(|e| classify(e, &endpoint_label(target)))?;
    temp(out.credentials(), None)
}

pub async fn assume_role(target: &Target, keys: &Keys, r: &AssumeRole<'_>) -> Result<TempCredentials, StsError> {
    let mut req = client(target, keys)
        .assume_role()
        .role_arn(r.role_arn)
        .role_session_name(r.session_name)
        .set_external_id(r.external_id.map(str::to_string))
        .set_duration_seconds(r.duration_secs);
    if let Some((serial, code)) = r.mfa {
        req = req.serial_number(serial).token_code(code);
    }
    let out = req.send().await.map_err(|e| classify(e, &endpoint_label(target)))?;
    temp(out.credentials(), out.assumed_role_user().map(|u| u.arn().to_string()))
}

pub async fn get_caller_identity(target: &Target, keys: &Keys) -> Result<CallerIdentity, StsError> {
    let out =
        client(target, keys).get_caller_identity().send().await.map_err(|e| classify(e, &endpoint_label(target)))?;
    Ok(CallerIdentity {
        account: out.account().unwrap_or_default().to_string(),
        arn: out.arn().unwrap_or_default().to_string(),
        user_id: out.user_id().unwrap_or_default().to_string(),
    })
}
