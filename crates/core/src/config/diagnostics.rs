//! Problems found in the user's AWS files, each tied to a file and line where one exists.

use serde::Serialize;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The profile cannot be used as written.
    Error,
    /// The profile works, or the AWS tools silently ignore something the user probably meant.
    Warning,
}

/// Names quoted in a diagnostic are cut to this many characters: a name can be any length.
pub const NAME_WIDTH: usize = 64;
/// Values quoted in a diagnostic are cut to this many characters.
pub const VALUE_WIDTH: usize = 80;

/// A place in one of the user's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: Arc<Path>,
    pub line: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The profile it concerns; `None` for problems of a file or a non-profile section.
    pub profile: Option<String>,
    pub at: Option<Location>,
    pub message: String,
    /// The AWS CLI and SDKs refuse the whole file because of this line (mfatui reads on). Such
    /// problems are shown first: they break every profile for every other tool.
    pub rejects_file: bool,
}

impl Diagnostic {
    pub fn new(severity: Severity, profile: Option<&str>, at: Option<Location>, message: impl Into<String>) -> Self {
        Self { severity, profile: profile.map(str::to_string), at, message: message.into(), rejects_file: false }
    }

    /// An error at a line that makes the AWS CLI and SDKs refuse its whole file.
    pub fn rejecting_file(profile: Option<&str>, at: Location, message: impl Into<String>) -> Self {
        Self { rejects_file: true, ..Self::new(Severity::Error, profile, Some(at), message) }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if let Some(at) = &self.at {
            write!(f, "{at}: ")?;
        }
        write!(f, "{level}: ")?;
        if let Some(p) = &self.profile {
            write!(f, "profile `{}`: ", crate::display::clip(p, NAME_WIDTH))?;
        }
        f.write_str(&self.message)
    }
}

/// The JSON shape of a diagnostic in `mfatui list --json`.
#[derive(Debug, Serialize)]
pub struct DiagnosticJson<'a> {
    pub severity: Severity,
    pub profile: Option<&'a str>,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub message: &'a str,
    pub rejects_file: bool,
}

impl<'a> From<&'a Diagnostic> for DiagnosticJson<'a> {
    fn from(d: &'a Diagnostic) -> Self {
        Self {
            severity: d.severity,
            profile: d.profile.as_deref(),
            file: d.at.as_ref().map(|a| a.path.display().to_string()),
            line: d.at.as_ref().map(|a| a.line),
            message: &d.message,
            rejects_file: d.rejects_file,
        }
    }
}
