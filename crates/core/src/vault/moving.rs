//! Moving a user's long-term keys into the vault and back, without re-typing them.
//!
//! Import: the key must work (GetCallerIdentity), the keychain item is written and read back,
//! the profile gets `credential_process = mfatui credential-process NAME` (harmless while the
//! key lines are still there: the SDKs prefer static keys), and only then are the two key lines
//! removed from the user's section; every other byte of the files stays. Export undoes it.

use super::awsvault::{self, AwsVaultError};
use super::{Vault, VaultError};
use crate::config::sections::{ConfigSet, FileKind};
use crate::config::wrapper::{self, WrapperError};
use crate::edit_settings::{remove_profile_settings, set_profile_setting};
use crate::engine::{Engine, KeySource, Plan, static_keys};
use crate::secret::{Keys, Secret};
use crate::userfile::{FileError, update_text};
use std::path::PathBuf;

const KEY_LINES: [&str; 2] = ["aws_access_key_id", "aws_secret_access_key"];

#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    #[error("{profile} is not an IAM user profile with access keys in your AWS files (`mfatui list` shows what it is)")]
    NotAUser { profile: String },
    #[error("the keys of {profile} are already in the vault")]
    AlreadyInVault { profile: String },
    #[error("the keys of {profile} come from its own credential_process, which mfatui cannot move; leave it as it is")]
    FromProcess { profile: String },
    #[error(
        "the keys of {profile} are not in the vault (its profile does not say `credential_process = mfatui credential-process {profile}`)"
    )]
    NotInVault { profile: String },
    #[error("the access key of {profile} does not work ({cause}); nothing was changed: fix or rotate the key first")]
    KeyDoesNotWork { profile: String, cause: String },
    #[error("aws-vault holds no long-term key for {profile} ({looked})")]
    NotInAwsVault { profile: String, looked: String },
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    AwsVault(#[from] AwsVaultError),
    #[error(transparent)]
    Wrapper(#[from] WrapperError),
    #[error("{0}; the key is safe in the vault: `mfatui vault export {1}` puts it back in the file")]
    File(FileError, String),
    #[error("cannot read your AWS files: {0}")]
    Config(String),
}

/// Where the keys of an import come from.
pub enum From<'a> {
    /// The user's AWS files (the key lines are removed afterwards).
    Files,
    /// aws-vault's items in the keychain.
    AwsVaultKeychain,
    /// aws-vault's file backend, opened with its passphrase.
    AwsVaultFile { dir: PathBuf, passphrase: &'a Secret },
}

#[derive(Debug)]
pub struct Moved {
    pub profile: String,
    /// The key id, for the user to recognise.
    pub key_id: String,
    /// Where the keys were taken from, or written to.
    pub file: Option<PathBuf>,
    /// The TOTP seed moved along, if there was one.
    pub seed: Option<SeedMoved>,
}

fn read_set(engine: &Engine) -> Result<ConfigSet, MoveError> {
    ConfigSet::read(engine.paths()).map_err(|e| MoveError::Config(e.to_string()))
}

/// Move `profile`'s long-term keys into `vault`.
pub async fn import(
    engine: &Engine,
    plan: &Plan,
    vault: &Vault,
    profile: &str,
    program: &str,
    from: &From<'_>,
    env_seed: Option<Secret>,
) -> Result<Moved, MoveError> {
    let not_user = || MoveError::NotAUser { profile: profile.into() };
    let user = plan.users.get(profile);
    match user.map(|u| &u.keys) {
        Some(KeySource::Vault) => return Err(MoveError::AlreadyInVault { profile: profile.into() }),
        Some(KeySource::Process(_)) if matches!(from, From::Files) => {
            return Err(MoveError::FromProcess { profile: profile.into() });
        }
        None if matches!(from, From::Files) => return Err(not_user()),
        _ => {}
    }
    let set = read_set(engine)?;
    let section = set.profiles.get(profile).ok_or_else(not_user)?;
    if section.get("role_arn").is_some() {
        return Err(not_user());
    }
    // A profile aws-vault held the keys of has none in the files, so the plan has no user for
    // it yet: its calls go where the SDKs would send them.
    let target = match user {
        Some(u) => engine.target(&u.target),
        None => engine.target(&fallback_target(Some(section))),
    };
    let (keys, holder) = match from {
        From::Files => {
            let keys = static_keys(section).ok_or_else(|| MoveError::NotAUser { profile: profile.into() })?;
            let holder = section.located("aws_secret_access_key").map(|l| l.at.path.to_path_buf());
            (keys, holder)
        }
        From::AwsVaultKeychain => {
            let k = awsvault::keychain_keys(vault.backend().as_ref(), profile)?.ok_or_else(|| {
                MoveError::NotInAwsVault {
                    profile: profile.into(),
                    looked: format!("searched {} for items with profile = {profile}", vault.backend_name()),
                }
            })?;
            (k, None)
        }
        From::AwsVaultFile { dir, passphrase } => {
            let not_found = || MoveError::NotInAwsVault {
                profile: profile.into(),
                looked: format!("no file for it in {}", dir.display()),
            };
            let path = awsvault::file_for(dir, profile).ok_or_else(not_found)?;
            (awsvault::file_keys(&path, profile, passphrase)?.ok_or_else(not_found)?, None)
        }
    };
    if let Some(cmd) =
        section.get("credential_process").filter(|c| wrapper::wrapped_profile(c).as_deref() != Some(profile))
    {
        return Err(MoveError::Config(format!(
            "profile {profile} already has credential_process = {}; remove it first",
            crate::sanitize::for_terminal(cmd)
        )));
    }
    let line = wrapper::command(program, profile)?;
    // The key must work before anything changes.
    crate::sts::get_caller_identity(&target, &keys)
        .await
        .map_err(|e| MoveError::KeyDoesNotWork { profile: profile.into(), cause: e.to_string() })?;
    let v = vault.clone();
    let (name, k) = (profile.to_string(), keys.clone());
    tokio::task::spawn_blocking(move || v.put_keys(&name, &k))
        .await
        .map_err(|e| MoveError::Config(format!("the keychain write stopped: {e}")))??;
    let file_err = |e: FileError| MoveError::File(e, profile.to_string());
    let config = engine.paths().config.clone();
    update_text(&config, |t| set_profile_setting(t, FileKind::Config, profile, "credential_process", &line))
        .map_err(file_err)?;
    if let Some(path) = &holder {
        let kind = if *path == engine.paths().credentials { FileKind::Credentials } else { FileKind::Config };
        update_text(path, |t| remove_profile_settings(t, kind, profile, &KEY_LINES)).map_err(file_err)?;
        scrub_backup(path, kind, profile, &keys).map_err(file_err)?;
    }
    let seed = move_seed(engine, vault, profile, section, env_seed)?;
    Ok(Moved { profile: profile.into(), key_id: keys.access_key_id, file: holder, seed })
}

/// What became of a user's TOTP seed in an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeedMoved {
    /// From `mfa_totp_seed_file`: stored, the setting replaced by `mfa_totp_seed = keychain`,
    /// the file removed.
    File(PathBuf),
    /// From the environment: stored and the profile switched; the variable is the user's to unset.
    Env(String),
}

