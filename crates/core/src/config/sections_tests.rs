use super::*;
use crate::config::Diagnostic;
use std::path::PathBuf;

pub(crate) fn set_of(config: &str, credentials: &str) -> ConfigSet {
    let mut s = ConfigSet::default();
    s.merge_file(FileKind::Config, &PathBuf::from("/h/.aws/config"), config);
    s.merge_file(FileKind::Credentials, &PathBuf::from("/h/.aws/credentials"), credentials);
    s
}

fn names(s: &ConfigSet) -> Vec<&str> {
    s.profiles.keys().map(String::as_str).collect()
}

fn warnings(s: &ConfigSet) -> Vec<String> {
    s.diagnostics.iter().map(|d| d.to_string()).collect()
}

#[test]
fn config_needs_profile_prefix_credentials_must_not_have_it() {
    let s = set_of("[profile a]\nk=1\n[b]\nk=2\n[default]\nk=3\n[profilec]\nk=4\n", "[d]\nk=5\n[profile e]\nk=6\n");
    assert_eq!(names(&s), vec!["a", "d", "default"]);
    let w = warnings(&s);
    assert!(w.iter().any(|m| m.contains("config:3") && m.contains("write [profile b]")), "{w:?}");
    assert!(w.iter().any(|m| m.contains("[profilec]")), "{w:?}");
    assert!(w.iter().any(|m| m.contains("credentials:3") && m.contains("without `profile`")), "{w:?}");
}

#[test]
fn profile_default_takes_priority_over_default_in_config() {
    let s = set_of("[default]\nregion=us-east-1\nx=1\n[profile default]\nregion=eu-west-1\n", "");
    let d = &s.profiles["default"];
    assert_eq!(d.get("region"), Some("eu-west-1"));
    assert_eq!(d.get("x"), None, "[default] is ignored wholesale, not merged");
    assert!(warnings(&s).iter().any(|m| m.contains("takes priority")));
}

#[test]
fn default_quirk_is_per_file() {
    // [profile default] in config does not hide [default] of the credentials file.
    let s = set_of("[profile default]\nregion=eu-west-1\n", "[default]\naws_access_key_id=AKIA\n");
    let d = &s.profiles["default"];
    assert_eq!((d.get("region"), d.get("aws_access_key_id")), (Some("eu-west-1"), Some("AKIA")));
}

#[test]
fn sso_session_and_services_sections() {
    let s = set_of(
        "[sso-session corp]\nsso_start_url=https://x\n[services local]\ns3 =\n  endpoint_url = http://127.0.0.1:9000\n[profile p]\nservices=local\n",
        "[sso-session corp]\nsso_region=us-east-1\n",
    );
    assert_eq!(s.sso_sessions["corp"].get("sso_start_url"), Some("https://x"));
    assert_eq!(s.sso_sessions["corp"].get("sso_region"), None, "credentials-file sso-session is ignored");
    let svc = &s.other_sections[&("services".to_string(), "local".to_string())];
    assert_eq!(svc.get("s3"), Some("\nendpoint_url = http://127.0.0.1:9000"));
    assert_eq!(names(&s), vec!["p"]);
}

#[test]
fn duplicate_sections_merge_later_value_wins() {
    let s = set_of("[profile a]\nx=1\ny=1\n[profile b]\n[profile   a ]\ny=2\n", "");
    let a = &s.profiles["a"];
    assert_eq!((a.get("x"), a.get("y")), (Some("1"), Some("2")));
    assert_eq!(a.at.line, 1, "first declaration is the profile's location");
    assert_eq!(a.located("y").unwrap().at.line, 6);
}

#[test]
fn credentials_values_win_over_config() {
    let s =
        set_of("[profile a]\nregion=us-east-1\naws_access_key_id=FROMCONFIG\n", "[a]\naws_access_key_id=FROMCREDS\n");
    let a = &s.profiles["a"];
    assert_eq!((a.get("region"), a.get("aws_access_key_id")), (Some("us-east-1"), Some("FROMCREDS")));
    assert!(a.located("aws_access_key_id").unwrap().at.path.ends_with("credentials"));
}

#[test]
fn keys_are_case_insensitive_and_invalid_keys_are_ignored() {
    let s = set_of("[profile a]\nRole_ARN = arn:aws:iam::123456789012:role/x\nbad key = 1\n", "");
    let a = &s.profiles["a"];
    assert_eq!(a.get("role_arn"), Some("arn:aws:iam::123456789012:role/x"));
    assert_eq!(a.len(), 1);
    assert!(warnings(&s).iter().any(|m| m.contains("`bad key` is ignored")));
}

#[test]
fn invalid_profile_names_are_ignored_with_a_warning() {
    let s = set_of("[profile foo bar]\nk=1\n[profile ok]\n", "[we!rd]\nk=1\n");
    assert_eq!(names(&s), vec!["ok"]);
    assert_eq!(s.diagnostics.len(), 2);
}

#[test]
fn line_problems_name_their_profile() {
    let s = set_of("[profile a]\nnot a property\n[profile b]\nk=v\n", "");
    let d = &s.diagnostics[0];
    assert_eq!((d.profile.as_deref(), d.at.as_ref().unwrap().line), (Some("a"), 2));
    assert_eq!(names(&s), vec!["a", "b"]);
}

