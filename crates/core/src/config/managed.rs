//! Which sections mfatui wrote: each starts with its marker line. The reader needs this (so
//! managed sections are not taken for the user's own profiles) as much as the writer, so it lives
//! with the config, and the writer uses it from here.

use super::parser;
use super::sections::{FileKind, profile_name};

/// The first line of every section mfatui writes, so users know not to edit it.
pub const MANAGED_MARKER: &str = "# Managed by mfatui: rewritten automatically; edits to this section are lost.";

/// The profiles mfatui wrote in a file of this kind (their section starts with its marker).
pub fn managed_profiles(text: &str, kind: FileKind) -> impl Iterator<Item = String> {
    managed_sections(text).into_iter().filter_map(move |h| profile_name(kind, &h).map(str::to_string))
}

/// Names of the sections in `text` whose first line after the header is the managed marker.
/// Found from the markers (a substring search) rather than by reading every line again: the
/// parser has just read them all.
pub fn managed_sections(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices(MANAGED_MARKER) {
        let after = &text[at + MANAGED_MARKER.len()..];
        let whole_line = matches!(after.as_bytes().first(), None | Some(b'\n') | Some(b'\r'))
            && after.trim_start_matches('\r').as_bytes().first().is_none_or(|b| *b == b'\n');
        // The marker's own line starts right after a newline, and the header is the line before.
        let Some(before) = text[..at].strip_suffix('\n') else { continue };
        if !whole_line {
            continue;
        }
        let before = before.strip_suffix('\r').unwrap_or(before);
        let line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
        if let Some(header) = parser::header_of(line) {
            out.push(header.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_found_by_their_marker_line_whatever_the_line_endings() {
        let text = format!(
            "[profile a]\n{MANAGED_MARKER}\nx = 1\n[profile b]\r\n{MANAGED_MARKER}\r\n[profile c]\nregion = x\n{MANAGED_MARKER}\n\
             [profile d]\n{MANAGED_MARKER} and more\n[e]\n{MANAGED_MARKER}"
        );
        assert_eq!(managed_sections(&text), ["profile a", "profile b", "e"]);
    }
}
