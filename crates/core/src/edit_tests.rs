use super::*;
use proptest::prelude::*;

const PAIRS: &[(&str, &str)] = &[("aws_access_key_id", "ASIAEXAMPLE"), ("aws_secret_access_key", "s3cr3t/+=")];

#[test]
fn untouched_file_round_trips_byte_for_byte() {
    let text =
        "# mine\r\n[default]\r\naws_access_key_id=AKIA  \r\n\r\n;x\r\n[p]  # c\r\n  k   =   v\r\ns3 =\r\n  a = b";
    assert_eq!(remove_section(text, "p-mfa"), text);
    let added = upsert_section(text, "p-mfa", PAIRS).unwrap();
    assert!(added.starts_with(text), "appending never rewrites what is there");
    assert_eq!(remove_section(&added, "p-mfa"), format!("{text}\r\n"), "only the missing final newline remains");
}

#[test]
fn new_sections_use_the_files_line_ending_and_one_blank_separator() {
    let out = upsert_section("[a]\r\nk = v\r\n", "a-mfa", PAIRS).unwrap();
    assert_eq!(
        out,
        format!(
            "[a]\r\nk = v\r\n\r\n[a-mfa]\r\n{MANAGED_MARKER}\r\naws_access_key_id = ASIAEXAMPLE\r\naws_secret_access_key = s3cr3t/+=\r\n"
        )
    );
    assert_eq!(upsert_section("", "x", &[]).unwrap(), format!("[x]\n{MANAGED_MARKER}\n"));
}

#[test]
fn replacing_keeps_the_users_comments_before_the_next_section() {
    let text = format!("[a-mfa]\n{MANAGED_MARKER}\nold = 1\n\n# about b\n[b]\nk = v\n");
    let out = upsert_section(&text, "a-mfa", &[("new", "2")]).unwrap();
    assert_eq!(out, format!("[a-mfa]\n{MANAGED_MARKER}\nnew = 2\n\n# about b\n[b]\nk = v\n"));
    assert_eq!(remove_section(&text, "a-mfa"), "# about b\n[b]\nk = v\n");
}

#[test]
fn a_section_emptied_by_hand_does_not_grow_markers() {
    let text = format!("[a-mfa]\n{MANAGED_MARKER}\n# user note\n[b]\n");
    let out = upsert_section(&text, "a-mfa", &[("k", "v")]).unwrap();
    assert_eq!(out, format!("[a-mfa]\n{MANAGED_MARKER}\nk = v\n# user note\n[b]\n"));
}

#[test]
fn duplicates_of_an_owned_section_collapse_into_the_first() {
    let text = "[x]\na = 1\n[keep]\nk = v\n[ x ]\nb = 2\n";
    assert_eq!(
        upsert_section(text, "x", &[("c", "3")]).unwrap(),
        format!("[x]\n{MANAGED_MARKER}\nc = 3\n[keep]\nk = v\n")
    );
}

#[test]
fn header_matching_follows_the_parser() {
    // `[profile  x ] ; c` is the same section as `profile x`.
    let text = "[profile  x ] ; c\na = 1\n";
    assert_eq!(upsert_section(text, "profile x", &[]).unwrap(), format!("[profile x]\n{MANAGED_MARKER}\n"));
    assert_eq!(remove_section(text, "x"), text, "`x` and `profile x` differ");
}

#[test]
fn values_that_cannot_be_stored_are_refused() {
    assert_eq!(upsert_section("", "x", &[("k", "a\nb")]), Err(EditError::BadValue("k".into())));
    assert_eq!(upsert_section("", "x", &[("k", " a")]), Err(EditError::BadValue("k".into())));
    assert_eq!(upsert_section("", "x", &[("a b", "v")]), Err(EditError::InvalidKey("a b".into())));
    assert!(matches!(upsert_section("", "x]", &[]), Err(EditError::InvalidHeader(_))));
}

