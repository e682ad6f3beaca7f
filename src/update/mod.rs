//! `update(state, action) -> commands`: the only place state changes. Each layer's actions go
//! to the module that owns its part of the state.

use crate::action::{Action, Command};
use crate::state::{AppState, Screen};

mod iam;
mod overlays;
mod palette;
mod profiles;
mod prompts;
mod sessions;

pub fn update(s: &mut AppState, action: Action) -> Vec<Command> {
    match action {
        Action::Up
        | Action::Down
        | Action::Top
        | Action::Bottom
        | Action::PageUp
        | Action::PageDown
        | Action::ScrollUp
        | Action::ScrollDown
            if s.screen == Screen::Iam =>
        {
            iam::navigate(s, &action)
        }
        Action::Up => s.profiles.move_by(-1),
        Action::Down => s.profiles.move_by(1),
        Action::PageUp => s.profiles.move_by(-(i64::from(s.profiles.viewport.max(2)) - 1)),
        Action::PageDown => s.profiles.move_by(i64::from(s.profiles.viewport.max(2)) - 1),
        Action::Top => s.profiles.move_to(0),
        Action::Bottom => s.profiles.move_to(usize::MAX),
        Action::ScrollUp => s.profiles.move_by(-3),
        Action::ScrollDown => s.profiles.move_by(3),
        Action::Click { y } => profiles::click(s, y),
        Action::ToggleMark => profiles::toggle_mark(s),
        Action::RefreshSelected => return profiles::refresh_selected(s),
        Action::RefreshAll => return profiles::refresh_all(),
        Action::StartFilter => s.profiles.filtering = true,
        Action::FilterChar(c) => {
            s.profiles.filter.push(c);
            s.refilter();
        }
        Action::FilterBackspace => {
            s.profiles.filter.pop();
            s.refilter();
        }
        Action::FilterDone => s.profiles.filtering = false,
        Action::CycleSort => {
            s.profiles.sort = s.profiles.sort.next();
            s.refilter();
        }
        Action::CopyProfile | Action::CopyExport => return profiles::copy(s, matches!(action, Action::CopyProfile)),
        Action::OpenConsole => return profiles::console(s),
        Action::Logout => return profiles::logout(s),
        Action::InitFound { profile, result } => profiles::init_found(s, profile, result),
        Action::Geometry { viewport, table_top } => {
            s.profiles.viewport = viewport;
            s.profiles.table_top = table_top;
            s.profiles.scroll_into_view();
        }
        Action::Resize { .. } => s.profiles.scroll_into_view(),
        Action::Reloaded(result) => profiles::reloaded(s, result),

        Action::Escape => return overlays::escape(s),
        Action::ToggleLog => overlays::toggle_log(s),
        Action::LogScroll(d) => s.messages.scroll(d),
        Action::LogCopy => return overlays::copy_log_entry(s),
        Action::ToggleHelp => overlays::toggle_help(s),
        Action::ToggleDetails => overlays::toggle_details(s),
        Action::PanelScroll(d) => overlays::scroll_panel(s, d),

        Action::OpenPalette => palette::open(s),
        Action::PaletteChar(c) => palette::edit(s, |p| p.input.push(c)),
        Action::PaletteBackspace => palette::edit(s, |p| {
            p.input.pop();
        }),
        Action::PaletteComplete => palette::edit(s, |p| p.complete()),
        Action::PaletteMove(d) => palette::edit(s, |p| p.move_choice(d)),
        Action::PaletteRun => return palette::run(s),

        Action::ModalChar(c) => prompts::input(s, &c.to_string()),
        Action::ModalPaste(text) => prompts::input(s, text.trim()),
        Action::ModalBackspace => prompts::backspace(s),
        Action::ModalSubmit => return prompts::submit(s),
        Action::Prompt { user, serial, asker, retry_reason } => prompts::raise(s, user, serial, asker, retry_reason),

        Action::Tick { now } => return sessions::tick(s, now),
        Action::Sessions(lifetimes) => {
            s.sessions.lifetimes = lifetimes;
            if s.profiles.sort == crate::state::Sort::Expiry {
                s.refilter();
            }
        }
        Action::Aliases(aliases) => s.sessions.aliases = aliases,
        Action::RefreshDue => return sessions::refresh_due(),
        Action::Progress(p) => return sessions::progress(s, p),
        Action::Finished { reports, sessions: lifetimes, all } => sessions::finished(s, reports, lifetimes, all),
        Action::Hint(h) => s.demo_hint = Some(h),
        Action::Notice { level, text } => s.log(level, text),
        Action::Quit => s.quit = true,
        Action::Suspend => return vec![Command::Suspend],
        Action::Reload => return vec![Command::Reload],

        Action::SwitchScreen => return iam::switch(s),
        Action::IamDescribe => return iam::describe(s),
        Action::IamRotate => return iam::rotate(s),
        Action::IamKey(op) => return iam::key(s, op),
        Action::IamReload { all } => return iam::reload(s, all),
        Action::IamFix => return iam::fix(s),
        Action::ConfirmYes => return iam::confirm(s, true),
        Action::ConfirmNo => return iam::confirm(s, false),
        Action::ConfirmScroll(d) => iam::scroll(s, d),
        Action::ConfirmCopy => return iam::copy(s, false),
        Action::ConfirmCopyBoundary => return iam::copy(s, true),
        a @ (Action::IamOverview { .. }
        | Action::IamAudit { .. }
        | Action::IamFixPlan { .. }
        | Action::IamQuestion { .. }
        | Action::IamEvent { .. }
        | Action::IamRotated { .. }
        | Action::IamKeyDone { .. }
        | Action::IamFixed { .. }) => return iam::result(s, a),
    }
    vec![]
}

#[cfg(test)]
#[path = "../update_tests.rs"]
pub(crate) mod tests;

#[cfg(test)]
mod overlay_tests;
