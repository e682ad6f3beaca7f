//! Lossless edits of single settings in the user's own profile sections: removing a setting's
//! line (the vault import takes the two key lines out of `~/.aws/credentials`), and setting one
//! (the `credential_process` line that sends the AWS CLI to mfatui). Every other byte stays.

use crate::config::parser::{self, is_identifier};
use crate::config::sections::{FileKind, effective_profile, has_prefixed_default};
use crate::edit::EditError;

fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

fn eol_of(text: &str) -> &'static str {
    match text.split_inclusive('\n').next() {
        Some(l) if l.ends_with("\r\n") => "\r\n",
        _ => "\n",
    }
}

/// Remove every line setting one of `keys` in `profile`'s sections. A value continued on
/// indented lines is refused (its extra lines would be left behind).
pub fn remove_profile_settings(text: &str, kind: FileKind, profile: &str, keys: &[&str]) -> Result<String, EditError> {
    let raw = parser::parse(text);
    let prefixed_default = has_prefixed_default(kind, raw.sections.iter().map(|s| s.header));
    let mut drop = Vec::new();
    for s in raw.sections.iter().filter(|s| effective_profile(kind, s.header, prefixed_default) == Some(profile)) {
        for p in raw.properties_of(s) {
            let key = raw.str(p.key);
            if keys.contains(&key) {
                if p.value.in_arena() {
                    return Err(EditError::MultiLine { profile: profile.into(), key: key.into() });
                }
                // Indented lines after it continue it (or nest under it): they go too.
                let first = p.line as usize - 1;
                let all = lines(text);
                let mut last = first;
                while all.get(last + 1).is_some_and(|l| l.starts_with([' ', '\t']) && !l.trim().is_empty()) {
                    last += 1;
                }
                drop.extend(first..=last);
            }
        }
    }
    Ok(lines(text).iter().enumerate().filter(|(i, _)| !drop.contains(i)).map(|(_, l)| *l).collect())
}

/// Set `key = value` in `profile`'s section: the existing value replaced where the SDKs read
/// it, else a line added after the section's last setting, else a new section at the end.
pub fn set_profile_setting(
    text: &str,
    kind: FileKind,
    profile: &str,
    key: &str,
    value: &str,
) -> Result<String, EditError> {
    if !is_identifier(key) {
        return Err(EditError::InvalidKey(key.into()));
    }
    if value.contains(['\n', '\r']) || value.trim() != value || value.is_empty() {
        return Err(EditError::BadValue(key.into()));
    }
    let raw = parser::parse(text);
    let prefixed_default = has_prefixed_default(kind, raw.sections.iter().map(|s| s.header));
    let ours: Vec<_> =
        raw.sections.iter().filter(|s| effective_profile(kind, s.header, prefixed_default) == Some(profile)).collect();
    let eol = eol_of(text);
    let mut all = lines(text);
    if let Some(existing) = ours.iter().flat_map(|s| raw.properties_of(s)).rfind(|p| raw.str(p.key) == key) {
        if existing.value.in_arena() {
            return Err(EditError::MultiLine { profile: profile.into(), key: key.into() });
        }
        let i = existing.line as usize - 1;
        let line = all[i];
        let ending = if line.ends_with("\r\n") {
            "\r\n"
        } else if line.ends_with('\n') {
            "\n"
        } else {
            ""
        };
        let indent: String = line.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
        let new = format!("{indent}{key} = {value}{ending}");
        let mut out: String = all[..i].concat();
        out.push_str(&new);
        out.push_str(&all[i + 1..].concat());
        return Ok(out);
    }
    let new_line = format!("{key} = {value}{eol}");
    if let Some(last) = ours.last() {
        // After the section's last setting (or its header), before comments describing the next.
        let after = raw.properties_of(last).last().map_or(last.line, |p| p.line as usize);
        let mut out: String = all[..after].concat();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(eol);
        }
        out.push_str(&new_line);
        out.push_str(&all[after..].concat());
        return Ok(out);
    }
    let header = match kind {
        FileKind::Config if profile != "default" => format!("[profile {profile}]"),
        _ => format!("[{profile}]"),
    };
    let mut out: String = all.drain(..).collect();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push_str(eol);
    }
    if !out.trim().is_empty() {
        out.push_str(eol);
    }
    out.push_str(&format!("{header}{eol}{new_line}"));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CREDS: &str = "# mine\n[alice]\naws_access_key_id = AKIAX  \r\naws_secret_access_key=abc ; note\nregion = eu-west-1\n\n[bob]\naws_access_key_id = B\n";

    #[test]
    fn the_key_lines_go_and_every_other_byte_stays() {
        let out = remove_profile_settings(
            CREDS,
            FileKind::Credentials,
            "alice",
            &["aws_access_key_id", "aws_secret_access_key"],
        )
        .unwrap();
        assert_eq!(out, "# mine\n[alice]\nregion = eu-west-1\n\n[bob]\naws_access_key_id = B\n");
        let multi = "[alice]\naws_secret_access_key =\n  abc\nregion = x\n";
        let out = remove_profile_settings(multi, FileKind::Credentials, "alice", &["aws_secret_access_key"]);
        assert!(out.as_ref().is_ok_and(|o| o == "[alice]\nregion = x\n") || out.is_err(), "{out:?}");
        assert_ne!(out.ok().as_deref(), Some("[alice]\n  abc\nregion = x\n"), "no continuation line is left behind");
    }

    #[test]
    fn a_setting_is_replaced_added_or_given_a_section() {
        let cfg = "[profile alice]\nregion = eu-west-1\n# about bob\n[profile bob]\n";
        let added = set_profile_setting(
            cfg,
            FileKind::Config,
            "alice",
            "credential_process",
            "mfatui credential-process alice",
        )
        .unwrap();
        assert_eq!(
            added,
            "[profile alice]\nregion = eu-west-1\ncredential_process = mfatui credential-process alice\n# about bob\n[profile bob]\n"
        );
        let again = set_profile_setting(&added, FileKind::Config, "alice", "credential_process", "x y").unwrap();
        assert!(again.contains("credential_process = x y\n# about bob"), "{again}");
        let new = set_profile_setting("[default]\nregion = x", FileKind::Config, "carol", "k", "v").unwrap();
        assert_eq!(new, "[default]\nregion = x\n\n[profile carol]\nk = v\n");
        assert_eq!(set_profile_setting("", FileKind::Credentials, "c", "k", "v").unwrap(), "[c]\nk = v\n");
        assert!(set_profile_setting(cfg, FileKind::Config, "alice", "k", "a\nb").is_err());
    }
}
