//! The SSO portal's GetRoleCredentials (`GET /federation/credentials?role_name=&account_id=`
//! with the access token in `x-amz-sso_bearer_token`), as the AWS CLI calls it with the token
//! `aws sso login` cached. One call under the engine's deadlines; the token goes in a header
//! only, never in a URL, a log or an error.

use super::{ExternalCredentials, ExternalError};
use crate::net::{AwsError, Deadlines};
use crate::secret::{Keys, Secret};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

pub(super) struct Call<'a> {
    pub profile: &'a str,
    /// `https://portal.sso.REGION.amazonaws.com`, or the endpoint override.
    pub base: &'a str,
    pub account: &'a str,
    pub role: &'a str,
    pub command: &'a str,
}

pub(super) async fn role_credentials(
    call: &Call<'_>,
    token: &Secret,
    deadlines: Deadlines,
) -> Result<ExternalCredentials, ExternalError> {
    let q = |v: &str| utf8_percent_encode(v, NON_ALPHANUMERIC).to_string();
    let url = format!(
        "{}/federation/credentials?role_name={}&account_id={}",
        call.base.trim_end_matches('/'),
        q(call.role),
        q(call.account)
    );
    let headers = [("x-amz-sso_bearer_token", token.expose())];
    let (status, body) =
        crate::net::get_with(&url, &headers, deadlines, "the SSO portal").await.map_err(ExternalError::Portal)?;
    let json: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
    let message = || {
        let m = json.as_ref().and_then(|j| j.get("message").or_else(|| j.get("Message"))).and_then(|m| m.as_str());
        crate::sanitize::message(m.unwrap_or("no message"))
    };
    match status {
        200 => {}
        401 => return Err(ExternalError::Refused { profile: call.profile.into(), command: call.command.into() }),
        403 => {
            return Err(ExternalError::NoAccess {
                profile: call.profile.into(),
                role: call.role.into(),
                account: call.account.into(),
                detail: message(),
            });
        }
        _ => {
            let code = if status == 429 { "TooManyRequestsException" } else { "PortalError" };
            return Err(ExternalError::Portal(AwsError::Service {
                code: code.into(),
                message: message(),
                status: Some(status),
            }));
        }
    }
    let bad = || {
        ExternalError::Portal(AwsError::BadResponse {
            service: "the SSO portal",
            endpoint: call.base.into(),
            status,
            content_type: "application/json".into(),
            snippet: "(not roleCredentials)".into(),
        })
    };
    let creds = json.as_ref().and_then(|j| j.get("roleCredentials")).ok_or_else(bad)?;
    let field = |k: &str| creds.get(k).and_then(|v| v.as_str()).map(str::to_string).ok_or_else(bad);
    // `expiration` is epoch milliseconds.
    let expiration = creds.get("expiration").and_then(|v| v.as_i64()).ok_or_else(bad)? / 1000;
    Ok(ExternalCredentials {
        keys: Keys {
            access_key_id: field("accessKeyId")?,
            secret_access_key: Secret::new(field("secretAccessKey")?),
            session_token: Some(Secret::new(field("sessionToken")?)),
        },
        expiration,
    })
}
