//! `mfatui adopt`: make the user's own role profiles answer every SDK through mfatui, under
//! their original names. A role profile's section gets `credential_process = mfatui
//! credential-process NAME` and its role settings move to mfatui's own keys in the same section
//! (`config::wrapper::MOVED_KEYS`), which every SDK ignores and mfatui reads back as the role
//! (`Section::get`). `undo` puts the section's bytes back. Only those sections change, through
//! the lossless writer (lock, backup, atomic swap that keeps concurrent edits).
//!
//! What is refused, and why (the words are the user's, from `AdoptError`): a role with static
//! keys under the same name (they win over the process in botocore and the JavaScript SDK), a
//! name `wrapper::command` refuses, a profile mfatui cannot sign in, role settings in the
//! credentials file, and sections undo could not give back exactly.

mod text;

pub use text::{adopt_text, section_text, undo_text};

use crate::config::LoadedConfig;
use crate::config::wrapper::{self, MOVED_KEYS, WrapperError};
use crate::engine::Plan;
use crate::userfile::{FileChange, FileError, update_text, write_atomic};
use std::path::PathBuf;

/// What other tools stop seeing while a profile is adopted.
pub const OTHER_TOOLS: &str = "While adopted, tools that read role_arn themselves (Granted, awsume, IDE toolkits such as the AWS Toolkit) no longer see these profiles as roles; `mfatui adopt --undo` gives the sections back.";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdoptError {
    #[error("{0}")]
    Name(#[from] WrapperError),
    #[error("{profile} is not a role mfatui signs in, so it cannot answer for it: {why}")]
    NotSignable { profile: String, why: String },
    #[error(
        "{0} is an IAM user, not a role: `mfatui adopt` is for role profiles (use `mfatui exec` or `mfatui serve` for a user's session)"
    )]
    User(String),
    #[error("{profile} already answers through mfatui: its credential_process is `mfatui credential-process {target}`")]
    Alias { profile: String, target: String },
    #[error("{0} is adopted already")]
    Already(String),
    #[error(
        "{profile} also has aws_access_key_id and aws_secret_access_key in {file}: botocore and the JavaScript SDK would use those keys before any credential_process, so adopting would change nothing for them; remove the keys or keep the profile as it is"
    )]
    StaticKeys { profile: String, file: String },
    #[error(
        "the role settings of {profile} are in {file}, the credentials file; mfatui adopts role profiles of the config file: move them to [profile {profile}] there"
    )]
    InCredentials { profile: String, file: String },
    #[error(
        "{profile} already has `{key}`, so undoing the adoption could not give back its exact bytes; remove it first"
    )]
    Occupied { profile: String, key: String },
    #[error("{profile} writes `{key}` with capitals; write it in lower case so mfatui can move it and back")]
    Spelling { profile: String, key: String },
    #[error("{0} has no role settings in the config file")]
    NoRoleKeys(String),
    #[error(
        "{0} is not adopted: its section has no `credential_process = mfatui credential-process {0}` with mfatui_ role settings"
    )]
    NotAdopted(String),
    #[error("{0}")]
    File(String),
}

impl From<FileError> for AdoptError {
    fn from(e: FileError) -> Self {
        Self::File(e.to_string())
    }
}

/// One section's change, shown before it is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub profile: String,
    pub before: String,
    pub after: String,
}

/// Changes to one file, checked and ready to write.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub path: PathBuf,
    pub changes: Vec<Change>,
    /// The `credential_process` line of each profile (none for an undo).
    lines: Vec<(String, Option<String>)>,
}

