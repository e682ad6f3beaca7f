//! Is MFA really enforced for an IAM user? Three kinds of evidence, reported separately:
//! (a) static: every policy that applies, read and analysed by `enforcement::assess`;
//! (b) a live probe: one harmless request signed with the long-term key and no MFA (`probe`);
//! (c) AWS's policy simulator asked about the same request without MFA, when the caller may.
//!
//! The verdict rule: a request without MFA that succeeded (the probe), or that the simulator
//! allows, proves MFA is not enforced, whatever the policies seem to say. Otherwise the static
//! verdict stands: Enforced only when every applicable policy could be read and they enforce
//! it; Unknown when something could not be read (an explicit deny from the probe is reported as
//! evidence, never as proof: it covers one action, and it is no evidence at all when the policies
//! deny the probe even with MFA); NotEnforced when the readable policies leave a gap. Service control policies are not visible from a member account and are not covered.
//!
//! The fix for a user that is not enforced: an `MfaRequired` policy (created if missing) set as
//! the user's permissions boundary, by a caller allowed to do both.

mod gather;
mod probe;
mod words;

pub use gather::Gathered;
pub use probe::{PROBE_ACTION, Probe, Simulation};
pub use words::probe_line;

use super::access::{Access, IamError, access, failed, parse_user_arn, user_of};
use super::enforcement::{self, Assessment, Fix, Policy, Source, Verdict};
use super::policy_api::{self, ContextValue, SimDecision};
use crate::engine::{Engine, Plan, Sink};
use crate::sts;
use std::time::Duration;

pub const FIX_POLICY_NAME: &str = "MfaRequired";

#[derive(Debug, Clone)]
pub struct AuditOptions {
    /// Policy fetches at once.
    pub concurrency: usize,
    /// For the whole audit of one user.
    pub deadline: Duration,
}

impl Default for AuditOptions {
    fn default() -> Self {
        Self { concurrency: 16, deadline: Duration::from_secs(60) }
    }
}

/// The static evidence: the policies as read and what the analysis makes of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Static {
    pub verdict: Verdict,
    pub summary: String,
    pub assessment: Assessment,
    pub gathered: Gathered,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Audit {
    pub profile: String,
    pub user: String,
    pub arn: String,
    pub account: String,
    /// The profile whose credentials made the IAM calls, and whether that was an MFA session.
    pub caller: String,
    pub caller_mfa: bool,
    pub static_: Static,
    pub probe: Probe,
    pub simulation: Simulation,
    pub verdict: Verdict,
    /// Which part of the rule decided, in one sentence.
    pub reason: String,
    pub fix: Option<Fix>,
}

/// `a permissions boundary`, `an identity-based policy`.
pub fn with_article(noun: &str) -> String {
    let vowel = noun.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']);
    format!("{} {noun}", if vowel { "an" } else { "a" })
}

/// The verdict from the three kinds of evidence (see the module docs), and why, in one sentence.
pub fn combine(static_: &Static, probe: &Probe, sim: &Simulation) -> (Verdict, String) {
    if *probe == Probe::Allowed {
        return (
            Verdict::NotEnforced,
            format!("a request signed with the long-term key and no MFA ({PROBE_ACTION}) succeeded"),
        );
    }
    if sim.allows_without_mfa() {
        return (Verdict::NotEnforced, format!("AWS's policy simulator allows {PROBE_ACTION} without MFA"));
    }
    let denied = match probe {
        Probe::ExplicitDeny { policy_type, .. } => Some(with_article(policy_type)),
        _ => None,
    };
    let reason = match (static_.verdict, denied) {
        (Verdict::Enforced, Some(by)) => {
            format!("the policies enforce it, and the probe without MFA was refused by an explicit deny in {by}")
        }
        (Verdict::Enforced, None) => "the policies enforce it".to_string(),
        (Verdict::NotEnforced, Some(by)) => format!(
            "the policies leave requests without MFA allowed (the probe was refused by an explicit deny in {by}, but that covers one action)"
        ),
        (Verdict::NotEnforced, None) => "the policies leave requests without MFA allowed".to_string(),
        (Verdict::Unknown, Some(by)) => format!(
            "not every policy could be read; the probe without MFA was refused by an explicit deny in {by}, which suggests MFA is enforced but covers only that action"
        ),
        (Verdict::Unknown, None) => "not every policy could be read".to_string(),
    };
    (static_.verdict, reason)
}

fn static_evidence(gathered: Gathered) -> Static {
    let assessment = enforcement::assess(&gathered.policies);
    let (verdict, summary) = if gathered.gaps.is_empty() {
        (assessment.verdict, assessment.summary.clone())
    } else {
        let s = format!(
            "Cannot tell whether MFA is enforced: {} could not be listed, so policies may be missing. Of those listed: {}",
            gathered.gaps.join("; "),
            assessment.summary
        );
        (Verdict::Unknown, s)
    };
    Static { verdict, summary, assessment, gathered }
}

