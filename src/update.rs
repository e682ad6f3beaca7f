//! `update(state, action) -> commands`: the only place state changes.

use crate::action::{Action, Command};
use crate::aws::clock::human_duration;
use crate::aws::engine::{EngineError, LoginReport, Progress, Which};
use crate::aws::mfa::is_six_digits;
use crate::aws::secret::Secret;
use crate::state::{Activity, AppState, Level, MfaModal, Mode};

pub fn update(s: &mut AppState, action: Action) -> Vec<Command> {
    match action {
        Action::Tick { now } => tick(s, now),
        Action::Sessions(sessions) => s.sessions = sessions,
        Action::Aliases(aliases) => s.aliases = aliases,
        Action::RefreshDue => return vec![Command::Refresh(Which::Due)],
        Action::Resize { .. } => s.scroll_into_view(),
        Action::Quit => s.quit = true,
        Action::Suspend => return vec![Command::Suspend],
        Action::Up => move_by(s, -1),
        Action::Down => move_by(s, 1),
        Action::PageUp => move_by(s, -(i64::from(s.viewport.max(2)) - 1)),
        Action::PageDown => move_by(s, i64::from(s.viewport.max(2)) - 1),
        Action::Top => move_to(s, 0),
        Action::Bottom => move_to(s, s.visible.len().saturating_sub(1)),
        Action::ScrollUp => move_by(s, -3),
        Action::ScrollDown => move_by(s, 3),
        Action::Click { y } => {
            if y >= s.table_top && y < s.table_top + s.viewport {
                move_to(s, s.offset + usize::from(y - s.table_top));
            }
        }
        Action::ToggleMark => {
            if let Some(r) = s.selected_row().filter(|r| r.user.is_some()).map(|r| r.profile.clone())
                && !s.marked.remove(&r)
            {
                s.marked.insert(r);
            }
            move_by(s, 1);
        }
        Action::RefreshSelected => return refresh_selected(s),
        Action::RefreshAll => return refresh_all(s),
        Action::StartFilter => s.mode = Mode::Filter,
        Action::FilterChar(c) => {
            s.filter.push(c);
            s.refilter();
        }
        Action::FilterBackspace => {
            s.filter.pop();
            s.refilter();
        }
        Action::FilterDone => s.mode = Mode::Normal,
        Action::Escape => match s.mode {
            Mode::Mfa(_) | Mode::Help => s.mode = Mode::Normal,
            _ if !s.filter.is_empty() => {
                s.filter.clear();
                s.mode = Mode::Normal;
                s.refilter();
            }
            _ => {
                s.mode = Mode::Normal;
                s.marked.clear();
            }
        },
        Action::CycleSort => {
            s.sort = s.sort.next();
            s.refilter();
        }
        Action::CopyProfile | Action::CopyExport => {
            let Some(name) = s.selected_row().and_then(|r| r.managed.clone()) else {
                s.log(
                    Level::Warn,
                    "this profile has no mfatui session to copy: mfatui signs in IAM users and their roles",
                );
                return vec![];
            };
            let text = if matches!(action, Action::CopyProfile) {
                format!("--profile {name}")
            } else {
                format!("export AWS_PROFILE={name}")
            };
            s.log(Level::Info, format!("copied: {text}"));
            return vec![Command::Copy(text)];
        }
        Action::ToggleLog => s.show_log = !s.show_log,
        Action::ToggleHelp => s.mode = if s.mode == Mode::Help { Mode::Normal } else { Mode::Help },
        Action::ModalChar(c) => modal_input(s, &c.to_string()),
        Action::ModalPaste(text) => modal_input(s, text.trim()),
        Action::ModalBackspace => {
            if let Mode::Mfa(m) = &mut s.mode {
                m.input.pop();
                m.error = None;
            }
        }
        Action::ModalSubmit => return modal_submit(s),
        Action::Progress(p) => progress(s, p),
        Action::Finished { reports, sessions, signed_in } => finished(s, reports, sessions, signed_in),
    }
    vec![]
}

