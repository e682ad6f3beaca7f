//! `update(state, action) -> commands`: the only place state changes.

use crate::action::{Action, Command};
use crate::aws::clock::human_duration;
use crate::aws::engine::{EngineError, LoginReport, Progress, Prompting, Which};
use crate::aws::mfa::is_six_digits;
use crate::aws::secret::Secret;
use crate::display::plural;
use crate::state::{Activity, AppState, Level, Lifetime, MfaModal, Mode, Screen};

mod iam;

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
        Action::SwitchScreen => return iam::switch(s),
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
        Action::Tick { now } => return tick(s, now),
        Action::Sessions(sessions) => s.sessions = sessions,
        Action::Aliases(aliases) => s.aliases = aliases,
        Action::RefreshDue => {
            return vec![Command::Refresh { which: Which::Due, prompting: Prompting::Never, all: false }];
        }
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
        Action::RefreshAll => {
            return vec![Command::Refresh { which: Which::All, prompting: Prompting::Allowed, all: true }];
        }
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
        Action::Escape => {
            // The top layer first: a prompt is refused, then help closes, then the filter clears.
            if let Some(p) = s.prompts.pop_front() {
                s.log(Level::Info, format!("MFA prompt for {} refused", p.user));
                return vec![Command::Answer { user: p.user, code: None }];
            }
            match s.mode {
                Mode::Help | Mode::Details => s.mode = Mode::Normal,
                _ if !s.filter.is_empty() => {
                    s.filter.clear();
                    s.mode = Mode::Normal;
                    s.refilter();
                }
                _ => {
                    s.mode = Mode::Normal;
                    s.marked.clear();
                }
            }
        }
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
            return vec![Command::Copy(text)];
        }
        Action::ToggleLog => s.show_log = !s.show_log,
        Action::ToggleHelp => s.mode = if s.mode == Mode::Help { Mode::Normal } else { Mode::Help },
        Action::OpenConsole => {
            let Some(r) = s.selected_row().cloned() else { return vec![] };
            if r.user.is_none() {
                let why =
                    r.diagnostic.or(r.reason).unwrap_or_else(|| format!("{} is not signed in by mfatui", r.profile));
                s.log(Level::Warn, format!("no console for {}: {why}", r.profile));
                return vec![];
            }
            s.log(Level::Info, format!("opening the console as {}…", r.profile));
            return vec![Command::Console { profile: r.profile }];
        }
        Action::ToggleDetails => {
            s.mode = if s.mode == Mode::Details || s.selected_row().is_none() { Mode::Normal } else { Mode::Details };
        }
        Action::ModalChar(c) => modal_input(s, &c.to_string()),
        Action::ModalPaste(text) => modal_input(s, text.trim()),
        Action::ModalBackspace => {
            if let Some(m) = s.prompts.front_mut().filter(|m| !m.busy) {
                m.input.pop();
                m.error = None;
            }
        }
        Action::ModalSubmit => return modal_submit(s),
        Action::Prompt { user, serial, asker, retry_reason } => prompt(s, user, serial, asker, retry_reason),
        Action::Reload => return vec![Command::Reload],
        Action::Notice { level, text } => s.log(level, text),
        Action::Progress(p) => return progress(s, p),
        Action::Finished { reports, sessions, all } => finished(s, reports, sessions, all),
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

fn tick(s: &mut AppState, now: i64) -> Vec<Command> {
    s.now = now;
    s.spinner = s.spinner.wrapping_add(1);
    s.toasts.retain(|t| t.until > s.now);
    let ending: Vec<(String, i64)> = s
        .mfa_serials
        .keys()
        .filter_map(|u| Some((u.clone(), s.left(u)?)))
        .filter(|(_, l)| crate::aws::engine::rules::is_ending(*l, s.warn_secs))
        .collect();
    let mut out = Vec::new();
    for (user, left) in ending {
        if s.warned.insert(user.clone()) {
            let body = format!(
                "the MFA session of {user} ends in {}: select it and press r to type the next code",
                human_duration(left)
            );
            s.log(Level::Warn, body.clone());
            out.push(Command::Notify { title: "mfatui: MFA session ending".into(), body });
        }
    }
    out
}

/// Profiles to renew for the selection (marked rows, else the selected one).
fn targets(s: &AppState) -> Vec<String> {
    if s.marked.is_empty() {
        s.selected_row().map(|r| vec![r.profile.clone()]).unwrap_or_default()
    } else {
        s.marked.iter().cloned().collect()
    }
}

fn refresh_selected(s: &mut AppState) -> Vec<Command> {
    let profiles = targets(s);
    let rows: Vec<_> = s.rows.iter().filter(|r| profiles.contains(&r.profile)).cloned().collect();
    if let Some(why) = rows.iter().find_map(|r| r.refusal.clone()) {
        s.log(Level::Warn, why);
        return vec![];
    }
    for p in &profiles {
        s.activity.insert(p.clone(), Activity::Refreshing);
    }
    s.marked.clear();
    vec![Command::Refresh { which: Which::Profiles(profiles), prompting: Prompting::Allowed, all: false }]
}

