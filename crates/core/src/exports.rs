//! Where sessions go so every tool can use them unchanged. Two modes:
//!
//! - `credentials` (the default): sections named `<profile><suffix>` (default `-mfa`:
//!   `dev-admin` → `[dev-admin-mfa]`) in the shared credentials file, holding the temporary keys.
//! - `process`: `[profile <profile><suffix>]` sections in the config file whose
//!   `credential_process` runs `mfatui credential-process <profile>`; no temporary secret is
//!   written to any AWS file, and a session renews itself when a client asks.
//!
//! A profile may choose its own name with `mfatui_export_as = NAME` (people moving from a script
//! that wrote `[stage]` keep that name). Every section starts with mfatui's marker comment. A
//! name that already belongs to the user (a section without the marker, in either file) is never
//! written: that profile gets a collision error.

use super::clock::rfc3339;
use super::config::parser::is_identifier;
use super::config::{ConfigSet, FileKind};
use super::edit::{managed_profiles, remove_section, upsert_section};
use super::sts::Keys;
use super::userfile::{FileError, update_text};
use std::collections::BTreeSet;
use std::path::Path;

pub const DEFAULT_SUFFIX: &str = "-mfa";
/// The profile setting that names a profile's managed section explicitly.
pub const EXPORT_AS_KEY: &str = "mfatui_export_as";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportMode {
    /// Temporary keys in sections of the credentials file.
    #[default]
    Credentials,
    /// `credential_process` profiles in the config file; no secrets in the AWS files.
    Process,
}

impl ExportMode {
    /// The AWS file this mode's sections live in.
    pub fn file_kind(self) -> FileKind {
        match self {
            Self::Credentials => FileKind::Credentials,
            Self::Process => FileKind::Config,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Credentials => "credentials",
            Self::Process => "process",
        }
    }
}

pub fn managed_name(profile: &str, suffix: &str) -> String {
    format!("{profile}{suffix}")
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    #[error(
        "a profile named `{name}` already exists in your AWS files and is not mfatui's, so mfatui will not overwrite it; rename that profile, or give [profile {profile}] another name with `{EXPORT_AS_KEY} = NAME`"
    )]
    Collision { name: String, profile: String },
    #[error(
        "profiles {first} and {second} would both be exported as `{name}`: give one of them `{EXPORT_AS_KEY} = NAME`"
    )]
    Duplicate { name: String, first: String, second: String },
    #[error(
        "`{EXPORT_AS_KEY} = {name}` in [profile {profile}] is not a valid profile name (letters, digits and _-/.%@:+ only)"
    )]
    InvalidName { name: String, profile: String },
}

/// The managed name for `profile`, unless it would overwrite something of the user's.
pub fn target_name(set: &ConfigSet, profile: &str, suffix: &str) -> Result<String, ExportError> {
    let chosen = set.profiles.get(profile).and_then(|s| s.get(EXPORT_AS_KEY));
    let name = match chosen {
        Some(n) if !is_identifier(n) => {
            return Err(ExportError::InvalidName { name: n.into(), profile: profile.into() });
        }
        Some(n) => n.to_string(),
        None => managed_name(profile, suffix),
    };
    if set.profiles.contains_key(&name) && !set.managed.contains(&name) {
        return Err(ExportError::Collision { name, profile: profile.into() });
    }
    Ok(name)
}

/// What one managed section holds.
#[derive(Debug, Clone)]
pub enum Body {
    /// Temporary keys (credentials mode).
    Keys { keys: Keys, expiration: i64 },
    /// A `credential_process` line (process mode).
    Process { command: String },
}

/// A managed section to write: its name, the profile it serves, and its content.
#[derive(Debug, Clone)]
pub struct ManagedSection {
    pub name: String,
    pub profile: String,
    pub region: Option<String>,
    pub body: Body,
}

