//! `NotAction` read as IAM does: a Deny enforces MFA only for the actions it leaves covered.

use super::*;
use serde_json::{Value, json};

fn managed(name: &str, doc: Value) -> Policy {
    Policy {
        source: Source::UserManaged { arn: format!("arn:aws:iam::123456789012:policy/{name}") },
        document: Ok(doc),
    }
}

fn admin() -> Policy {
    managed("AdministratorAccess", json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}))
}

fn kinds(a: &Assessment, kind: FindingKind) -> Vec<&Finding> {
    a.findings.iter().filter(|f| f.kind == kind).collect()
}

fn only(a: &Assessment, kind: FindingKind) -> &Finding {
    let found = kinds(a, kind);
    assert_eq!(found.len(), 1, "one {kind:?} finding expected in {:#?}", a.findings);
    found[0]
}

fn hatch_actions(a: &Assessment) -> Vec<&str> {
    a.escape_hatches.iter().map(|h| h.action.as_str()).collect()
}

/// The force-MFA Deny with `not` as its NotAction, beside an admin grant.
fn force_mfa_with(not: &[&str]) -> Assessment {
    let doc = json!({"Statement": {"Sid": "Force", "Effect": "Deny", "NotAction": not, "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}});
    assess(&[admin(), managed("ForceMfa", doc)])
}

#[test]
fn a_deny_enforces_mfa_only_for_the_actions_its_not_action_leaves_covered() {
    let cases: [(&[&str], &[&str]); 6] = [
        (&["*"], &["*"]),
        (&["s*"], &["s*"]),
        (&["s3:*", "secretsmanager:*", "sts:GetSessionToken"], &["s3:*", "secretsmanager:*"]),
        (&["*:Get*", "*:Describe*"], &["*:Get*", "*:Describe*"]),
        (&["iam:Get*", "iam:EnableMFADevice"], &["iam:Get*"]),
        (&["iam:*", "sts:*"], &["iam:*", "sts:*"]),
    ];
    for (not, open) in cases {
        let a = force_mfa_with(not);
        assert_eq!(a.verdict, Verdict::NotEnforced, "{not:?}: {}", a.summary);
        assert_eq!(hatch_actions(&a), open, "{not:?}");
        assert!(
            a.summary.contains(&format!("`{}`", open[0])) && a.summary.contains("reachable without MFA"),
            "{}",
            a.summary
        );
        assert!(kinds(&a, FindingKind::Enforcing).is_empty(), "{not:?}");
        assert!(a.fix.is_some());
    }
    let star = force_mfa_with(&["*"]);
    assert!(only(&star, FindingKind::LimitedActions).message.contains("it denies nothing"));
    assert!(star.escape_hatches[0].why.contains("denies nothing"));
    assert!(force_mfa_with(&["*:Get*"]).escape_hatches[0].why.contains("s3:GetObject"));
    assert!(force_mfa_with(&["s*"]).escape_hatches[0].why.contains("sts:AssumeRole"));
}

#[test]
fn the_documented_self_service_exemptions_keep_mfa_enforced_in_any_case() {
    let a = force_mfa_with(&SELF_SERVICE);
    assert_eq!(a.verdict, Verdict::Enforced, "{}", a.summary);
    assert!(a.escape_hatches.is_empty());
    let lower: Vec<String> = SELF_SERVICE.iter().map(|a| a.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    assert_eq!(force_mfa_with(&lower).verdict, Verdict::Enforced, "IAM compares actions case-insensitively");
    assert_eq!(force_mfa_with(&["sts:GetCallerIdentity"]).verdict, Verdict::Enforced, "AWS never denies it");
}

#[test]
fn another_covering_deny_closes_what_one_exempts() {
    let deny = |sid: &str, not: Value| {
        json!({"Sid": sid, "Effect": "Deny", "NotAction": not, "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}})
    };
    let doc = json!({"Statement": [deny("S3Free", json!(["s3:*"])), deny("Strict", json!(["iam:GetUser"]))]});
    assert_eq!(assess(&[managed("Two", doc)]).verdict, Verdict::Enforced, "Strict denies s3:* too");
    let doc = json!({"Statement": [deny("Gets", json!(["s3:Get*"])), deny("Objects", json!(["s3:*Object"]))]});
    let a = assess(&[managed("Two", doc)]);
    assert_eq!(a.verdict, Verdict::NotEnforced, "s3:GetObject is exempted by both");
}
