//! `mfatui vault add | import | export`: long-term keys into the OS keychain and back, and the
//! report of where every user's secrets live (`doctor`, `list --json`).

use crate::aws::config::AwsEnv;
use crate::aws::engine::Plan;
use crate::aws::secret::{Keys, Secret};
use crate::aws::vault::moving::{self, From, Moved};
use crate::aws::vault::whereabouts::{self, Whereabouts};
use crate::aws::vault::{Vault, VaultMode};
use crate::commands::session;
use crate::prompters::Order;
use crate::settings::Settings;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};

/// Where aws-vault's items are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FromArg {
    /// `~/.aws/credentials` (or wherever the profile's keys are).
    Files,
    /// aws-vault's items in the keychain.
    AwsVault,
    /// aws-vault's encrypted file backend (~/.awsvault/keys, or AWS_VAULT_FILE_DIR); the
    /// passphrase from AWS_VAULT_FILE_PASSPHRASE or asked for.
    AwsVaultFile,
}

/// `list --json`'s and `doctor`'s view of the vault.
#[derive(Debug, Serialize)]
pub struct VaultReport {
    pub mode: &'static str,
    pub backend: &'static str,
    pub users: BTreeMap<String, Whereabouts>,
}

pub fn report(
    plan: &Plan,
    cfg: &crate::aws::config::LoadedConfig,
    settings: &Settings,
    store: &std::path::Path,
) -> VaultReport {
    let backend = Vault::keychain(crate::aws::vault::CHANNEL_TIMEOUT).backend_name();
    let users = plan
        .users
        .values()
        .map(|u| {
            let w = whereabouts::of(u, &cfg.sections, settings.vault, backend, settings.export, store, |k| {
                std::env::var(k).ok()
            });
            (u.name.clone(), w)
        })
        .collect();
    VaultReport { mode: settings.vault.as_str(), backend, users }
}

/// `doctor`'s lines about secrets: where each user's live, and what to do about a seed in the
/// environment or plain-file keys under `vault = keychain`.
pub fn doctor_lines(r: &VaultReport) -> Vec<String> {
    let mut out = vec![format!("Secrets (vault = {}):", r.mode)];
    let name = |u: &str| crate::display::clip(u, 60).into_owned();
    for (user, w) in &r.users {
        let user = &name(user);
        out.push(format!("  {user}: key in {}; sessions in {}", w.key, w.sessions));
        if let Some(seed) = &w.seed {
            out.push(format!("  {user}: TOTP seed in {seed}"));
        }
    }
    for (user, w) in &r.users {
        let user = &name(user);
        if let Some(warn) = &w.warning {
            out.push(format!("warning: {warn}"));
        }
        if r.mode == VaultMode::Keychain.as_str() && w.key.starts_with("file:") {
            out.push(format!(
                "warning: the long-term key of {user} is still in a plain file: `mfatui vault import {user}` moves it into the keychain"
            ));
        }
    }
    // Paths and names can be long: a line stays readable, the JSON keeps everything.
    out.into_iter().map(|l| crate::display::clip(&l, 390).into_owned()).collect()
}

fn say_moved(out: &mut impl Write, m: &Moved, verb: &str, backend: &str) -> std::io::Result<()> {
    let id = crate::aws::iam::api::KeyId::new(&m.key_id);
    match (&m.file, verb) {
        (Some(f), "exported") => {
            writeln!(out, "{}: key {id} written back to {}; removed from {backend}", m.profile, f.display())
        }
        (Some(f), _) => writeln!(out, "{}: key {id} moved from {} into {backend}", m.profile, f.display()),
        (None, _) => writeln!(out, "{}: key {id} stored in {backend}", m.profile),
    }?;
    match &m.seed {
        Some(moving::SeedMoved::File(f)) => {
            writeln!(out, "{}: TOTP seed moved from {} into {backend} (the file is removed)", m.profile, f.display())
        }
        Some(moving::SeedMoved::Env(var)) => writeln!(
            out,
            "{}: TOTP seed copied from {var} into {backend}: unset {var} (mfatui cannot) so it is read from there",
            m.profile
        ),
        None => Ok(()),
    }
}

fn interactive_vault() -> Vault {
    Vault::keychain(crate::aws::vault::INTERACTIVE_TIMEOUT)
}

