//! The IAM screen's part of `update`: switching screens, the cursor, the keys (rotate,
//! deactivate, delete, re-audit, the fix), the confirmation popups, and the results of IAM work
//! coming back from the workers.

use crate::action::{Action, Command};
use crate::aws::iam::audit::FIX_POLICY_NAME;
use crate::aws::iam::enforcement::Verdict;
use crate::aws::iam::key_ops::KeyOp;
use crate::aws::iam::rotate::{self, Event, Question, Report, RotateOptions, Tone, last_used_text};
use crate::display::plural;
use crate::state::iam::{Dialog, Item, Load, Part, Popup, Rotation, Screen, Step};
use crate::state::{Activity, AppState, Level};
use crate::state::{Overlay, Panel};
use std::time::Duration;

/// `Tab`. Switching never asks for a code: users whose IAM data can be read without one (an
/// MFA session with time left, or no mfa_serial at all) load the first time the screen shows;
/// the others say so on their row and load when the user acts on it (Enter, a, r).
pub(super) fn switch(s: &mut AppState) -> Vec<Command> {
    s.screen = match s.screen {
        Screen::Profiles => Screen::Iam,
        Screen::Iam => Screen::Profiles,
    };
    s.overlays.close_panels(|p| matches!(p, Panel::Describe { .. } | Panel::Details { .. }));
    if s.screen == Screen::Profiles {
        return vec![];
    }
    let fresh: Vec<String> = s
        .iam_users()
        .into_iter()
        .filter(|u| s.section(u).is_none_or(|x| x.overview.untouched() && x.audit.untouched()))
        .filter(|u| !s.needs_code(u))
        .collect();
    fresh.iter().map(|u| load(s, u, true, true)).collect()
}

/// Enter on the table: the selected user's description; read first when it never was (asking
/// for that user's code only, when it has no MFA session).
pub(super) fn describe(s: &mut AppState) -> Vec<Command> {
    let Some(user) = s.iam_selected() else { return vec![] };
    s.overlays.close_panels(|p| matches!(p, Panel::Describe { .. }));
    s.overlays.push(Overlay::Panel(Panel::Describe { user: user.clone() }));
    s.iam.cursor = None;
    let untouched = s.section(&user).is_none_or(|x| x.overview.untouched() && x.audit.untouched());
    if untouched { vec![load(s, &user, true, true)] } else { vec![] }
}

/// Mark `user`'s overview and/or audit as loading (the last data stays shown) and say so.
fn load(s: &mut AppState, user: &str, overview: bool, audit: bool) -> Command {
    let max_age_days = s.iam.max_age_days;
    let sec = s.section_mut(user);
    sec.overview.loading |= overview;
    sec.audit.loading |= audit;
    Command::IamLoad { user: user.to_string(), overview, audit, max_age_days }
}

pub(super) fn navigate(s: &mut AppState, action: &Action) {
    let Some(user) = s.described().map(str::to_string) else {
        let n = s.iam_users().len();
        let at = s.iam.selected.min(n.saturating_sub(1)) as i64;
        let page = i64::from(s.profiles.viewport.max(2)) - 1;
        let to = match action {
            Action::Up => at - 1,
            Action::Down => at + 1,
            Action::ScrollUp => at - 3,
            Action::ScrollDown => at + 3,
            Action::PageUp => at - page,
            Action::PageDown => at + page,
            Action::Top => 0,
            _ => n as i64,
        };
        s.iam.selected = to.clamp(0, n.saturating_sub(1) as i64) as usize;
        return;
    };
    let items = s.iam_items(&user);
    let at = s.iam_cursor_in(&items).and_then(|c| items.iter().position(|i| *i == c)).unwrap_or(0);
    let to = match action {
        Action::Up | Action::ScrollUp => at.saturating_sub(1),
        Action::Down | Action::ScrollDown => at + 1,
        Action::Top => 0,
        Action::Bottom => items.len() - 1,
        Action::PageUp => at.saturating_sub(5),
        Action::PageDown => at + 5,
        _ => at,
    };
    s.iam.cursor = Some(items[to.min(items.len() - 1)].clone());
}

fn cursor_user(s: &AppState) -> Option<String> {
    s.iam_user()
}

