//! The AWS web console for a role session, without another MFA prompt: exchange the role's
//! temporary credentials for a sign-in token at the federation endpoint (`getSigninToken`), then
//! build the login URL. The URL carries a token valid for 15 minutes: it is never logged, never
//! put in an error message, and only handed to the browser launcher (or printed when asked).
//!
//! Only role sessions (AssumeRole) can be exchanged; an MFA session from GetSessionToken or a
//! long-term key cannot (AWS answers 400), so users get their account's sign-in page instead
//! (`link.rs` picks which for a profile).

use super::net::{self, AwsError, Deadlines, Keys};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

/// How long AWS honours a sign-in URL.
pub const URL_VALID_SECS: i64 = 15 * 60;
/// `MFATUI_FEDERATION_URL` points the exchange elsewhere (tests, the demo's sandbox).
pub const ENDPOINT_VAR: &str = "MFATUI_FEDERATION_URL";

pub use super::config::arn::Partition;

mod link;

pub use link::{Link, LinkError, clock_time, link};

impl Partition {
    fn signin_host(self) -> &'static str {
        match self {
            Self::Aws => "signin.aws.amazon.com",
            Self::China => "signin.amazonaws.cn",
            Self::GovCloud => "signin.amazonaws-us-gov.com",
        }
    }

    fn console_host(self) -> &'static str {
        match self {
            Self::Aws => "console.aws.amazon.com",
            Self::China => "console.amazonaws.cn",
            Self::GovCloud => "console.amazonaws-us-gov.com",
        }
    }

    pub fn federation_endpoint(self) -> String {
        format!("https://{}/federation", self.signin_host())
    }

    /// The IAM user sign-in page of an account (id or alias).
    pub fn account_signin(self, account: &str) -> String {
        format!("https://{account}.{}/console", self.signin_host())
    }
}

/// Services whose console pages take no region.
const GLOBAL_SERVICES: &[&str] =
    &["iam", "iamv2", "route53", "cloudfront", "organizations", "billing", "trustedadvisor"];

/// Where the console opens: its home in `region`, a service's page (`s3`, `ec2`, `iam`), or a
/// full https URL.
pub fn destination(partition: Partition, region: &str, what: Option<&str>) -> Result<String, ConsoleError> {
    let host = if region.is_empty() || region == partition.home_region() {
        partition.console_host().to_string()
    } else {
        format!("{region}.{}", partition.console_host())
    };
    let Some(what) = what.map(str::trim).filter(|w| !w.is_empty()) else {
        return Ok(format!("https://{host}/console/home?region={region}"));
    };
    if what.starts_with("https://") {
        return Ok(what.to_string());
    }
    if what.contains("://") || !what.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/') {
        return Err(ConsoleError::BadDestination(what.to_string()));
    }
    let path = match what {
        "ec2" => "ec2/v2",
        "iam" => "iamv2",
        other => other,
    };
    let global = GLOBAL_SERVICES.contains(&path.split('/').next().unwrap_or(path));
    Ok(if global {
        format!("https://{}/{path}/home", partition.console_host())
    } else {
        format!("https://{host}/{path}/home?region={region}")
    })
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsoleError {
    #[error("`{0}` is not a console destination: give a service name (s3, ec2, iam, …) or a full https:// URL")]
    BadDestination(String),
    #[error(
        "the sign-in endpoint refused these credentials (HTTP {status}): the console accepts only role sessions, and this one may have expired; renew it (mfatui refresh) and try again"
    )]
    Refused { status: u16 },
    #[error("the sign-in endpoint answered without a sign-in token (HTTP {status})")]
    NoToken { status: u16 },
    #[error(transparent)]
    Aws(#[from] AwsError),
}

/// The federation endpoint to use: `MFATUI_FEDERATION_URL`, else the partition's.
pub fn federation_endpoint(partition: Partition) -> String {
    std::env::var(ENDPOINT_VAR).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| partition.federation_endpoint())
}

