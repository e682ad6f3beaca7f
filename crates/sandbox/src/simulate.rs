//! `iam:SimulatePrincipalPolicy` for a user or a group, with the same policies and evaluator as
//! live requests (including the sandbox's no-policy convenience, so a simulation agrees with
//! what the sandbox would do).
//!
//! As AWS: the context holds only the `ContextEntries` given (an omitted key is absent, which
//! `...IfExists` and negated operators treat differently from "false"); keys the matching
//! statements need but were not given are listed in `MissingContextValues` (under
//! `ResourceSpecificResults` when `ResourceArns` were given); `PolicyInputList` adds identity
//! policies and `PermissionsBoundaryPolicyInputList` replaces the boundary. Not modelled:
//! `ResourcePolicy`, `CallerArn`, pagination (every result comes in one page), and roles as
//! the policy source (seeded roles carry no permission policies).

use super::authz::{Applicable, Applied, Source, applicable, group_policies};
use super::iam::required;
use super::state::{ApiError, ApiResult, World};
use super::sts::{Params, Req};
use super::xml::Body;
use mfatui_core::iam::policy::{self, Context, Decision, Patterns, Piece, Request, Statement, StatementRef};
use std::collections::BTreeSet;

/// `Name.member.1`, `Name.member.2`, … in order.
fn members(params: &Params, name: &str) -> Vec<String> {
    let prefix = format!("{name}.member.");
    let mut found: Vec<(u32, String)> =
        params.iter().filter_map(|(k, v)| Some((k.strip_prefix(&prefix)?.parse().ok()?, v.clone()))).collect();
    found.sort();
    found.into_iter().map(|(_, v)| v).collect()
}

fn context_entries(params: &Params) -> Context {
    let mut ctx = Context::new();
    for i in 1.. {
        let Some(key) = params.get(&format!("ContextEntries.member.{i}.ContextKeyName")) else { break };
        ctx = ctx.with_values(key, members(params, &format!("ContextEntries.member.{i}.ContextKeyValues")));
    }
    ctx
}

fn input_policy(text: &str, id: String) -> ApiResult<Applied> {
    let document = serde_json::from_str(text)
        .map_err(|_| ApiError::new(400, "MalformedPolicyDocument", "Syntax errors in policy."))?;
    Ok(Applied { source: Source { id, kind: "none" }, text: text.to_string(), document })
}

/// The policies of the user or group `arn` names.
fn source_policies(w: &World, arn: &str) -> ApiResult<Applicable> {
    let invalid = || {
        ApiError::new(400, "InvalidInput", format!("PolicySourceArn {arn} is not a user or group ARN in this sandbox."))
    };
    let rest = arn.strip_prefix("arn:aws:iam::").ok_or_else(invalid)?;
    let (account, resource) = rest.split_once(':').ok_or_else(invalid)?;
    let name = resource.rsplit('/').next().unwrap_or_default();
    if resource.starts_with("user/") {
        Ok(applicable(w, w.user(account, name)?))
    } else if resource.starts_with("group/") {
        Ok(Applicable { identity: group_policies(w, w.group(account, name)?), boundary: None })
    } else {
        Err(invalid())
    }
}

type Position = (usize, usize);

