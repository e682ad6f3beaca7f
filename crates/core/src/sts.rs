//! Thin wrappers over aws-sdk-sts: which endpoint, which credentials, bounded in time (see
//! `net`). No prompting: MFA codes arrive as arguments.

use super::config::arn::Partition;
pub use super::net::{AwsError, Keys};
use super::net::{Deadlines, Endpoint, classify, http_client, sdk_credentials, timeout_config, within};
use super::secret::Secret;
use aws_sdk_sts::config::retry::RetryConfig;
use aws_sdk_sts::config::{BehaviorVersion, Region};

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

/// Where calls go: the region, endpoint overrides (`AWS_ENDPOINT_URL_STS`/`_IAM`,
/// `AWS_ENDPOINT_URL`, a profile's `endpoint_url` or `[services]` block, the sandbox), FIPS, and
/// how long to wait. Without an override the SDK picks the regional endpoint of the region's
/// partition.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Target {
    pub region: String,
    /// STS endpoint override.
    pub endpoint: Option<String>,
    /// IAM endpoint override; IAM falls back to `endpoint` only when that came from
    /// `AWS_ENDPOINT_URL` (one URL for every service, as with the sandbox).
    pub iam_endpoint: Option<String>,
    pub fips: bool,
    pub deadlines: Deadlines,
}

impl Target {
    /// STS in `region`, at `endpoint` when given (IAM too: a sandbox serves both).
    pub fn at(region: &str, endpoint: Option<String>) -> Self {
        Self { region: region.to_string(), iam_endpoint: endpoint.clone(), endpoint, ..Self::default() }
    }

    fn partition(&self) -> Partition {
        Partition::of(None, &self.region)
    }

    fn dns_suffix(&self) -> &'static str {
        if self.partition() == Partition::China { "amazonaws.com.cn" } else { "amazonaws.com" }
    }

    /// The STS endpoint as a person would recognise it, for messages.
    pub fn sts_url(&self) -> String {
        match &self.endpoint {
            Some(e) => e.clone(),
            None if self.fips => format!("https://sts-fips.{}.{}", self.region, self.dns_suffix()),
            None => format!("https://sts.{}.{}", self.region, self.dns_suffix()),
        }
    }

    /// The IAM endpoint as a person would recognise it, for messages.
    pub fn iam_url(&self) -> String {
        match &self.iam_endpoint {
            Some(e) => e.clone(),
            None => match self.partition() {
                Partition::China => "https://iam.cn-north-1.amazonaws.com.cn".into(),
                Partition::GovCloud => "https://iam.us-gov.amazonaws.com".into(),
                Partition::Aws => "https://iam.amazonaws.com".into(),
            },
        }
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

fn client(target: &Target, keys: &Keys) -> aws_sdk_sts::Client {
    let mut b = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(target.region.clone()))
        .credentials_provider(sdk_credentials(keys))
        // The engine retries with its own back-off and knows what not to retry.
        .retry_config(RetryConfig::disabled())
        .timeout_config(timeout_config(target.deadlines))
        .use_fips(target.fips)
        .http_client(http_client());
    if let Some(url) = &target.endpoint {
        b = b.endpoint_url(url);
    }
    aws_sdk_sts::Client::from_conf(b.build())
}

fn temp(c: Option<&aws_sdk_sts::types::Credentials>, assumed_arn: Option<String>) -> Result<TempCredentials, AwsError> {
    let c = c.ok_or_else(|| AwsError::Service {
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

/// Run `f` against STS within the target's call deadline, with errors classified for STS.
async fn call<T, F, Fut, E>(target: &Target, keys: &Keys, f: F) -> Result<T, AwsError>
where
    F: FnOnce(aws_sdk_sts::Client) -> Fut,
    Fut: std::future::Future<
            Output = Result<T, aws_sdk_sts::error::SdkError<E, aws_sdk_sts::config::http::HttpResponse>>,
        >,
    E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    let url = target.sts_url();
    let at = Endpoint { service: "STS", url: &url };
    within(target.deadlines.call, at, async { f(client(target, keys)).await.map_err(|e| classify(e, at)) }).await
}

pub async fn get_session_token(
    target: &Target,
    keys: &Keys,
    mfa: Option<(&str, &str)>,
    duration_secs: Option<i32>,
) -> Result<TempCredentials, AwsError> {
    let out = call(target, keys, |c| {
        let mut req = c.get_session_token().set_duration_seconds(duration_secs);
        if let Some((serial, code)) = mfa {
            req = req.serial_number(serial).token_code(code);
        }
        req.send()
    })
    .await?;
    temp(out.credentials(), None)
}

pub async fn assume_role(target: &Target, keys: &Keys, r: &AssumeRole<'_>) -> Result<TempCredentials, AwsError> {
    let out = call(target, keys, |c| {
        let mut req = c
            .assume_role()
            .role_arn(r.role_arn)
            .role_session_name(r.session_name)
            .set_external_id(r.external_id.map(str::to_string))
            .set_duration_seconds(r.duration_secs);
        if let Some((serial, code)) = r.mfa {
            req = req.serial_number(serial).token_code(code);
        }
        req.send()
    })
    .await?;
    temp(out.credentials(), out.assumed_role_user().map(|u| u.arn().to_string()))
}

pub async fn get_caller_identity(target: &Target, keys: &Keys) -> Result<CallerIdentity, AwsError> {
    let out = call(target, keys, |c| c.get_caller_identity().send()).await?;
    Ok(CallerIdentity {
        account: out.account().unwrap_or_default().to_string(),
        arn: out.arn().unwrap_or_default().to_string(),
        user_id: out.user_id().unwrap_or_default().to_string(),
    })
}
