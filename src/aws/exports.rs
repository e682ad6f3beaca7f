//! Where sessions go so every tool can use them unchanged: sections named
//! `<profile><suffix>` (default suffix `-mfa`: `dev-admin` → `[dev-admin-mfa]`) in the shared
//! credentials file, each starting with mfatui's marker comment. The AWS CLI, boto3, Terraform
//! and the SDKs read them as ordinary profiles: `aws --profile dev-admin-mfa …`.
//!
//! A name that already belongs to the user (a profile without the marker, in either file) is
//! never written: that profile gets a collision error and the user picks another suffix.

use super::config::ConfigSet;
use super::edit::{remove_section, upsert_section};
use super::store::rfc3339;
use super::sts::TempCredentials;
use super::userfile::{FileError, Outcome, update_text};
use std::collections::BTreeSet;
use std::path::Path;

pub const DEFAULT_SUFFIX: &str = "-mfa";

pub fn managed_name(profile: &str, suffix: &str) -> String {
    format!("{profile}{suffix}")
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    #[error(
        "a profile named `{name}` already exists in your AWS files and is not mfatui's, so mfatui will not overwrite it; choose another suffix (--suffix) or rename that profile"
    )]
    Collision { name: String },
}

pub struct Export<'a> {
    pub profile: &'a str,
    pub creds: &'a TempCredentials,
    pub region: Option<&'a str>,
}

/// The managed name for `profile`, unless it would overwrite something of the user's.
pub fn target_name(set: &ConfigSet, profile: &str, suffix: &str) -> Result<String, ExportError> {
    let name = managed_name(profile, suffix);
    if set.profiles.contains_key(&name) && !set.managed.contains(&name) {
        return Err(ExportError::Collision { name });
    }
    Ok(name)
}

fn pairs<'a>(e: &'a Export<'a>, expiration: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut p = vec![
        ("aws_access_key_id", e.creds.keys.access_key_id.as_str()),
        ("aws_secret_access_key", e.creds.keys.secret_access_key.expose()),
    ];
    if let Some(t) = &e.creds.keys.session_token {
        p.push(("aws_session_token", t.expose()));
    }
    if let Some(r) = e.region {
        p.push(("region", r));
    }
    p.push(("mfatui_expiration", expiration));
    p
}

/// Write every export, under its managed name, in one locked, atomic update.
pub fn write(credentials: &Path, exports: &[(&str, Export)]) -> Result<Outcome, FileError> {
    update_text(credentials, |text| {
        let mut out = text.to_string();
        for (name, e) in exports {
            let expiration = rfc3339(e.creds.expiration);
            out = upsert_section(&out, name, &pairs(e, &expiration))?;
        }
        Ok::<_, super::edit::EditError>(out)
    })
}

/// Remove these managed sections (only ones carrying mfatui's marker).
pub fn remove(credentials: &Path, names: &BTreeSet<String>) -> Result<Outcome, FileError> {
    update_text(credentials, |text| {
        let managed: BTreeSet<String> = super::edit::managed_sections(text).into_iter().collect();
        let mut out = text.to_string();
        for name in names.intersection(&managed) {
            out = remove_section(&out, name);
        }
        Ok::<_, std::convert::Infallible>(out)
    })
}

/// Managed sections whose profile is gone from the config (renamed, deleted), so nothing
/// stale is left for tools to pick up.
pub fn stale(set: &ConfigSet, suffix: &str) -> BTreeSet<String> {
    set.managed
        .iter()
        .filter(|name| match name.strip_suffix(suffix) {
            Some(base) => !set.profiles.contains_key(base) || set.managed.contains(base),
            None => true,
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::config::FileKind;
    use crate::aws::secret::Secret;
    use crate::aws::sts::Keys;
    use std::os::unix::fs::PermissionsExt;

    fn creds(id: &str) -> TempCredentials {
        TempCredentials {
            keys: Keys {
                access_key_id: id.into(),
                secret_access_key: Secret::new("SECRET"),
                session_token: Some(Secret::new("TOKEN")),
            },
            expiration: 1_900_000_000,
            assumed_arn: None,
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
        std::fs::write(dir.path().join("config"), "[profile dev]\nrole_arn = arn:aws:iam::111111111111:role/d\nsource_profile = u\n[profile ops]\n[profile ops-mfa]\nregion = x\n").unwrap();
        std::fs::write(
            dir.path().join("credentials"),
            "# mine\n[u]\naws_access_key_id = A\naws_secret_access_key = B\n",
        )
        .unwrap();
        let path = dir.path().join("credentials");
        let a = creds("ASIA1");
        let s = set(dir.path());
        assert_eq!(target_name(&s, "dev", "-mfa"), Ok("dev-mfa".into()));
        assert!(matches!(target_name(&s, "ops", "-mfa"), Err(ExportError::Collision { name }) if name == "ops-mfa"));
        write(&path, &[("dev-mfa", Export { profile: "dev", creds: &a, region: Some("eu-west-1") })]).unwrap();
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
        assert!(stale(&s, "-mfa").is_empty());
        // `dev` leaves the config: its section is stale and goes.
        std::fs::write(dir.path().join("config"), "[profile ops]\n").unwrap();
        let gone = stale(&set(dir.path()), "-mfa");
        assert_eq!(gone, BTreeSet::from(["dev-mfa".to_string()]));
        remove(&path, &gone).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "# mine\n[u]\naws_access_key_id = A\naws_secret_access_key = B\n"
        );
        // Removing never touches a section without the marker.
        remove(&path, &BTreeSet::from(["u".to_string()])).unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().contains("[u]"));
    }
}