/// Someone needs `user`'s code: join its prompt, or queue a new one.
fn prompt(s: &mut AppState, user: String, serial: String, asker: String, retry_reason: Option<String>) {
    if let Some(m) = s.prompts.iter_mut().find(|m| m.user == user) {
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
    s.prompts.push_back(MfaModal {
        user,
        serial,
        input: String::new(),
        error: retry_reason,
        busy: false,
        askers: vec![asker],
    });
}

fn modal_input(s: &mut AppState, text: &str) {
    let Some(m) = s.prompts.front_mut() else { return };
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
    let Some(m) = s.prompts.front_mut() else { return vec![] };
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

fn progress(s: &mut AppState, p: Progress) -> Vec<Command> {
    match p {
        Progress::Started { profile } => {
            s.activity.insert(profile, Activity::Refreshing);
        }
        Progress::Retrying { profile, attempt, reason } => {
            s.note(Level::Info, format!("{profile}: retry {attempt} after: {reason}"))
        }
        Progress::WaitingForCode { user, secs } => {
            s.log(Level::Info, format!("{user}: waiting {secs}s for the next code"))
        }
        Progress::SignedIn { user } => {
            s.prompts.retain(|m| m.user != user);
            s.warned.remove(&user);
            s.activity.remove(&user);
            return vec![Command::SignedIn { user }];
        }
        Progress::Ready { profile, expiration } => {
            s.sessions.insert(profile.clone(), Lifetime { expires_at: expiration, obtained_at: s.now });
            s.activity.remove(&profile);
        }
    }
    vec![]
}

fn finished(
    s: &mut AppState,
    reports: Vec<LoginReport>,
    sessions: std::collections::HashMap<String, Lifetime>,
    all: bool,
) {
    s.sessions = sessions;
    let (mut ok, mut failed) = (0, 0);
    let mut signed_out = Vec::new();
    for r in &reports {
        if let Some(Err(e)) = &r.mfa {
            // A prompt this run answered (a code typed for another process) stays open with the
            // reason, so the next code can be typed.
            if let Some(m) = s.prompts.iter_mut().find(|m| m.user == r.user && m.busy) {
                m.busy = false;
                m.error = Some(e.to_string());
            } else if e.needs_code() {
                s.log(Level::Warn, format!("{}: {e}", r.user));
            } else {
                s.log(Level::Error, format!("{}: {e}", r.user));
            }
            signed_out.push(format!("{} ({})", r.user, short_reason(e)));
            let state = if e.needs_code() { Activity::NeedsCode } else { Activity::Failed(e.to_string()) };
            s.activity.insert(r.user.clone(), state);
        } else {
            s.activity.remove(&r.user);
        }
        for (name, result) in &r.roles {
            match result {
                Ok(_) if r.managed(name).is_some_and(|m| m.is_err()) => {
                    failed += 1;
                    let e = r.managed(name).and_then(|m| m.as_ref().err()).map(ToString::to_string).unwrap_or_default();
                    s.activity.insert(name.clone(), Activity::Failed(format!("not usable by other tools: {e}")));
                    s.log(Level::Error, format!("{name}: {e}"));
                }
                Ok(_) => {
                    ok += 1;
                    s.activity.remove(name);
                }
                Err(e) if e.needs_code() => {
                    s.activity.insert(name.clone(), Activity::NeedsCode);
                }
                Err(e) => {
                    failed += 1;
                    // The row is the role: its reason alone fits the column; the log has the ARN too.
                    let reason = match e {
                        EngineError::Role { cause, .. } => cause.to_string(),
                        other => other.to_string(),
                    };
                    s.activity.insert(name.clone(), Activity::Failed(reason));
                    s.log(Level::Error, format!("{name}: {e}"));
                }
            }
        }
    }
    if ok > 0 || failed > 0 {
        let level = if failed > 0 { Level::Warn } else { Level::Success };
        let text = if failed > 0 {
            format!("{} ready, {failed} failed", plural(ok, "role session", "role sessions"))
        } else {
            format!("{} ready", plural(ok, "role session", "role sessions"))
        };
        s.log(level, text);
    }
    if all && !signed_out.is_empty() {
        s.log(Level::Warn, format!("still signed out: {}", signed_out.join(", ")));
    }
    if s.sort == crate::state::Sort::Expiry {
        s.refilter();
    }
}

/// A few words for the end-of-`R` summary.
fn short_reason(e: &EngineError) -> String {
    match e {
        EngineError::Prompt(crate::aws::prompt::PromptError::Refused { place, .. }) => {
            format!("prompt refused {place}")
        }
        EngineError::NeedsCode { .. } => "needs a code".into(),
        EngineError::Aws(a) if matches!(a.root(), crate::aws::net::AwsError::CodeRejected) => "code rejected".into(),
        other => crate::display::fit(&other.to_string(), 60).trim_end().to_string(),
    }
}

#[cfg(test)]
#[path = "update_tests.rs"]
pub(crate) mod tests;
