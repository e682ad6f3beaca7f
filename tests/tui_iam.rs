//! The IAM screen end to end, in tmux, on `mfatui demo`: Tab to the IAM screen, type each
//! user's code when the prompt asks (read from the demo's help line), see alice's keys and the
//! verdicts for alice (enforced), bob (not enforced, and why) and carol (unknown), rotate
//! alice's key through the confirmation, and check in the demo's HOME that the credentials file
//! holds the new key and that the AWS CLI works with it.

mod common;
use common::tmux::Tmux;
use common::{stderr, stdout, tool};
use std::process::Command;
use std::time::{Duration, Instant};

/// `NAME=value` from the demo's help line.
fn setting(screen: &str, name: &str) -> String {
    let at = screen.find(&format!("{name}=")).unwrap_or_else(|| panic!("no {name} in:\n{screen}"));
    screen[at + name.len() + 1..].split_whitespace().next().unwrap().to_string()
}

/// The code the demo shows for `user` now, once it has a few seconds left to be typed.
fn code(tmux: &Tmux, user: &str) -> String {
    loop {
        let s = tmux.screen();
        let line = s.lines().find(|l| l.starts_with("codes (")).expect("the demo's help line").to_string();
        let left: u64 =
            line.split('(').nth(1).and_then(|x| x.split('s').next()).and_then(|n| n.trim().parse().ok()).unwrap();
        if left >= 4 {
            let at = line.find(&format!("{user} ")).unwrap() + user.len() + 1;
            return line[at..at + 6].to_string();
        }
        std::thread::sleep(Duration::from_secs(left + 1));
    }
}

