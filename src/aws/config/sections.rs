//! Named sections from both AWS files, merged the way the SDKs merge them.
//!
//! Rules (aws-runtime's `env_config::normalize`, checked against it in tests/sdk_agreement.rs):
//! in the config file a profile is `[profile NAME]`, or `[default]`; `[NAME]` alone is ignored;
//! when `[profile default]` exists, `[default]` in that file is ignored. In the credentials file a
//! profile is `[NAME]`; `[profile NAME]` is ignored. `[sso-session NAME]` and other prefixed
//! sections (`[services NAME]`) exist only in the config file. Names and keys must be
//! identifiers. Sections with the same name merge, a later value replacing an earlier one, and
//! the credentials file is merged last so its values win. Everything ignored becomes a warning,
//! because the SDKs ignore it silently and users rarely mean it.

use super::diagnostics::{Diagnostic, Location, Severity};
use super::parser::{self, RawSection, WHITESPACE, is_identifier};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Config,
    Credentials,
}

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub value: String,
    pub at: Location,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    /// Where the section was first declared.
    pub at: Location,
    /// In first-seen order. A section has a handful of keys, so a Vec beats a map in both time
    /// and memory (this matters with thousands of profiles).
    pub properties: Vec<(String, Located)>,
}

impl Section {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.located(key).map(|l| l.value.as_str())
    }

    pub fn located(&self, key: &str) -> Option<&Located> {
        self.properties.iter().find(|(k, _)| k == key).map(|(_, l)| l)
    }

    /// Set `key`, a later value replacing an earlier one in place.
    fn set(&mut self, key: &str, value: Located) {
        match self.properties.iter_mut().find(|(k, _)| k == key) {
            Some((_, slot)) => *slot = value,
            None => self.properties.push((key.to_string(), value)),
        }
    }
}

#[derive(Debug, Default)]
pub struct ConfigSet {
    pub profiles: BTreeMap<String, Section>,
    pub sso_sessions: BTreeMap<String, Section>,
    /// Other prefixed sections of the config file, keyed by (prefix, name): `services`, ….
    pub other_sections: BTreeMap<(String, String), Section>,
    pub diagnostics: Vec<Diagnostic>,
    /// Profiles mfatui wrote (their section starts with its marker comment), in either file.
    /// They are profiles to every other tool, but not profiles of the user's to mfatui.
    pub managed: std::collections::BTreeSet<String>,
}

/// `[prefix name]` or `[name]`, split as the SDK splits it (first run of whitespace).
pub fn split_header(header: &str) -> (Option<&str>, &str) {
    let h = header.trim_matches(WHITESPACE);
    match h.split_once(WHITESPACE) {
        Some((p, s)) => (Some(p.trim_matches(WHITESPACE)), s.trim_matches(WHITESPACE)),
        None => (None, h),
    }
}

/// The profile a section header names in a file of this kind, if it names one.
pub(crate) fn profile_name(kind: FileKind, header: &str) -> Option<&str> {
    match (kind, split_header(header)) {
        (FileKind::Config, (Some("profile"), n)) | (FileKind::Config, (None, n @ "default")) => Some(n),
        (FileKind::Credentials, (None, n)) => Some(n),
        _ => None,
    }
}

enum Target {
    Profile(String),
    SsoSession(String),
    Other(String, String),
}

impl ConfigSet {
    /// Merge one file's text. Call for the config file first, then the credentials file.
    pub fn merge_file(&mut self, kind: FileKind, path: &Path, text: &str) {
        let path: Arc<Path> = Arc::from(path);
        let at = |line| Location { path: path.clone(), line };
        let raw = parser::parse(text);
        // Sections mfatui wrote (its marker follows the header): credentials-file sections in
        // `credentials` export mode, config-file `[profile …]` sections in `process` mode.
        for header in crate::aws::edit::managed_sections(text) {
            if let Some(name) = profile_name(kind, &header) {
                self.managed.insert(name.to_string());
            }
        }
        for p in raw.problems {
            let profile = p.section.as_deref().and_then(|h| profile_name(kind, h));
            self.diagnostics.push(Diagnostic::new(Severity::Error, profile, Some(at(p.line)), p.message));
        }
        let has_prefixed_default = kind == FileKind::Config
            && raw.sections.iter().any(|s| split_header(s.header) == (Some("profile"), "default"));
        for section in raw.sections {
            let Some(target) = self.classify(kind, &section, has_prefixed_default, at(section.line)) else {
                continue;
            };
            let fresh = |name: &str| Section { name: name.to_string(), at: at(section.line), properties: Vec::new() };
            let dest = match target {
                Target::Profile(n) => self.profiles.entry(n).or_insert_with_key(|k| fresh(k)),
                Target::SsoSession(n) => self.sso_sessions.entry(n).or_insert_with_key(|k| fresh(k)),
                Target::Other(p, n) => self.other_sections.entry((p, n)).or_insert_with_key(|k| fresh(&k.1)),
            };
            insert_properties(dest, &section, &at, &mut self.diagnostics);
        }
    }

    fn classify(&mut self, kind: FileKind, s: &RawSection, has_prefixed_default: bool, at: Location) -> Option<Target> {
        let (prefix, name) = split_header(s.header);
        let mut warn = |msg: String| {
            self.diagnostics.push(Diagnostic::new(Severity::Warning, None, Some(at.clone()), msg));
            None
        };
        match (kind, prefix) {
            (FileKind::Config, None) if name == "default" => {
                if has_prefixed_default {
                    return warn("[default] is ignored because this file also has [profile default], which takes priority; merge them".into());
                }
                Some(Target::Profile(name.into()))
            }
            (FileKind::Config, None) => {
                warn(format!("[{name}] is ignored by the AWS CLI and SDKs: in the config file write [profile {name}]"))
            }
            (FileKind::Config, Some(prefix)) if !is_identifier(name) => warn(format!(
                "[{prefix} {name}] is ignored: `{name}` is not a valid name (letters, digits and _-/.%@:+ only)"
            )),
            (FileKind::Config, Some("profile")) => Some(Target::Profile(name.into())),
            (FileKind::Config, Some("sso-session")) => Some(Target::SsoSession(name.into())),
            (FileKind::Config, Some(prefix)) => Some(Target::Other(prefix.into(), name.into())),
            (FileKind::Credentials, Some("profile")) => {
                warn(format!("[profile {name}] is ignored: in the credentials file write [{name}] without `profile`"))
            }
            (FileKind::Credentials, Some(prefix)) => warn(format!(
                "[{prefix} {name}] is ignored: such sections belong in the config file, not the credentials file"
            )),
            (FileKind::Credentials, None) if !is_identifier(name) => warn(format!(
                "[{name}] is ignored: `{name}` is not a valid profile name (letters, digits and _-/.%@:+ only)"
            )),
            (FileKind::Credentials, None) => Some(Target::Profile(name.into())),
        }
    }
}

fn insert_properties(
    dest: &mut Section,
    raw: &RawSection,
    at: &impl Fn(usize) -> Location,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for p in &raw.properties {
        if !is_identifier(&p.key) {
            diagnostics.push(Diagnostic::new(
                Severity::Warning,
                Some(&dest.name),
                Some(at(p.line)),
                format!("setting `{}` is ignored: names may use only letters, digits and _-/.%@:+", p.key),
            ));
            continue;
        }
        dest.set(&p.key, Located { value: p.value.to_string(), at: at(p.line) });
    }
}

#[cfg(test)]
#[path = "sections_tests.rs"]
pub(crate) mod tests;
