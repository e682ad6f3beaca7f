use super::*;
use serde_json::Value;
use serde_json::json;

fn managed(name: &str, doc: Value) -> Policy {
    Policy {
        source: Source::UserManaged { arn: format!("arn:aws:iam::123456789012:policy/{name}") },
        document: Ok(doc),
    }
}

fn boundary(name: &str, doc: Value) -> Policy {
    Policy { source: Source::Boundary { arn: format!("arn:aws:iam::123456789012:policy/{name}") }, document: Ok(doc) }
}

fn admin() -> Policy {
    managed("AdministratorAccess", json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}))
}

/// A one-statement Deny of every action on every resource under `condition`.
fn deny_all_if(condition: Value) -> Policy {
    managed(
        "ForceMfa",
        json!({"Statement": {"Sid": "DenyNoMfa", "Effect": "Deny", "Action": "*", "Resource": "*", "Condition": condition}}),
    )
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

/// AWS's published "manage own credentials with MFA" example, as documented.
fn aws_force_mfa_example() -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "AllowViewAccountInfo", "Effect": "Allow", "Action": "iam:ListVirtualMFADevices", "Resource": "*"},
        {"Sid": "AllowManageOwnVirtualMFADevice", "Effect": "Allow", "Action": "iam:CreateVirtualMFADevice",
         "Resource": "arn:aws:iam::*:mfa/*"},
        {"Sid": "AllowManageOwnUserMFA", "Effect": "Allow",
         "Action": ["iam:DeactivateMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:GetMFADevice",
                    "iam:ListMFADevices", "iam:ResyncMFADevice"],
         "Resource": "arn:aws:iam::*:user/${aws:username}"},
        {"Sid": "DenyAllExceptListedIfNoMFA", "Effect": "Deny",
         "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:GetMFADevice",
                       "iam:ListMFADevices", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken"],
         "Resource": "*",
         "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}
    ]})
}

#[test]
fn aws_force_mfa_example_is_enforced_without_escape_hatches() {
    let a = assess(&[admin(), managed("ForceMFA", aws_force_mfa_example())]);
    assert_eq!(a.verdict, Verdict::Enforced, "{a:#?}");
    assert!(a.escape_hatches.is_empty(), "{:?}", a.escape_hatches);
    assert_eq!(a.fix, None);
    let f = only(&a, FindingKind::Enforcing);
    assert_eq!(
        f.message,
        "managed policy ForceMFA (Sid DenyAllExceptListedIfNoMFA) denies every action except 8 self-service ones \
         whenever MFA is absent or false: enforced"
    );
    assert!(a.summary.starts_with("MFA is enforced"), "{}", a.summary);
}

