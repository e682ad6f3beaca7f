//! Colours for dark and light terminals, and none at all under NO_COLOR (state then shows
//! through symbols and bold/reverse alone).

use crate::settings::ThemeName;
use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub text: Style,
    pub dim: Style,
    pub title: Style,
    pub header: Style,
    pub selected: Style,
    pub ok: Style,
    pub warn: Style,
    pub err: Style,
    pub accent: Style,
}

impl Theme {
    pub fn new(name: ThemeName, no_color: bool) -> Self {
        if no_color {
            let plain = Style::default();
            return Self {
                text: plain,
                dim: plain,
                title: plain.add_modifier(Modifier::BOLD),
                header: plain.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
                selected: plain.add_modifier(Modifier::REVERSED),
                ok: plain,
                warn: plain.add_modifier(Modifier::BOLD),
                err: plain.add_modifier(Modifier::BOLD),
                accent: plain.add_modifier(Modifier::BOLD),
            };
        }
        let (text, dim, sel_bg, ok, warn, err, accent) = match name {
            ThemeName::Dark => (
                Color::Gray,
                Color::DarkGray,
                Color::Rgb(40, 44, 60),
                Color::Green,
                Color::Yellow,
                Color::Red,
                Color::Cyan,
            ),
            ThemeName::Light => (
                Color::Black,
                Color::Gray,
                Color::Rgb(215, 225, 245),
                Color::Rgb(0, 120, 0),
                Color::Rgb(160, 100, 0),
                Color::Red,
                Color::Blue,
            ),
        };
        Self {
            text: Style::default().fg(text),
            dim: Style::default().fg(dim),
            title: Style::default().fg(accent).add_modifier(Modifier::BOLD),
            header: Style::default().fg(dim).add_modifier(Modifier::BOLD),
            selected: Style::default().bg(sel_bg).add_modifier(Modifier::BOLD),
            ok: Style::default().fg(ok),
            warn: Style::default().fg(warn),
            err: Style::default().fg(err),
            accent: Style::default().fg(accent),
        }
    }
}
