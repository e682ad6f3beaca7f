//! The `:` palette: the typed command on the footer's row, and above it the commands that
//! match, with their keys, the highlighted one first to run on Enter.

use super::theme::Theme;
use crate::display::clip;
use crate::state::palette::Palette;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub fn draw(f: &mut Frame, footer: Rect, body: Rect, p: &Palette, t: &Theme) {
    let matches = p.matches();
    let input = match &p.error {
        Some(e) => {
            Line::from(vec![Span::styled(format!(":{}", p.input), t.accent), Span::styled(format!("  {e}"), t.err)])
        }
        None => Line::from(vec![
            Span::styled(format!(":{}", p.input), t.accent),
            Span::styled("▏", t.accent),
            Span::styled("  Tab completes · ↑ ↓ choose · Enter runs · Esc closes", t.dim),
        ]),
    };
    f.render_widget(Clear, footer);
    f.render_widget(Paragraph::new(input), footer);
    let width = body.width;
    let rows = (matches.len() as u16).min(body.height.saturating_sub(3));
    if rows == 0 {
        return;
    }
    let inner = usize::from(width.saturating_sub(2));
    let lines: Vec<Line> = matches
        .iter()
        .enumerate()
        .take(usize::from(rows))
        .map(|(i, v)| {
            let text = format!(" {:<12}{:<6}{}", v.name, v.key, v.what);
            let style = if i == p.choice { t.selected } else { t.text };
            Line::styled(clip(&text, inner).into_owned(), style)
        })
        .collect();
    let r = Rect { x: body.x, y: (body.y + body.height).saturating_sub(rows + 2), width, height: rows + 2 };
    f.render_widget(Clear, r);
    f.render_widget(Paragraph::new(lines).block(Block::default().borders(Borders::ALL).border_style(t.dim)), r);
}