#[test]
fn quoted_profile_names_are_read_as_the_aws_cli_reads_them() {
    let s = set_of(
        "[profile \"personal\"]\nregion = eu-west-1\n[profile 'work']\nk = 1\n[profile \"two words\"]\nk = 2\n[profile plain]\n",
        "[\"creds\"]\nk = 3\n",
    );
    assert_eq!(names(&s), vec!["personal", "plain", "two words", "work"]);
    assert_eq!(s.profiles["personal"].get("region"), Some("eu-west-1"));
    assert!(s.profiles["personal"].declared_quoted() && !s.profiles["plain"].declared_quoted());
    let quoted: Vec<&Diagnostic> = s.diagnostics.iter().filter(|d| d.profile.as_deref() == Some("personal")).collect();
    assert_eq!(quoted.len(), 1);
    assert_eq!(quoted[0].severity, Severity::Warning);
    assert!(
        quoted[0].message.contains("AWS CLI and boto3")
            && quoted[0].message.contains("AWS SDKs for Rust and JavaScript")
    );
    let w = warnings(&s);
    let spaced =
        w.iter().find(|m| m.contains("[profile \"two words\"] is read as profile `two words`")).expect("{w:?}");
    assert!(
        spaced.contains("SDKs for Rust and JavaScript ignore") && spaced.contains("[profile two-words]"),
        "{spaced}"
    );
    assert_eq!(s.profiles["two words"].get("k"), Some("2"));
    assert!(
        w.iter().any(|m| m.contains("[\"creds\"] is ignored")),
        "credentials-file names are taken literally: {w:?}"
    );
}

#[test]
fn line_problems_reject_the_whole_file_and_say_so() {
    let s = set_of("stray = 1\n[profile a]\nk = v\n", "");
    let d = &s.diagnostics[0];
    assert!(d.rejects_file && d.severity == Severity::Error && d.profile.is_none());
    assert!(d.message.contains("the AWS CLI and SDKs refuse this whole file until it is fixed"), "{}", d.message);
    assert_eq!(names(&s), vec!["a"], "mfatui reads on");
    assert!(!set_of("[profile \"q\"]\n", "").diagnostics[0].rejects_file);
}

#[test]
fn service_settings_from_nested_blocks() {
    let s = set_of(
        "[services local]\nsts =\n  endpoint_url = http://127.0.0.1:9000\n  region = x\ns3 =\n  endpoint_url = http://s3\n  endpoint_url = http://later\n\
         [services flat]\nsts = http://not-a-block\n[profile p]\nservices = local\n",
        "",
    );
    assert_eq!(s.service_setting("local", "sts", "endpoint_url"), Some("http://127.0.0.1:9000"));
    assert_eq!(s.service_setting("local", "STS", "region"), Some("x"), "service names are keys, read lower-cased");
    assert_eq!(s.service_setting("local", "s3", "endpoint_url"), Some("http://later"), "the last line wins");
    assert_eq!(s.service_setting("local", "sts", "missing"), None);
    assert_eq!(s.service_setting("local", "iam", "endpoint_url"), None);
    assert_eq!(s.service_setting("flat", "sts", "endpoint_url"), None);
    assert_eq!(s.service_setting("nowhere", "sts", "endpoint_url"), None);
}

#[test]
fn values_are_ranges_of_the_text_and_debug_hides_them() {
    let s = set_of("[profile a]\nk = one\n  two\n", "[a]\naws_secret_access_key = hush\nAWS_Access_Key_Id = A\n");
    let a = &s.profiles["a"];
    assert_eq!(
        a.iter().collect::<Vec<_>>(),
        vec![("k", "one\ntwo"), ("aws_secret_access_key", "hush"), ("aws_access_key_id", "A")]
    );
    assert_eq!(a.located("aws_access_key_id").unwrap().at.line, 3);
    assert!(!format!("{a:?}").contains("hush") && !format!("{s:?}").contains("hush"));
}

#[test]
fn a_section_with_many_keys_merges_in_linear_time() {
    let n = 50_000;
    let text: String = (0..n).map(|i| format!("k{} = {i}\n", i % (n / 2))).collect();
    let started = std::time::Instant::now();
    let s = set_of(&format!("[profile big]\n{text}"), "");
    assert!(started.elapsed().as_secs_f64() < 2.0, "took {:?}", started.elapsed());
    let big = &s.profiles["big"];
    assert_eq!(big.len(), n / 2);
    assert_eq!(big.get("k0"), Some(&*(n / 2).to_string()), "a later value replaces an earlier one");
}

#[test]
fn comment_characters_in_a_header_are_explained_per_client_on_that_profile() {
    for (c, header) in [(';', "profile a;b"), ('#', "profile a#b")] {
        let name = &header["profile ".len()..];
        let s = set_of(&format!("[profile before]\nregion = eu-west-1\n[{header}]\nregion = us-east-2\n"), "");
        assert_eq!(names(&s), vec![name, "before"], "read as botocore reads it");
        assert_eq!(s.profiles[name].get("region"), Some("us-east-2"));
        assert!(s.diagnostics.iter().all(|d| d.profile.as_deref() != Some("before")), "{:?}", s.diagnostics);
        let d = s.diagnostics.iter().find(|d| d.profile.as_deref() == Some(name)).expect("on its own profile");
        assert_eq!(d.at.as_ref().unwrap().line, 3);
        for part in [
            "AWS CLI and boto3 read this section",
            "SDK for Rust reads",
            "refuses this whole file",
            "JavaScript ignores this section",
        ] {
            assert!(d.message.contains(part), "{part}: {}", d.message);
        }
        assert!(d.message.contains(&format!("without `{c}`")), "{}", d.message);
        assert!(!d.message.contains("missing its closing"), "{}", d.message);
    }
    let s = set_of("", "[before]\nk = v\n[x;y]\naws_access_key_id = AKIA\n");
    assert_eq!(names(&s), vec!["before", "x;y"]);
}
