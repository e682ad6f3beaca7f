//! The IAM screen's table: one row per IAM user — the MFA audit's verdict, the oldest active
//! key's age, the last use of any key, the boundary, the devices, and whether its data is
//! loading, failed, or waits for the user to act (no MFA session: nothing is read until then).

use super::super::columns::SPINNER;
use super::super::theme::Theme;
use crate::aws::iam::api::MfaKind;
use crate::aws::iam::enforcement::Verdict;
use crate::aws::iam::rotate::day;
use crate::display::clip;
use crate::state::AppState;
use crate::state::iam::UserSection;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

const TITLES: [&str; 7] = ["USER", "MFA AUDIT", "OLDEST KEY", "LAST USED", "BOUNDARY", "DEVICES", "STATE"];
/// Widest content per column before cutting; STATE takes what is left.
const CAPS: [usize; 6] = [24, 12, 14, 10, 24, 20];

fn cells(s: &AppState, user: &str, sec: &UserSection, t: &Theme) -> [(String, Style); 7] {
    let dash = || ("—".to_string(), t.dim);
    let verdict = match sec.verdict() {
        Some(v @ Verdict::Enforced) => (v.word().to_string(), t.ok.add_modifier(Modifier::BOLD)),
        Some(v @ Verdict::NotEnforced) => (v.word().to_string(), t.err.add_modifier(Modifier::BOLD)),
        Some(v @ Verdict::Unknown) => (v.word().to_string(), t.warn),
        None => dash(),
    };
    let overview = sec.overview.data.as_ref();
    let keys = sec.keys();
    let oldest = keys.iter().filter(|k| k.active).filter_map(|k| Some((k.age_days?, k.old))).max();
    let oldest = match (overview, oldest) {
        (None, _) => dash(),
        (Some(_), None) if keys.is_empty() => ("no key".into(), t.dim),
        (Some(_), None) => ("none active".into(), t.dim),
        (Some(_), Some((d, old))) => {
            (format!("{d} days{}", if old { " OLD" } else { "" }), if old { t.err } else { t.text })
        }
    };
    let last = keys.iter().filter_map(|k| k.last_used.as_ref().ok()?.date).max();
    let last = match (overview, last) {
        (None, _) => dash(),
        (Some(_), None) => ("never".into(), t.dim),
        (Some(_), Some(d)) => (day(Some(d)), t.text),
    };
    let boundary = match overview.map(|o| &o.boundary) {
        None => dash(),
        Some(Ok(Some(arn))) => (arn.rsplit('/').next().unwrap_or(arn).to_string(), t.text),
        Some(Ok(None)) => ("none".into(), t.dim),
        Some(Err(_)) => ("not readable".into(), t.err),
    };
    let devices = match overview.map(|o| &o.mfa_devices) {
        None => dash(),
        Some(Ok(d)) if d.is_empty() => ("none".into(), t.warn),
        Some(Ok(d)) => {
            let fido = d.iter().filter(|x| x.kind == MfaKind::Fido).count();
            let totp = d.len() - fido;
            let text = match (totp, fido) {
                (n, 0) => format!("{n} TOTP"),
                (0, k) => format!("{k} FIDO only"),
                (n, k) => format!("{n} TOTP, {k} FIDO"),
            };
            (text, if totp == 0 { t.warn } else { t.text })
        }
        Some(Err(_)) => ("not readable".into(), t.err),
    };
    [(user.to_string(), t.title), verdict, oldest, last, boundary, devices, state(s, user, sec, t)]
}

/// What the row waits for, or what went wrong, in a few words (Enter shows it all).
fn state(s: &AppState, user: &str, sec: &UserSection, t: &Theme) -> (String, Style) {
    let spin = SPINNER[s.spinner % 4];
    if let Some(b) = &sec.busy {
        return (format!("{spin} {b}…"), t.accent);
    }
    if sec.rotation.as_ref().is_some_and(|r| r.running) {
        return (format!("{spin} rotation: Enter shows it"), t.accent);
    }
    if sec.overview.loading || sec.audit.loading || sec.fix.loading {
        return (format!("{spin} loading…"), t.accent);
    }
    if let Some(e) = sec.overview.error.as_ref().or(sec.audit.error.as_ref()) {
        return (format!("x {e}"), t.err);
    }
    if sec.overview.untouched() && sec.audit.untouched() {
        return if s.needs_code(user) {
            ("signed out: Enter loads".into(), t.warn)
        } else {
            ("not read: Enter loads it".into(), t.dim)
        };
    }
    let findings = sec.findings().len();
    match (s.has_old_key(user), findings) {
        (true, _) => ("old key: r rotates it".into(), t.warn),
        (false, 0) => ("ok".into(), t.ok),
        (false, n) => (format!("{}: Enter", crate::display::plural(n, "finding", "findings")), t.warn),
    }
}

pub(super) fn draw(f: &mut Frame, area: Rect, s: &AppState, t: &Theme) {
    let users = s.iam_users();
    if users.is_empty() {
        let msg = format!(
            "No IAM user in {}: this screen shows the access keys, MFA devices and policies of the IAM users your profiles sign in as, and whether MFA is enforced for them. Tab goes back to the profiles.",
            s.prefs.config_path
        );
        f.render_widget(Paragraph::new(msg).style(t.dim).wrap(Wrap { trim: false }), area);
        return;
    }
    let empty = UserSection::default();
    let all: Vec<[(String, Style); 7]> = users.iter().map(|u| cells(s, u, s.section(u).unwrap_or(&empty), t)).collect();
    // Widths from every row (not those on screen) and the titles, capped; the least important
    // columns go first when the terminal is narrow; STATE takes the rest.
    let mut widths: Vec<usize> = (0..6)
        .map(|c| all.iter().map(|r| crate::display::width(&r[c].0)).chain([TITLES[c].len()]).max().unwrap_or(0))
        .zip(CAPS)
        .map(|(w, cap)| w.min(cap))
        .collect();
    let total = usize::from(area.width);
    let mut shown: Vec<usize> = vec![0, 1, 2, 3, 4, 5];
    // STATE keeps room for "signed out: Enter…" before LAST USED, DEVICES and OLDEST KEY go.
    for drop in [3, 5, 2, 4] {
        let used: usize = shown.iter().map(|&c| widths[c] + 1).sum::<usize>() + 18;
        if used <= total {
            break;
        }
        shown.retain(|&c| c != drop);
    }
    let used: usize = shown.iter().map(|&c| widths[c] + 1).sum();
    if used + 8 > total {
        widths[0] = widths[0].saturating_sub(used + 8 - total).max(8);
    }
    let state_width = total.saturating_sub(shown.iter().map(|&c| widths[c] + 1).sum());
    shown.push(6);
    widths.push(state_width);
    let body = usize::from(area.height.saturating_sub(1));
    let selected = s.iam.selected.min(users.len() - 1);
    let offset = crate::state::profiles::window(selected, 0, users.len(), body as u16);
    let rows: Vec<Row> = all
        .iter()
        .enumerate()
        .skip(offset)
        .take(body)
        .map(|(i, r)| {
            let cells = shown.iter().map(|&c| Cell::from(Span::styled(clip(&r[c].0, widths[c]).into_owned(), r[c].1)));
            let row = Row::new(cells);
            if i == selected { row.style(t.selected) } else { row }
        })
        .collect();
    let header = Row::new(shown.iter().map(|&c| Cell::from(Span::styled(TITLES[c], t.header))));
    let constraints = shown.iter().map(|&c| Constraint::Length(widths[c] as u16));
    f.render_widget(Table::new(rows, constraints).header(header).column_spacing(1), area);
}
