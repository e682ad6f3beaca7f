//! The MFA code popup: which user and device, six digit slots, the last error, and what to press.

use super::centered;
use super::theme::Theme;
use crate::state::{AppState, MfaModal};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

pub fn draw(f: &mut Frame, area: Rect, m: &MfaModal, s: &AppState, t: &Theme) {
    let width = usize::from(area.width.min(64).saturating_sub(2));
    let device = m.serial.rsplit_once(":mfa/").map_or(m.serial.as_str(), |(_, d)| d);
    let slots: String = (0..6).map(|i| m.input.chars().nth(i).map_or("_ ".to_string(), |c| format!("{c} "))).collect();
    let roles = s.profiles.rows.iter().filter(|r| r.user.as_deref() == Some(&m.user) && !r.is_user).count();
    let mut lines = vec![
        Line::from(vec![Span::styled("device ", t.dim), Span::styled(device.to_string(), t.text)]),
        Line::styled(
            format!("one code signs in {} and its {}", m.user, crate::display::plural(roles, "role", "roles")),
            t.dim,
        ),
        Line::from(""),
        Line::from(vec![Span::styled("  code  ", t.dim), Span::styled(slots, t.title)]),
        Line::from(""),
    ];
    for (i, a) in m.askers.iter().take(3).enumerate() {
        // One row each, whatever a caller claims to be: the code field stays in view.
        let asker = format!("asked by {}", crate::aws::sanitize::for_terminal(a));
        lines.insert(2 + i, Line::styled(crate::display::clip(&asker, width).into_owned(), t.accent));
    }
    if s.overlays.prompts().count() > 1 {
        let more = s.overlays.prompts().skip(1).map(|p| p.user.as_str()).collect::<Vec<_>>().join(", ");
        lines.push(Line::styled(format!("next: {more}"), t.dim));
    }
    match (&m.error, m.busy) {
        (_, true) => lines.push(Line::styled("signing in…", t.accent)),
        (Some(e), _) => lines.push(Line::styled(e.clone(), t.err)),
        (None, _) => lines.push(Line::styled("Enter to sign in · Esc to refuse", t.dim)),
    }
    // As tall as its lines, so it covers no more of the table than it must.
    let r = centered(area, 64, lines.len() as u16 + 2);
    f.render_widget(Clear, r);
    let block =
        Block::default().borders(Borders::ALL).title(Span::styled(format!(" MFA code for {} ", m.user), t.title));
    f.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), r);
}
