//! Keys and mouse events to actions, by mode: the top layer gets them first.

use crate::action::Action;
use crate::aws::iam::key_ops::KeyOp;
use crate::state::Layer;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind};

pub fn map(layer: Layer, event: Event) -> Option<Action> {
    match event {
        Event::Key(k) if k.kind != KeyEventKind::Release => key(layer, k),
        Event::Paste(text) if layer == Layer::Prompt => Some(Action::ModalPaste(text)),
        Event::Paste(text) if layer == Layer::Filter => text.chars().next().map(Action::FilterChar),
        Event::Paste(text) if layer == Layer::Palette => text.chars().next().map(Action::PaletteChar),
        Event::Resize(width, height) => Some(Action::Resize { width, height }),
        Event::Mouse(m) if layer == Layer::Normal => match m.kind {
            MouseEventKind::Down(MouseButton::Left) => Some(Action::Click { y: m.row }),
            MouseEventKind::ScrollUp => Some(Action::ScrollUp),
            MouseEventKind::ScrollDown => Some(Action::ScrollDown),
            _ => None,
        },
        Event::Mouse(m) if layer == Layer::Log => match m.kind {
            MouseEventKind::ScrollUp => Some(Action::LogScroll(3)),
            MouseEventKind::ScrollDown => Some(Action::LogScroll(-3)),
            _ => None,
        },
        Event::Mouse(m) if matches!(layer, Layer::Iam | Layer::Describe) => match m.kind {
            MouseEventKind::ScrollUp => Some(Action::Up),
            MouseEventKind::ScrollDown => Some(Action::Down),
            _ => None,
        },
        _ => None,
    }
}

fn key(layer: Layer, k: KeyEvent) -> Option<Action> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    match (k.code, ctrl) {
        (KeyCode::Char('c'), true) => return Some(Action::Quit),
        (KeyCode::Char('z'), true) => return Some(Action::Suspend),
        _ => {}
    }
    match layer {
        Layer::Prompt => match k.code {
            KeyCode::Esc => Some(Action::Escape),
            KeyCode::Enter => Some(Action::ModalSubmit),
            KeyCode::Backspace => Some(Action::ModalBackspace),
            KeyCode::Char(c) => Some(Action::ModalChar(c)),
            _ => None,
        },
        Layer::Confirm => match k.code {
            KeyCode::Char('y' | 'Y') | KeyCode::Enter => Some(Action::ConfirmYes),
            KeyCode::Char('n' | 'N' | 'q') | KeyCode::Esc => Some(Action::ConfirmNo),
            KeyCode::Up | KeyCode::Char('k') => Some(Action::ConfirmScroll(-1)),
            KeyCode::Down | KeyCode::Char('j') => Some(Action::ConfirmScroll(1)),
            KeyCode::PageUp => Some(Action::ConfirmScroll(-10)),
            KeyCode::PageDown => Some(Action::ConfirmScroll(10)),
            KeyCode::Char('c') => Some(Action::ConfirmCopy),
            KeyCode::Char('b') => Some(Action::ConfirmCopyBoundary),
            _ => None,
        },
        Layer::Palette => match k.code {
            KeyCode::Esc => Some(Action::Escape),
            KeyCode::Enter => Some(Action::PaletteRun),
            KeyCode::Backspace => Some(Action::PaletteBackspace),
            KeyCode::Tab => Some(Action::PaletteComplete),
            KeyCode::Up | KeyCode::BackTab => Some(Action::PaletteMove(-1)),
            KeyCode::Down => Some(Action::PaletteMove(1)),
            KeyCode::Char(c) => Some(Action::PaletteChar(c)),
            _ => None,
        },
        // Help and details scroll; any other key closes them.
        Layer::Help | Layer::Details => {
            panel_scroll(k.code).or(Some(if layer == Layer::Help { Action::ToggleHelp } else { Action::ToggleDetails }))
        }
        Layer::Log => match k.code {
            KeyCode::Up | KeyCode::Char('k') => Some(Action::LogScroll(1)),
            KeyCode::Down | KeyCode::Char('j') => Some(Action::LogScroll(-1)),
            KeyCode::PageUp => Some(Action::LogScroll(10)),
            KeyCode::PageDown => Some(Action::LogScroll(-10)),
            KeyCode::Home | KeyCode::Char('g') => Some(Action::LogScroll(i64::from(u32::MAX))),
            KeyCode::End | KeyCode::Char('G') => Some(Action::LogScroll(-i64::from(u32::MAX))),
            KeyCode::Char('y') => Some(Action::LogCopy),
            KeyCode::Char('l' | 'q') => Some(Action::ToggleLog),
            KeyCode::Esc => Some(Action::Escape),
            KeyCode::Char('?') => Some(Action::ToggleHelp),
            _ => None,
        },
        Layer::Filter => match k.code {
            KeyCode::Esc => Some(Action::Escape),
            KeyCode::Enter => Some(Action::FilterDone),
            KeyCode::Backspace => Some(Action::FilterBackspace),
            KeyCode::Up => Some(Action::Up),
            KeyCode::Down => Some(Action::Down),
            KeyCode::Char(c) => Some(Action::FilterChar(c)),
            _ => None,
        },
        Layer::Normal => screen(k.code).or(match k.code {
            KeyCode::Enter | KeyCode::Char('r') => Some(Action::RefreshSelected),
            KeyCode::Char('R') => Some(Action::RefreshAll),
            KeyCode::Char(' ') => Some(Action::ToggleMark),
            KeyCode::Char('/') => Some(Action::StartFilter),
            KeyCode::Esc => Some(Action::Escape),
            KeyCode::Char('s') => Some(Action::CycleSort),
            KeyCode::Char('c') => Some(Action::CopyProfile),
            KeyCode::Char('C') => Some(Action::CopyExport),
            KeyCode::Char('i') => Some(Action::ToggleDetails),
            KeyCode::Char('o') => Some(Action::OpenConsole),
            _ => None,
        }),
        Layer::Iam | Layer::Describe => screen(k.code).or(match k.code {
            KeyCode::Enter if layer == Layer::Iam => Some(Action::IamDescribe),
            KeyCode::Esc => Some(Action::Escape),
            KeyCode::Char('r') => Some(Action::IamRotate),
            KeyCode::Char('d') => Some(Action::IamKey(KeyOp::Deactivate)),
            KeyCode::Char('x') | KeyCode::Delete => Some(Action::IamKey(KeyOp::Delete)),
            KeyCode::Char('a') => Some(Action::IamReload { all: false }),
            KeyCode::Char('A') => Some(Action::IamReload { all: true }),
            KeyCode::Char('f') => Some(Action::IamFix),
            _ => None,
        }),
    }
}

