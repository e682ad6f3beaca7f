//! Nothing from a server, a config file or a child process reaches the user's terminal raw:
//! escape sequences that would clear the screen, retitle the pane or set the clipboard (OSC 52),
//! C1 controls, bidi overrides and invalid UTF-8 are shown as visible escapes instead.

mod common;
use common::world::{EVE_SERIAL, eve_world, world};
use common::{stderr, stdout};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

/// What must never appear raw in anything printed: ESC, BEL, CSI (C1), RLO and a zero-width space.
fn assert_inert(what: &str, bytes: &[u8]) {
    let text = String::from_utf8(bytes.to_vec()).unwrap_or_else(|_| panic!("{what}: printed invalid UTF-8: {bytes:?}"));
    for bad in ['\x1b', '\x07', '\u{9b}', '\u{202e}', '\u{200b}'] {
        assert!(!text.contains(bad), "{what}: printed {bad:?} raw:\n{text:?}");
    }
}

/// A fake STS whose every answer is an error carrying `hostile` in its code and message, as
/// XML character references (the SDK's XML parser turns them into the real characters).
fn hostile_sts() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            std::thread::spawn(move || {
                let mut buf = [0u8; 65536];
                let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
                let _ = s.read(&mut buf);
                let evil =
                    "&#x1b;[2J&#x1b;]0;pwned&#x07;&#x1b;]52;c;ZWNobyBoaQ==&#x07;&#x9b;31m&#x202e;gnp.exe&#x200b;";
                let body = format!(
                    "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied{evil}</Code><Message>denied {evil} by the server</Message></Error><RequestId>1</RequestId></ErrorResponse>"
                );
                let _ = write!(
                    s,
                    "HTTP/1.1 403 Forbidden\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    url
}

#[test]
fn server_error_texts_are_shown_not_obeyed() {
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config, &credentials);
    let url = hostile_sts();
    let o = w.home.mfatui(&["login", "eve", "--code", "123456"], &[("AWS_ENDPOINT_URL", &url)]);
    assert!(!o.status.success());
    let all = [o.stdout.clone(), o.stderr.clone()].concat();
    assert_inert("login", &all);
    let text = String::from_utf8_lossy(&all);
    assert!(text.contains("\\x1b]52;c;") && text.contains("\\u{202e}"), "made visible, not dropped: {text}");
    // credential_process: the AWS CLI relays its stderr to the user's terminal.
    let o = w.home.mfatui(&["credential-process", "r0"], &[("AWS_ENDPOINT_URL", &url)]);
    assert!(!o.status.success());
    assert!(o.stdout.is_empty(), "no JSON on failure");
    assert_inert("credential-process", &o.stderr);
}

#[test]
fn config_values_and_section_names_are_shown_not_obeyed() {
    let (seed, _, credentials) = eve_world();
    let config = format!(
        "[profile eve]\nmfa_serial = {EVE_SERIAL}\x1b]0;owned\x07\nregion = eu-west-1\n\
         [profile r\u{202e}0]\nrole_arn = arn:aws:iam::200000000001:role/r0\nsource_profile = eve\x1b[2J\n\
         [profile x\u{9b}y]\nrole_arn = arn:aws:iam::200000000001:role/r1\nsource_profile = eve\u{200b}\n"
    );
    let w = world(&seed, &config, &credentials);
    for args in [&["list"][..], &["doctor"], &["refresh", "--all"], &["status"]] {
        let o = w.mfatui(args, &[]);
        assert_inert(&args.join(" "), &[o.stdout.clone(), o.stderr.clone()].concat());
    }
    let o = w.mfatui(&["list"], &[]);
    assert!(stdout(&o).contains("\\x1b]0;owned\\x07") || stdout(&o).contains("\\x1b"), "{}", stdout(&o));
    // JSON stays exact: serde escapes the controls, and the names are the real ones.
    let o = w.mfatui(&["list", "--json"], &[]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert!(v.to_string().contains("r\u{202e}0"), "{v}");
}

#[test]
fn a_childs_stderr_is_shown_not_obeyed() {
    let (seed, config, credentials) = eve_world();
    let script = "printf 'touch your key\\033]52;c;aGk=\\007 \\302\\233 \\342\\200\\256 \\377\\n' >&2; exit 1";
    let config = config.replace(
        &format!("mfa_serial = {EVE_SERIAL}\n"),
        &format!("mfa_serial = {EVE_SERIAL}\nmfa_process = sh -c \"{script}\"\n"),
    );
    let w = world(&seed, &config, &credentials);
    let o = w.mfatui(&["login", "eve"], &[]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert_inert("mfa_process stderr", &o.stderr);
    assert!(err.contains("touch your key"), "the program's words still show: {err}");
}

/// A process of the user's own that listens where the dashboard would and answers with escape
/// sequences: the question reaches it (it is the user's), but its words are shown, not obeyed.
#[test]
fn a_dashboard_socket_answer_is_shown_not_obeyed() {
    use std::io::BufRead;
    use std::os::unix::fs::PermissionsExt;
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config, &credentials);
    let run = tempfile::tempdir().unwrap();
    let state = w.home.path().join(".local/state/mfatui");
    let socket = mfatui::prompters::socket::socket_path_in(Some(run.path()), &state);
    std::fs::create_dir_all(socket.parent().unwrap()).unwrap();
    std::fs::set_permissions(socket.parent().unwrap(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let mut line = String::new();
            let _ = std::io::BufReader::new(&s).read_line(&mut line);
            let _ = s.write_all(
                b"{\"result\":\"error\",\"message\":\"\\u001b]0;pwned\\u0007\\u001b]52;c;aGk=\\u0007\\u009b2J \\u202egnp.exe\"}\n",
            );
        }
    });
    let o = w.mfatui(&["credential-process", "r0"], &[("XDG_RUNTIME_DIR", run.path().to_str().unwrap())]);
    assert!(!o.status.success());
    assert_inert("credential-process via the socket", &o.stderr);
    assert!(stderr(&o).contains("\\x1b]52;c;"), "the answer is shown: {}", stderr(&o));
}