#[test]
fn managed_sections_are_found_by_their_marker() {
    let text = format!("[a]\nk=v\n[b-mfa]\n{MANAGED_MARKER}\n[c]\n# Managed by someone else\n");
    assert_eq!(managed_sections(&text), vec!["b-mfa"]);
}

// --- properties -------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Segment {
    User(String),
    Owned(String, String),
}

fn eol() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("\n"), Just("\r\n")]
}

fn user_line() -> impl Strategy<Value = String> {
    let body = prop_oneof![
        "[a-z]{1,6} = [A-Za-z0-9/+=]{0,10}",
        "[a-z]{1,6}=[a-z#;]{1,6}",
        "  [a-z]{1,4}   =   [a-z]{1,4}  ",
        "# [ -~]{0,20}",
        "; [a-z ]{0,10}",
        Just(String::new()),
        Just("   ".to_string()),
        "  [a-z]{1,5} = [a-z]{1,5}",
    ];
    (body, eol()).prop_map(|(b, e)| format!("{b}{e}"))
}

fn user_segment() -> impl Strategy<Value = Segment> {
    let lead = prop::collection::vec(prop_oneof!["# [a-z ]{0,12}", Just(String::new())], 0..3);
    let header = prop_oneof!["\\[user-[a-z]{1,4}\\]", "\\[profile user-[a-z]{1,4}\\]", "\\[ user-[a-z]{1,3} \\] # c"];
    (lead, header, eol(), prop::collection::vec(user_line(), 0..5)).prop_map(|(lead, h, e, body)| {
        let mut s: String = lead.into_iter().map(|l| format!("{l}{e}")).collect();
        s.push_str(&h);
        s.push_str(e);
        s.extend(body);
        Segment::User(s)
    })
}

fn owned_segment() -> impl Strategy<Value = Segment> {
    (0..3usize, eol(), prop::collection::vec(("[a-z_]{1,8}", "[A-Za-z0-9]{1,8}", any::<bool>()), 1..4)).prop_map(
        |(n, e, props)| {
            let name = format!("own-{n}");
            let mut s = format!("[{name}]{e}{MANAGED_MARKER}{e}");
            for (k, v, tight) in props {
                s.push_str(&if tight { format!("{k}={v}{e}") } else { format!("{k} = {v}{e}") });
            }
            Segment::Owned(name, s)
        },
    )
}

fn file() -> impl Strategy<Value = (Vec<Segment>, bool)> {
    let seg = prop_oneof![3 => user_segment(), 1 => owned_segment()];
    (prop::collection::vec(seg, 0..7), any::<bool>())
}

fn join(segs: &[Segment], strip_final_newline: bool) -> String {
    let mut s: String = segs
        .iter()
        .map(|g| match g {
            Segment::User(t) | Segment::Owned(_, t) => t.as_str(),
        })
        .collect();
    // Strip one terminator only, keeping the file otherwise identical.
    if strip_final_newline && s.ends_with('\n') {
        let cut = if s.ends_with("\r\n") { 2 } else { 1 };
        s.truncate(s.len() - cut);
    }
    s
}