#[test]
fn aws_self_manage_example_exempts_list_users_so_it_is_not_enforced() {
    let doc = json!({"Statement": [
        {"Sid": "AllowUserToDeactivateTheirOwnMFAOnlyWhenUsingMFA", "Effect": "Allow", "Action": "iam:DeactivateMFADevice",
         "Resource": "arn:aws:iam::*:user/${aws:username}", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
        {"Sid": "BlockMostAccessUnlessSignedInWithMFA", "Effect": "Deny",
         "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "iam:ListUsers",
                       "iam:ListVirtualMFADevices", "iam:ResyncMFADevice"],
         "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]});
    let a = assess(&[managed("SelfManage", doc)]);
    assert_eq!(a.verdict, Verdict::NotEnforced, "iam:ListUsers names every user of the account: not self-service");
    assert_eq!(hatch_actions(&a), ["iam:ListUsers"]);
    assert_eq!(
        a.summary,
        "MFA is not enforced: `iam:ListUsers` is reachable without MFA (exempted by managed policy SelfManage)"
    );
    assert!(kinds(&a, FindingKind::Enforcing).is_empty());
    assert_eq!(only(&a, FindingKind::AllowOnlyWithMfa).severity, FindingSeverity::Warning);
}

#[test]
fn bool_false_pitfall_lets_long_term_keys_through_and_suggests_bool_if_exists() {
    let a = assess(&[admin(), deny_all_if(json!({"Bool": {"aws:MultiFactorAuthPresent": "false"}}))]);
    assert_eq!(a.verdict, Verdict::NotEnforced);
    let f = only(&a, FindingKind::PartialCoverage);
    assert_eq!(f.severity, FindingSeverity::Warning);
    assert_eq!(f.statement.as_ref().and_then(|s| s.sid.as_deref()), Some("DenyNoMfa"));
    assert!(f.message.contains("requests signed with long-term access keys carry no such key"), "{}", f.message);
    assert!(f.message.contains("BoolIfExists"), "{}", f.message);
    assert!(
        only(&a, FindingKind::NotDenied).message.contains("nothing denies requests signed with long-term access keys")
    );
    assert!(a.fix.is_some());
}

#[test]
fn numeric_age_if_exists_enforces() {
    let a = assess(&[deny_all_if(json!({"NumericGreaterThanIfExists": {"aws:MultiFactorAuthAge": "3600"}}))]);
    assert_eq!(a.verdict, Verdict::Enforced, "{a:#?}");
}

#[test]
fn numeric_age_without_if_exists_does_not_enforce() {
    let a = assess(&[deny_all_if(json!({"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}))]);
    assert_eq!(a.verdict, Verdict::NotEnforced);
    let m = &only(&a, FindingKind::PartialCoverage).message;
    assert!(m.contains("false when the key is absent") && m.contains("use NumericGreaterThanIfExists"), "{m}");
}

#[test]
fn null_on_age_enforces() {
    let a = assess(&[deny_all_if(json!({"Null": {"aws:MultiFactorAuthAge": "true"}}))]);
    assert_eq!(a.verdict, Verdict::Enforced);
}

#[test]
fn null_on_present_alone_covers_only_long_term_keys() {
    let a = assess(&[deny_all_if(json!({"Null": {"aws:MultiFactorAuthPresent": "true"}}))]);
    assert_eq!(a.verdict, Verdict::NotEnforced);
    assert!(
        only(&a, FindingKind::PartialCoverage)
            .message
            .contains("sessions obtained without MFA carry \"false\" and pass")
    );
    assert!(only(&a, FindingKind::NotDenied).message.contains("nothing denies sessions obtained without MFA"));
}

#[test]
fn bool_false_and_null_present_together_are_enforced() {
    let doc = json!({"Statement": [
        {"Sid": "NoMfaSession", "Effect": "Deny", "NotAction": "sts:GetSessionToken", "Resource": "*",
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": false}}},
        {"Sid": "NoLongTermKeys", "Effect": "Deny", "NotAction": "sts:GetSessionToken", "Resource": "*",
         "Condition": {"Null": {"aws:MultiFactorAuthPresent": "true"}}}]});
    let a = assess(&[managed("Split", doc)]);
    assert_eq!(a.verdict, Verdict::Enforced, "{a:#?}");
    let partials = kinds(&a, FindingKind::PartialCoverage);
    assert_eq!(partials.len(), 2);
    assert!(
        partials.iter().all(|f| f.severity == FindingSeverity::Info && f.message.contains("together they cover both"))
    );
}

#[test]
fn an_extra_anded_key_makes_the_deny_unreliable() {
    let a = assess(&[deny_all_if(json!({
        "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"},
        "StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))]);
    assert_eq!(a.verdict, Verdict::NotEnforced);
    assert!(only(&a, FindingKind::ExtraConditionKey).message.contains("also requires aws:RequestedRegion"));
}

#[test]
fn a_deny_limited_to_some_resources_does_not_enforce() {
    let doc = json!({"Statement": {"Sid": "S3NeedsMfa", "Effect": "Deny", "Action": "*",
        "Resource": ["arn:aws:s3:::prod", "arn:aws:s3:::prod/*"],
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}});
    let a = assess(&[managed("Prod", doc)]);
    assert_eq!(a.verdict, Verdict::NotEnforced);
    let m = &only(&a, FindingKind::LimitedResources).message;
    assert!(m.contains("only on arn:aws:s3:::prod, arn:aws:s3:::prod/*"), "{m}");
    let not_resource = json!({"Statement": {"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:s3:::pub/*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}});
    let a = assess(&[managed("Pub", not_resource)]);
    assert_eq!(a.verdict, Verdict::NotEnforced);
    assert!(only(&a, FindingKind::LimitedResources).message.contains("NotResource, so arn:aws:s3:::pub/*"));
}

#[test]
fn a_deny_of_some_actions_only_does_not_enforce() {
    let doc = json!({"Statement": {"Effect": "Deny", "Action": ["ec2:TerminateInstances", "s3:*"], "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}});
    let a = assess(&[managed("Sensitive", doc)]);
    assert_eq!(a.verdict, Verdict::NotEnforced);
    assert!(only(&a, FindingKind::LimitedActions).message.contains("denies only ec2:TerminateInstances, s3:*"));
}

#[test]
fn not_action_exemptions_beyond_self_service_are_not_enforced() {
    let doc = json!({"Statement": {"Sid": "Leaky", "Effect": "Deny",
        "NotAction": ["iam:*", "sts:AssumeRole", "sts:GetSessionToken", "s3:GetObject", "iam:ListUsers", "iam:DeleteAccessKey"],
        "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}});
    let a = assess(&[managed("Leaky", doc)]);
    assert_eq!(a.verdict, Verdict::NotEnforced);
    assert_eq!(hatch_actions(&a), ["iam:*", "sts:AssumeRole", "s3:GetObject", "iam:ListUsers", "iam:DeleteAccessKey"]);
    assert!(a.escape_hatches[0].why.contains("iam:CreateAccessKey"), "{}", a.escape_hatches[0].why);
    assert_eq!(a.escape_hatches[1].statement.sid.as_deref(), Some("Leaky"));
    assert!(
        a.summary
            .starts_with("MFA is not enforced: `iam:*`, `sts:AssumeRole`, `s3:GetObject` and 2 more are reachable"),
        "{}",
        a.summary
    );
    assert_eq!(kinds(&a, FindingKind::ReachableWithoutMfa).len(), 5);
    assert!(a.fix.is_some());
}

#[test]
fn escape_hatches_are_what_every_covering_deny_lets_through() {
    let deny = |sid: &str, not: Value| {
        json!({"Sid": sid, "Effect": "Deny", "NotAction": not, "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}})
    };
    let doc =
        json!({"Statement": [deny("Wide", json!(["iam:*", "sts:AssumeRole"])), deny("Narrow", json!(["iam:Get*"]))]});
    let a = assess(&[managed("Two", doc)]);
    assert_eq!(a.verdict, Verdict::NotEnforced);
    assert_eq!(
        hatch_actions(&a),
        ["iam:Get*"],
        "sts:AssumeRole is denied by Narrow; iam:* only where Narrow exempts it"
    );
}

#[test]
fn a_deny_in_a_group_inline_policy_enforces_and_names_the_group() {
    let doc = json!({"Statement": {"Sid": "DenyNoMfa", "Effect": "Deny", "NotAction": "iam:ChangePassword", "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}});
    let p = Policy {
        source: Source::GroupInline { group: "developers".into(), name: "force-mfa".into() },
        document: Ok(doc),
    };
    let a = assess(&[admin(), p]);
    assert_eq!(a.verdict, Verdict::Enforced);
    let f = only(&a, FindingKind::Enforcing);
    assert!(f.message.starts_with("group developers inline policy force-mfa (Sid DenyNoMfa)"), "{}", f.message);
    assert!(a.summary.contains("group developers"), "{}", a.summary);
}

#[test]
fn boundary_allowing_only_with_bool_true_enforces_only_if_its_unconditional_allows_are_self_service() {
    let doc = json!({"Statement": [
        {"Sid": "AllowWithMfa", "Effect": "Allow", "Action": "*", "Resource": "*",
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
        {"Sid": "SelfService", "Effect": "Allow", "Action": ["sts:GetSessionToken", "iam:CreateAccessKey"], "Resource": "*"}]});
    let a = assess(&[admin(), boundary("MfaOnly", doc.clone())]);
    assert_eq!(a.verdict, Verdict::NotEnforced, "{a:#?}");
    assert_eq!(hatch_actions(&a), ["iam:CreateAccessKey"]);
    assert_eq!(a.escape_hatches[0].statement.sid.as_deref(), Some("SelfService"));
    assert!(only(&a, FindingKind::LimitedActions).message.contains("more than MFA self-service: iam:CreateAccessKey"));
    let mut doc = doc;
    doc["Statement"][1]["Action"] = json!(["sts:GetSessionToken", "iam:EnableMFADevice"]);
    let a = assess(&[admin(), boundary("MfaOnly", doc)]);
    assert_eq!(a.verdict, Verdict::Enforced, "{a:#?}");
    assert_eq!(
        only(&a, FindingKind::Enforcing).message,
        "boundary MfaOnly allows nothing without MFA except 2 action(s) it allows unconditionally: enforced"
    );
}

#[test]
fn boundary_allowing_with_bool_if_exists_true_does_not_enforce() {
    let doc = json!({"Statement": {"Sid": "AllowWithMfa", "Effect": "Allow", "Action": "*", "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}}});
    let a = assess(&[admin(), boundary("MfaOnly", doc)]);
    assert_eq!(a.verdict, Verdict::NotEnforced);
    let m = &only(&a, FindingKind::BoundaryAllowsWithoutMfa).message;
    assert!(m.contains("true when the key is absent") && m.ends_with("use Bool"), "{m}");
    assert!(
        only(&a, FindingKind::NotDenied).message.contains("nothing denies requests signed with long-term access keys")
    );
}

#[test]
fn boundary_deny_statements_count_like_identity_denies() {
    let doc = json!({"Statement": [
        {"Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "DenyWithoutMfa", "Effect": "Deny", "NotAction": ["iam:GetUser", "sts:GetSessionToken"], "Resource": "*",
         "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]});
    let a = assess(&[admin(), boundary("MfaRequired", doc)]);
    assert_eq!(a.verdict, Verdict::Enforced);
    assert_eq!(
        only(&a, FindingKind::Enforcing).message,
        "boundary MfaRequired (Sid DenyWithoutMfa) denies every action except 2 self-service ones whenever MFA is absent or false: enforced"
    );
}

#[test]
fn identity_allow_with_bool_true_only_does_not_enforce_and_says_why() {
    let doc = json!({"Statement": {"Sid": "AllowWithMfa", "Effect": "Allow", "Action": "*", "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}});
    let a = assess(&[managed("MfaAdmin", doc)]);
    assert_eq!(a.verdict, Verdict::NotEnforced);
    let f = only(&a, FindingKind::AllowOnlyWithMfa);
    assert_eq!(f.severity, FindingSeverity::Warning);
    assert!(
        f.message.contains("an Allow cannot enforce MFA")
            && f.message.contains("only a Deny or a permissions boundary")
    );
}

#[test]
fn an_unreadable_policy_makes_the_verdict_unknown_even_if_the_rest_enforces() {
    let unreadable = Policy {
        source: Source::GroupManaged { group: "ops".into(), arn: "arn:aws:iam::aws:policy/PowerUserAccess".into() },
        document: Err("AccessDenied on iam:GetPolicyVersion".into()),
    };
    let a = assess(&[managed("ForceMFA", aws_force_mfa_example()), unreadable]);
    assert_eq!(a.verdict, Verdict::Unknown);
    assert_eq!(a.fix, None);
    let m = &only(&a, FindingKind::Unreadable).message;
    assert!(
        m.contains("group ops managed policy PowerUserAccess") && m.contains("AccessDenied on iam:GetPolicyVersion"),
        "{m}"
    );
    assert!(m.contains("re-run with iam:GetPolicy and iam:GetPolicyVersion"), "{m}");
    assert!(a.summary.contains("the readable policies would enforce it"), "{}", a.summary);
    let a = assess(&[Policy { source: Source::UserInline { name: "x".into() }, document: Err("throttled".into()) }]);
    assert_eq!(a.verdict, Verdict::Unknown);
    assert!(a.summary.contains("do not enforce it"), "{}", a.summary);
}

#[test]
fn an_unknown_operator_in_a_deny_is_not_relied_on() {
    let a = assess(&[deny_all_if(json!({
        "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"},
        "BinaryEquals": {"aws:SomeBlob": "QUJD"}}))]);
    assert_eq!(a.verdict, Verdict::NotEnforced);
    assert!(only(&a, FindingKind::UnknownOperator).message.contains("BinaryEquals (aws:SomeBlob)"));
}

#[test]
fn no_policies_is_not_enforced_and_the_fix_enforces() {
    let a = assess(&[]);
    assert_eq!(a.verdict, Verdict::NotEnforced);
    let fix = a.fix.expect("NotEnforced comes with a fix");
    let deny: Value = serde_json::from_str(&fix.deny_statement).unwrap();
    assert_eq!(deny["Condition"], json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}));
    let fixed = assess(&[admin(), boundary("MfaRequired", serde_json::from_str(&fix.boundary_document).unwrap())]);
    assert_eq!(fixed.verdict, Verdict::Enforced);
    assert!(fixed.escape_hatches.is_empty());
    let fixed = assess(&[admin(), managed("Fix", json!({"Statement": [deny]}))]);
    assert_eq!(fixed.verdict, Verdict::Enforced);
}

#[test]
fn the_scp_note_is_always_there() {
    for a in [assess(&[]), assess(&[managed("ForceMFA", aws_force_mfa_example())])] {
        let f = only(&a, FindingKind::ScpNotVisible);
        assert_eq!(f.severity, FindingSeverity::Info);
        assert!(f.message.contains("not visible from a member account"));
    }
}

#[test]
fn an_unconditional_deny_all_enforces_but_warns_it_also_blocks_mfa_users() {
    let doc = json!({"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}});
    let a = assess(&[admin(), managed("Lockout", doc)]);
    assert_eq!(a.verdict, Verdict::Enforced);
    assert!(only(&a, FindingKind::DeniesEvenWithMfa).message.contains("even with MFA"));
}

#[test]
fn unrelated_denies_produce_no_findings() {
    let doc = json!({"Statement": [
        {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}},
        {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]});
    let a = assess(&[managed("Guards", doc)]);
    assert_eq!(a.verdict, Verdict::NotEnforced);
    let kinds: Vec<FindingKind> = a.findings.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [FindingKind::NotDenied, FindingKind::ScpNotVisible]);
}

#[test]
fn a_leaky_boundary_compensated_by_a_deny_is_enforced_and_only_informative() {
    let b = json!({"Statement": {"Sid": "AllowWithMfa", "Effect": "Allow", "Action": "*", "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}}});
    let a = assess(&[boundary("MfaOnly", b), deny_all_if(json!({"Null": {"aws:MultiFactorAuthPresent": "true"}}))]);
    assert_eq!(a.verdict, Verdict::Enforced, "{a:#?}");
    for kind in [FindingKind::BoundaryAllowsWithoutMfa, FindingKind::PartialCoverage] {
        let f = only(&a, kind);
        assert_eq!(f.severity, FindingSeverity::Info, "{f:?}");
        assert!(f.message.contains("together they cover both"), "{}", f.message);
    }
}

#[test]
fn the_fix_reads_in_the_order_policies_are_written() {
    let fix = assess(&[]).fix.unwrap();
    assert!(fix.deny_statement.starts_with("{\n  \"Sid\": \"DenyAllExceptListedIfNoMFA\",\n  \"Effect\": \"Deny\""));
    assert!(fix.boundary_document.starts_with("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": ["));
}
