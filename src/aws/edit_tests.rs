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
