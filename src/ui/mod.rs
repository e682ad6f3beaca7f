//! Rendering: a pure function of `AppState`. One file per screen or popup.

mod columns;
mod confirm;
mod dashboard;
mod detail;
mod help;
mod iam;
mod log;
mod mfa_modal;
mod palette;
pub mod svg;
mod text;
pub mod theme;

use crate::state::{AppState, Overlay, Panel, Screen};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use theme::Theme;

pub struct Areas {
    pub header: Rect,
    pub table: Rect,
    /// The selected row's message (or how to use it), under the table.
    pub detail: Option<Rect>,
    pub log: Option<Rect>,
    /// The one message line: the newest news, never over the table.
    pub message: Option<Rect>,
    pub footer: Rect,
}

/// Where everything goes. Also used by the app after every change, to know which screen row is
/// which table row (mouse clicks) and how many rows fit. The detail area's height depends on
/// the terminal alone, not on the selected row, so moving the selection never resizes the table.
pub fn layout(area: Rect, s: &AppState) -> Areas {
    let detail = match area.height {
        _ if s.profiles.rows.is_empty() || s.screen == Screen::Iam => 0,
        h if h >= 20 => 2,
        h if h >= 12 => 1,
        _ => 0,
    };
    frame_areas(area, s, detail)
}

/// Header, body, `detail` rows under it, the log when open, the message line, the footer:
/// every screen's frame.
fn frame_areas(area: Rect, s: &AppState, detail: u16) -> Areas {
    let header = 2 + u16::from(s.demo_hint.is_some());
    let message = u16::from(area.height >= 8);
    // The log takes a third of the screen (at least 5 rows), leaving the table 3 rows.
    let room = area.height.saturating_sub(header + detail + message + 1 + 4);
    let log = if s.messages.open { (area.height / 3).max(5).min(room) } else { 0 };
    let [h, t, d, l, m, f] = Layout::vertical([
        Constraint::Length(header),
        Constraint::Min(2),
        Constraint::Length(detail),
        Constraint::Length(log),
        Constraint::Length(message),
        Constraint::Length(1),
    ])
    .areas(area);
    Areas {
        header: h,
        table: t,
        detail: (detail > 0).then_some(d),
        log: (log > 0).then_some(l),
        message: (message > 0).then_some(m),
        footer: f,
    }
}

/// Rows of the table body that fit, and the screen row of the first one (below the column titles).
pub fn table_geometry(area: Rect, s: &AppState) -> (u16, u16) {
    let t = layout(area, s).table;
    (t.height.saturating_sub(1), t.y + 1)
}

pub fn draw(f: &mut Frame, s: &AppState) {
    let theme = Theme::new(s.prefs.theme, s.prefs.no_color);
    let areas = layout(f.area(), s);
    match s.screen {
        Screen::Profiles => profiles(f, &areas, s, &theme),
        Screen::Iam => iam::draw(f, &areas, s, &theme),
    }
    if let Some(a) = areas.log {
        log::pane(f, a, s, &theme);
    }
    if let Some(a) = areas.message {
        log::message_line(f, a, s, &theme);
    }
    dashboard::footer(f, areas.footer, s, &theme);
    // The overlays, bottom to top: the one on top takes the keys, so it is drawn last. Popups
    // stay below the header, whose demo line shows the codes a prompt asks for.
    let below_header = Rect { y: areas.table.y, height: f.area().height.saturating_sub(areas.table.y), ..f.area() };
    for o in s.overlays.iter() {
        match o {
            Overlay::Panel(Panel::Help { scroll }) => help::draw(f, f.area(), s, *scroll, &theme),
            Overlay::Panel(Panel::Details { scroll }) => detail::popup(f, below_header, s, *scroll, &theme),
            // Drawn in the IAM screen's body.
            Overlay::Panel(Panel::Describe { .. }) => {}
            Overlay::Palette(p) => {
                // Its list sits above the footer's row, where the typed command is.
                let above = Rect { height: areas.footer.y.saturating_sub(below_header.y), ..below_header };
                palette::draw(f, areas.footer, above, p, &theme)
            }
            Overlay::Confirm(p) => confirm::draw(f, below_header, p, &theme),
            Overlay::Prompt(_) => {}
        }
    }
    if let Some(m) = s.overlays.prompt() {
        mfa_modal::draw(f, below_header, m, s, &theme);
    }
}

fn profiles(f: &mut Frame, areas: &Areas, s: &AppState, theme: &Theme) {
    dashboard::header(f, areas.header, s, theme);
    dashboard::table(f, areas.table, s, theme);
    if let Some(a) = areas.detail {
        detail::line(f, a, s, theme);
    }
}

/// A centred rectangle of at most `w`×`h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let (w, h) = (w.min(area.width), h.min(area.height));
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

#[cfg(test)]
#[path = "snapshot_tests.rs"]
mod snapshot_tests;

#[cfg(test)]
#[path = "iam_snapshot_tests.rs"]
mod iam_snapshot_tests;

#[cfg(test)]
#[path = "rough_edges_tests.rs"]
mod rough_edges_tests;
