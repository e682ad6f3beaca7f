//! Rendering: a pure function of `AppState`. One file per screen or popup.

mod columns;
mod confirm;
mod dashboard;
mod detail;
mod help;
mod iam;
mod log;
mod mfa_modal;
pub mod svg;
mod text;
pub mod theme;

use crate::state::{AppState, Mode, Screen};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use theme::Theme;

pub struct Areas {
    pub header: Rect,
    pub table: Rect,
    /// The selected row's message (or how to use it), under the table.
    pub detail: Option<Rect>,
    pub log: Option<Rect>,
    pub footer: Rect,
}

const LOG_HEIGHT: u16 = 8;

/// Where everything goes. Also used by the app on resize, to know which screen row is which
/// table row (mouse clicks) and how many rows fit. The detail area's height depends on the
/// terminal alone, not on the selected row, so moving the selection never resizes the table.
pub fn layout(area: Rect, s: &AppState) -> Areas {
    let detail = match area.height {
        _ if s.rows.is_empty() => 0,
        h if h >= 20 => 2,
        h if h >= 12 => 1,
        _ => 0,
    };
    frame_areas(area, s, detail)
}

/// Header, body, `detail` rows under it, the log when shown, the footer: every screen's frame.
fn frame_areas(area: Rect, s: &AppState, detail: u16) -> Areas {
    let header = 2 + u16::from(s.demo_hint.is_some());
    let log = if s.show_log { LOG_HEIGHT.min(area.height.saturating_sub(header + detail + 4)) } else { 0 };
    let [h, t, d, l, f] = Layout::vertical([
        Constraint::Length(header),
        Constraint::Min(2),
        Constraint::Length(detail),
        Constraint::Length(log),
        Constraint::Length(1),
    ])
    .areas(area);
    Areas { header: h, table: t, detail: (detail > 0).then_some(d), log: (log > 0).then_some(l), footer: f }
}

/// Rows of the table body that fit, and the screen row of the first one (below the column titles).
pub fn table_geometry(area: Rect, s: &AppState) -> (u16, u16) {
    let t = layout(area, s).table;
    (t.height.saturating_sub(1), t.y + 1)
}

pub fn draw(f: &mut Frame, s: &AppState) {
    let theme = Theme::new(s.theme, s.no_color);
    match s.screen {
        Screen::Profiles => profiles(f, s, &theme),
        Screen::Iam => iam::draw(f, f.area(), s, &theme),
    }
    match s.mode {
        Mode::Help => help::draw(f, f.area(), s, &theme),
        Mode::Details if s.screen == Screen::Profiles => detail::popup(f, f.area(), s, &theme),
        Mode::Normal | Mode::Filter | Mode::Details => {}
    }
    if let Some(p) = s.popup() {
        confirm::draw(f, f.area(), p, &theme);
    }
    // Prompts are the top layer: they take the keys, so they are drawn last.
    if let Some(m) = s.prompts.front() {
        mfa_modal::draw(f, f.area(), m, s, &theme);
    }
}

fn profiles(f: &mut Frame, s: &AppState, theme: &Theme) {
    let theme = *theme;
    let areas = layout(f.area(), s);
    dashboard::header(f, areas.header, s, &theme);
    dashboard::table(f, areas.table, s, &theme);
    if let Some(a) = areas.detail {
        detail::line(f, a, s, &theme);
    }
    if let Some(a) = areas.log {
        log::pane(f, a, s, &theme);
    }
    dashboard::footer(f, areas.footer, s, &theme);
    // Over the table only: the log, the detail line and the key hints stay readable.
    log::toasts(f, areas.table, s, &theme);
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
