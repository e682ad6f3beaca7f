//! The MFA-enforcement audit: from the policies that apply to one IAM user, whether a request made
//! without MFA is denied, which actions escape, and the statement or boundary that would fix it.
//!
//! Two requests are checked: (a) signed with long-term access keys, where `aws:MultiFactorAuthPresent`
//! and `aws:MultiFactorAuthAge` are absent, and (b) made with a session obtained without MFA, where
//! `aws:MultiFactorAuthPresent` is "false". MFA is enforced when Deny statements (identity policies or
//! boundary) or a boundary that allows nothing without MFA cover every action on every resource in both.
//! Only a Deny or a boundary can enforce: an Allow conditioned on MFA is undone by any other Allow.
//!
//! Choices: an unreadable policy makes the verdict Unknown (it might hold the enforcing Deny, or an
//! Allow the boundary does not cap). A Deny using an operator the evaluator does not know is treated like
//! a Deny with an extra ANDed key: it is not guaranteed to apply, so it does not count (NotEnforced unless
//! something else enforces). A boundary Allow with such an operator or another key is assumed to apply,
//! since assuming otherwise could hide an escape.

use super::policy::{self, Condition, Context, Effect, Patterns, Statement, StatementRef, Test, action_matches};

const PRESENT: &str = "aws:MultiFactorAuthPresent";
const AGE: &str = "aws:MultiFactorAuthAge";
const SCENARIOS: [&str; 2] = ["requests signed with long-term access keys", "sessions obtained without MFA"];
const SCP_NOTE: &str = "Service control policies are not visible from a member account and may deny more; this audit \
                        covers the user's and its groups' policies and its permissions boundary";

mod advice;
mod exempt;
mod types;

pub use advice::fix;
use advice::{actions_text, dedup, except_text, list, never_applies, partial};
pub use exempt::SELF_SERVICE;
pub use types::{Assessment, EscapeHatch, Finding, FindingKind, FindingSeverity, Fix, Policy, Source, Verdict};

pub fn assess(policies: &[Policy]) -> Assessment {
    let mut audit = Audit::default();
    let mut unreadable = Vec::new();
    for p in policies {
        let doc = match &p.document {
            Ok(doc) => doc,
            Err(why) => {
                unreadable.push(p.source.to_string());
                let needs = match p.source {
                    Source::UserInline { .. } => "iam:GetUserPolicy",
                    Source::GroupInline { .. } => "iam:GetGroupPolicy",
                    _ => "iam:GetPolicy and iam:GetPolicyVersion",
                };
                let msg = format!("{} could not be read ({why}); re-run with {needs} to complete the audit", p.source);
                audit.push(FindingSeverity::Problem, FindingKind::Unreadable, Some(&p.source), None, msg);
                continue;
            }
        };
        let statements = policy::statements(doc);
        for st in &statements {
            match st.effect {
                Some(Effect::Deny) => audit.deny(&p.source, st),
                Some(Effect::Allow) if !p.source.is_boundary() => audit.identity_allow(&p.source, st),
                _ => {}
            }
        }
        if p.source.is_boundary() {
            audit.boundary(&p.source, &statements);
        }
    }
    audit.finish(&unreadable)
}

/// The MFA keys as in scenario (a) `0` (long-term keys) or (b) `1` (session without MFA).
fn scenario(s: usize) -> Context {
    if s == 0 { Context::new() } else { Context::new().with(PRESENT, "false") }
}

fn with_mfa() -> Context {
    Context::new().with(PRESENT, "true").with(AGE, "60")
}

fn is_mfa_key(key: &str) -> bool {
    key.eq_ignore_ascii_case(PRESENT) || key.eq_ignore_ascii_case(AGE)
}

/// A statement's conditions on the MFA keys that the evaluator understands.
fn mfa_conditions(st: &Statement) -> Vec<&Condition> {
    st.conditions.iter().filter(|c| c.parsed.is_some() && is_mfa_key(&c.key)).collect()
}

fn stars(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c == '*')
}

fn every_action(p: &str) -> bool {
    stars(p) || p.split_once(':').is_some_and(|(a, b)| stars(a) && stars(b))
}

/// `*`, or `arn:*` / `arn:aws:*:*...` ending in a segment-final `*` (which spans the rest of the ARN).
fn every_resource(p: &str) -> bool {
    let parts: Vec<&str> = p.split(':').collect();
    let any_segment = |(i, s): (usize, &&str)| stars(s) || (i == 1 && s.starts_with("aws"));
    stars(p)
        || (parts.len() >= 2
            && parts[0] == "arn"
            && parts.iter().enumerate().skip(1).all(any_segment)
            && parts.last().is_some_and(|s| stars(s)))
}

