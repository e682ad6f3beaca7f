use super::*;
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
    assert_eq!(a.properties.len(), 1);
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
