//! SSO and `aws login` profiles as part of "every profile": the AWS CLI's caches written here
//! in the shape the AWS CLI writes them (Debian's AWS CLI 2.9 has no `aws login`), the
//! sandbox's SSO portal, and mfatui reading those caches and never writing them: `doctor` and
//! `list` understand the profiles and show their expiry, roles sourced from them are signed in
//! with no prompt, an ended source says the exact command that renews it, and the real AWS CLI
//! (v1, whose botocore has both providers) accepts the files as written here.

mod common;
use common::world::{World, world};
use common::{stderr, stdout, tool};
use mfatui::aws::clock::rfc3339;
use mfatui::sandbox::Seed;
use mfatui::sandbox::seed::{RoleSeed, UserSeed};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const MARIA: &str = "arn:aws:iam::300000000001:user/maria";

const CONFIG: &str = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n\n\
[profile sso-dev]\nsso_session = corp\nsso_account_id = 300000000002\nsso_role_name = ReadOnly\nregion = eu-west-1\n\n\
[profile legacy-sso]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = eu-west-1\nsso_account_id = 300000000002\nsso_role_name = ReadOnly\nregion = eu-west-1\n\n\
[profile console]\nlogin_session = arn:aws:iam::300000000001:user/maria\nregion = eu-west-1\n\n\
[profile deploy]\nrole_arn = arn:aws:iam::300000000003:role/deploy\nsource_profile = sso-dev\nregion = eu-west-1\n\n\
[profile ops]\nrole_arn = arn:aws:iam::300000000003:role/ops\nsource_profile = console\nregion = eu-west-1\n";

fn sso_world() -> World {
    let seed = Seed::default()
        .user(UserSeed::new("300000000001", "maria"))
        .role(RoleSeed::new("300000000002", "ReadOnly", &[]))
        .role(RoleSeed::new("300000000003", "deploy", &["arn:aws:iam::300000000002:role/ReadOnly"]))
        .role(RoleSeed::new("300000000003", "ops", &[MARIA]));
    world(&seed, CONFIG, "")
}

fn home_env(w: &World) -> impl Fn(&str) -> Option<String> + '_ {
    move |k| (k == "HOME").then(|| w.home.path().display().to_string())
}

fn write(path: &Path, json: serde_json::Value) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
}

/// `aws sso login`'s cache entry for `key` (the sso-session name, or a legacy start URL).
fn write_sso(w: &World, key: &str, token: &str, expires_at: &str) -> PathBuf {
    let path = mfatui::aws::external::sso_cache_file(key, &home_env(w)).unwrap();
    let start_url = if key == "corp" { "https://corp.awsapps.com/start" } else { key };
    write(
        &path,
        serde_json::json!({
            "startUrl": start_url, "region": "eu-west-1", "accessToken": token, "expiresAt": expires_at,
            "clientId": "client-id-from-register-client", "clientSecret": "client-secret",
            "registrationExpiresAt": rfc3339(w.sandbox.now() + 90 * 86_400), "refreshToken": "refresh-token",
        }),
    );
    path
}

/// `aws login`'s cache entry for maria, with credentials from the sandbox valid `secs`.
fn write_login(w: &World, secs: i64) -> PathBuf {
    let path = mfatui::aws::external::login_cache_file(MARIA, &home_env(w)).unwrap();
    let access = w.sandbox.login_credentials(MARIA, secs).unwrap();
    write(
        &path,
        serde_json::json!({
            "accessToken": access, "tokenType": "aws_sigv4", "refreshToken": "opaque-refresh-token",
            "idToken": "eyJhbGciOiJub25lIn0.e30.", "clientId": "arn:aws:signin:::devtools/same-device",
            "dpopKey": "-----BEGIN EC PRIVATE KEY-----\nTUZBVFVJLVRFU1QtS0VZ\n-----END EC PRIVATE KEY-----\n",
        }),
    );
    path
}

/// Every cache file's bytes: what mfatui must never change.
fn caches(w: &World) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for dir in [".aws/sso/cache", ".aws/login/cache"] {
        for e in std::fs::read_dir(w.home.path().join(dir)).into_iter().flatten().flatten() {
            out.insert(e.path(), std::fs::read(e.path()).unwrap());
        }
    }
    out
}

