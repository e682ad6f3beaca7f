//! Lossless editing of sections mfatui owns inside the user's AWS files.
//!
//! The only bytes that change are those of the owned section being written or removed. An owned
//! section is its header line, the lines after it up to the next header, minus the run of
//! comment and blank lines just before that next header (those describe what follows and are
//! the user's). Line endings of new lines follow the file's first line ending. New sections are
//! appended after one blank line; removing a section takes one neighbouring blank line with it
//! only where that leaves no double blank (or no leading blank), so adding and then removing restores the file
//! exactly (for a file that ended with a newline).

use crate::config::AwsPaths;
use crate::config::parser::{self, WHITESPACE, is_identifier};
use crate::config::sections::{ConfigSet, FileKind, effective_profile, has_prefixed_default, split_header};
use crate::userfile::{FileError, update_text};
use std::path::PathBuf;

pub use crate::config::managed::{MANAGED_MARKER, managed_profiles, managed_sections};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EditError {
    #[error("`{0}` cannot be written as a setting name: use letters, digits and _-/.%@:+ only")]
    InvalidKey(String),
    #[error("the value of `{0}` contains a line break or surrounding whitespace, which the AWS files cannot hold")]
    BadValue(String),
    #[error("`[{0}]` is not a section header mfatui can write")]
    InvalidHeader(String),
    #[error("profile {profile} has no `{key}` in this file")]
    MissingSetting { profile: String, key: String },
    #[error("profile {profile} already has `{key}`; mfatui leaves it as it is")]
    Present { profile: String, key: String },
    #[error(
        "`{key}` of profile {profile} continues on an indented line, so mfatui will not rewrite it; put the value on one line"
    )]
    MultiLine { profile: String, key: String },
}

struct Lines<'a> {
    /// Each line with its terminator (`\n`, `\r\n`, or none for a last line without one).
    lines: Vec<&'a str>,
    eol: &'static str,
}

impl<'a> Lines<'a> {
    fn split(text: &'a str) -> Self {
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let eol = match lines.first() {
            Some(l) if l.ends_with("\r\n") => "\r\n",
            _ => "\n",
        };
        Self { lines, eol }
    }

    fn content(line: &str) -> &str {
        line.trim_end_matches(['\n', '\r'])
    }

    fn is_blank(line: &str) -> bool {
        Self::content(line).trim_matches(WHITESPACE).is_empty()
    }

    fn is_comment_or_blank(line: &str) -> bool {
        let c = Self::content(line).trim_start_matches(WHITESPACE);
        c.is_empty() || c.starts_with(['#', ';'])
    }

    /// Line ranges `[start, end)` of every owned section named `header`.
    fn owned_ranges(&self, header: &str) -> Vec<(usize, usize)> {
        let wanted = split_header(header);
        let headers: Vec<usize> =
            (0..self.lines.len()).filter(|&i| parser::header_of(Self::content(self.lines[i])).is_some()).collect();
        let mut out = Vec::new();
        for (k, &h) in headers.iter().enumerate() {
            let text = parser::header_of(Self::content(self.lines[h])).expect("filtered above");
            if split_header(text) != wanted {
                continue;
            }
            let next = headers.get(k + 1).copied().unwrap_or(self.lines.len());
            let mut end = next;
            while end > h + 1 && Self::is_comment_or_blank(self.lines[end - 1]) {
                end -= 1;
            }
            if end == h + 1 && end < next && Self::content(self.lines[end]) == MANAGED_MARKER {
                end += 1;
            }
            out.push((h, end));
        }
        out
    }
}

fn render(header: &str, pairs: &[(&str, &str)], eol: &str) -> Result<String, EditError> {
    let (_, name) = split_header(header);
    if !is_identifier(name) || header.contains(['[', ']', '\n', '\r']) {
        return Err(EditError::InvalidHeader(header.into()));
    }
    let mut out = format!("[{header}]{eol}{MANAGED_MARKER}{eol}");
    for (k, v) in pairs {
        if !is_identifier(k) {
            return Err(EditError::InvalidKey((*k).into()));
        }
        if v.contains(['\n', '\r']) || v.trim_matches(WHITESPACE) != *v {
            return Err(EditError::BadValue((*k).into()));
        }
        out.push_str(&format!("{k} = {v}{eol}"));
    }
    Ok(out)
}

