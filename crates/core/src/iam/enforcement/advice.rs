//! What the audit tells the user: which exempted actions matter and why, the wording of the coverage
//! findings, and the fix.

use serde::Serialize;
use serde_json::{Value, json};

use super::{
    AGE, Condition, Cover, EscapeHatch, Fix, PRESENT, Patterns, SCENARIOS, Test, action_matches, every_action, scenario,
};

/// What a user without MFA must still be able to do to set MFA up and sign in with it.
const SELF_SERVICE: [&str; 11] = [
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:GetUser",
    "iam:GetMFADevice",
    "iam:ListMFADevices",
    "iam:ListVirtualMFADevices",
    "iam:ResyncMFADevice",
    "iam:ChangePassword",
    "iam:GetAccountPasswordPolicy",
    "sts:GetSessionToken",
    "sts:GetCallerIdentity",
];

const RISKY: [(&str, &str); 9] = [
    ("iam:CreateAccessKey", "mints access keys without MFA: a leaked key can create more"),
    ("iam:UpdateAccessKey", "enables or disables access keys without MFA"),
    ("iam:DeleteAccessKey", "deletes access keys without MFA: a leaked key can lock the owner out"),
    ("iam:CreateLoginProfile", "sets a console password without MFA"),
    ("iam:UpdateLoginProfile", "changes the console password without MFA"),
    ("iam:DeleteLoginProfile", "removes the console password without MFA"),
    ("iam:DeactivateMFADevice", "removes the MFA device without MFA: an attacker can enroll their own"),
    ("iam:DeleteVirtualMFADevice", "deletes the virtual MFA device without MFA"),
    ("sts:AssumeRole", "assumes roles without MFA: their permissions apply unless each trust policy requires MFA"),
];

pub(super) fn list(items: &[String]) -> String {
    match items.len() {
        0..=3 => items.join(", "),
        n => format!("{} and {} more", items[..3].join(", "), n - 3),
    }
}

pub(super) fn actions_text(actions: &Option<Patterns>) -> String {
    match actions {
        Some(Patterns::Only(p)) if p.iter().any(|p| every_action(p)) => "every action".into(),
        Some(Patterns::Only(p)) => list(p),
        Some(Patterns::Except(p)) => except_text(p),
        None => "no action".into(),
    }
}

pub(super) fn except_text(exempt: &[String]) -> String {
    let self_service = exempt.iter().all(|a| SELF_SERVICE.iter().any(|s| s.eq_ignore_ascii_case(a)));
    match (exempt.len(), self_service) {
        (0, _) => "every action".into(),
        (n, true) => format!("every action except {n} self-service ones"),
        (n, false) => format!("every action except {n} listed ones"),
    }
}

fn hatch_reason(action: &str) -> Option<String> {
    let risky = RISKY.iter().find(|(r, _)| action_matches(action, r));
    if action.contains(['*', '?']) {
        return Some(match risky {
            Some((r, why)) => format!("wildcard including {r}, which {why}"),
            None => "wildcard: exempts every action it matches, including ones AWS adds later".into(),
        });
    }
    if let Some((_, why)) = risky {
        return Some((*why).into());
    }
    let service = action.split(':').next().unwrap_or(action);
    (!service.eq_ignore_ascii_case("iam") && !service.eq_ignore_ascii_case("sts"))
        .then(|| format!("{service} actions stay usable without MFA"))
}