fn pairs(s: &ManagedSection) -> Vec<(&str, String)> {
    let mut p = Vec::new();
    match &s.body {
        Body::Keys { keys, expiration } => {
            p.push(("aws_access_key_id", keys.access_key_id.clone()));
            p.push(("aws_secret_access_key", keys.secret_access_key.expose().to_string()));
            if let Some(t) = &keys.session_token {
                p.push(("aws_session_token", t.expose().to_string()));
            }
            if let Some(r) = &s.region {
                p.push(("region", r.clone()));
            }
            p.push(("mfatui_expiration", rfc3339(*expiration)));
        }
        Body::Process { command } => {
            p.push(("credential_process", command.clone()));
            if let Some(r) = &s.region {
                p.push(("region", r.clone()));
            }
        }
    }
    p
}

/// ManagedSection headers as each file spells them.
fn header(mode: ExportMode, name: &str) -> String {
    match mode {
        ExportMode::Credentials => name.to_string(),
        ExportMode::Process => format!("profile {name}"),
    }
}

/// Make one file hold exactly these managed sections of its mode: write `sections`, remove the
/// managed sections named in `remove` (only ones carrying the marker; never the user's).
pub fn apply(
    path: &Path,
    mode: ExportMode,
    sections: &[ManagedSection],
    remove: &BTreeSet<String>,
) -> Result<bool, FileError> {
    apply_with(path, mode, || sections.to_vec(), remove).map(|(changed, _)| changed)
}

/// Like `apply`, with the sections computed under the file's lock (from a fresh store read), so
/// the last writer always writes the newest sessions. Also says which profiles it wrote.
pub fn apply_with(
    path: &Path,
    mode: ExportMode,
    sections: impl Fn() -> Vec<ManagedSection>,
    remove: &BTreeSet<String>,
) -> Result<(bool, BTreeSet<String>), FileError> {
    let written = std::cell::RefCell::new(BTreeSet::new());
    let outcome = update_text(path, |text| {
        let present = present(text, mode);
        let mut out = text.to_string();
        for name in remove.intersection(&present) {
            out = remove_section(&out, &header(mode, name));
        }
        let sections = sections();
        *written.borrow_mut() = sections.iter().map(|s| s.profile.clone()).collect();
        for s in sections {
            let p = pairs(&s);
            let refs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
            out = upsert_section(&out, &header(mode, &s.name), &refs)?;
        }
        Ok::<_, super::edit::EditError>(out)
    })?;
    Ok((outcome == super::userfile::FileChange::Written, written.into_inner()))
}

/// The managed sections present in a file of this mode (names as profiles).
pub fn present(text: &str, mode: ExportMode) -> BTreeSet<String> {
    managed_profiles(text, mode.file_kind()).collect()
}