pub(super) fn rotate(s: &mut AppState) -> Vec<Command> {
    let Some(user) = cursor_user(s) else { return vec![] };
    if s.section(&user).and_then(|x| x.rotation.as_ref()).is_some_and(|r| r.running) {
        s.log(Level::Warn, format!("the rotation of {user}'s key is still running: wait for its end"));
        return vec![];
    }
    // The rotation's steps show in the user's description: open it.
    if s.described() != Some(user.as_str()) {
        s.overlays.close_panels(|p| matches!(p, Panel::Describe { .. }));
        s.overlays.push(Overlay::Panel(Panel::Describe { user: user.clone() }));
        s.iam.cursor = None;
    }
    s.section_mut(&user).rotation = Some(Rotation { running: true, ..Rotation::default() });
    s.log(Level::Info, rotate::starting(&user, true));
    let opts = RotateOptions {
        // Whether to delete another key to make room is asked, through the popup.
        make_room: true,
        propagation: Duration::from_secs(s.iam.propagation_secs),
        max_age_days: s.iam.max_age_days,
        ..RotateOptions::default()
    };
    vec![Command::IamRotate { user, opts }]
}

/// `d` / `x` on a key: a confirmation, or a refusal that says what to do instead.
pub(super) fn key(s: &mut AppState, op: KeyOp) -> Vec<Command> {
    let Some(Item { user, part: Part::Key(id) }) = s.iam_cursor() else {
        let who = s.iam_user().unwrap_or_else(|| "a user".into());
        let how =
            if s.described().is_some() { "select one of its keys (↑ ↓)" } else { "open it (Enter), select a key" };
        s.log(Level::Warn, format!("{who}: {how}, then d deactivates it, x deletes it"));
        return vec![];
    };
    let Some(k) = s.section(&user).and_then(|x| x.keys().iter().find(|k| k.id == id)).cloned() else {
        return vec![];
    };
    if let Some(busy) = s.section(&user).and_then(|x| x.busy.clone()) {
        s.log(Level::Warn, format!("{user}: still {busy}; try again when it ends"));
        return vec![];
    }
    let dialog = if k.in_use {
        let w = op.refusal(&user, &k.id, &last_used_text(&k.last_used));
        Dialog::Refused { title: w.title, text: format!("{} {}", w.ask, w.detail.join(" ")) }
    } else if op == KeyOp::Deactivate && !k.active {
        s.log(Level::Info, format!("{} of {user} is already inactive: x deletes it", k.id));
        return vec![];
    } else {
        Dialog::Key { user, op, key: k }
    };
    s.overlays.push(Overlay::Confirm(Popup { dialog, scroll: 0 }));
    vec![]
}

pub(super) fn reload(s: &mut AppState, all: bool) -> Vec<Command> {
    let mut users = if all { s.iam_users() } else { cursor_user(s).into_iter().collect() };
    // One prompt at most: `A` reads the users it can without a code and names the others.
    let mut later = Vec::new();
    if all {
        (later, users) = users.into_iter().partition(|u| s.needs_code(u));
    }
    if let [one] = &users[..] {
        s.log(Level::Info, format!("reading {one}'s keys and auditing it again…"));
    } else if !users.is_empty() {
        s.log(Level::Info, format!("reading and auditing {} again…", plural(users.len(), "user", "users")));
    }
    if !later.is_empty() {
        s.log(
            Level::Info,
            format!(
                "not signed in, so not read: {} — select one and press a (it asks for that user's code)",
                later.join(", ")
            ),
        );
    }
    users.iter().map(|u| load(s, u, true, true)).collect()
}

/// `f`: the fix's JSON, with the offer to apply it when `plan_fix` said the caller may.
pub(super) fn fix(s: &mut AppState) -> Vec<Command> {
    let Some(user) = cursor_user(s) else { return vec![] };
    let sec = s.section(&user).cloned().unwrap_or_default();
    let Some(audit) = &sec.audit.data else {
        let why = if sec.audit.loading {
            format!("the audit of {user} is still running: f works once it ends")
        } else {
            format!("{user} has not been audited: a runs the audit")
        };
        s.log(Level::Info, why);
        return vec![];
    };
    let Some(f) = &audit.fix else {
        let why = match audit.verdict {
            Verdict::Unknown => format!(
                "the audit cannot tell whether MFA is enforced for {user} ({}): there is nothing to fix until it can",
                audit.reason
            ),
            _ => format!("MFA is enforced for {user}: nothing to fix"),
        };
        s.log(Level::Info, why);
        return vec![];
    };
    if sec.fix.loading && sec.fix.data.is_none() {
        s.log(
            Level::Info,
            format!("checking whether the fix for {user} can be applied from here… press f again in a moment"),
        );
        return vec![];
    }
    let plan = match (&sec.fix.data, &sec.fix.error) {
        (_, Some(e)) => Err(e.clone()),
        (Some(p), None) => Ok(p.clone()),
        (None, None) => Err("not checked yet: a audits again and checks".into()),
    };
    let dialog = Dialog::Fix { user, fix: f.clone(), plan };
    s.overlays.push(Overlay::Confirm(Popup { dialog, scroll: 0 }));
    vec![]
}

