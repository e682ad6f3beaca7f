//! The overlay stack's own actions: Esc (the top layer goes), help and details opened, closed
//! and scrolled, and the log's focus, cursor and copy.

use crate::action::Command;
use crate::state::messages::full_text;
use crate::state::{AppState, Overlay, Panel, Screen};

/// Esc: the top layer first — a prompt is refused, a popup answered no, the palette or a panel
/// closed; then the log gives the keys back; then the filter clears; then the marks.
pub(super) fn escape(s: &mut AppState) -> Vec<Command> {
    match s.overlays.top() {
        Some(Overlay::Prompt(_)) => {
            // The engine that asked reports the refusal, once, in its words.
            let Some(Overlay::Prompt(p)) = s.overlays.pop() else { return vec![] };
            return vec![Command::Answer { user: p.user, code: None }];
        }
        Some(Overlay::Confirm(_)) => return super::iam::confirm(s, false),
        Some(_) => {
            s.overlays.pop();
            return vec![];
        }
        None => {}
    }
    if s.messages.open {
        s.messages.open = false;
    } else if s.screen == Screen::Profiles && !s.profiles.filter.is_empty() {
        s.profiles.filter.clear();
        s.profiles.filtering = false;
        s.refilter();
    } else {
        s.profiles.filtering = false;
        s.profiles.marked.clear();
    }
    vec![]
}

/// `l`: open the log with the keys on its newest entry; `l` again (or Esc) closes it.
pub(super) fn toggle_log(s: &mut AppState) {
    s.messages.open = !s.messages.open;
    s.messages.cursor = 0;
}

pub(super) fn copy_log_entry(s: &mut AppState) -> Vec<Command> {
    let Some(e) = s.messages.selected() else { return vec![] };
    let at = crate::aws::clock::rfc3339(e.at);
    vec![Command::CopyText { text: format!("{at} {}", full_text(e)), what: "the log entry".into() }]
}

pub(super) fn toggle_help(s: &mut AppState) {
    if matches!(s.overlays.top(), Some(Overlay::Panel(Panel::Help { .. }))) {
        s.overlays.pop();
    } else {
        s.overlays.push(Overlay::Panel(Panel::Help { scroll: 0 }));
    }
}

pub(super) fn toggle_details(s: &mut AppState) {
    if matches!(s.overlays.top(), Some(Overlay::Panel(Panel::Details { .. }))) {
        s.overlays.pop();
    } else if s.selected_row().is_some() {
        s.overlays.push(Overlay::Panel(Panel::Details { scroll: 0 }));
    }
}

/// The most lines a panel scrolls by: its text at the narrowest terminal is about this tall, so
/// scrolling back never needs presses that move nothing.
const PANEL_SCROLL_MAX: u16 = 40;

/// Scroll the panel on top; drawing clamps to what the text needs at the terminal's size.
pub(super) fn scroll_panel(s: &mut AppState, delta: i16) {
    if let Some(Overlay::Panel(Panel::Help { scroll } | Panel::Details { scroll })) = s.overlays.top_mut() {
        *scroll = scroll.saturating_add_signed(delta).min(PANEL_SCROLL_MAX);
    }
}
