//! The `:` palette: opened, typed into, completed, and run as the action its verb's key sends,
//! so a verb run from the palette and its key do exactly the same.

use crate::action::{Action, Command};
use crate::state::palette::{Palette, Run};
use crate::state::{AppState, Overlay, Screen};

pub(super) fn open(s: &mut AppState) {
    s.overlays.push(Overlay::Palette(Palette::new(s.screen == Screen::Iam)));
}

pub(super) fn edit(s: &mut AppState, change: impl FnOnce(&mut Palette)) {
    if let Some(p) = s.overlays.palette_mut() {
        change(p);
        p.error = None;
        let n = p.matches().len();
        p.choice = p.choice.min(n.saturating_sub(1));
    }
}

pub(super) fn run(s: &mut AppState) -> Vec<Command> {
    let Some(p) = s.overlays.palette_mut() else { return vec![] };
    let Some(verb) = p.chosen() else {
        let typed = crate::aws::sanitize::for_terminal(p.input.trim()).into_owned();
        p.error = Some(format!("no command `{typed}` here: Tab lists them"));
        return vec![];
    };
    s.overlays.retain(|o| !matches!(o, Overlay::Palette(_)));
    let action = match verb.run {
        Run::Login => Action::RefreshSelected,
        Run::LoginAll => Action::RefreshAll,
        Run::Logout => Action::Logout,
        Run::Console => Action::OpenConsole,
        Run::Copy => Action::CopyProfile,
        Run::CopyExport => Action::CopyExport,
        Run::Details => Action::ToggleDetails,
        Run::Sort => Action::CycleSort,
        Run::Audit => Action::IamReload { all: false },
        Run::AuditAll => Action::IamReload { all: true },
        Run::Rotate => Action::IamRotate,
        Run::Fix => Action::IamFix,
        Run::Describe => Action::IamDescribe,
        Run::Iam | Run::Profiles => Action::SwitchScreen,
        Run::Log => Action::ToggleLog,
        Run::Reload => Action::Reload,
        Run::Help => Action::ToggleHelp,
        Run::Quit => Action::Quit,
    };
    super::update(s, action)
}