pub(super) fn confirm(s: &mut AppState, yes: bool) -> Vec<Command> {
    let Some(p) = s.overlays.take_confirm() else { return vec![] };
    match p.dialog {
        Dialog::Question { id, user, question } => {
            if yes && matches!(question, Question::Rotate { .. }) {
                s.section_mut(&user).rotation.get_or_insert_with(Rotation::default).confirmed = true;
            }
            vec![Command::IamAnswer { id, yes }]
        }
        Dialog::Key { user, op, key } if yes => {
            let doing = op.doing(&key.id);
            s.log(Level::Info, format!("{user}: {doing}…"));
            s.section_mut(&user).busy = Some(doing);
            vec![Command::IamKey { user, key: key.id, op }]
        }
        Dialog::Key { user, key, .. } => {
            s.log(Level::Info, format!("{} of {user} left as it is", key.id));
            vec![]
        }
        Dialog::Fix { user, plan: Ok(plan), .. } if yes => {
            s.log(Level::Info, format!("{user}: applying the fix…"));
            s.section_mut(&user).busy = Some("applying the fix".into());
            vec![Command::IamApplyFix { user, plan }]
        }
        Dialog::WriteSerial { profile, serial } if yes => vec![Command::InitWrite { profile, serial }],
        Dialog::WriteSerial { profile, .. } => {
            s.log(
                Level::Info,
                format!("{profile}: mfa_serial not written; mfatui init {profile} does it from a terminal"),
            );
            vec![]
        }
        Dialog::Fix { .. } | Dialog::Refused { .. } => vec![],
    }
}

pub(super) fn scroll(s: &mut AppState, delta: i16) {
    if let Some(p) = s.overlays.confirm_mut() {
        let lines = match &p.dialog {
            // The popup's body: both labels and both JSON texts; drawing clamps what wraps.
            Dialog::Fix { fix, .. } => 3 + fix.deny_statement.lines().count() + fix.boundary_document.lines().count(),
            _ => 0,
        };
        let to = (i64::from(p.scroll) + i64::from(delta)).clamp(0, lines.saturating_sub(1) as i64);
        p.scroll = to as u16;
    }
}

/// `c` copies the Deny statement, the part that is safe to paste into a policy; `b` the boundary.
pub(super) fn copy(s: &mut AppState, boundary: bool) -> Vec<Command> {
    match s.popup().map(|p| &p.dialog) {
        Some(Dialog::Fix { fix, user, .. }) if boundary => vec![Command::CopyText {
            text: fix.boundary_document.clone(),
            what: format!("the permissions boundary {FIX_POLICY_NAME} for {user} (a boundary, never a policy)"),
        }],
        Some(Dialog::Fix { fix, user, .. }) => vec![Command::CopyText {
            text: fix.deny_statement.clone(),
            what: format!("the Deny statement for a policy of {user} or its groups"),
        }],
        _ => vec![],
    }
}

/// The worker that asked for `user`'s code has ended: its prompt, if still waiting on STS, goes,
/// and so does the sign-in's spinner on the user's row (a failed sign-in sends no news).
fn settle(s: &mut AppState, user: &str) {
    s.overlays.remove_prompts(|m| m.user == user && m.busy);
    if s.sessions.activity.get(user) == Some(&Activity::Refreshing) {
        s.sessions.activity.remove(user);
    }
}

