//! Authorisation shared by STS and IAM actions: permissions boundaries and MFA codes.

use super::policy::{Decision, evaluate};
use super::state::{ApiError, ApiResult, Caller, Identity, World};
use crate::aws::totp::step_of;

/// Apply the caller's permissions boundary (users only; role sessions have none here).
pub fn check_boundary(world: &World, caller: &Caller, action: &str, resource: &str) -> ApiResult<()> {
    let Identity::User { account, name } = &caller.identity else { return Ok(()) };
    let Ok(user) = world.user(account, name) else { return Ok(()) };
    let Some(doc) = user.boundary.as_ref().and_then(|arn| world.policies.get(arn)) else { return Ok(()) };
    let doc: serde_json::Value = serde_json::from_str(&doc.document).unwrap_or_default();
    let why = match evaluate(&doc, action, caller.mfa) {
        Decision::Allow => return Ok(()),
        Decision::ExplicitDeny => "with an explicit deny in a permissions boundary".to_string(),
        Decision::ImplicitDeny => format!("because no permissions boundary allows the {action} action"),
    };
    Err(ApiError::access_denied(format!(
        "User: {} is not authorized to perform: {action} on resource: {resource} {why}",
        caller.arn()
    )))
}

const MFA_UNKNOWN: &str = "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.";
const MFA_INVALID: &str = "MultiFactorAuthentication failed with invalid MFA one time pass code. ";

/// Check `code` against the caller user's device `serial`, and burn its time step.
pub fn verify_mfa(world: &mut World, caller: &Caller, serial: &str, code: &str, now: i64) -> ApiResult<()> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{code}' at 'tokenCode' failed to satisfy constraint: Member must have length 6 and contain only digits"
        )));
    }
    let Identity::User { account, name } = &caller.identity else {
        return Err(ApiError::access_denied(MFA_UNKNOWN));
    };
    let user = world.user_mut(account, name).map_err(|_| ApiError::access_denied(MFA_UNKNOWN))?;
    let device =
        user.mfa.as_mut().filter(|d| d.serial == serial).ok_or_else(|| ApiError::access_denied(MFA_UNKNOWN))?;
    let step =
        device.totp.matching_step(code, now.max(0) as u64).ok_or_else(|| ApiError::access_denied(MFA_INVALID))?;
    // A code works once, and an older code never works after a newer one was used.
    if device.last_step.is_some_and(|last| step <= last) {
        return Err(ApiError::access_denied(MFA_INVALID));
    }
    device.last_step = Some(step);
    debug_assert!(step.abs_diff(step_of(now.max(0) as u64)) <= 1);
    Ok(())
}
