//! The message line (the newest news, one row, never over the table) and the log pane (`l`):
//! every message in full, wrapped, newest at the bottom, with a cursor when it has the keys.

use super::text::wrap;
use super::theme::Theme;
use crate::aws::clock::rfc3339;
use crate::display::{clip, width};
use crate::state::messages::{Entry, full_text};
use crate::state::{AppState, Level};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// A level's mark and style, wherever levelled text is shown.
pub(super) fn style(level: Level, t: &Theme) -> (&'static str, Style) {
    match level {
        Level::Info => ("i", t.text),
        Level::Success => ("ok", t.ok),
        Level::Warn => ("!", t.warn),
        Level::Error => ("x", t.err),
    }
}

fn clock(at: i64) -> String {
    let time = rfc3339(at);
    time.get(11..19).unwrap_or(&time).to_string()
}

/// The newest message said in the last seconds, its repeats counted, the others that came with
/// it counted; cut to the width with a pointer to the log, which has it whole.
pub fn message_line(f: &mut Frame, area: Rect, s: &AppState, t: &Theme) {
    let Some((e, others)) = s.messages.line(s.now) else { return };
    let (tag, st) = style(e.level, t);
    let more = match others {
        0 => String::new(),
        n => format!("  +{n} · l"),
    };
    let text = format!("{tag} {}", full_text(e));
    let room = usize::from(area.width).saturating_sub(1 + width(&more));
    let shown = if width(&text) > room {
        const CUT: &str = "… l: more";
        format!("{}{CUT}", clip(&text, room.saturating_sub(width(CUT))).trim_end_matches('…'))
    } else {
        text
    };
    let line = Line::from(vec![Span::styled(format!(" {shown}"), st), Span::styled(more, t.dim)]);
    f.render_widget(Paragraph::new(line), area);
}

/// An entry's lines at `inner` columns: the time, then the text wrapped under itself.
fn entry_lines(e: &Entry, inner: usize, on: bool, t: &Theme) -> Vec<Line<'static>> {
    let (tag, st) = style(e.level, t);
    let lead = format!("{} {tag:2} ", clock(e.at));
    let indent = width(&lead);
    let st = if on { st.patch(t.selected) } else { st };
    wrap(&full_text(e), inner.saturating_sub(indent).max(10))
        .into_iter()
        .enumerate()
        .map(|(i, part)| {
            let head = if i == 0 { lead.clone() } else { " ".repeat(indent) };
            Line::from(vec![Span::styled(head, t.dim), Span::styled(part, st)])
        })
        .collect()
}

pub fn pane(f: &mut Frame, area: Rect, s: &AppState, t: &Theme) {
    let m = &s.messages;
    let title = " log · ↑ ↓ scroll · y copies the entry · l or Esc closes ";
    let block = Block::default().borders(Borders::TOP).title(Span::styled(title, t.dim));
    let inner = block.inner(area);
    let (rows, cols) = (usize::from(inner.height), usize::from(inner.width));
    // From the entry under the cursor back to older ones until the pane is full, then newer ones
    // below it while room is left: the selected entry is always whole on screen.
    let sel = m.entries.len().saturating_sub(1 + m.cursor);
    let mut above: Vec<Vec<Line>> = Vec::new();
    let mut used = 0;
    for (i, e) in m.entries.iter().enumerate().take(sel + 1).rev() {
        let lines = entry_lines(e, cols, i == sel, t);
        if used + lines.len() > rows && !above.is_empty() {
            break;
        }
        used += lines.len();
        above.push(lines);
    }
    above.reverse();
    let mut lines: Vec<Line> = above.into_iter().flatten().collect();
    for e in m.entries.iter().skip(sel + 1) {
        let more = entry_lines(e, cols, false, t);
        if lines.len() + more.len() > rows {
            break;
        }
        lines.extend(more);
    }
    // An entry taller than the pane shows its start.
    lines.truncate(rows.max(1));
    if m.entries.is_empty() {
        lines.push(Line::styled(" nothing yet", t.dim));
    }
    f.render_widget(Paragraph::new(lines).block(block), area);
}
