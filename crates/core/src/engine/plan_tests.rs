use super::*;
use crate::config::{AwsEnv, load};

fn plan_of(config: &str, credentials: &str, env: &[(&str, &str)]) -> Plan {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".aws")).unwrap();
    std::fs::write(dir.path().join(".aws/config"), config).unwrap();
    std::fs::write(dir.path().join(".aws/credentials"), credentials).unwrap();
    let cfg = load(&AwsEnv { home: Some(dir.path().into()), ..AwsEnv::default() }).unwrap();
    let graph = cfg.graph();
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Plan::build(&cfg, &graph, "-mfa", |k| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
}

const KEYS: &str = "[u]\naws_access_key_id = AKIAU\naws_secret_access_key = s\n";

#[test]
fn one_resolver_for_profiles_managed_names_and_the_rest() {
    let config = "[profile u]\nmfa_serial = arn:aws:iam::111111111111:mfa/u\n\
        [profile dev]\nrole_arn = arn:aws:iam::222222222222:role/dev\nsource_profile = u\n\
        [profile ci]\nrole_arn = arn:aws:iam::222222222222:role/ci\ncredential_source = Environment\n\
        [profile sso-dev]\nsso_session = s\nsso_account_id = 1\nsso_role_name = r\n[sso-session s]\nsso_region = us-east-1\nsso_start_url = https://x\n\
        [profile st]\nrole_arn = arn:aws:iam::222222222222:role/st\nsource_profile = u\nmfatui_export_as = stage\n";
    let plan = plan_of(config, KEYS, &[]);
    assert_eq!(plan.resolve("dev").unwrap().name(), "dev");
    assert_eq!(plan.resolve("dev-mfa").unwrap().name(), "dev", "the managed name means its profile");
    assert_eq!(plan.resolve("stage").unwrap().name(), "st", "so does a chosen export name");
    assert_eq!(plan.resolve("u").unwrap().user(), "u");
    let ci = plan.resolve("ci").unwrap_err().to_string();
    assert!(ci.contains("credential_source = Environment"), "{ci}");
    let sso = plan.resolve("sso-dev").unwrap_err().to_string();
    assert!(sso.contains("aws sso login --profile sso-dev"), "{sso}");
    let unknown = plan.resolve("deve").unwrap_err().to_string();
    assert!(unknown.starts_with("unknown profile `deve` (did you mean dev?)"), "{unknown}");
}

#[test]
fn regions_come_from_the_chain_and_session_names_are_not_guessed() {
    let config = "[profile u]\nregion = eu-west-1\nmfa_serial = arn:aws:iam::111111111111:mfa/u\n\
        [profile audit]\nrole_arn = arn:aws:iam::333333333333:role/audit\nsource_profile = u\nregion = us-east-1\n\
        [profile glass]\nrole_arn = arn:aws:iam::444444444444:role/glass\nsource_profile = audit\n\
        [profile plain]\nrole_arn = arn:aws:iam::444444444444:role/plain\nsource_profile = u\n\
        [profile named]\nrole_arn = arn:aws:iam::444444444444:role/named\nsource_profile = u\nrole_session_name = me\n";
    let plan = plan_of(config, KEYS, &[]);
    assert_eq!(plan.role("glass").unwrap().export_region, "us-east-1", "a chained role takes its parent's region");
    assert_eq!(plan.role("plain").unwrap().export_region, "eu-west-1", "else the user's");
    assert_eq!(plan.role("plain").unwrap().session_name, None, "the IAM user's name is learnt at sign-in");
    assert_eq!(plan.role("named").unwrap().session_name.as_deref(), Some("me"));
    let plan = plan_of(config, KEYS, &[("AWS_REGION", "ap-south-1")]);
    assert_eq!(plan.role("plain").unwrap().target.region, "ap-south-1", "calls follow AWS_REGION like the CLI");
    assert_eq!(plan.role("plain").unwrap().export_region, "eu-west-1", "the file keeps the profile's own");
}

