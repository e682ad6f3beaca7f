//! mfatui's own `credential_process` line: writing it so every SDK runs the same command, and
//! recognising it in a profile, so a profile that answers through mfatui is understood as the
//! profile it names (an alias, an adopted role, or a user whose keys are in the vault) instead of
//! as an opaque process.
//!
//! The SDKs disagree on how the line is read: botocore splits it with shlex, the Rust, Go and
//! JavaScript SDKs hand it to `sh -c`, and the INI readers differ on inline comments (the JS
//! SDK's drops text after ` #` or ` ;`, botocore's keeps it). A line that contains neither and
//! is quoted for a POSIX shell reads the same everywhere; anything else is refused.

/// The role settings `mfatui adopt` moves out of the SDKs' sight, and the names they keep in
/// the same section. Every one of them has to move: botocore and the JavaScript SDK assume a
/// profile with `role_arn` or `source_profile` as a role even next to `credential_process`, and
/// the Go SDK refuses `source_profile` with `credential_process`. The `mfatui_` names are
/// unknown keys, which every SDK ignores; mfatui reads them back under the original names
/// (`Section::get`), so an adopted profile is the role it was.
pub const MOVED_KEYS: [(&str, &str); 7] = [
    ("role_arn", "mfatui_role_arn"),
    ("source_profile", "mfatui_source_profile"),
    ("credential_source", "mfatui_credential_source"),
    ("mfa_serial", "mfatui_mfa_serial"),
    ("external_id", "mfatui_external_id"),
    ("duration_seconds", "mfatui_duration_seconds"),
    ("role_session_name", "mfatui_role_session_name"),
];

/// The key an adopted section holds `key` under, when `key` is one that adoption moves.
pub fn moved_name(key: &str) -> Option<&'static str> {
    MOVED_KEYS.iter().find(|(k, _)| *k == key).map(|(_, m)| *m)
}

/// What a profile whose `credential_process` is mfatui's own wrapper is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wrapped {
    /// It names another profile: an alias of that profile (the README's recipe).
    Alias(String),
    /// It names itself and holds the role settings `mfatui adopt` moved: the role it was.
    Adopted,
    /// It names itself without role settings: an IAM user whose keys mfatui keeps elsewhere
    /// (the vault's case). Not an alias, and not a loop.
    OwnKeys,
}

/// How profile `name` uses mfatui's wrapper; `None` for any other (or no) process.
/// `has_moved_role`: the section holds `mfatui_role_arn` (adoption always moves `role_arn`).
pub fn classify(name: &str, credential_process: Option<&str>, has_moved_role: bool) -> Option<Wrapped> {
    let target = wrapped_profile(credential_process?)?;
    Some(if target != name {
        Wrapped::Alias(target)
    } else if has_moved_role {
        Wrapped::Adopted
    } else {
        Wrapped::OwnKeys
    })
}

/// Why mfatui will not write a `credential_process` line for a profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WrapperError {
    #[error(
        "the profile name `{profile}` cannot go into a credential_process line that every SDK reads alike ({why}); rename the profile"
    )]
    Name { profile: String, why: &'static str },
    #[error(
        "the path of mfatui, {program}, cannot go into a credential_process line that every SDK reads alike ({why}); install mfatui on PATH or in a folder without such characters"
    )]
    Program { program: String, why: &'static str },
}

/// Characters that make one reader see something else than another.
fn unsafe_why(text: &str) -> Option<&'static str> {
    if text.chars().any(char::is_control) {
        return Some("it holds a control character");
    }
    let bytes = text.as_bytes();
    let comment = bytes.windows(2).any(|w| w[0].is_ascii_whitespace() && (w[1] == b'#' || w[1] == b';'));
    if comment || text.starts_with('#') || text.starts_with(';') {
        return Some("the JavaScript SDK reads ` #` or ` ;` as the start of a comment");
    }
    None
}

fn quote(s: &str) -> String {
    shlex::try_quote(s).map(|c| c.into_owned()).unwrap_or_else(|_| s.to_string())
}

/// `PROGRAM credential-process PROFILE`, quoted so shlex and `sh -c` both give the three words back.
pub fn command(program: &str, profile: &str) -> Result<String, WrapperError> {
    if let Some(why) = unsafe_why(profile) {
        return Err(WrapperError::Name { profile: crate::sanitize::for_terminal(profile).into_owned(), why });
    }
    if let Some(why) = unsafe_why(program) {
        return Err(WrapperError::Program { program: crate::sanitize::for_terminal(program).into_owned(), why });
    }
    let line = format!("{} credential-process {}", quote(program), quote(profile));
    match unsafe_why(&line) {
        // Quoting can add spaces next to `#` (a name starting with `#`): the line is what is read.
        Some(why) => Err(WrapperError::Name { profile: crate::sanitize::for_terminal(profile).into_owned(), why }),
        None => Ok(line),
    }
}

/// The profile an mfatui `credential_process` line answers for: `X` in `…/mfatui
/// credential-process X`; `None` for any other command.
pub fn wrapped_profile(command: &str) -> Option<String> {
    let words = shlex::split(command)?;
    let [program, verb, profile] = words.as_slice() else { return None };
    let name = std::path::Path::new(program).file_name()?.to_str()?;
    // `mfatui`, or a copy of it installed under a longer name (`mfatui-0.2`, `mfatui.exe`): `adopt`
    // writes the path of the binary that runs it, whatever it is called.
    (name.starts_with("mfatui") && verb == "credential-process" && !profile.is_empty()).then(|| profile.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_splits_back_into_the_same_words() {
        let line = command("/opt/my tools/mfatui", "dev admin").unwrap();
        assert_eq!(shlex::split(&line).unwrap(), ["/opt/my tools/mfatui", "credential-process", "dev admin"]);
        assert_eq!(command("mfatui", "prod").unwrap(), "mfatui credential-process prod");
        assert_eq!(wrapped_profile(&line).as_deref(), Some("dev admin"));
        assert_eq!(wrapped_profile("mfatui credential-process prod").as_deref(), Some("prod"));
        assert_eq!(wrapped_profile("/usr/local/bin/mfatui credential-process 'a b'").as_deref(), Some("a b"));
        assert_eq!(wrapped_profile("/opt/mfatui-0.2 credential-process p").as_deref(), Some("p"), "a renamed copy");
    }

    #[test]
    fn names_the_readers_disagree_on_are_refused() {
        for bad in ["a #b", "a ;b", "#a", ";a", "a\tb#", "x\u{7}"] {
            assert!(command("mfatui", bad).is_err(), "{bad:?}");
        }
        assert!(matches!(command("/home/me/my #bin/mfatui", "a"), Err(WrapperError::Program { .. })));
        // `#` or `;` inside a word is literal for every reader.
        assert!(command("mfatui", "a#b;c").is_ok());
    }

    #[test]
    fn other_commands_are_not_mfatui() {
        for other in [
            "/bin/get-creds",
            "aws-vault exec x --json",
            "mfatui credential-process",
            "mfatui exec prod",
            "mfatui credential-process a b",
            "notmfatui credential-process a",
            "'unterminated",
        ] {
            assert_eq!(wrapped_profile(other), None, "{other}");
        }
    }
}