/// Line and column (1-based) where each statement of a policy document starts and ends.
pub fn statement_spans(text: &str) -> Vec<(Position, Position)> {
    let (mut line, mut col, mut depth) = (1, 0, 0usize);
    let (mut in_string, mut escaped, mut string_start) = (false, false, 0);
    let mut last_key = String::new();
    let mut after_statement_key = false;
    // The depth at which statement objects open, and whether `Statement` is a single object.
    let mut statements: Option<(usize, bool)> = None;
    let (mut spans, mut start) = (Vec::new(), None);
    for (i, c) in text.char_indices() {
        if c == '\n' {
            (line, col) = (line + 1, 0);
            continue;
        }
        col += 1;
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => {
                    in_string = false;
                    if depth == 1 {
                        last_key = text[string_start..i].to_string();
                    }
                }
                _ => {}
            }
            continue;
        }
        match c {
            '"' => (in_string, string_start, after_statement_key) = (true, i + 1, false),
            ':' if depth == 1 => after_statement_key = last_key == "Statement",
            '{' | '[' => {
                if std::mem::take(&mut after_statement_key) {
                    statements = Some(if c == '[' { (depth + 1, false) } else { (depth, true) });
                }
                if c == '{' && statements.is_some_and(|(d, _)| d == depth) {
                    start = Some((line, col));
                }
                depth += 1;
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                match statements {
                    Some((d, single)) if c == '}' && d == depth => {
                        spans.extend(start.take().map(|s| (s, (line, col))));
                        if single {
                            statements = None;
                        }
                    }
                    Some((d, false)) if c == ']' && d == depth + 1 => statements = None,
                    _ => {}
                }
            }
            c if !c.is_whitespace() => after_statement_key = false,
            _ => {}
        }
    }
    spans
}

struct Matched<'a> {
    policy: &'a Applied,
    statement: StatementRef,
}

fn matched_xml(b: &mut Body, matched: &[Matched]) {
    b.members("MatchedStatements", matched, |b, m| {
        b.leaf("SourcePolicyId", &m.policy.source.id).leaf("SourcePolicyType", m.policy.source.kind);
        if let Some(&((sl, sc), (el, ec))) = statement_spans(&m.policy.text).get(m.statement.index) {
            b.open("StartPosition")
                .leaf("Line", &sl.to_string())
                .leaf("Column", &sc.to_string())
                .close("StartPosition");
            b.open("EndPosition").leaf("Line", &el.to_string()).leaf("Column", &ec.to_string()).close("EndPosition");
        }
    });
}

/// Policy variables (`${aws:username}`) in a statement's resources.
fn variables(st: &Statement) -> Vec<String> {
    let mut out = Vec::new();
    let Some(Patterns::Only(patterns) | Patterns::Except(patterns)) = &st.resources else { return out };
    for piece in patterns.iter().flat_map(|p| policy::pieces(p)) {
        if let Piece::Var { name, .. } = piece
            && !matches!(name, "*" | "?" | "$")
        {
            out.push(name.to_string());
        }
    }
    out
}

/// Context keys that statements about `action` use (in conditions, or as variables in their
/// resources) but `ctx` lacks. A statement whose resource could not be resolved for want of a
/// variable counts as about the request: the missing key is why it did not match.
fn missing_keys(policies: &[&Applied], action: &str, resource: &str, ctx: &Context) -> Vec<String> {
    let mut out = BTreeSet::new();
    for p in policies {
        for st in policy::statements(&p.document) {
            let about_action = st.actions.as_ref().is_some_and(|a| a.matches(|x| policy::action_matches(x, action)));
            if !about_action {
                continue;
            }
            let unresolved: Vec<String> = variables(&st).into_iter().filter(|v| ctx.get(v).is_none()).collect();
            if st.targets(action, resource, ctx) || !unresolved.is_empty() {
                let conditions = st.conditions.iter().map(|c| c.key.clone()).filter(|k| !k.is_empty());
                out.extend(conditions.filter(|k| ctx.get(k).is_none()));
            }
            out.extend(unresolved);
        }
    }
    out.into_iter().collect()
}

