//! What the audit tells the user: which exempted actions matter and why, the wording of the coverage
//! findings, and the fix.

use serde::Serialize;
use serde_json::{Value, json};

use super::exempt::{SELF_SERVICE, is_safe};
use super::{
    AGE, Condition, FindingSeverity, Fix, PRESENT, Patterns, SCENARIOS, Test, Verdict, every_action, scenario,
};
use crate::iam::audit::FIX_POLICY_NAME;

impl Verdict {
    /// The verdict in capitals, as both views headline it.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Enforced => "ENFORCED",
            Verdict::NotEnforced => "NOT ENFORCED",
            Verdict::Unknown => "UNKNOWN",
        }
    }
}

impl FindingSeverity {
    /// The word before a finding's message.
    pub fn tag(self) -> &'static str {
        match self {
            FindingSeverity::Info => "note",
            FindingSeverity::Warning => "warning",
            FindingSeverity::Problem => "problem",
        }
    }
}

/// `items` in their first order, each once.
pub(super) fn dedup(items: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

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
    match (exempt.len(), exempt.iter().all(|a| is_safe(a))) {
        (0, _) => "every action".into(),
        (n, true) => format!("every action except {n} self-service ones"),
        (_, false) => format!("every action except {}", list(exempt)),
    }
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
        not_action: SELF_SERVICE.to_vec(),
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
        description: format!(
            "A Deny statement in a policy of the user or one of its groups, or {FIX_POLICY_NAME} as its permissions \
             boundary: either denies everything but MFA self-service until the user signs in with MFA"
        ),
        deny_label: "Add this Deny statement to a policy attached to the user or one of its groups:".into(),
        deny_statement: pretty(&deny()),
        boundary_label: format!(
            "Or set this policy, {FIX_POLICY_NAME}, as the user's permissions boundary. A permissions boundary caps \
             what the user's own policies grant and never grants anything itself: its Allow * leaves them in force, \
             its Deny does the work. Never attach it as a user or group policy: there its Allow * grants full \
             administrator access."
        ),
        boundary_document: pretty(&boundary),
    }
}

fn pretty<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("structs of strings and JSON values always serialize")
}
