//! `mfatui login`, `refresh`, `logout` and `status`: the engine, headless.

use crate::aws::clock::{SystemClock, human_duration};
use crate::aws::config::{AwsEnv, LoadedConfig};
use crate::aws::engine::{Engine, EngineError, LoginReport, Outcome, Plan, Settings, Which, live_mfa_session};
use crate::aws::secret::Secret;
use crate::aws::store::{SessionState, SessionStore};
use crate::aws::sts::Target;
use crate::commands::list::SessionJson;
use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

pub fn engine(env: &AwsEnv, cfg: &LoadedConfig, settings: Settings) -> anyhow::Result<Engine> {
    let store = SessionStore::in_dir(&env.state_dir()?);
    let mut e =
        Engine::new(settings, store, cfg.paths.credentials.clone(), Target::endpoint_from_env(), Arc::new(SystemClock));
    e.interactive = true;
    Ok(e)
}

fn describe(result: &Result<Outcome, EngineError>, now: i64) -> (String, String) {
    match result {
        Ok(o) => {
            let use_with =
                o.managed.as_ref().map_or_else(|e| format!("not exported: {e}"), |n| format!("--profile {n}"));
            let left = if o.expiration == i64::MAX {
                "long-term keys".into()
            } else {
                format!("valid {}", human_duration(o.expiration - now))
            };
            (use_with, if o.reused { format!("{left} (kept)") } else { left })
        }
        Err(e) => ("-".into(), format!("failed: {e}")),
    }
}

/// The table `login` and `refresh` print. Returns (ok, failed).
pub fn write_report(out: &mut impl Write, reports: &[LoginReport], now: i64) -> std::io::Result<(usize, usize)> {
    let rows: Vec<(String, String, String)> = reports
        .iter()
        .flat_map(|r| {
            let mfa = r.mfa.iter().map(|m| {
                let (use_with, state) = describe(m, now);
                (r.user.clone(), use_with, format!("MFA session {state}"))
            });
            mfa.chain(r.roles.iter().map(|(n, o)| {
                let (use_with, state) = describe(o, now);
                (n.clone(), use_with, state)
            }))
        })
        .collect();
    let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let w1 = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    for (name, use_with, state) in &rows {
        writeln!(out, "  {name:w0$}  {use_with:w1$}  {state}")?;
    }
    let failed = reports
        .iter()
        .map(|r| r.roles.iter().filter(|(_, o)| o.is_err()).count() + usize::from(matches!(r.mfa, Some(Err(_)))))
        .sum();
    Ok((rows.len() - failed, failed))
}

/// Does signing in this user need a code typed now?
fn needs_typed_code(engine: &Engine, plan: &Plan, user: &str) -> bool {
    let Some(u) = plan.users.get(user) else { return false };
    if u.mfa_serial.is_none() || matches!(u.source, Ok(Some(_)) | Err(_)) {
        return false;
    }
    live_mfa_session(&engine.store.load(), user, engine.clock.now(), engine.settings.margin_secs).is_none()
}

/// `prompt` asks for a code at the binary's edge (the domain never reads stdin).
pub async fn login(
    out: &mut impl Write,
    engine: &Engine,
    plan: &Plan,
    profile: &str,
    code: Option<String>,
    prompt: impl FnOnce(&str, &str) -> anyhow::Result<Option<String>>,
) -> anyhow::Result<u8> {
    let user = plan.user_of(profile).ok_or_else(|| EngineError::UnknownProfile(profile.into()))?;
    let typed = match code {
        Some(c) => Some(Secret::new(c)),
        None if needs_typed_code(engine, plan, &user.name) => {
            let serial = user.mfa_serial.as_deref().unwrap_or_default();
            match prompt(&user.name, serial)? {
                Some(c) => Some(Secret::new(c)),
                None => anyhow::bail!(
                    "no MFA code for {}: pass --code CODE, or set mfa_process (or a TOTP seed) for [profile {}]",
                    user.name,
                    user.name
                ),
            }
        }
        None => None,
    };
    let started = Instant::now();
    let report = engine.login(plan, profile, typed, &None).await?;
    let (ok, failed) = write_report(out, std::slice::from_ref(&report), engine.clock.now())?;
    writeln!(
        out,
        "\n{ok} ready, {failed} failed in {} ms. Use them with any AWS tool, e.g. aws --profile NAME-mfa sts get-caller-identity",
        started.elapsed().as_millis()
    )?;
    Ok(match (&report.mfa, failed) {
        (Some(Err(_)), _) => 2,
        (_, 0) => 0,
        _ => 1,
    })
}

