//! IAM policy evaluation for one IAM principal in its own account: statements, wildcards, condition
//! operators, and the identity-policy / permissions-boundary decision with AWS's AccessDenied wording.
//!
//! Semantics chosen where AWS leaves room (see the IAM user guide, "Condition operators" and
//! "Conditions with multiple context keys or values"):
//! - A key absent from the request makes a plain operator false and a negated one (`StringNotEquals`,
//!   `NotIpAddress`, ...) true; `...IfExists` is true; `ForAllValues:` is true and `ForAnyValue:` false.
//! - Several policy values for one key are ORed; for a negated operator the result is NOT(any matches),
//!   i.e. NOR, so `StringNotEquals: {k: [a, b]}` means "neither a nor b".
//! - A multi-valued key without a set prefix matches when any of its values does (like `ForAnyValue:`).
//! - An operator this evaluator does not know, or a malformed `Condition`, makes the statement not apply;
//!   [`DocumentDecision::unevaluable`] names it so callers can report it.
//! - Values that do not parse for the operator (a non-number for `Numeric*`, ...) do not match.
//! - A statement with neither `Resource` nor `NotResource` applies to every resource (AWS rejects such
//!   identity policies, but hand-written sandbox seeds often omit it); one with neither `Action` nor
//!   `NotAction` never applies. Policy variables (`${aws:username}`) are substituted in resources and
//!   string/ARN condition values; an unresolvable one matches nothing.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

mod conditions;

pub use conditions::{Cmp, Condition, Operator, SetOperator, Test};

/// Condition keys of one request. Keys compare case-insensitively; a key never set is absent, which
/// IAM treats differently from any value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    keys: BTreeMap<String, Vec<String>>,
}

impl Context {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to the single value `value`.
    pub fn with(self, key: &str, value: &str) -> Self {
        self.with_values(key, [value])
    }

    /// Sets a multi-valued key (for `ForAnyValue:` / `ForAllValues:`).
    pub fn with_values<I: IntoIterator<Item = S>, S: Into<String>>(mut self, key: &str, values: I) -> Self {
        self.keys.insert(key.to_ascii_lowercase(), values.into_iter().map(Into::into).collect());
        self
    }

    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.keys.get(&key.to_ascii_lowercase()).map(Vec::as_slice)
    }
}

pub struct Request<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    pub context: &'a Context,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyType {
    Identity,
    Boundary,
}

impl PolicyType {
    /// What AWS calls this policy type in AccessDenied messages.
    pub fn noun(self) -> &'static str {
        match self {
            PolicyType::Identity => "identity-based policy",
            PolicyType::Boundary => "permissions boundary",
        }
    }

    fn article(self) -> &'static str {
        match self {
            PolicyType::Identity => "an",
            PolicyType::Boundary => "a",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// `Action` / `Resource` (the listed patterns) or `NotAction` / `NotResource` (all but them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Patterns {
    Only(Vec<String>),
    Except(Vec<String>),
}

