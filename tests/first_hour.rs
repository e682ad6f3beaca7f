//! What a new user trips over in the first hour, each held to what it should do: the user's own
//! managed section comes back, one name resolver, honest summaries, explanations per kind of
//! profile, deliberate suffix changes, messages that say what to do.

mod common;
use common::world::{EVE_SERIAL, World, eve_world, world};
use common::{Home, stderr, stdout};

fn signed_in() -> World {
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config, &credentials);
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    assert!(w.mfatui(&["login", "eve", "--code", &code], &[]).status.success());
    w
}

fn without_section(text: &str, name: &str) -> String {
    let start = text.find(&format!("[{name}]\n")).unwrap();
    let end = text[start + 1..].find("\n[").map_or(text.len(), |e| start + 1 + e + 1);
    format!("{}{}", &text[..start], &text[end..])
}

#[test]
fn a_missing_managed_section_of_the_user_is_written_back_even_when_the_session_is_kept() {
    let w = signed_in();
    let creds = w.home.aws("credentials");
    std::fs::write(&creds, without_section(&std::fs::read_to_string(&creds).unwrap(), "eve-mfa")).unwrap();
    let o = w.mfatui(&["login", "eve"], &[]);
    assert!(stdout(&o).contains("MFA session valid") && stdout(&o).contains("(kept)"), "{}", stdout(&o));
    assert!(std::fs::read_to_string(&creds).unwrap().contains("[eve-mfa]\n"), "written back");
    let o = w.aws(&["sts", "get-caller-identity", "--profile", "eve-mfa", "--query", "Arn", "--output", "text"], &[]);
    if let Some(o) = o {
        assert_eq!(stdout(&o).trim(), "arn:aws:iam::100000000001:user/eve");
    }
}

#[test]
fn one_resolver_and_summaries_that_match_what_happened() {
    let w = signed_in();
    let o = w.mfatui(&["refresh", "nosuch"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown profile `nosuch`"), "{}", stderr(&o));
    let o = w.mfatui(&["refresh", "r3-mfa"], &[]);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.lines().any(|l| l.trim_start().starts_with("r3 ")) && !out.contains("  r4 "), "just r3:\n{out}");
    assert!(out.contains("2 ready (1 kept), 0 failed"), "the kept MFA session is not a renewal:\n{out}");
    let o = w.mfatui(&["logout", "r3-mfa"], &[]);
    assert!(stdout(&o).contains("Forgot 1 session and removed its managed section: r3"), "{}", stdout(&o));
    let empty = Home::new();
    let o = empty.mfatui(&["refresh"], &[]);
    assert!(stdout(&o).contains("No sessions yet: sign a user in with `mfatui login USER`"), "{}", stdout(&o));
}

#[test]
fn a_wrong_code_is_one_line_and_still_valid_sessions_are_kept() {
    let w = signed_in();
    // The MFA session is gone (as after 12 hours), the role sessions are still good.
    let store = w.home.path().join(".local/state/mfatui/sessions.json");
    let mut doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&store).unwrap()).unwrap();
    doc["sessions"].as_object_mut().unwrap().remove("eve");
    std::fs::write(&store, doc.to_string()).unwrap();
    let right = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    let wrong = if right == "000000" { "111111" } else { "000000" };
    let o = w.mfatui(&["login", "eve", "--code", wrong], &[]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert_eq!(out.matches("MFA code rejected").count(), 1, "one line for the code:\n{out}");
    assert!(out.contains("20 ready (20 kept), 1 failed"), "{out}");
    assert!(!out.contains("not assumed"), "{out}");
}

