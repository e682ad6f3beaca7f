//! `mfatui audit` and `mfatui keys` end to end against the sandbox: the demo world (alice
//! enforced by a boundary, bob's `Bool` boundary not, carol unknown to herself) plus one user per
//! rule of the analysis; the live probe and the simulator beside the static verdict; `--fix`
//! turning bob enforced; the JSON shapes; key ids masked in every output.

mod common;
use common::world::{World, world};
use common::{stderr, stdout};
use mfatui::sandbox::Seed;
use mfatui::sandbox::demo_world::{self, IDENTITY};
use mfatui::sandbox::seed::{GroupSeed, UserSeed};
use serde_json::{Value, json};

/// AWS's documented "manage your own credentials, only with MFA" policy (IAM user guide,
/// reference_policies_examples_aws_my-sec-creds-self-manage).
fn aws_sample() -> Value {
    let me = "arn:aws:iam::*:user/${aws:username}";
    json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "AllowViewAccountInfo", "Effect": "Allow", "Action": ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"], "Resource": "*"},
        {"Sid": "AllowManageOwnPasswords", "Effect": "Allow", "Action": ["iam:ChangePassword", "iam:GetUser"], "Resource": me},
        {"Sid": "AllowManageOwnAccessKeys", "Effect": "Allow", "Action": ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey", "iam:GetAccessKeyLastUsed"], "Resource": me},
        {"Sid": "AllowManageOwnVirtualMFADevice", "Effect": "Allow", "Action": ["iam:CreateVirtualMFADevice"], "Resource": "arn:aws:iam::*:mfa/*"},
        {"Sid": "AllowManageOwnUserMFA", "Effect": "Allow", "Action": ["iam:DeactivateMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "iam:ResyncMFADevice"], "Resource": me},
        {"Sid": "DenyAllExceptListedIfNoMFA", "Effect": "Deny", "NotAction": [
            "iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ListMFADevices",
            "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken"],
         "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}
    ]})
}

fn deny(condition: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Sid": "MfaOrNothing", "Effect": "Deny", "Action": "*", "Resource": "*", "Condition": condition}]})
}

fn deny_not(not_action: &[&str], resource: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Sid": "DenyWithoutMfa", "Effect": "Deny", "NotAction": not_action,
        "Resource": resource, "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]})
}

const SELF_SERVICE: &[&str] = &["iam:EnableMFADevice", "iam:ListMFADevices", "iam:GetUser", "sts:GetSessionToken"];

struct Case {
    name: &'static str,
    policy: Option<Value>,
    group: Option<&'static str>,
    boundary: Option<&'static str>,
    /// Expected: overall verdict, static verdict, probe result.
    expect: (&'static str, &'static str, &'static str),
}

fn cases() -> Vec<Case> {
    let c = |name, policy: Option<Value>, expect| Case { name, policy, group: None, boundary: None, expect };
    vec![
        c("sample", Some(aws_sample()), ("enforced", "enforced", "explicit_deny")),
        c(
            "age-ifexists",
            Some(deny(json!({"NumericGreaterThanIfExists": {"aws:MultiFactorAuthAge": "3600"}}))),
            ("enforced", "enforced", "explicit_deny"),
        ),
        c(
            "age-plain",
            Some(deny(json!({"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}))),
            ("not_enforced", "not_enforced", "allowed"),
        ),
        c(
            "null-age",
            Some(deny(json!({"Null": {"aws:MultiFactorAuthAge": "true"}}))),
            ("enforced", "enforced", "explicit_deny"),
        ),
        c(
            "extra-key",
            Some(deny(json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"},
                             "StringEquals": {"aws:RequestedRegion": "ap-south-1"}}))),
            ("not_enforced", "not_enforced", "allowed"),
        ),
        c(
            "some-resources",
            Some(deny_not(SELF_SERVICE, "arn:aws:s3:::*")),
            ("not_enforced", "not_enforced", "allowed"),
        ),
        // `iam:*` exempts more than MFA self-service: not enforced statically, and the probe gets through.
        c(
            "escape-hatch",
            Some(deny_not(&["iam:*", "sts:GetSessionToken"], "*")),
            ("not_enforced", "not_enforced", "allowed"),
        ),
        Case { group: Some("mfa-forced"), ..c("group-deny", None, ("enforced", "enforced", "explicit_deny")) },
        Case {
            boundary: Some("AllowOnlyWithMfa"),
            ..c("boundary-bool", None, ("enforced", "enforced", "inconclusive"))
        },
        Case {
            boundary: Some("AllowIfMfaOrNot"),
            ..c("boundary-boolifexists", None, ("not_enforced", "not_enforced", "allowed"))
        },
    ]
}

/// A TOTP seed per user (base32).
fn totp(i: usize) -> String {
    format!("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQO{}", ["AA", "AB", "AC", "AD", "AE", "AF", "AG", "AH", "AI", "AJ"][i])
}

fn key_id(i: usize) -> String {
    format!("AKIATESTCASE{i:08}")
}

/// The demo world plus one user per case, and the AWS files describing all of them.
fn audit_world() -> (World, Vec<(String, String)>) {
    let allow = |cond: Value| json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": cond}]});
    let mut seed: Seed = demo_world::seed()
        .policy(IDENTITY, "AllowOnlyWithMfa", allow(json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})))
        .policy(IDENTITY, "AllowIfMfaOrNot", allow(json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}})))
        .add_group(GroupSeed::new(IDENTITY, "mfa-forced").inline_policy("ForceMfa", deny_not(SELF_SERVICE, "*")));
    let mut config = demo_world::config_file();
    let mut credentials = demo_world::credentials_file();
    let mut env = vec![
        ("MFATUI_TOTP_SEED_ALICE".to_string(), "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP".to_string()),
        ("MFATUI_TOTP_SEED_BOB".to_string(), "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU".to_string()),
        ("MFATUI_TOTP_SEED_CAROL".to_string(), "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U".to_string()),
    ];
    for (i, c) in cases().into_iter().enumerate() {
        let mut u =
            UserSeed::new(IDENTITY, c.name).key(&key_id(i), "case-secret").mfa(&format!("{}-phone", c.name), &totp(i));
        u = u.in_group("engineers");
        if let Some(p) = c.policy {
            u = u.inline_policy("Mfa", p);
        }
        if let Some(g) = c.group {
            u = u.in_group(g);
        }
        if let Some(b) = c.boundary {
            u = u.boundary(&format!("arn:aws:iam::{IDENTITY}:policy/{b}"));
        }
        seed = seed.user(u);
        config.push_str(&format!(
            "\n[profile {n}]\nregion = eu-west-1\nmfa_serial = arn:aws:iam::{IDENTITY}:mfa/{n}-phone\n",
            n = c.name
        ));
        credentials.push_str(&format!(
            "\n[{}]\naws_access_key_id = {}\naws_secret_access_key = case-secret\n",
            c.name,
            key_id(i)
        ));
        env.push((format!("MFATUI_TOTP_SEED_{}", c.name.to_ascii_uppercase().replace('-', "_")), totp(i)));
    }
    (world(&seed, &config, &credentials), env)
}

