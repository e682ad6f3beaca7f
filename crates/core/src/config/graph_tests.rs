use super::super::sections::tests::set_of;
use super::*;

fn graph(config: &str, credentials: &str) -> ProfileGraph<'static> {
    ProfileGraph::build(Box::leak(Box::new(set_of(config, credentials))))
}

fn errors<'a>(g: &'a ProfileGraph<'_>, name: &'a str) -> Vec<&'a str> {
    g.diagnostics_for(name).filter(|d| d.severity == Severity::Error).map(|d| d.message.as_str()).collect()
}

const KEYS: &str = "aws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n";

#[test]
fn user_role_and_chain_of_three() {
    let g = graph(
        "[profile alice]\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\nregion = eu-west-1\n\
         [profile ops]\nrole_arn = arn:aws:iam::222222222222:role/ops\nsource_profile = alice\n\
         [profile dev]\nrole_arn = arn:aws:iam::333333333333:role/dev\nsource_profile = ops\nduration_seconds = 7200\n\
         [profile deep]\nrole_arn = arn:aws-cn:iam::444444444444:role/deep\nsource_profile = dev\n",
        &format!("[alice]\n{KEYS}"),
    );
    let alice = g.get("alice").unwrap();
    assert_eq!(alice.kind, ProfileKind::User);
    assert_eq!(alice.account.unwrap().id, "111111111111");
    let ops = g.get("ops").unwrap();
    assert_eq!((ops.kind, ops.root_user), (ProfileKind::Role, Some("alice")));
    assert_eq!(ops.mfa_serial, Some("arn:aws:iam::111111111111:mfa/alice"));
    assert_eq!(ops.mfa_serial_from, Some("alice"));
    let deep = g.get("deep").unwrap();
    assert_eq!(deep.kind, ProfileKind::ChainedRole);
    assert_eq!(deep.chain, vec!["deep", "dev", "ops", "alice"]);
    assert_eq!(deep.root_user, Some("alice"));
    assert_eq!(deep.account.unwrap().partition, "aws-cn");
    // dev is chained with duration above 1 h: a warning, not an error.
    assert!(errors(&g, "dev").is_empty());
    assert!(g.diagnostics_for("dev").any(|d| d.message.contains("caps a role assumed from another role")));
    assert!(g.diagnostics.iter().all(|d| d.severity == Severity::Warning));
}

#[test]
fn own_mfa_serial_wins_over_the_sources() {
    let g = graph(
        "[profile u]\nmfa_serial = arn:aws:iam::111111111111:mfa/u\n[profile r]\nrole_arn = arn:aws:iam::222222222222:role/r\nsource_profile = u\nmfa_serial = arn:aws:iam::111111111111:mfa/other\n",
        &format!("[u]\n{KEYS}"),
    );
    let r = g.get("r").unwrap();
    assert_eq!((r.mfa_serial, r.mfa_serial_from), (Some("arn:aws:iam::111111111111:mfa/other"), Some("r")));
}

#[test]
fn a_loop_is_reported_once_and_breaks_each_member() {
    let g = graph(
        "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/a\nsource_profile = b\n\
         [profile b]\nrole_arn = arn:aws:iam::111111111111:role/b\nsource_profile = a\n\
         [profile ok]\nrole_arn = arn:aws:iam::111111111111:role/ok\nsource_profile = u\n",
        &format!("[u]\n{KEYS}"),
    );
    assert!(errors(&g, "a")[0].contains("loops: a → b → a"), "{:?}", errors(&g, "a"));
    assert_eq!(errors(&g, "b"), errors(&g, "a"), "b answers to the same, single diagnostic");
    assert_eq!(g.diagnostics.len(), 1);
    assert!(g.is_broken("a") && g.is_broken("b"));
    assert!(errors(&g, "ok").is_empty(), "one broken profile never hides the others");
    assert_eq!(g.get("ok").unwrap().root_user, Some("u"));
    assert_eq!(g.get("b").unwrap().chain, vec!["b", "a"], "a chain stops before it repeats");
    let d = g.diagnostics_for("a").next().unwrap();
    assert_eq!(d.at.as_ref().unwrap().line, 3, "points at the source_profile line");
}