fn label(source: &Source, st: &Statement) -> String {
    format!("{source} ({})", st.reference())
}

/// An action a covering Deny or boundary still lets through in one scenario.
#[derive(Debug, Clone)]
struct Exempt {
    action: String,
    source: Source,
    statement: StatementRef,
}

/// A Deny statement or boundary that denies requests without MFA in the scenarios marked.
struct Cover {
    label: String,
    covers: [bool; 2],
    exempt: [Vec<Exempt>; 2],
}

#[derive(Default)]
struct Audit {
    findings: Vec<Finding>,
    covers: Vec<Cover>,
    /// Findings about a reliable statement covering one scenario, with the scenario it misses.
    partials: Vec<(usize, usize)>,
    allow_only: Vec<usize>,
}

impl Audit {
    fn push(
        &mut self,
        severity: FindingSeverity,
        kind: FindingKind,
        source: Option<&Source>,
        statement: Option<&Statement>,
        message: String,
    ) -> usize {
        let (source, statement) = (source.cloned(), statement.map(Statement::reference));
        self.findings.push(Finding { severity, kind, source, statement, message });
        self.findings.len() - 1
    }

    fn deny(&mut self, source: &Source, st: &Statement) {
        use {FindingKind as K, FindingSeverity::*};
        let all_actions = match &st.actions {
            Some(Patterns::Only(p)) => p.iter().any(|p| every_action(p)),
            Some(Patterns::Except(_)) => true,
            None => false,
        };
        let all_resources = match &st.resources {
            Some(Patterns::Only(p)) => p.iter().any(|p| every_resource(p)),
            Some(Patterns::Except(_)) => false,
            None => true,
        };
        let mentions_mfa = st.conditions.iter().any(|c| is_mfa_key(&c.key));
        if !(mentions_mfa || (st.conditions.is_empty() && all_actions && all_resources)) {
            return; // Not an MFA control (a region lock, a guard on one action, ...).
        }
        let label = label(source, st);
        let (src, stmt) = (Some(source), Some(st));
        let mut reliable = all_actions && all_resources;
        if !all_actions {
            let msg =
                format!("{label} denies only {} without MFA; other actions stay allowed", actions_text(&st.actions));
            self.push(Warning, K::LimitedActions, src, stmt, msg);
        }
        match &st.resources {
            Some(Patterns::Only(p)) if !all_resources => {
                let msg = format!("{label} denies without MFA only on {}; other resources stay reachable", list(p));
                self.push(Warning, K::LimitedResources, src, stmt, msg);
            }
            Some(Patterns::Except(p)) => {
                let msg = format!("{label} uses NotResource, so {} stay reachable without MFA", list(p));
                self.push(Warning, K::LimitedResources, src, stmt, msg);
            }
            _ => {}
        }
        for c in &st.conditions {
            let (op, key) = (&c.operator, &c.key);
            if c.parsed.is_none() {
                reliable = false;
                let msg = format!(
                    "{label} uses condition operator {op} ({key}), which this audit cannot evaluate, so the Deny cannot be relied on"
                );
                self.push(Warning, K::UnknownOperator, src, stmt, msg);
            } else if !is_mfa_key(key) {
                reliable = false;
                let msg = format!(
                    "{label} also requires {key} ({op}); conditions are ANDed, so the Deny does not apply when {key} does not match"
                );
                self.push(Warning, K::ExtraConditionKey, src, stmt, msg);
            }
        }
        let mfa = mfa_conditions(st);
        let holds = |ctx: &Context| mfa.iter().all(|c| c.holds(ctx));
        let covers = [holds(&scenario(0)), holds(&scenario(1))];
        let exempt = match &st.actions {
            Some(Patterns::Except(p)) => p.clone(),
            _ => Vec::new(),
        };
        let what = except_text(&exempt);
        match covers {
            [true, true] if reliable => {
                if exempt.iter().any(|a| every_action(a)) {
                    let msg = format!("{label} has NotAction *, which exempts every action: it denies nothing");
                    self.push(Warning, K::LimitedActions, src, stmt, msg);
                } else if exempt.iter().all(|a| exempt::is_safe(a)) {
                    let msg = format!("{label} denies {what} whenever MFA is absent or false: enforced");
                    self.push(Info, K::Enforcing, src, stmt, msg);
                } else {
                    let msg = format!(
                        "{label} denies {what} whenever MFA is absent or false; its NotAction exempts more than MFA self-service"
                    );
                    self.push(Warning, K::LimitedActions, src, stmt, msg);
                }
                if holds(&with_mfa()) {
                    let msg = format!("{label} has no condition that MFA satisfies, so it denies {what} even with MFA");
                    self.push(Warning, K::DeniesEvenWithMfa, src, stmt, msg);
                }
            }
            [true, true] => {}
            [false, false] => {
                let msg = never_applies(&label, &mfa);
                self.push(Warning, K::PartialCoverage, src, stmt, msg);
            }
            [a, _] => {
                let missing = usize::from(a);
                let msg = partial(&label, &mfa, missing);
                let idx = self.push(Warning, K::PartialCoverage, src, stmt, msg);
                if reliable {
                    self.partials.push((idx, missing));
                }
            }
        }
        if reliable && covers.contains(&true) {
            let exempt: Vec<Exempt> = exempt
                .into_iter()
                .map(|action| Exempt { action, source: source.clone(), statement: st.reference() })
                .collect();
            self.covers.push(Cover { label, covers, exempt: [exempt.clone(), exempt] });
        }
    }

