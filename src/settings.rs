//! User settings: `$XDG_CONFIG_HOME/mfatui/config.toml` (default `~/.config/mfatui/config.toml`).
//! A missing file means defaults; a bad value is an error naming the key.

use crate::aws::engine::EngineSettings;
use crate::aws::exports::ExportMode;
use crate::aws::net::Deadlines;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Renew sessions with less than this many seconds left.
    pub refresh_margin_secs: i64,
    /// Roles assumed at once.
    pub concurrency: usize,
    /// Managed sections are `<profile><suffix>`.
    pub suffix: String,
    pub theme: ThemeName,
    /// Profiles not shown in the dashboard (exact names, or `prefix*`).
    pub hide: Vec<String>,
    /// Where sessions go: `credentials` (temporary keys in ~/.aws/credentials) or `process`
    /// (`credential_process` profiles in ~/.aws/config; no secret in the AWS files).
    pub export: ExportMode,
    /// Seconds to open a connection to AWS.
    pub connect_timeout_secs: u64,
    /// Seconds to wait for (each part of) an answer.
    pub read_timeout_secs: u64,
    /// Seconds for one AWS call as a whole, retries included.
    pub call_timeout_secs: u64,
    /// Announce an MFA session's end this many minutes ahead (toast, bell, desktop notification).
    pub mfa_warn_mins: i64,
    /// Serve the container-credentials endpoint from the dashboard on this port (0: any free
    /// one), so one pane serves everything; absent: the dashboard does not serve.
    pub serve_port: Option<u16>,
    /// Access keys older than this many days are flagged as old (`mfatui keys`, the IAM view).
    pub key_max_age_days: i64,
    /// How long a rotation waits for IAM to accept a new key (and to refuse a deactivated one).
    pub key_propagation_secs: u64,
    /// Keep the AWS CLI's own cache (~/.aws/cli/cache) filled for the role profiles signed in,
    /// so `aws --profile ROLE` never prompts under your own profile names. Its files hold session
    /// tokens (0600, as the CLI's own); `false` turns it off and removes mfatui's entries.
    /// Unset: on with `vault = files`, off with `vault = keychain` (no session token in a plain
    /// file unless the user asks for it).
    pub aws_cli_cache: Option<bool>,
    /// Where mfatui keeps secrets: `files` (as the AWS tools do, 0600) or `keychain` (the OS
    /// keychain; the session store encrypted with a key held there).
    pub vault: crate::aws::vault::VaultMode,
}