/// Audit `name`'s IAM user. IAM calls are made as `as_profile`'s user when given (an
/// administrator auditing others), else as the user itself; the probe always uses the audited
/// user's own long-term key.
pub async fn audit(
    engine: &Engine,
    plan: &Plan,
    name: &str,
    as_profile: Option<&str>,
    opts: &AuditOptions,
    sink: &Sink,
) -> Result<Audit, IamError> {
    let user = user_of(plan, name)?;
    let caller = access(engine, plan, as_profile.unwrap_or(&user.name), &[], sink).await?;
    let long_term = match (&caller.long_term, caller.profile == user.name) {
        (Some(k), true) => k.clone(),
        _ => engine.long_term_keys(user).await?,
    };
    let (user_name, arn, account) = if caller.profile == user.name {
        (caller.user.clone(), caller.arn.clone(), caller.account.clone())
    } else {
        let id = sts::get_caller_identity(&caller.target, &long_term)
            .await
            .map_err(failed(format!("sts:GetCallerIdentity for {}", user.name)))?;
        let (n, a) = parse_user_arn(&id.arn)
            .ok_or_else(|| IamError::Refused(format!("{} is {}, not an IAM user", user.name, id.arn)))?;
        (n, id.arn, a)
    };
    let own_session = (caller.profile == user.name && caller.mfa).then_some(&caller.keys);
    let (t, k) = (&caller.target, &caller.keys);
    let work = async {
        tokio::join!(
            gather::gather(t, k, &user_name, opts.concurrency),
            probe::probe(t, &long_term, own_session),
            probe::simulate(t, k, &arn, &user_name),
        )
    };
    let (gathered, probe, simulation) = tokio::time::timeout(opts.deadline, work).await.map_err(|_| {
        IamError::Deadline { what: format!("the MFA audit of {user_name}"), secs: opts.deadline.as_secs() }
    })?;
    let probe = probe::unless_unconditional(probe, &gathered.policies, &arn, &user_name);
    let static_ = static_evidence(gathered);
    let (verdict, reason) = combine(&static_, &probe, &simulation);
    let fix =
        (verdict == Verdict::NotEnforced).then(|| static_.assessment.fix.clone().unwrap_or_else(enforcement::fix));
    Ok(Audit {
        profile: user.name.clone(),
        user: user_name,
        arn,
        account,
        caller: caller.profile.clone(),
        caller_mfa: caller.mfa,
        static_,
        probe,
        simulation,
        verdict,
        reason,
        fix,
    })
}

/// What `--fix` would do for one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixPlan {
    pub user: String,
    pub user_arn: String,
    pub policy_arn: String,
    /// The boundary document (pretty JSON).
    pub document: String,
    /// Whether the policy must be created first (else it exists and enforces MFA).
    pub create: bool,
    /// The boundary it replaces (a user has one).
    pub replaces: Option<String>,
    /// The profile whose credentials will make the change.
    pub caller: String,
}

/// Check what the fix needs: whether `MfaRequired` exists (and enforces MFA if it does), and
/// that the caller may create it and set boundaries (by the simulator, when it is available).
pub async fn plan_fix(
    engine: &Engine,
    plan: &Plan,
    audit: &Audit,
    as_profile: Option<&str>,
    sink: &Sink,
) -> Result<FixPlan, IamError> {
    let caller = access(engine, plan, as_profile.unwrap_or(&audit.profile), &[], sink).await?;
    let partition = audit.arn.split(':').nth(1).unwrap_or("aws");
    let policy_arn = format!("arn:{partition}:iam::{}:policy/{FIX_POLICY_NAME}", audit.account);
    let document = audit.fix.clone().unwrap_or_else(enforcement::fix).boundary_document;
    let existing = policy_api::managed_policy_document(&caller.target, &caller.keys, &policy_arn)
        .await
        .map_err(failed(format!("iam:GetPolicy {policy_arn}")))?;
    if let Some(doc) = &existing {
        let as_boundary = Policy { source: Source::Boundary { arn: policy_arn.clone() }, document: Ok(doc.clone()) };
        if enforcement::assess(&[as_boundary]).verdict != Verdict::Enforced {
            return Err(IamError::Refused(format!(
                "a policy named {FIX_POLICY_NAME} exists ({policy_arn}) but does not enforce MFA as a permissions boundary; mfatui will not use or overwrite it: fix it, or apply the boundary JSON above under another name"
            )));
        }
    }
    let fix = FixPlan {
        user: audit.user.clone(),
        user_arn: audit.arn.clone(),
        policy_arn,
        document,
        create: existing.is_none(),
        replaces: audit.static_.gathered.boundary.clone(),
        caller: caller.profile.clone(),
    };
    may_fix(&caller, &fix).await?;
    Ok(fix)
}

