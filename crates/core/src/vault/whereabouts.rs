//! Where a user's secrets live, said the same way by `doctor` and `list --json`.

use super::VaultMode;
use crate::config::sections::ConfigSet;
use crate::engine::{KeySource, UserPlan};
use crate::exports::ExportMode;
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Whereabouts {
    /// The long-term access key.
    pub key: String,
    /// The TOTP seed, when there is one.
    pub seed: Option<String>,
    /// The temporary credentials mfatui obtains.
    pub sessions: String,
    /// Something the user should know (a seed in the environment mfatui cannot remove).
    pub warning: Option<String>,
}

/// Where `user`'s key, seed and sessions are, given the settings in force.
pub fn of(
    user: &UserPlan,
    set: &ConfigSet,
    vault: VaultMode,
    keychain: &str,
    export: ExportMode,
    store: &Path,
    env: impl Fn(&str) -> Option<String>,
) -> Whereabouts {
    let section = set.profiles.get(&user.name);
    let key = match &user.keys {
        KeySource::Vault => format!("keychain: {keychain}"),
        KeySource::Process(cmd) => format!("credential_process: {}", crate::sanitize::for_terminal(cmd)),
        KeySource::External(source) => format!("the AWS CLI's cache (renewed by `{}`)", source.renew_command()),
        KeySource::Static(_) => {
            let file =
                section.and_then(|s| s.located("aws_secret_access_key")).map(|l| l.at.path.display().to_string());
            format!("file: {}", file.unwrap_or_else(|| "your AWS files".into()))
        }
    };
    let var = crate::mfa::seed_env_var(&user.name);
    let (seed, warning) = if env(&var).is_some_and(|v| !v.is_empty()) {
        (
            Some(format!("environment: {var}")),
            Some(format!(
                "the TOTP seed of {} is in the environment variable {var}, which mfatui cannot remove: move it into a file (mfa_totp_seed_file) or the keychain and unset it",
                user.name
            )),
        )
    } else if section.and_then(|s| s.get(crate::mfa::SEED_IN_VAULT.0)) == Some(crate::mfa::SEED_IN_VAULT.1) {
        (Some(format!("keychain: {keychain}")), None)
    } else if let Some(path) = section.and_then(|s| s.get("mfa_totp_seed_file")) {
        (Some(format!("file: {}", crate::sanitize::for_terminal(path))), None)
    } else {
        (None, None)
    };
    let mut sessions = match vault {
        VaultMode::Keychain => format!("file: {} (encrypted, its key in {keychain})", store.display()),
        VaultMode::Files => format!("file: {} (0600, not encrypted)", store.display()),
    };
    if export == ExportMode::Credentials && user.managed.is_ok() {
        sessions.push_str("; temporary keys also in the AWS credentials file (export = credentials)");
    }
    Whereabouts { key, seed, sessions, warning }
}
