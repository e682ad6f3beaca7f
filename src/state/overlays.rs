//! Everything drawn over a screen, in one ordered stack that key routing (`AppState::layer`),
//! drawing (bottom to top) and Esc (the top one goes) all read. The order is by kind, so a
//! prompt raised by another process while help is open still gets the keys: MFA prompts over
//! confirmations over the `:` palette over panels (help, details, a user's description).
//! Prompts and confirmations queue (the first raised is the one shown); panels stack (the
//! newest is on top).

use super::iam::Popup;
use super::palette::Palette;

/// One MFA prompt: a user whose MFA session someone needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaModal {
    pub user: String,
    pub serial: String,
    pub input: String,
    pub error: Option<String>,
    /// The code was sent; waiting for STS.
    pub busy: bool,
    /// Who needs it: "you (r)", "aws (pid 4242) needs prod-admin".
    pub askers: Vec<String>,
}

/// A panel over (or, for a description, in place of) the screen's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Panel {
    /// `?`: the keys of the screen under it; scrolls when taller than the terminal.
    Help { scroll: u16 },
    /// `i`: everything about the selected profile.
    Details { scroll: u16 },
    /// Enter on the IAM table: one user's keys, devices, policies, audit and fix (k9s' describe).
    Describe { user: String },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    Prompt(MfaModal),
    Confirm(Popup),
    Palette(Palette),
    Panel(Panel),
}

impl Overlay {
    fn rank(&self) -> u8 {
        match self {
            Overlay::Panel(_) => 0,
            Overlay::Palette(_) => 1,
            Overlay::Confirm(_) => 2,
            Overlay::Prompt(_) => 3,
        }
    }

    /// Queued kinds wait under the one shown; the others go on top of their kind.
    fn queues(&self) -> bool {
        matches!(self, Overlay::Prompt(_) | Overlay::Confirm(_))
    }
}

/// Bottom first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overlays {
    stack: Vec<Overlay>,
}

impl Overlays {
    pub fn push(&mut self, o: Overlay) {
        let rank = o.rank();
        let at = if o.queues() {
            self.stack.iter().position(|x| x.rank() >= rank).unwrap_or(self.stack.len())
        } else {
            self.stack.iter().position(|x| x.rank() > rank).unwrap_or(self.stack.len())
        };
        self.stack.insert(at, o);
    }

    pub fn top(&self) -> Option<&Overlay> {
        self.stack.last()
    }

    pub fn top_mut(&mut self) -> Option<&mut Overlay> {
        self.stack.last_mut()
    }

    pub fn pop(&mut self) -> Option<Overlay> {
        self.stack.pop()
    }

    /// Bottom to top: the drawing order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Overlay> {
        self.stack.iter()
    }

    pub fn retain(&mut self, keep: impl FnMut(&Overlay) -> bool) {
        self.stack.retain(keep);
    }

    /// The prompts, the one shown first.
    pub fn prompts(&self) -> impl Iterator<Item = &MfaModal> {
        self.stack.iter().rev().filter_map(|o| if let Overlay::Prompt(m) = o { Some(m) } else { None })
    }

    pub fn prompts_mut(&mut self) -> impl Iterator<Item = &mut MfaModal> {
        self.stack.iter_mut().rev().filter_map(|o| if let Overlay::Prompt(m) = o { Some(m) } else { None })
    }

    /// The prompt shown (it takes the keys).
    pub fn prompt(&self) -> Option<&MfaModal> {
        self.prompts().next()
    }

    pub fn prompt_mut(&mut self) -> Option<&mut MfaModal> {
        self.prompts_mut().next()
    }

    pub fn remove_prompts(&mut self, mut gone: impl FnMut(&MfaModal) -> bool) {
        self.stack.retain(|o| !matches!(o, Overlay::Prompt(m) if gone(m)));
    }

    /// The confirmations, the one shown first.
    pub fn confirms(&self) -> impl Iterator<Item = &Popup> {
        self.stack.iter().rev().filter_map(|o| if let Overlay::Confirm(p) = o { Some(p) } else { None })
    }

    pub fn confirm(&self) -> Option<&Popup> {
        self.confirms().next()
    }

    pub fn confirm_mut(&mut self) -> Option<&mut Popup> {
        self.stack.iter_mut().rev().find_map(|o| if let Overlay::Confirm(p) = o { Some(p) } else { None })
    }

    /// Take the confirmation shown out of the stack.
    pub fn take_confirm(&mut self) -> Option<Popup> {
        let i = self.stack.iter().rposition(|o| matches!(o, Overlay::Confirm(_)))?;
        match self.stack.remove(i) {
            Overlay::Confirm(p) => Some(p),
            _ => None,
        }
    }

    /// The top panel, if nothing else is over it.
    pub fn panel(&self) -> Option<&Panel> {
        self.stack.iter().rev().find_map(|o| if let Overlay::Panel(p) = o { Some(p) } else { None })
    }

    /// Close panels of a kind (a toggle, or the screen they describe went away).
    pub fn close_panels(&mut self, is: impl Fn(&Panel) -> bool) {
        self.stack.retain(|o| !matches!(o, Overlay::Panel(p) if is(p)));
    }

    pub fn palette_mut(&mut self) -> Option<&mut Palette> {
        self.stack.iter_mut().rev().find_map(|o| if let Overlay::Palette(p) = o { Some(p) } else { None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompt(user: &str) -> Overlay {
        Overlay::Prompt(MfaModal {
            user: user.into(),
            serial: String::new(),
            input: String::new(),
            error: None,
            busy: false,
            askers: vec![],
        })
    }

    #[test]
    fn prompts_queue_on_top_of_everything_and_panels_stack() {
        let mut o = Overlays::default();
        o.push(Overlay::Panel(Panel::Help { scroll: 0 }));
        o.push(prompt("alice"));
        o.push(prompt("bob"));
        o.push(Overlay::Panel(Panel::Details { scroll: 0 }));
        assert_eq!(o.prompt().unwrap().user, "alice", "the first raised is shown");
        assert!(matches!(o.top(), Some(Overlay::Prompt(m)) if m.user == "alice"));
        assert_eq!(o.panel(), Some(&Panel::Details { scroll: 0 }), "the newest panel is on top of the others");
        o.pop();
        assert_eq!(o.prompt().unwrap().user, "bob");
        o.pop();
        assert!(matches!(o.top(), Some(Overlay::Panel(Panel::Details { .. }))));
        o.pop();
        assert!(matches!(o.top(), Some(Overlay::Panel(Panel::Help { .. }))));
    }
}
