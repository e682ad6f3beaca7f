//! Live evidence: one harmless request signed with the user's long-term key and no MFA (the
//! probe), and AWS's policy simulator asked about the same request without MFA.
//!
//! The probe action is `iam:ListAccessKeys` on the caller itself (no UserName), as research
//! recommends: it is read-only; AWS's force-MFA policy does not exempt it (its NotAction lists
//! only what a user needs to set MFA up and sign in), so an enforcing Deny fires and IAM names
//! the policy type in its AccessDenied; and every user who may rotate their own key is allowed
//! it, so success is common where MFA is not enforced. The alternatives are weaker: GetUser and
//! ListMFADevices are exempted by that NotAction, GetCallerIdentity and GetSessionToken can
//! never be denied, and account-wide reads (ListAccountAliases) are often not granted at all,
//! where an implicit deny proves nothing.

use super::super::denial::Denial;
use super::super::enforcement::{Policy, Source};
use super::super::policy::{self, Context, Request};
use super::super::policy_api::{self, ContextValue, SimDecision, SimResult};
use crate::net::{AwsError, Keys};
use crate::sts::Target;

pub const PROBE_ACTION: &str = "iam:ListAccessKeys";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// The request without MFA succeeded: proof that MFA is not enforced for it.
    Allowed,
    /// Refused by an explicit deny in a policy of this type (`permissions boundary`,
    /// `identity-based policy`, `service control policy`, …): evidence of enforcement.
    ExplicitDeny {
        policy_type: String,
        message: String,
    },
    /// Refused in a way that says nothing about MFA (an implicit deny, a deny that also applies
    /// with MFA, an answer without a reason).
    Inconclusive {
        why: String,
    },
    NotRun {
        why: String,
    },
}

/// What an AccessDenied says about MFA, from its reason (read by `Denial`).
pub fn classify_denial(message: &str) -> Probe {
    match Denial::read(message) {
        Denial::Explicit { policy_type, .. } => Probe::ExplicitDeny { policy_type, message: message.to_string() },
        Denial::NoAllow { .. } => Probe::Inconclusive {
            why: format!("implicitly denied (no policy allows it), which says nothing about MFA: {message}"),
        },
        Denial::Unstated => {
            Probe::Inconclusive { why: format!("denied without a reason that names a policy type: {message}") }
        }
    }
}

/// Run the probe with `long_term` keys; `with_mfa` (the user's own MFA session) tells a deny
/// about MFA from one that applies anyway.
pub async fn probe(t: &Target, long_term: &Keys, with_mfa: Option<&Keys>) -> Probe {
    let list = |keys: &Keys| {
        let keys = keys.clone();
        async move {
            super::super::api::idempotent(t, &keys, |c| async move { c.list_access_keys().send().await })
                .await
                .map(|_| ())
        }
    };
    let (without, with) = tokio::join!(list(long_term), async {
        match with_mfa {
            Some(k) => Some(list(k).await),
            None => None,
        }
    });
    let result = match without {
        Ok(()) => Probe::Allowed,
        Err(e) => match e.root() {
            AwsError::AccessDenied { message } => classify_denial(message),
            AwsError::InvalidKey { message } => {
                Probe::NotRun { why: format!("AWS refused the long-term key itself (deleted or inactive?): {message}") }
            }
            _ => Probe::Inconclusive { why: e.to_string() },
        },
    };
    match (result, with) {
        (Probe::ExplicitDeny { policy_type, .. }, Some(Err(e))) if e.code() == Some("AccessDenied") => {
            Probe::Inconclusive {
                why: format!(
                    "denied by {} even with MFA, so the deny is not about MFA",
                    super::with_article(&policy_type)
                ),
            }
        }
        (r, _) => r,
    }
}

