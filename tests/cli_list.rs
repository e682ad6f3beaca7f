//! `mfatui list` and `mfatui doctor` run as a user would, on fixture trees.

mod common;
use common::{Home, stderr, stdout, tool};
use serde_json::Value;
use std::fs;

const CONFIG: &str = "\
# team config
[default]
region = us-east-1

[profile alice]
mfa_serial = arn:aws:iam::111111111111:mfa/alice-phone
region = eu-west-1

[profile ops]
role_arn = arn:aws:iam::222222222222:role/ops
source_profile = alice
external_id = ext-123

[profile deploy]
role_arn = arn:aws:iam::333333333333:role/deploy
source_profile = ops
duration_seconds = 3600

[profile orphan]
role_arn = arn:aws:iam::444444444444:role/x
source_profile = nobody
";

const CREDENTIALS: &str = "[alice]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = wJalrXUtnFEMIsecret\n";

fn home() -> Home {
    let h = Home::new();
    h.write("config", CONFIG).write("credentials", CREDENTIALS);
    h
}

#[test]
fn table_shows_every_profile_and_never_the_secret() {
    let h = home();
    let o = h.mfatui(&["list"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("PROFILE") && lines[0].contains("SOURCE CHAIN") && lines[0].contains("SESSION"));
    let row = |name: &str| lines.iter().find(|l| l.starts_with(&format!("{name} "))).copied().unwrap();
    assert!(row("deploy").contains("chained role") && row("deploy").contains("ops > alice"), "{out}");
    assert!(row("deploy").contains("333333333333") && row("deploy").contains("alice-phone"));
    assert!(row("orphan").contains("role (broken)"));
    assert!(out.contains("\n1 error in your AWS config, on profile orphan: `mfatui doctor` shows it"), "{out}");
    assert!(row("ops").contains("eu-west-1 (from alice)") && row("alice").contains("eu-west-1  "), "{out}");
    assert!(!out.contains("wJalr"), "secret keys never appear");
}

#[test]
fn json_has_all_fields_sessions_and_diagnostics() {
    let h = home();
    // One valid and one expired session in the store.
    let store = h.path().join(".local/state/mfatui/sessions.json");
    fs::create_dir_all(store.parent().unwrap()).unwrap();
    let s = |exp: &str| serde_json::json!({"access_key_id":"ASIA","secret_access_key":"SECRETX","session_token":"TOKENX","expiration":exp,"identity_arn":null,"mfa":true});
    let doc = serde_json::json!({"version":1,"sessions":{"ops": s("2999-01-01T00:00:00Z"), "alice": s("2001-01-01T00:00:00Z")}});
    fs::write(&store, doc.to_string()).unwrap();

    let o = h.mfatui(&["list", "--json"], &[("AWS_REGION", "ap-south-1")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stdout(&o).contains("SECRETX") && !stdout(&o).contains("TOKENX"));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let p = |name: &str| v["profiles"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap().clone();
    let ops = p("ops");
    assert_eq!(ops["kind"], "role");
    assert_eq!(ops["account"], serde_json::json!({"partition": "aws", "id": "222222222222"}));
    assert_eq!(ops["external_id"], "ext-123");
    assert_eq!(ops["chain"], serde_json::json!(["ops", "alice"]));
    assert_eq!(ops["root_user"], "alice");
    assert_eq!(ops["mfa_serial_from"], "alice");
    assert_eq!(ops["effective_region"], "ap-south-1");
    assert_eq!(ops["region"], Value::Null);
    assert_eq!((&ops["resolved_region"], &ops["region_from"]), (&"eu-west-1".into(), &"alice".into()));
    assert_eq!(ops["session"]["state"], "valid");
    assert!(ops["session"]["remaining_seconds"].as_i64().unwrap() > 0);
    assert_eq!(p("alice")["session"]["state"], "expired");
    assert_eq!(p("deploy")["session"]["state"], "none");
    assert_eq!(p("deploy")["kind"], "chained_role");
    assert_eq!(p("deploy")["duration_seconds"], 3600);
    let orphan = p("orphan");
    assert_eq!(orphan["broken"], true);
    assert_eq!(orphan["diagnostics"][0]["line"], 21);
    assert!(orphan["diagnostics"][0]["file"].as_str().unwrap().ends_with(".aws/config"));
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 1);
}

#[test]
fn doctor_exit_codes_and_locations() {
    let h = home();
    let o = h.mfatui(&["doctor"], &[]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains(".aws/config:21: error: profile `orphan`: source_profile `nobody` does not exist"), "{out}");

    let clean = Home::new();
    clean.write("config", "[profile a]\nregion = x\n");
    let o = clean.mfatui(&["doctor"], &[]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("No problems found in 1 profile."), "{}", stdout(&o));
}

#[test]
fn env_vars_choose_the_files_like_the_cli() {
    let h = Home::new();
    let dir = h.path().join("elsewhere");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("cfg"), "[profile from-env]\nregion = x\n").unwrap();
    fs::write(dir.join("creds"), "[cred-only]\naws_access_key_id=A\naws_secret_access_key=B\n").unwrap();
    h.write("config", "[profile from-home]\n");
    let cfg = dir.join("cfg").display().to_string();
    let creds = dir.join("creds").display().to_string();
    let o = h.mfatui(
        &["list", "--json"],
        &[("AWS_CONFIG_FILE", &cfg), ("AWS_SHARED_CREDENTIALS_FILE", &creds), ("AWS_PROFILE", "ghost")],
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = v["profiles"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["cred-only", "from-env"]);
    assert_eq!(v["selected_profile"], "ghost");
    assert!(v["diagnostics"][0]["message"].as_str().unwrap().contains("AWS_PROFILE is `ghost`"));
}

#[test]
fn empty_home_explains_what_to_do() {
    let h = Home::new();
    let o = h.mfatui(&["list"], &[]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("No profiles found") && stdout(&o).contains("aws configure"));
}

#[test]
fn unreadable_files_are_clear_errors() {
    let h = Home::new();
    h.write("config", "[profile a]\nregion = caf\u{e9}\n");
    fs::write(h.aws("credentials"), b"[a]\n\xff\xfe\n").unwrap();
    let o = h.mfatui(&["list"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("credentials is not UTF-8 text (first bad byte on line 2)"), "{}", stderr(&o));

    let h = Home::new();
    fs::create_dir_all(h.aws("config")).unwrap();
    let o = h.mfatui(&["list"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is a directory"), "{}", stderr(&o));

    let o = std::process::Command::new(env!("CARGO_BIN_EXE_mfatui")).arg("list").env_clear().output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("HOME is not set"), "{}", stderr(&o));
}

#[test]
fn damaged_session_store_is_a_warning_not_a_failure() {
    let h = home();
    let store = h.path().join(".local/state/mfatui/sessions.json");
    fs::create_dir_all(store.parent().unwrap()).unwrap();
    fs::write(&store, "{\"version\":1,\"sessi").unwrap();
    let o = h.mfatui(&["list"], &[]);
    assert!(o.status.success());
    assert!(stdout(&o).starts_with("warning: session store"), "{}", stdout(&o));
}

/// AWS CLI v2's `aws configure list-profiles` prints botocore's `available_profiles`; v1 (the
/// one on PyPI) lacks the command, so ask botocore directly, as the CLI would.
#[test]
fn profile_names_match_botocore() {
    let Some(python) = tool("MFATUI_PYTHON", &[".venv/bin/python"]) else { return };
    let quoted = Home::new();
    quoted.write("config", "[profile \"personal\"]\nregion = x\n[profile 'work']\nk = 1\n[profile plain]\n");
    for (h, expected) in [(home(), 5), (quoted, 3)] {
        let script = "import botocore.session\nfor p in botocore.session.Session().available_profiles: print(p)";
        let env = [("HOME", h.path().to_str().unwrap())];
        let o = std::process::Command::new(&python).args(["-c", script]).env_clear().envs(env).output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let mut theirs: Vec<String> = stdout(&o).lines().map(str::to_string).collect();
        theirs.sort();
        let v: Value = serde_json::from_slice(&h.mfatui(&["list", "--json"], &[]).stdout).unwrap();
        let ours: Vec<String> =
            v["profiles"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().into()).collect();
        assert_eq!(ours, theirs);
        assert_eq!(ours.len(), expected);
    }
}

#[test]
fn long_values_are_clipped_in_the_table_and_kept_in_json() {
    let h = Home::new();
    let long = "x".repeat(70_000);
    h.write(
        "config",
        &format!("[profile a]\nregion = {long}\n[profile {long}]\nrole_arn = {long}\nsource_profile = a\n"),
    );
    let o = h.mfatui(&["list"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.lines().all(|l| l.chars().count() < 400), "every line is clipped");
    assert!(out.contains("xxx…"), "{out}");
    let o = h.mfatui(&["doctor"], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).lines().all(|l| l.chars().count() < 400), "{}", stdout(&o).len());
    let v: Value = serde_json::from_slice(&h.mfatui(&["list", "--json"], &[]).stdout).unwrap();
    assert_eq!(v["profiles"][0]["region"].as_str().unwrap().len(), 70_000, "the data keeps full values");
}

#[test]
fn a_line_the_aws_tools_refuse_is_shown_first() {
    let h = Home::new();
    h.write("config", "region = us-east-1\n[profile a]\nregion = eu-west-1\n");
    let o = h.mfatui(&["list"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let first = out.lines().next().unwrap();
    assert!(first.contains(".aws/config:1: error: `region` comes before any [section] header"), "{out}");
    assert!(first.contains("the AWS CLI and SDKs refuse this whole file until it is fixed"), "{out}");
    assert!(out.lines().any(|l| l.starts_with("a ")), "the rest is still read: {out}");
    let v: Value = serde_json::from_slice(&h.mfatui(&["list", "--json"], &[]).stdout).unwrap();
    assert_eq!(v["diagnostics"][0]["rejects_file"], true);
}

#[test]
fn quoted_profile_names_are_listed_with_a_warning() {
    let h = Home::new();
    h.write("config", "[profile \"personal\"]\nregion = eu-west-1\n");
    let o = h.mfatui(&["list"], &[]);
    let out = stdout(&o);
    assert!(out.lines().any(|l| l.starts_with("personal ")), "{out}");
    assert!(out.contains("1 warning in your AWS config, on profile personal"), "{out}");
    let doctor = stdout(&h.mfatui(&["doctor"], &[]));
    assert!(doctor.contains("profile `personal`: [profile \"personal\"] is read as profile `personal`"), "{doctor}");
}

#[test]
fn doctor_reports_a_loop_of_a_thousand_profiles_in_a_few_lines() {
    let h = Home::new();
    let config: String = (0..1000)
        .map(|i| {
            format!(
                "[profile l{i}]\nrole_arn = arn:aws:iam::111111111111:role/l{i}\nsource_profile = l{}\n",
                (i + 1) % 1000
            )
        })
        .collect();
    h.write("config", &config);
    let o = h.mfatui(&["doctor"], &[]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.len() < 4_000, "{} bytes", out.len());
    assert!(out.contains("1 error, 0 warnings; 1000 of 1000 profiles broken."), "{out}");
}
