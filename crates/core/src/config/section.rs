//! One profile's (or sso-session's, or services block's) settings, stored compactly: the file's
//! text is kept whole and each `key = value` is a few integers pointing into it, so memory stays
//! a small multiple of the files (a String per key and value cost ten times). How sections are
//! found and merged across files is `sections.rs`.

use super::diagnostics::Location;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<'a> {
    pub value: &'a str,
    pub at: Location,
}

/// One file's text, or the arena of text the file does not hold verbatim (`parser::Span`).
pub(super) struct SourceText {
    pub(super) path: Arc<Path>,
    pub(super) text: Box<str>,
}

/// Every text merged so far, in merge order. Merging a file makes a new table that extends the
/// last one, so the indexes a section holds stay valid in every later table.
#[derive(Default)]
pub(super) struct Texts(pub(super) Vec<Arc<SourceText>>);

impl fmt::Debug for Texts {
    // Never the text itself: it holds secret keys.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter().map(|t| (t.path.display().to_string(), t.text.len()))).finish()
    }
}

/// A `key = value` of a section: where its key and value are in `Section::texts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Prop {
    pub(super) key: (u32, u32),
    pub(super) value: (u32, u32),
    pub(super) line: u32,
    pub(super) key_text: u16,
    pub(super) value_text: u16,
}

#[derive(Clone)]
pub struct Section {
    pub name: String,
    /// Where the section was first declared.
    pub at: Location,
    pub(super) texts: Arc<Texts>,
    /// In first-seen order. A section has a handful of keys, so a Vec beats a map in both time
    /// and memory (this matters with thousands of profiles).
    pub(super) props: Vec<Prop>,
    pub(super) quoted: bool,
    /// Whether `mfatui adopt` moved this section's role keys, decided on the first read: every
    /// lookup asks, and a config has thousands of them.
    pub(super) adopted: std::sync::OnceLock<bool>,
}

impl Section {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.find(key).map(|p| self.text(p.value_text, p.value))
    }

    pub fn located(&self, key: &str) -> Option<Located<'_>> {
        self.find(key).map(|p| Located { value: self.text(p.value_text, p.value), at: self.location(p) })
    }

    /// Every `(key, value)`, in first-seen order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.props.iter().map(|p| (self.text(p.key_text, p.key), self.text(p.value_text, p.value)))
    }

    pub fn len(&self) -> usize {
        self.props.len()
    }

    pub fn is_empty(&self) -> bool {
        self.props.is_empty()
    }

    /// Declared at least once as `[profile "NAME"]`, which only some AWS tools accept.
    pub fn declared_quoted(&self) -> bool {
        self.quoted
    }

    /// Adopted by `mfatui adopt` (its wrapper names itself and it holds `mfatui_role_arn`).
    pub fn is_adopted(&self) -> bool {
        *self.adopted.get_or_init(|| self.adopted_now())
    }

    fn adopted_now(&self) -> bool {
        self.find_raw("mfatui_role_arn").is_some()
            && self.find_raw("credential_process").map(|p| self.text(p.value_text, p.value)).is_some_and(|c| {
                matches!(super::wrapper::classify(&self.name, Some(c), true), Some(super::wrapper::Wrapped::Adopted))
            })
    }

    /// A key as mfatui reads it: an adopted section is read as the role it was, its moved
    /// settings under their own names and without the `credential_process` that stands in
    /// for them in other tools (`wrapper::MOVED_KEYS`).
    fn find(&self, key: &str) -> Option<&Prop> {
        if !self.is_adopted() {
            return self.find_raw(key);
        }
        match super::wrapper::moved_name(key) {
            Some(moved) => self.find_raw(moved),
            None if key == "credential_process" => None,
            None => self.find_raw(key),
        }
    }

    /// The key as written.
    pub fn get_raw(&self, key: &str) -> Option<&str> {
        self.find_raw(key).map(|p| self.text(p.value_text, p.value))
    }

    fn find_raw(&self, key: &str) -> Option<&Prop> {
        // Length, then first byte, before comparing: most lookups are for keys a profile lacks.
        let first = key.as_bytes().first();
        self.props.iter().find(|p| {
            p.key.1 as usize == key.len() && {
                let k = self.text(p.key_text, p.key);
                k.as_bytes().first() == first && k == key
            }
        })
    }

    fn text(&self, text: u16, span: (u32, u32)) -> &str {
        self.texts.str(text, span)
    }

    fn location(&self, p: &Prop) -> Location {
        Location { path: self.texts.0[usize::from(p.value_text)].path.clone(), line: p.line as usize }
    }
}

impl fmt::Debug for Section {
    // Keys only: values include secret keys.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Section")
            .field("name", &self.name)
            .field("at", &self.at)
            .field("keys", &self.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .finish()
    }
}

impl PartialEq for Section {
    fn eq(&self, other: &Self) -> bool {
        fn props(s: &Section) -> Vec<(&str, &str, Location)> {
            s.props.iter().map(|p| (s.text(p.key_text, p.key), s.text(p.value_text, p.value), s.location(p))).collect()
        }
        self.name == other.name && self.at == other.at && self.quoted == other.quoted && props(self) == props(other)
    }
}

impl Eq for Section {}

impl Texts {
    pub(super) fn str(&self, text: u16, (start, len): (u32, u32)) -> &str {
        &self.0[usize::from(text)].text[start as usize..start as usize + len as usize]
    }
}

/// Beyond this many keys a section's duplicate check uses a map: a linear scan per key would
/// make one huge section quadratic.
const SCAN_LIMIT: usize = 32;

impl Section {
    /// Add properties in order, a later value replacing an earlier one in place.
    pub(super) fn merge(&mut self, props: Vec<Prop>) {
        // New keys may make it adopted (or not): decided again on the next read.
        self.adopted = std::sync::OnceLock::new();
        if self.props.is_empty() && props.len() <= SCAN_LIMIT {
            // The common case, a section seen once with a few distinct keys.
            let distinct = props.iter().enumerate().all(|(i, p)| props[..i].iter().all(|q| self.key(q) != self.key(p)));
            if distinct {
                self.props = props;
                return;
            }
        }
        let texts = self.texts.clone();
        let key = |p: &Prop| texts.str(p.key_text, p.key);
        let mut seen: Option<HashMap<&str, usize>> = None;
        self.props.reserve(props.len());
        for prop in props {
            if seen.is_none() && self.props.len() >= SCAN_LIMIT {
                seen = Some(self.props.iter().enumerate().map(|(i, q)| (key(q), i)).collect());
            }
            let slot = match &mut seen {
                Some(map) => {
                    let next = self.props.len();
                    let i = *map.entry(key(&prop)).or_insert(next);
                    (i < next).then_some(i)
                }
                None => self.props.iter().position(|q| key(q) == key(&prop)),
            };
            match slot {
                Some(i) => self.props[i] = prop,
                None => self.props.push(prop),
            }
        }
    }

    fn key(&self, p: &Prop) -> &str {
        self.text(p.key_text, p.key)
    }
}