#[test]
fn endpoints_are_found_the_way_the_aws_cli_finds_them() {
    let config = "[profile u]\nregion = eu-west-1\nmfa_serial = arn:aws:iam::111111111111:mfa/u\nservices = local\nendpoint_url = http://global:1\n\
        [services local]\nsts =\n  endpoint_url = http://sts-local:2\n\
        [profile r]\nrole_arn = arn:aws:iam::222222222222:role/r\nsource_profile = u\nendpoint_url = http://role-global:3\n\
        [profile f]\nrole_arn = arn:aws:iam::222222222222:role/f\nsource_profile = u\nuse_fips_endpoint = true\n\
        [profile l]\nrole_arn = arn:aws:iam::222222222222:role/l\nsource_profile = u\nsts_regional_endpoints = legacy\n\
        [profile cn]\nrole_arn = arn:aws-cn:iam::222222222222:role/cn\nsource_profile = u\nregion = cn-north-1\n";
    let plan = plan_of(config, KEYS, &[]);
    let u = &plan.users["u"].target;
    assert_eq!(u.endpoint.as_deref(), Some("http://sts-local:2"), "[services] beats endpoint_url");
    assert_eq!(u.iam_endpoint.as_deref(), Some("http://global:1"), "no iam block: the profile's endpoint_url");
    assert_eq!(plan.role("r").unwrap().target.endpoint.as_deref(), Some("http://role-global:3"));
    assert!(plan.role("f").unwrap().target.fips);
    assert_eq!(plan.role("f").unwrap().target.sts_url(), "https://sts-fips.eu-west-1.amazonaws.com");
    assert_eq!(plan.role("l").unwrap().target.endpoint.as_deref(), Some("https://sts.amazonaws.com"));
    assert_eq!(plan.role("cn").unwrap().target.sts_url(), "https://sts.cn-north-1.amazonaws.com.cn");
    let plan =
        plan_of(config, KEYS, &[("AWS_ENDPOINT_URL_STS", "http://env-sts:4"), ("AWS_ENDPOINT_URL", "http://env:5")]);
    assert_eq!(plan.users["u"].target.endpoint.as_deref(), Some("http://env-sts:4"), "the service variable wins");
    assert_eq!(plan.users["u"].target.iam_endpoint.as_deref(), Some("http://env:5"), "then AWS_ENDPOINT_URL");
    let plan = plan_of(config, KEYS, &[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")]);
    assert_eq!(plan.users["u"].target.endpoint, None);
}

#[test]
fn export_names_collide_loudly() {
    let config = "[profile u]\nmfa_serial = arn:aws:iam::111111111111:mfa/u\n\
        [profile a]\nrole_arn = arn:aws:iam::222222222222:role/a\nsource_profile = u\nmfatui_export_as = shared\n\
        [profile b]\nrole_arn = arn:aws:iam::222222222222:role/b\nsource_profile = u\nmfatui_export_as = shared\n\
        [profile c]\nrole_arn = arn:aws:iam::222222222222:role/c\nsource_profile = u\n[profile c-mfa]\nregion = x\n";
    let plan = plan_of(config, KEYS, &[]);
    assert_eq!(plan.role("a").unwrap().managed, Ok("shared".into()));
    assert!(matches!(&plan.role("b").unwrap().managed, Err(ExportError::Duplicate { .. })));
    assert!(matches!(&plan.role("c").unwrap().managed, Err(ExportError::Collision { .. })));
}

#[test]
fn signable_says_why_a_profile_cannot_be_signed_in() {
    let config = "[profile lone]\nregion = eu-west-1\n[profile u]\nmfa_serial = arn:aws:iam::111111111111:mfa/u\n[profile sso]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\nsso_account_id = 111111111111\nsso_role_name = r\n";
    let credentials = "[lone]\naws_access_key_id = AKIAL\naws_secret_access_key = s\n[u]\naws_access_key_id = AKIAU\naws_secret_access_key = s\n";
    let plan = plan_of(config, credentials, &[]);
    assert!(plan.signable("u").is_ok());
    let lone = plan.signable("lone").unwrap_err();
    assert_eq!(lone, EngineError::NothingToSignIn { user: "lone".into() });
    assert!(lone.to_string().starts_with("lone is an IAM user without mfa_serial"), "{lone}");
    assert!(plan.resolve("lone").is_ok(), "it still resolves: keys, audit and rotate take it");
    assert!(plan.signable("sso").unwrap_err().to_string().contains("aws sso login --profile sso"));
}

#[test]
fn roles_from_sso_and_aws_login_are_planned_from_their_source() {
    let config = "[profile console]\nlogin_session = arn:aws:iam::111111111111:user/maria\n\
        [profile ops]\nrole_arn = arn:aws:iam::222222222222:role/ops\nsource_profile = console\nduration_seconds = 7200\n\
        [profile sso-dev]\nsso_session = corp\nsso_account_id = 333333333333\nsso_role_name = ReadOnly\n\
        [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\
        [profile deploy]\nrole_arn = arn:aws:iam::444444444444:role/deploy\nsource_profile = sso-dev\nduration_seconds = 7200\n\
        [profile legacy]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-2\nsso_account_id = 333333333333\nsso_role_name = ReadOnly\n";
    let plan = plan_of(config, "", &[("HOME", "/h"), ("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9")]);
    let ops = plan.role("ops").unwrap();
    assert_eq!((ops.user.as_str(), ops.parent.as_str(), ops.duration), ("console", "console", Some(7200)));
    // Portal credentials are a role's: what is assumed with them is chained (1 hour at most).
    let deploy = plan.role("deploy").unwrap();
    assert_eq!((deploy.user.as_str(), deploy.duration), ("sso-dev", Some(3600)));
    let sso = plan.users.get("sso-dev").unwrap();
    assert!(!sso.is_iam_user() && sso.mfa_serial.is_none());
    match sso.external().unwrap() {
        ExternalSource::Sso { cache, region, endpoint, .. } => {
            let sha1_corp = crate::engine::cli_cache::sha1_hex(b"corp");
            assert_eq!(cache.as_deref(), Some(std::path::Path::new(&format!("/h/.aws/sso/cache/{sha1_corp}.json"))));
            assert_eq!((region.as_str(), endpoint.as_deref()), ("eu-west-1", Some("http://127.0.0.1:9")));
        }
        other => panic!("{other:?}"),
    }
    // No role is sourced from `legacy`: not a "user", but its token still has a row.
    assert!(!plan.users.contains_key("legacy") && plan.external.contains_key("legacy"));
    let why = plan.resolve("legacy").unwrap_err().to_string();
    assert!(why.contains("aws sso login --profile legacy"), "{why}");
    // Nothing is exported for the sources themselves: the AWS CLI serves them.
    assert!(plan.exported().all(|e| e.name != "sso-dev" && e.name != "console"));
    assert_eq!(
        plan.external_source_of("deploy").map(|s| s.renew_command()),
        Some("aws sso login --profile sso-dev".into())
    );
    assert_eq!(plan.external_source_of("ops").map(|s| s.renew_command()), Some("aws login --profile console".into()));
}

const U_AND_ROLE: &str = "[profile u]\nmfa_serial = arn:aws:iam::111111111111:mfa/u\n\
    [profile prod-admin]\nrole_arn = arn:aws:iam::222222222222:role/admin\nsource_profile = u\n";

#[test]
fn mfatuis_own_wrapper_for_another_profile_is_an_alias_of_it() {
    let config = format!(
        "{U_AND_ROLE}[profile prod]\ncredential_process = mfatui credential-process prod-admin\nregion = eu-west-1\n\
         [profile me]\ncredential_process = /usr/local/bin/mfatui credential-process u\n\
         [profile twice]\ncredential_process = mfatui credential-process prod\n\
         [profile nowhere]\ncredential_process = mfatui credential-process gone\n\
         [profile a]\ncredential_process = mfatui credential-process b\n[profile b]\ncredential_process = mfatui credential-process a\n\
         [profile managed]\ncredential_process = mfatui credential-process prod-admin-mfa\n"
    );
    let plan = plan_of(&config, KEYS, &[]);
    assert_eq!(plan.resolve("prod").unwrap().name(), "prod-admin");
    assert_eq!(plan.resolve("twice").unwrap().name(), "prod-admin", "an alias of an alias is followed");
    assert_eq!(plan.resolve("me").unwrap().name(), "u");
    assert_eq!(plan.resolve("managed").unwrap().name(), "prod-admin", "a managed name is followed too");
    assert_eq!(plan.user_of("prod").unwrap().name, "u");
    assert_eq!(plan.users.keys().collect::<Vec<_>>(), ["u"], "an alias is never an IAM user of its own");
    assert_eq!(plan.roles.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["prod-admin"]);
    for broken in ["nowhere", "a", "b"] {
        let why = plan.resolve(broken).unwrap_err().to_string();
        assert!(why.contains("credential_process"), "{broken}: {why}");
    }
}

#[test]
fn an_alias_shows_as_the_role_it_names() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".aws")).unwrap();
    let config = format!("{U_AND_ROLE}[profile prod]\ncredential_process = mfatui credential-process prod-admin\n");
    std::fs::write(dir.path().join(".aws/config"), config).unwrap();
    std::fs::write(dir.path().join(".aws/credentials"), KEYS).unwrap();
    let cfg = load(&AwsEnv { home: Some(dir.path().into()), ..AwsEnv::default() }).unwrap();
    let graph = cfg.graph();
    let prod = graph.get("prod").unwrap();
    assert_eq!((prod.kind, prod.alias_of, prod.root_user), (ProfileKind::Role, Some("prod-admin"), Some("u")));
    assert_eq!(prod.role_arn, Some("arn:aws:iam::222222222222:role/admin"));
    assert_eq!(prod.chain, vec!["prod", "prod-admin", "u"]);
    assert_eq!(prod.mfa_serial, Some("arn:aws:iam::111111111111:mfa/u"));
}

#[test]
fn an_adopted_role_is_read_as_the_role_it_was_and_a_self_wrapper_without_one_is_not_a_loop() {
    let config = "[profile u]\nmfa_serial = arn:aws:iam::111111111111:mfa/u\n\
        [profile prod-admin]\ncredential_process = mfatui credential-process prod-admin\n\
        mfatui_role_arn = arn:aws:iam::222222222222:role/admin\nmfatui_source_profile = u\nmfatui_duration_seconds = 1800\n\
        [profile kept]\ncredential_process = mfatui credential-process kept\n";
    let plan = plan_of(config, KEYS, &[]);
    let role = plan.role("prod-admin").expect("adopted role planned");
    assert_eq!(
        (role.role_arn.as_str(), role.user.as_str(), role.duration),
        ("arn:aws:iam::222222222222:role/admin", "u", Some(1800))
    );
    assert!(plan.aliases.is_empty());
    // A wrapper for itself without role settings is a user whose keys are in the vault: never a
    // loop, never run.
    assert!(matches!(plan.users.get("kept").map(|u| &u.keys), Some(KeySource::Vault)), "{:?}", plan.users.get("kept"));
}
