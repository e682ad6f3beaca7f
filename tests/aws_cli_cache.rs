//! The AWS CLI under the user's own role names: a config as the AWS CLI documents it (role
//! profiles with `mfa_serial`), untouched, one code typed into mfatui, and then
//! `aws --profile r0 …` with no terminal never prompts, with AWS CLI v1 (pip) and v2 (Debian's
//! package), because mfatui keeps the CLI's own cache filled. After `mfatui logout` the CLI is
//! back to asking (and, with no terminal, fails closed).

mod common;
use common::world::{EVE_SERIAL, World, eve_world, world};
use common::{stderr, stdout, tool};
use std::path::PathBuf;
use std::process::Command;

/// eve's world, with `mfa_serial` on every role profile as AWS CLI users write it.
fn cli_users_world() -> (World, String) {
    let (seed, config, credentials) = eve_world();
    let config =
        config.replace("source_profile = eve\n", &format!("source_profile = eve\nmfa_serial = {EVE_SERIAL}\n"));
    let w = world(&seed, &config, &credentials);
    (w, config)
}

/// Both AWS CLIs the test command installs; a missing one is skipped (or fails under
/// MFATUI_REQUIRE_TOOLS=1).
fn clis() -> Vec<(&'static str, PathBuf)> {
    let mut out = Vec::new();
    if let Some(v1) = tool("MFATUI_AWS_CLI", &[".venv/bin/aws"]) {
        out.push(("v1", v1));
    }
    if let Some(v2) = tool("MFATUI_AWS_CLI_V2", &["/usr/bin/aws"]) {
        out.push(("v2", v2));
    }
    out
}

fn caller(w: &World, cli: &PathBuf, profile: &str) -> std::process::Output {
    // AWS CLI 2.9 ignores AWS_ENDPOINT_URL: the flag works for both.
    let endpoint = w.sandbox.endpoint();
    w.client(
        Command::new(cli),
        &["--profile", profile, "--endpoint-url", &endpoint, "--output", "text", "sts", "get-caller-identity"],
        &[("AWS_DEFAULT_REGION", "eu-west-1")],
    )
}

fn cache_dir(w: &World) -> PathBuf {
    w.home.path().join(".aws/cli/cache")
}

#[test]
fn the_aws_cli_uses_the_users_own_role_names_without_prompting() {
    let clis = clis();
    if clis.is_empty() {
        return;
    }
    let (w, config) = cli_users_world();
    // Someone else's entry (the CLI's own, say): never touched.
    std::fs::create_dir_all(cache_dir(&w)).unwrap();
    let foreign = cache_dir(&w).join("0000000000000000000000000000000000000000.json");
    std::fs::write(&foreign, "{\"Credentials\": {\"Expiration\": \"2099-01-01T00:00:00Z\"}}").unwrap();
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    let o = w.mfatui(&["login", "eve", "--code", &code], &[]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(std::fs::read_to_string(w.home.aws("config")).unwrap(), config, "the user's config is untouched");
    let entries: Vec<_> = std::fs::read_dir(cache_dir(&w)).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(entries.len(), 21, "one per role, and the foreign one: {entries:?}");
    for e in entries.iter().filter(|e| **e != foreign) {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(e).unwrap().permissions().mode() & 0o777, 0o600, "{}", e.display());
    }
    for (version, cli) in &clis {
        for role in ["r0", "r7", "r19"] {
            let o = caller(&w, cli, role);
            assert!(o.status.success(), "AWS CLI {version} --profile {role}: {}", stderr(&o));
            assert!(stdout(&o).contains(&format!(":assumed-role/{role}/")), "AWS CLI {version}: {}", stdout(&o));
            assert!(!stderr(&o).contains("MFA code"), "AWS CLI {version} prompted: {}", stderr(&o));
        }
    }
    assert!(w.mfatui(&["logout"], &[]).status.success());
    let left: Vec<_> = std::fs::read_dir(cache_dir(&w)).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(left, vec![foreign.clone()], "mfatui's entries are gone, the foreign one stays");
    for (version, cli) in &clis {
        let o = caller(&w, cli, "r0");
        assert!(!o.status.success(), "AWS CLI {version} still had a session after logout: {}", stdout(&o));
    }
}

