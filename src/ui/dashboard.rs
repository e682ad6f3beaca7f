//! The main view: header with the MFA sessions, the profile table, the key hints.

use super::theme::Theme;
use crate::aws::clock::human_duration;
use crate::state::{Activity, AppState, Layer, Mode, Row};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row as TRow, Table};

const SPINNER: [&str; 4] = ["|", "/", "-", "\\"];

pub fn header(f: &mut Frame, area: Rect, s: &AppState, t: &Theme) {
    let mut title = vec![Span::styled("mfatui", t.title), Span::styled(format!("  {} profiles", s.rows.len()), t.dim)];
    if !s.filter.is_empty() || s.mode == Mode::Filter {
        title.push(Span::styled(format!("  filter: {}", s.filter), t.accent));
        title.push(Span::styled(format!(" ({} shown)", s.visible.len()), t.dim));
    }
    if s.sort != crate::state::Sort::Grouped {
        title.push(Span::styled(format!("  sorted {}", s.sort.label()), t.dim));
    }
    if !s.marked.is_empty() {
        title.push(Span::styled(format!("  {} selected", s.marked.len()), t.accent));
    }
    let mut users: Vec<&String> = s.mfa_serials.keys().collect();
    users.sort();
    let mut mfa = vec![Span::styled("MFA ", t.dim)];
    let mut next: Option<i64> = None;
    for (i, u) in users.iter().enumerate() {
        if i > 0 {
            mfa.push(Span::styled(" · ", t.dim));
        }
        let (text, style) = match s.left(u) {
            Some(l) if l > 0 => {
                next = Some(next.map_or(l, |n| n.min(l)));
                (format!("{u} {}", human_duration(l)), if l <= s.warn_secs { t.warn } else { t.ok })
            }
            Some(_) => (format!("{u} expired"), t.err),
            None => (format!("{u} not signed in"), t.dim),
        };
        mfa.push(Span::styled(text, style));
    }
    if users.is_empty() {
        mfa.push(Span::styled("no IAM user with mfa_serial in your config", t.dim));
    } else if let Some(n) = next {
        mfa.push(Span::styled(format!("   next code needed in {}", human_duration(n)), t.dim));
    } else {
        mfa.push(Span::styled("   select a profile and press r to sign in", t.dim));
    }
    let mut lines = vec![Line::from(title), Line::from(mfa)];
    if let Some(h) = &s.demo_hint {
        lines.push(Line::styled(h.clone(), t.accent));
    }
    f.render_widget(Paragraph::new(lines), area);
}

/// The session cell: activity first, then the countdown, coloured by state.
fn session_cell<'a>(s: &AppState, r: &Row, t: &Theme) -> Cell<'a> {
    if let Some(d) = &r.diagnostic {
        return Cell::from(Span::styled(format!("! {d}"), t.err));
    }
    match s.activity.get(&r.profile) {
        Some(Activity::Refreshing) => {
            return Cell::from(Span::styled(format!("{} refreshing", SPINNER[s.spinner % 4]), t.accent));
        }
        Some(Activity::Failed(e)) => return Cell::from(Span::styled(format!("x {e}"), t.err)),
        Some(Activity::NeedsCode) => return Cell::from(Span::styled("needs MFA code: press r", t.warn)),
        None => {}
    }
    if r.user.is_none() {
        return Cell::from(Span::styled("—", t.dim));
    }
    match s.left(&r.profile) {
        None => Cell::from(Span::styled("—", t.dim)),
        Some(l) if l <= 0 => Cell::from(Span::styled("expired", t.err)),
        Some(l) if l <= s.margin_secs => Cell::from(Span::styled(format!("~ {}", human_duration(l)), t.warn)),
        Some(l) => Cell::from(Span::styled(human_duration(l), t.ok)),
    }
}

pub fn table(f: &mut Frame, area: Rect, s: &AppState, t: &Theme) {
    if s.rows.is_empty() {
        let msg = format!(
            "No profiles in {}.\n\nAdd an IAM user with `aws configure --profile NAME`, give it mfa_serial,\nthen roles as [profile ROLE] sections with role_arn and source_profile.\nOr try `mfatui demo`.",
            s.config_path
        );
        f.render_widget(Paragraph::new(msg).style(t.dim), area);
        return;
    }
    let wide = area.width >= 90;
    let body = usize::from(area.height.saturating_sub(1));
    let rows: Vec<TRow> = s
        .visible
        .iter()
        .enumerate()
        .skip(s.offset)
        .take(body)
        .map(|(i, &ri)| {
            let r = &s.rows[ri];
            let mark = if s.marked.contains(&r.profile) { "* " } else { "  " };
            let indent = "  ".repeat(r.depth);
            let name_style = if r.is_user { t.title } else { t.text };
            let mut cells = vec![Cell::from(Span::styled(format!("{mark}{indent}{}", r.profile), name_style))];
            let account =
                match (&r.account, r.account.as_ref().and_then(|a| s.aliases.get(a)).filter(|a| !a.is_empty())) {
                    (Some(id), Some(alias)) if wide => format!("{id} {alias}"),
                    (Some(id), _) => id.clone(),
                    (None, _) => "—".into(),
                };
            cells.push(Cell::from(Span::styled(account, t.dim)));
            if wide {
                cells.push(Cell::from(r.role_or_user.clone()));
                cells.push(Cell::from(Span::styled(r.region.clone().unwrap_or_else(|| "—".into()), t.dim)));
                cells.push(Cell::from(Span::styled(r.mfa.clone().unwrap_or_else(|| "—".into()), t.dim)));
            }
            cells.push(session_cell(s, r, t));
            let row = TRow::new(cells);
            if i == s.selected { row.style(t.selected) } else { row }
        })
        .collect();
    let (titles, widths): (Vec<&str>, Vec<Constraint>) = if wide {
        (
            vec!["PROFILE", "ACCOUNT", "ROLE / KIND", "REGION", "MFA", "SESSION"],
            vec![
                Constraint::Fill(3),
                Constraint::Length(20),
                Constraint::Fill(2),
                Constraint::Length(14),
                Constraint::Length(14),
                Constraint::Fill(3),
            ],
        )
    } else {
        (vec!["PROFILE", "ACCOUNT", "SESSION"], vec![Constraint::Fill(3), Constraint::Length(12), Constraint::Fill(2)])
    };
    let header = TRow::new(titles.into_iter().map(|h| Cell::from(Span::styled(h, t.header))));
    f.render_widget(Table::new(rows, widths).header(header).column_spacing(1).style(Style::default()), area);
}

pub fn footer(f: &mut Frame, area: Rect, s: &AppState, t: &Theme) {
    let hints: &[(&str, &str)] = match s.layer() {
        Layer::Filter => &[("type", "filter"), ("Enter", "keep"), ("Esc", "clear")],
        Layer::Prompt => &[("digits", "code"), ("Enter", "sign in"), ("Esc", "refuse")],
        Layer::Help => &[("any key", "close help")],
        Layer::Normal => &[
            ("r", "refresh"),
            ("R", "all"),
            ("space", "select"),
            ("/", "filter"),
            ("s", "sort"),
            ("c", "copy"),
            ("l", "log"),
            ("?", "help"),
            ("q", "quit"),
        ],
    };
    let mut spans = Vec::new();
    for (k, v) in hints {
        spans.push(Span::styled(format!(" {k}"), t.accent));
        spans.push(Span::styled(format!(" {v} "), t.dim));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
