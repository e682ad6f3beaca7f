//! IAM screen data for tests, built directly: the demo world's users as an audit would see them
//! (their real policies run through the real analysis and verdict rule), with an old key, a
//! FIDO device, an unreadable policy list, a fix that may not be applied and one that may.

use super::{AppState, Screen};
use crate::aws::iam::api::{Attached, KeyId, LastUsed, MfaDevice, MfaKind};
use crate::aws::iam::audit::{Audit, FixPlan, Gathered, Probe, Simulation, Static, combine};
use crate::aws::iam::enforcement::{Source, Verdict, assess};
use crate::aws::iam::keys::{KeyInfo, Overview};
use crate::aws::iam::policy_api::{SimDecision, SimResult};
use crate::sandbox::demo_world::{DENIED, policies_as_read};

pub const NOW: i64 = 1_800_000_000;
const DAY: i64 = 86_400;
const ACCOUNT: &str = "111111111111";

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:{kind}/{name}")
}

pub fn key(id: &str, active: bool, age: i64, in_use: bool, used: Option<(i64, &str, &str)>) -> KeyInfo {
    KeyInfo {
        id: KeyId::new(id),
        active,
        created: Some(NOW - age * DAY - 3600),
        age_days: Some(age),
        old: age > 90,
        in_use,
        last_used: Ok(match used {
            Some((ago, service, region)) => {
                LastUsed { date: Some(NOW - ago * DAY), service: Some(service.into()), region: Some(region.into()) }
            }
            None => LastUsed::default(),
        }),
    }
}

fn device(serial: &str) -> MfaDevice {
    let kind = MfaKind::of(serial);
    MfaDevice { serial: serial.into(), kind, enabled: Some(NOW - 400 * DAY) }
}

pub fn overview(user: &str) -> Overview {
    let mut o = Overview {
        profile: user.into(),
        user: user.into(),
        arn: arn("user", user),
        account: ACCOUNT.into(),
        mfa_session: true,
        max_age_days: 90,
        keys: Ok(vec![key(
            &format!("AKIADEMO{}0001", user.to_uppercase()),
            true,
            30,
            true,
            Some((1, "sts", "eu-west-1")),
        )]),
        mfa_devices: Ok(vec![device(&arn("mfa", &format!("{user}-phone")))]),
        configured_serial: Some(arn("mfa", &format!("{user}-phone"))),
        groups: Ok(vec!["engineers".into()]),
        attached_policies: Ok(vec![]),
        inline_policies: Ok(vec![]),
        boundary: Ok(None),
        problems: vec![],
    };
    match user {
        "alice" => {
            o.keys = Ok(vec![
                key("AKIADEMOALICE0000001", true, 150, true, Some((0, "sts", "eu-west-1"))),
                key("AKIADEMOALICE0000002", false, 400, false, None),
            ]);
            o.mfa_devices
                .as_mut()
                .unwrap()
                .push(device(&format!("arn:aws:iam::{ACCOUNT}:u2f/user/alice/yubikey-ABCDEF")));
            o.inline_policies = Ok(vec!["AdministerIdentityAccount".into()]);
            o.boundary = Ok(Some(arn("policy", "MfaRequired")));
            o.problems = vec![
                "access key ****0001 is 150 days old (more than 90): rotate it (mfatui rotate alice)".into(),
                "alice has two access keys, the most IAM allows (inactive ones count): a rotation must delete one first"
                    .into(),
            ];
        }
        "bob" => o.boundary = Ok(Some(arn("policy", "LooksLikeMfaRequired"))),
        "carol" => {
            o.attached_policies = Err(DENIED.into());
            o.inline_policies = Ok(vec!["ForceMfa".into(), "NoPolicyReading".into()]);
        }
        _ => {}
    }
    o
}

fn sim(decision: SimDecision) -> SimResult {
    SimResult { action: "iam:ListAccessKeys".into(), decision, matched: vec![], missing_context: vec![] }
}

