//! The two text transforms of `mfatui adopt`, on the config file's text: adopting a role
//! profile renames its role keys to mfatui's (`wrapper::MOVED_KEYS`) and puts mfatui's
//! `credential_process` line just above the first of them; undoing removes that line and
//! renames the keys back. Only key bytes and that one line change, in that profile's sections
//! only, so undo after adopt gives back the very bytes there were. That is exact because
//! adoption refuses sections that already hold a `credential_process` or an `mfatui_` role key:
//! the section itself is the record, and no comment marks it.

use super::AdoptError;
use crate::config::parser::{self, RawFile, RawProperty};
use crate::config::sections::{FileKind, effective_profile, has_prefixed_default};
use crate::config::wrapper::{self, MOVED_KEYS};

/// The properties of `profile`'s sections in a config file, in file order.
fn properties<'r>(raw: &'r RawFile, profile: &str) -> Vec<&'r RawProperty> {
    let prefixed = has_prefixed_default(FileKind::Config, raw.sections.iter().map(|s| s.header));
    raw.sections
        .iter()
        .filter(|s| effective_profile(FileKind::Config, s.header, prefixed) == Some(profile))
        .flat_map(|s| raw.properties_of(s))
        .collect()
}

fn eol_of(text: &str) -> &'static str {
    match text.split_inclusive('\n').next() {
        Some(l) if l.ends_with("\r\n") => "\r\n",
        _ => "\n",
    }
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

/// Apply `(start, end, replacement)` splices, which do not overlap.
fn splice(text: &str, mut edits: Vec<(usize, usize, String)>) -> String {
    // An insertion (empty range) goes before a replacement starting at the same place.
    edits.sort_by_key(|e| (e.0, e.1));
    let mut out = String::with_capacity(text.len() + 128);
    let mut cursor = 0;
    for (start, end, with) in edits {
        out.push_str(&text[cursor..start]);
        out.push_str(&with);
        cursor = end;
    }
    out.push_str(&text[cursor..]);
    out
}

/// `text` with `profile` adopted: its role keys under mfatui's names and `credential_process =
/// line` above the first of them.
pub fn adopt_text(text: &str, profile: &str, line: &str) -> Result<String, AdoptError> {
    let raw = parser::parse(text);
    let props = properties(&raw, profile);
    let mut edits = Vec::new();
    let mut first: Option<usize> = None;
    for p in &props {
        let key = raw.str(p.key);
        if key == "credential_process" || wrapper::MOVED_KEYS.iter().any(|(_, m)| *m == key) {
            return Err(AdoptError::Occupied { profile: profile.into(), key: key.into() });
        }
        if MOVED_KEYS.iter().any(|(k, _)| *k == key) {
            if p.key.in_arena() {
                // Written with capitals: the key's bytes are not where the parser read them.
                return Err(AdoptError::Spelling { profile: profile.into(), key: key.into() });
            }
            let r = p.key.range();
            first = Some(first.map_or(r.start, |f| f.min(r.start)));
            edits.push((r.start, r.end, format!("mfatui_{key}")));
        }
    }
    let Some(first) = first else { return Err(AdoptError::NoRoleKeys(profile.into())) };
    let at = line_start(text, first);
    edits.push((at, at, format!("credential_process = {line}{}", eol_of(text))));
    Ok(splice(text, edits))
}

/// `text` with `profile`'s adoption undone: the wrapper line removed and the keys renamed back.
pub fn undo_text(text: &str, profile: &str) -> Result<String, AdoptError> {
    let raw = parser::parse(text);
    let mut edits = Vec::new();
    let mut wrapper_line = false;
    for p in properties(&raw, profile) {
        let key = raw.str(p.key);
        if key == "credential_process" {
            if wrapper::wrapped_profile(raw.str(p.value)).as_deref() != Some(profile) || p.value.in_arena() {
                return Err(AdoptError::NotAdopted(profile.into()));
            }
            let start = line_start(text, p.key.range().start);
            edits.push((start, line_end(text, p.value.range().end), String::new()));
            wrapper_line = true;
        } else if let Some(original) = key.strip_prefix("mfatui_").filter(|k| wrapper::moved_name(k).is_some()) {
            let r = p.key.range();
            edits.push((r.start, r.end, original.to_string()));
        }
    }
    if !wrapper_line || edits.len() < 2 {
        return Err(AdoptError::NotAdopted(profile.into()));
    }
    Ok(splice(text, edits))
}