pub(super) fn result(s: &mut AppState, action: Action) -> Vec<Command> {
    match action {
        Action::IamOverview { user, result } => {
            settle(s, &user);
            if let Err(e) = &result {
                s.note(Level::Warn, format!("{user}: IAM overview: {e}"));
            }
            s.section_mut(&user).overview.done(result);
        }
        Action::IamAudit { user, result } => {
            settle(s, &user);
            if let Err(e) = &result {
                s.note(Level::Warn, format!("{user}: MFA audit: {e}"));
            }
            let fixable = matches!(&result, Ok(a) if a.fix.is_some());
            let sec = s.section_mut(&user);
            sec.audit.done(result);
            match (&sec.audit.data, fixable) {
                (Some(a), true) => {
                    sec.fix.loading = true;
                    return vec![Command::IamPlanFix { user, audit: a.clone() }];
                }
                (_, false) if sec.audit.error.is_none() => sec.fix = Load::default(),
                _ => {}
            }
        }
        Action::IamFixPlan { user, result } => s.section_mut(&user).fix.done(result),
        Action::IamQuestion { id, user, question } => {
            let dialog = Dialog::Question { id, user, question };
            s.overlays.push(Overlay::Confirm(Popup { dialog, scroll: 0 }));
        }
        Action::IamEvent { user, event } => return rotation_event(s, user, event),
        Action::IamRotated { user, result } => return rotated(s, user, result),
        Action::IamKeyDone { user, key, op, result } => {
            settle(s, &user);
            s.section_mut(&user).busy = None;
            match result {
                Ok(()) => {
                    s.log(Level::Success, op.done(&key, &user));
                    return vec![load(s, &user, true, false)];
                }
                Err(e) => s.log(Level::Error, format!("could not {} {key} of {user}: {e}", op.verb())),
            }
        }
        Action::IamFixed { user, result } => {
            settle(s, &user);
            s.section_mut(&user).busy = None;
            match result {
                Ok(()) => {
                    s.log(Level::Success, format!("{user}: fix applied; auditing again…"));
                    return vec![load(s, &user, false, true)];
                }
                Err(e) => {
                    s.log(Level::Error, format!("{user}: the fix was not applied: {e}"));
                    s.section_mut(&user).fix.error = Some(format!("applying it failed: {e}"));
                }
            }
        }
        _ => {}
    }
    vec![]
}

/// A rotation's news as a line for the section and the log, in the domain's words.
fn step(e: &Event) -> (Level, String) {
    let level = match e.tone() {
        Tone::Info => Level::Info,
        Tone::Success => Level::Success,
        Tone::Warning => Level::Warn,
    };
    (level, e.describe())
}

fn rotation_event(s: &mut AppState, user: String, event: Event) -> Vec<Command> {
    let (level, text) = step(&event);
    let repeats = matches!(event, Event::Verifying { .. });
    // One log line per success and for the first failure: a minute of polling is not 240 lines.
    let logged = match &event {
        Event::Verifying { attempt, successes, .. } => *attempt == 1 || *successes > 0,
        _ => true,
    };
    if logged {
        s.note(level, format!("rotate {user}: {text}"));
    }
    let rotation =
        s.section_mut(&user).rotation.get_or_insert_with(|| Rotation { running: true, ..Default::default() });
    match &event {
        Event::Keys { keys } => rotation.keys = keys.clone(),
        Event::Signing { .. } | Event::Resuming { .. } => {}
        // Any other step changes something, which the rotation does only after a yes.
        _ => rotation.confirmed = true,
    }
    if rotation.steps.last().is_some_and(|l| l.repeats) && repeats {
        rotation.steps.pop();
    }
    rotation.steps.push(Step { level, text, repeats });
    // The calls run on the user's MFA session: its prompt, if one was answered, is done.
    if let Event::Signing { mfa: true, .. } = event {
        s.overlays.remove_prompts(|m| m.user == user);
        return vec![Command::SignedIn { user }];
    }
    vec![]
}

fn rotated(s: &mut AppState, user: String, result: Result<Report, String>) -> Vec<Command> {
    settle(s, &user);
    let (level, text) = match &result {
        Ok(r) => (Level::Success, format!("done: {}", r.summary())),
        Err(e) => (Level::Error, format!("not rotated: {e}")),
    };
    s.log(level, format!("rotate {user}: {text}"));
    let rotation = s.section_mut(&user).rotation.get_or_insert_with(Rotation::default);
    rotation.running = false;
    rotation.steps.push(Step { level, text, repeats: false });
    match result {
        // The files hold the new key: the plan must use it before the keys are read again.
        Ok(_) => vec![Command::Reload, load(s, &user, true, false)],
        Err(_) => vec![],
    }
}

#[cfg(test)]
#[path = "iam_tests.rs"]
mod tests;
