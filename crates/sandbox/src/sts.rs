//! STS actions: GetSessionToken, AssumeRole, GetCallerIdentity.

use super::authz::{authorize, verify_mfa};
use super::state::{ApiError, ApiResult, Caller, Identity, World};
use super::xml::{Body, timestamp};
use std::collections::HashMap;

pub type Params = HashMap<String, String>;

fn duration(params: &Params, min: i64, max: i64, default: i64, field: &str) -> ApiResult<i64> {
    let Some(raw) = params.get("DurationSeconds") else { return Ok(default) };
    let n: i64 =
        raw.parse().map_err(|_| ApiError::validation(format!("Value '{raw}' at '{field}' is not a number")))?;
    if n < min {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{n}' at '{field}' failed to satisfy constraint: Member must have value greater than or equal to {min}"
        )));
    }
    if n > max {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{n}' at '{field}' failed to satisfy constraint: Member must have value less than or equal to {max}"
        )));
    }
    Ok(n)
}

fn credentials(b: &mut Body, id: &str, secret: &str, token: &str, expires: i64) {
    b.open("Credentials")
        .leaf("AccessKeyId", id)
        .leaf("SecretAccessKey", secret)
        .leaf("SessionToken", token)
        .leaf("Expiration", &timestamp(expires))
        .close("Credentials");
}

fn mfa_pair(params: &Params) -> ApiResult<Option<(&str, &str)>> {
    match (params.get("SerialNumber"), params.get("TokenCode")) {
        (Some(s), Some(c)) => Ok(Some((s, c))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(ApiError::access_denied(
            "MultiFactorAuthentication failed, the TokenCode is missing for the SerialNumber.",
        )),
        (None, Some(_)) => Err(ApiError::validation("TokenCode was given without SerialNumber.")),
    }
}

/// One authenticated request, as the STS and IAM actions see it.
pub struct Req<'a> {
    pub caller: &'a Caller,
    pub params: &'a Params,
    pub now: i64,
    /// From the SigV4 credential scope (`aws:RequestedRegion`).
    pub region: &'a str,
    /// Seconds a key made now stays unusable (`FaultConfig::new_key_delay_secs`).
    pub new_key_delay: i64,
}

pub fn get_session_token(w: &mut World, req: &Req) -> ApiResult<String> {
    let (caller, params, now) = (req.caller, req.params, req.now);
    if caller.is_temporary() {
        return Err(ApiError::access_denied("Cannot call GetSessionToken with session credentials"));
    }
    authorize(w, caller, "sts:GetSessionToken", "*", req.region, now)?;
    let secs = duration(params, 900, 129_600, 43_200, "durationSeconds")?;
    let mfa_at = match mfa_pair(params)? {
        Some((serial, code)) => {
            verify_mfa(w, caller, serial, code, now)?;
            Some(now)
        }
        None => None,
    };
    let (id, secret, token) = w.issue(caller.identity.clone(), mfa_at, (now, now + secs), false);
    let mut b = Body::default();
    credentials(&mut b, &id, secret.expose(), token.expose(), now + secs);
    Ok(b.into_string())
}

pub fn assume_role(w: &mut World, req: &Req) -> ApiResult<String> {
    let (caller, params, now) = (req.caller, req.params, req.now);
    let role_arn = params.get("RoleArn").ok_or_else(|| ApiError::validation("RoleArn is required"))?;
    let session = params.get("RoleSessionName").ok_or_else(|| ApiError::validation("RoleSessionName is required"))?;
    if !mfatui_core::config::arn::is_role_session_name(session) {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{session}' at 'roleSessionName' failed to satisfy constraint: Member must have length between 2 and 64 and satisfy regular expression pattern: [\\w+=,.@-]*"
        )));
    }
    let denied = || {
        ApiError::access_denied(format!(
            "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            caller.arn()
        ))
    };
    authorize(w, caller, "sts:AssumeRole", role_arn, req.region, now)?;
    let mut mfa_at = caller.mfa_at;
    if let Some((serial, code)) = mfa_pair(params)? {
        verify_mfa(w, caller, serial, code, now)?;
        mfa_at = Some(now);
    }
    let mfa = mfa_at.is_some();
    let role = w.roles.get(role_arn).ok_or_else(denied)?;
    let caller_principal = caller.identity.principal_arn();
    let account_root = format!("arn:aws:iam::{}:root", caller.account());
    let trusted = role.trusted.iter().any(|p| *p == caller_principal || *p == account_root);
    let external_ok = role.external_id.as_ref().is_none_or(|want| params.get("ExternalId") == Some(want));
    if !trusted || (role.require_mfa && !mfa) || !external_ok {
        return Err(denied());
    }
    let chained = matches!(caller.identity, Identity::RoleSession { .. });
    let secs = if chained {
        let secs = duration(params, 900, 43_200, 3600, "durationSeconds")?;
        if secs > 3600 {
            return Err(ApiError::validation(
                "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
            ));
        }
        secs
    } else {
        let secs = duration(params, 900, 43_200, 3600, "durationSeconds")?;
        if secs > i64::from(role.max_session) {
            return Err(ApiError::validation(
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
            ));
        }
        secs
    };
    let identity = Identity::RoleSession {
        account: role.account.clone(),
        role: role.name.clone(),
        role_id: role.id.clone(),
        session: session.clone(),
    };
    let (assumed_arn, assumed_id) = (identity.arn(), w.user_id(&identity));
    let (id, secret, token) = w.issue(identity, mfa_at, (now, now + secs), chained);
    let mut b = Body::default();
    credentials(&mut b, &id, secret.expose(), token.expose(), now + secs);
    b.open("AssumedRoleUser").leaf("AssumedRoleId", &assumed_id).leaf("Arn", &assumed_arn).close("AssumedRoleUser");
    Ok(b.into_string())
}

pub fn get_caller_identity(w: &World, caller: &Caller) -> ApiResult<String> {
    let mut b = Body::default();
    b.leaf("Arn", &caller.arn()).leaf("UserId", &w.user_id(&caller.identity)).leaf("Account", caller.account());
    Ok(b.into_string())
}
