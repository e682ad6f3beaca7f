//! `mfatui login`, `refresh`, `logout` and `status`: the engine, headless.

use crate::aws::clock::{SystemClock, human_duration};
use crate::aws::config::{AwsEnv, LoadedConfig};
use crate::aws::engine::words::{self, Tally};
use crate::aws::engine::{
    Engine, EngineBuilder, EngineError, EngineSettings, LoginReport, Outcome, Plan, Prompting, Which,
};
use crate::aws::secret::Secret;
use crate::aws::store::{SessionState, SessionStore};
use crate::commands::list::SessionJson;
use crate::display::{clip, fit, plural};
use crate::prompters::{self, Order};
use std::io::{BufRead, Write};
use std::sync::Arc;
use std::time::Instant;

/// What a headless command works with: the plan of the user's AWS files, and the engine asking
/// for codes in `order`.
pub fn ready(env: &AwsEnv, settings: &crate::settings::Settings, order: Order) -> anyhow::Result<(Engine, Plan)> {
    let cfg = crate::aws::config::load(env)?;
    let graph = cfg.graph();
    let plan = Plan::build(&cfg, &graph, &settings.suffix, |k| std::env::var(k).ok());
    Ok((engine(env, &cfg, settings.engine(), order)?, plan))
}

/// The engine for a headless command, asking for codes in `order`.
pub fn engine(env: &AwsEnv, cfg: &LoadedConfig, settings: EngineSettings, order: Order) -> anyhow::Result<Engine> {
    Ok(engine_builder(env, cfg, settings, order)?.build())
}

/// The same engine, still open to changes (the dashboard asks in process).
pub fn engine_builder(
    env: &AwsEnv,
    cfg: &LoadedConfig,
    settings: EngineSettings,
    order: Order,
) -> anyhow::Result<EngineBuilder> {
    let state = env.state_dir()?;
    let vault = vault_for_here();
    let store = SessionStore::for_mode(&state, settings.vault, vault.clone());
    Ok(Engine::builder(settings, store, cfg.paths.clone(), Arc::new(SystemClock))
        .vault(vault)
        .prompter(prompters::chain(&state, order))
        .interactive(true)
        .program(program_path())
        .aws_cli_cache(env.home.as_deref().map(crate::aws::engine::cli_cache::dir_in)))
}

/// The keychain, waited for as long as this invocation can wait: a person at a terminal may be
/// answering the keychain's unlock prompt; a client running mfatui (credential-process) gives
/// up after a few seconds, so mfatui does first.
pub fn vault_for_here() -> crate::aws::vault::Vault {
    use std::io::IsTerminal;
    let person = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    crate::aws::vault::Vault::keychain(if person {
        crate::aws::vault::INTERACTIVE_TIMEOUT
    } else {
        crate::aws::vault::CHANNEL_TIMEOUT
    })
}

/// How `credential_process` lines name this program: `mfatui` when that is what PATH finds,
/// else the absolute path of this executable (so the line works in any shell).
pub fn program_path() -> String {
    let me = std::env::current_exe().ok().and_then(|p| p.canonicalize().ok());
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("mfatui"))
            .find(|p| p.is_file())
            .and_then(|p| p.canonicalize().ok())
    });
    match (me, on_path) {
        (Some(me), Some(found)) if me == found => "mfatui".into(),
        (Some(me), _) => me.display().to_string(),
        _ => "mfatui".into(),
    }
}

/// Refuse, up front and by name, environment values that can only fail later as a network
/// error after seconds of retries: a region that cannot be part of a host name, an endpoint that
/// is not an http(s) URL.
pub fn check_environment() -> anyhow::Result<()> {
    for var in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if let Some(v) = std::env::var(var).ok().filter(|v| !v.is_empty())
            && !crate::aws::engine::valid_region(&v)
        {
            anyhow::bail!("{var} = {v:?} is not a region name (like eu-west-1): fix or unset it");
        }
    }
    for var in ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_IAM", crate::aws::console::ENDPOINT_VAR] {
        let Some(v) = std::env::var(var).ok().filter(|v| !v.is_empty()) else { continue };
        let rest = v.strip_prefix("https://").or_else(|| v.strip_prefix("http://"));
        let host_ok = rest.is_some_and(|r| {
            let host = r.split(['/', '?']).next().unwrap_or("");
            !host.is_empty() && !r.chars().any(|c| c.is_whitespace() || c.is_control())
        });
        if !host_ok {
            anyhow::bail!("{var} = {v:?} is not an http:// or https:// URL: fix or unset it");
        }
    }
    Ok(())
}

/// `--code N`, or `--code -` to read it from stdin (so it is not in the process list).
pub fn read_code(code: Option<String>) -> anyhow::Result<Option<Secret>> {
    match code.as_deref() {
        Some("-") => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            let line = line.trim();
            anyhow::ensure!(!line.is_empty(), "--code - reads the code from stdin, but stdin was empty");
            Ok(Some(Secret::new(line)))
        }
        Some(c) => Ok(Some(Secret::new(c))),
        None => Ok(None),
    }
}

