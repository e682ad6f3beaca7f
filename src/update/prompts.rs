//! The MFA prompts: raised by this dashboard's engine or by another process over the socket,
//! joined per user, typed into and submitted. Refusing one is `Escape` (overlays).

use crate::action::Command;
use crate::aws::mfa::is_six_digits;
use crate::aws::secret::Secret;
use crate::state::{AppState, MfaModal, Overlay};

/// Someone needs `user`'s code: join its prompt, or queue a new one.
pub(super) fn raise(s: &mut AppState, user: String, serial: String, asker: String, retry_reason: Option<String>) {
    if let Some(m) = s.overlays.prompts_mut().find(|m| m.user == user) {
        if !m.askers.contains(&asker) {
            m.askers.push(asker);
        }
        if retry_reason.is_some() {
            m.busy = false;
            m.input.clear();
            m.error = retry_reason;
        }
        return;
    }
    s.overlays.push(Overlay::Prompt(MfaModal {
        user,
        serial,
        input: String::new(),
        error: retry_reason,
        busy: false,
        askers: vec![asker],
    }));
}

pub(super) fn input(s: &mut AppState, text: &str) {
    let Some(m) = s.overlays.prompt_mut() else { return };
    if m.busy {
        return;
    }
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        m.error = Some("digits only: the code is the 6 digits your device shows".into());
        return;
    }
    m.error = None;
    let room = 6 - m.input.len().min(6);
    m.input.extend(digits.chars().take(room));
}

pub(super) fn backspace(s: &mut AppState) {
    if let Some(m) = s.overlays.prompt_mut().filter(|m| !m.busy) {
        m.input.pop();
        m.error = None;
    }
}

pub(super) fn submit(s: &mut AppState) -> Vec<Command> {
    let Some(m) = s.overlays.prompt_mut() else { return vec![] };
    if m.busy {
        return vec![];
    }
    if !is_six_digits(&m.input) {
        m.error = Some(format!("{} of 6 digits", m.input.len()));
        return vec![];
    }
    m.busy = true;
    m.error = None;
    vec![Command::Answer { user: m.user.clone(), code: Some(Secret::new(std::mem::take(&mut m.input))) }]
}