/// Answer MFA prompts as they come until `done` holds with none open.
fn answer_prompts(tmux: &Tmux, what: &str, done: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let s = tmux.screen();
        if let Some(user) = ["alice", "bob", "carol"].into_iter().find(|u| s.contains(&format!("MFA code for {u} "))) {
            if !s.contains("signing in…") {
                let c = code(tmux, user);
                tmux.keys(&[&c]);
                tmux.keys(&["Enter"]);
                tmux.wait_for("the code taken", |x| {
                    !x.contains(&format!("MFA code for {user} ")) || x.contains("rejected")
                });
            }
        } else if done(&s) {
            return s;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}; screen:\n{s}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn press(tmux: &Tmux, key: &str) {
    tmux.keys(&[key]);
    // Keys sent together can be read as one sequence (Esc then Tab is Alt-Tab).
    std::thread::sleep(Duration::from_millis(150));
}

#[test]
fn the_iam_screen_audits_the_demo_users_and_rotates_alices_key() {
    if !common::tmux::available() {
        return;
    }
    let Some(aws) = tool("MFATUI_AWS_CLI", &[".venv/bin/aws"]) else { return };
    let home = tempfile::tempdir().unwrap();
    let tmux = Tmux::new("iam");
    let cmd = format!(
        "env -i PATH=/usr/bin:/bin HOME={} TERM=xterm-256color {} demo; echo MFATUI-EXITED $?; sleep 30",
        home.path().display(),
        env!("CARGO_BIN_EXE_mfatui")
    );
    tmux.run(&["new-session", "-d", "-s", "e2e", "-x", "200", "-y", "50", &cmd]);
    let first = tmux.wait_for("the demo", |s| s.contains("PROFILE") && s.contains("AWS_ENDPOINT_URL="));
    let (demo_home, endpoint) = (setting(&first, "HOME"), setting(&first, "AWS_ENDPOINT_URL"));
    assert!(first.contains(" Tab IAM "), "the switch is in the footer:\n{first}");

    // Tab never asks for a code: rows of users without an MFA session say so.
    press(&tmux, "Tab");
    let table = tmux.wait_for("the IAM table", |s| s.contains("USER") && s.contains("MFA AUDIT"));
    assert!(table.contains("signed out: Enter loads"), "{table}");
    std::thread::sleep(Duration::from_millis(800));
    assert!(!tmux.screen().contains("MFA code for"), "no prompt on Tab:\n{}", tmux.screen());
    let loaded = |s: &str| s.starts_with("mfatui  IAM") && !s.lines().next().unwrap_or("").contains("loading");
    // Enter on alice's row: one prompt, then her description.
    press(&tmux, "Enter");
    let s = answer_prompts(&tmux, "alice read and audited", |s| loaded(s) && s.contains("MFA audit    ENFORCED"));
    let key_line = s.lines().find(|l| l.contains("****0001") && l.contains("in your AWS files")).expect("alice's key");
    assert!(key_line.contains("Active"), "{key_line}");
    assert!(s.contains("> alice arn:aws:iam::111111111111:user/alice · IAM calls on its MFA session"), "{s}");
    assert!(s.contains("MFA audit    ENFORCED — the policies enforce it"), "{s}");
    assert!(s.contains("alice-phone: virtual, usable from the CLI (your mfa_serial)"), "{s}");
    press(&tmux, "Escape");
    press(&tmux, "Down");
    press(&tmux, "Enter");
    let s = answer_prompts(&tmux, "bob read and audited", |s| loaded(s) && s.contains("> bob "));
    assert!(
        s.contains("NOT ENFORCED — a request signed with the long-term key and no MFA (iam:ListAccessKeys) succeeded"),
        "bob: not enforced, and why:\n{s}"
    );
    assert!(s.contains("uses Bool on aws:MultiFactorAuthPresent"), "what is wrong:\n{s}");
    press(&tmux, "Escape");
    press(&tmux, "Down");
    press(&tmux, "Enter");
    let s = answer_prompts(&tmux, "carol read and audited", |s| loaded(s) && s.contains("> carol "));
    assert!(s.contains("UNKNOWN — not every policy could be read"), "{s}");
    press(&tmux, "Escape");
    let table = tmux.wait_for("the table with every verdict", |s| s.contains("USER") && s.contains("UNKNOWN"));
    for verdict in ["ENFORCED", "NOT ENFORCED", "UNKNOWN"] {
        assert!(table.contains(verdict), "{verdict}:\n{table}");
    }

    // Rotate alice's key: the confirmation names the key and its last use.
    press(&tmux, "Home");
    press(&tmux, "r");
    let s = answer_prompts(&tmux, "the rotation's question", |s| s.contains("Rotate the access key of alice?"));
    assert!(s.contains("Rotate ****0001, the access key of alice in your AWS files (last used"), "{s}");
    press(&tmux, "y");
    let done = answer_prompts(&tmux, "the rotation's end", |s| s.contains("done: alice now uses ****"));
    let at = done.find("done: alice now uses ****").unwrap() + "done: alice now uses ****".len();
    let tail = &done[at..at + 4];
    assert!(done.contains("the old key ****0001 was deleted"), "{done}");

    // The demo's files hold the new key, and the AWS CLI signs with it.
    let creds = std::fs::read_to_string(format!("{demo_home}/.aws/credentials")).unwrap();
    let section = creds.split("[alice]").nth(1).unwrap().split('[').next().unwrap();
    let id = section.lines().find_map(|l| l.strip_prefix("aws_access_key_id = ")).expect("alice's key id").trim();
    assert!(id != "AKIADEMOALICE0000001" && id.ends_with(tail), "{id} vs ****{tail}");
    let o = Command::new(aws)
        .args(["sts", "get-caller-identity", "--profile", "alice", "--query", "Arn", "--output", "text"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap())
        .env("HOME", &demo_home)
        .env("AWS_ENDPOINT_URL", &endpoint)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "arn:aws:iam::111111111111:user/alice");

    // alice's description (r opened it) shows the new key; back on the profiles, q quits.
    tmux.wait_for("the keys read again", |s| s.contains(&format!("****{tail}  Active")));
    press(&tmux, "Escape");
    press(&tmux, "Tab");
    tmux.wait_for("the profiles", |s| s.contains("PROFILE"));
    press(&tmux, "q");
    let after = tmux.wait_for("exit", |s| s.contains("MFATUI-EXITED"));
    assert!(after.contains("MFATUI-EXITED 0"), "{after}");
}