fn describe(
    result: &Result<Outcome, EngineError>,
    managed: Option<&Result<String, EngineError>>,
    now: i64,
) -> (String, String) {
    match result {
        Ok(o) => {
            let left = if o.expiration == i64::MAX {
                "long-term keys".into()
            } else {
                format!("valid {}", human_duration(o.expiration - now))
            };
            let left = if o.kept { format!("{left} (kept)") } else { left };
            match managed {
                Some(Ok(n)) => (format!("--profile {n}"), left),
                Some(Err(e)) => ("-".into(), format!("{left}, but other tools cannot use it: {e}")),
                None => ("-".into(), left),
            }
        }
        Err(e) => ("-".into(), format!("failed: {e}")),
    }
}

/// The table `login` and `refresh` print: a row per profile obtained or failed for a reason
/// of its own, then one line per cascade (roles not assumed because what they are assumed from
/// failed: its row says why, once).
pub fn write_report(out: &mut impl Write, reports: &[LoginReport], now: i64) -> std::io::Result<Tally> {
    let mut rows: Vec<(String, String, String)> = Vec::new();
    for r in reports {
        if let Some(m) = &r.mfa {
            let (use_with, state) = describe(m, r.managed(&r.user), now);
            rows.push((r.user.clone(), use_with, format!("MFA session {state}")));
        }
        for (n, o) in r.roles.iter().filter(|(n, _)| r.cause_of(n).is_none()) {
            let (use_with, state) = describe(o, r.managed(n), now);
            rows.push((n.clone(), use_with, state));
        }
    }
    // Names are cut for the table only (a 70,000-character profile name must not break it).
    let w0 = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0).min(40);
    let w1 = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0).min(50);
    for (name, use_with, state) in &rows {
        writeln!(out, "  {}  {}  {}", fit(name, w0), fit(use_with, w1), clip(state, 600))?;
    }
    for c in words::cascades(reports) {
        writeln!(out, "  {}", c.describe())?;
    }
    Ok(Tally::of(reports))
}

fn summary(t: &Tally, started: Instant) -> String {
    format!("{} in {} ms", t.describe(), started.elapsed().as_millis())
}

/// The first usable managed name in the reports, for the hint line.
fn example(reports: &[LoginReport]) -> Option<String> {
    reports
        .iter()
        .flat_map(|r| r.roles.iter().map(|(n, _)| n).chain([&r.user]).filter_map(|n| r.managed(n)?.clone().ok()))
        .next()
}

pub async fn login(
    out: &mut impl Write,
    engine: &Engine,
    plan: &Plan,
    profile: &str,
    code: Option<Secret>,
) -> anyhow::Result<u8> {
    plan.signable(profile)?;
    let started = Instant::now();
    let report = engine.login(plan, profile, code.as_ref(), Prompting::Allowed, &None).await?;
    let reports = [report];
    let tally = write_report(out, &reports, engine.clock().now())?;
    let report = &reports[0];
    write!(out, "\n{}.", summary(&tally, started))?;
    match example(&reports) {
        Some(name) => writeln!(out, " Use them with any AWS tool, e.g. aws --profile {name} sts get-caller-identity")?,
        None => writeln!(out)?,
    }
    Ok(match (&report.mfa, tally.unready()) {
        (Some(Err(_)), _) => 2,
        (_, 0) => 0,
        _ => 1,
    })
}

/// `mfatui login` without a profile: every user that needs it (`Engine::needing_login`), one
/// after another (so prompts come one at a time), in one table.
pub async fn login_all(out: &mut impl Write, engine: &Engine, plan: &Plan, code: Option<Secret>) -> anyhow::Result<u8> {
    let needing = engine.needing_login(plan);
    let signable = plan.users.keys().filter(|u| plan.signable(u).is_ok()).count();
    if needing.is_empty() {
        match signable {
            0 => writeln!(
                out,
                "No IAM user in your config has an MFA device or roles to sign in (`mfatui list` shows your profiles)."
            )?,
            _ => {
                writeln!(out, "Every user is signed in and fresh: nothing to do (`mfatui status` shows the sessions).")?
            }
        }
        return Ok(0);
    }
    if code.is_some() && needing.len() > 1 {
        anyhow::bail!(
            "--code is the code of one MFA device, and {} need signing in: name the user it is for (mfatui login USER --code CODE)",
            needing.join(", ")
        );
    }
    let fresh = signable - needing.len();
    let rest = match fresh {
        0 => String::new(),
        n => format!(" ({} signed in already)", plural(n, "other user is", "other users are")),
    };
    writeln!(out, "Signing in {}{rest}.\n", needing.join(", "))?;
    out.flush()?;
    let started = Instant::now();
    let mut reports = Vec::new();
    for user in &needing {
        reports.push(engine.login(plan, user, code.as_ref(), Prompting::Allowed, &None).await?);
    }
    let tally = write_report(out, &reports, engine.clock().now())?;
    write!(out, "\n{}.", summary(&tally, started))?;
    match example(&reports) {
        Some(name) => writeln!(out, " Use them with any AWS tool, e.g. aws --profile {name} sts get-caller-identity")?,
        None => writeln!(out)?,
    }
    Ok(if reports.iter().all(|r| matches!(r.mfa, Some(Err(_)))) { 2 } else { u8::from(tally.unready() > 0) })
}

