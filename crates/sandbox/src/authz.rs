//! Authorisation shared by STS and IAM actions: which policies apply to a caller, the request
//! context AWS would give them, the decision (with `mfatui_core::iam::policy`) and AWS's
//! AccessDenied wording; and MFA code checks with single use.
//!
//! For an IAM user in its own account, as AWS: the user's inline and managed policies and each
//! of its groups' inline and managed policies are the identity policies; an explicit Deny in any
//! of them or in the permissions boundary wins, then something must allow the action in the
//! identity policies and, if the user has one, in the boundary.
//!
//! Sandbox conventions (documented in the README's seed section):
//! - A user with no identity policy at all (no inline, attached or group policy) is allowed
//!   everything by identity policies, so seeds written before policies were evaluated keep
//!   working. Its permissions boundary still applies.
//! - Role sessions are allowed every action: seeded roles carry a trust policy only.
//! - `sts:GetCallerIdentity` and `sts:GetSessionToken` are never evaluated: AWS documents that
//!   neither can be denied by a policy.

use super::state::{ApiError, ApiResult, Caller, Group, Identity, User, World};
use super::xml::timestamp;
use mfatui_core::iam::policy::{self, Context, Decision, Request};
use mfatui_core::totp::step_of;
use serde_json::Value;

/// Actions no policy can deny.
const NEVER_EVALUATED: &[&str] = &["sts:GetCallerIdentity", "sts:GetSessionToken"];

/// Where a policy applying to a user comes from, named as the policy simulator names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// `SourcePolicyId`: the policy's name.
    pub id: String,
    /// `SourcePolicyType`: `user`, `group`, `user-managed` or `aws-managed`.
    pub kind: &'static str,
}

/// One policy document with its source and its text as stored (for statement positions).
#[derive(Debug, Clone)]
pub struct Applied {
    pub source: Source,
    pub text: String,
    pub document: Value,
}

/// The policies that apply to one user.
#[derive(Debug, Clone, Default)]
pub struct Applicable {
    pub identity: Vec<Applied>,
    pub boundary: Option<Applied>,
}

impl Applicable {
    /// The documents `policy::decide` takes, with the no-policy convenience applied.
    pub fn decide(&self, req: &Request) -> Decision {
        let allow_all = allow_everything();
        let docs: Vec<&Value> = if self.identity.is_empty() {
            vec![&allow_all]
        } else {
            self.identity.iter().map(|a| &a.document).collect()
        };
        policy::decide(&docs, self.boundary.as_ref().map(|b| &b.document), req)
    }
}

/// What a user with no identity policy is treated as having (the sandbox convenience).
fn allow_everything() -> Value {
    serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
}

fn managed(world: &World, arn: &str) -> Option<Applied> {
    let p = world.policies.get(arn)?;
    let kind = if arn.starts_with("arn:aws:iam::aws:") { "aws-managed" } else { "user-managed" };
    Some(Applied {
        source: Source { id: p.name.clone(), kind },
        text: p.document.clone(),
        document: serde_json::from_str(&p.document).unwrap_or_default(),
    })
}

fn inline(name: &str, text: &str, kind: &'static str) -> Applied {
    Applied {
        source: Source { id: name.to_string(), kind },
        text: text.to_string(),
        document: serde_json::from_str(text).unwrap_or_default(),
    }
}

/// A group's inline and managed policies. Attachments naming a policy that does not exist are
/// skipped (IAM would not have allowed them).
pub fn group_policies(world: &World, group: &Group) -> Vec<Applied> {
    let mut out: Vec<Applied> = group.inline.iter().map(|(n, t)| inline(n, t, "group")).collect();
    out.extend(group.attached.iter().filter_map(|arn| managed(world, arn)));
    out
}

/// Every policy that applies to `user`.
pub fn applicable(world: &World, user: &User) -> Applicable {
    let mut identity: Vec<Applied> = user.inline.iter().map(|(n, t)| inline(n, t, "user")).collect();
    identity.extend(user.attached.iter().filter_map(|arn| managed(world, arn)));
    for g in user.groups.iter().filter_map(|g| world.groups.get(&(user.account.clone(), g.clone()))) {
        identity.extend(group_policies(world, g));
    }
    Applicable { identity, boundary: user.boundary.as_deref().and_then(|arn| managed(world, arn)) }
}

/// The global condition keys AWS sets for this caller's request.
pub fn context(world: &World, caller: &Caller, region: &str, now: i64) -> Context {
    let mut ctx = Context::new()
        .with("aws:CurrentTime", &timestamp(now))
        .with("aws:EpochTime", &now.to_string())
        .with("aws:SecureTransport", "false")
        .with("aws:RequestedRegion", region)
        .with("aws:PrincipalAccount", caller.account());
    ctx = ctx
        .with("aws:userid", &world.user_id(&caller.identity))
        .with("aws:PrincipalArn", &caller.identity.principal_arn());
    ctx = match &caller.identity {
        Identity::User { name, .. } => ctx.with("aws:username", name).with("aws:PrincipalType", "User"),
        Identity::RoleSession { .. } => ctx.with("aws:PrincipalType", "AssumedRole"),
    };
    // Present only for temporary credentials; absent for long-term keys.
    if let Some(mfa) = caller.mfa() {
        ctx = ctx.with("aws:MultiFactorAuthPresent", if mfa { "true" } else { "false" });
    }
    if let Some(at) = caller.mfa_at {
        ctx = ctx.with("aws:MultiFactorAuthAge", &(now - at).max(0).to_string());
    }
    if let Some(at) = caller.issued_at {
        ctx = ctx.with("aws:TokenIssueTime", &timestamp(at));
    }
    ctx
}

/// Whether `caller` may perform `action` (`iam:GetUser`) on `resource`; AWS's AccessDenied if not.
pub fn authorize(
    world: &World,
    caller: &Caller,
    action: &str,
    resource: &str,
    region: &str,
    now: i64,
) -> ApiResult<()> {
    if NEVER_EVALUATED.iter().any(|a| a.eq_ignore_ascii_case(action)) {
        return Ok(());
    }
    let Identity::User { account, name } = &caller.identity else { return Ok(()) };
    let user = world.user(account, name)?;
    let ctx = context(world, caller, region, now);
    let decision = applicable(world, user).decide(&Request { action, resource, context: &ctx });
    match policy::access_denied_message(&caller.arn(), action, resource, &decision) {
        None => Ok(()),
        Some(message) => Err(ApiError::access_denied(message)),
    }
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