/// An explicit deny of the probe is evidence about MFA only when MFA would lift it: one that the
/// readable policies apply even with MFA (a plain `Deny iam:ListAccessKeys`) says nothing, whatever
/// else they hold, so the probe becomes inconclusive and the verdict rests on the policies.
pub fn unless_unconditional(probe: Probe, policies: &[Policy], user_arn: &str, user: &str) -> Probe {
    let Probe::ExplicitDeny { policy_type, .. } = &probe else { return probe };
    let context = Context::new()
        .with("aws:MultiFactorAuthPresent", "true")
        .with("aws:MultiFactorAuthAge", "60")
        .with("aws:username", user);
    let req = Request { action: PROBE_ACTION, resource: user_arn, context: &context };
    let denied = policies.iter().find_map(|p| {
        let doc = p.document.as_ref().ok()?;
        let by = policy::evaluate(doc, &req).denied_by?;
        let kind =
            if matches!(p.source, Source::Boundary { .. }) { "permissions boundary" } else { "identity-based policy" };
        (kind == policy_type).then(|| format!("{} ({by})", p.source))
    });
    match denied {
        Some(by) => Probe::Inconclusive {
            why: format!(
                "refused by {by}, which denies {PROBE_ACTION} even with MFA, so the refusal says nothing about MFA"
            ),
        },
        None => probe,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Simulation {
    NotAvailable {
        reason: String,
    },
    /// The decision for the probe action with the MFA keys absent, then with
    /// `aws:MultiFactorAuthPresent = false`.
    Ran {
        absent: SimResult,
        false_: SimResult,
    },
}

impl Simulation {
    /// Does the simulator let a request without MFA through?
    pub fn allows_without_mfa(&self) -> bool {
        matches!(self, Simulation::Ran { absent, false_ } if absent.decision == SimDecision::Allowed || false_.decision == SimDecision::Allowed)
    }
}

/// SimulatePrincipalPolicy for `user_arn` and the probe action on the user itself, in both
/// scenarios, signed with `keys` (the caller's session).
pub async fn simulate(t: &Target, keys: &Keys, user_arn: &str, user: &str) -> Simulation {
    let name = ContextValue { key: "aws:username".into(), kind: "string", values: vec![user.into()] };
    let present =
        ContextValue { key: "aws:MultiFactorAuthPresent".into(), kind: "boolean", values: vec!["false".into()] };
    let run = |context: Vec<ContextValue>| async move {
        policy_api::simulate_principal_policy(t, keys, user_arn, &[PROBE_ACTION], &[user_arn], &context).await
    };
    let (absent, false_) = tokio::join!(run(vec![name.clone()]), run(vec![name.clone(), present]));
    let first = |r: Result<Vec<SimResult>, AwsError>| -> Result<SimResult, String> {
        match r {
            Ok(results) => results.into_iter().next().ok_or_else(|| "the simulator returned no result".to_string()),
            Err(e) => Err(match e.root() {
                AwsError::AccessDenied { .. } => {
                    format!("the caller may not use iam:SimulatePrincipalPolicy ({})", super::super::access::short(&e))
                }
                AwsError::BadResponse { .. } => format!("this endpoint does not offer the simulator ({e})"),
                _ => e.to_string(),
            }),
        }
    };
    match (first(absent), first(false_)) {
        (Ok(absent), Ok(false_)) => Simulation::Ran { absent, false_ },
        (Err(reason), _) | (_, Err(reason)) => Simulation::NotAvailable { reason },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denials_are_read_by_substring() {
        let boundary = "User: arn:aws:iam::1:user/a is not authorized to perform: iam:ListAccessKeys on resource: user a with an explicit deny in a permissions boundary";
        assert!(
            matches!(classify_denial(boundary), Probe::ExplicitDeny { policy_type, .. } if policy_type == "permissions boundary")
        );
        let new_style = "User: x is not authorized to perform: iam:ListAccessKeys with an explicit deny in an identity-based policy: arn:aws:iam::1:policy/Deny. Go to https://…";
        assert!(
            matches!(classify_denial(new_style), Probe::ExplicitDeny { policy_type, .. } if policy_type == "identity-based policy")
        );
        let implicit = "User: x is not authorized to perform: iam:ListAccessKeys on resource: y because no identity-based policy allows the iam:ListAccessKeys action";
        assert!(
            matches!(classify_denial(implicit), Probe::Inconclusive { why } if why.starts_with("implicitly denied"))
        );
        // moto's wording names no policy type.
        let moto = "User: arn:aws:iam::123456789012:user/a is not authorized to perform: iam:ListAccessKeys";
        assert!(matches!(classify_denial(moto), Probe::Inconclusive { why } if why.contains("without a reason")));
    }
}