    fn identity_allow(&mut self, source: &Source, st: &Statement) {
        let mfa = mfa_conditions(st);
        if mfa.is_empty() || (0..2).all(|s| mfa.iter().all(|c| c.holds(&scenario(s)))) {
            return;
        }
        let msg = format!(
            "{} allows {} only with MFA, but an Allow cannot enforce MFA: any other Allow (another policy, a group, \
             a resource policy) still grants without it; only a Deny or a permissions boundary enforces",
            label(source, st),
            actions_text(&st.actions)
        );
        let idx = self.push(FindingSeverity::Warning, FindingKind::AllowOnlyWithMfa, Some(source), Some(st), msg);
        self.allow_only.push(idx);
    }

    fn boundary(&mut self, source: &Source, statements: &[Statement]) {
        use {FindingKind as K, FindingSeverity::*};
        let allows: Vec<&Statement> =
            statements.iter().filter(|st| st.effect == Some(Effect::Allow) && st.actions.is_some()).collect();
        let may_apply = |st: &Statement, ctx: &Context| {
            st.conditions.iter().all(|c| c.parsed.is_none() || !is_mfa_key(&c.key) || c.holds(ctx))
        };
        let broad = |st: &Statement| match &st.actions {
            Some(Patterns::Only(p)) => p.iter().any(|p| every_action(p)),
            _ => true,
        };
        let (mut covers, mut exempt, mut leaks) =
            ([false; 2], [Vec::new(), Vec::new()], Vec::<(&Statement, usize)>::new());
        for s in 0..2 {
            let applicable: Vec<&Statement> = allows.iter().copied().filter(|st| may_apply(st, &scenario(s))).collect();
            match applicable.iter().find(|st| broad(st)) {
                Some(st) if st.conditions.iter().any(|c| is_mfa_key(&c.key)) => leaks.push((st, s)),
                Some(_) => {}
                None => {
                    covers[s] = true;
                    for st in applicable {
                        if let Some(Patterns::Only(p)) = &st.actions {
                            let to_exempt = |a: &String| Exempt {
                                action: a.clone(),
                                source: source.clone(),
                                statement: st.reference(),
                            };
                            exempt[s].extend(p.iter().map(to_exempt));
                        }
                    }
                }
            }
        }
        for (st, s) in &leaks {
            let bool_if_exists = st.conditions.iter().any(|c| {
                c.key.eq_ignore_ascii_case(PRESENT) && c.parsed.is_some_and(|o| o.test == Test::Bool && o.if_exists)
            });
            let msg = if bool_if_exists {
                format!(
                    "{} allows with BoolIfExists {PRESENT} \"true\", which is true when the key is absent: {} are allowed; use Bool",
                    label(source, st),
                    SCENARIOS[*s]
                )
            } else {
                format!(
                    "{} allows {} to {} although it tests MFA",
                    label(source, st),
                    actions_text(&st.actions),
                    SCENARIOS[*s]
                )
            };
            let idx = match self.findings.iter().position(|f| f.message == msg) {
                Some(idx) => idx,
                None => self.push(Warning, K::BoundaryAllowsWithoutMfa, Some(source), Some(st), msg),
            };
            self.partials.push((idx, *s));
        }
        if !covers.contains(&true) {
            return;
        }
        let label = source.to_string();
        let n = exempt[0].len().max(exempt[1].len());
        let except = if n == 0 { String::new() } else { format!(" except {n} action(s) it allows unconditionally") };
        let unsafe_: Vec<String> =
            exempt.iter().flatten().map(|e| e.action.clone()).filter(|a| !exempt::is_safe(a)).collect();
        match covers {
            [true, true] if !unsafe_.is_empty() => {
                let msg = format!(
                    "{label} allows without MFA only what it allows unconditionally, and that is more than MFA \
                     self-service: {}",
                    list(&unsafe_)
                );
                self.push(Warning, K::LimitedActions, Some(source), None, msg);
            }
            [true, true] => {
                let msg = format!("{label} allows nothing without MFA{except}: enforced");
                self.push(Info, K::Enforcing, Some(source), None, msg);
                if !allows.iter().any(|st| may_apply(st, &with_mfa())) {
                    let msg = format!("{label} allows no action even with MFA, so the user can do nothing");
                    self.push(Warning, K::DeniesEvenWithMfa, Some(source), None, msg);
                }
            }
            [a, _] => {
                // A leaking Allow was reported above; say which half the boundary still covers only otherwise.
                let missing = usize::from(a);
                if !leaks.iter().any(|(_, s)| *s == missing) {
                    let msg =
                        format!("{label} denies {} but lets {} through", SCENARIOS[1 - missing], SCENARIOS[missing]);
                    let idx = self.push(Warning, K::PartialCoverage, Some(source), None, msg);
                    self.partials.push((idx, missing));
                }
            }
        }
        self.covers.push(Cover { label, covers, exempt });
    }

