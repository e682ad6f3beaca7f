//! The profiles screen's actions: the selection, the marks, signing in, copying, the console,
//! logging out, and the rows read again from the AWS files.

use crate::action::Command;
use crate::aws::engine::{Prompting, Which};
use crate::state::{Activity, AppState, Built, Level};

pub(super) fn click(s: &mut AppState, y: u16) {
    let p = &mut s.profiles;
    if y >= p.table_top && y < p.table_top + p.viewport {
        let at = p.offset + usize::from(y - p.table_top);
        if at < p.visible.len() {
            p.move_to(at);
        }
    }
}

pub(super) fn toggle_mark(s: &mut AppState) {
    if let Some(r) = s.selected_row().filter(|r| r.user.is_some()).map(|r| r.profile.clone())
        && !s.profiles.marked.remove(&r)
    {
        s.profiles.marked.insert(r);
    }
    s.profiles.move_by(1);
}

/// Profiles to act on: the marked rows, else the selected one.
fn targets(s: &AppState) -> Vec<String> {
    if s.profiles.marked.is_empty() {
        s.selected_row().map(|r| vec![r.profile.clone()]).unwrap_or_default()
    } else {
        s.profiles.marked.iter().cloned().collect()
    }
}

pub(super) fn refresh_selected(s: &mut AppState) -> Vec<Command> {
    let profiles = targets(s);
    // An IAM user with keys but no mfa_serial and no roles: `mfatui init`'s first steps, here.
    if let [one] = &profiles[..]
        && let Some(r) = s.profiles.row(one).filter(|r| r.is_user && r.mfa.is_none() && r.refusal.is_some())
    {
        let profile = r.profile.clone();
        s.log(
            Level::Info,
            format!("{profile}: looking for its MFA devices (sts:GetCallerIdentity, iam:ListMFADevices)…"),
        );
        s.sessions.activity.insert(profile.clone(), Activity::Refreshing);
        return vec![Command::InitDiscover { profile }];
    }
    let refusal = s.profiles.rows.iter().filter(|r| profiles.contains(&r.profile)).find_map(|r| r.refusal.clone());
    if let Some(why) = refusal {
        s.log(Level::Warn, why);
        return vec![];
    }
    for p in &profiles {
        s.sessions.activity.insert(p.clone(), Activity::Refreshing);
    }
    s.profiles.marked.clear();
    vec![Command::Refresh { which: Which::Profiles(profiles), prompting: Prompting::Allowed, all: false }]
}

pub(super) fn refresh_all() -> Vec<Command> {
    vec![Command::Refresh { which: Which::All, prompting: Prompting::Allowed, all: true }]
}

pub(super) fn copy(s: &mut AppState, profile_flag: bool) -> Vec<Command> {
    let Some(row) = s.selected_row() else { return vec![] };
    let Some(name) = row.managed.clone() else {
        let who = row.profile.clone();
        s.log(
            Level::Warn,
            format!("{who} has no mfatui session to copy: mfatui signs in IAM users with mfa_serial and their roles"),
        );
        return vec![];
    };
    let text = if profile_flag { format!("--profile {name}") } else { format!("export AWS_PROFILE={name}") };
    vec![Command::Copy(text)]
}

pub(super) fn console(s: &mut AppState) -> Vec<Command> {
    let Some(r) = s.selected_row().cloned() else { return vec![] };
    if r.user.is_none() {
        let why = r.diagnostic.or(r.reason).unwrap_or_else(|| "mfatui does not sign it in".to_string());
        s.log(Level::Warn, format!("no console for {}: {why}", r.profile));
        return vec![];
    }
    s.log(Level::Info, format!("{}: opening the console…", r.profile));
    vec![Command::Console { profile: r.profile }]
}

pub(super) fn logout(s: &mut AppState) -> Vec<Command> {
    let Some(r) = s.selected_row().cloned() else { return vec![] };
    if r.user.is_none() {
        s.log(Level::Warn, format!("{} has no mfatui session to end", r.profile));
        return vec![];
    }
    vec![Command::Logout { profile: r.profile }]
}

pub(super) fn reloaded(s: &mut AppState, result: Result<(Built, String), String>) {
    match result {
        Ok(((rows, mfa_serials), config_path)) => {
            s.sessions.mfa_serials = mfa_serials;
            s.prefs.config_path = config_path;
            s.profiles.replace_rows(rows, &s.sessions);
            s.log(Level::Info, "read your AWS files and the AWS CLI's sign-in caches again: they changed");
        }
        Err(e) => s.log(Level::Error, format!("cannot reload your AWS files: {e}")),
    }
}

/// What discovery found: a confirmation to write the one device, or the core's words.
pub(super) fn init_found(s: &mut AppState, profile: String, result: Result<Option<String>, String>) {
    s.sessions.activity.remove(&profile);
    match result {
        Ok(Some(serial)) => s.overlays.push(crate::state::Overlay::Confirm(crate::state::iam::Popup {
            dialog: crate::state::iam::Dialog::WriteSerial { profile, serial },
            scroll: 0,
        })),
        Ok(None) => {}
        Err(text) => s.log(Level::Warn, format!("{profile}: {text}")),
    }
}
