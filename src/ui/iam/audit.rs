//! The MFA audit's parts of a user's section on the IAM screen: the verdict and why, the
//! analysis, the live probe and the simulator, and the fix with whether it can be applied here.

use super::super::columns::SPINNER;
use super::super::theme::Theme;
use super::{lead, para};
use crate::aws::iam::audit::{Audit, probe_line};
use crate::aws::iam::enforcement::Verdict;
use crate::state::AppState;
use crate::state::iam::UserSection;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;

fn verdict_word(v: Verdict, t: &Theme) -> (String, Style) {
    let style = match v {
        Verdict::Enforced => t.ok,
        Verdict::NotEnforced => t.err,
        Verdict::Unknown => t.warn,
    };
    (v.word().into(), style.add_modifier(Modifier::BOLD))
}

pub(super) fn verdict_block(s: &AppState, sec: &UserSection, on: bool, width: usize, t: &Theme) -> Vec<Line<'static>> {
    let spin = SPINNER[s.spinner % 4];
    let prefix = lead(on, "MFA audit");
    let retry = |e: &str| format!("{e} · a: try again");
    let Some(a) = &sec.audit.data else {
        return match &sec.audit.error {
            Some(e) => para(prefix, None, &retry(e), t.err, width, t),
            None if sec.audit.loading => para(
                prefix,
                None,
                &format!("{spin} auditing: reading every policy, a request without MFA, the policy simulator…"),
                t.dim,
                width,
                t,
            ),
            None => para(prefix, None, "not audited yet: a runs the audit", t.dim, width, t),
        };
    };
    let again = if sec.audit.loading { format!(" ({spin} auditing again…)") } else { String::new() };
    let mut out = para(prefix, Some(verdict_word(a.verdict, t)), &format!("— {}{again}", a.reason), t.text, width, t);
    if let Some(e) = &sec.audit.error {
        out.extend(para(lead(false, ""), None, &retry(&format!("the last audit failed: {e}")), t.err, width, t));
    }
    out.extend(para(lead(false, "analysis"), None, &a.static_.summary, t.text, width, t));
    out
}

pub(super) fn evidence(a: Option<&Audit>, on: bool, width: usize, t: &Theme) -> Vec<Line<'static>> {
    let Some(a) = a else { return vec![Line::from("")] };
    let mut out = para(lead(on, "probe"), None, &probe_line(&a.probe), t.text, width, t);
    out.extend(para(lead(false, "simulator"), None, &a.simulation.describe(), t.text, width, t));
    out
}

pub(super) fn fix_block(sec: &UserSection, user: &str, on: bool, width: usize, t: &Theme) -> Vec<Line<'static>> {
    let Some(fix) = sec.audit.data.as_ref().and_then(|a| a.fix.as_ref()) else { return vec![Line::from("")] };
    let mut out = para(lead(on, "fix"), None, &fix.description, t.text, width, t);
    let (text, style) = match (&sec.fix.data, &sec.fix.error) {
        (_, Some(_)) => {
            ("it cannot be applied from here: f shows why, and the JSON to give an administrator".into(), t.warn)
        }
        (Some(p), None) => {
            let create = if p.create { format!("create {} and ", p.policy_arn) } else { String::new() };
            (
                format!(
                    "f: review and apply it: as {}, {create}set {} as the permissions boundary of {user}",
                    p.caller, p.policy_arn
                ),
                t.accent,
            )
        }
        (None, None) if sec.fix.loading => ("checking whether it can be applied from here…".into(), t.dim),
        (None, None) => ("f shows the JSON".into(), t.dim),
    };
    out.extend(para(lead(false, ""), None, &text, style, width, t));
    out
}