    fn finish(mut self, unreadable: &[String]) -> Assessment {
        let covered = [0, 1].map(|s| self.covers.iter().any(|c| c.covers[s]));
        let escape_hatches = exempt::escape_hatches(&self.covers);
        let enforced = covered == [true, true] && escape_hatches.is_empty();
        for (idx, missing) in &self.partials {
            if let Some(other) = self.covers.iter().find(|c| c.covers[*missing]) {
                let f = &mut self.findings[*idx];
                f.severity = FindingSeverity::Info;
                f.message += &format!("; {} denies {}, so together they cover both", other.label, SCENARIOS[*missing]);
            }
        }
        if enforced {
            self.allow_only.iter().for_each(|i| self.findings[*i].severity = FindingSeverity::Info);
        }
        self.findings.extend(escape_hatches.iter().map(exempt::finding));
        let gap = match covered {
            [true, true] => exempt::reachable(&escape_hatches),
            [false, false] => format!("nothing denies {} or {}", SCENARIOS[0], SCENARIOS[1]),
            [false, _] => format!("nothing denies {} without MFA", SCENARIOS[0]),
            _ => format!("nothing denies {}", SCENARIOS[1]),
        };
        if !enforced && covered != [true, true] {
            let scope = if unreadable.is_empty() { "No" } else { "In the policies that could be read, no" };
            let msg = format!(
                "{scope} Deny or permissions boundary stops requests without MFA: {gap}, so whatever the Allow \
                 statements grant works without MFA"
            );
            self.push(FindingSeverity::Problem, FindingKind::NotDenied, None, None, msg);
        }
        self.push(FindingSeverity::Info, FindingKind::ScpNotVisible, None, None, SCP_NOTE.to_owned());
        let by = dedup(self.covers.iter().filter(|c| c.covers.contains(&true)).map(|c| c.label.clone()).collect());
        let readable = if enforced { format!("denied by {}", by.join(" and ")) } else { gap };
        let (verdict, summary) = if !unreadable.is_empty() {
            let view = if enforced { "would enforce it" } else { "do not enforce it" };
            let s = format!(
                "Cannot tell whether MFA is enforced: {} could not be read; the readable policies {view} ({readable})",
                unreadable.join(", ")
            );
            (Verdict::Unknown, s)
        } else if enforced {
            (Verdict::Enforced, format!("MFA is enforced: requests without MFA are {readable}"))
        } else {
            (Verdict::NotEnforced, format!("MFA is not enforced: {readable}"))
        };
        let fix = (verdict == Verdict::NotEnforced).then(fix);
        Assessment { verdict, summary, findings: self.findings, escape_hatches, fix }
    }
}

#[cfg(test)]
mod not_action_tests;
#[cfg(test)]
mod tests;
