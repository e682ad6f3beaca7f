//! The engine's news and the store's state: the 1 Hz tick (countdowns, the MFA-ending warning),
//! progress of a sign-in or refresh, and the end of one (its summary).

use crate::action::Command;
use crate::aws::clock::human_duration;
use crate::aws::engine::{EngineError, LoginReport, Progress, Prompting, Which};
use crate::display::plural;
use crate::state::{Activity, AppState, Level, Lifetime};

pub(super) fn refresh_due() -> Vec<Command> {
    vec![Command::Refresh { which: Which::Due, prompting: Prompting::Never, all: false }]
}

pub(super) fn tick(s: &mut AppState, now: i64) -> Vec<Command> {
    s.now = now;
    s.spinner = s.spinner.wrapping_add(1);
    let ending: Vec<(String, i64)> = s
        .sessions
        .mfa_serials
        .keys()
        .filter_map(|u| Some((u.clone(), s.left(u)?)))
        .filter(|(_, l)| crate::aws::engine::rules::is_ending(*l, s.prefs.warn_secs))
        .collect();
    let mut out = Vec::new();
    for (user, left) in ending {
        if s.sessions.warned.insert(user.clone()) {
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

pub(super) fn progress(s: &mut AppState, p: Progress) -> Vec<Command> {
    match p {
        Progress::Started { profile } => {
            s.sessions.activity.insert(profile, Activity::Refreshing);
        }
        Progress::Retrying { profile, attempt, reason } => {
            s.note(Level::Info, format!("{profile}: retry {attempt} after: {reason}"))
        }
        Progress::WaitingForCode { user, secs } => {
            s.log(Level::Info, format!("{user}: waiting {secs}s for the next code"))
        }
        Progress::SignedIn { user } => {
            s.overlays.remove_prompts(|m| m.user == user);
            s.sessions.warned.remove(&user);
            s.sessions.activity.remove(&user);
            return vec![Command::SignedIn { user }];
        }
        Progress::Ready { profile, expiration } => {
            s.sessions.lifetimes.insert(profile.clone(), Lifetime { expires_at: expiration, obtained_at: s.now });
            s.sessions.activity.remove(&profile);
        }
    }
    vec![]
}

pub(super) fn finished(
    s: &mut AppState,
    reports: Vec<LoginReport>,
    sessions: std::collections::HashMap<String, Lifetime>,
    all: bool,
) {
    s.sessions.lifetimes = sessions;
    let (mut ok, mut failed) = (0, 0);
    let mut signed_out = Vec::new();
    for r in &reports {
        if let Some(Err(e)) = &r.mfa {
            // A prompt this run answered (a code typed for another process) stays open with the
            // reason, so the next code can be typed.
            if let Some(m) = s.overlays.prompts_mut().find(|m| m.user == r.user && m.busy) {
                m.busy = false;
                m.error = Some(e.to_string());
            } else if e.needs_code() {
                s.log(Level::Warn, format!("{}: {e}", r.user));
            } else {
                s.log(Level::Error, format!("{}: {e}", r.user));
            }
            signed_out.push(format!("{} ({})", r.user, short_reason(e)));
            let state = if e.needs_code() { Activity::NeedsCode } else { Activity::Failed(e.to_string()) };
            s.sessions.activity.insert(r.user.clone(), state);
        } else {
            s.sessions.activity.remove(&r.user);
        }
        for (name, result) in &r.roles {
            match result {
                Ok(_) if r.managed(name).is_some_and(|m| m.is_err()) => {
                    failed += 1;
                    let e = r.managed(name).and_then(|m| m.as_ref().err()).map(ToString::to_string).unwrap_or_default();
                    s.sessions
                        .activity
                        .insert(name.clone(), Activity::Failed(format!("not usable by other tools: {e}")));
                    // The row and the summary say it; the log keeps each role's error in full.
                    s.note(Level::Error, format!("{name}: {e}"));
                }
                Ok(_) => {
                    ok += 1;
                    s.sessions.activity.remove(name);
                }
                Err(e) if e.needs_code() => {
                    s.sessions.activity.insert(name.clone(), Activity::NeedsCode);
                }
                Err(e) => {
                    failed += 1;
                    // The row is the role: its reason alone fits the column; the log has the ARN too.
                    let reason = match e {
                        EngineError::Role { cause, .. } => cause.to_string(),
                        other => other.to_string(),
                    };
                    s.sessions.activity.insert(name.clone(), Activity::Failed(reason));
                    // The row and the summary say it; the log keeps each role's error in full.
                    s.note(Level::Error, format!("{name}: {e}"));
                }
            }
        }
    }
    if ok > 0 || failed > 0 {
        let level = if failed > 0 { Level::Warn } else { Level::Success };
        let text = if failed > 0 {
            format!(
                "{} ready, {failed} failed: the rows say why, l has each in full",
                plural(ok, "role session", "role sessions")
            )
        } else {
            format!("{} ready", plural(ok, "role session", "role sessions"))
        };
        s.log(level, text);
    }
    // One line per cause for what only follows from it, in the core's words (the CLI says the same).
    for c in crate::aws::engine::words::cascades(&reports) {
        s.log(Level::Warn, c.describe());
    }
    if all && !signed_out.is_empty() {
        s.log(Level::Warn, format!("still signed out: {}", signed_out.join(", ")));
    }
    if s.profiles.sort == crate::state::Sort::Expiry {
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
