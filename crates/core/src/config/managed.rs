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
pub fn managed_sections(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').map(|l| l.trim_end_matches(['\n', '\r'])).collect();
    (0..lines.len())
        .filter_map(|i| {
            let header = parser::header_of(lines[i])?;
            (lines.get(i + 1) == Some(&MANAGED_MARKER)).then(|| header.to_string())
        })
        .collect()
}