pub async fn refresh(
    out: &mut impl Write,
    engine: &Engine,
    plan: &Plan,
    which: &Which,
    code: Option<Secret>,
) -> anyhow::Result<u8> {
    let started = Instant::now();
    let reports = engine.refresh(plan, which, code.as_ref(), Prompting::Allowed, &None).await;
    if reports.is_empty() {
        let stored = engine.store().load();
        let signed_in = plan.roles.iter().any(|r| stored.sessions.contains_key(&r.name));
        if !signed_in {
            writeln!(
                out,
                "No sessions yet: sign a user in with `mfatui login USER` (`mfatui list` shows your users)."
            )?;
        } else {
            let next = engine.next_due(plan).map(|t| human_duration(t - engine.clock().now()));
            match next {
                Some(n) => writeln!(out, "Nothing is due yet: the next renewal is in {n}.")?,
                None => writeln!(out, "Nothing is due.")?,
            }
        }
        return Ok(0);
    }
    let tally = write_report(out, &reports, engine.clock().now())?;
    writeln!(out, "\n{}.", summary(&tally, started))?;
    Ok(u8::from(tally.unready() > 0))
}

pub fn logout(out: &mut impl Write, engine: &Engine, plan: &Plan, profile: Option<&str>) -> anyhow::Result<u8> {
    let which = profile.map(|p| plan.resolve(p)).transpose()?;
    let removed = engine.logout(plan, which)?;
    if removed.is_empty() {
        writeln!(out, "No sessions to remove.")?;
    } else {
        let (them, sections) = if removed.len() == 1 { ("its", "section") } else { ("their", "sections") };
        writeln!(
            out,
            "Forgot {} and removed {them} managed {sections}: {}",
            plural(removed.len(), "session", "sessions"),
            removed.join(", ")
        )?;
    }
    Ok(0)
}

/// Exit codes for prompts and direnv: 0 valid, 1 expired, absent or unusable, 2 error.
pub fn status(
    out: &mut impl Write,
    engine: &Engine,
    plan: &Plan,
    profile: Option<&str>,
    json: bool,
) -> anyhow::Result<u8> {
    let all = engine.status(plan);
    let picked: Vec<_> = match profile {
        Some(p) => match plan.resolve(p) {
            Ok(r) => all.iter().filter(|s| s.profile == r.name()).collect(),
            Err(e) => {
                writeln!(out, "{e}")?;
                return Ok(2);
            }
        },
        None => all.iter().collect(),
    };
    if picked.is_empty() {
        writeln!(
            out,
            "{}",
            profile.map_or("No MFA users or roles in your config.".into(), |p| format!(
                "{p} is an IAM user without mfa_serial: it has no MFA session"
            ))
        )?;
        return Ok(1);
    }
    let usable =
        |s: &&crate::aws::engine::ProfileStatus| matches!(s.state, SessionState::Valid { .. }) && s.managed.is_ok();
    if json {
        let rows: Vec<serde_json::Value> = picked
            .iter()
            .map(|s| {
                let session = SessionJson::from_state(s.state, s.expires_at);
                serde_json::json!({"profile": s.profile, "user": s.user, "is_user": s.is_user,
                    "managed_profile": s.managed.as_ref().ok(),
                    "problem": s.managed.as_ref().err().map(ToString::to_string), "session": session})
            })
            .collect();
        writeln!(out, "{}", serde_json::Value::Array(rows))?;
    } else {
        let w = picked.iter().map(|s| s.profile.chars().count()).max().unwrap_or(0).min(40);
        for s in &picked {
            let state = match s.state {
                SessionState::None => "none".to_string(),
                SessionState::Valid { remaining_secs } => format!("valid {}", human_duration(remaining_secs)),
                SessionState::Expired { ago_secs } => format!("expired {} ago", human_duration(ago_secs)),
            };
            let kind = if s.is_user { "MFA session" } else { "role" };
            let problem =
                s.managed.as_ref().err().map(|e| format!("; other tools cannot use it: {e}")).unwrap_or_default();
            writeln!(out, "{}  {kind:11}  {state}{problem}", fit(&s.profile, w))?;
        }
        for (user, left) in engine.mfa_ending(plan) {
            writeln!(
                out,
                "note: the MFA session of {user} ends in {}: sign in again at a convenient moment (mfatui login {user})",
                human_duration(left)
            )?;
        }
    }
    Ok(if picked.iter().all(usable) { 0 } else { 1 })
}
