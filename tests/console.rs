//! `mfatui console`: a role's session exchanged at the (sandbox's) federation endpoint for a
//! sign-in link, printed or handed to the browser; users get their account's sign-in page.

mod common;
use common::world::{World, eve_world, world};
use common::{stderr, stdout};
use std::os::unix::fs::PermissionsExt;

fn signed_in() -> World {
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config, &credentials);
    let code = w.sandbox.totp_code(common::world::EVE_SERIAL).unwrap();
    assert!(w.mfatui(&["login", "eve", "--code", &code], &[]).status.success());
    w
}

fn console(w: &World, args: &[&str], extra: &[(&str, &str)]) -> std::process::Output {
    let fed = w.sandbox.federation_endpoint();
    let mut env = vec![("MFATUI_FEDERATION_URL", fed.as_str())];
    env.extend_from_slice(extra);
    let mut all = vec!["console"];
    all.extend_from_slice(args);
    w.mfatui(&all, &env)
}

/// Follow a sign-in link as a browser would: the sandbox's page.
fn follow(w: &World, url: &str) -> String {
    let script = format!("import urllib.request\nprint(urllib.request.urlopen('{url}').read().decode())");
    stdout(&w.python(&script, &[]).expect("python is needed to follow the link"))
}

#[test]
fn print_gives_a_link_that_signs_the_browser_in_as_the_role() {
    let w = signed_in();
    let o = console(&w, &["r3-mfa", "--print", "--destination", "s3"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let url = stdout(&o).trim().to_string();
    assert!(
        url.starts_with(&format!("{}?Action=login&Issuer=mfatui&Destination=", w.sandbox.federation_endpoint())),
        "{url}"
    );
    assert!(url.contains("SigninToken="));
    assert!(
        stderr(&o).contains("the console as r3 (s3, eu-west-1)") && stderr(&o).contains("15 minutes"),
        "{}",
        stderr(&o)
    );
    let page = follow(&w, &url);
    assert!(
        page.contains("assumed-role/r3/eve") && page.contains("eu-west-1.console.aws.amazon.com/s3/home"),
        "{page}"
    );
    assert_eq!(w.sandbox.calls("getSigninToken"), 1);
    // The token is in the printed link only: not in the log, not on stderr.
    let token = url.rsplit("SigninToken=").next().unwrap();
    let log = std::fs::read_to_string(w.home.path().join(".local/state/mfatui/mfatui.log")).unwrap_or_default();
    assert!(!log.contains(token) && !stderr(&o).contains(token));
}

#[test]
fn a_user_gets_its_sign_in_page_and_an_explanation() {
    let w = signed_in();
    let o = console(&w, &["eve", "--print"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "https://100000000001.signin.aws.amazon.com/console");
    assert!(stderr(&o).contains("eve is an IAM user: the console needs a role session"), "{}", stderr(&o));
    assert_eq!(w.sandbox.calls("getSigninToken"), 0);
}

#[test]
fn a_session_near_its_end_is_renewed_first_and_the_browser_gets_the_link() {
    let w = signed_in();
    let store = w.home.path().join(".local/state/mfatui/sessions.json");
    let mut doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&store).unwrap()).unwrap();
    let old = doc["sessions"]["r4"]["access_key_id"].as_str().unwrap().to_string();
    doc["sessions"]["r4"]["expiration"] =
        serde_json::json!(mfatui::aws::clock::rfc3339(mfatui::aws::clock::now_secs() + 120));
    doc["sessions"]["r4"]["obtained_at"] = serde_json::json!(0);
    std::fs::write(&store, doc.to_string()).unwrap();
    // A browser that records what it was given.
    let dir = tempfile::tempdir().unwrap();
    let (browser, seen) = (dir.path().join("browser"), dir.path().join("seen"));
    std::fs::write(&browser, format!("#!/bin/sh\nprintf '%s' \"$1\" > {}\n", seen.display())).unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    let o = console(&w, &["r4"], &[("BROWSER", browser.to_str().unwrap())]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "the link goes to the browser, not the screen");
    assert!(stderr(&o).contains("Opened the console as r4 (console home, eu-west-1) with"), "{}", stderr(&o));
    let url = std::fs::read_to_string(&seen).unwrap();
    assert!(follow(&w, &url).contains("assumed-role/r4/eve"));
    let new: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&store).unwrap()).unwrap();
    assert_ne!(new["sessions"]["r4"]["access_key_id"].as_str().unwrap(), old, "renewed before the exchange");
    // No browser at all: the link is printed with what to do, exit 1.
    let o = console(&w, &["r4"], &[("BROWSER", "/nonexistent/browser")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no browser could be opened") && stdout(&o).contains("SigninToken="), "{}", stderr(&o));
}

#[test]
fn an_ended_mfa_session_without_a_way_to_ask_is_a_clear_error_without_a_token() {
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config, &credentials);
    let o = console(&w, &["r2", "--print"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty());
    assert!(stderr(&o).contains("needs an MFA code for eve"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("SigninToken"));
}
