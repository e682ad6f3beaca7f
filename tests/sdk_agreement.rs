//! Our parser must read the AWS files exactly as the SDK does (aws-config's own parser).
//! Where the SDK rejects a file outright, we must have flagged an error line instead.

use aws_runtime::env_config::file::{EnvConfigFileKind as ProfileFileKind, EnvConfigFiles as ProfileFiles};
use aws_runtime::env_config::property::PropertiesKey;
use aws_types::os_shim_internal::{Env, Fs};
use mfatui::aws::config::{ConfigSet, FileKind, Severity};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::path::Path;

fn sdk_load(config: &str, credentials: &str) -> Option<aws_config::profile::ProfileSet> {
    let files = ProfileFiles::builder()
        .with_contents(ProfileFileKind::Config, config)
        .with_contents(ProfileFileKind::Credentials, credentials)
        .build();
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(aws_config::profile::load(&Fs::from_slice(&[]), &Env::from_slice(&[]), &files, None)).ok()
}

fn ours(config: &str, credentials: &str) -> ConfigSet {
    let mut s = ConfigSet::default();
    s.merge_file(FileKind::Config, Path::new("config"), config);
    s.merge_file(FileKind::Credentials, Path::new("credentials"), credentials);
    s
}

/// Every token of the files that could be a key, so keys only one side saw are probed too.
fn probe_keys(texts: &[&str]) -> BTreeSet<String> {
    texts
        .iter()
        .flat_map(|t| t.split(|c: char| !(c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c))))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

fn assert_agree(config: &str, credentials: &str) -> Result<(), TestCaseError> {
    let mine = ours(config, credentials);
    let we_flag_error = mine.diagnostics.iter().any(|d| d.severity == Severity::Error);
    let Some(sdk) = sdk_load(config, credentials) else {
        prop_assert!(
            we_flag_error,
            "SDK rejects the files but we reported no error line:\n{config}\n--\n{credentials}"
        );
        return Ok(());
    };
    prop_assert!(!we_flag_error, "we flag an error the SDK accepts: {:?}", mine.diagnostics);
    // `[profile "NAME"]` is read as the AWS CLI reads it, which the SDK does not (a warning says
    // so): such profiles are left out of the comparison.
    let quoted: BTreeSet<&str> =
        mine.profiles.iter().filter(|(_, s)| s.declared_quoted()).map(|(n, _)| n.as_str()).collect();
    let sdk_names: BTreeSet<&str> = sdk.profiles().filter(|n| !quoted.contains(n)).collect();
    let our_names: BTreeSet<&str> = mine.profiles.keys().map(String::as_str).filter(|n| !quoted.contains(n)).collect();
    prop_assert_eq!(&sdk_names, &our_names, "profile names differ");
    let sdk_sso: BTreeSet<&str> = sdk.sso_sessions().collect();
    let our_sso: BTreeSet<&str> = mine.sso_sessions.keys().map(String::as_str).collect();
    prop_assert_eq!(&sdk_sso, &our_sso, "sso-session names differ");
    let keys = probe_keys(&[config, credentials]);
    for name in &our_names {
        let (s, o) = (sdk.get_profile(name).unwrap(), &mine.profiles[*name]);
        for k in &keys {
            prop_assert_eq!(s.get(k), o.get(k), "profile `{}` key `{}`", name, k);
        }
    }
    for name in &our_sso {
        let (s, o) = (sdk.sso_session(name).unwrap(), &mine.sso_sessions[*name]);
        for k in &keys {
            prop_assert_eq!(s.get(k), o.get(k), "sso-session `{}` key `{}`", name, k);
        }
    }
    for ((prefix, name), section) in mine.other_sections.iter().filter(|((p, _), _)| p == "services") {
        for (service, _) in section.iter() {
            for k in &keys {
                let key = PropertiesKey::builder()
                    .section_key(prefix)
                    .section_name(name)
                    .property_name(service)
                    .sub_property_name(k)
                    .build()
                    .unwrap();
                let theirs = sdk.other_sections().get(&key).map(String::as_str);
                prop_assert_eq!(
                    theirs,
                    mine.service_setting(name, service, k),
                    "[services {}] {} {}",
                    name,
                    service,
                    k
                );
            }
        }
    }
    Ok(())
}

