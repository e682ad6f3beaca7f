//! Named sections from both AWS files, merged the way the SDKs merge them.
//!
//! Rules (aws-runtime's `env_config::normalize`, checked against it in tests/sdk_agreement.rs):
//! in the config file a profile is `[profile NAME]`, or `[default]`; `[NAME]` alone is ignored;
//! when `[profile default]` exists, `[default]` in that file is ignored. In the credentials file a
//! profile is `[NAME]`; `[profile NAME]` is ignored. `[sso-session NAME]` and other prefixed
//! sections (`[services NAME]`) exist only in the config file. Names and keys must be
//! identifiers. Sections with the same name merge, a later value replacing an earlier one, and
//! the credentials file is merged last so its values win. Everything ignored becomes a warning,
//! because the SDKs ignore it silently and users rarely mean it. One deliberate difference:
//! `[profile "NAME"]` is read as `NAME`, as the AWS CLI reads it, with a warning that the SDKs
//! ignore it.
//!
//! Each section's settings are stored compactly (`section.rs`).

use super::diagnostics::{Diagnostic, Location, NAME_WIDTH, Severity};
use super::parser::{self, RawFile, RawSection, Span, WHITESPACE, is_identifier, trim_ws};
pub use super::section::{Located, Section};
use super::section::{Prop, SourceText, Texts};
use crate::display::clip;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Config,
    Credentials,
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
    pub managed: BTreeSet<String>,
    texts: Arc<Texts>,
}

/// `[prefix name]` or `[name]`, split as the SDK splits it (first run of whitespace).
pub fn split_header(header: &str) -> (Option<&str>, &str) {
    let h = header.trim_matches(WHITESPACE);
    match h.split_once(WHITESPACE) {
        Some((p, s)) => (Some(p.trim_matches(WHITESPACE)), s.trim_matches(WHITESPACE)),
        None => (None, h),
    }
}

/// `NAME` from `"NAME"` or `'NAME'`, as botocore's `shlex.split` of the header yields it, when
/// `NAME` is an identifier.
fn unquote(name: &str) -> Option<&str> {
    let inner = ["\"", "'"].iter().find_map(|q| name.strip_prefix(q)?.strip_suffix(q))?;
    // shlex also keeps spaces inside the quotes: `"my profile"` is one word.
    (!inner.is_empty() && !inner.contains(['"', '\'', '\\']) && inner.trim_matches(WHITESPACE) == inner)
        .then_some(inner)
}

/// A name only botocore reads (it takes `;` and `#` in a header literally): the parser has
/// already said how each client reads it.
fn botocore_only(name: &str) -> bool {
    name.contains([';', '#']) && !name.contains(WHITESPACE) && !name.contains(['"', '\''])
}

/// Whether a file of this kind has `[profile default]`, which shadows its `[default]`.
pub(crate) fn has_prefixed_default<'a>(kind: FileKind, headers: impl IntoIterator<Item = &'a str>) -> bool {
    kind == FileKind::Config && headers.into_iter().any(|h| split_header(h) == (Some("profile"), "default"))
}

/// The profile whose settings a section holds, as the SDKs read it: the one rule for where a
/// key lives, used by the reader (`ConfigSet`) and by the writer of the user's own sections
/// (`edit::replace_profile_values`), so rotation writes a key where every client reads it.
/// `prefixed_default`: the file has `[profile default]` (`has_prefixed_default`), which makes
/// a plain `[default]` in the config file count for nothing.
pub fn effective_profile(kind: FileKind, header: &str, prefixed_default: bool) -> Option<&str> {
    match (kind, split_header(header)) {
        (FileKind::Config, (Some("profile"), n)) => {
            unquote(n).or_else(|| (is_identifier(n) || botocore_only(n)).then_some(n))
        }
        (FileKind::Config, (None, "default")) if !prefixed_default => Some("default"),
        (FileKind::Credentials, (None, n)) if is_identifier(n) || botocore_only(n) => Some(n),
        _ => None,
    }
}

/// The profile a section header names in a file of this kind, if it names one.
pub(crate) fn profile_name(kind: FileKind, header: &str) -> Option<&str> {
    match (kind, split_header(header)) {
        (FileKind::Config, (Some("profile"), n)) => Some(unquote(n).unwrap_or(n)),
        (FileKind::Config, (None, n @ "default")) => Some(n),
        (FileKind::Credentials, (None, n)) => Some(n),
        _ => None,
    }
}