/// Every full access key id of the world: none may appear in any output.
fn full_ids() -> Vec<String> {
    let mut ids: Vec<String> = demo_world::USERS.iter().map(|u| u.key_id.to_string()).collect();
    ids.extend((0..cases().len()).map(key_id));
    ids
}

fn run(w: &World, env: &[(String, String)], args: &[&str]) -> (Option<i32>, String) {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let o = w.mfatui(args, &env);
    let (out, err) = (stdout(&o), stderr(&o));
    for id in full_ids() {
        assert!(!out.contains(&id) && !err.contains(&id), "{id} in the output of {args:?}:\n{out}{err}");
    }
    assert!(!out.contains("case-secret") && !out.contains("demo/alice/secret"), "a secret in {args:?}");
    (o.status.code(), format!("{out}{err}"))
}

fn json_of(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"))
}

fn user<'a>(doc: &'a Value, profile: &str) -> &'a Value {
    doc["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["profile"] == profile)
        .unwrap_or_else(|| panic!("{profile}: {doc:#}"))
}

#[test]
fn every_rule_end_to_end_with_the_probe_and_the_simulator() {
    let (w, env) = audit_world();
    let mut names: Vec<&str> = vec!["alice", "bob", "carol"];
    let cases = cases();
    names.extend(cases.iter().map(|c| c.name));
    let mut args = vec!["audit", "--json"];
    args.extend(&names);
    let (code, out) = run(&w, &env, &args);
    assert_eq!(code, Some(2), "the worst of them: carol is unknown\n{out}");
    let doc = json_of(&out);
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{doc:#}");

    let alice = user(&doc, "alice");
    assert_eq!((alice["verdict"].as_str(), alice["static"]["verdict"].as_str()), (Some("enforced"), Some("enforced")));
    assert_eq!(alice["probe"]["result"], "explicit_deny");
    assert_eq!(alice["probe"]["policy_type"], "permissions boundary");
    assert_eq!(alice["probe"]["action"], "iam:ListAccessKeys");
    assert_eq!(alice["simulator"]["available"], true);
    assert_eq!(alice["simulator"]["mfa_absent"]["decision"], "explicit_deny");
    assert_eq!(alice["simulator"]["mfa_false"]["decision"], "explicit_deny");
    assert!(alice["fix"].is_null());

    let bob = user(&doc, "bob");
    assert_eq!(
        (bob["verdict"].as_str(), bob["static"]["verdict"].as_str()),
        (Some("not_enforced"), Some("not_enforced"))
    );
    assert_eq!(bob["probe"]["result"], "allowed");
    assert_eq!(bob["simulator"]["mfa_absent"]["decision"], "allowed");
    let kinds: Vec<&str> =
        bob["static"]["findings"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"partial_coverage") && kinds.contains(&"scp_not_visible"), "{kinds:?}");
    assert_eq!(
        bob["fix"]["boundary_document"]["Statement"][1]["Condition"]["BoolIfExists"]["aws:MultiFactorAuthPresent"],
        "false"
    );
    assert_eq!(bob["fix"]["deny_statement"]["Effect"], "Deny");

    let carol = user(&doc, "carol");
    assert_eq!((carol["verdict"].as_str(), carol["static"]["verdict"].as_str()), (Some("unknown"), Some("unknown")));
    assert_eq!(carol["probe"]["policy_type"], "identity-based policy", "evidence, not proof");
    assert_eq!(carol["simulator"]["available"], false);
    assert!(carol["simulator"]["reason"].as_str().unwrap().contains("may not use iam:SimulatePrincipalPolicy"));
    assert!(carol["static"]["policies"].as_array().unwrap().iter().any(|p| p["readable"] == false));
    assert!(!carol["static"]["gaps"].as_array().unwrap().is_empty());

    for c in &cases {
        let u = user(&doc, c.name);
        let got = (
            u["verdict"].as_str().unwrap(),
            u["static"]["verdict"].as_str().unwrap(),
            u["probe"]["result"].as_str().unwrap(),
        );
        assert_eq!(got, c.expect, "{}: {}", c.name, serde_json::to_string_pretty(u).unwrap());
        // The simulator agrees with the probe wherever both speak.
        let sim = u["simulator"]["mfa_absent"]["decision"].as_str().unwrap();
        match c.expect.2 {
            "allowed" => assert_eq!(sim, "allowed", "{}", c.name),
            "explicit_deny" => assert_eq!(sim, "explicit_deny", "{}", c.name),
            _ => assert_eq!(sim, "implicit_deny", "{}", c.name),
        }
        assert_eq!(u["fix"].is_null(), c.expect.0 != "not_enforced", "{}", c.name);
    }
    let hatch = user(&doc, "escape-hatch");
    assert_eq!(hatch["static"]["escape_hatches"][0]["action"], "iam:*");
    let group = user(&doc, "group-deny");
    assert!(
        group["static"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "enforcing" && f["source"]["group"] == "mfa-forced")
    );

    // Exit codes one by one, and the text form.
    assert_eq!(run(&w, &env, &["audit", "alice"]).0, Some(0));
    assert_eq!(run(&w, &env, &["audit", "alice", "bob"]).0, Some(1));
    let (code, text) = run(&w, &env, &["audit", "carol"]);
    assert_eq!(code, Some(2));
    assert!(text.contains("UNKNOWN") && text.contains("(c) policy simulator: not available"), "{text}");
    let (_, text) = run(&w, &env, &["audit", "bob"]);
    assert!(text.contains("MFA NOT ENFORCED") && text.contains("\"BoolIfExists\""), "the fix is shown:\n{text}");
}