impl Patterns {
    /// Whether the patterns cover what `f` tests each pattern against.
    pub fn matches(&self, f: impl Fn(&str) -> bool) -> bool {
        match self {
            Patterns::Only(p) => p.iter().any(|p| f(p)),
            Patterns::Except(p) => !p.iter().any(|p| f(p)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Position in the document's `Statement` list, from 0.
    pub index: usize,
    pub sid: Option<String>,
    /// `None` for a missing or invalid `Effect`: such a statement never applies.
    pub effect: Option<Effect>,
    /// `None` when both `Action` and `NotAction` are missing: the statement never applies.
    pub actions: Option<Patterns>,
    /// `None` when both `Resource` and `NotResource` are missing: every resource.
    pub resources: Option<Patterns>,
    pub conditions: Vec<Condition>,
}

impl Statement {
    pub fn reference(&self) -> StatementRef {
        StatementRef { index: self.index, sid: self.sid.clone() }
    }

    /// Action and resource match (conditions aside).
    pub fn targets(&self, action: &str, resource: &str, ctx: &Context) -> bool {
        self.effect.is_some()
            && self.actions.as_ref().is_some_and(|a| a.matches(|p| action_matches(p, action)))
            && self.resources.as_ref().is_none_or(|r| r.matches(|p| resource_matches_in(p, resource, ctx)))
    }

    /// Operators this evaluator cannot evaluate (their statement never applies).
    pub fn unknown_operators(&self) -> impl Iterator<Item = &str> {
        self.conditions.iter().filter(|c| c.parsed.is_none()).map(|c| c.operator.as_str())
    }
}

/// Parses a policy document leniently: `Statement` may be one object or a list.
pub fn statements(doc: &Value) -> Vec<Statement> {
    let list: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => Vec::new(),
    };
    list.into_iter().enumerate().map(|(index, st)| parse_statement(index, st)).collect()
}

fn parse_statement(index: usize, st: &Value) -> Statement {
    let effect = match st.get("Effect").and_then(Value::as_str) {
        Some(e) if e.eq_ignore_ascii_case("allow") => Some(Effect::Allow),
        Some(e) if e.eq_ignore_ascii_case("deny") => Some(Effect::Deny),
        _ => None,
    };
    let patterns = |yes: &str, no: &str| match (st.get(yes), st.get(no)) {
        (Some(v), _) => Some(Patterns::Only(scalars(v))),
        (None, Some(v)) => Some(Patterns::Except(scalars(v))),
        (None, None) => None,
    };
    let mut conditions = Vec::new();
    let malformed =
        |operator: &str| Condition { operator: operator.into(), key: String::new(), values: vec![], parsed: None };
    match st.get("Condition") {
        None => {}
        Some(Value::Object(blocks)) => {
            for (operator, block) in blocks {
                let Value::Object(keys) = block else {
                    conditions.push(malformed(operator));
                    continue;
                };
                conditions.extend(keys.iter().map(|(key, values)| Condition {
                    operator: operator.clone(),
                    key: key.clone(),
                    values: scalars(values),
                    parsed: Operator::parse(operator),
                }));
            }
        }
        Some(_) => conditions.push(malformed("Condition")),
    }
    Statement {
        index,
        sid: st.get("Sid").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned),
        effect,
        actions: patterns("Action", "NotAction"),
        resources: patterns("Resource", "NotResource"),
        conditions,
    }
}

/// Strings, booleans and numbers, alone or in a list, as strings.
fn scalars(v: &Value) -> Vec<String> {
    let one = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match v {
        Value::Array(a) => a.iter().filter_map(one).collect(),
        v => one(v).into_iter().collect(),
    }
}

/// Which statement decided, for messages: its `Sid`, else its 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRef {
    pub index: usize,
    pub sid: Option<String>,
}

impl fmt::Display for StatementRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.sid {
            Some(sid) => write!(f, "Sid {sid}"),
            None => write!(f, "statement {}", self.index + 1),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentDecision {
    /// The first Allow statement that applies.
    pub allowed_by: Option<StatementRef>,
    /// The first Deny statement that applies.
    pub denied_by: Option<StatementRef>,
    /// Statements that target this request but were skipped for an unknown operator, with the operator.
    pub unevaluable: Vec<(StatementRef, String)>,
}

impl DocumentDecision {
    pub fn allows(&self) -> bool {
        self.allowed_by.is_some()
    }