enum Target {
    Profile { name: String, quoted: bool },
    SsoSession(String),
    Other(String, String),
}

/// Which of the texts of one merge a span points into.
#[derive(Clone, Copy)]
struct TextIds {
    file: u16,
    arena: u16,
}

impl TextIds {
    fn of(self, span: Span) -> u16 {
        if span.in_arena() { self.arena } else { self.file }
    }
}

impl ConfigSet {
    /// Merge one file's text. Call for the config file first, then the credentials file.
    pub fn merge_file(&mut self, kind: FileKind, path: &Path, text: &str) {
        self.merge_text(kind, path, text.to_owned());
    }

    /// `merge_file` taking the text by value, so a large file is not copied.
    pub fn merge_text(&mut self, kind: FileKind, path: &Path, text: String) {
        let path: Arc<Path> = Arc::from(path);
        let at = |line| Location { path: path.clone(), line };
        let first = self.texts.0.len();
        let Ok(ids) = u16::try_from(first + 1).map(|arena| TextIds { file: arena - 1, arena }) else {
            let msg = "too many files merged into one configuration; this one is not read";
            self.diagnostics.push(Diagnostic::new(Severity::Error, None, Some(at(1)), msg));
            return;
        };
        // Sections mfatui wrote (its marker follows the header): credentials-file sections in
        // `credentials` export mode, config-file `[profile …]` sections in `process` mode.
        self.managed.extend(super::managed::managed_profiles(&text, kind));
        let source = Arc::new(SourceText { path: path.clone(), text: text.into_boxed_str() });
        let mut raw = parser::parse(&source.text);
        let arena = Arc::new(SourceText { path: path.clone(), text: std::mem::take(&mut raw.arena).into_boxed_str() });
        let mut texts = self.texts.0.clone();
        texts.extend([source.clone(), arena]);
        self.texts = Arc::new(Texts(texts));
        for p in std::mem::take(&mut raw.problems) {
            let profile = p.section.as_deref().and_then(|h| profile_name(kind, h));
            self.diagnostics.push(Diagnostic::rejecting_file(profile, at(p.line), p.message));
        }
        let has_prefixed_default = has_prefixed_default(kind, raw.sections.iter().map(|s| s.header));
        // Profiles new to this set are gathered, then the map is built from a sorted list:
        // inserting one by one leaves the tree's nodes about half full.
        let mut new_profiles: Vec<(String, Section)> = Vec::new();
        for section in &raw.sections {
            let Some(target) = self.classify(kind, section, has_prefixed_default, at(section.line)) else {
                continue;
            };
            let props = properties(&raw, section, ids, &self.texts, &at, &mut self.diagnostics);
            let fresh = |name: &str, quoted| Section {
                name: name.to_string(),
                at: at(section.line),
                texts: self.texts.clone(),
                props: Vec::new(),
                quoted,
                adopted: std::sync::OnceLock::new(),
            };
            let dest = match target {
                Target::Profile { name, quoted } => match self.profiles.get_mut(&name) {
                    Some(dest) => {
                        dest.quoted |= quoted;
                        dest
                    }
                    None => {
                        let section = fresh(&name, quoted);
                        new_profiles.push((name, section));
                        &mut new_profiles.last_mut().expect("just pushed").1
                    }
                },
                Target::SsoSession(n) => self.sso_sessions.entry(n).or_insert_with_key(|k| fresh(k, false)),
                Target::Other(p, n) => self.other_sections.entry((p, n)).or_insert_with_key(|k| fresh(&k.1, false)),
            };
            dest.texts = self.texts.clone();
            dest.merge(props);
        }
        if !new_profiles.is_empty() {
            // Stable: a name's sections stay in file order, so the first declared absorbs the rest.
            new_profiles.sort_by(|a, b| a.0.cmp(&b.0));
            let mut all: Vec<(String, Section)> = std::mem::take(&mut self.profiles).into_iter().collect();
            all.reserve(new_profiles.len());
            for (name, section) in new_profiles {
                match all.last_mut() {
                    Some((last, into)) if *last == name => {
                        into.quoted |= section.quoted;
                        into.merge(section.props);
                    }
                    _ => all.push((name, section)),
                }
            }
            self.profiles = all.into_iter().collect();
        }
    }

