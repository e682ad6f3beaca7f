//! The user's AWS configuration: where the files are, how they parse, what the profiles are.
//!
//! Reads only; writing is `aws::edit` and `aws::userfile`. Missing files are an empty
//! configuration, not an error: a new user has none yet.

mod alias;
pub mod arn;
mod chain;
mod checks;
pub mod diagnostics;
pub mod graph;
pub mod managed;
pub mod parser;
pub mod paths;
pub mod region_origin;
mod section;
pub mod sections;
pub mod wrapper;

pub use checks::valid_region;
pub use diagnostics::{Diagnostic, Location, Severity};
pub use graph::{Chain, Profile, ProfileGraph, ProfileKind};
pub use paths::{AwsEnv, AwsPaths, PathError};
pub use region_origin::RegionOrigin;
pub use sections::{ConfigSet, FileKind};

use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Paths(#[from] PathError),
    #[error("cannot read {}: permission denied; it must be readable by you (chmod 600 it)", .0.display())]
    PermissionDenied(PathBuf),
    #[error("{} is not UTF-8 text (first bad byte on line {line}); save it as UTF-8 and retry", path.display())]
    NotUtf8 { path: PathBuf, line: usize },
    #[error("{} is a directory, but the AWS tools expect a file there", .0.display())]
    IsDirectory(PathBuf),
    #[error("cannot read {}: {cause}", path.display())]
    Io { path: PathBuf, cause: io::Error },
}

/// The configuration as loaded: both files merged. `graph()` resolves the profiles.
#[derive(Debug)]
pub struct LoadedConfig {
    pub paths: AwsPaths,
    pub sections: ConfigSet,
    /// Problems of the environment rather than of a file (`AWS_PROFILE` naming no profile).
    pub env_diagnostics: Vec<Diagnostic>,
}

impl LoadedConfig {
    /// Every profile resolved, borrowing from the loaded text. Build it once and pass it on.
    pub fn graph(&self) -> ProfileGraph<'_> {
        ProfileGraph::build_with(&self.sections, self.env_diagnostics.clone())
    }
}

/// The text of a file, `None` when it does not exist.
pub fn read_text(path: &Path) -> Result<Option<String>, ConfigError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            return Err(ConfigError::PermissionDenied(path.into()));
        }
        Err(e) if e.kind() == io::ErrorKind::IsADirectory || path.is_dir() => {
            return Err(ConfigError::IsDirectory(path.into()));
        }
        Err(cause) => return Err(ConfigError::Io { path: path.into(), cause }),
    };
    String::from_utf8(bytes).map(Some).map_err(|e| {
        let upto = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..upto].iter().filter(|&&b| b == b'\n').count();
        ConfigError::NotUtf8 { path: path.into(), line }
    })
}

impl ConfigSet {
    /// Both AWS files as the SDKs merge them (the credentials file last); a missing file is empty.
    pub fn read(paths: &AwsPaths) -> Result<Self, ConfigError> {
        let mut sections = ConfigSet::default();
        for (kind, path) in [(FileKind::Config, &paths.config), (FileKind::Credentials, &paths.credentials)] {
            if let Some(text) = read_text(path)? {
                sections.merge_text(kind, path, text);
            }
        }
        Ok(sections)
    }
}

pub fn load(env: &AwsEnv) -> Result<LoadedConfig, ConfigError> {
    let paths = AwsPaths::resolve(env)?;
    let sections = ConfigSet::read(&paths)?;
    let mut env_diagnostics = Vec::new();
    if let Some(p) = env.profile.as_deref().filter(|p| !sections.profiles.contains_key(*p)) {
        env_diagnostics.push(Diagnostic::new(
            Severity::Warning,
            None,
            None,
            format!(
                "AWS_PROFILE is `{p}`, but no such profile exists{}; the AWS CLI will fail until you create it or unset AWS_PROFILE",
                crate::suggest::did_you_mean(p, sections.profiles.keys().map(|k| &**k))
            ),
        ));
    }
    Ok(LoadedConfig { paths, sections, env_diagnostics })
}