/// Actions every covering Deny or boundary lets through, in either scenario, that matter.
pub(super) fn escape_hatches(covers: &[Cover]) -> Vec<EscapeHatch> {
    let mut out: Vec<EscapeHatch> = Vec::new();
    for s in 0..2 {
        let active: Vec<&Cover> = covers.iter().filter(|c| c.covers[s]).collect();
        for e in active.iter().flat_map(|c| &c.exempt[s]) {
            // `e` as text against each cover's patterns: `iam:*` elsewhere lets `iam:Get*` through too.
            let escapes = active.iter().all(|c| c.exempt[s].iter().any(|q| action_matches(&q.action, &e.action)));
            if !escapes || out.iter().any(|h| h.action.eq_ignore_ascii_case(&e.action)) {
                continue;
            }
            if let Some(why) = hatch_reason(&e.action) {
                out.push(EscapeHatch {
                    action: e.action.clone(),
                    why,
                    source: e.source.clone(),
                    statement: e.statement.clone(),
                });
            }
        }
    }
    out
}

pub(super) fn never_applies(label: &str, mfa: &[&Condition]) -> String {
    let never = mfa.iter().find(|c| (0..2).all(|s| !c.holds(&scenario(s))));
    match never {
        Some(c)
            if c.key.eq_ignore_ascii_case(AGE) && c.parsed.is_some_and(|o| !o.if_exists && o.test != Test::Null) =>
        {
            format!(
                "{label} tests {AGE} with {op}, which is false when the key is absent (long-term keys, sessions without MFA), \
                 so the Deny never applies to them; use {op}IfExists",
                op = c.operator
            )
        }
        Some(c) => format!(
            "{label} applies only when {} {} is {}, which never holds without MFA, so it denies nothing without MFA",
            c.operator,
            c.key,
            c.values.join(" or ")
        ),
        None => format!("{label} never applies without MFA"),
    }
}

pub(super) fn partial(label: &str, mfa: &[&Condition], missing: usize) -> String {
    let bool_present = mfa
        .iter()
        .any(|c| c.key.eq_ignore_ascii_case(PRESENT) && c.parsed.is_some_and(|o| o.test == Test::Bool && !o.if_exists));
    match missing {
        0 if bool_present => format!(
            "{label} uses Bool on {PRESENT}: {} carry no such key, so the condition is false and they pass; \
             use BoolIfExists \"false\" to deny them too",
            SCENARIOS[0]
        ),
        0 => format!("{label} denies {} but not {}, where {PRESENT} is absent", SCENARIOS[1], SCENARIOS[0]),
        _ => format!(
            "{label} denies only {} ({PRESENT} absent); {} carry \"false\" and pass; use Null on {AGE} \
             or BoolIfExists {PRESENT} \"false\"",
            SCENARIOS[0], SCENARIOS[1]
        ),
    }
}

/// Policy JSON with keys in the order people write them (a `serde_json` map would sort them).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct StatementJson {
    sid: &'static str,
    effect: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    action: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    not_action: Vec<&'static str>,
    resource: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    condition: Option<Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DocumentJson {
    version: &'static str,
    statement: [StatementJson; 2],
}

/// The fix for a user whose MFA is not enforced: a Deny to add, or a boundary to set.
pub fn fix() -> Fix {
    let deny = || StatementJson {
        sid: "DenyAllExceptListedIfNoMFA",
        effect: "Deny",
        action: None,
        // AWS never denies sts:GetCallerIdentity, so listing it would only add noise.
        not_action: SELF_SERVICE.iter().copied().filter(|a| *a != "sts:GetCallerIdentity").collect(),
        resource: "*",
        condition: Some(json!({"BoolIfExists": {PRESENT: "false"}})),
    };
    let allow_all = StatementJson {
        sid: "AllowAll",
        effect: "Allow",
        action: Some("*"),
        not_action: Vec::new(),
        resource: "*",
        condition: None,
    };
    let boundary = DocumentJson { version: "2012-10-17", statement: [allow_all, deny()] };
    Fix {
        description: "Add this Deny to a policy attached to the user or one of its groups, or set MfaRequired as the \
                      user's permissions boundary: either denies everything but MFA self-service until the user \
                      signs in with MFA"
            .into(),
        deny_statement: pretty(&deny()),
        boundary_document: pretty(&boundary),
    }
}

fn pretty<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("structs of strings and JSON values always serialize")
}