/// Write section `[header]` with exactly `pairs`, replacing it (and dropping any duplicates of
/// it) if present, appending it otherwise.
pub fn upsert_section(text: &str, header: &str, pairs: &[(&str, &str)]) -> Result<String, EditError> {
    let doc = Lines::split(text);
    let block = render(header, pairs, doc.eol)?;
    let ranges = doc.owned_ranges(header);
    let Some(&(first_start, first_end)) = ranges.first() else {
        let mut out = String::with_capacity(text.len() + block.len() + 2);
        out.push_str(text);
        if !text.is_empty() {
            if !text.ends_with('\n') {
                out.push_str(doc.eol);
            }
            out.push_str(doc.eol);
        }
        out.push_str(&block);
        return Ok(out);
    };
    let mut out = String::with_capacity(text.len() + block.len());
    out.extend(doc.lines[..first_start].iter().copied());
    out.push_str(&block);
    let mut cursor = first_end;
    for &(s, e) in &ranges[1..] {
        out.extend(doc.lines[cursor..s].iter().copied());
        cursor = e;
    }
    out.extend(doc.lines[cursor..].iter().copied());
    Ok(out)
}

/// Remove every section `[header]`. Returns the text unchanged when there is none.
pub fn remove_section(text: &str, header: &str) -> String {
    let doc = Lines::split(text);
    let ranges = doc.owned_ranges(header);
    if ranges.is_empty() {
        return text.to_string();
    }
    let mut keep = vec![true; doc.lines.len()];
    for (s, e) in ranges {
        keep[s..e].iter_mut().for_each(|k| *k = false);
        let blank_after = e == doc.lines.len() || Lines::is_blank(doc.lines[e]);
        if s > 0 && keep[s - 1] && Lines::is_blank(doc.lines[s - 1]) && blank_after {
            keep[s - 1] = false;
        } else if s == 0 && e < doc.lines.len() && Lines::is_blank(doc.lines[e]) {
            keep[e] = false;
        }
    }
    doc.lines.iter().zip(keep).filter(|(_, k)| *k).map(|(l, _)| *l).collect()
}

/// Add `key = value` to `profile`'s own section of a config file's text: after the last setting
/// of its last section (before the comments and blank lines that lead into the next one), or as
/// a new `[profile NAME]` (`[default]`) at the end. Nothing else changes.
pub fn add_profile_value(text: &str, profile: &str, key: &str, value: &str) -> Result<String, EditError> {
    if !is_identifier(key) {
        return Err(EditError::InvalidKey(key.into()));
    }
    if value.is_empty() || value.contains(['\n', '\r']) || value.trim_matches(WHITESPACE) != value {
        return Err(EditError::BadValue(key.into()));
    }
    let raw = parser::parse(text);
    let prefixed = has_prefixed_default(FileKind::Config, raw.sections.iter().map(|s| s.header));
    let ours: Vec<_> = raw
        .sections
        .iter()
        .filter(|s| effective_profile(FileKind::Config, s.header, prefixed) == Some(profile))
        .collect();
    if ours.iter().flat_map(|s| raw.properties_of(s)).any(|p| raw.str(p.key) == key) {
        return Err(EditError::Present { profile: profile.into(), key: key.into() });
    }
    let doc = Lines::split(text);
    let line = format!("{key} = {value}{}", doc.eol);
    let Some(last) = ours.last() else {
        let header = if profile == "default" { "default".to_string() } else { format!("profile {profile}") };
        if !is_identifier(profile) {
            return Err(EditError::InvalidHeader(header));
        }
        let mut out = text.to_string();
        if !text.is_empty() {
            if !text.ends_with('\n') {
                out.push_str(doc.eol);
            }
            out.push_str(doc.eol);
        }
        out.push_str(&format!("[{header}]{}{line}", doc.eol));
        return Ok(out);
    };
    let header = last.line - 1;
    let next = (header + 1..doc.lines.len())
        .find(|&i| parser::header_of(Lines::content(doc.lines[i])).is_some())
        .unwrap_or(doc.lines.len());
    let mut end = next;
    while end > header + 1 && Lines::is_comment_or_blank(doc.lines[end - 1]) {
        end -= 1;
    }
    let at: usize = doc.lines[..end].iter().map(|l| l.len()).sum();
    let mut out = String::with_capacity(text.len() + line.len() + 2);
    out.push_str(&text[..at]);
    if !text[..at].ends_with('\n') {
        out.push_str(doc.eol);
    }
    out.push_str(&line);
    out.push_str(&text[at..]);
    Ok(out)
}