#[test]
fn profiles_mfatui_does_not_sign_in_are_explained() {
    let (seed, config, credentials) = eve_world();
    let config = format!(
        "{config}\n[profile ci]\nrole_arn = arn:aws:iam::200000000001:role/r0\ncredential_source = Environment\n\
         [profile sso-dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\n\
         [sso-session corp]\nsso_region = eu-west-1\nsso_start_url = https://corp.awsapps.com/start\n\
         [profile legacy]\nregion = eu-west-1\n"
    );
    let credentials =
        format!("{credentials}[legacy]\naws_access_key_id = AKIALEGACY0000000001\naws_secret_access_key = x\n");
    let w = world(&seed, &config, &credentials);
    for (name, says) in [
        ("ci", "credential_source = Environment"),
        ("sso-dev", "aws sso login --profile sso-dev"),
        ("legacy", "IAM user without mfa_serial, and no role in your config is assumed from it"),
    ] {
        let o = w.mfatui(&["login", name], &[]);
        assert_eq!(o.status.code(), Some(2), "{name}");
        assert!(stderr(&o).contains(says), "{name}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{name}: no table, no \"Use them\": {}", stdout(&o));
    }
}

#[test]
fn the_suffix_is_a_setting_validated_and_changed_deliberately() {
    let w = signed_in();
    let o = w.mfatui(&["login", "eve", "--suffix", " x"], &[]);
    assert_eq!(o.status.code(), Some(2), "no --suffix flag: a suffix is not a side effect of one run");
    let settings = w.home.path().join(".config/mfatui");
    std::fs::create_dir_all(&settings).unwrap();
    std::fs::write(settings.join("config.toml"), "suffix = \" x\"\n").unwrap();
    let o = w.mfatui(&["status"], &[]);
    assert!(stderr(&o).contains("suffix = \" x\" must be non-empty and use only letters"), "{}", stderr(&o));
    std::fs::write(settings.join("config.toml"), "suffix = \"-sts\"\n").unwrap();
    assert!(w.mfatui(&["refresh", "--all"], &[]).status.success());
    let text = std::fs::read_to_string(w.home.aws("credentials")).unwrap();
    assert!(text.contains("[r3-sts]") && !text.contains("[r3-mfa]"), "{text}");
}

#[test]
fn messages_say_what_to_do() {
    let (seed, config, credentials) = eve_world();
    // A role asked for longer than it allows: point at the line.
    let config = config.replacen("source_profile = eve\n", "source_profile = eve\nduration_seconds = 43200\n", 1);
    let w = world(&seed, &config, &credentials);
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    let o = w.mfatui(&["login", "eve", "--code", &code], &[]);
    let r0 = stdout(&o).lines().find(|l| l.trim_start().starts_with("r0 ")).unwrap().to_string();
    assert!(r0.contains("the role refused duration_seconds = 43200 (") && r0.contains(".aws/config:"), "{r0}");
    assert!(r0.contains("lower duration_seconds or raise the role's maximum"), "{r0}");
    // The dashboard without a terminal says so and names the headless commands.
    let o = w.mfatui(&[], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("the dashboard needs a terminal") && stderr(&o).contains("mfatui login, refresh, status"),
        "{}",
        stderr(&o)
    );
    // A port in use says so once.
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let o = w.home.mfatui(&["sandbox", "--port", &port], &[]);
    assert_eq!(stderr(&o).matches("Address already in use").count(), 1, "{}", stderr(&o));
    // The MFA session's end is announced by status too.
    let (seed, config, credentials) = eve_world();
    let config = config.replacen("region = eu-west-1\n", "region = eu-west-1\nduration_seconds = 1000\n", 1);
    let w = world(&seed, &config, &credentials);
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    assert!(w.mfatui(&["login", "eve", "--code", &code], &[]).status.success());
    let o = w.mfatui(&["status", "eve"], &[]);
    assert!(stdout(&o).contains("note: the MFA session of eve ends in 16m"), "{}", stdout(&o));
}

#[test]
fn a_code_can_come_on_stdin_to_stay_out_of_the_process_list() {
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config, &credentials);
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    let mut child = common::detached(env!("CARGO_BIN_EXE_mfatui"))
        .args(["login", "eve", "--code", "-"])
        .env_clear()
        .env("HOME", w.home.path())
        .env("PATH", std::env::var("PATH").unwrap())
        .env("AWS_ENDPOINT_URL", w.sandbox.endpoint())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    writeln!(child.stdin.take().unwrap(), "{code}").unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(stdout(&o).contains("21 ready"), "{}", stdout(&o));
}
