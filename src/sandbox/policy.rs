//! A small IAM policy evaluator: enough to enforce the MFA boundaries users really write.
//!
//! Supports `Effect`, `Action`/`NotAction` with `*` and `?` wildcards (case-insensitive), and the
//! condition operators `Bool` and `BoolIfExists` on `aws:MultiFactorAuthPresent`. `Resource` is
//! treated as `*`. As in AWS, the MFA key is absent from requests signed with long-term keys,
//! which is why `Bool ... "false"` does NOT match them while `BoolIfExists ... "false"` does.
//! Any other condition makes its statement not apply.

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// No statement allows the action.
    ImplicitDeny,
    ExplicitDeny,
}

/// `mfa`: `None` when the request used long-term keys (the key is absent), else whether the
/// temporary credentials were obtained with MFA.
pub fn evaluate(doc: &Value, action: &str, mfa: Option<bool>) -> Decision {
    let statements: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => Vec::new(),
    };
    let mut allowed = false;
    for st in statements {
        if !applies(st, action, mfa) {
            continue;
        }
        match st.get("Effect").and_then(Value::as_str) {
            Some("Deny") => return Decision::ExplicitDeny,
            Some("Allow") => allowed = true,
            _ => {}
        }
    }
    if allowed { Decision::Allow } else { Decision::ImplicitDeny }
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn applies(st: &Value, action: &str, mfa: Option<bool>) -> bool {
    let action_matches = if st.get("Action").is_some() {
        strings(st.get("Action")).iter().any(|p| wildcard(p, action))
    } else if st.get("NotAction").is_some() {
        !strings(st.get("NotAction")).iter().any(|p| wildcard(p, action))
    } else {
        false
    };
    action_matches && conditions_hold(st.get("Condition"), mfa)
}

fn conditions_hold(cond: Option<&Value>, mfa: Option<bool>) -> bool {
    let Some(Value::Object(ops)) = cond else { return cond.is_none() };
    ops.iter().all(|(op, body)| {
        let Value::Object(keys) = body else { return false };
        keys.iter().all(|(key, want)| {
            if !key.eq_ignore_ascii_case("aws:MultiFactorAuthPresent") {
                return false;
            }
            let wants: Vec<bool> = match want {
                Value::Bool(b) => vec![*b],
                other => strings(Some(other)).iter().filter_map(|s| s.parse().ok()).collect(),
            };
            match (op.as_str(), mfa) {
                ("Bool" | "BoolIfExists", Some(present)) => wants.contains(&present),
                ("BoolIfExists", None) => true,
                _ => false,
            }
        })
    })
}

/// IAM action matching: case-insensitive, `*` any run, `?` one character.
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) =
        (pattern.to_ascii_lowercase().chars().collect(), text.to_ascii_lowercase().chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::seed::mfa_required_boundary;
    use serde_json::json;

    #[test]
    fn wildcards() {
        assert!(wildcard("*", "sts:AssumeRole"));
        assert!(wildcard("iam:List*", "iam:ListAccessKeys"));
        assert!(wildcard("IAM:get?ser", "iam:GetUser"));
        assert!(!wildcard("iam:List*", "sts:ListX"));
        assert!(!wildcard("iam:GetUser", "iam:GetUserPolicy"));
    }

    #[test]
    fn mfa_boundary_allows_only_self_service_without_mfa() {
        let b = mfa_required_boundary();
        // Long-term keys: the MFA key is absent, BoolIfExists matches, so the deny applies.
        assert_eq!(evaluate(&b, "sts:AssumeRole", None), Decision::ExplicitDeny);
        assert_eq!(evaluate(&b, "iam:ListAccessKeys", None), Decision::ExplicitDeny);
        assert_eq!(evaluate(&b, "sts:GetSessionToken", None), Decision::Allow);
        assert_eq!(evaluate(&b, "iam:GetUser", None), Decision::Allow);
        // Session without MFA: denied; with MFA: allowed.
        assert_eq!(evaluate(&b, "sts:AssumeRole", Some(false)), Decision::ExplicitDeny);
        assert_eq!(evaluate(&b, "sts:AssumeRole", Some(true)), Decision::Allow);
    }

    #[test]
    fn bool_without_ifexists_does_not_catch_long_term_keys() {
        let leaky = json!({"Statement": [
            {"Effect": "Allow", "Action": "*"},
            {"Effect": "Deny", "Action": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}
        ]});
        assert_eq!(evaluate(&leaky, "sts:AssumeRole", None), Decision::Allow, "the classic hole");
        assert_eq!(evaluate(&leaky, "sts:AssumeRole", Some(false)), Decision::ExplicitDeny);
    }

    #[test]
    fn no_allow_is_implicit_deny_and_unknown_conditions_do_not_apply() {
        let doc = json!({"Statement": {"Effect": "Allow", "Action": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "x"}}}});
        assert_eq!(evaluate(&doc, "iam:GetUser", None), Decision::ImplicitDeny);
        assert_eq!(evaluate(&json!({}), "iam:GetUser", None), Decision::ImplicitDeny);
    }
}
