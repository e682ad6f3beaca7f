//! Keys and mouse events to actions, by mode: the top layer gets them first.

use crate::action::Action;
use crate::state::Mode;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind};

pub fn map(mode: &Mode, event: Event) -> Option<Action> {
    match event {
        Event::Key(k) if k.kind != KeyEventKind::Release => key(mode, k),
        Event::Paste(text) if matches!(mode, Mode::Mfa(_)) => Some(Action::ModalPaste(text)),
        Event::Paste(text) if *mode == Mode::Filter => text.chars().next().map(Action::FilterChar),
        Event::Resize(width, height) => Some(Action::Resize { width, height }),
        Event::Mouse(m) if *mode == Mode::Normal => match m.kind {
            MouseEventKind::Down(MouseButton::Left) => Some(Action::Click { y: m.row }),
            MouseEventKind::ScrollUp => Some(Action::ScrollUp),
            MouseEventKind::ScrollDown => Some(Action::ScrollDown),
            _ => None,
        },
        _ => None,
    }
}

fn key(mode: &Mode, k: KeyEvent) -> Option<Action> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    match (k.code, ctrl) {
        (KeyCode::Char('c'), true) => return Some(Action::Quit),
        (KeyCode::Char('z'), true) => return Some(Action::Suspend),
        _ => {}
    }
    match mode {
        Mode::Mfa(_) => match k.code {
            KeyCode::Esc => Some(Action::Escape),
            KeyCode::Enter => Some(Action::ModalSubmit),
            KeyCode::Backspace => Some(Action::ModalBackspace),
            KeyCode::Char(c) => Some(Action::ModalChar(c)),
            _ => None,
        },
        Mode::Help => Some(Action::ToggleHelp),
        Mode::Filter => match k.code {
            KeyCode::Esc => Some(Action::Escape),
            KeyCode::Enter => Some(Action::FilterDone),
            KeyCode::Backspace => Some(Action::FilterBackspace),
            KeyCode::Up => Some(Action::Up),
            KeyCode::Down => Some(Action::Down),
            KeyCode::Char(c) => Some(Action::FilterChar(c)),
            _ => None,
        },
        Mode::Normal => match k.code {
            KeyCode::Char('q') => Some(Action::Quit),
            KeyCode::Up | KeyCode::Char('k') => Some(Action::Up),
            KeyCode::Down | KeyCode::Char('j') => Some(Action::Down),
            KeyCode::Home | KeyCode::Char('g') => Some(Action::Top),
            KeyCode::End | KeyCode::Char('G') => Some(Action::Bottom),
            KeyCode::PageUp => Some(Action::PageUp),
            KeyCode::PageDown => Some(Action::PageDown),
            KeyCode::Enter | KeyCode::Char('r') => Some(Action::RefreshSelected),
            KeyCode::Char('R') => Some(Action::RefreshAll),
            KeyCode::Char(' ') => Some(Action::ToggleMark),
            KeyCode::Char('/') => Some(Action::StartFilter),
            KeyCode::Esc => Some(Action::Escape),
            KeyCode::Char('s') => Some(Action::CycleSort),
            KeyCode::Char('c') => Some(Action::CopyProfile),
            KeyCode::Char('C') => Some(Action::CopyExport),
            KeyCode::Char('l') => Some(Action::ToggleLog),
            KeyCode::Char('?') => Some(Action::ToggleHelp),
            _ => None,
        },
    }
}
