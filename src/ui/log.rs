//! The log pane (`l`) and the short-lived toasts.

use super::theme::Theme;
use crate::aws::clock::rfc3339;
use crate::state::{AppState, Level};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// A level's mark and style, wherever levelled text is shown.
pub(super) fn style(level: Level, t: &Theme) -> (&'static str, Style) {
    match level {
        Level::Info => ("i", t.text),
        Level::Success => ("ok", t.ok),
        Level::Warn => ("!", t.warn),
        Level::Error => ("x", t.err),
    }
}

pub fn pane(f: &mut Frame, area: Rect, s: &AppState, t: &Theme) {
    let rows = usize::from(area.height.saturating_sub(1));
    let lines: Vec<Line> = s
        .log
        .iter()
        .rev()
        .take(rows)
        .rev()
        .map(|l| {
            let (tag, st) = style(l.level, t);
            let time = rfc3339(l.at);
            let hms = time.get(11..19).unwrap_or(&time).to_string();
            Line::from(vec![Span::styled(format!("{hms} "), t.dim), Span::styled(format!("{tag:2} {}", l.text), st)])
        })
        .collect();
    let block = Block::default().borders(Borders::TOP).title(Span::styled(" log ", t.dim));
    f.render_widget(Paragraph::new(lines).block(block), area);
}

/// Newest at the bottom right of `area` (the table), below its column titles; they never
/// cover the log, the detail line or the key hints.
pub fn toasts(f: &mut Frame, area: Rect, s: &AppState, t: &Theme) {
    let width = (area.width / 2).clamp(20, 60).min(area.width);
    let top = area.y + 1;
    let mut bottom = area.y + area.height;
    for toast in s.toasts.iter().rev().take(3) {
        let (tag, st) = style(toast.level, t);
        let text = format!("{tag} {}", toast.text);
        // At most three lines: the log has the rest.
        let lines = super::text::wrap_at_most(&text, usize::from(width.saturating_sub(2)), 3, "…");
        let height = lines.len() as u16 + 2;
        if bottom < top + height {
            break;
        }
        bottom -= height;
        let r = Rect { x: area.x + area.width.saturating_sub(width + 1), y: bottom, width, height };
        f.render_widget(Clear, r);
        f.render_widget(
            Paragraph::new(lines.into_iter().map(|l| Line::styled(l, st)).collect::<Vec<_>>())
                .block(Block::default().borders(Borders::ALL).border_style(st)),
            r,
        );
    }
}