    /// A setting of a `[services NAME]` block, as the SDKs read endpoint overrides:
    /// `service_setting("local", "sts", "endpoint_url")` for
    /// `[services local]` / `sts =` / `  endpoint_url = http://127.0.0.1:9000`.
    /// The last line naming `key` wins.
    pub fn service_setting(&self, services: &str, service: &str, key: &str) -> Option<&str> {
        let section = self.other_sections.get(&("services".to_string(), services.to_string()))?;
        let block = section.get(&service.to_ascii_lowercase())?;
        block
            .rsplit('\n')
            .filter_map(|line| line.split_once('='))
            .find(|(k, _)| trim_ws(k) == key)
            .map(|(_, v)| trim_ws(v))
    }

    fn classify(&mut self, kind: FileKind, s: &RawSection, has_prefixed_default: bool, at: Location) -> Option<Target> {
        let (prefix, name) = split_header(s.header);
        let mut warn = |profile: Option<&str>, msg: String| {
            self.diagnostics.push(Diagnostic::new(Severity::Warning, profile, Some(at.clone()), msg));
            None
        };
        if let Some(profile) = effective_profile(kind, s.header, has_prefixed_default) {
            // Read as the AWS CLI reads it, which not every SDK does: say so.
            let quoted = profile != name;
            if quoted {
                warn(
                    Some(profile),
                    format!(
                        "[profile {name}] is read as profile `{profile}`, as the AWS CLI and boto3 read it (they strip the quotes), but the AWS SDKs for Rust and JavaScript ignore this section: write [profile {}] so that every tool sees it",
                        if is_identifier(profile) { profile.to_string() } else { profile.replace(WHITESPACE, "-") }
                    ),
                );
            }
            return Some(Target::Profile { name: profile.into(), quoted: quoted || botocore_only(profile) });
        }
        // Why a section holds no profile's settings.
        match (kind, prefix) {
            (FileKind::Config, None) if name == "default" => warn(
                None,
                "[default] is ignored because this file also has [profile default], which takes priority; merge them"
                    .into(),
            ),
            (FileKind::Config, None) => warn(
                None,
                format!("[{name}] is ignored by the AWS CLI and SDKs: in the config file write [profile {name}]"),
            ),
            (FileKind::Config, Some(prefix)) if !is_identifier(name) => warn(
                None,
                format!(
                    "[{prefix} {name}] is ignored: `{name}` is not a valid name (letters, digits and _-/.%@:+ only)"
                ),
            ),
            (FileKind::Config, Some("sso-session")) => Some(Target::SsoSession(name.into())),
            (FileKind::Config, Some(prefix)) => Some(Target::Other(prefix.into(), name.into())),
            (FileKind::Credentials, Some("profile")) => warn(
                None,
                format!("[profile {name}] is ignored: in the credentials file write [{name}] without `profile`"),
            ),
            (FileKind::Credentials, Some(prefix)) => warn(
                None,
                format!(
                    "[{prefix} {name}] is ignored: such sections belong in the config file, not the credentials file"
                ),
            ),
            (FileKind::Credentials, None) => warn(
                None,
                format!(
                    "[{name}] is ignored: `{name}` is not a valid profile name (letters, digits and _-/.%@:+ only)"
                ),
            ),
        }
    }
}

/// A raw section's properties as `Prop`s; keys that are not identifiers are warned about and
/// left out, as the SDKs leave them out.
fn properties(
    raw: &RawFile,
    section: &RawSection,
    ids: TextIds,
    texts: &Texts,
    at: &impl Fn(usize) -> Location,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Prop> {
    let profile = profile_name_of(section.header);
    let mut out = Vec::with_capacity(section.properties.len());
    for p in raw.properties_of(section) {
        let key = texts.str(ids.of(p.key), (p.key.start, p.key.len()));
        if !is_identifier(key) {
            diagnostics.push(Diagnostic::new(
                Severity::Warning,
                Some(profile),
                Some(at(p.line as usize)),
                format!(
                    "setting `{}` is ignored: names may use only letters, digits and _-/.%@:+",
                    clip(key, NAME_WIDTH)
                ),
            ));
            continue;
        }
        out.push(Prop {
            key: (p.key.start, p.key.len()),
            value: (p.value.start, p.value.len()),
            line: p.line,
            key_text: ids.of(p.key),
            value_text: ids.of(p.value),
        });
    }
    out
}

/// The name a diagnostic about a section's setting names: the profile's, or the section's.
fn profile_name_of(header: &str) -> &str {
    let (_, name) = split_header(header);
    unquote(name).unwrap_or(name)
}

#[cfg(test)]
#[path = "sections_tests.rs"]
pub(crate) mod tests;