pub async fn refresh(
    out: &mut impl Write,
    engine: &Engine,
    plan: &Plan,
    which: &Which,
    code: Option<String>,
) -> anyhow::Result<u8> {
    let reports = engine.refresh(plan, which, code.map(Secret::new), &None).await;
    if reports.is_empty() {
        writeln!(
            out,
            "Nothing is due: every session has more than {} left.",
            human_duration(engine.settings.margin_secs)
        )?;
        return Ok(0);
    }
    let (ok, failed) = write_report(out, &reports, engine.clock.now())?;
    writeln!(out, "\n{ok} renewed, {failed} failed.")?;
    Ok(u8::from(failed > 0))
}

pub fn logout(out: &mut impl Write, engine: &Engine, plan: &Plan, profile: Option<&str>) -> anyhow::Result<u8> {
    let removed = engine.logout(plan, profile)?;
    if removed.is_empty() {
        writeln!(out, "No sessions to remove.")?;
    } else {
        writeln!(
            out,
            "Removed {} session(s) and their {} sections: {}",
            removed.len(),
            engine.settings.suffix,
            removed.join(", ")
        )?;
    }
    Ok(0)
}

/// Exit codes for prompts and direnv: 0 valid, 1 expired or absent, 2 error.
pub fn status(
    out: &mut impl Write,
    engine: &Engine,
    plan: &Plan,
    profile: Option<&str>,
    json: bool,
) -> anyhow::Result<u8> {
    let all = engine.status(plan);
    let suffix = &engine.settings.suffix;
    let picked: Vec<_> = match profile {
        Some(p) => {
            // `dev-admin-mfa` (what AWS_PROFILE holds) means `dev-admin`.
            let base = p.strip_suffix(suffix.as_str()).filter(|b| all.iter().any(|s| s.profile == *b)).unwrap_or(p);
            let found: Vec<_> = all.iter().filter(|s| s.profile == base).collect();
            if found.is_empty() {
                writeln!(out, "mfatui does not manage a session for `{p}` (not an MFA user or a role rooted at one)")?;
                return Ok(2);
            }
            found
        }
        None => all.iter().collect(),
    };
    let valid = |s: &SessionState| matches!(s, SessionState::Valid { .. });
    if json {
        let rows: Vec<serde_json::Value> = picked
            .iter()
            .map(|s| {
                // The same `session` object as `mfatui list --json`.
                let session = SessionJson::from_state(s.state, s.expires_at);
                serde_json::json!({"profile": s.profile, "user": s.user, "is_user": s.is_user,
                    "managed_profile": s.managed.as_ref().ok(), "session": session})
            })
            .collect();
        writeln!(out, "{}", serde_json::Value::Array(rows))?;
    } else {
        let w = picked.iter().map(|s| s.profile.len()).max().unwrap_or(0);
        for s in &picked {
            let state = match s.state {
                SessionState::None => "none".to_string(),
                SessionState::Valid { remaining_secs } => format!("valid {}", human_duration(remaining_secs)),
                SessionState::Expired { ago_secs } => format!("expired {} ago", human_duration(ago_secs)),
            };
            let kind = if s.is_user { "MFA session" } else { "role" };
            writeln!(out, "{:w$}  {kind:11}  {state}", s.profile)?;
        }
        for (user, left) in engine.mfa_ending(plan) {
            writeln!(
                out,
                "note: the MFA session of {user} ends in {}: sign in again at a convenient moment",
                human_duration(left)
            )?;
        }
    }
    Ok(if !picked.is_empty() && picked.iter().all(|s| valid(&s.state)) { 0 } else { 1 })
}