#[test]
fn self_reference_needs_static_keys() {
    let g = graph(
        "[profile selfkeys]\nrole_arn = arn:aws:iam::111111111111:role/x\nsource_profile = selfkeys\n\
         [profile selfnokeys]\nrole_arn = arn:aws:iam::111111111111:role/x\nsource_profile = selfnokeys\n",
        &format!("[selfkeys]\n{KEYS}"),
    );
    let s = g.get("selfkeys").unwrap();
    assert_eq!((s.kind, s.root_user), (ProfileKind::Role, Some("selfkeys")));
    assert!(errors(&g, "selfkeys").is_empty());
    assert!(errors(&g, "selfnokeys")[0].contains("names `selfnokeys` itself"));
}

#[test]
fn source_with_keys_and_role_supplies_its_keys() {
    let g = graph(
        "[profile both]\nrole_arn = arn:aws:iam::111111111111:role/b\nsource_profile = u\n[profile r]\nrole_arn = arn:aws:iam::111111111111:role/r\nsource_profile = both\n",
        &format!("[u]\n{KEYS}[both]\n{KEYS}"),
    );
    let r = g.get("r").unwrap();
    assert_eq!((r.kind, r.root_user), (ProfileKind::Role, Some("both")));
    assert!(g.diagnostics_for("both").any(|d| d.severity == Severity::Warning));
}

#[test]
fn broken_profiles_each_get_a_specific_diagnostic() {
    let g = graph(
        "[profile missing]\nrole_arn = arn:aws:iam::111111111111:role/m\nsource_profile = nobody\n\
         [profile both]\nrole_arn = arn:aws:iam::111111111111:role/b\nsource_profile = u\ncredential_source = Environment\n\
         [profile nosource]\nrole_arn = arn:aws:iam::111111111111:role/n\n\
         [profile badarn]\nrole_arn = arn:aws:iam::1234:role/n\nsource_profile = u\n\
         [profile baddur]\nrole_arn = arn:aws:iam::111111111111:role/d\nsource_profile = u\nduration_seconds = 12h\n\
         [profile badcs]\nrole_arn = arn:aws:iam::111111111111:role/d\ncredential_source = Laptop\n\
         [profile emptysrc]\nrole_arn = arn:aws:iam::111111111111:role/d\nsource_profile = cfgonly\n\
         [profile cfgonly]\nregion = us-east-1\n\
         [profile sso]\nsso_session = nowhere\n",
        &format!("[u]\n{KEYS}[halfid]\naws_access_key_id = AKIA\n[halfsecret]\naws_secret_access_key = s\n"),
    );
    let expect = [
        ("missing", "source_profile `nobody` does not exist"),
        ("both", "both source_profile and credential_source"),
        ("nosource", "no source_profile or credential_source"),
        ("badarn", "is not a role ARN"),
        ("baddur", "whole number of seconds"),
        ("badcs", "is not one of Environment"),
        ("emptysrc", "has no credentials"),
        ("sso", "no [sso-session nowhere]"),
        ("halfid", "no aws_secret_access_key"),
        ("halfsecret", "no aws_access_key_id"),
    ];
    for (profile, text) in expect {
        let e = errors(&g, profile);
        assert!(e.iter().any(|m| m.contains(text)), "{profile}: {e:?}");
        assert!(g.is_broken(profile));
    }
    assert!(!g.is_broken("u") && !g.is_broken("cfgonly"));
    let half = g.diagnostics_for("halfid").next().unwrap();
    assert!(half.to_string().starts_with("/h/.aws/credentials:5: error: profile `halfid`"), "{half}");
}