/// alice: enforced. bob: not enforced (his boundary uses `Bool`; its NotAction exempts `iam:*`), with a
/// fix. carol: unknown (she may not read her own policies).
pub fn audit(user: &str) -> Audit {
    let (unreadable, gaps, probe, simulation): (&[&str], Vec<String>, Probe, Simulation) = match user {
        "alice" => (
            &[],
            vec![],
            Probe::ExplicitDeny { policy_type: "permissions boundary".into(), message: "denied".into() },
            Simulation::Ran { absent: sim(SimDecision::ExplicitDeny), false_: sim(SimDecision::ExplicitDeny) },
        ),
        "bob" => (
            &[],
            vec![],
            Probe::Allowed,
            Simulation::Ran { absent: sim(SimDecision::Allowed), false_: sim(SimDecision::Allowed) },
        ),
        _ => (
            &["ForceMfa", "NoPolicyReading", "AssumeRoles", "lists"],
            vec![
                format!("the managed policies of {user} (iam:ListAttachedUserPolicies: {DENIED})"),
                format!("the managed policies of group engineers (iam:ListAttachedGroupPolicies: {DENIED})"),
            ],
            Probe::ExplicitDeny { policy_type: "identity-based policy".into(), message: "denied".into() },
            Simulation::NotAvailable {
                reason: format!("the caller may not use iam:SimulatePrincipalPolicy ({DENIED})"),
            },
        ),
    };
    let policies = policies_as_read(user, unreadable);
    let assessment = assess(&policies);
    let (verdict, summary) = if gaps.is_empty() {
        (assessment.verdict, assessment.summary.clone())
    } else {
        let s = format!(
            "Cannot tell whether MFA is enforced: {} could not be listed, so policies may be missing. Of those listed: {}",
            gaps.join("; "),
            assessment.summary
        );
        (Verdict::Unknown, s)
    };
    let boundary = policies.iter().find_map(|p| match &p.source {
        Source::Boundary { arn } => Some(arn.clone()),
        _ => None,
    });
    let gathered = Gathered { policies, gaps, boundary, groups: vec!["engineers".into()] };
    let static_ = Static { verdict, summary, assessment, gathered };
    let (verdict, reason) = combine(&static_, &probe, &simulation);
    let fix = (verdict == Verdict::NotEnforced).then(|| static_.assessment.fix.clone().expect("a gap has a fix"));
    Audit {
        profile: user.into(),
        user: user.into(),
        arn: arn("user", user),
        account: ACCOUNT.into(),
        caller: user.into(),
        caller_mfa: true,
        static_,
        probe,
        simulation,
        verdict,
        reason,
        fix,
    }
}

/// What `plan_fix` says for bob: he may not set boundaries.
pub fn fix_refused() -> String {
    "bob may not iam:PutUserPermissionsBoundary (no policy allows it): run the fix as an administrator (mfatui audit bob --as ADMIN_PROFILE --fix), or apply the JSON above in the IAM console".into()
}

/// What `plan_fix` says for a caller who may.
pub fn fix_plan() -> FixPlan {
    FixPlan {
        user: "bob".into(),
        user_arn: arn("user", "bob"),
        policy_arn: arn("policy", "MfaRequired"),
        document: audit("bob").fix.expect("bob has a fix").boundary_document,
        create: false,
        replaces: Some(arn("policy", "LooksLikeMfaRequired")),
        caller: "bob".into(),
    }
}

/// The IAM screen with every demo user read and audited (ci-bot's overview only).
pub fn loaded(s: &mut AppState) {
    s.screen = Screen::Iam;
    for user in ["alice", "bob", "carol"] {
        let sec = s.section_mut(user);
        sec.overview.done(Ok(overview(user)));
        sec.audit.done(Ok(Box::new(audit(user))));
    }
    s.section_mut("bob").fix.done(Err(fix_refused()));
    let mut bot = overview("ci-bot");
    bot.mfa_session = false;
    bot.configured_serial = None;
    bot.mfa_devices =
        Err("access denied, because no identity-based policy allows the iam:ListMFADevices action".into());
    bot.groups = Err("access denied, because no identity-based policy allows the iam:ListGroupsForUser action".into());
    bot.attached_policies = Ok(vec![Attached { name: "CiDeploy".into(), arn: arn("policy", "CiDeploy") }]);
    s.section_mut("ci-bot").overview.done(Ok(bot));
    s.section_mut("ci-bot").audit.loading = true;
}