pub fn handle(w: &World, req: &Req) -> ApiResult<String> {
    let params = req.params;
    let source = required(params, "PolicySourceArn")?;
    let actions = members(params, "ActionNames");
    if actions.is_empty() {
        return Err(ApiError::validation(
            "1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null",
        ));
    }
    let given = members(params, "ResourceArns");
    let resources = if given.is_empty() { vec!["*".to_string()] } else { given.clone() };
    let mut policies = source_policies(w, source)?;
    for (i, text) in members(params, "PolicyInputList").iter().enumerate() {
        policies.identity.push(input_policy(text, format!("PolicyInputList.{}", i + 1))?);
    }
    if let Some(text) = members(params, "PermissionsBoundaryPolicyInputList").first() {
        policies.boundary = Some(input_policy(text, "PermissionsBoundaryPolicyInputList.1".into())?);
    }
    let ctx = context_entries(params);
    let all: Vec<&Applied> = policies.identity.iter().chain(&policies.boundary).collect();
    let mut b = Body::default();
    let mut results = Vec::new();
    for action in &actions {
        for resource in &resources {
            results.push((action.as_str(), resource.as_str()));
        }
    }
    b.members("EvaluationResults", &results, |b, &(action, resource)| {
        let request = Request { action, resource, context: &ctx };
        let decision = policies.decide(&request);
        let evaluate = |p: &Applied| policy::evaluate(&p.document, &request);
        let matched: Vec<Matched> = match decision {
            Decision::Allow => policies
                .identity
                .iter()
                .filter_map(|p| Some(Matched { policy: p, statement: evaluate(p).allowed_by? }))
                .collect(),
            Decision::ExplicitDeny(_) => {
                all.iter().filter_map(|p| Some(Matched { policy: p, statement: evaluate(p).denied_by? })).collect()
            }
            Decision::ImplicitDeny(_) => Vec::new(),
        };
        let name = match decision {
            Decision::Allow => "allowed",
            Decision::ExplicitDeny(_) => "explicitDeny",
            Decision::ImplicitDeny(_) => "implicitDeny",
        };
        let missing = missing_keys(&all, action, resource, &ctx);
        let boundary = policies.boundary.as_ref().map(|p| {
            let d = evaluate(p);
            d.allows() && !d.denies()
        });
        let boundary_xml = |b: &mut Body| {
            if let Some(allowed) = boundary {
                b.open("PermissionsBoundaryDecisionDetail")
                    .leaf("AllowedByPermissionsBoundary", if allowed { "true" } else { "false" })
                    .close("PermissionsBoundaryDecisionDetail");
            }
        };
        b.leaf("EvalActionName", action).leaf("EvalResourceName", resource).leaf("EvalDecision", name);
        matched_xml(b, &matched);
        let top_missing: &[String] = if given.is_empty() { &missing } else { &[] };
        b.members("MissingContextValues", top_missing, |b, k| {
            b.text(k);
        });
        boundary_xml(b);
        if !given.is_empty() {
            // Same-account simulations with a resource ARN carry an empty decision-details map.
            b.open("EvalDecisionDetails").close("EvalDecisionDetails");
            b.open("ResourceSpecificResults").open("member");
            b.leaf("EvalResourceName", resource).leaf("EvalResourceDecision", name);
            matched_xml(b, &matched);
            b.members("MissingContextValues", &missing, |b, k| {
                b.text(k);
            });
            boundary_xml(b);
            b.close("member").close("ResourceSpecificResults");
        }
    });
    b.leaf("IsTruncated", "false");
    Ok(b.into_string())
}

#[cfg(test)]
mod tests {
    use super::statement_spans;

    #[test]
    fn statement_positions_as_written() {
        let doc = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Sid\": \"}[\\\"\", \"Effect\": \"Allow\"},\n    {\n      \"Effect\": \"Deny\", \"Condition\": {\"Bool\": {}}\n    }\n  ],\n  \"Other\": {\"a\": {}}\n}";
        assert_eq!(statement_spans(doc), [((4, 5), (4, 38)), ((5, 5), (7, 5))]);
        let single = r#"{"Statement": {"Effect": "Allow"}, "Id": {"x": 1}}"#;
        assert_eq!(statement_spans(single), [((1, 15), (1, 33))]);
        assert!(statement_spans("{\"Statement\": \"x\", \"y\": [{}]}").is_empty());
    }
}