#[test]
fn fix_turns_bob_enforced_when_the_caller_may() {
    let (w, env) = audit_world();
    // Bob may not change his own boundary: refused before anything changes.
    let (code, out) = run(&w, &env, &["audit", "bob", "--fix", "--yes"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("fix not applied") && out.contains("bob may not iam:PutUserPermissionsBoundary"), "{out}");
    // Without a terminal, --fix needs --yes.
    let (code, out) = run(&w, &env, &["audit", "bob", "--as", "alice", "--fix"]);
    assert_eq!(code, Some(2));
    assert!(out.contains("add --yes"), "{out}");
    // As alice (an administrator): MfaRequired exists and enforces, so it is only attached.
    let (code, out) = run(&w, &env, &["audit", "bob", "--as", "alice", "--fix", "--yes", "--json"]);
    assert_eq!(code, Some(0), "{out}");
    let doc = json_of(&out);
    let bob = user(&doc, "bob");
    assert_eq!((bob["verdict"].as_str(), bob["caller"].as_str()), (Some("not_enforced"), Some("alice")));
    let after = &bob["after_fix"];
    assert_eq!(after["verdict"], "enforced", "{after:#}");
    assert_eq!(after["static"]["boundary"], format!("arn:aws:iam::{IDENTITY}:policy/MfaRequired"));
    assert_eq!(after["probe"]["policy_type"], "permissions boundary");
    // Bob's own audit agrees now.
    assert_eq!(run(&w, &env, &["audit", "bob"]).0, Some(0));
}

#[test]
fn fix_creates_the_policy_where_it_is_missing() {
    let account = "300000000003";
    let admin = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    let seed = Seed::default()
        .user(
            UserSeed::new(account, "root-admin")
                .key("AKIAROOTADMIN0000001", "ra")
                .inline_policy("Admin", admin.clone()),
        )
        .user(UserSeed::new(account, "frank").key("AKIAFRANK00000000001", "fr").inline_policy("All", admin));
    let config = "[profile root-admin]\nregion = eu-west-1\n\n[profile frank]\nregion = eu-west-1\n";
    let credentials = "[root-admin]\naws_access_key_id = AKIAROOTADMIN0000001\naws_secret_access_key = ra\n\n[frank]\naws_access_key_id = AKIAFRANK00000000001\naws_secret_access_key = fr\n";
    let w = world(&seed, config, credentials);
    let o = w.mfatui(&["audit", "frank", "--as", "root-admin", "--fix", "--yes"], &[]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(out.contains("root-admin has no mfa_serial") || out.contains("long-term key, no MFA"), "{out}");
    assert!(out.contains("--fix: creating arn:aws:iam::300000000003:policy/MfaRequired"), "{out}");
    assert!(
        out.contains("After the fix:") && out.contains("frank (arn:aws:iam::300000000003:user/frank): MFA ENFORCED"),
        "{out}"
    );
}

#[test]
fn keys_json_shape_and_masked_ids() {
    let (w, env) = audit_world();
    let (code, out) = run(&w, &env, &["keys", "alice", "carol", "ci-bot", "--json"]);
    assert_eq!(code, Some(0), "{out}");
    let doc = json_of(&out);
    assert_eq!(doc["key_max_age_days"], 90);
    let alice = user(&doc, "alice");
    assert_eq!((alice["user"].as_str(), alice["mfa_session"].as_bool()), (Some("alice"), Some(true)));
    assert_eq!(alice["arn"], format!("arn:aws:iam::{IDENTITY}:user/alice"));
    let key = &alice["access_keys"][0];
    assert_eq!((key["id"].as_str(), key["status"].as_str()), (Some("****0001"), Some("Active")));
    assert_eq!(
        (key["in_use"].as_bool(), key["old"].as_bool(), key["age_days"].as_i64()),
        (Some(true), Some(false), Some(0))
    );
    assert!(key["created"].as_str().unwrap().ends_with('Z'));
    assert_eq!(key["last_used"]["service"], "sts", "the sign-in used it: {key:#}");
    let device = &alice["mfa_devices"][0];
    assert_eq!(device["serial"], format!("arn:aws:iam::{IDENTITY}:mfa/alice-phone"));
    assert_eq!((device["kind"].as_str(), device["usable_from_cli"].as_bool()), (Some("virtual"), Some(true)));
    assert_eq!(alice["groups"], json!(["engineers"]));
    assert_eq!(alice["inline_policies"], json!(["AdministerIdentityAccount"]));
    assert_eq!(alice["permissions_boundary"], format!("arn:aws:iam::{IDENTITY}:policy/MfaRequired"));
    assert!(alice["access_keys_error"].is_null() && alice["problems"].as_array().unwrap().is_empty(), "{alice:#}");
    // What carol may not read is named, the rest is there.
    let carol = user(&doc, "carol");
    assert!(carol["attached_policies"].is_null());
    assert!(carol["attached_policies_error"].as_str().unwrap().contains("explicit deny in an identity-based policy"));
    assert_eq!(carol["inline_policies"], json!(["ForceMfa", "NoPolicyReading"]));
    // ci-bot has no mfa_serial: its long-term key signs, and the output says so.
    let bot = user(&doc, "ci-bot");
    assert_eq!(bot["mfa_session"], false);
    let (_, text) = run(&w, &env, &["keys", "ci-bot"]);
    assert!(text.contains("long-term key: no mfa_serial") && text.contains("****0001"), "{text}");
    // Rotation output masks ids too (run checks every output for full ids).
    let (code, text) = run(&w, &env, &["rotate", "bob", "--yes"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("was ****0001"), "{text}");
}