impl Default for Settings {
    fn default() -> Self {
        let e = EngineSettings::default();
        Self {
            refresh_margin_secs: e.margin_secs,
            concurrency: e.concurrency,
            suffix: e.suffix,
            theme: ThemeName::Dark,
            hide: Vec::new(),
            export: ExportMode::default(),
            connect_timeout_secs: e.deadlines.connect.as_secs(),
            read_timeout_secs: e.deadlines.read.as_secs(),
            call_timeout_secs: e.deadlines.call.as_secs(),
            mfa_warn_mins: e.mfa_warn_secs / 60,
            serve_port: None,
            key_max_age_days: crate::aws::iam::keys::DEFAULT_MAX_AGE_DAYS,
            key_propagation_secs: 60,
            aws_cli_cache: None,
            vault: crate::aws::vault::VaultMode::Files,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read {}: {cause}", path.display())]
    Read { path: PathBuf, cause: std::io::Error },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

impl Settings {
    pub fn path(config_home: Option<&Path>, home: Option<&Path>) -> Option<PathBuf> {
        config_home.map(|c| c.join("mfatui/config.toml")).or_else(|| home.map(|h| h.join(".config/mfatui/config.toml")))
    }

    pub fn load(path: Option<&Path>) -> Result<Self, SettingsError> {
        let Some(path) = path else { return Ok(Self::default()) };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(cause) => return Err(SettingsError::Read { path: path.into(), cause }),
        };
        let invalid = |message: String| SettingsError::Invalid { path: path.into(), message };
        let s: Settings = toml::from_str(&text).map_err(|e| invalid(e.message().to_string() + &key_hint(&e, &text)))?;
        if !(60..=3000).contains(&s.refresh_margin_secs) {
            return Err(invalid(format!(
                "refresh_margin_secs = {} must be between 60 and 3000",
                s.refresh_margin_secs
            )));
        }
        if !(1..=256).contains(&s.concurrency) {
            return Err(invalid(format!("concurrency = {} must be between 1 and 256", s.concurrency)));
        }
        if s.suffix.is_empty() || !crate::aws::config::parser::is_identifier(&s.suffix) {
            return Err(invalid(format!(
                "suffix = {:?} must be non-empty and use only letters, digits and _-/.%@:+",
                s.suffix
            )));
        }
        for (key, value, range) in [
            ("connect_timeout_secs", s.connect_timeout_secs, 1..=60),
            ("read_timeout_secs", s.read_timeout_secs, 1..=300),
            ("call_timeout_secs", s.call_timeout_secs, 1..=600),
            ("key_propagation_secs", s.key_propagation_secs, 1..=600),
        ] {
            if !range.contains(&value) {
                return Err(invalid(format!("{key} = {value} must be between {} and {}", range.start(), range.end())));
            }
        }
        if !(1..=720).contains(&s.mfa_warn_mins) {
            return Err(invalid(format!("mfa_warn_mins = {} must be between 1 and 720", s.mfa_warn_mins)));
        }
        if !(1..=3650).contains(&s.key_max_age_days) {
            return Err(invalid(format!("key_max_age_days = {} must be between 1 and 3650", s.key_max_age_days)));
        }
        Ok(s)
    }

    pub fn engine(&self) -> EngineSettings {
        EngineSettings {
            margin_secs: self.refresh_margin_secs,
            concurrency: self.concurrency,
            suffix: self.suffix.clone(),
            export: self.export,
            mfa_warn_secs: self.mfa_warn_mins * 60,
            deadlines: Deadlines {
                connect: Duration::from_secs(self.connect_timeout_secs),
                read: Duration::from_secs(self.read_timeout_secs),
                call: Duration::from_secs(self.call_timeout_secs),
            },
            aws_cli_cache: self.aws_cli_cache_on(),
            vault: self.vault,
            ..EngineSettings::default()
        }
    }

    /// The AWS CLI cache priming in force: the user's choice, else on unless the vault is the
    /// keychain (its files hold session tokens).
    pub fn aws_cli_cache_on(&self) -> bool {
        self.aws_cli_cache.unwrap_or(self.vault == crate::aws::vault::VaultMode::Files)
    }

    pub fn hides(&self, profile: &str) -> bool {
        self.hide.iter().any(|h| match h.strip_suffix('*') {
            Some(prefix) => profile.starts_with(prefix),
            None => h == profile,
        })
    }
}

/// toml's messages name the problem; add the line so the key is easy to find.
fn key_hint(e: &toml::de::Error, text: &str) -> String {
    e.span().map_or(String::new(), |span| {
        let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
        format!(" (line {line}: `{}`)", text.lines().nth(line - 1).unwrap_or("").trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Settings, SettingsError> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        std::fs::write(&p, text).unwrap();
        Settings::load(Some(&p))
    }

    #[test]
    fn defaults_and_values() {
        assert_eq!(Settings::load(Some(Path::new("/nonexistent/x.toml"))).unwrap(), Settings::default());
        let s = load("refresh_margin_secs = 600\ntheme = \"light\"\nhide = [\"legacy-*\", \"old\"]\n").unwrap();
        assert_eq!((s.refresh_margin_secs, s.theme, s.concurrency), (600, ThemeName::Light, 16));
        assert!(s.hides("legacy-prod") && s.hides("old") && !s.hides("older"));
        assert_eq!(s.engine().margin_secs, 600);
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = load("theme = \"blue\"\n").unwrap_err().to_string();
        assert!(e.contains("blue") && e.contains("theme"), "{e}");
        let e = load("refresh_margin = 5\n").unwrap_err().to_string();
        assert!(e.contains("refresh_margin"), "{e}");
        let e = load("concurrency = 0\n").unwrap_err().to_string();
        assert!(e.contains("concurrency = 0"), "{e}");
        let e = load("refresh_margin_secs = \"soon\"\n").unwrap_err().to_string();
        assert!(e.contains("refresh_margin_secs"), "{e}");
        let e = load("read_timeout_secs = 0\n").unwrap_err().to_string();
        assert!(e.contains("read_timeout_secs = 0 must be between 1 and 300"), "{e}");
        let e = load("export = \"files\"\n").unwrap_err().to_string();
        assert!(e.contains("files") && e.contains("export"), "{e}");
        let e = load("key_max_age_days = 0\n").unwrap_err().to_string();
        assert!(e.contains("key_max_age_days = 0 must be between 1 and 3650"), "{e}");
        let e = load("key_propagation_secs = 900\n").unwrap_err().to_string();
        assert!(e.contains("key_propagation_secs = 900 must be between 1 and 600"), "{e}");
        assert_eq!(
            (Settings::default().key_max_age_days, load("key_max_age_days = 30\n").unwrap().key_max_age_days),
            (90, 30)
        );
        let s = load("vault = \"keychain\"\n").unwrap();
        assert!(!s.engine().aws_cli_cache, "off under the keychain unless asked for");
        assert!(load("vault = \"keychain\"\naws_cli_cache = true\n").unwrap().engine().aws_cli_cache);
        assert!(Settings::default().engine().aws_cli_cache);
        let e = load("vault = \"safe\"\n").unwrap_err().to_string();
        assert!(e.contains("safe") && e.contains("vault"), "{e}");
        let s = load("export = \"process\"\ncall_timeout_secs = 9\n").unwrap();
        assert_eq!((s.engine().export, s.engine().deadlines.call), (ExportMode::Process, Duration::from_secs(9)));
    }
}