#[test]
fn chain_breaking_further_up_is_reported_on_the_role() {
    let g = graph(
        "[profile mid]\nrole_arn = arn:aws:iam::111111111111:role/m\nsource_profile = gone\n\
         [profile top]\nrole_arn = arn:aws:iam::111111111111:role/t\nsource_profile = mid\n",
        "",
    );
    assert!(errors(&g, "top")[0].contains("breaks at `mid`"));
    assert_eq!(g.get("top").unwrap().root_user, None);
}

#[test]
fn kinds() {
    let g = graph(
        "[profile proc]\ncredential_process = /bin/get-creds\n[profile sso]\nsso_session = c\nsso_account_id = 111111111111\nsso_role_name = Dev\n\
         [sso-session c]\nsso_start_url = https://x\nsso_region = us-east-1\n\
         [profile web]\nrole_arn = arn:aws:iam::111111111111:role/w\nweb_identity_token_file = /t\n[profile env]\nrole_arn = arn:aws:iam::111111111111:role/e\ncredential_source = Environment\n\
         [profile r]\nrole_arn = arn:aws:iam::111111111111:role/r\nsource_profile = proc\n",
        "[tmp]\naws_access_key_id=ASIA\naws_secret_access_key=s\naws_session_token=t\n",
    );
    let kind = |n| g.get(n).unwrap().kind;
    assert_eq!(kind("proc"), ProfileKind::ProcessUser);
    assert_eq!(kind("sso"), ProfileKind::Sso);
    assert_eq!(kind("web"), ProfileKind::WebIdentity);
    assert_eq!(kind("env"), ProfileKind::Role);
    assert_eq!(g.get("env").unwrap().root_user, None);
    assert_eq!(kind("tmp"), ProfileKind::SessionKeys);
    assert_eq!(g.get("r").unwrap().root_user, Some("proc"));
    assert!(g.diagnostics.is_empty(), "{:?}", g.diagnostics);
}

#[test]
fn region_is_the_nearest_up_the_chain() {
    let g = graph(
        "[profile alice]\nregion = eu-west-1\n\
         [profile audit]\nrole_arn = arn:aws:iam::222222222222:role/audit\nsource_profile = alice\nregion = us-east-1\n\
         [profile deep]\nrole_arn = arn:aws:iam::333333333333:role/deep\nsource_profile = audit\n\
         [profile plain]\nrole_arn = arn:aws:iam::333333333333:role/plain\nsource_profile = alice\n\
         [profile own]\nrole_arn = arn:aws:iam::333333333333:role/own\nsource_profile = audit\nregion = ap-south-1\n\
         [profile bob]\n",
        &format!("[alice]\n{KEYS}[bob]\n{KEYS}"),
    );
    let region = |n| {
        let p = g.get(n).unwrap();
        (p.region, p.resolved_region, p.region_from)
    };
    assert_eq!(region("deep"), (None, Some("us-east-1"), Some("audit")), "the parent role's before the user's");
    assert_eq!(region("plain"), (None, Some("eu-west-1"), Some("alice")));
    assert_eq!(region("own"), (Some("ap-south-1"), Some("ap-south-1"), Some("own")));
    assert_eq!(region("alice"), (Some("eu-west-1"), Some("eu-west-1"), Some("alice")));
    assert_eq!(region("bob"), (None, None, None));
}

