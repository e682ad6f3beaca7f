//! The `?` overlay: every key, and what the marks in the table mean. Sized to its content and
//! wrapped within the terminal, so no description is ever cut.

use super::centered;
use super::text::wrap;
use super::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub(super) const KEYS: &[(&str, &str)] = &[
    ("↑ ↓  j k", "move"),
    ("g G  Home End", "first / last"),
    ("PgUp PgDn", "page"),
    ("Enter  r", "refresh the selected (or marked) profiles; a code only if the MFA session ended"),
    ("R", "refresh everything"),
    ("Space", "select several roles, then r"),
    ("/", "filter as you type: name, account, alias, role; Esc clears"),
    ("s", "cycle sort: by user, name, expiry, account"),
    ("i", "everything about the selected profile, errors in full"),
    ("o", "the AWS console as the role (no browser: the link is copied)"),
    ("c  C", "copy --profile NAME / export AWS_PROFILE=NAME"),
    ("l", "show or hide the log"),
    ("F5", "reload your AWS config and credentials files"),
    ("?", "this help"),
    ("q  Ctrl-C", "quit (sessions stay valid); Ctrl-Z suspends"),
    ("mouse", "click selects, wheel scrolls"),
];

/// What the table's marks mean, after a blank line.
pub(super) const MARKS: &[(&str, &str)] = &[
    ("eu-west-1*", "region inherited up the source chain, or the partition's default"),
    ("~ 3m 20s", "ends within the refresh margin: renewed soon"),
    ("x  !", "failed / broken: the line under the table and i tell why"),
];

/// The help's lines for a box `inner` columns wide (inside the borders).
fn lines<'a>(inner: usize, t: &Theme) -> Vec<Line<'a>> {
    let key_width = KEYS.iter().chain(MARKS).map(|(k, _)| k.chars().count()).max().unwrap_or(0) + 2;
    let text_width = inner.saturating_sub(key_width + 2).max(10);
    let mut out = Vec::new();
    for (i, group) in [KEYS, MARKS].into_iter().enumerate() {
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

pub fn draw(f: &mut Frame, area: Rect, t: &Theme) {
    let key_width = KEYS.iter().chain(MARKS).map(|(k, _)| k.chars().count()).max().unwrap_or(0) + 2;
    let widest = KEYS.iter().chain(MARKS).map(|(_, w)| w.chars().count()).max().unwrap_or(0);
    // A space each side inside the borders.
    let inner = (key_width + widest + 2).min(usize::from(area.width).saturating_sub(2));
    let lines = lines(inner, t);
    let r = centered(area, inner as u16 + 2, lines.len() as u16 + 2);
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" keys ", t.title))
        .title_bottom(Span::styled(" any key closes this help ", t.dim));
    f.render_widget(Paragraph::new(lines).block(block), r);
}
