//! The writer edits the section the reader takes a key from: for any pair of files, rewriting a
//! profile's key changes exactly the line `ConfigSet` says the key is read from.

use super::*;
use crate::config::AwsPaths;
use proptest::prelude::*;

/// One section: its header and whether it sets the key (with a distinct value).
fn section(kind: FileKind) -> impl Strategy<Value = (String, bool)> {
    let headers: Vec<&'static str> = match kind {
        FileKind::Config => {
            vec![
                "[default]",
                "[profile default]",
                "[profile p]",
                "[p]",
                "[profile \"p\"]",
                "[ profile p ]",
                "[sso-session p]",
            ]
        }
        FileKind::Credentials => vec!["[default]", "[p]", "[profile p]", "[ p ]"],
    };
    (prop::sample::select(headers), any::<bool>()).prop_map(|(h, k)| (h.to_string(), k))
}

fn file(kind: FileKind, tag: &'static str) -> impl Strategy<Value = String> {
    prop::collection::vec(section(kind), 0..6).prop_map(move |sections| {
        let mut text = String::new();
        for (i, (header, has_key)) in sections.iter().enumerate() {
            text.push_str(&format!("{header}\nregion = eu-west-{i}\n"));
            if *has_key {
                text.push_str(&format!("aws_access_key_id = AKIA{tag}{i}\n"));
            }
        }
        text
    })
}

/// The (file, 1-based line) whose text differs between `a` and `b`, if exactly one does.
fn changed_line(a: &str, b: &str) -> Option<usize> {
    let diff: Vec<usize> =
        a.lines().zip(b.lines()).enumerate().filter(|(_, (x, y))| x != y).map(|(i, _)| i + 1).collect();
    (diff.len() == 1 && a.lines().count() == b.lines().count()).then(|| diff[0])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_writer_edits_the_line_the_reader_reads(config in file(FileKind::Config, "C"), credentials in file(FileKind::Credentials, "K")) {
        let dir = tempfile::tempdir().unwrap();
        let paths = AwsPaths { config: dir.path().join("config"), credentials: dir.path().join("credentials") };
        for profile in ["p", "default"] {
            std::fs::write(&paths.config, &config).unwrap();
            std::fs::write(&paths.credentials, &credentials).unwrap();
            let set = ConfigSet::read(&paths).unwrap();
            let read_from = set.profiles.get(profile).and_then(|s| s.located("aws_access_key_id")).map(|l| (l.at.path.to_path_buf(), l.at.line));
            let written = update_profile_values(&paths, profile, &[("aws_access_key_id", "AKIANEW")]);
            match read_from {
                None => prop_assert!(written.is_err(), "{profile}: no key to read, yet one was written"),
                Some((path, line)) => {
                    let written = written.unwrap();
                    prop_assert_eq!(&written, &path, "{}: written to the other file", profile);
                    let before = if path == paths.config { &config } else { &credentials };
                    let after = std::fs::read_to_string(&path).unwrap();
                    prop_assert_eq!(changed_line(before, &after), Some(line), "{}:\n{}\n--\n{}", profile, before, after);
                    let reread = ConfigSet::read(&paths).unwrap();
                    prop_assert_eq!(reread.profiles[profile].get("aws_access_key_id"), Some("AKIANEW"));
                }
            }
        }
    }
}