/// `mfatui ARGS`, checking that the AWS CLI's caches are byte-identical afterwards and that
/// nothing asked for an MFA code (there is no terminal: a prompt would fail the command).
fn run(w: &World, args: &[&str]) -> std::process::Output {
    let before = caches(w);
    let o = w.mfatui(args, &[("AWS_ENDPOINT_URL_SSO", &w.sandbox.endpoint())]);
    assert_eq!(caches(w), before, "mfatui {args:?} changed the AWS CLI's caches");
    assert!(!stderr(&o).contains("MFA code for"), "mfatui {args:?} prompted: {}", stderr(&o));
    o
}

fn both(o: &std::process::Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

#[test]
fn doctor_and_list_understand_them_and_show_which_expiry() {
    let w = sso_world();
    // Nothing cached yet: no false error, and the command that signs in.
    let o = run(&w, &["doctor"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(!text.contains("has no credentials") && !text.contains("broken"), "{text}");
    assert!(text.contains("no SSO access token is cached") || text.contains("no SSO access token cached"), "{text}");
    assert!(text.contains("sign in with `aws sso login --profile sso-dev`"), "{text}");
    assert!(text.contains("sign in with `aws login --profile console`"), "{text}");

    let (token, expires) = w.sandbox.sso_token("maria@example.com", 8 * 3600);
    write_sso(&w, "corp", &token, &expires);
    write_login(&w, 900);
    let text = stdout(&run(&w, &["doctor"]));
    let valid = |what: &str, a: &str, b: &str| {
        text.contains(&format!("{what} valid for {a}")) || text.contains(&format!("{what} valid for {b}"))
    };
    assert!(valid("note: profile `sso-dev`: SSO access token", "7h 59m", "8h 00m"), "{text}");
    assert!(valid("note: profile `console`: aws login credentials", "14m", "15m 00s"), "{text}");
    assert!(text.contains("note: profile `legacy-sso`: no SSO access token"), "legacy: its own cache file\n{text}");

    let table = stdout(&run(&w, &["list"]));
    let line = |p: &str| table.lines().find(|l| l.starts_with(&format!("{p} "))).unwrap_or_default().to_string();
    assert!(line("sso-dev").contains("SSO token 7h 59m") || line("sso-dev").contains("SSO token 8h 00m"), "{table}");
    assert!(line("console").contains("aws login") && line("console").contains("login 1"), "{table}");
    assert!(line("ops").contains("console") && !line("ops").contains("broken"), "{table}");

    let json: serde_json::Value = serde_json::from_str(&stdout(&run(&w, &["list", "--json"]))).unwrap();
    let profile = |n: &str| json["profiles"].as_array().unwrap().iter().find(|p| p["name"] == n).unwrap().clone();
    let sso = &profile("sso-dev")["external_session"];
    assert_eq!(
        (sso["kind"].as_str(), sso["renew_command"].as_str()),
        (Some("sso_token"), Some("aws sso login --profile sso-dev"))
    );
    assert!(sso["remaining_seconds"].as_i64().unwrap() > 7 * 3600, "{sso}");
    let login = &profile("console")["external_session"];
    assert_eq!(
        (profile("console")["kind"].as_str(), login["kind"].as_str()),
        (Some("login"), Some("login_credentials"))
    );
    assert_eq!(profile("ops")["root_user"], "console");
}

#[test]
fn roles_from_sso_and_aws_login_are_signed_in_from_the_caches() {
    let w = sso_world();
    let (token, expires) = w.sandbox.sso_token("maria@example.com", 8 * 3600);
    write_sso(&w, "corp", &token, &expires);
    write_login(&w, 900);
    let o = run(&w, &["refresh", "--all"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(w.sandbox.calls("GetRoleCredentials"), 1, "one portal call for deploy");
    for (role, session) in [("deploy", "maria@example.com"), ("ops", "maria")] {
        let o = run(&w, &["credential-process", role]);
        assert!(o.status.success(), "{role}: {}", stderr(&o));
        let c: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let keys = [
            ("AWS_ACCESS_KEY_ID", c["AccessKeyId"].as_str().unwrap()),
            ("AWS_SECRET_ACCESS_KEY", c["SecretAccessKey"].as_str().unwrap()),
            ("AWS_SESSION_TOKEN", c["SessionToken"].as_str().unwrap()),
        ];
        let Some(o) = w.aws(
            &["sts", "get-caller-identity", "--output", "text"],
            &[keys[0], keys[1], keys[2], ("AWS_DEFAULT_REGION", "eu-west-1")],
        ) else {
            continue;
        };
        let arn = stdout(&o);
        assert!(arn.contains(&format!(":assumed-role/{role}/{session}")), "{role}: {arn}{}", stderr(&o));
    }
    // The STS session of a role from SSO is a chained one: an hour.
    let status = stdout(&run(&w, &["status"]));
    assert!(status.contains("deploy") && status.contains("ops"), "{status}");
    assert_eq!(w.sandbox.calls("GetSessionToken"), 0, "no MFA session: nothing to type");
}

#[test]
fn an_ended_source_says_the_exact_command_that_renews_it() {
    let w = sso_world();
    let past = rfc3339(w.sandbox.now() - 600);
    write_sso(&w, "corp", "a-token-the-portal-never-issued", &past);
    write_login(&w, 900);
    std::fs::write(mfatui::aws::external::login_cache_file(MARIA, &home_env(&w)).unwrap(), {
        let mut v: serde_json::Value = serde_json::from_slice(
            &std::fs::read(mfatui::aws::external::login_cache_file(MARIA, &home_env(&w)).unwrap()).unwrap(),
        )
        .unwrap();
        v["accessToken"]["expiresAt"] = serde_json::json!(past);
        serde_json::to_string(&v).unwrap()
    })
    .unwrap();
    let o = run(&w, &["login", "deploy"]);
    assert!(!o.status.success(), "{}", stdout(&o));
    let e = format!("{}{}", stdout(&o), stderr(&o));
    assert!(
        e.contains("the SSO access token of sso-dev expired 10m")
            && e.contains("renew it with `aws sso login --profile sso-dev`"),
        "{e}"
    );
    let e = both(&run(&w, &["login", "ops"]));
    assert!(
        e.contains("the aws login credentials of console expired") && e.contains("`aws login --profile console`"),
        "{e}"
    );
    let text = stdout(&run(&w, &["list"]));
    assert!(
        text.contains("sso-dev: SSO access token expired 10m") && text.contains("`aws sso login --profile sso-dev`"),
        "{text}"
    );
    assert_eq!(w.sandbox.calls("GetRoleCredentials"), 0, "an expired token is not sent");

    // A token the portal does not know (signed out elsewhere): its 401, in words.
    write_sso(&w, "corp", "a-token-the-portal-never-issued", &rfc3339(w.sandbox.now() + 3600));
    let e = both(&run(&w, &["login", "deploy"]));
    assert!(
        e.contains("the SSO portal refused the access token of sso-dev")
            && e.contains("aws sso login --profile sso-dev"),
        "{e}"
    );
    assert_eq!(w.sandbox.calls("GetRoleCredentials"), 1);

    // aws login credentials the SDKs would refresh now: mfatui leaves that to the AWS CLI.
    write_login(&w, 120);
    let e = both(&run(&w, &["login", "ops"]));
    assert!(
        e.contains("only the AWS CLI may refresh them")
            && e.contains("the AWS CLI assumes the roles sourced from console"),
        "{e}"
    );
}

#[test]
fn a_portal_that_does_not_answer_is_given_up_on_in_bounded_time() {
    use mfatui::sandbox::{Effect, FaultConfig, FaultRule};
    let w = sso_world();
    let (token, expires) = w.sandbox.sso_token("maria@example.com", 3600);
    write_sso(&w, "corp", &token, &expires);
    let rules = vec![FaultRule::new(Effect::LatencyMs(30_000)).action("GetRoleCredentials")];
    w.sandbox.set_faults(FaultConfig { rules, ..Default::default() });
    let settings = w.home.path().join(".config/mfatui");
    std::fs::create_dir_all(&settings).unwrap();
    std::fs::write(settings.join("config.toml"), "read_timeout_secs = 1\ncall_timeout_secs = 2\n").unwrap();
    let started = std::time::Instant::now();
    let o = run(&w, &["login", "deploy"]);
    let took = started.elapsed();
    assert!(!o.status.success() && took < std::time::Duration::from_secs(10), "took {took:?}");
    let e = both(&o);
    assert!(e.contains("the SSO portal at") && e.contains("did not answer within"), "{e}");
    assert!(!e.contains(&token), "the token never shows: {e}");
}

/// The AWS CLI v1 (pip; its botocore has the SSO and login providers) with PYTHONPATH passed
/// on, for `awscrt`, which botocore's login provider needs (`botocore[crt]`).
fn cli_v1() -> Option<PathBuf> {
    tool("MFATUI_AWS_CLI", &[".venv/bin/aws"])
}

#[test]
fn the_real_aws_cli_accepts_the_caches_as_written_here() {
    let Some(cli) = cli_v1() else { return };
    let w = sso_world();
    let (token, expires) = w.sandbox.sso_token("maria@example.com", 8 * 3600);
    write_sso(&w, "corp", &token, &expires);
    let (legacy_token, legacy_expires) = w.sandbox.sso_token("maria@example.com", 8 * 3600);
    write_sso(&w, "https://legacy.awsapps.com/start", &legacy_token, &legacy_expires);
    write_login(&w, 3600);
    let before = caches(&w);
    let pythonpath = std::env::var("PYTHONPATH").unwrap_or_default();
    let env = [("AWS_ENDPOINT_URL_SSO", w.sandbox.endpoint()), ("PYTHONPATH", pythonpath)];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let caller = |profile: &str| {
        let args = ["--profile", profile, "--output", "text", "sts", "get-caller-identity"];
        let o = w.client(Command::new(&cli), &args, &env);
        (stdout(&o), stderr(&o))
    };
    for profile in ["sso-dev", "legacy-sso"] {
        let (out, err) = caller(profile);
        assert!(out.contains(":assumed-role/ReadOnly/maria@example.com"), "AWS CLI --profile {profile}: {out}{err}");
    }
    let (out, err) = caller("deploy");
    assert!(out.contains(":assumed-role/deploy/"), "AWS CLI --profile deploy: {out}{err}");
    let python = tool("MFATUI_PYTHON", &[".venv/bin/python"]).unwrap_or_else(|| "python3".into());
    let crt = w.client(Command::new(python), &["-c", "import awscrt"], &env);
    if crt.status.success() || std::env::var("MFATUI_REQUIRE_TOOLS").as_deref() == Ok("1") {
        let (out, err) = caller("console");
        assert!(out.contains(&format!("{MARIA}\t")) || out.contains(MARIA), "AWS CLI --profile console: {out}{err}");
        let (out, err) = caller("ops");
        assert!(out.contains(":assumed-role/ops/"), "AWS CLI --profile ops: {out}{err}");
    }
    assert_eq!(caches(&w), before, "with this much left, the AWS CLI refreshed nothing either");
}

/// Debian's AWS CLI v2 (2.9) ignores AWS_ENDPOINT_URL_SSO: its SSO client is pointed at the
/// sandbox with an endpoint rule set in AWS_DATA_PATH, which botocore searches first.
#[test]
fn aws_cli_v2_accepts_the_sso_cache_and_uses_mfatuis_role_sessions() {
    let Some(v2) = tool("MFATUI_AWS_CLI_V2", &["/usr/bin/aws"]) else { return };
    let w = sso_world();
    let (token, expires) = w.sandbox.sso_token("maria@example.com", 8 * 3600);
    write_sso(&w, "corp", &token, &expires);
    write_login(&w, 3600);
    let data = w.home.path().join("aws-data/sso/2019-06-10");
    std::fs::create_dir_all(&data).unwrap();
    let rules = serde_json::json!({
        "version": "1.0",
        "parameters": {
            "Region": {"builtIn": "AWS::Region", "required": false, "documentation": "r", "type": "String"},
            "UseDualStack": {"builtIn": "AWS::UseDualStack", "required": true, "default": false, "documentation": "d", "type": "Boolean"},
            "UseFIPS": {"builtIn": "AWS::UseFIPS", "required": true, "default": false, "documentation": "f", "type": "Boolean"},
            "Endpoint": {"builtIn": "SDK::Endpoint", "required": false, "documentation": "e", "type": "String"},
        },
        "rules": [{"conditions": [], "endpoint": {"url": w.sandbox.endpoint(), "properties": {}, "headers": {}}, "type": "endpoint"}],
    });
    std::fs::write(data.join("endpoint-rule-set-1.json"), rules.to_string()).unwrap();
    let data_path = w.home.path().join("aws-data").display().to_string();
    let before = caches(&w);
    let caller = |profile: &str| {
        let endpoint = w.sandbox.endpoint();
        let args =
            ["--profile", profile, "--endpoint-url", &endpoint, "--output", "text", "sts", "get-caller-identity"];
        let o = w.client(Command::new(&v2), &args, &[("AWS_DATA_PATH", &data_path)]);
        (stdout(&o), stderr(&o))
    };
    let (out, err) = caller("sso-dev");
    assert!(out.contains(":assumed-role/ReadOnly/maria@example.com"), "AWS CLI v2 --profile sso-dev: {out}{err}");
    assert_eq!(w.sandbox.calls("GetRoleCredentials"), 1, "the AWS CLI's own portal call");
    // mfatui signs deploy in; the AWS CLI then finds its session in its own cache, with no
    // portal call and no prompt of its own.
    assert!(run(&w, &["refresh", "--all"]).status.success());
    let portal_calls = w.sandbox.calls("GetRoleCredentials");
    let (out, err) = caller("deploy");
    assert!(out.contains(":assumed-role/deploy/maria@example.com"), "AWS CLI v2 --profile deploy: {out}{err}");
    assert_eq!(w.sandbox.calls("GetRoleCredentials"), portal_calls, "deploy came from mfatui's entry");
    assert_eq!(caches(&w), before);
}

#[test]
fn the_dashboard_counts_down_their_expiry_and_signs_their_roles_in() {
    if !common::tmux::available() {
        return;
    }
    let w = sso_world();
    let (token, expires) = w.sandbox.sso_token("maria@example.com", 5 * 3600);
    write_sso(&w, "corp", &token, &expires);
    write_login(&w, 1800);
    let before = caches(&w);
    let tmux = common::tmux::Tmux::new("sso");
    let cmd = format!(
        "env -i PATH=/usr/bin:/bin HOME={} TERM=xterm-256color AWS_ENDPOINT_URL={} {}; sleep 30",
        w.home.path().display(),
        w.sandbox.endpoint(),
        env!("CARGO_BIN_EXE_mfatui")
    );
    tmux.run(&["new-session", "-d", "-s", "e2e", "-x", "130", "-y", "20", &cmd]);
    let row =
        |s: &str, p: &str| s.lines().find(|l| l.trim_start().starts_with(&format!("{p} "))).unwrap_or("").to_string();
    tmux.wait_for("the sources' countdowns", |s| {
        row(s, "sso-dev").contains("SSO token 4h 59m") && row(s, "console").contains("login 29m")
    });
    // Their roles: R signs everything in, with no MFA modal (nothing to type).
    tmux.keys(&["R"]);
    let screen =
        tmux.wait_for("both roles valid", |s| row(s, "deploy").contains("59m") && row(s, "ops").contains("59m"));
    assert!(!screen.contains("MFA code"), "{screen}");
    assert_eq!(caches(&w), before, "the dashboard changed the AWS CLI's caches");
    // `aws sso login` again elsewhere: the row follows the new token.
    let (token, expires) = w.sandbox.sso_token("maria@example.com", 7 * 3600);
    write_sso(&w, "corp", &token, &expires);
    tmux.wait_for("the new token's countdown", |s| row(s, "sso-dev").contains("SSO token 6h 59m"));
    tmux.keys(&["q"]);
}
