//! The `?` overlay: every key of the screen shown, and what its marks mean. Sized to its
//! content and wrapped within the terminal, so no description is ever cut.

use super::centered;
use super::text::wrap;
use super::theme::Theme;
use crate::state::{AppState, Screen};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub(super) const KEYS: &[(&str, &str)] = &[
    ("↑ ↓  j k", "move"),
    ("g G  PgUp PgDn", "first / last (also Home End); page up / down"),
    ("Enter  r", "refresh selected or marked profiles (a code only if needed)"),
    ("R", "refresh everything"),
    ("Space", "select several roles, then r"),
    ("/", "filter as you type: name, account, alias, role; Esc clears"),
    ("s", "cycle sort: by user, name, expiry, account"),
    ("i", "everything about the selected profile, errors in full"),
    ("o", "the AWS console as the role (no browser: the link is copied)"),
    ("c  C", "copy --profile NAME / export AWS_PROFILE=NAME"),
    ("l", "show or hide the log"),
    ("Tab", "the IAM screen: keys, MFA devices, policies, MFA audit"),
    ("F5", "reload your AWS config and credentials files"),
    ("?", "this help"),
    ("q  Ctrl-C", "quit (sessions stay valid); Ctrl-Z suspends"),
    ("mouse", "click selects, wheel scrolls"),
];

/// What the table's marks mean, after a blank line.
pub(super) const MARKS: &[(&str, &str)] = &[
    ("eu-west-1*", "region inherited from the source chain or partition default"),
    ("~ 3m 20s", "ends within the refresh margin: renewed soon"),
    ("x  !", "failed / broken: the line under the table and i tell why"),
    ("old key", "an access key older than key_max_age_days: Tab, then r"),
];

/// The IAM screen's keys.
pub(super) const IAM_KEYS: &[(&str, &str)] = &[
    ("↑ ↓  j k", "move through the sections"),
    ("PgUp PgDn", "previous / next user; g G first / last"),
    ("r", "rotate the user's key: new key saved and checked, old one deleted"),
    ("d", "deactivate the selected key (not the one in your AWS files)"),
    ("x  Del", "delete the selected key (never the one in your AWS files)"),
    ("a  A", "read and audit the user again / every user"),
    ("f", "the fix: a Deny (c copies it), a boundary (b); y sets the boundary"),
    ("Tab", "back to the profiles"),
    ("l  F5", "show or hide the log / reload your AWS files"),
    ("?  q", "this help / quit"),
];

pub(super) const IAM_MARKS: &[(&str, &str)] = &[
    ("OLD", "older than key_max_age_days (config.toml)"),
    ("ENFORCED", "requests without MFA are denied"),
    ("NOT ENFORCED", "something works without MFA: the line says what"),
    ("UNKNOWN", "a policy could not be read: the audit cannot tell"),
    ("every change", "asks first; IAM calls use the MFA session"),
];

fn groups(s: &AppState) -> [&'static [(&'static str, &'static str)]; 2] {
    match s.screen {
        Screen::Profiles => [KEYS, MARKS],
        Screen::Iam => [IAM_KEYS, IAM_MARKS],
    }
}

/// The help's lines for a box `inner` columns wide (inside the borders).
fn lines<'a>(s: &AppState, inner: usize, t: &Theme) -> Vec<Line<'a>> {
    let [keys, marks] = groups(s);
    let key_width = keys.iter().chain(marks).map(|(k, _)| k.chars().count()).max().unwrap_or(0) + 2;
    let text_width = inner.saturating_sub(key_width + 2).max(10);
    let mut out = Vec::new();
    for (i, group) in [keys, marks].into_iter().enumerate() {
        if i > 0 {
            out.push(Line::from(""));
        }
        for (key, what) in group {
            for (j, part) in wrap(what, text_width).into_iter().enumerate() {
                let key = if j == 0 { *key } else { "" };
                out.push(Line::from(vec![
                    Span::styled(format!(" {key:key_width$}"), t.accent),
                    Span::styled(part, t.text),
                ]));
            }
        }
    }
    out
}

pub fn draw(f: &mut Frame, area: Rect, s: &AppState, t: &Theme) {
    let [keys, marks] = groups(s);
    let key_width = keys.iter().chain(marks).map(|(k, _)| k.chars().count()).max().unwrap_or(0) + 2;
    let widest = keys.iter().chain(marks).map(|(_, w)| w.chars().count()).max().unwrap_or(0);
    // A space each side inside the borders.
    let inner = (key_width + widest + 2).min(usize::from(area.width).saturating_sub(2));
    let lines = lines(s, inner, t);
    let r = centered(area, inner as u16 + 2, lines.len() as u16 + 2);
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" keys ", t.title))
        .title_bottom(Span::styled(" any key closes this help ", t.dim));
    f.render_widget(Paragraph::new(lines).block(block), r);
}