/// Why `profile` cannot be adopted, or nothing.
fn check(cfg: &LoadedConfig, plan: &Plan, profile: &str) -> Result<(), AdoptError> {
    if let Some(target) = plan.aliases.get(profile) {
        return Err(AdoptError::Alias { profile: profile.into(), target: target.clone() });
    }
    let section = cfg.sections.profiles.get(profile);
    if section.is_some_and(|s| s.is_adopted()) {
        return Err(AdoptError::Already(profile.into()));
    }
    if plan.role(profile).is_none() {
        if plan.users.contains_key(profile) {
            return Err(AdoptError::User(profile.into()));
        }
        let why = plan.resolve(profile).err().map_or_else(|| "it is not a role".into(), |e| e.to_string());
        return Err(AdoptError::NotSignable { profile: profile.into(), why });
    }
    let Some(section) = section else { return Err(AdoptError::NoRoleKeys(profile.into())) };
    if let Some(k) = section.located("aws_access_key_id").filter(|_| section.get("aws_secret_access_key").is_some()) {
        return Err(AdoptError::StaticKeys { profile: profile.into(), file: k.at.path.display().to_string() });
    }
    for (key, _) in MOVED_KEYS {
        if let Some(l) = section.located(key).filter(|l| *l.at.path == *cfg.paths.credentials) {
            return Err(AdoptError::InCredentials { profile: profile.into(), file: l.at.path.display().to_string() });
        }
    }
    Ok(())
}

/// Check `profiles` and work out each section's change; `program` is what the line runs.
/// Nothing is written.
pub fn prepare(cfg: &LoadedConfig, plan: &Plan, profiles: &[String], program: &str) -> Result<Prepared, AdoptError> {
    let text = crate::config::read_text(&cfg.paths.config).map_err(|e| AdoptError::File(e.to_string()))?;
    let mut text = text.unwrap_or_default();
    let mut changes = Vec::new();
    let mut lines = Vec::new();
    for profile in profiles {
        check(cfg, plan, profile)?;
        let line = wrapper::command(program, profile)?;
        let after = adopt_text(&text, profile, &line)?;
        changes.push(Change {
            profile: profile.clone(),
            before: section_text(&text, profile),
            after: section_text(&after, profile),
        });
        lines.push((profile.clone(), Some(line)));
        text = after;
    }
    Ok(Prepared { path: cfg.paths.config.clone(), changes, lines })
}

/// The undo of `profiles`, or of every adopted profile when none is named.
pub fn prepare_undo(cfg: &LoadedConfig, profiles: &[String]) -> Result<Prepared, AdoptError> {
    let text = crate::config::read_text(&cfg.paths.config).map_err(|e| AdoptError::File(e.to_string()))?;
    let mut text = text.unwrap_or_default();
    let names: Vec<String> = if profiles.is_empty() {
        cfg.sections.profiles.values().filter(|s| s.is_adopted()).map(|s| s.name.clone()).collect()
    } else {
        profiles.to_vec()
    };
    let mut changes = Vec::new();
    for profile in &names {
        let after = undo_text(&text, profile)?;
        changes.push(Change {
            profile: profile.clone(),
            before: section_text(&text, profile),
            after: section_text(&after, profile),
        });
        text = after;
    }
    let lines = names.into_iter().map(|n| (n, None)).collect();
    Ok(Prepared { path: cfg.paths.config.clone(), changes, lines })
}

impl Prepared {
    /// Write the changes, redone on the file as it is then (edits made meanwhile elsewhere in
    /// it are kept; a section changed so that it no longer can be is refused). The first write
    /// keeps a copy of the file beside it (`backup_path`).
    /// Where `write` keeps the file as it was just before.
    pub fn backup_path(&self) -> PathBuf {
        PathBuf::from(format!("{}.mfatui-adopt-backup", crate::userfile::real_target(&self.path).display()))
    }

    pub fn write(&self) -> Result<FileChange, AdoptError> {
        if self.changes.is_empty() {
            return Ok(FileChange::Unchanged);
        }
        // This operation's own copy of the file as it was (the writer's `.mfatui-backup` is
        // the one from mfatui's first change ever, which may be older).
        let backup = self.backup_path();
        if let Some(text) = crate::config::read_text(&self.path).map_err(|e| AdoptError::File(e.to_string()))? {
            write_atomic(&backup, text.as_bytes())?;
        }
        let result = update_text(&self.path, |text| {
            let mut text = text.to_string();
            for (profile, line) in &self.lines {
                text = match line {
                    Some(line) => adopt_text(&text, profile, line)?,
                    None => undo_text(&text, profile)?,
                };
            }
            Ok::<_, AdoptError>(text)
        });
        Ok(result?)
    }
}