fn upsert_oracle(segs: &[Segment], text: &str, name: &str, pairs: &[(&str, &str)]) -> String {
    let eol = if text.split_inclusive('\n').next().is_some_and(|l| l.ends_with("\r\n")) { "\r\n" } else { "\n" };
    let block = render(name, pairs, eol).unwrap();
    if !segs.iter().any(|g| matches!(g, Segment::Owned(n, _) if n == name)) {
        let mut out = text.to_string();
        if !text.is_empty() {
            if !text.ends_with('\n') {
                out.push_str(eol);
            }
            out.push_str(eol);
        }
        return out + &block;
    }
    // Segments were joined whole, so byte offsets line up; rebuild from the joined text to
    // respect a stripped final newline.
    let mut out = String::new();
    let mut offset = 0;
    let mut placed = false;
    for g in segs {
        let (t, owned) = match g {
            Segment::User(t) => (t, false),
            Segment::Owned(n, t) => (t, n == name),
        };
        let end = (offset + t.len()).min(text.len());
        let piece = &text[offset..end];
        offset = end;
        if !owned {
            out.push_str(piece);
        } else if !placed {
            out.push_str(&block);
            placed = true;
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn upsert_changes_only_the_owned_section(
        (segs, strip) in file(),
        n in 0..3usize,
        pairs in prop::collection::vec(("[a-z_]{1,8}", "[A-Za-z0-9/+=]{1,12}"), 0..4),
    ) {
        let text = join(&segs, strip);
        let name = format!("own-{n}");
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let got = upsert_section(&text, &name, &pairs).unwrap();
        prop_assert_eq!(got, upsert_oracle(&segs, &text, &name, &pairs));
    }

    #[test]
    fn add_then_remove_restores_the_file_exactly(
        segs in prop::collection::vec(user_segment(), 0..6),
        ops in prop::collection::vec((0..3usize, "[A-Za-z0-9]{1,10}"), 1..8),
    ) {
        let original = join(&segs, false);
        let mut text = original.clone();
        for (n, v) in &ops {
            text = upsert_section(&text, &format!("own-{n}"), &[("k", v.as_str())]).unwrap();
            prop_assert!(text.starts_with(&original));
        }
        for n in 0..3 {
            text = remove_section(&text, &format!("own-{n}"));
        }
        prop_assert_eq!(text, original);
    }

    #[test]
    fn remove_keeps_every_user_line((segs, strip) in file(), n in 0..3usize) {
        let text = join(&segs, strip);
        let name = format!("own-{n}");
        let got = remove_section(&text, &name);
        let non_blank = |s: &str| -> Vec<String> {
            s.split_inclusive('\n').filter(|l| !l.trim().is_empty()).map(|l| l.trim_end_matches(['\n', '\r']).to_string()).collect()
        };
        let expected: String = segs.iter().filter(|g| !matches!(g, Segment::Owned(m, _) if *m == name))
            .map(|g| match g { Segment::User(t) | Segment::Owned(_, t) => t.as_str() }).collect();
        prop_assert_eq!(non_blank(&got), non_blank(&expected));
        prop_assert!(managed_sections(&got).iter().all(|m| *m != name));
    }
}

// --- the user's own keys ------------------------------------------------------------------------

const NEW: &[(&str, &str)] =
    &[("aws_access_key_id", "AKIANEW0000000000002"), ("aws_secret_access_key", "new/secret+2")];

#[test]
fn only_the_values_of_the_users_keys_change() {
    let text = "# mine\r\n[alice]  # me\r\nAWS_Access_Key_Id   =   AKIAOLD  # old one\r\nregion=eu-west-1\r\n\
                aws_secret_access_key=old/secret ;x\r\n\r\n[bob]\r\naws_access_key_id = AKIABOB\r\n";
    let out = replace_profile_values(text, FileKind::Credentials, "alice", NEW).unwrap();
    assert_eq!(
        out,
        "# mine\r\n[alice]  # me\r\nAWS_Access_Key_Id   =   AKIANEW0000000000002  # old one\r\nregion=eu-west-1\r\n\
         aws_secret_access_key=new/secret+2 ;x\r\n\r\n[bob]\r\naws_access_key_id = AKIABOB\r\n"
    );
}

#[test]
fn the_occurrence_the_sdk_reads_is_the_one_written() {
    // Repeated sections merge and a later value wins; `[profile alice]` is not a profile in the
    // credentials file, nor `[alice]` in the config file.
    let text = "[alice]\naws_access_key_id = A1\naws_secret_access_key = S1\n[profile alice]\naws_access_key_id = D\n\
                [alice]\naws_access_key_id = A2\n";
    let out = replace_profile_values(text, FileKind::Credentials, "alice", NEW).unwrap();
    assert_eq!(
        out,
        "[alice]\naws_access_key_id = A1\naws_secret_access_key = new/secret+2\n[profile alice]\naws_access_key_id = D\n\
         [alice]\naws_access_key_id = AKIANEW0000000000002\n"
    );
    let config = "[alice]\naws_access_key_id = D\n[profile alice]\naws_access_key_id = A\naws_secret_access_key = S\n";
    let out = replace_profile_values(config, FileKind::Config, "alice", NEW).unwrap();
    assert!(out.starts_with("[alice]\naws_access_key_id = D\n[profile alice]\naws_access_key_id = AKIANEW"), "{out}");
    // `[profile default]` hides `[default]` in the config file.
    let config = "[default]\naws_access_key_id = D\naws_secret_access_key = D\n[profile default]\n\
                  aws_access_key_id = A\naws_secret_access_key = S\n";
    let out = replace_profile_values(config, FileKind::Config, "default", NEW).unwrap();
    assert!(out.starts_with("[default]\naws_access_key_id = D\naws_secret_access_key = D\n"), "{out}");
}

#[test]
fn missing_continued_and_unstorable_values_are_refused() {
    let text = "[alice]\naws_access_key_id = A\n";
    let missing = replace_profile_values(text, FileKind::Credentials, "alice", NEW).unwrap_err();
    assert_eq!(missing, EditError::MissingSetting { profile: "alice".into(), key: "aws_secret_access_key".into() });
    let continued = "[alice]\naws_access_key_id = A\n  more\naws_secret_access_key = S\n";
    let err = replace_profile_values(continued, FileKind::Credentials, "alice", NEW).unwrap_err();
    assert!(matches!(err, EditError::MultiLine { .. }), "{err}");
    let both = "[alice]\naws_access_key_id = A\naws_secret_access_key = S\n";
    for bad in ["a b", "", "#x", "a\nb"] {
        let err = replace_profile_values(both, FileKind::Credentials, "alice", &[("aws_access_key_id", bad)]);
        assert_eq!(err, Err(EditError::BadValue("aws_access_key_id".into())), "{bad:?}");
    }
}

#[test]
fn the_file_that_holds_the_keys_is_written_and_no_other() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let paths = AwsPaths { config: dir.path().join("config"), credentials: dir.path().join("credentials") };
    let config = "[profile alice]\nregion = eu-west-1\naws_access_key_id = A\naws_secret_access_key = S\n";
    let credentials = "[bob]\naws_access_key_id = B\naws_secret_access_key = T\n";
    std::fs::write(&paths.config, config).unwrap();
    std::fs::write(&paths.credentials, credentials).unwrap();
    assert_eq!(update_profile_values(&paths, "alice", NEW).unwrap(), paths.config);
    let written = std::fs::read_to_string(&paths.config).unwrap();
    assert_eq!(written, config.replace("= A\n", "= AKIANEW0000000000002\n").replace("= S\n", "= new/secret+2\n"));
    assert_eq!(std::fs::metadata(&paths.config).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::read_to_string(&paths.credentials).unwrap(), credentials);
    // The credentials file wins over the config file, as in the SDKs.
    std::fs::write(
        &paths.credentials,
        format!("{credentials}[alice]\naws_access_key_id = C\naws_secret_access_key = D\n"),
    )
    .unwrap();
    assert_eq!(update_profile_values(&paths, "alice", NEW).unwrap(), paths.credentials);
    // Split between the files: refused, nothing written.
    std::fs::write(&paths.credentials, "[alice]\naws_access_key_id = C\n").unwrap();
    let err = update_profile_values(&paths, "alice", NEW).unwrap_err().to_string();
    assert!(err.contains("split between"), "{err}");
    assert_eq!(std::fs::read_to_string(&paths.credentials).unwrap(), "[alice]\naws_access_key_id = C\n");
    let err = update_profile_values(&paths, "carol", NEW).unwrap_err().to_string();
    assert!(err.contains("profile carol has no `aws_access_key_id`"), "{err}");
}

/// A line of the target profile: any user line, or one of its two keys as `prefix value suffix`.
#[derive(Debug, Clone)]
enum KeyLine {
    Other(String),
    Key { which: usize, prefix: String, value: String, suffix: String },
}

fn key_line() -> impl Strategy<Value = KeyLine> {
    let key = (0..2usize, any::<u8>()).prop_map(|(which, case)| {
        let name = ["aws_access_key_id", "aws_secret_access_key"][which];
        let upper = |(i, c): (usize, char)| if case & (1 << (i % 8)) != 0 { c.to_ascii_uppercase() } else { c };
        (which, name.chars().enumerate().map(upper).collect::<String>())
    });
    let tail = prop_oneof![Just(String::new()), "[ \t]{1,3}", " # [a-z ]{0,8}", "\t;[a-z]{0,5}"];
    let value = "[A-Za-z0-9/+][A-Za-z0-9/+#;]{0,19}";
    let keyed = (key, "[ \t]{0,2}", "[ \t]{0,2}", value, tail, eol()).prop_map(|((which, k), a, b, value, tail, e)| {
        KeyLine::Key { which, prefix: format!("{k}{a}={b}"), value, suffix: format!("{tail}{e}") }
    });
    prop_oneof![2 => keyed, 1 => user_line().prop_map(KeyLine::Other)]
}

#[derive(Debug, Clone)]
enum Part {
    Other(Segment),
    /// A section that is (or, a decoy, is not) the profile in this file kind.
    Target {
        header: String,
        decoy: bool,
        lines: Vec<KeyLine>,
    },
}

fn target_part() -> impl Strategy<Value = Part> {
    let header = prop_oneof![
        Just(("[alice]".to_string(), false)),
        Just(("[ alice ] # me".to_string(), false)),
        Just(("[profile alice]".to_string(), true)),
    ];
    (header, eol(), prop::collection::vec(key_line(), 0..5)).prop_map(|((h, decoy), e, lines)| Part::Target {
        header: format!("{h}{e}"),
        decoy,
        lines,
    })
}

fn parts() -> impl Strategy<Value = Vec<Part>> {
    prop::collection::vec(prop_oneof![2 => target_part(), 1 => user_segment().prop_map(Part::Other)], 0..6)
}

/// The text, and the expected result of writing `new` (`None`: refused).
fn render_parts(parts: &[Part], new: [&str; 2]) -> (String, Option<String>) {
    // The last occurrence of each key in a real (non-decoy) section is the one the SDK reads.
    let mut last: [Option<(usize, usize)>; 2] = [None, None];
    for (p, part) in parts.iter().enumerate() {
        if let Part::Target { decoy: false, lines, .. } = part {
            for (l, line) in lines.iter().enumerate() {
                if let KeyLine::Key { which, .. } = line {
                    last[*which] = Some((p, l));
                }
            }
        }
    }
    let (mut old, mut expected) = (String::new(), String::new());
    let mut refused = last.iter().any(Option::is_none);
    for (p, part) in parts.iter().enumerate() {
        match part {
            Part::Other(Segment::User(t) | Segment::Owned(_, t)) => {
                old.push_str(t);
                expected.push_str(t);
            }
            Part::Target { header, lines, .. } => {
                old.push_str(header);
                expected.push_str(header);
                for (l, line) in lines.iter().enumerate() {
                    match line {
                        KeyLine::Other(t) => {
                            old.push_str(t);
                            expected.push_str(t);
                        }
                        KeyLine::Key { which, prefix, value, suffix: rest } => {
                            old.push_str(&format!("{prefix}{value}{rest}"));
                            if last[*which] == Some((p, l)) {
                                expected.push_str(&format!("{prefix}{}{rest}", new[*which]));
                                // The next line that is not blank or a comment continues the value if indented.
                                let skipped = |t: &str| t.trim().is_empty() || t.starts_with(['#', ';']);
                                let next =
                                    lines[l + 1..].iter().find(|n| !matches!(n, KeyLine::Other(t) if skipped(t)));
                                refused |= matches!(next, Some(KeyLine::Other(t)) if t.starts_with([' ', '\t']));
                            } else {
                                expected.push_str(&format!("{prefix}{value}{rest}"));
                            }
                        }
                    }
                }
            }
        }
    }
    (old, (!refused).then_some(expected))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn writing_keys_changes_their_values_and_nothing_else(parts in parts()) {
        let new = ["AKIANEW0000000000002", "new/secret+2"];
        let (old, expected) = render_parts(&parts, new);
        let pairs = [("aws_access_key_id", new[0]), ("aws_secret_access_key", new[1])];
        let got = replace_profile_values(&old, FileKind::Credentials, "alice", &pairs);
        match expected {
            Some(expected) => {
                let got = got.unwrap();
                prop_assert_eq!(&got, &expected);
                // The SDK-rules parser agrees: the profile now reads the new keys, others are unchanged.
                let parse = |t: &str| {
                    let mut set = ConfigSet::default();
                    set.merge_file(FileKind::Credentials, std::path::Path::new("c"), t);
                    set.profiles
                        .iter()
                        .map(|(n, s)| {
                            let props = s
                                .iter()
                                .map(|(k, v)| (k.to_string(), v.to_string(), s.located(k).map_or(0, |l| l.at.line)))
                                .collect::<Vec<_>>();
                            (n.clone(), props)
                        })
                        .collect::<std::collections::BTreeMap<_, _>>()
                };
                let (before, mut after) = (parse(&old), parse(&got));
                let alice = after.remove("alice").unwrap();
                prop_assert_eq!(alice.iter().find(|p| p.0 == "aws_access_key_id").map(|p| p.1.as_str()), Some(new[0]));
                prop_assert_eq!(alice.iter().find(|p| p.0 == "aws_secret_access_key").map(|p| p.1.as_str()), Some(new[1]));
                let mut before = before;
                before.remove("alice");
                prop_assert_eq!(before, after);
            }
            None => prop_assert!(got.is_err(), "{:?}", got),
        }
    }
}

#[test]
fn a_setting_is_added_to_the_users_own_section_and_nothing_else_changes() {
    let text = "[default]\nregion = eu-west-1\n\n# alice's settings\n[profile alice]\nregion = us-east-1  # home\n\n# next: roles\n[profile dev]\nrole_arn = x\n";
    let out = add_profile_value(text, "alice", "mfa_serial", "arn:aws:iam::1:mfa/a").unwrap();
    assert_eq!(out, text.replace("# home\n", "# home\nmfa_serial = arn:aws:iam::1:mfa/a\n"));
    let crlf = "[profile alice]\r\nregion = x";
    assert_eq!(
        add_profile_value(crlf, "alice", "mfa_serial", "s").unwrap(),
        "[profile alice]\r\nregion = x\r\nmfa_serial = s\r\n"
    );
    // Keys only in the credentials file: a new section at the end.
    assert_eq!(
        add_profile_value("[profile dev]\nrole_arn = x", "bob", "mfa_serial", "s").unwrap(),
        "[profile dev]\nrole_arn = x\n\n[profile bob]\nmfa_serial = s\n"
    );
    assert_eq!(add_profile_value("", "default", "mfa_serial", "s").unwrap(), "[default]\nmfa_serial = s\n");
    // `[alice]` in the config file is not a profile: it stays as it is and a real one is added.
    assert!(
        add_profile_value("[alice]\nx = 1\n", "alice", "mfa_serial", "s")
            .unwrap()
            .ends_with("\n\n[profile alice]\nmfa_serial = s\n")
    );
    assert!(matches!(add_profile_value(&out, "alice", "mfa_serial", "t"), Err(EditError::Present { .. })));
}