fn encode(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

/// Exchange role credentials for a sign-in token (the console session lasts as long as AWS's
/// default; `SessionDuration` is not sent, since AWS refuses it for chained role sessions).
pub async fn signin_token(endpoint: &str, keys: &Keys, d: Deadlines) -> Result<String, ConsoleError> {
    let session = serde_json::json!({
        "sessionId": keys.access_key_id,
        "sessionKey": keys.secret_access_key.expose(),
        "sessionToken": keys.session_token.as_ref().map(|t| t.expose()).unwrap_or_default(),
    })
    .to_string();
    let url = format!("{endpoint}?Action=getSigninToken&Session={}", encode(&session));
    let (status, body) = net::get(&url, d, "the AWS sign-in endpoint").await?;
    if status != 200 {
        // The body is not documented and may echo the request: never show it.
        return Err(ConsoleError::Refused { status });
    }
    #[derive(serde::Deserialize)]
    struct Answer {
        #[serde(rename = "SigninToken")]
        signin_token: String,
    }
    let answer: Answer = serde_json::from_slice(&body).map_err(|_| ConsoleError::NoToken { status })?;
    Ok(answer.signin_token)
}

/// The URL that signs the browser in and opens `destination`.
pub fn login_url(endpoint: &str, token: &str, destination: &str) -> String {
    format!(
        "{endpoint}?Action=login&Issuer={}&Destination={}&SigninToken={}",
        encode("mfatui"),
        encode(destination),
        encode(token)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_per_partition_and_destination() {
        let aws = Partition::of(Some("aws"), "eu-west-1");
        assert_eq!(
            destination(aws, "eu-west-1", None).unwrap(),
            "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"
        );
        assert_eq!(
            destination(aws, "us-east-1", None).unwrap(),
            "https://console.aws.amazon.com/console/home?region=us-east-1"
        );
        assert_eq!(
            destination(aws, "eu-west-1", Some("s3")).unwrap(),
            "https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1"
        );
        assert_eq!(
            destination(aws, "eu-west-1", Some("ec2")).unwrap(),
            "https://eu-west-1.console.aws.amazon.com/ec2/v2/home?region=eu-west-1"
        );
        assert_eq!(destination(aws, "eu-west-1", Some("iam")).unwrap(), "https://console.aws.amazon.com/iamv2/home");
        assert_eq!(destination(aws, "eu-west-1", Some("https://x.example/y")).unwrap(), "https://x.example/y");
        assert!(destination(aws, "eu-west-1", Some("javascript:alert(1)")).is_err());
        let cn = Partition::of(Some("aws-cn"), "cn-northwest-1");
        assert_eq!(cn.federation_endpoint(), "https://signin.amazonaws.cn/federation");
        assert_eq!(
            destination(cn, "cn-northwest-1", None).unwrap(),
            "https://cn-northwest-1.console.amazonaws.cn/console/home?region=cn-northwest-1"
        );
        let gov = Partition::of(None, "us-gov-east-1");
        assert_eq!(gov, Partition::GovCloud);
        assert_eq!(gov.federation_endpoint(), "https://signin.amazonaws-us-gov.com/federation");
        assert_eq!(gov.account_signin("123456789012"), "https://123456789012.signin.amazonaws-us-gov.com/console");
        assert_eq!(aws.account_signin("acme"), "https://acme.signin.aws.amazon.com/console");
    }

    #[test]
    fn the_login_url_encodes_everything() {
        let url = login_url(
            "https://signin.aws.amazon.com/federation",
            "to/k+en=",
            "https://console.aws.amazon.com/s3/home?region=x&y=1",
        );
        assert_eq!(
            url,
            "https://signin.aws.amazon.com/federation?Action=login&Issuer=mfatui&Destination=https%3A%2F%2Fconsole%2Eaws%2Eamazon%2Ecom%2Fs3%2Fhome%3Fregion%3Dx%26y%3D1&SigninToken=to%2Fk%2Ben%3D"
        );
    }
}