/// Keys that mean the same on both screens: moving, switching screens, the log, help, quitting.
fn screen(code: KeyCode) -> Option<Action> {
    match code {
        KeyCode::Char('q') => Some(Action::Quit),
        KeyCode::F(5) => Some(Action::Reload),
        KeyCode::Tab | KeyCode::BackTab => Some(Action::SwitchScreen),
        KeyCode::Up | KeyCode::Char('k') => Some(Action::Up),
        KeyCode::Down | KeyCode::Char('j') => Some(Action::Down),
        KeyCode::Home | KeyCode::Char('g') => Some(Action::Top),
        KeyCode::End | KeyCode::Char('G') => Some(Action::Bottom),
        KeyCode::PageUp => Some(Action::PageUp),
        KeyCode::PageDown => Some(Action::PageDown),
        KeyCode::Char('l') => Some(Action::ToggleLog),
        KeyCode::Char('?') => Some(Action::ToggleHelp),
        KeyCode::Char(':') => Some(Action::OpenPalette),
        _ => None,
    }
}

fn panel_scroll(code: KeyCode) -> Option<Action> {
    match code {
        KeyCode::Up | KeyCode::Char('k') => Some(Action::PanelScroll(-1)),
        KeyCode::Down | KeyCode::Char('j') => Some(Action::PanelScroll(1)),
        KeyCode::PageUp => Some(Action::PanelScroll(-10)),
        KeyCode::PageDown | KeyCode::Char(' ') => Some(Action::PanelScroll(10)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyEventState, MouseEvent};

    fn press(code: KeyCode) -> Event {
        Event::Key(KeyEvent {
            code,
            modifiers: KeyModifiers::NONE,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        })
    }

    fn modal() -> Layer {
        Layer::Prompt
    }

    #[test]
    fn the_top_layer_gets_keys_first() {
        assert!(matches!(map(Layer::Normal, press(KeyCode::Char('q'))), Some(Action::Quit)));
        assert!(matches!(map(Layer::Filter, press(KeyCode::Char('q'))), Some(Action::FilterChar('q'))));
        assert!(matches!(map(modal(), press(KeyCode::Char('q'))), Some(Action::ModalChar('q'))));
        assert!(matches!(map(Layer::Help, press(KeyCode::Char('x'))), Some(Action::ToggleHelp)));
        assert!(matches!(map(Layer::Normal, press(KeyCode::Char('i'))), Some(Action::ToggleDetails)));
        assert!(matches!(map(Layer::Filter, press(KeyCode::Char('i'))), Some(Action::FilterChar('i'))));
        for code in [KeyCode::Esc, KeyCode::Enter, KeyCode::Char('q'), KeyCode::Char('i')] {
            assert!(matches!(map(Layer::Details, press(code)), Some(Action::ToggleDetails)), "any key closes details");
        }
        let ctrl_c = Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
        assert!(matches!(map(modal(), ctrl_c), Some(Action::Quit)), "Ctrl-C quits from anywhere");
        assert!(matches!(map(Layer::Normal, press(KeyCode::Char('j'))), Some(Action::Down)));
        assert!(matches!(map(Layer::Normal, press(KeyCode::Enter)), Some(Action::RefreshSelected)));
        assert!(matches!(map(Layer::Normal, press(KeyCode::Char('R'))), Some(Action::RefreshAll)));
        assert!(matches!(map(modal(), Event::Paste("123456".into())), Some(Action::ModalPaste(_))));
        let release = Event::Key(KeyEvent {
            code: KeyCode::Char('q'),
            modifiers: KeyModifiers::NONE,
            kind: KeyEventKind::Release,
            state: KeyEventState::NONE,
        });
        assert!(map(Layer::Normal, release).is_none(), "key releases are ignored");
    }

    #[test]
    fn mouse_in_the_main_view_only() {
        let click = |kind| Event::Mouse(MouseEvent { kind, column: 3, row: 7, modifiers: KeyModifiers::NONE });
        assert!(matches!(
            map(Layer::Normal, click(MouseEventKind::Down(MouseButton::Left))),
            Some(Action::Click { y: 7 })
        ));
        assert!(matches!(map(Layer::Normal, click(MouseEventKind::ScrollDown)), Some(Action::ScrollDown)));
        assert!(map(modal(), click(MouseEventKind::Down(MouseButton::Left))).is_none());
        assert!(matches!(map(Layer::Normal, Event::Resize(80, 24)), Some(Action::Resize { width: 80, height: 24 })));
        assert!(matches!(map(Layer::Iam, click(MouseEventKind::ScrollDown)), Some(Action::Down)), "wheel moves");
        assert!(map(Layer::Iam, click(MouseEventKind::Down(MouseButton::Left))).is_none());
    }

    #[test]
    fn tab_switches_screens_and_the_iam_screen_has_its_own_keys() {
        for layer in [Layer::Normal, Layer::Iam] {
            assert!(matches!(map(layer, press(KeyCode::Tab)), Some(Action::SwitchScreen)));
            assert!(matches!(map(layer, press(KeyCode::BackTab)), Some(Action::SwitchScreen)));
        }
        assert!(map(Layer::Filter, press(KeyCode::Tab)).is_none(), "not while typing a filter");
        let iam = |c| map(Layer::Iam, press(KeyCode::Char(c)));
        assert!(matches!(iam('r'), Some(Action::IamRotate)), "r rotates here, refreshes there");
        assert!(matches!(map(Layer::Normal, press(KeyCode::Char('r'))), Some(Action::RefreshSelected)));
        assert!(matches!(iam('d'), Some(Action::IamKey(KeyOp::Deactivate))));
        assert!(matches!(iam('x'), Some(Action::IamKey(KeyOp::Delete))));
        assert!(matches!(map(Layer::Iam, press(KeyCode::Delete)), Some(Action::IamKey(KeyOp::Delete))));
        assert!(matches!(iam('a'), Some(Action::IamReload { all: false })));
        assert!(matches!(iam('A'), Some(Action::IamReload { all: true })));
        assert!(matches!(iam('f'), Some(Action::IamFix)));
        assert!(matches!(iam('j'), Some(Action::Down)));
        assert!(matches!(iam('q'), Some(Action::Quit)));
        assert!(matches!(iam('?'), Some(Action::ToggleHelp)));
        assert!(matches!(iam('l'), Some(Action::ToggleLog)));
        assert!(iam('/').is_none() && iam('c').is_none(), "no filter or copy on the IAM screen");
        assert!(matches!(map(Layer::Iam, press(KeyCode::F(5))), Some(Action::Reload)));
    }

    #[test]
    fn the_confirmation_takes_yes_no_scroll_and_copy() {
        let c = |code| map(Layer::Confirm, press(code));
        for yes in [KeyCode::Char('y'), KeyCode::Char('Y'), KeyCode::Enter] {
            assert!(matches!(c(yes), Some(Action::ConfirmYes)));
        }
        for no in [KeyCode::Char('n'), KeyCode::Char('N'), KeyCode::Esc, KeyCode::Char('q')] {
            assert!(matches!(c(no), Some(Action::ConfirmNo)));
        }
        assert!(matches!(c(KeyCode::Down), Some(Action::ConfirmScroll(1))));
        assert!(matches!(c(KeyCode::Char('k')), Some(Action::ConfirmScroll(-1))));
        assert!(matches!(c(KeyCode::PageDown), Some(Action::ConfirmScroll(10))));
        assert!(matches!(c(KeyCode::Char('c')), Some(Action::ConfirmCopy)));
        assert!(c(KeyCode::Char('r')).is_none() && c(KeyCode::Tab).is_none(), "nothing else under a popup");
        // The MFA prompt stays on top of a popup: digits go to it.
        assert!(matches!(map(Layer::Prompt, press(KeyCode::Char('y'))), Some(Action::ModalChar('y'))));
    }
}