/// Replace the values of settings that already exist in `profile`'s section of a file of `kind`
/// (the user's own section, not a managed one), leaving every other byte as it was: the key
/// names, spacing, comments after the value, line endings, other sections. Where the SDK would
/// read a setting (the last occurrence, across repeated sections) is where it is written.
pub fn replace_profile_values(
    text: &str,
    kind: FileKind,
    profile: &str,
    pairs: &[(&str, &str)],
) -> Result<String, EditError> {
    let raw = parser::parse(text);
    let prefixed_default = has_prefixed_default(kind, raw.sections.iter().map(|s| s.header));
    let ours = |header: &str| effective_profile(kind, header, prefixed_default) == Some(profile);
    let mut spans: Vec<(usize, usize, &str)> = Vec::new();
    for &(key, value) in pairs {
        // A value the parser would read differently (a comment, a line break, whitespace).
        if value.is_empty()
            || value.contains(|c: char| c.is_whitespace() || c.is_control())
            || value.starts_with(['#', ';'])
        {
            return Err(EditError::BadValue(key.into()));
        }
        let found = raw
            .sections
            .iter()
            .filter(|s| ours(s.header))
            .flat_map(|s| raw.properties_of(s))
            .rfind(|p| raw.str(p.key) == key)
            .ok_or_else(|| EditError::MissingSetting { profile: profile.into(), key: key.into() })?;
        // A value the parser joined from several lines lives outside the text: not ours to splice.
        let multi = || EditError::MultiLine { profile: profile.into(), key: key.into() };
        if found.value.in_arena() {
            return Err(multi());
        }
        let range = found.value.range();
        let (start, old) = (range.start, &text[range]);
        spans.push((start, start + old.len(), value));
    }
    spans.sort_by_key(|s| s.0);
    let mut out = String::with_capacity(text.len() + 64);
    let mut cursor = 0;
    for (start, end, value) in spans {
        out.push_str(&text[cursor..start]);
        out.push_str(value);
        cursor = end;
    }
    out.push_str(&text[cursor..]);
    Ok(out)
}

/// Rewrite the values of `pairs` in the user's own profile section, in whichever file holds
/// them (keys may live in the config file), under the same lock, atomic swap and 0600 as every
/// write of a user file. Every other byte of both files stays as it was. Returns the file written.
pub fn update_profile_values(paths: &AwsPaths, profile: &str, pairs: &[(&str, &str)]) -> Result<PathBuf, FileError> {
    let set = ConfigSet::read(paths).map_err(|e| FileError::Edit(e.to_string()))?;
    let mut holder: Option<PathBuf> = None;
    for (key, _) in pairs {
        let at = set
            .profiles
            .get(profile)
            .and_then(|s| s.located(key))
            .ok_or_else(|| FileError::Edit(format!("profile {profile} has no `{key}` in your AWS files")))?;
        let path = at.at.path.to_path_buf();
        match &holder {
            Some(h) if *h != path => {
                return Err(FileError::Edit(format!(
                    "the settings of profile {profile} are split between {} and {}; put aws_access_key_id and aws_secret_access_key in one file",
                    h.display(),
                    path.display()
                )));
            }
            _ => holder = Some(path),
        }
    }
    let Some(path) = holder else { return Err(FileError::Edit("nothing to write".into())) };
    let kind = if path == paths.credentials { FileKind::Credentials } else { FileKind::Config };
    update_text(&path, |text| replace_profile_values(text, kind, profile, pairs))?;
    Ok(path)
}

#[cfg(test)]
#[path = "edit_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "edit_agreement_tests.rs"]
mod agreement_tests;