    pub fn denies(&self) -> bool {
        self.denied_by.is_some()
    }
}

pub fn evaluate(doc: &Value, req: &Request) -> DocumentDecision {
    let mut out = DocumentDecision::default();
    for st in statements(doc) {
        if !st.targets(req.action, req.resource, req.context) {
            continue;
        }
        out.unevaluable.extend(st.unknown_operators().map(|op| (st.reference(), op.to_owned())));
        if !st.conditions.iter().all(|c| c.holds(req.context)) {
            continue;
        }
        let slot = if st.effect == Some(Effect::Deny) { &mut out.denied_by } else { &mut out.allowed_by };
        slot.get_or_insert_with(|| st.reference());
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    ExplicitDeny(PolicyType),
    ImplicitDeny(PolicyType),
}

/// AWS's decision for an IAM principal in its own account, without resource policies or SCPs.
pub fn decide(identity_policies: &[&Value], boundary: Option<&Value>, req: &Request) -> Decision {
    let identity: Vec<DocumentDecision> = identity_policies.iter().map(|d| evaluate(d, req)).collect();
    let boundary = boundary.map(|b| evaluate(b, req));
    if identity.iter().any(DocumentDecision::denies) {
        Decision::ExplicitDeny(PolicyType::Identity)
    } else if boundary.as_ref().is_some_and(DocumentDecision::denies) {
        Decision::ExplicitDeny(PolicyType::Boundary)
    } else if !identity.iter().any(DocumentDecision::allows) {
        Decision::ImplicitDeny(PolicyType::Identity)
    } else if boundary.as_ref().is_some_and(|b| !b.allows()) {
        Decision::ImplicitDeny(PolicyType::Boundary)
    } else {
        Decision::Allow
    }
}

/// The message AWS returns with AccessDenied; `None` for [`Decision::Allow`].
pub fn access_denied_message(principal_arn: &str, action: &str, resource: &str, decision: &Decision) -> Option<String> {
    let head = format!("User: {principal_arn} is not authorized to perform: {action} on resource: {resource}");
    match *decision {
        Decision::Allow => None,
        Decision::ExplicitDeny(t) => Some(format!("{head} with an explicit deny in {} {}", t.article(), t.noun())),
        Decision::ImplicitDeny(t) => Some(format!("{head} because no {} allows the {action} action", t.noun())),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Lit(char),
    Star,
    /// A `*` that may not match `:` (inside an ARN segment).
    SegmentStar,
    One,
}

fn wild_tokens(pattern: &str) -> Vec<Tok> {
    pattern
        .chars()
        .map(|c| match c {
            '*' => Tok::Star,
            '?' => Tok::One,
            c => Tok::Lit(c),
        })
        .collect()
}

/// Like [`wild_tokens`], with `${key}` / `${key, 'default'}` / `${*}` `${?}` `${$}` replaced by literals;
/// `None` when a variable has no single value and no default.
fn var_tokens(pattern: &str, ctx: &Context) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    for piece in pieces(pattern) {
        match piece {
            Piece::Text(text) => out.extend(wild_tokens(text)),
            Piece::Var { name, default } => {
                let value = match name {
                    "*" | "?" | "$" => name.to_owned(),
                    _ => match ctx.get(name) {
                        Some([v]) => v.clone(),
                        _ => default?.to_owned(),
                    },
                };
                out.extend(value.chars().map(Tok::Lit));
            }
        }
    }
    Some(out)
}

/// A part of a resource pattern: literal text (with wildcards), or a policy variable
/// (`${aws:username}`, `${aws:username, 'default'}`; `${*}`, `${?}`, `${$}` stand for the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Var { name: &'a str, default: Option<&'a str> },
}

/// `pattern` split into its pieces; a `${` that is never closed is text.
pub fn pieces(pattern: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else { break };
        out.push(Piece::Text(&rest[..start]));
        let inner = &rest[start + 2..start + len];
        let (name, default) = match inner.split_once(',') {
            Some((n, d)) => (n.trim(), Some(d.trim().trim_matches('\''))),
            None => (inner.trim(), None),
        };
        out.push(Piece::Var { name, default });
        rest = &rest[start + len + 1..];
    }
    out.push(Piece::Text(rest));
    out
}

/// Wildcard match by dynamic programming (patterns and ARNs are short; no backtracking blow-up).
fn glob(pattern: &[Tok], text: &[char], fold: bool) -> bool {
    let eq = |p: char, t: char| if fold { p.to_lowercase().eq(t.to_lowercase()) } else { p == t };
    // reach[j]: the pattern so far matches text[..j].
    let mut reach = vec![false; text.len() + 1];
    reach[0] = true;
    for tok in pattern {
        let mut next = vec![false; text.len() + 1];
        for j in 0..=text.len() {
            next[j] = match tok {
                Tok::Star => reach[j] || (j > 0 && next[j - 1]),
                Tok::SegmentStar => reach[j] || (j > 0 && next[j - 1] && text[j - 1] != ':'),
                Tok::One => j > 0 && reach[j - 1],
                Tok::Lit(c) => j > 0 && reach[j - 1] && eq(*c, text[j - 1]),
            };
        }
        reach = next;
    }
    reach[text.len()]
}

/// IAM action matching: case-insensitive, `*` any run, `?` one character.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    glob(&wild_tokens(pattern), &action.chars().collect::<Vec<_>>(), true)
}

/// IAM resource matching: case-sensitive; a `*` ending an ARN segment spans colons, one inside a segment
/// does not (as AWS documents). No policy variables.
pub fn resource_matches(pattern: &str, arn: &str) -> bool {
    resource_matches_in(pattern, arn, &Context::default())
}

fn resource_matches_in(pattern: &str, arn: &str, ctx: &Context) -> bool {
    var_tokens(pattern, ctx).is_some_and(|p| arn_glob(&p, arn))
}

/// ARN matching: a `*` that ends an ARN segment (before a `:` or at the end) may span colons, as AWS
/// documents; one inside a segment may not.
fn arn_glob(pattern: &[Tok], arn: &str) -> bool {
    let tokens: Vec<Tok> = (0..pattern.len())
        .map(|i| match (pattern[i], pattern.get(i + 1)) {
            (Tok::Star, Some(next)) if *next != Tok::Lit(':') => Tok::SegmentStar,
            (t, _) => t,
        })
        .collect();
    glob(&tokens, &arn.chars().collect::<Vec<_>>(), false)
}

#[cfg(test)]
mod tests;