/// Move the seed the user's profile names (a seed file) or the environment holds into the vault.
fn move_seed(
    engine: &Engine,
    vault: &Vault,
    profile: &str,
    section: &crate::config::sections::Section,
    env_seed: Option<Secret>,
) -> Result<Option<SeedMoved>, MoveError> {
    let var = crate::mfa::seed_env_var(profile);
    let (seed, from) = match (env_seed, section.get("mfa_totp_seed_file")) {
        (Some(s), _) => (s, SeedMoved::Env(var)),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| MoveError::Config(format!("cannot read the TOTP seed file {path} of {profile}: {e}")))?;
            (Secret::new(text.trim()), SeedMoved::File(PathBuf::from(path)))
        }
        (None, None) => return Ok(None),
    };
    crate::totp::Totp::from_base32(&seed).map_err(|e| {
        MoveError::Config(format!("the TOTP seed of {profile} is not usable ({e}); it was left where it is"))
    })?;
    vault.put_seed(profile, &seed)?;
    let file_err = |e: FileError| MoveError::File(e, profile.to_string());
    let at =
        section.located("mfa_totp_seed_file").map(|l| l.at.path.to_path_buf()).unwrap_or(engine.paths().config.clone());
    let kind = if at == engine.paths().credentials { FileKind::Credentials } else { FileKind::Config };
    let (key, value) = crate::mfa::SEED_IN_VAULT;
    update_text(&at, |t| {
        let t = remove_profile_settings(t, kind, profile, &["mfa_totp_seed_file"])?;
        set_profile_setting(&t, kind, profile, key, value)
    })
    .map_err(file_err)?;
    if let SeedMoved::File(path) = &from {
        std::fs::remove_file(path).map_err(|e| {
            MoveError::Config(format!(
                "the seed is in the keychain, but its file {} could not be removed: {e}",
                path.display()
            ))
        })?;
    }
    Ok(Some(from))
}

