//! The `?` overlay: every key.

use super::centered;
use super::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

const KEYS: &[(&str, &str)] = &[
    ("↑ ↓  j k", "move"),
    ("g G  Home End", "first / last"),
    ("PgUp PgDn", "page"),
    ("Enter  r", "refresh the selected profile(s); asks for a code only if the MFA session ended"),
    ("R", "refresh everything"),
    ("Space", "select several roles, then r"),
    ("/", "filter as you type (name, account, role); Esc clears"),
    ("s", "cycle sort: by user, name, expiry, account"),
    ("c  C", "copy --profile NAME / export AWS_PROFILE=NAME"),
    ("l", "show or hide the log"),
    ("?", "this help"),
    ("q  Ctrl-C", "quit (sessions stay valid)"),
    ("Ctrl-Z", "suspend"),
    ("mouse", "click selects, wheel scrolls"),
];

pub fn draw(f: &mut Frame, area: Rect, t: &Theme) {
    let r = centered(area, 86, KEYS.len() as u16 + 4);
    f.render_widget(Clear, r);
    let mut lines: Vec<Line> = KEYS
        .iter()
        .map(|(k, v)| Line::from(vec![Span::styled(format!(" {k:15}"), t.accent), Span::styled(*v, t.text)]))
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::styled(" any key closes this help", t.dim));
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(Span::styled(" keys ", t.title))),
        r,
    );
}
