//! `mfatui init [PROFILE]`: the core's `iam::init` steps, asked on the terminal.

use crate::aws::config::AwsEnv;
use crate::aws::engine::Plan;
use crate::aws::iam::init::{self, Next};
use crate::commands::iam::{ask_tty, has_tty};
use crate::commands::session;
use crate::prompters::Order;
use std::io::{BufRead, BufReader, Write};

/// A line typed on the controlling terminal after `prompt`; `None` without one.
fn read_tty_line(prompt: &str) -> Option<String> {
    let tty = std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty").ok()?;
    let mut out = &tty;
    let _ = write!(out, "{prompt}");
    let _ = out.flush();
    let mut line = String::new();
    BufReader::new(&tty).read_line(&mut line).ok()?;
    Some(line.trim().to_string())
}

/// The profile to set up: the one named, else the only IAM user profile without `mfa_serial`.
fn which(plan: &Plan, named: Option<&str>) -> anyhow::Result<String> {
    if let Some(n) = named {
        return Ok(n.to_string());
    }
    let without: Vec<&str> = plan.users.values().filter(|u| u.mfa_serial.is_none()).map(|u| u.name.as_str()).collect();
    match without.as_slice() {
        [one] => Ok(one.to_string()),
        [] if plan.users.is_empty() => anyhow::bail!(
            "no IAM user profile with access keys found: add the keys with `aws configure --profile NAME`, then run `mfatui init NAME`"
        ),
        [] => anyhow::bail!("every IAM user profile already has mfa_serial; `mfatui login PROFILE` signs one in"),
        many => anyhow::bail!(
            "several IAM user profiles have no mfa_serial ({}): name one, `mfatui init NAME`",
            many.join(", ")
        ),
    }
}

/// Exit 0 when `mfa_serial` was written, 1 when there was nothing to write or it was declined.
pub fn run(
    env: &AwsEnv,
    settings: crate::settings::Settings,
    named: Option<&str>,
    serial: Option<&str>,
    yes: bool,
) -> anyhow::Result<u8> {
    let (engine, plan) = session::ready(env, &settings, Order::TerminalFirst)?;
    crate::logging::init(&env.state_dir()?);
    let profile = which(&plan, named)?;
    let mut out = crate::display::stdout(false);
    let serial = match serial {
        Some(s) => {
            let Some(user) = plan.users.get(&profile) else {
                anyhow::bail!("{profile} is not an IAM user profile with access keys (mfatui list shows what it is)");
            };
            if let Some(serial) = &user.mfa_serial {
                return Err(init::InitError::AlreadySet { profile, serial: serial.clone() }.into());
            }
            init::check_serial(s)?
        }
        None => {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            let found = rt.block_on(init::discover(&engine, &plan, &profile))?;
            writeln!(out, "The keys of {profile} belong to IAM user {} ({}).", found.user, found.arn)?;
            match found.next() {
                Next::Write(s) => {
                    writeln!(out, "Its MFA device: {s} ({}).", crate::aws::iam::api::MfaKind::of(&s).describe())?;
                    s
                }
                Next::Pick(devices) => {
                    writeln!(out, "Its MFA devices:")?;
                    for (i, d) in devices.iter().enumerate() {
                        writeln!(out, "  {}. {} ({})", i + 1, d.serial, d.kind.describe())?;
                    }
                    out.flush()?;
                    let Some(answer) = read_tty_line(&format!("Which one (1-{})? ", devices.len())) else {
                        anyhow::bail!(
                            "no terminal to pick a device on: run `mfatui init {profile} --serial SERIAL` with one of them"
                        );
                    };
                    match answer.parse::<usize>().ok().and_then(|n| devices.get(n.wrapping_sub(1))) {
                        Some(d) => d.serial.clone(),
                        None => anyhow::bail!("`{answer}` is not one of 1-{}; nothing was written", devices.len()),
                    }
                }
                Next::AskSerial(text) => {
                    writeln!(out, "{text}.")?;
                    out.flush()?;
                    let Some(answer) = read_tty_line("MFA device ARN: ") else {
                        anyhow::bail!("no terminal to type the serial on: run `mfatui init {profile} --serial SERIAL`");
                    };
                    init::check_serial(&answer)?
                }
                Next::Explain(text) => {
                    writeln!(out, "{text}.")?;
                    return Ok(1);
                }
            }
        }
    };
    let config = engine.paths().config.display().to_string();
    let question = format!("Write mfa_serial = {serial} into profile {profile} of {config}?");
    out.flush()?;
    if !yes {
        if !has_tty() {
            anyhow::bail!("no terminal to confirm on: run `mfatui init {profile} --serial {serial} --yes`");
        }
        if !ask_tty(&question) {
            writeln!(out, "Nothing written.")?;
            return Ok(1);
        }
    }
    init::write_serial(engine.paths(), &profile, &serial)?;
    writeln!(out, "Wrote mfa_serial = {serial} into profile {profile} of {config}. Next: `mfatui login {profile}`.")?;
    Ok(0)
}