#[test]
fn the_setting_turns_it_off_and_takes_mfatuis_entries_away() {
    let (w, _) = cli_users_world();
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    assert!(w.mfatui(&["login", "r0", "--code", &code], &[]).status.success());
    assert!(std::fs::read_dir(cache_dir(&w)).unwrap().count() >= 1);
    let settings = w.home.path().join(".config/mfatui");
    std::fs::create_dir_all(&settings).unwrap();
    std::fs::write(settings.join("config.toml"), "aws_cli_cache = false\n").unwrap();
    assert!(w.mfatui(&["refresh", "--all"], &[]).status.success());
    assert_eq!(std::fs::read_dir(cache_dir(&w)).unwrap().count(), 0);
}

#[test]
fn two_mfatui_stores_sharing_the_folder_leave_each_others_entries_alone() {
    let (w, _) = cli_users_world();
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    let other_state = w.home.path().join("other-state");
    let other = [("XDG_STATE_HOME", other_state.to_str().unwrap())];
    // Another store (another HOME's state, same CLI folder) signs in r0; this one signs in r1, then logs out.
    assert!(w.mfatui(&["login", "r0", "--code", &code], &other).status.success());
    let theirs: Vec<_> = std::fs::read_dir(cache_dir(&w)).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(theirs.len(), 1);
    let mine_code = loop {
        let c = w.sandbox.totp_code(EVE_SERIAL).unwrap();
        if c != code {
            break c;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    };
    assert!(w.mfatui(&["login", "r1", "--code", &mine_code], &[]).status.success());
    assert_eq!(std::fs::read_dir(cache_dir(&w)).unwrap().count(), 2);
    assert!(w.mfatui(&["logout"], &[]).status.success());
    let left: Vec<_> = std::fs::read_dir(cache_dir(&w)).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(left, theirs, "the other store's entry stays");
}

/// A day compressed: every role's session lasts 20 minutes, so the AWS CLI (which treats an entry
/// with less than 15 minutes left as expired) can use each one for only 5 minutes, and mfatui
/// renews it 3 minutes after it was obtained (17 minutes left; the shortest session for which
/// renewing ahead of botocore's window helps is 19 minutes). `mfatui refresh` runs as the
/// dashboard's refresher would; both CLIs, stdin closed, call every role in turn across two
/// renewals of each. Not one prompt, not one failure.
#[test]
fn across_renewals_the_aws_cli_never_falls_back_to_prompting() {
    let clis = clis();
    if clis.is_empty() {
        return;
    }
    let (seed, config, credentials) = eve_world();
    let config = config.replace(
        "source_profile = eve\n",
        &format!("source_profile = eve\nmfa_serial = {EVE_SERIAL}\nduration_seconds = 1200\n"),
    );
    let w = world(&seed, &config, &credentials);
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    let o = w.mfatui(&["login", "eve", "--code", &code], &[]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let assumed_at_login = w.sandbox.calls("AssumeRole");
    let started = std::time::Instant::now();
    let (mut calls, mut refreshes, mut next_role) = (0, 0, 0);
    // Two renewals of every role, 3 minutes apart, and past the point where the first sessions
    // would have been expired for the CLI (5 minutes after the login).
    while started.elapsed() < std::time::Duration::from_secs(390) {
        let o = w.mfatui(&["refresh"], &[]);
        assert!(o.status.success(), "refresh: {}{}", stdout(&o), stderr(&o));
        refreshes += 1;
        for (version, cli) in &clis {
            let role = format!("r{}", next_role % 20);
            next_role += 1;
            let o = caller(&w, cli, &role);
            calls += 1;
            assert!(
                o.status.success() && !stderr(&o).contains("MFA code"),
                "AWS CLI {version} --profile {role} after {:?}: {}",
                started.elapsed(),
                stderr(&o)
            );
            assert!(stdout(&o).contains(&format!(":assumed-role/{role}/")), "AWS CLI {version}: {}", stdout(&o));
        }
        std::thread::sleep(std::time::Duration::from_secs(12));
    }
    let renewed = w.sandbox.calls("AssumeRole") - assumed_at_login;
    assert!(renewed >= 2 * 20, "every role renewed at least twice: {renewed} AssumeRole calls");
    assert_eq!(w.sandbox.calls("GetSessionToken"), 1, "one code for the whole run");
    eprintln!("{calls} AWS CLI calls, {refreshes} refreshes, {renewed} renewals, 0 prompts");
}
