//! The dashboard end to end, in tmux, against the sandbox: launch, type the TOTP code into the
//! modal, watch every role turn valid, use a managed profile with the AWS CLI, quit, and check
//! the terminal is back to normal.

mod common;
use common::tmux::Tmux;
use common::{Home, stderr, stdout, tool};
use mfatui::sandbox::seed::{RoleSeed, UserSeed, mfa_required_boundary};
use mfatui::sandbox::{self, Seed};
use std::process::Command;

const SERIAL: &str = "arn:aws:iam::100000000001:mfa/tui-phone";

#[test]
fn sign_in_from_the_dashboard_and_use_the_sessions() {
    if !common::tmux::available() {
        return;
    }
    let mut seed = Seed::default().policy("100000000001", "MfaRequired", mfa_required_boundary()).user(
        UserSeed::new("100000000001", "tui")
            .key("AKIATUI0000000000001", "tui-secret")
            .mfa("tui-phone", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
            .boundary("arn:aws:iam::100000000001:policy/MfaRequired"),
    );
    let mut config = format!("[profile tui]\nmfa_serial = {SERIAL}\nregion = eu-west-1\n");
    for i in 0..5 {
        seed = seed.role(
            RoleSeed::new("200000000001", &format!("t{i}"), &["arn:aws:iam::100000000001:user/tui"]).require_mfa(),
        );
        config.push_str(&format!(
            "[profile t{i}]\nrole_arn = arn:aws:iam::200000000001:role/t{i}\nsource_profile = tui\n"
        ));
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sb = rt.block_on(sandbox::start(&seed, 0)).unwrap();
    let home = Home::new();
    home.write("config", &config)
        .write("credentials", "[tui]\naws_access_key_id = AKIATUI0000000000001\naws_secret_access_key = tui-secret\n");

    let tmux = Tmux::new("e2e");
    let cmd = format!(
        "env -i PATH=/usr/bin:/bin HOME={} TERM=xterm-256color AWS_ENDPOINT_URL={} {}; echo MFATUI-EXITED $?; sleep 30",
        home.path().display(),
        sb.endpoint(),
        env!("CARGO_BIN_EXE_mfatui")
    );
    tmux.run(&["new-session", "-d", "-s", "e2e", "-x", "110", "-y", "28", &cmd]);
    tmux.wait_for("the dashboard", |s| s.contains("PROFILE") && s.contains("t4") && s.contains("tui not signed in"));
    assert_eq!(tmux.run(&["display", "-p", "-t", "e2e", "#{alternate_on}"]).trim(), "1", "full screen while running");

    // The user row is selected first: r asks for its code.
    tmux.keys(&["r"]);
    tmux.wait_for("the MFA modal", |s| s.contains("MFA code for tui") && s.contains("tui-phone"));
    tmux.keys(&["12x"]);
    tmux.wait_for("letters refused", |s| s.contains("digits only"));
    tmux.keys(&["BSpace", "BSpace"]);
    let code = sb.totp_code(SERIAL).unwrap();
    tmux.keys(&[&code, "Enter"]);
    let screen = tmux.wait_for("every role valid", |s| {
        (0..5).all(|i| {
            s.lines()
                .any(|l| l.trim_start().starts_with(&format!("t{i} ")) && (l.contains("59m") || l.contains("1h 00m")))
        })
    });
    assert!(screen.contains("MFA tui 11h") || screen.contains("MFA tui 12h"), "{screen}");
    assert!(!screen.contains("MFA code for tui"), "the modal closed");

    // The sessions work for the plain AWS CLI while the dashboard runs.
    if let Some(aws) = tool("MFATUI_AWS_CLI", &[".venv/bin/aws"]) {
        let o = Command::new(aws)
            .args(["sts", "get-caller-identity", "--profile", "t3-mfa", "--query", "Arn", "--output", "text"])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap())
            .env("HOME", home.path())
            .env("AWS_ENDPOINT_URL", sb.endpoint())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stdout(&o).trim(), "arn:aws:sts::200000000001:assumed-role/t3/tui");
    }

    // The help overlay, then quit: the terminal is restored.
    tmux.keys(&["?"]);
    tmux.wait_for("help", |s| s.contains("select several roles"));
    tmux.keys(&["Escape"]);
    tmux.keys(&["q"]);
    let after = tmux.wait_for("exit", |s| s.contains("MFATUI-EXITED"));
    assert!(after.contains("MFATUI-EXITED 0"), "{after}");
    assert_eq!(tmux.run(&["display", "-p", "-t", "e2e", "#{alternate_on}"]).trim(), "0", "alternate screen left");
    assert!(!after.contains("PROFILE"), "the dashboard is gone from the screen:\n{after}");
}
