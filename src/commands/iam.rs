//! `mfatui keys`, `rotate` and `audit`: the IAM view, headless. Each prints as it goes; key ids
//! appear only masked (`****WXYZ`) and secrets never. Confirmations are asked on the terminal
//! (`/dev/tty`), never on stdin, unless `--yes`.

mod audit;

pub use audit::{AuditFlags, audit};

use crate::aws::config::AwsEnv;
use crate::aws::engine::{Engine, Plan};
use crate::aws::iam::keys::{KeyInfo, Overview, overview};
use crate::aws::iam::rotate::{self, Answer, Confirm, Event, Question, RotateOptions, Yes, day};
use crate::commands::session;
use crate::prompters::Order;
use crate::settings::Settings;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::sync::Mutex;
use std::time::Duration;

/// What every IAM command needs: the plan, an engine that can ask for MFA codes, a runtime.
pub(super) struct Ctx {
    pub engine: Engine,
    pub plan: Plan,
    pub rt: tokio::runtime::Runtime,
    pub settings: Settings,
}

impl Ctx {
    pub fn new(env: &AwsEnv, settings: Settings) -> anyhow::Result<Self> {
        let (engine, plan) = session::ready(env, &settings, Order::TerminalFirst)?;
        crate::logging::init(&env.state_dir()?);
        let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
        Ok(Self { engine, plan, rt, settings })
    }

    /// The named profiles, or every IAM user of the config.
    pub fn profiles(&self, named: &[String]) -> Vec<String> {
        if named.is_empty() {
            self.plan.users.values().filter(|u| u.is_iam_user()).map(|u| u.name.clone()).collect()
        } else {
            named.to_vec()
        }
    }
}

