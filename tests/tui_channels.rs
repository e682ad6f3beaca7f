//! The dashboard as the place where prompts go, in tmux against the sandbox: the AWS CLI in
//! another window asks for credentials through credential_process, the modal names it, the code
//! is typed, the CLI prints the role. Then `c` copies into tmux's buffer, `o` hands the console
//! link to the browser, and `R` takes every user in turn.

mod common;
use common::tmux::Tmux;
use common::world::{ACCOUNTS, EVE_SERIAL, eve_world, with_frank, world};
use common::{stdout, tool};
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

fn wait_file(path: &std::path::Path, what: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(t) = std::fs::read_to_string(path)
            && t.contains("DONE")
        {
            return t;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn prompts_from_other_programs_copy_console_and_refresh_all_in_turn() {
    if !common::tmux::available() {
        return;
    }
    let Some(aws) = tool("MFATUI_AWS_CLI", &[".venv/bin/aws"]) else { return };
    let (seed, config, credentials) = with_frank(eve_world());
    let me = env!("CARGO_BIN_EXE_mfatui");
    let config =
        format!("{config}\n[profile cp]\ncredential_process = {me} credential-process r0\nregion = eu-west-1\n");
    let w = world(&seed, &config, &credentials);
    // The dashboard also serves the container-credentials endpoint.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    std::fs::create_dir_all(w.home.path().join(".config/mfatui")).unwrap();
    std::fs::write(w.home.path().join(".config/mfatui/config.toml"), format!("serve_port = {port}\n")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (browser, seen) = (dir.path().join("browser"), dir.path().join("seen"));
    std::fs::write(&browser, format!("#!/bin/sh\nprintf '%s DONE' \"$1\" > {}\n", seen.display())).unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    let env = format!(
        "env -i TMUX=\"$TMUX\" PATH=/usr/bin:/bin HOME={} TERM=xterm-256color AWS_ENDPOINT_URL={} MFATUI_FEDERATION_URL={} BROWSER={}",
        w.home.path().display(),
        w.sandbox.endpoint(),
        w.sandbox.federation_endpoint(),
        browser.display()
    );
    let tmux = Tmux::new("channels");
    tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "120",
        "-y",
        "32",
        &format!("{env} {me} --profile cp; sleep 30"),
    ]);
    tmux.wait_for("the dashboard", |s| s.contains("PROFILE") && s.contains("eve not signed in"));

    // 1. The AWS CLI in another window needs r0: credential_process asks the dashboard.
    let out = dir.path().join("aws-out");
    let cli = format!(
        "{env} {} --profile cp sts get-caller-identity --query Arn --output text > {} 2>&1; echo DONE >> {}",
        aws.display(),
        out.display(),
        out.display()
    );
    tmux.run(&["new-window", "-d", "-t", "e2e", &cli]);
    let screen =
        tmux.wait_for("the modal naming the AWS CLI", |s| s.contains("MFA code for eve") && s.contains("needs r0"));
    assert!(screen.contains("asked by aws (pid "), "{screen}");
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    tmux.keys(&[&code, "Enter"]);
    let got = wait_file(&out, "the AWS CLI");
    assert!(got.starts_with(&format!("arn:aws:sts::{}:assumed-role/r0/eve\n", ACCOUNTS[0])), "{got}");
    tmux.wait_for("the modal closed", |s| !s.contains("MFA code for eve"));
    assert_eq!(w.sandbox.calls("GetSessionToken"), 1);

    // 2. c copies into tmux's buffer, and says so. (--profile cp preselected the cp row; move to r1.)
    tmux.keys(&["/", "r1", "Enter", "c"]);
    tmux.wait_for("the copy notice", |s| s.contains("paste buffer"));
    assert_eq!(tmux.run(&["show-buffer", "-b", "mfatui"]), "--profile r1-mfa");

    // 3. o: the console link goes to the browser, never to the screen.
    tmux.keys(&["o"]);
    let url = wait_file(&seen, "the browser");
    assert!(url.contains("?Action=login&Issuer=mfatui") && url.contains("SigninToken="), "{url}");
    let screen = tmux.wait_for("the console notice", |s| s.contains("opened the console as r1"));
    assert!(!screen.contains("SigninToken"));
    tmux.keys(&["Escape"]);

    // 4. R: frank has no session: one prompt after another, Esc skips, the end says who.
    tmux.keys(&["R"]);
    tmux.wait_for("frank's prompt", |s| s.contains("MFA code for frank"));
    tmux.keys(&["Escape"]);
    // Toasts wrap: read the text without the box and the line breaks.
    let flat = |s: &str| s.replace(['│', '\n'], " ").split_whitespace().collect::<Vec<_>>().join(" ");
    tmux.wait_for("the summary", |s| flat(s).contains("still signed out: frank (prompt refused in the dashboard)"));
    // 5. One pane serves everything: an SDK reads r2 from the dashboard's endpoint.
    let token_file = w.home.path().join(format!(".local/state/mfatui/serve-{port}.token"));
    let container = [
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", format!("http://127.0.0.1:{port}/profile/r2")),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file.display().to_string()),
    ];
    let env: Vec<(&str, &str)> = container.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let boto = "import boto3\nprint(boto3.Session(region_name='eu-west-1').client('sts').get_caller_identity()['Arn'])";
    let o = w.python(boto, &env).unwrap();
    assert_eq!(
        stdout(&o).trim(),
        format!("arn:aws:sts::{}:assumed-role/r2/eve", ACCOUNTS[2]),
        "{}",
        common::stderr(&o)
    );
    tmux.keys(&["q"]);
}
