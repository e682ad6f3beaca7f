//! Where the user's AWS files are, found the way the AWS CLI and SDKs find them.
//!
//! Owns the environment lookups (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, `AWS_PROFILE`,
//! `AWS_REGION`/`AWS_DEFAULT_REGION`, `HOME`). It reads no files.

use std::path::{Path, PathBuf};

/// The environment as mfatui sees it. Built from the process environment in the binary and
/// from explicit values in tests, so no test has to mutate global state.
#[derive(Debug, Clone, Default)]
pub struct AwsEnv {
    pub home: Option<PathBuf>,
    pub config_file: Option<String>,
    pub credentials_file: Option<String>,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub default_region: Option<String>,
    /// `XDG_STATE_HOME`, where mfatui keeps its session store.
    pub state_home: Option<PathBuf>,
}

impl AwsEnv {
    pub fn from_process() -> Self {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let non_empty = |k: &str| get(k).filter(|v| !v.is_empty());
        Self {
            home: non_empty("HOME").map(PathBuf::from),
            config_file: non_empty("AWS_CONFIG_FILE"),
            credentials_file: non_empty("AWS_SHARED_CREDENTIALS_FILE"),
            profile: non_empty("AWS_PROFILE"),
            region: non_empty("AWS_REGION"),
            default_region: non_empty("AWS_DEFAULT_REGION"),
            state_home: non_empty("XDG_STATE_HOME").map(PathBuf::from),
        }
    }

    /// The region that overrides every profile's own `region`, as it does for the CLI.
    pub fn region_override(&self) -> Option<&str> {
        self.region.as_deref().or(self.default_region.as_deref())
    }

    /// mfatui's state directory: `$XDG_STATE_HOME/mfatui`, else `~/.local/state/mfatui`.
    pub fn state_dir(&self) -> Result<PathBuf, PathError> {
        match (&self.state_home, &self.home) {
            (Some(s), _) if s.is_absolute() => Ok(s.join("mfatui")),
            (_, Some(h)) => Ok(h.join(".local/state/mfatui")),
            _ => Err(PathError::NoHome),
        }
    }

    /// The profile a plain `aws` command would use.
    pub fn selected_profile(&self) -> &str {
        self.profile.as_deref().unwrap_or("default")
    }
}

/// The two files, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsPaths {
    pub config: PathBuf,
    pub credentials: PathBuf,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PathError {
    #[error(
        "HOME is not set, so ~/.aws cannot be found: set HOME, or set both AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE"
    )]
    NoHome,
}

impl AwsPaths {
    pub fn resolve(env: &AwsEnv) -> Result<Self, PathError> {
        let pick = |var: &Option<String>, default: &str| -> Result<PathBuf, PathError> {
            match var {
                Some(p) => expand_home(p, env.home.as_deref()),
                None => Ok(env.home.as_ref().ok_or(PathError::NoHome)?.join(default)),
            }
        };
        Ok(Self {
            config: pick(&env.config_file, ".aws/config")?,
            credentials: pick(&env.credentials_file, ".aws/credentials")?,
        })
    }
}

/// `~` means HOME only as the whole path or when followed by `/`, exactly as the SDKs expand it.
fn expand_home(path: &str, home: Option<&Path>) -> Result<PathBuf, PathError> {
    if path == "~" || path.starts_with("~/") {
        let home = home.ok_or(PathError::NoHome)?;
        Ok(match path.strip_prefix("~/") {
            Some(rest) => home.join(rest),
            None => home.to_path_buf(),
        })
    } else {
        Ok(PathBuf::from(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> AwsEnv {
        AwsEnv::from_lookup(|k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn defaults_under_home() {
        let p = AwsPaths::resolve(&env(&[("HOME", "/h")])).unwrap();
        assert_eq!(p.config, PathBuf::from("/h/.aws/config"));
        assert_eq!(p.credentials, PathBuf::from("/h/.aws/credentials"));
    }

    #[test]
    fn env_overrides_and_tilde() {
        let e = env(&[("HOME", "/h"), ("AWS_CONFIG_FILE", "~/cfg"), ("AWS_SHARED_CREDENTIALS_FILE", "/abs/creds")]);
        let p = AwsPaths::resolve(&e).unwrap();
        assert_eq!(p.config, PathBuf::from("/h/cfg"));
        assert_eq!(p.credentials, PathBuf::from("/abs/creds"));
        // `~user` is not expanded, like the SDKs.
        let p = AwsPaths::resolve(&env(&[("HOME", "/h"), ("AWS_CONFIG_FILE", "~x/c")])).unwrap();
        assert_eq!(p.config, PathBuf::from("~x/c"));
    }

    #[test]
    fn no_home_is_a_clear_error_unless_both_files_are_set() {
        assert_eq!(AwsPaths::resolve(&env(&[])), Err(PathError::NoHome));
        let e = env(&[("AWS_CONFIG_FILE", "/c"), ("AWS_SHARED_CREDENTIALS_FILE", "/k")]);
        assert!(AwsPaths::resolve(&e).is_ok());
    }

    #[test]
    fn region_precedence_and_empty_values() {
        let e = env(&[("AWS_REGION", "eu-west-1"), ("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_PROFILE", "")]);
        assert_eq!(e.region_override(), Some("eu-west-1"));
        assert_eq!(e.selected_profile(), "default");
    }
}
