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
    ("l", "the log: every message in full; ↑ ↓ scroll it, y copies, l closes"),
    (":", "command palette: login, logout, console, copy, sort… by name (Tab completes)"),
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
    ("↑ ↓  j k", "move through the users (in a description: its keys and findings)"),
    ("Esc", "back from a description to the table"),
    ("r", "rotate the user's key: new key saved and checked, old one deleted"),
    ("d", "in a description: deactivate the selected key (not the one in your files)"),
    ("x  Del", "in a description: delete the selected key (never the one in your files)"),
    ("Enter", "describe the user: keys, devices, groups, policies, the audit's evidence and fix"),
    ("a  A", "read and audit the user again / every signed-in user"),
    ("f", "the fix: a Deny (c copies it), a boundary (b); y sets the boundary"),
    ("Tab", "back to the profiles"),
    ("l  F5", "the log / reload your AWS files"),
    (":", "command palette: audit, rotate, fix, describe… by name"),
    ("?  q", "this help / quit"),
];

pub(super) const IAM_MARKS: &[(&str, &str)] = &[
    ("OLD", "older than key_max_age_days (config.toml)"),
    ("ENFORCED", "requests without MFA are denied"),
    ("NOT ENFORCED", "something works without MFA: the line says what"),
    ("UNKNOWN", "a policy could not be read: the audit cannot tell"),
    ("every change", "asks first; IAM calls use the MFA session"),
    ("not signed in", "its data loads when you act on its row (Enter, a, r): one code"),
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

/// Centred; when taller than the terminal it scrolls (`scroll`: its first line shown) and the
/// border says how far along it is.
pub fn draw(f: &mut Frame, area: Rect, s: &AppState, scroll: u16, t: &Theme) {
    let [keys, marks] = groups(s);
    let key_width = keys.iter().chain(marks).map(|(k, _)| k.chars().count()).max().unwrap_or(0) + 2;
    let widest = keys.iter().chain(marks).map(|(_, w)| w.chars().count()).max().unwrap_or(0);
    // A space each side inside the borders.
    let inner = (key_width + widest + 2).min(usize::from(area.width).saturating_sub(2));
    let lines = lines(s, inner, t);
    let total = lines.len() as u16;
    let r = centered(area, inner as u16 + 2, total + 2);
    let shown = r.height.saturating_sub(2);
    let first = scroll.min(total.saturating_sub(shown));
    let hint = if shown < total {
        format!(" ↑ ↓ scroll: lines {}–{} of {total} · any other key closes ", first + 1, first + shown)
    } else {
        " any key closes this help ".to_string()
    };
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" keys ", t.title))
        .title_bottom(Span::styled(hint, t.dim));
    f.render_widget(Paragraph::new(lines).block(block).scroll((first, 0)), r);
}