#[test]
fn sso_profiles_are_checked_like_the_sdks() {
    let g = graph(
        "[sso-session corp]\nsso_start_url = https://d.awsapps.com/start\nsso_region = us-east-1\n\
         [sso-session half]\nsso_start_url = https://d.awsapps.com/start\n\
         [profile good]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Dev\n\
         [profile noaccount]\nsso_session = corp\nsso_role_name = Dev\n\
         [profile norole]\nsso_session = corp\nsso_account_id = 111111111111\n\
         [profile tokenonly]\nsso_session = corp\n\
         [profile doubled]\nsso_session = corp\nsso_start_url = https://d.awsapps.com/start\nsso_account_id = 1\nsso_role_name = r\n\
         [profile noregion]\nsso_session = half\nsso_account_id = 111111111111\nsso_role_name = Dev\n\
         [profile legacy]\nsso_start_url = https://d.awsapps.com/start\nsso_account_id = 111111111111\nsso_role_name = Dev\n\
         [profile nourl]\nsso_account_id = 111111111111\nsso_role_name = Dev\nsso_region = us-east-1\n",
        "",
    );
    assert!(g.diagnostics_for("good").next().is_none(), "{:?}", g.diagnostics_for("good").collect::<Vec<_>>());
    assert_eq!(g.get("good").unwrap().account.unwrap().id, "111111111111");
    let expect = [
        ("noaccount", "has sso_role_name but no sso_account_id"),
        ("norole", "has sso_account_id but no sso_role_name"),
        ("doubled", "sso_start_url belongs in [sso-session corp]"),
        ("noregion", "[sso-session half] has no sso_region"),
        ("legacy", "has sso_start_url but no sso_region"),
        ("nourl", "neither sso_session nor sso_start_url"),
    ];
    for (profile, text) in expect {
        assert_eq!(g.get(profile).unwrap().kind, ProfileKind::Sso, "{profile}");
        let e = errors(&g, profile);
        assert!(e.iter().any(|m| m.contains(text)), "{profile}: {e:?}");
    }
    assert!(!g.is_broken("tokenonly"), "a token-only profile is legitimate for `aws sso login`");
    assert!(g.diagnostics_for("tokenonly").any(|d| d.message.contains("no AWS credentials")));
}

#[test]
fn long_values_are_clipped_in_messages() {
    let long = "x".repeat(70_000);
    let g = graph(&format!("[profile r]\nrole_arn = {long}\nsource_profile = u\n"), &format!("[u]\n{KEYS}"));
    let e = errors(&g, "r");
    assert!(e[0].contains("is not a role ARN") && e[0].len() < 300, "{}", e[0].len());
}

#[test]
fn a_long_sso_session_name_is_still_found() {
    let name = "s".repeat(80);
    let g = graph(
        &format!(
            "[sso-session {name}]\nsso_start_url = https://d.awsapps.com/start\n[profile p]\nsso_session = {name}\nsso_account_id = 111111111111\nsso_role_name = Dev\n"
        ),
        "",
    );
    let e = errors(&g, "p");
    assert!(e.iter().any(|m| m.contains("has no sso_region")), "{e:?}");
    assert!(!e.iter().any(|m| m.contains("no [sso-session")), "the section exists: {e:?}");
}

#[test]
fn aws_login_and_sso_profiles_start_chains() {
    let g = graph(
        "[profile console]\nlogin_session = arn:aws:iam::111111111111:user/maria\nregion = eu-west-1\n\
         [profile ops]\nrole_arn = arn:aws:iam::222222222222:role/ops\nsource_profile = console\n\
         [profile sso-dev]\nsso_session = corp\nsso_account_id = 333333333333\nsso_role_name = ReadOnly\n\
         [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\
         [profile deploy]\nrole_arn = arn:aws:iam::444444444444:role/deploy\nsource_profile = sso-dev\n\
         [profile bad]\nlogin_session = maria\n",
        "",
    );
    let console = g.get("console").unwrap();
    assert_eq!((console.kind, console.account.map(|a| a.id)), (ProfileKind::Login, Some("111111111111")));
    // Not "source profile `console` has no credentials": the AWS CLI uses it.
    assert!(errors(&g, "ops").is_empty() && errors(&g, "console").is_empty(), "{:?}", g.diagnostics);
    assert_eq!(g.get("ops").unwrap().root_user, Some("console"));
    assert!(errors(&g, "deploy").is_empty(), "{:?}", g.diagnostics);
    assert_eq!(g.get("deploy").unwrap().root_user, Some("sso-dev"));
    assert_eq!(g.get("deploy").unwrap().resolved_region, None);
    let bad = errors(&g, "bad");
    assert!(
        bad.len() == 1 && bad[0].contains("not an IAM user ARN") && bad[0].contains("aws login --profile bad"),
        "{bad:?}"
    );
}
