use super::*;
use serde_json::json;

const ARN: &str = "arn:aws:iam::123456789012:user/alice";

fn req<'a>(action: &'a str, resource: &'a str, context: &'a Context) -> Request<'a> {
    Request { action, resource, context }
}

/// Whether a one-statement Allow policy with `condition` applies under `ctx`.
fn cond(condition: Value, ctx: &Context) -> bool {
    let doc = json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition}});
    evaluate(&doc, &req("s3:GetObject", "arn:aws:s3:::b/k", ctx)).allows()
}

fn ctx(key: &str, value: &str) -> Context {
    Context::new().with(key, value)
}

#[test]
fn action_wildcards_are_case_insensitive() {
    assert!(action_matches("*", "sts:AssumeRole"));
    assert!(action_matches("iam:List*", "iam:ListAccessKeys"));
    assert!(action_matches("IAM:get?ser", "iam:GetUser"));
    assert!(action_matches("*:Get*", "s3:GetObject"));
    assert!(!action_matches("iam:List*", "sts:ListX"));
    assert!(!action_matches("iam:GetUser", "iam:GetUserPolicy"));
    assert!(!action_matches("iam:Get?", "iam:Get"));
}

#[test]
fn resource_wildcards_are_case_sensitive_and_span_colons_only_at_segment_ends() {
    assert!(resource_matches("*", ARN));
    assert!(resource_matches("arn:aws:iam::*:user/*", ARN));
    assert!(resource_matches("arn:aws:iam::123456789012:user/al?ce", ARN));
    assert!(!resource_matches("arn:aws:iam::123456789012:user/Alice", ARN));
    assert!(resource_matches("arn:aws:iam::*", ARN), "a * ending a segment spans colons");
    assert!(resource_matches("arn:aws:s3:::b*", "arn:aws:s3:::b:x:k"));
    assert!(!resource_matches("arn:aws:s3:::b*k", "arn:aws:s3:::b:x:k"), "a * inside a segment does not");
    assert!(resource_matches(
        "arn:aws:logs:*:*:log-group:app:*",
        "arn:aws:logs:eu-west-1:1:log-group:app:log-stream:x"
    ));
}

#[test]
fn not_action_and_not_resource_invert_the_match() {
    let doc = json!({"Statement": [
        {"Effect": "Allow", "NotAction": ["iam:*", "sts:*"], "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::public/*"}
    ]});
    let c = Context::new();
    assert!(!evaluate(&doc, &req("iam:CreateUser", "*", &c)).allows());
    assert!(evaluate(&doc, &req("ec2:RunInstances", "*", &c)).allows());
    assert!(evaluate(&doc, &req("s3:GetObject", "arn:aws:s3:::secret/k", &c)).denies());
    assert!(!evaluate(&doc, &req("s3:GetObject", "arn:aws:s3:::public/k", &c)).denies());
}

#[test]
fn lenient_parsing_single_statement_and_missing_elements() {
    let c = Context::new();
    let single = json!({"Statement": {"Sid": "One", "Effect": "Allow", "Action": "s3:GetObject"}});
    let d = evaluate(&single, &req("s3:GetObject", "arn:aws:s3:::b/k", &c));
    assert_eq!(d.allowed_by, Some(StatementRef { index: 0, sid: Some("One".into()) }), "no Resource = every resource");
    let no_action = json!({"Statement": [{"Effect": "Deny", "Resource": "*"}, {"Effect": "Maybe", "Action": "*"}]});
    let d = evaluate(&no_action, &req("s3:GetObject", "*", &c));
    assert!(!d.denies() && !d.allows(), "no Action/NotAction or a bad Effect never applies");
    assert_eq!(evaluate(&json!({}), &req("s3:GetObject", "*", &c)), DocumentDecision::default());
}