const FIXTURES: &[(&str, &str)] = &[
    (
        "# c\n; c\n[default]\nregion = us-east-1 ; note\n[profile default]\nregion=eu-west-1\noutput = json#x\n",
        "[default]\naws_access_key_id=AKIA\naws_secret_access_key = s/+= # c\n",
    ),
    (
        "[profile a]\nRole_Arn = arn:aws:iam::123456789012:role/x\nsource_profile=b\n[b]\nk=v\n[profilec]\nk=v\n",
        "[b]\nAWS_ACCESS_KEY_ID = A\n[profile b]\nx = y\n",
    ),
    (
        "[profile s3]\ns3 =\n  max_concurrent_requests = 20\n  addressing_style = path\nregion = x\n[profile cont]\nk = a\n  b\n\tc\n",
        "",
    ),
    (
        "[sso-session corp]\nsso_start_url = https://d.awsapps.com/start\nsso_region=us-east-1\n[profile sso]\nsso_session = corp\n[services dev]\ns3 =\n  endpoint_url = http://localhost\n",
        "",
    ),
    (
        "[profile  spaced   ] # c\nk = v\n[ profile\tdefault ]\nk = 1\n[profile x]\nk=1\n[profile x]\nk=2\nj=3\n",
        "[x]\nk=creds\n",
    ),
    ("[profile bad name]\nk=v\n[profile ok]\nbad key = 1\ngood=2\n", "[we!rd]\nk=1\n[ok]\n"),
    ("[default]\r\nregion = us-west-2\r\n\r\n[profile crlf]\r\nk = v\r\n", "[crlf]\r\naws_access_key_id = A\r\n"),
    ("[profile tight]#c\nk=v\n[profile semi];c\nk=w\n", "[cred]#x\nk=1\n"),
    ("[profile e]\nempty =\nnext = 1\n[profile eq]\nk = a=b=c\n", ""),
    (
        "[services local]\nsts =\n  endpoint_url = http://127.0.0.1:9000\n  region=x\ns3 =\n  endpoint_url = a\n  endpoint_url = b\n[profile p]\nservices = local\n",
        "",
    ),
    ("[profile \"quoted\"]\nregion = x\n[profile 'single']\nk = v\n[profile plain]\nk = 1\n", ""),
    // Rejected by the SDK: we must flag them instead.
    ("orphan = 1\n[profile a]\n", ""),
    ("[profile a\nk=v\n", ""),
    ("[profile a]\n  indented_first = 1\n", ""),
    ("[profile a]\nnoequals\n", ""),
    ("[profile a]\ns3 =\n  not a subproperty\n", ""),
];

#[test]
fn fixtures_agree_with_the_sdk() {
    for (i, (c, k)) in FIXTURES.iter().enumerate() {
        if let Err(e) = assert_agree(c, k) {
            panic!("fixture {i}: {e}");
        }
    }
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "\\[(profile |sso-session |services |profile  )?\"?(default|a|b|c-d|x/y|we ird)\"?\\]( # c|#c|;c)?",
        6 => "(Region|role_arn|source_profile|k|aws_access_key_id|mfa_serial|s3|bad key) ?= ?[a-z0-9:/=#; ]{0,10}",
        2 => "(  |\t)[a-z_]{1,5}( = [a-z0-9]{1,4})?",
        1 => "[#;][ -~]{0,10}",
        1 => "",
        1 => "   ",
        1 => "[a-z]{1,4}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    (prop::collection::vec(line(), 0..14), prop_oneof![Just("\n"), Just("\r\n")])
        .prop_map(|(lines, eol)| lines.into_iter().map(|l| l + eol).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn generated_files_agree_with_the_sdk(config in text(), credentials in text()) {
        assert_agree(&config, &credentials)?;
    }
}
