//! `mfatui demo` and `mfatui sandbox` as a user runs them, and the demo's files with real clients.

mod common;
use common::{Home, stderr, stdout, tool};
use mfatui::aws::secret::Secret;
use mfatui::aws::sts::{self, Keys, Target};
use mfatui::sandbox::{self, demo_world};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn demo_signs_in_once_per_user_and_cleans_up() {
    let o = Command::new(env!("CARGO_BIN_EXE_mfatui")).arg("demo").stdin(Stdio::null()).output().unwrap();
    let out = stdout(&o);
    assert!(o.status.success(), "{out}\n{}", stderr(&o));
    assert!(out.contains("15 of 15 roles ready"), "{out}");
    assert!(out.contains("prod-breakglass") && out.contains("assumed-role/prod-breakglass/alice"), "chained role");
    assert!(out.contains("assumed-role/partner-access/"), "external-id role");
    assert!(out.contains("source_profile `alcie` does not exist"), "the broken profile is shown with its diagnostic");
    let shown = out.lines().find(|l| l.contains("alice: the MFA device shows")).expect("the code is shown");
    assert!(shown.split_whitespace().any(|w| w.len() == 6 && w.bytes().all(|b| b.is_ascii_digit())), "{shown}");
    assert!(!out.contains("demo/alice/secret"), "no secret on screen");
    let home = out.split("throw-away HOME at ").nth(1).unwrap().split(' ').next().unwrap();
    assert!(!std::path::Path::new(home).exists(), "{home} is removed on exit");
}

#[test]
fn sandbox_command_serves_a_seed_file_until_stopped() {
    let h = Home::new();
    let seed = r#"{"users": [{"account": "123456789012", "name": "solo", "access_keys": [{"id": "AKIASOLO000000000001", "secret": "s"}]}]}"#;
    let seed_path = h.path().join("seed.json");
    std::fs::write(&seed_path, seed).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mfatui"))
        .args(["sandbox", "--port", "0", "--seed", seed_path.to_str().unwrap()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    reader.read_line(&mut first).unwrap();
    let url = first.trim().strip_prefix("listening on ").expect(&first).to_string();
    // The banner says how to point `mfatui console` at the sandbox's sign-in endpoint.
    let (mut second, mut third) = (String::new(), String::new());
    reader.read_line(&mut second).unwrap();
    reader.read_line(&mut third).unwrap();
    assert_eq!(
        third.trim(),
        format!("Point `mfatui console` at its sign-in endpoint with MFATUI_FEDERATION_URL={url}/federation")
    );
    // Whoever started it may stop reading; the sandbox must keep serving.
    drop(reader);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let who = rt.block_on(async {
        let keys = Keys {
            access_key_id: "AKIASOLO000000000001".into(),
            secret_access_key: Secret::new("s"),
            session_token: None,
        };
        sts::get_caller_identity(&Target::at("us-east-1", Some(url)), &keys).await
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(who.unwrap().arn, "arn:aws:iam::123456789012:user/solo");
    // Once stopped, a client gets a network error naming the real cause.
    let port_gone = rt.block_on(async {
        let keys = Keys {
            access_key_id: "AKIASOLO000000000001".into(),
            secret_access_key: Secret::new("s"),
            session_token: None,
        };
        sts::get_caller_identity(&Target::at("us-east-1", Some(first.trim()[13..].to_string())), &keys).await
    });
    let msg = port_gone.unwrap_err().to_string();
    assert!(msg.contains("Connection refused") && msg.contains("check the network"), "{msg}");

    std::fs::write(&seed_path, r#"{"users": [], "colour": "blue"}"#).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_mfatui"))
        .args(["sandbox", "--seed", seed_path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not a valid sandbox seed") && stderr(&o).contains("colour"), "{}", stderr(&o));
}

/// What the demo tells the user to try: the plain AWS CLI on the demo files is refused for a
/// role (alice's boundary wants MFA), while identity calls with her keys work.
#[test]
fn aws_cli_on_the_demo_files_shows_the_problem_mfatui_solves() {
    let Some(aws) = tool("MFATUI_AWS_CLI", &[".venv/bin/aws"]) else { return };
    let dir = tempfile::tempdir().unwrap();
    mfatui::commands::demo::make_home(dir.path()).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sb = rt.block_on(sandbox::start(&demo_world::seed(), 0)).unwrap();
    let cli = |profile: &str| {
        Command::new(&aws)
            .args(["sts", "get-caller-identity", "--profile", profile, "--output", "json"])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap())
            .env("HOME", dir.path())
            .env("AWS_ENDPOINT_URL", sb.endpoint())
            .env("AWS_MAX_ATTEMPTS", "1")
            .output()
            .unwrap()
    };
    let alice = cli("alice");
    assert!(alice.status.success(), "{}", stderr(&alice));
    assert!(stdout(&alice).contains("arn:aws:iam::111111111111:user/alice"));
    let role = cli("dev-admin");
    assert!(!role.status.success());
    assert!(
        stderr(&role).contains("AccessDenied") && stderr(&role).contains("permissions boundary"),
        "{}",
        stderr(&role)
    );
    drop(sb);
}