/// A managed section nobody wants any more: its profile left the config (`profiles`: the user's
/// own, not mfatui's), or it was written under another suffix or name. A section whose profile
/// still exists under the current suffix is kept even when that profile is broken for now, so a
/// typo does not pull it from other tools.
pub fn is_stale(profiles: &BTreeSet<String>, name: &str, wanted: &BTreeSet<String>, suffix: &str) -> bool {
    if wanted.contains(name) {
        return false;
    }
    match name.strip_suffix(suffix) {
        Some(base) => !profiles.contains(base),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FileKind;
    use crate::secret::Secret;
    use std::os::unix::fs::PermissionsExt;

    fn keys(id: &str) -> Body {
        Body::Keys {
            keys: Keys {
                access_key_id: id.into(),
                secret_access_key: Secret::new("SECRET"),
                session_token: Some(Secret::new("TOKEN")),
            },
            expiration: 1_900_000_000,
        }
    }

    fn set(dir: &Path) -> ConfigSet {
        let mut s = ConfigSet::default();
        let cfg = std::fs::read_to_string(dir.join("config")).unwrap_or_default();
        let cred = std::fs::read_to_string(dir.join("credentials")).unwrap_or_default();
        s.merge_file(FileKind::Config, &dir.join("config"), &cfg);
        s.merge_file(FileKind::Credentials, &dir.join("credentials"), &cred);
        s
    }

    #[test]
    fn writes_managed_sections_refuses_collisions_and_prunes_stale_ones() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config"), "[profile dev]\nrole_arn = arn:aws:iam::111111111111:role/d\nsource_profile = u\n[profile ops]\n[profile ops-mfa]\nregion = x\n[profile st]\nmfatui_export_as = stage\n[profile bad]\nmfatui_export_as = a b\n").unwrap();
        std::fs::write(
            dir.path().join("credentials"),
            "# mine\n[u]\naws_access_key_id = A\naws_secret_access_key = B\n",
        )
        .unwrap();
        let path = dir.path().join("credentials");
        let s = set(dir.path());
        assert_eq!(target_name(&s, "dev", "-mfa"), Ok("dev-mfa".into()));
        assert!(
            matches!(target_name(&s, "ops", "-mfa"), Err(ExportError::Collision { name, .. }) if name == "ops-mfa")
        );
        assert_eq!(target_name(&s, "st", "-mfa"), Ok("stage".into()));
        assert!(matches!(target_name(&s, "bad", "-mfa"), Err(ExportError::InvalidName { .. })));
        let dev = ManagedSection {
            name: "dev-mfa".into(),
            profile: "dev".into(),
            region: Some("eu-west-1".into()),
            body: keys("ASIA1"),
        };
        assert!(apply(&path, ExportMode::Credentials, &[dev], &BTreeSet::new()).unwrap());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(
            "# mine\n[u]\naws_access_key_id = A\naws_secret_access_key = B\n\n[dev-mfa]\n# Managed by mfatui"
        ));
        assert!(
            text.contains("aws_session_token = TOKEN\nregion = eu-west-1\nmfatui_expiration = 2030-03-17T17:46:40Z\n")
        );
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let s = set(dir.path());
        assert!(s.managed.contains("dev-mfa"));
        let wanted = BTreeSet::from(["dev-mfa".to_string()]);
        let users = |s: &ConfigSet| s.profiles.keys().filter(|n| !s.managed.contains(*n)).cloned().collect();
        assert!(!is_stale(&users(&s), "dev-mfa", &wanted, "-mfa"));
        // `dev` leaves the config: its section is stale and goes; the user's [u] never does.
        std::fs::write(dir.path().join("config"), "[profile ops]\n").unwrap();
        let s = set(dir.path());
        assert!(is_stale(&users(&s), "dev-mfa", &BTreeSet::new(), "-mfa"));
        let gone = BTreeSet::from(["dev-mfa".to_string(), "u".to_string()]);
        apply(&path, ExportMode::Credentials, &[], &gone).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "# mine\n[u]\naws_access_key_id = A\naws_secret_access_key = B\n"
        );
    }

    #[test]
    fn process_mode_writes_config_profiles_without_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        std::fs::write(&config, "[profile dev]\nregion = eu-west-1\n").unwrap();
        let s = ManagedSection {
            name: "dev-mfa".into(),
            profile: "dev".into(),
            region: Some("eu-west-1".into()),
            body: Body::Process { command: "/usr/bin/mfatui credential-process dev".into() },
        };
        apply(&config, ExportMode::Process, &[s], &BTreeSet::new()).unwrap();
        let text = std::fs::read_to_string(&config).unwrap();
        assert!(text.ends_with("[profile dev-mfa]\n# Managed by mfatui: rewritten automatically; edits to this section are lost.\ncredential_process = /usr/bin/mfatui credential-process dev\nregion = eu-west-1\n"), "{text}");
        assert_eq!(present(&text, ExportMode::Process), BTreeSet::from(["dev-mfa".to_string()]));
        let cs = set(dir.path());
        assert!(cs.managed.contains("dev-mfa"), "config-file sections with the marker are mfatui's");
        apply(&config, ExportMode::Process, &[], &BTreeSet::from(["dev-mfa".to_string()])).unwrap();
        assert_eq!(std::fs::read_to_string(&config).unwrap(), "[profile dev]\nregion = eu-west-1\n");
    }
}