/// A yes/no on the controlling terminal; no terminal means no.
pub(super) fn ask_tty(question: &str) -> bool {
    let Ok(tty) = std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty") else { return false };
    let mut out = &tty;
    let _ = write!(out, "{question} [y/N] ");
    let _ = out.flush();
    let mut line = String::new();
    if BufReader::new(&tty).read_line(&mut line).is_err() {
        return false;
    }
    matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

pub(super) fn has_tty() -> bool {
    std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty").is_ok()
}

pub(super) fn time(secs: Option<i64>) -> Value {
    secs.map_or(Value::Null, |s| Value::String(crate::aws::clock::rfc3339(s)))
}

// --- keys -------------------------------------------------------------------------------------

/// `mfatui keys [PROFILE…] [--json]`. Exit 0, or 2 when a user could not be read at all.
pub fn keys(env: &AwsEnv, settings: Settings, profiles: &[String], json: bool) -> anyhow::Result<u8> {
    let ctx = Ctx::new(env, settings)?;
    let max_age = ctx.settings.key_max_age_days;
    let mut out = crate::display::stdout(json);
    let mut users = Vec::new();
    let mut errors = Vec::new();
    for p in ctx.profiles(profiles) {
        match ctx.rt.block_on(overview(&ctx.engine, &ctx.plan, &p, max_age, &None)) {
            Ok(o) => {
                if !json {
                    write_overview(&mut out, &o)?;
                }
                users.push(o);
            }
            Err(e) => {
                if !json {
                    writeln!(out, "{p}: {e}\n")?;
                }
                errors.push((p, e.to_string()));
            }
        }
    }
    if json {
        let users: Vec<Value> = users.iter().map(overview_json).collect();
        let errors: Vec<Value> = errors.iter().map(|(p, e)| json!({"profile": p, "error": e})).collect();
        let doc = json!({"key_max_age_days": max_age, "users": users, "errors": errors});
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else if users.is_empty() && errors.is_empty() {
        writeln!(out, "No IAM user with access keys in your AWS config.")?;
    }
    Ok(if errors.is_empty() { 0 } else { 2 })
}

fn key_line(k: &KeyInfo) -> String {
    let age = match (k.age_days, k.old) {
        (Some(d), true) => format!(" ({d} days: OLD)"),
        (Some(d), false) => format!(" ({d} days)"),
        _ => String::new(),
    };
    let status = if k.active { "Active  " } else { "Inactive" };
    let used = rotate::last_used_text(&k.last_used);
    let here = if k.in_use { "  <- in your AWS files" } else { "" };
    format!("{}  {status}  created {}{age}  {used}{here}", k.id, day(k.created))
}

fn list_or<T>(r: &Result<Vec<T>, String>, show: impl Fn(&T) -> String) -> String {
    match r {
        Ok(v) if v.is_empty() => "none".into(),
        Ok(v) => v.iter().map(show).collect::<Vec<_>>().join(", "),
        Err(e) => format!("not readable ({e})"),
    }
}

fn write_overview(out: &mut impl Write, o: &Overview) -> std::io::Result<()> {
    let via = if o.mfa_session { "MFA session" } else { "long-term key: no mfa_serial" };
    writeln!(out, "{}  {}  ({via})", o.profile, o.arn)?;
    match &o.keys {
        Ok(keys) => {
            writeln!(out, "  access keys (old after {} days):", o.max_age_days)?;
            for k in keys {
                writeln!(out, "    {}", key_line(k))?;
            }
        }
        Err(e) => writeln!(out, "  access keys: not readable ({e})")?,
    }
    let device = |d: &crate::aws::iam::api::MfaDevice| format!("{} ({})", d.serial, d.kind.describe());
    writeln!(out, "  MFA devices: {}", list_or(&o.mfa_devices, device))?;
    writeln!(out, "  groups: {}", list_or(&o.groups, |g| g.clone()))?;
    writeln!(out, "  managed policies: {}", list_or(&o.attached_policies, |p| p.name.clone()))?;
    writeln!(out, "  inline policies: {}", list_or(&o.inline_policies, |p| p.clone()))?;
    let boundary = match &o.boundary {
        Ok(Some(b)) => b.clone(),
        Ok(None) => "none".into(),
        Err(e) => format!("not readable ({e})"),
    };
    writeln!(out, "  permissions boundary: {boundary}")?;
    for p in &o.problems {
        writeln!(out, "  ! {p}")?;
    }
    writeln!(out)
}

fn error_of<T>(r: &Result<T, String>) -> Value {
    r.as_ref().err().map_or(Value::Null, |e| Value::String(e.clone()))
}

/// Field names are part of the interface: add, never rename.
fn overview_json(o: &Overview) -> Value {
    let keys: Vec<Value> = o.keys.as_ref().map_or(Vec::new(), |keys| {
        keys.iter()
            .map(|k| {
                let last = k
                    .last_used
                    .as_ref()
                    .ok()
                    .map(|l| json!({"date": time(l.date), "service": l.service, "region": l.region}));
                json!({"id": k.id, "status": if k.active { "Active" } else { "Inactive" }, "created": time(k.created),
                       "age_days": k.age_days, "old": k.old, "in_use": k.in_use, "last_used": last,
                       "last_used_error": error_of(&k.last_used)})
            })
            .collect()
    });
    let devices: Vec<Value> = o.mfa_devices.as_ref().map_or(Vec::new(), |d| {
        d.iter()
            .map(|d| json!({"serial": d.serial, "kind": d.kind, "usable_from_cli": d.kind.usable_from_cli(), "enabled": time(d.enabled)}))
            .collect()
    });
    json!({
        "profile": o.profile, "user": o.user, "arn": o.arn, "account": o.account, "mfa_session": o.mfa_session,
        "access_keys": keys, "access_keys_error": error_of(&o.keys),
        "mfa_devices": devices, "mfa_devices_error": error_of(&o.mfa_devices), "mfa_serial": o.configured_serial,
        "groups": o.groups.as_ref().ok(), "groups_error": error_of(&o.groups),
        "attached_policies": o.attached_policies.as_ref().ok(), "attached_policies_error": error_of(&o.attached_policies),
        "inline_policies": o.inline_policies.as_ref().ok(), "inline_policies_error": error_of(&o.inline_policies),
        "permissions_boundary": o.boundary.as_ref().ok().cloned().flatten(), "permissions_boundary_error": error_of(&o.boundary),
        "problems": o.problems,
    })
}

// --- rotate -----------------------------------------------------------------------------------

pub struct RotateFlags {
    pub yes: bool,
    pub keep_old: bool,
    pub make_room: bool,
}

struct TtyConfirm;

impl Confirm for TtyConfirm {
    fn confirm<'a>(&'a self, q: &'a Question) -> Answer<'a> {
        let text = q.text().line();
        Box::pin(async move { tokio::task::spawn_blocking(move || ask_tty(&text)).await.unwrap_or(false) })
    }
}

/// The event's line, or none for a check that repeats too soon: one line per success, and per
/// 2 s of waiting, so a minute of polling is not 240 lines.
fn event_line(e: &Event, last_verify: &mut Option<(u32, u64)>) -> Option<String> {
    if let Event::Verifying { successes, waited_ms, last_error, attempt, needed } = e {
        let shown = match (successes, last_verify.as_ref()) {
            (0, Some((0, at))) if waited_ms.saturating_sub(*at) < 2000 => None,
            (s, Some((p, _))) if s == p && *s > 0 => None,
            _ => Some(()),
        };
        shown?;
        *last_verify = Some((*successes, *waited_ms));
        // A terminal line: AWS's error is cut, the rest of the sentence is not.
        let last_error = last_error.as_ref().map(|err| crate::display::clip(err, 120).into_owned());
        let clipped = Event::Verifying {
            attempt: *attempt,
            successes: *successes,
            needed: *needed,
            waited_ms: *waited_ms,
            last_error,
        };
        return Some(format!("  {}", clipped.describe()));
    }
    // Who signs and what is resumed head the run; its steps are indented under them.
    let indent = if matches!(e, Event::Signing { .. } | Event::Resuming { .. }) { "" } else { "  " };
    Some(format!("{indent}{}", e.describe()))
}

/// `mfatui rotate PROFILE`. Exit 0 when rotated; errors exit 2 (main).
pub fn rotate(env: &AwsEnv, settings: Settings, profile: &str, flags: RotateFlags) -> anyhow::Result<u8> {
    if !flags.yes && !has_tty() {
        anyhow::bail!(
            "rotate asks for confirmation on the terminal, and there is none here: run it in a terminal, or add --yes"
        );
    }
    let ctx = Ctx::new(env, settings)?;
    let opts = RotateOptions {
        make_room: flags.make_room,
        keep_old: flags.keep_old,
        propagation: Duration::from_secs(ctx.settings.key_propagation_secs),
        max_age_days: ctx.settings.key_max_age_days,
        ..RotateOptions::default()
    };
    let printer = Mutex::new((crate::display::stdout(false), None::<(u32, u64)>));
    let progress = |e: Event| {
        let mut guard = printer.lock().unwrap_or_else(|p| p.into_inner());
        let (out, last) = &mut *guard;
        if let Some(line) = event_line(&e, last) {
            let _ = writeln!(out, "{line}");
        }
    };
    let user = crate::aws::iam::access::user_of(&ctx.plan, profile)?.name.clone();
    // Through the same sanitised writer as the steps: names and paths come from the user's files.
    let say = |line: String| {
        let mut guard = printer.lock().unwrap_or_else(|p| p.into_inner());
        let _ = writeln!(guard.0, "{line}");
    };
    say(format!("{}.", capitalised(&rotate::starting(&user, !flags.yes))));
    let confirm: &dyn Confirm = if flags.yes { &Yes } else { &TtyConfirm };
    let report = ctx.rt.block_on(rotate::rotate(&ctx.engine, &ctx.plan, profile, &opts, confirm, &progress))?;
    say(format!("Done: {}", report.summary()));
    Ok(0)
}

fn capitalised(text: &str) -> String {
    let mut c = text.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}
