//! The IAM Identity Center (SSO) portal and `aws login`, as far as the AWS CLI's caches need
//! them: tokens the sandbox hands out (as `aws sso login` would get them), the portal's
//! GetRoleCredentials that accepts only those tokens until they expire (401
//! UnauthorizedException otherwise, 403 ForbiddenException for a role the world lacks), and
//! temporary credentials of an IAM user as `aws login` caches them. The role credentials and
//! login credentials are ordinary issued credentials: STS accepts them like any other.

use super::state::{ApiError, Identity, World, random_secret};
use mfatui_core::clock::rfc3339;
use serde_json::{Value, json};

/// An SSO access token the portal accepts until `expires`.
#[derive(Debug, Clone)]
pub struct SsoToken {
    /// The person's sign-in name, the session name of the role credentials it yields.
    pub user: String,
    pub expires: i64,
}

/// How long role credentials from the portal last (the permission set's default).
const ROLE_CREDENTIALS_SECS: i64 = 3600;

/// A portal answer: status, `x-amzn-errortype` (on errors) and JSON.
pub struct Answer {
    pub status: u16,
    pub error_type: Option<&'static str>,
    pub body: Value,
}

fn error(status: u16, kind: &'static str, message: &str) -> Answer {
    Answer { status, error_type: Some(kind), body: json!({ "message": message }) }
}

/// `GET /federation/credentials?role_name=&account_id=` with `x-amz-sso_bearer_token`.
pub fn get_role_credentials(w: &mut World, token: Option<&str>, role: &str, account: &str, now: i64) -> Answer {
    let Some(t) = token.and_then(|t| w.sso_tokens.get(t)).cloned() else {
        return error(401, "UnauthorizedException", "Session token not found or invalid");
    };
    if t.expires <= now {
        return error(401, "UnauthorizedException", "Session token not found or invalid");
    }
    let Some(r) = w.roles.values().find(|r| r.account == account && r.name == role) else {
        return error(403, "ForbiddenException", "No access");
    };
    let identity = Identity::RoleSession {
        account: r.account.clone(),
        role: r.name.clone(),
        role_id: r.id.clone(),
        session: t.user,
    };
    let expires = now + ROLE_CREDENTIALS_SECS;
    let (id, secret, session) = w.issue(identity, None, (now, expires), false);
    Answer {
        status: 200,
        error_type: None,
        body: json!({"roleCredentials": {
            "accessKeyId": id,
            "secretAccessKey": secret.expose(),
            "sessionToken": session.expose(),
            "expiration": expires * 1000,
        }}),
    }
}

/// A new access token for `user`, valid `secs`: `(token, expiresAt)`.
pub fn new_sso_token(w: &mut World, user: &str, secs: i64, now: i64) -> (String, String) {
    let token = format!("aoa{}", random_secret(120));
    w.sso_tokens.insert(token.clone(), SsoToken { user: user.to_string(), expires: now + secs });
    (token, rfc3339(now + secs))
}

/// Temporary credentials of the IAM user `user_arn`, valid `secs`, in the shape of the
/// `accessToken` object `aws login` caches.
pub fn login_credentials(w: &mut World, user_arn: &str, secs: i64, now: i64) -> Result<Value, ApiError> {
    let (account, name) = user_arn
        .strip_prefix("arn:aws:iam::")
        .and_then(|r| r.split_once(":user/"))
        .map(|(a, n)| (a.to_string(), n.rsplit('/').next().unwrap_or(n).to_string()))
        .ok_or_else(|| ApiError::validation(format!("{user_arn} is not an IAM user ARN")))?;
    w.user(&account, &name)?;
    let identity = Identity::User { account: account.clone(), name };
    let (id, secret, token) = w.issue(identity, None, (now, now + secs), false);
    Ok(json!({
        "accessKeyId": id,
        "secretAccessKey": secret.expose(),
        "sessionToken": token.expose(),
        "accountId": account,
        "expiresAt": rfc3339(now + secs),
    }))
}