/// `mfatui vault import [PROFILE…|--all] [--from …]`.
pub fn import(env: &AwsEnv, settings: &Settings, profiles: &[String], all: bool, from: FromArg) -> anyhow::Result<u8> {
    let (engine, plan) = session::ready(env, settings, Order::TerminalFirst)?;
    let names: Vec<String> = if all {
        plan.users
            .values()
            .filter(|u| match from {
                FromArg::Files => matches!(u.keys, crate::aws::engine::KeySource::Static(_)),
                _ => !matches!(u.keys, crate::aws::engine::KeySource::Vault),
            })
            .map(|u| u.name.clone())
            .collect()
    } else if profiles.is_empty() {
        anyhow::bail!("name the profiles to import, or --all for every IAM user with keys in your AWS files");
    } else {
        profiles.to_vec()
    };
    if names.is_empty() {
        println!("No IAM user profile has keys to import.");
        return Ok(0);
    }
    let passphrase = match from {
        FromArg::AwsVaultFile => Some(read_passphrase()?),
        _ => None,
    };
    let dir = crate::aws::vault::awsvault::file_dir(env.home.as_deref(), |k| std::env::var(k).ok());
    let source = match (from, &passphrase) {
        (FromArg::Files, _) => From::Files,
        (FromArg::AwsVault, _) => From::AwsVaultKeychain,
        (FromArg::AwsVaultFile, Some(p)) => From::AwsVaultFile {
            dir: dir
                .ok_or_else(|| anyhow::anyhow!("no HOME, so aws-vault's folder is unknown: set AWS_VAULT_FILE_DIR"))?,
            passphrase: p,
        },
        (FromArg::AwsVaultFile, None) => unreachable!("read above"),
    };
    let vault = interactive_vault();
    let program = session::program_path();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let mut out = std::io::stdout().lock();
    let mut failed = 0;
    for name in &names {
        let env_seed =
            std::env::var(crate::aws::mfa::seed_env_var(name)).ok().filter(|s| !s.is_empty()).map(Secret::new);
        match rt.block_on(moving::import(&engine, &plan, &vault, name, &program, &source, env_seed)) {
            Ok(m) => say_moved(&mut out, &m, "imported", vault.backend_name())?,
            Err(e) => {
                failed += 1;
                crate::display::warn_line(&format!("mfatui: {name}: {e}"));
            }
        }
    }
    if settings.vault == VaultMode::Files && failed < names.len() {
        writeln!(
            out,
            "Note: vault = files, so sessions are still kept unencrypted; set vault = keychain in {} to encrypt them with a key in the keychain.",
            Settings::path(None, env.home.as_deref()).map(|p| p.display().to_string()).unwrap_or("config.toml".into())
        )?;
    }
    Ok(if failed == 0 { 0 } else { 1 })
}

/// `mfatui vault export PROFILE`.
pub fn export(env: &AwsEnv, settings: &Settings, profile: &str) -> anyhow::Result<u8> {
    let (engine, _plan) = session::ready(env, settings, Order::TerminalFirst)?;
    let vault = interactive_vault();
    let m = moving::export(&engine, &vault, profile)?;
    say_moved(&mut std::io::stdout().lock(), &m, "exported", vault.backend_name())?;
    Ok(0)
}

/// `mfatui vault add PROFILE`: the key id and secret asked without echo, or two lines on stdin.
pub fn add(env: &AwsEnv, settings: &Settings, profile: &str) -> anyhow::Result<u8> {
    let (engine, plan) = session::ready(env, settings, Order::TerminalFirst)?;
    let (id, secret) = if std::io::stdin().is_terminal() {
        (read_hidden("Access key id: ", false)?, read_hidden("Secret access key (not shown): ", true)?)
    } else {
        let mut lines = std::io::stdin().lock().lines();
        let mut next = || lines.next().transpose().map(|l| l.unwrap_or_default().trim().to_string());
        (next()?, next()?)
    };
    if id.is_empty() || secret.is_empty() {
        anyhow::bail!("an access key id and a secret access key are needed (two lines on stdin, or typed when asked)");
    }
    let keys = Keys { access_key_id: id, secret_access_key: Secret::new(secret), session_token: None };
    let vault = interactive_vault();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let m = rt.block_on(moving::add(&engine, &plan, &vault, profile, &session::program_path(), keys))?;
    say_moved(&mut std::io::stdout().lock(), &m, "added", vault.backend_name())?;
    Ok(0)
}

fn read_passphrase() -> anyhow::Result<Secret> {
    if let Some(p) = std::env::var("AWS_VAULT_FILE_PASSPHRASE").ok().filter(|p| !p.is_empty()) {
        return Ok(Secret::new(p));
    }
    if !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "aws-vault's file backend needs its passphrase: set AWS_VAULT_FILE_PASSPHRASE or run this at a terminal"
        );
    }
    Ok(Secret::new(read_hidden("aws-vault file passphrase (not shown): ", true)?))
}

/// A line from the terminal, without echo when `hidden`.
fn read_hidden(prompt: &str, hidden: bool) -> anyhow::Result<String> {
    use std::os::fd::AsRawFd;
    eprint!("{prompt}");
    let fd = std::io::stdin().as_raw_fd();
    // SAFETY: termios is plain data; tcgetattr fills it for a terminal fd.
    let mut old: libc::termios = unsafe { std::mem::zeroed() };
    let got = hidden && unsafe { libc::tcgetattr(fd, &mut old) } == 0;
    if got {
        let mut quiet = old;
        quiet.c_lflag &= !libc::ECHO;
        // SAFETY: a valid termios for the same fd.
        unsafe { libc::tcsetattr(fd, libc::TCSANOW, &quiet) };
    }
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    if got {
        // SAFETY: restoring what tcgetattr returned.
        unsafe { libc::tcsetattr(fd, libc::TCSANOW, &old) };
        eprintln!();
    }
    read?;
    Ok(line.trim().to_string())
}