fn move_to(s: &mut AppState, i: usize) {
    s.selected = i.min(s.visible.len().saturating_sub(1));
    s.scroll_into_view();
}

fn move_by(s: &mut AppState, delta: i64) {
    let target = (s.selected as i64 + delta).max(0) as usize;
    move_to(s, target);
}

fn tick(s: &mut AppState, now: i64) {
    s.now = now;
    s.spinner = s.spinner.wrapping_add(1);
    s.toasts.retain(|t| t.until > s.now);
    let ending: Vec<(String, i64)> = s
        .mfa_serials
        .keys()
        .filter_map(|u| Some((u.clone(), s.left(u)?)))
        .filter(|(_, l)| *l > 0 && *l <= s.warn_secs)
        .collect();
    for (user, left) in ending {
        if s.warned.insert(user.clone()) {
            s.log(
                Level::Warn,
                format!(
                    "the MFA session of {user} ends in {}: press r on it to type the next code",
                    human_duration(left)
                ),
            );
        }
    }
}

/// Profiles to renew for the selection (marked rows, else the selected one).
fn targets(s: &AppState) -> Vec<String> {
    if s.marked.is_empty() {
        s.selected_row().map(|r| vec![r.profile.clone()]).unwrap_or_default()
    } else {
        s.marked.iter().cloned().collect()
    }
}

fn open_modal(s: &mut AppState, user: &str) {
    let serial = s.mfa_serials.get(user).cloned().unwrap_or_default();
    s.mode = Mode::Mfa(MfaModal { user: user.into(), serial, input: String::new(), error: None, busy: false });
}

fn refresh_selected(s: &mut AppState) -> Vec<Command> {
    let profiles = targets(s);
    let rows: Vec<_> = s.rows.iter().filter(|r| profiles.contains(&r.profile)).cloned().collect();
    if let Some(r) = rows.iter().find(|r| r.user.is_none()) {
        let why = r.diagnostic.clone().unwrap_or_else(|| format!("{} profiles are not signed in by mfatui", r.kind));
        s.log(Level::Warn, format!("{}: {why}", r.profile));
        return vec![];
    }
    if let Some(user) = rows.iter().filter_map(|r| r.user.clone()).find(|u| s.needs_code(u)) {
        open_modal(s, &user);
        return vec![];
    }
    for p in &profiles {
        s.activity.insert(p.clone(), Activity::Refreshing);
    }
    s.marked.clear();
    vec![Command::Refresh(Which::Profiles(profiles))]
}

fn refresh_all(s: &mut AppState) -> Vec<Command> {
    let (need, ready): (Vec<String>, Vec<String>) = {
        let users: std::collections::BTreeSet<String> = s.rows.iter().filter_map(|r| r.user.clone()).collect();
        users.into_iter().partition(|u| s.needs_code(u))
    };
    if let Some(first) = need.first() {
        open_modal(s, first);
    }
    if ready.is_empty() {
        return vec![];
    }
    for r in s.rows.iter().filter(|r| r.user.as_ref().is_some_and(|u| ready.contains(u))) {
        s.activity.insert(r.profile.clone(), Activity::Refreshing);
    }
    vec![Command::Refresh(Which::Profiles(ready))]
}

