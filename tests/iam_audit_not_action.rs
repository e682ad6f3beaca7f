//! `mfatui audit` against the sandbox reads `NotAction` as IAM does, with the live probe and the
//! simulator out of the way (each user's policies deny `iam:ListAccessKeys` and
//! `iam:SimulatePrincipalPolicy` outright): a Deny enforces MFA only for the actions it covers, and a
//! refusal that applies even with MFA is no evidence. The fix it prints keeps the Deny statement and
//! the boundary (whose `Allow *` grants everything as a policy) apart.

mod common;
use common::stdout;
use common::world::{World, world};
use mfatui::aws::iam::enforcement::SELF_SERVICE;
use mfatui::sandbox::Seed;
use mfatui::sandbox::seed::UserSeed;
use serde_json::{Value, json};

const ACCOUNT: &str = "300000000005";

struct Case {
    name: &'static str,
    not_action: &'static [&'static str],
    /// Whether the profile has an MFA device (else the audit signs with the long-term key only).
    mfa: bool,
    verdict: &'static str,
    reachable: &'static [&'static str],
}

const CASES: [Case; 6] = [
    Case { name: "star", not_action: &["*"], mfa: false, verdict: "not_enforced", reachable: &["*"] },
    Case { name: "s-star", not_action: &["s*"], mfa: true, verdict: "not_enforced", reachable: &["s*"] },
    Case {
        name: "services",
        not_action: &["s3:*", "secretsmanager:*", "sts:GetSessionToken"],
        mfa: true,
        verdict: "not_enforced",
        reachable: &["s3:*", "secretsmanager:*"],
    },
    Case {
        name: "gets",
        not_action: &["*:Get*", "*:Describe*"],
        mfa: true,
        verdict: "not_enforced",
        reachable: &["*:Get*", "*:Describe*"],
    },
    Case {
        name: "iam-gets",
        not_action: &["iam:Get*", "iam:EnableMFADevice"],
        mfa: true,
        verdict: "not_enforced",
        reachable: &["iam:Get*"],
    },
    Case { name: "self-service", not_action: &SELF_SERVICE, mfa: true, verdict: "enforced", reachable: &[] },
];

fn totp(i: usize) -> String {
    format!("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQO{}", ["AA", "AB", "AC", "AD", "AE", "AF"][i])
}

fn key_id(i: usize) -> String {
    format!("AKIANOTACTION{i:07}")
}