/// Refuse early when the simulator says the caller may not make the change.
async fn may_fix(caller: &Access, fix: &FixPlan) -> Result<(), IamError> {
    let mut needs: Vec<(&str, &str)> = vec![("iam:PutUserPermissionsBoundary", &fix.user_arn)];
    if fix.create {
        needs.push(("iam:CreatePolicy", &fix.policy_arn));
    }
    // The request as the caller will make it: its own name, and MFA when it has a session.
    let value = |key: &str, kind: &'static str, v: &str| ContextValue { key: key.into(), kind, values: vec![v.into()] };
    let mut context = vec![value("aws:username", "string", &caller.user)];
    if caller.mfa {
        context.push(value("aws:MultiFactorAuthPresent", "boolean", "true"));
        context.push(value("aws:MultiFactorAuthAge", "numeric", "60"));
    }
    for (action, resource) in needs {
        let (t, k) = (&caller.target, &caller.keys);
        let r = policy_api::simulate_principal_policy(t, k, &caller.arn, &[action], &[resource], &context).await;
        // No simulator (or no right to use it): the change itself will say whether it is allowed.
        let Ok(results) = r else { continue };
        if let Some(denied) = results.iter().find(|s| s.decision != SimDecision::Allowed) {
            return Err(IamError::Refused(format!(
                "{} may not {} ({}): run the fix as an administrator (mfatui audit {} --as ADMIN_PROFILE --fix), or apply the JSON above in the IAM console",
                caller.profile,
                action,
                match denied.decision {
                    SimDecision::ExplicitDeny => "explicitly denied",
                    _ => "no policy allows it",
                },
                fix.user
            )));
        }
    }
    Ok(())
}

/// Create the policy if needed and set it as the user's permissions boundary.
pub async fn apply_fix(engine: &Engine, plan: &Plan, fix: &FixPlan, sink: &Sink) -> Result<(), IamError> {
    let caller = access(engine, plan, &fix.caller, &[], sink).await?;
    let (t, k) = (&caller.target, &caller.keys);
    if fix.create {
        match policy_api::create_policy(t, k, FIX_POLICY_NAME, &fix.document).await {
            Err(e) if e.code() == Some("EntityAlreadyExists") => {}
            other => {
                other.map_err(failed(format!("iam:CreatePolicy {FIX_POLICY_NAME}")))?;
            }
        }
    }
    policy_api::put_user_permissions_boundary(t, k, &fix.user, &fix.policy_arn)
        .await
        .map_err(failed(format!("iam:PutUserPermissionsBoundary for {}", fix.user)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::policy_api::SimResult;

    fn static_of(verdict: Verdict) -> Static {
        let gathered = Gathered { policies: Vec::new(), gaps: Vec::new(), boundary: None, groups: Vec::new() };
        let assessment = enforcement::assess(&[]);
        Static { verdict, summary: format!("static says {verdict:?}"), assessment, gathered }
    }

    fn sim(absent: SimDecision, false_: SimDecision) -> Simulation {
        let r =
            |decision| SimResult { action: PROBE_ACTION.into(), decision, matched: vec![], missing_context: vec![] };
        Simulation::Ran { absent: r(absent), false_: r(false_) }
    }

    #[test]
    fn proof_of_absence_beats_the_policies() {
        let na = Simulation::NotAvailable { reason: "x".into() };
        let deny = Probe::ExplicitDeny { policy_type: "permissions boundary".into(), message: String::new() };
        assert_eq!(with_article("identity-based policy"), "an identity-based policy");
        assert_eq!(with_article("permissions boundary"), "a permissions boundary");
        let (v, why) = combine(&static_of(Verdict::Enforced), &Probe::Allowed, &na);
        assert_eq!(v, Verdict::NotEnforced);
        assert!(why.contains("succeeded"), "{why}");
        let (v, why) =
            combine(&static_of(Verdict::Enforced), &deny, &sim(SimDecision::ExplicitDeny, SimDecision::Allowed));
        assert_eq!(v, Verdict::NotEnforced, "sessions without MFA get through: {why}");
        assert_eq!(combine(&static_of(Verdict::Enforced), &deny, &na).0, Verdict::Enforced);
        let implicit = Probe::Inconclusive { why: "implicit".into() };
        assert_eq!(combine(&static_of(Verdict::Enforced), &implicit, &na).0, Verdict::Enforced);
        // An explicit deny is evidence, never proof: Unknown and NotEnforced stay as they are.
        let (v, why) = combine(&static_of(Verdict::Unknown), &deny, &na);
        assert_eq!(v, Verdict::Unknown);
        assert!(why.contains("suggests MFA is enforced"), "{why}");
        assert_eq!(combine(&static_of(Verdict::NotEnforced), &deny, &na).0, Verdict::NotEnforced);
    }

    #[test]
    fn gaps_in_the_listing_make_the_static_verdict_unknown() {
        let deny_all = serde_json::json!({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]});
        let policies = vec![Policy { source: Source::UserInline { name: "DenyAll".into() }, document: Ok(deny_all) }];
        let full = Gathered { policies, gaps: vec![], boundary: None, groups: vec![] };
        assert_eq!(static_evidence(full.clone()).verdict, Verdict::Enforced);
        let partial = Gathered { gaps: vec!["the groups of x (denied)".into()], ..full };
        let s = static_evidence(partial);
        assert_eq!(s.verdict, Verdict::Unknown);
        assert!(s.summary.contains("the groups of x"), "{}", s.summary);
    }
}