/// The lines of `profile`'s sections in a config file, from each header to its last setting:
/// what the confirmation shows before and after.
pub fn section_text(text: &str, profile: &str) -> String {
    let raw = parser::parse(text);
    let prefixed = has_prefixed_default(FileKind::Config, raw.sections.iter().map(|s| s.header));
    let starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let at_line = |line: usize| starts.get(line.saturating_sub(1)).copied().unwrap_or(text.len());
    let mut out = String::new();
    for s in raw.sections.iter().filter(|s| effective_profile(FileKind::Config, s.header, prefixed) == Some(profile)) {
        let start = at_line(s.line);
        let end = raw
            .properties_of(s)
            .iter()
            .map(|p| {
                if p.value.in_arena() {
                    line_end(text, at_line(p.line as usize))
                } else {
                    line_end(text, p.value.range().end)
                }
            })
            .max()
            .unwrap_or_else(|| line_end(text, start));
        out.push_str(&text[start..end].trim_end_matches(['\n', '\r']).replace("\r\n", "\n"));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = "/opt/bin/mfatui credential-process prod-admin";

    #[test]
    fn undo_after_adopt_gives_back_every_byte() {
        let texts = [
            "[profile u]\nregion = eu-west-1\n\n[profile prod-admin]\n# the admin role\nrole_arn = arn:aws:iam::1:role/a\nsource_profile=u\r\nmfa_serial   =   arn:aws:iam::1:mfa/u  ; mine\nregion = us-east-1\n\n[profile other]\nrole_arn = x\n",
            "[profile prod-admin]\r\nregion = eu-west-1\r\nrole_arn = arn:aws:iam::1:role/a\r\nexternal_id = e\r\nduration_seconds = 900\r\nrole_session_name = me\r\ncredential_source = Environment",
            "[profile prod-admin]\nrole_arn = a\n[profile u]\nx = 1\n[profile prod-admin]\nsource_profile = u\nrole_arn = b\n",
            "[profile prod-admin]\ns3 =\n  max_concurrent_requests = 2\nrole_arn = a\nsource_profile = u",
        ];
        for text in texts {
            let adopted = adopt_text(text, "prod-admin", LINE).unwrap();
            assert_ne!(adopted, text);
            for (k, _) in MOVED_KEYS {
                assert!(
                    !section_text(&adopted, "prod-admin")
                        .lines()
                        .any(|l| l.starts_with(&format!("{k} ")) || l.starts_with(&format!("{k}="))),
                    "{k} left in {adopted}"
                );
            }
            assert_eq!(undo_text(&adopted, "prod-admin").unwrap(), text);
            // Other profiles' bytes are untouched.
            assert_eq!(section_text(&adopted, "other"), section_text(text, "other"));
        }
    }

    #[test]
    fn the_wrapper_line_goes_above_the_first_role_key_with_the_files_line_ending() {
        let text = "[profile prod-admin]\r\nregion = eu-west-1\r\nrole_arn = a\r\nsource_profile = u\r\n";
        let adopted = adopt_text(text, "prod-admin", LINE).unwrap();
        assert_eq!(
            adopted,
            format!(
                "[profile prod-admin]\r\nregion = eu-west-1\r\ncredential_process = {LINE}\r\nmfatui_role_arn = a\r\nmfatui_source_profile = u\r\n"
            )
        );
        assert_eq!(
            section_text(&adopted, "prod-admin"),
            format!(
                "[profile prod-admin]\nregion = eu-west-1\ncredential_process = {LINE}\nmfatui_role_arn = a\nmfatui_source_profile = u\n"
            )
        );
    }

    #[test]
    fn sections_undo_could_not_give_back_are_refused() {
        let occupied = "[profile p]\nrole_arn = a\ncredential_process = /bin/x\n";
        assert!(matches!(adopt_text(occupied, "p", LINE), Err(AdoptError::Occupied { .. })));
        let moved = "[profile p]\nrole_arn = a\nmfatui_external_id = e\n";
        assert!(matches!(adopt_text(moved, "p", LINE), Err(AdoptError::Occupied { .. })));
        assert!(matches!(adopt_text("[profile p]\nRole_Arn = a\n", "p", LINE), Err(AdoptError::Spelling { .. })));
        assert!(matches!(adopt_text("[profile p]\nregion = a\n", "p", LINE), Err(AdoptError::NoRoleKeys(_))));
        assert!(matches!(undo_text("[profile p]\nrole_arn = a\n", "p"), Err(AdoptError::NotAdopted(_))));
        let other = "[profile p]\ncredential_process = mfatui credential-process q\nmfatui_role_arn = a\n";
        assert!(matches!(undo_text(other, "p"), Err(AdoptError::NotAdopted(_))));
    }
}