#[test]
fn string_operators() {
    let c = ctx("aws:username", "Alice");
    assert!(cond(json!({"StringEquals": {"aws:username": "Alice"}}), &c));
    assert!(!cond(json!({"StringEquals": {"aws:username": "alice"}}), &c));
    assert!(cond(json!({"StringEqualsIgnoreCase": {"AWS:UserName": "alice"}}), &c), "keys are case-insensitive");
    assert!(cond(json!({"StringNotEquals": {"aws:username": "Bob"}}), &c));
    assert!(!cond(json!({"StringNotEqualsIgnoreCase": {"aws:username": "ALICE"}}), &c));
    assert!(cond(json!({"StringLike": {"aws:username": "A*e"}}), &c));
    assert!(!cond(json!({"StringLike": {"aws:username": "a*"}}), &c));
    assert!(cond(json!({"StringNotLike": {"aws:username": "B*"}}), &c));
    assert!(cond(json!({"StringEquals": {"aws:username": ["Bob", "Alice"]}}), &c), "values are ORed");
}

#[test]
fn negated_operators_with_several_values_are_nor() {
    let c = ctx("aws:RequestedRegion", "eu-west-1");
    assert!(!cond(json!({"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}), &c));
    assert!(cond(json!({"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2"]}}), &c));
}

#[test]
fn absent_key_false_for_plain_true_for_negated_and_ifexists() {
    let c = Context::new();
    assert!(!cond(json!({"StringEquals": {"aws:PrincipalTag/team": "x"}}), &c));
    assert!(cond(json!({"StringNotEquals": {"aws:PrincipalTag/team": "x"}}), &c));
    assert!(cond(json!({"ArnNotLike": {"aws:SourceArn": "arn:*"}}), &c));
    assert!(cond(json!({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), &c));
    assert!(!cond(json!({"Bool": {"aws:MultiFactorAuthPresent": "false"}}), &c));
    assert!(cond(json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}), &c));
    assert!(cond(json!({"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "1"}}), &c));
    assert!(!cond(json!({"NumericLessThan": {"aws:MultiFactorAuthAge": "1"}}), &c));
    // IfExists still evaluates a present key.
    assert!(!cond(
        json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}),
        &ctx("aws:MultiFactorAuthPresent", "true")
    ));
    assert!(!cond(json!({"StringNotEqualsIfExists": {"k": "v"}}), &ctx("k", "v")));
}

#[test]
fn numeric_operators() {
    let c = ctx("aws:MultiFactorAuthAge", "300");
    let t = |op: &str, v: Value| cond(json!({ op: {"aws:MultiFactorAuthAge": v} }), &c);
    assert!(t("NumericEquals", json!(300)) && !t("NumericEquals", json!("301")));
    assert!(t("NumericNotEquals", json!("301")) && !t("NumericNotEquals", json!("300")));
    assert!(t("NumericLessThan", json!("301")) && !t("NumericLessThan", json!("300")));
    assert!(t("NumericLessThanEquals", json!("300")) && !t("NumericLessThanEquals", json!("299")));
    assert!(t("NumericGreaterThan", json!("299.5")) && !t("NumericGreaterThan", json!("300")));
    assert!(t("NumericGreaterThanEquals", json!("300")) && !t("NumericGreaterThanEquals", json!("301")));
    assert!(!t("NumericEquals", json!("three hundred")), "unparseable values do not match");
}

#[test]
fn date_operators_accept_iso_8601_and_epoch_seconds() {
    let c = ctx("aws:CurrentTime", "2024-06-01T12:00:00Z");
    let t = |op: &str, v: &str| cond(json!({ op: {"aws:CurrentTime": v} }), &c);
    assert!(t("DateEquals", "2024-06-01T14:00:00+02:00"));
    assert!(t("DateEquals", "1717243200"), "epoch seconds");
    assert!(t("DateNotEquals", "2024-06-01"));
    assert!(t("DateLessThan", "2024-06-02") && !t("DateLessThan", "2024-06-01T12:00:00Z"));
    assert!(t("DateLessThanEquals", "2024-06-01T12:00:00Z"));
    assert!(t("DateGreaterThan", "2024-06-01T11:59:59.5Z") && !t("DateGreaterThan", "2025-01-01"));
    assert!(t("DateGreaterThanEquals", "1717243200"));
    assert!(!t("DateEquals", "June 1st"));
}

#[test]
fn bool_accepts_json_booleans_and_strings() {
    let c = ctx("aws:MultiFactorAuthPresent", "true");
    assert!(cond(json!({"Bool": {"aws:MultiFactorAuthPresent": true}}), &c));
    assert!(cond(json!({"Bool": {"aws:MultiFactorAuthPresent": "TRUE"}}), &c));
    assert!(!cond(json!({"Bool": {"aws:MultiFactorAuthPresent": "false"}}), &c));
    assert!(!cond(json!({"Bool": {"aws:MultiFactorAuthPresent": "yes"}}), &c));
}

#[test]
fn arn_operators_match_per_component() {
    let c = ctx("aws:PrincipalArn", ARN);
    assert!(cond(json!({"ArnEquals": {"aws:PrincipalArn": ARN}}), &c));
    assert!(cond(json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}), &c));
    assert!(!cond(json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}), &c));
    assert!(cond(json!({"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::1:user/bob"}}), &c));
    assert!(!cond(json!({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:*"}}), &c));
}

#[test]
fn ip_address_operators_use_cidr() {
    let c = ctx("aws:SourceIp", "203.0.113.7");
    assert!(cond(json!({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}), &c));
    assert!(cond(json!({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.7"]}}), &c));
    assert!(!cond(json!({"IpAddress": {"aws:SourceIp": "203.0.112.0/24"}}), &c));
    assert!(cond(json!({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), &c));
    assert!(cond(json!({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}), &c));
    assert!(cond(json!({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}), &ctx("aws:SourceIp", "2001:db8::1")));
}

#[test]
fn null_tests_absence() {
    let absent = Context::new();
    let present = ctx("aws:MultiFactorAuthAge", "30");
    let null_true = json!({"Null": {"aws:MultiFactorAuthAge": "true"}});
    let null_false = json!({"Null": {"aws:MultiFactorAuthAge": false}});
    assert!(cond(null_true.clone(), &absent) && !cond(null_true, &present));
    assert!(!cond(null_false.clone(), &absent) && cond(null_false, &present));
    assert!(cond(json!({"Null": {"k": "true"}}), &Context::new().with_values("k", Vec::<String>::new())));
}

#[test]
fn set_operators_for_multi_valued_keys() {
    let tags = Context::new().with_values("aws:TagKeys", ["env", "team"]);
    let any = |v: Value, c: &Context| cond(json!({"ForAnyValue:StringEquals": {"aws:TagKeys": v}}), c);
    let all = |v: Value, c: &Context| cond(json!({"ForAllValues:StringEquals": {"aws:TagKeys": v}}), c);
    assert!(any(json!(["team"]), &tags) && !any(json!(["owner"]), &tags));
    assert!(all(json!(["env", "team", "x"]), &tags) && !all(json!(["env"]), &tags));
    assert!(all(json!(["env"]), &Context::new()), "ForAllValues holds for an absent key");
    assert!(!any(json!(["env"]), &Context::new()), "ForAnyValue fails for an absent key");
    assert!(cond(json!({"ForAllValues:StringNotLike": {"aws:TagKeys": ["secret*"]}}), &tags));
    assert!(!cond(json!({"ForAllValues:StringNotLike": {"aws:TagKeys": ["t*"]}}), &tags));
    assert!(cond(json!({"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": "x"}}), &Context::new()));
}

#[test]
fn operator_blocks_and_keys_are_anded() {
    let c = ctx("a", "1").with("b", "2");
    assert!(cond(json!({"StringEquals": {"a": "1", "b": "2"}}), &c));
    assert!(!cond(json!({"StringEquals": {"a": "1", "b": "3"}}), &c));
    assert!(!cond(json!({"StringEquals": {"a": "1"}, "NumericEquals": {"b": "3"}}), &c));
}

#[test]
fn unknown_operators_make_the_statement_not_apply_and_are_reported() {
    let doc = json!({"Statement": [{"Sid": "Odd", "Effect": "Deny", "Action": "*", "Resource": "*",
        "Condition": {"BinaryEquals": {"k": "AA=="}}},
        {"Effect": "Deny", "Action": "*", "Condition": {"NullIfExists": {"k": "true"}}}]});
    let d = evaluate(&doc, &req("s3:GetObject", "*", &Context::new()));
    assert!(!d.denies());
    let ops: Vec<_> = d.unevaluable.iter().map(|(r, op)| format!("{r}: {op}")).collect();
    assert_eq!(ops, ["Sid Odd: BinaryEquals", "statement 2: NullIfExists"]);
    assert!(!cond(json!("not an object"), &Context::new()));
}

#[test]
fn policy_variables_in_resources() {
    let doc =
        json!({"Statement": {"Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws:iam::*:user/${aws:username}"}});
    let alice = ctx("aws:username", "alice");
    assert!(evaluate(&doc, &req("iam:GetUser", ARN, &alice)).allows());
    assert!(!evaluate(&doc, &req("iam:GetUser", "arn:aws:iam::123456789012:user/bob", &alice)).allows());
    assert!(!evaluate(&doc, &req("iam:GetUser", ARN, &Context::new())).allows(), "unresolved variable");
    assert!(
        resource_matches("arn:aws:s3:::b/${*}", "arn:aws:s3:::b/*")
            && !resource_matches("arn:aws:s3:::b/${*}", "arn:aws:s3:::b/x")
    );
}

#[test]
fn decide_explicit_deny_then_identity_allow_then_boundary() {
    let allow = json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}});
    let deny = json!({"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}});
    let none = json!({"Statement": []});
    let c = Context::new();
    let r = req("sts:AssumeRole", "*", &c);
    assert_eq!(decide(&[&allow, &deny], Some(&deny), &r), Decision::ExplicitDeny(PolicyType::Identity));
    assert_eq!(decide(&[&allow], Some(&deny), &r), Decision::ExplicitDeny(PolicyType::Boundary));
    assert_eq!(decide(&[&none], Some(&deny), &r), Decision::ExplicitDeny(PolicyType::Boundary));
    assert_eq!(decide(&[&none], Some(&allow), &r), Decision::ImplicitDeny(PolicyType::Identity));
    assert_eq!(decide(&[], None, &r), Decision::ImplicitDeny(PolicyType::Identity));
    assert_eq!(decide(&[&allow], Some(&none), &r), Decision::ImplicitDeny(PolicyType::Boundary));
    assert_eq!(decide(&[&allow], Some(&allow), &r), Decision::Allow);
    assert_eq!(decide(&[&none, &allow], None, &r), Decision::Allow);
}

#[test]
fn mfa_boundary_denies_long_term_keys_and_sessions_without_mfa() {
    let allow = json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}});
    let boundary = json!({"Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "NotAction": ["sts:GetSessionToken"], "Resource": "*",
         "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]});
    let keys = Context::new();
    let no_mfa = ctx("aws:MultiFactorAuthPresent", "false");
    let mfa = ctx("aws:MultiFactorAuthPresent", "true");
    let d = |a: &str, c: &Context| decide(&[&allow], Some(&boundary), &req(a, "*", c));
    assert_eq!(d("sts:AssumeRole", &keys), Decision::ExplicitDeny(PolicyType::Boundary));
    assert_eq!(d("sts:AssumeRole", &no_mfa), Decision::ExplicitDeny(PolicyType::Boundary));
    assert_eq!(d("sts:GetSessionToken", &keys), Decision::Allow);
    assert_eq!(d("sts:AssumeRole", &mfa), Decision::Allow);
}

#[test]
fn access_denied_messages_use_aws_wording() {
    let m = |d| access_denied_message(ARN, "sts:AssumeRole", "arn:aws:iam::1:role/r", &d);
    let head = format!("User: {ARN} is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::1:role/r");
    assert_eq!(m(Decision::Allow), None);
    assert_eq!(
        m(Decision::ExplicitDeny(PolicyType::Boundary)).unwrap(),
        format!("{head} with an explicit deny in a permissions boundary")
    );
    assert_eq!(
        m(Decision::ExplicitDeny(PolicyType::Identity)).unwrap(),
        format!("{head} with an explicit deny in an identity-based policy")
    );
    assert_eq!(
        m(Decision::ImplicitDeny(PolicyType::Identity)).unwrap(),
        format!("{head} because no identity-based policy allows the sts:AssumeRole action")
    );
    assert_eq!(
        m(Decision::ImplicitDeny(PolicyType::Boundary)).unwrap(),
        format!("{head} because no permissions boundary allows the sts:AssumeRole action")
    );
}