fn modal_input(s: &mut AppState, text: &str) {
    let Mode::Mfa(m) = &mut s.mode else { return };
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

fn modal_submit(s: &mut AppState) -> Vec<Command> {
    let Mode::Mfa(m) = &mut s.mode else { return vec![] };
    if m.busy {
        return vec![];
    }
    if !is_six_digits(&m.input) {
        m.error = Some(format!("{} of 6 digits", m.input.len()));
        return vec![];
    }
    m.busy = true;
    m.error = None;
    let (user, code) = (m.user.clone(), Secret::new(m.input.clone()));
    let roles: Vec<String> =
        s.rows.iter().filter(|r| r.user.as_deref() == Some(&user)).map(|r| r.profile.clone()).collect();
    for p in roles {
        s.activity.insert(p, Activity::Refreshing);
    }
    vec![Command::SignIn { user, code }]
}

fn progress(s: &mut AppState, p: Progress) {
    match p {
        Progress::Started { profile } => {
            s.activity.insert(profile, Activity::Refreshing);
        }
        Progress::Retrying { profile, attempt, reason } => s.log.push_back(crate::state::LogLine {
            at: s.now,
            level: Level::Info,
            text: format!("{profile}: retry {attempt} after: {reason}"),
        }),
        Progress::WaitingForCode { user, secs } => {
            s.log(Level::Info, format!("{user}: waiting {secs}s for the next code"))
        }
        Progress::Done { .. } => {}
    }
}

fn finished(
    s: &mut AppState,
    reports: Vec<LoginReport>,
    sessions: std::collections::HashMap<String, i64>,
    signed_in: Option<String>,
) {
    s.sessions = sessions;
    let mut ok = 0;
    for r in &reports {
        if let Some(Err(e)) = &r.mfa {
            // A wrong code keeps the modal open with the reason; anything else is a toast.
            let modal_for_user = matches!(&s.mode, Mode::Mfa(m) if m.user == r.user);
            if let (true, Mode::Mfa(m)) = (modal_for_user, &mut s.mode) {
                m.busy = false;
                m.input.clear();
                m.error = Some(e.to_string());
                // The modal says what went wrong; the rows go back to what they were.
                s.activity.remove(&r.user);
                for (name, _) in &r.roles {
                    s.activity.remove(name);
                }
                continue;
            } else if matches!(e, EngineError::NeedsCode { .. }) {
                s.log(Level::Warn, format!("{}: MFA session ended; press r on it to type a code", r.user));
            } else {
                s.log(Level::Error, format!("{}: {e}", r.user));
            }
            let needs_code = matches!(e, EngineError::NeedsCode { .. });
            for (name, _) in &r.roles {
                s.activity.insert(
                    name.clone(),
                    if needs_code { Activity::NeedsCode } else { Activity::Failed(e.to_string()) },
                );
            }
            s.activity
                .insert(r.user.clone(), if needs_code { Activity::NeedsCode } else { Activity::Failed(e.to_string()) });
            continue;
        }
        s.activity.remove(&r.user);
        if signed_in.as_deref() == Some(r.user.as_str()) && matches!(&s.mode, Mode::Mfa(m) if m.user == r.user) {
            s.mode = Mode::Normal;
            s.warned.remove(&r.user);
        }
        for (name, result) in &r.roles {
            match result {
                Ok(_) => {
                    ok += 1;
                    s.activity.remove(name);
                }
                Err(e) => {
                    // The row is the role: its reason alone fits the column; the log has the ARN too.
                    let reason = match e {
                        EngineError::Role { source, .. } => source.to_string(),
                        other => other.to_string(),
                    };
                    s.activity.insert(name.clone(), Activity::Failed(reason));
                    s.log(Level::Error, format!("{name}: {e}"));
                }
            }
        }
    }
    let failed: usize = reports.iter().map(|r| r.roles.iter().filter(|(_, o)| o.is_err()).count()).sum();
    if ok > 0 {
        let who = signed_in.map(|u| format!("{u} signed in: ")).unwrap_or_default();
        let level = if failed > 0 { Level::Warn } else { Level::Success };
        s.log(
            level,
            format!(
                "{who}{ok} role session(s) ready{}",
                if failed > 0 { format!(", {failed} failed") } else { String::new() }
            ),
        );
    }
    if s.sort == crate::state::Sort::Expiry {
        s.refilter();
    }
}

#[cfg(test)]
#[path = "update_tests.rs"]
pub(crate) mod tests;