/// One user per case: admin, the force-MFA Deny with the case's NotAction, and a plain Deny of the
/// probe and the simulator.
fn not_action_world() -> (World, Vec<(String, String)>) {
    let admin = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    let no_probe = json!({"Version": "2012-10-17", "Statement": [{"Sid": "NoProbe", "Effect": "Deny",
        "Action": ["iam:ListAccessKeys", "iam:SimulatePrincipalPolicy"], "Resource": "*"}]});
    let (mut seed, mut config, mut credentials, mut env) = (Seed::default(), String::new(), String::new(), vec![]);
    for (i, c) in CASES.iter().enumerate() {
        let force = json!({"Version": "2012-10-17", "Statement": [{"Sid": "ForceMfa", "Effect": "Deny",
            "NotAction": c.not_action, "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]});
        let mut u = UserSeed::new(ACCOUNT, c.name)
            .key(&key_id(i), "na-secret")
            .inline_policy("Admin", admin.clone())
            .inline_policy("Mfa", force)
            .inline_policy("NoProbe", no_probe.clone());
        config.push_str(&format!("\n[profile {}]\nregion = eu-west-1\n", c.name));
        if c.mfa {
            u = u.mfa(&format!("{}-phone", c.name), &totp(i));
            config.push_str(&format!("mfa_serial = arn:aws:iam::{ACCOUNT}:mfa/{}-phone\n", c.name));
            env.push((format!("MFATUI_TOTP_SEED_{}", c.name.to_ascii_uppercase().replace('-', "_")), totp(i)));
        }
        seed = seed.user(u);
        credentials.push_str(&format!(
            "\n[{}]\naws_access_key_id = {}\naws_secret_access_key = na-secret\n",
            c.name,
            key_id(i)
        ));
    }
    (world(&seed, &config, &credentials), env)
}

fn run(w: &World, env: &[(String, String)], args: &[&str]) -> (Option<i32>, String) {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let o = w.mfatui(args, &env);
    (o.status.code(), stdout(&o))
}

#[test]
fn a_deny_enforces_mfa_only_for_the_actions_it_covers_with_the_probe_blocked() {
    let (w, env) = not_action_world();
    let mut args = vec!["audit", "--json"];
    args.extend(CASES.iter().map(|c| c.name));
    let (code, out) = run(&w, &env, &args);
    assert_eq!(code, Some(1), "the worst of them is not enforced:\n{out}");
    let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}:\n{out}"));
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{doc:#}");
    for c in &CASES {
        let u = doc["users"].as_array().unwrap().iter().find(|u| u["profile"] == c.name).unwrap();
        let all = serde_json::to_string_pretty(u).unwrap();
        assert_eq!(
            (u["verdict"].as_str(), u["static"]["verdict"].as_str()),
            (Some(c.verdict), Some(c.verdict)),
            "{all}"
        );
        // Neither live check can speak: the plain Deny refuses the probe even with MFA.
        assert_eq!(u["probe"]["result"], "inconclusive", "{}: {all}", c.name);
        assert!(u["probe"]["detail"].as_str().unwrap().contains("even with MFA"), "{all}");
        assert_eq!(u["simulator"]["available"], false, "{all}");
        let hatches: Vec<&str> =
            u["static"]["escape_hatches"].as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap()).collect();
        assert_eq!(hatches, c.reachable, "{}: {all}", c.name);
        let summary = u["static"]["summary"].as_str().unwrap();
        for open in c.reachable {
            assert!(summary.contains(&format!("`{open}`")) && summary.contains("reachable without MFA"), "{summary}");
        }
        assert_eq!(u["fix"].is_null(), c.verdict == "enforced", "{all}");
    }
    // Exit codes and the text form, one by one.
    let (code, text) = run(&w, &env, &["audit", "star"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("MFA NOT ENFORCED") && text.contains("`*` is reachable without MFA"), "{text}");
    assert!(text.contains("it denies nothing"), "{text}");
    assert!(!text.contains("evidence that MFA is enforced"), "a refusal even with MFA is no evidence:\n{text}");
    let (code, text) = run(&w, &env, &["audit", "services"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("`s3:*` is reachable without MFA") && text.contains("`secretsmanager:*`"), "{text}");
    assert_eq!(run(&w, &env, &["audit", "self-service"]).0, Some(0));
}

#[test]
fn the_printed_fix_puts_the_deny_under_this_deny_and_the_boundary_apart() {
    let (w, env) = not_action_world();
    let (code, text) = run(&w, &env, &["audit", "services"]);
    assert_eq!(code, Some(1), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    let at = |what: &str| lines.iter().position(|l| l.contains(what)).unwrap_or_else(|| panic!("{what}:\n{text}"));
    let (deny, boundary) = (
        at("Add this Deny statement to a policy"),
        at("as the user's permissions boundary. A permissions boundary caps"),
    );
    assert!(deny < boundary, "{text}");
    let under_deny = lines[deny + 1..boundary].join("\n");
    let statement: Value = serde_json::from_str(&under_deny).unwrap_or_else(|e| panic!("{e}: {under_deny}"));
    assert_eq!(statement["Effect"], "Deny", "only the Deny under \"this Deny\": {under_deny}");
    assert!(!under_deny.contains("Allow"), "{under_deny}");
    let label = lines[boundary];
    assert!(
        label.contains("never grants anything itself") && label.contains("grants full administrator access"),
        "{label}"
    );
    assert!(lines[boundary + 1..].join("\n").contains("\"Action\": \"*\""), "the boundary follows its label:\n{text}");
    // The dashboard shows the same texts: they come from the domain.
    let fix = mfatui::aws::iam::enforcement::fix();
    assert!(text.contains(&fix.deny_label) && text.contains(&fix.boundary_label));
    let (_, json_out) = run(&w, &env, &["audit", "services", "--json"]);
    let doc: Value = serde_json::from_str(&json_out).unwrap();
    assert_eq!(doc["users"][0]["fix"]["deny_statement"]["Effect"], "Deny");
    assert_eq!(doc["users"][0]["fix"]["boundary_label"], fix.boundary_label);
}