/// The first copy mfatui keeps of a file it changes (`userfile`'s backup) still holds the key
/// lines just moved: take them out of it too, so the secret is in no plain file.
fn scrub_backup(path: &std::path::Path, kind: FileKind, profile: &str, keys: &Keys) -> Result<(), FileError> {
    let backup =
        PathBuf::from(format!("{}{}", crate::userfile::real_target(path).display(), crate::userfile::BACKUP_SUFFIX));
    let Ok(text) = std::fs::read_to_string(&backup) else { return Ok(()) };
    if !text.contains(keys.secret_access_key.expose()) {
        return Ok(());
    }
    let clean =
        remove_profile_settings(&text, kind, profile, &KEY_LINES).map_err(|e| FileError::Edit(e.to_string()))?;
    crate::userfile::write_atomic(&backup, clean.as_bytes())
}

/// Where STS is for a profile outside the plan: its region and the endpoint variables the SDKs
/// read (the plan's own rule covers planned users).
fn fallback_target(section: Option<&crate::config::sections::Section>) -> crate::sts::Target {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let endpoint = var("AWS_ENDPOINT_URL_STS").or_else(|| var("AWS_ENDPOINT_URL"));
    crate::sts::Target {
        region: section.and_then(|s| s.get("region")).unwrap_or("us-east-1").to_string(),
        iam_endpoint: endpoint.clone(),
        endpoint,
        ..Default::default()
    }
}

/// Store typed keys for `profile` in the vault (after checking they work) and point its
/// profile at mfatui.
pub async fn add(
    engine: &Engine,
    plan: &Plan,
    vault: &Vault,
    profile: &str,
    program: &str,
    keys: Keys,
) -> Result<Moved, MoveError> {
    let set = read_set(engine)?;
    if let Some(section) = set.profiles.get(profile) {
        if static_keys(section).is_some() {
            return Err(MoveError::Config(format!(
                "profile {profile} has keys in your AWS files: move them with `mfatui vault import {profile}`"
            )));
        }
        if section.get("role_arn").is_some() {
            return Err(MoveError::NotAUser { profile: profile.into() });
        }
    }
    let target = match plan.users.get(profile) {
        Some(u) => engine.target(&u.target),
        None => engine.target(&fallback_target(set.profiles.get(profile))),
    };
    crate::sts::get_caller_identity(&target, &keys)
        .await
        .map_err(|e| MoveError::KeyDoesNotWork { profile: profile.into(), cause: e.to_string() })?;
    let line = wrapper::command(program, profile)?;
    let v = vault.clone();
    let (name, k) = (profile.to_string(), keys.clone());
    tokio::task::spawn_blocking(move || v.put_keys(&name, &k))
        .await
        .map_err(|e| MoveError::Config(format!("the keychain write stopped: {e}")))??;
    let config = engine.paths().config.clone();
    update_text(&config, |t| set_profile_setting(t, FileKind::Config, profile, "credential_process", &line))
        .map_err(|e| MoveError::File(e, profile.to_string()))?;
    Ok(Moved { profile: profile.into(), key_id: keys.access_key_id, file: None, seed: None })
}

/// Write `profile`'s keys back into the credentials file, drop mfatui's credential_process line
/// and the keychain item.
pub fn export(engine: &Engine, vault: &Vault, profile: &str) -> Result<Moved, MoveError> {
    let set = read_set(engine)?;
    let section = set.profiles.get(profile).ok_or_else(|| MoveError::NotAUser { profile: profile.into() })?;
    if !crate::engine::keys_in_vault(profile, section) {
        return Err(MoveError::NotInVault { profile: profile.into() });
    }
    let keys = vault.keys(profile)?;
    let creds = engine.paths().credentials.clone();
    let file_err = |e: FileError| MoveError::File(e, profile.to_string());
    update_text(&creds, |t| {
        let t = set_profile_setting(t, FileKind::Credentials, profile, "aws_access_key_id", &keys.access_key_id)?;
        set_profile_setting(
            &t,
            FileKind::Credentials,
            profile,
            "aws_secret_access_key",
            keys.secret_access_key.expose(),
        )
    })
    .map_err(file_err)?;
    let at =
        section.located("credential_process").map(|l| l.at.path.to_path_buf()).unwrap_or(engine.paths().config.clone());
    let kind = if at == engine.paths().credentials { FileKind::Credentials } else { FileKind::Config };
    update_text(&at, |t| remove_profile_settings(t, kind, profile, &["credential_process"])).map_err(file_err)?;
    vault.remove_keys(profile)?;
    Ok(Moved { profile: profile.into(), key_id: keys.access_key_id, file: Some(creds), seed: None })
}
