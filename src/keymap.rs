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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::MfaModal;
    use ratatui::crossterm::event::{KeyEventState, MouseEvent};

    fn press(code: KeyCode) -> Event {
        Event::Key(KeyEvent {
            code,
            modifiers: KeyModifiers::NONE,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        })
    }

    fn modal() -> Mode {
        Mode::Mfa(MfaModal { user: "u".into(), serial: "s".into(), input: String::new(), error: None, busy: false })
    }

    #[test]
    fn the_top_layer_gets_keys_first() {
        assert!(matches!(map(&Mode::Normal, press(KeyCode::Char('q'))), Some(Action::Quit)));
        assert!(matches!(map(&Mode::Filter, press(KeyCode::Char('q'))), Some(Action::FilterChar('q'))));
        assert!(matches!(map(&modal(), press(KeyCode::Char('q'))), Some(Action::ModalChar('q'))));
        assert!(matches!(map(&Mode::Help, press(KeyCode::Char('x'))), Some(Action::ToggleHelp)));
        let ctrl_c = Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
        assert!(matches!(map(&modal(), ctrl_c), Some(Action::Quit)), "Ctrl-C quits from anywhere");
        assert!(matches!(map(&Mode::Normal, press(KeyCode::Char('j'))), Some(Action::Down)));
        assert!(matches!(map(&Mode::Normal, press(KeyCode::Enter)), Some(Action::RefreshSelected)));
        assert!(matches!(map(&Mode::Normal, press(KeyCode::Char('R'))), Some(Action::RefreshAll)));
        assert!(matches!(map(&modal(), Event::Paste("123456".into())), Some(Action::ModalPaste(_))));
        let release = Event::Key(KeyEvent {
            code: KeyCode::Char('q'),
            modifiers: KeyModifiers::NONE,
            kind: KeyEventKind::Release,
            state: KeyEventState::NONE,
        });
        assert!(map(&Mode::Normal, release).is_none(), "key releases are ignored");
    }

    #[test]
    fn mouse_in_the_main_view_only() {
        let click = |kind| Event::Mouse(MouseEvent { kind, column: 3, row: 7, modifiers: KeyModifiers::NONE });
        assert!(matches!(
            map(&Mode::Normal, click(MouseEventKind::Down(MouseButton::Left))),
            Some(Action::Click { y: 7 })
        ));
        assert!(matches!(map(&Mode::Normal, click(MouseEventKind::ScrollDown)), Some(Action::ScrollDown)));
        assert!(map(&modal(), click(MouseEventKind::Down(MouseButton::Left))).is_none());
        assert!(matches!(map(&Mode::Normal, Event::Resize(80, 24)), Some(Action::Resize { width: 80, height: 24 })));
    }
}
