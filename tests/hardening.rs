//! The core under a hostile environment: servers that never answer, drip, or answer garbage or
//! gigabytes; clocks that disagree; files that cannot be written or that others edit meanwhile;
//! secrets that must not leak.

mod common;
use common::world::{EVE_SERIAL, World, eve_world, world};
use common::{stderr, stdout};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

/// Short timeouts, so the bounded waits are quick to test.
fn quick(w: &World) {
    let dir = w.home.path().join(".config/mfatui");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), "connect_timeout_secs = 1\nread_timeout_secs = 1\ncall_timeout_secs = 3\n")
        .unwrap();
}

/// A server on 127.0.0.1 that handles each connection with `f` (in a thread); its URL.
fn server(f: impl Fn(std::net::TcpStream) + Send + Sync + 'static) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let f = std::sync::Arc::new(f);
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let f = f.clone();
            std::thread::spawn(move || f(s));
        }
    });
    url
}

fn read_request(s: &mut std::net::TcpStream) {
    let mut buf = [0u8; 65536];
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    let _ = s.read(&mut buf);
}

fn login_against(w: &World, url: &str) -> (std::process::Output, Duration) {
    // A new code each time: mfatui never sends the same code twice.
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(100_000);
    let code = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst).to_string();
    let started = Instant::now();
    let o = w.home.mfatui(&["login", "eve", "--code", &code], &[("AWS_ENDPOINT_URL", url)]);
    (o, started.elapsed())
}

#[test]
fn a_server_that_never_answers_or_drips_costs_a_bounded_wait_and_says_where() {
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config, &credentials);
    quick(&w);
    let hole = server(|s| {
        std::thread::sleep(Duration::from_secs(60));
        drop(s);
    });
    let (o, took) = login_against(&w, &hole);
    assert_eq!(o.status.code(), Some(2));
    assert!(took < Duration::from_secs(8), "{took:?}");
    let out = stdout(&o);
    assert!(out.contains(&format!("STS at {hole} did not answer within")), "{out}");
    assert!(!out.contains("MFA code rejected"), "{out}");
    let drip = server(|mut s| {
        read_request(&mut s);
        for b in b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n\r\n<GetSessionTokenResponse>"
            .iter()
            .cycle()
        {
            if s.write_all(&[*b]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    let (o, took) = login_against(&w, &drip);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(took < Duration::from_secs(8), "{took:?}");
    assert!(stdout(&o).contains("did not answer within"), "{}", stdout(&o));
}

#[test]
fn huge_garbage_and_html_answers_are_named_not_unknown() {
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config, &credentials);
    quick(&w);
    let declared = server(|mut s| {
        read_request(&mut s);
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 2000000000\r\n\r\n");
        let _ = s.write_all(&vec![b'x'; 1 << 16]);
    });
    let (o, _) = login_against(&w, &declared);
    assert!(stdout(&o).contains("sent an answer larger than 1024 KiB"), "{}", stdout(&o));
    let chunked = server(|mut s| {
        read_request(&mut s);
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n");
        let chunk = format!("{:x}\r\n{}\r\n", 1 << 16, "y".repeat(1 << 16));
        while s.write_all(chunk.as_bytes()).is_ok() {}
    });
    let (o, took) = login_against(&w, &chunked);
    assert!(stdout(&o).contains("larger than 1024 KiB"), "{}", stdout(&o));
    assert!(took < Duration::from_secs(8));
    let html = server(|mut s| {
        read_request(&mut s);
        let body = "<html><body><h1>502 Bad Gateway</h1>\x01\x02</body></html>";
        let _ = write!(
            s,
            "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
    });
    let (o, _) = login_against(&w, &html);
    let out = stdout(&o);
    assert!(
        out.contains("answered HTTP 502 (text/html) with something that is not an AWS answer: \"<html><body><h1>502 Bad Gateway</h1>"),
        "{out}"
    );
    assert!(!out.contains("Unknown"), "{out}");
}

#[test]
fn a_session_that_expired_on_the_server_is_dropped_and_a_code_is_asked_for() {
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config, &credentials);
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    assert!(w.mfatui(&["login", "eve", "--code", &code], &[]).status.success());
    // The server's clock jumps 13 hours: the stored MFA session is dead although ours says not.
    w.sandbox.set_faults(mfatui::sandbox::FaultConfig { clock_offset_secs: 13 * 3600, ..Default::default() });
    let o = w.mfatui(&["login", "eve"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(stdout(&o).contains("signing in eve needs an MFA code"), "{}", stdout(&o));
    let stored = mfatui::aws::store::SessionStore::in_dir(&w.home.path().join(".local/state/mfatui")).load();
    assert!(!stored.sessions.contains_key("eve"), "the dead MFA session is forgotten");
}

#[test]
fn nothing_is_called_ready_unless_other_tools_can_use_it() {
    let (seed, config, credentials) = eve_world();
    // A section of the user's own occupies r3's managed name.
    let w = world(
        &seed,
        &config,
        &format!("{credentials}\n[r3-mfa]\naws_access_key_id = MINE\naws_secret_access_key = mine\n"),
    );
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    let o = w.mfatui(&["login", "eve", "--code", &code], &[]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let r3 = out.lines().find(|l| l.trim_start().starts_with("r3 ")).unwrap();
    assert!(r3.contains("other tools cannot use it") && r3.contains("`r3-mfa` already exists"), "{r3}");
    assert!(out.contains("20 ready, 1 failed"), "{out}");
    let o = w.mfatui(&["status", "r3"], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("other tools cannot use it"), "{}", stdout(&o));
    let o = w.mfatui(&["doctor"], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains(
            "error: profile `r3`: mfatui cannot publish its session: a profile named `r3-mfa` already exists"
        ),
        "{}",
        stdout(&o)
    );
    // A read-only ~/.aws: nothing exported, nothing "ready".
    let aws = w.home.path().join(".aws");
    std::fs::set_permissions(&aws, std::fs::Permissions::from_mode(0o500)).unwrap();
    let o = w.mfatui(&["refresh", "--all"], &[]);
    std::fs::set_permissions(&aws, std::fs::Permissions::from_mode(0o700)).unwrap();
    if nix_is_root() {
        return; // root writes through 0500; the rest of this check needs a normal user.
    }
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("0 ready"), "{}", stdout(&o));
}

fn nix_is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

#[test]
fn a_held_lock_is_reported_not_hidden() {
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config, &credentials);
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(w.home.aws(".credentials.mfatui.lock"))
        .unwrap();
    lock.lock().unwrap();
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    let o = w.mfatui(&["login", "eve", "--code", &code], &[]);
    drop(lock);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("being written by another mfatui process") && out.contains("0 ready"), "{out}");
}

#[test]
fn secrets_never_reach_output_or_the_log_and_children_get_no_seeds() {
    let (seed, config, credentials) = eve_world();
    const PLANTED_SEED: &str = "MZXW6YTBOI3TQOJQMZXW6YTBOI3TQOJQ";
    let failing = format!("mfa_process = sh -c 'echo cannot read {PLANTED_SEED} >&2; exit 4' {PLANTED_SEED}\n");
    let config = config.replacen("region = eu-west-1\n", &format!("region = eu-west-1\n{failing}"), 1);
    let w = world(&seed, &config, &credentials);
    let o = w.mfatui(&["login", "eve"], &[("MFATUI_TOTP_SEED_OTHER", "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU")]);
    let out = format!("{}{}", stdout(&o), stderr(&o));
    assert!(out.contains("mfa_process of profile eve: `sh` failed (exit status 4): cannot read [hidden]"), "{out}");
    let log = std::fs::read_to_string(w.home.path().join(".local/state/mfatui/mfatui.log")).unwrap_or_default();
    for leak in [PLANTED_SEED, "eve-secret", "KRSXG5CTMVRX"] {
        assert!(!out.contains(leak) && !log.contains(leak), "{leak} leaked:\n{out}\n{log}");
    }
    // A wrong code is not written anywhere either.
    let w = world(&seed, &eve_world().1, &credentials);
    let o = w.mfatui(&["login", "eve", "--code", "12345x"], &[]);
    let log = std::fs::read_to_string(w.home.path().join(".local/state/mfatui/mfatui.log")).unwrap_or_default();
    assert!(!stdout(&o).contains("12345x") && !log.contains("12345x"), "{}", stdout(&o));
}

#[test]
fn files_are_private_whatever_the_umask_and_nothing_is_created_for_nothing() {
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config, &credentials);
    let state = w.home.path().join("deep/state");
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    // SAFETY: umask only changes this process's (and its children's) file creation mask.
    let old = unsafe { libc::umask(0o022) };
    let o = w.mfatui(&["login", "eve", "--code", &code], &[("XDG_STATE_HOME", state.to_str().unwrap())]);
    unsafe { libc::umask(old) };
    assert!(o.status.success(), "{}", stdout(&o));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for dir in [w.home.path().join("deep"), state.clone(), state.join("mfatui")] {
        assert_eq!(mode(&dir), 0o700, "{}", dir.display());
    }
    for file in [state.join("mfatui/mfatui.log"), state.join("mfatui/sessions.json"), w.home.aws("credentials")] {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    // logout on an empty HOME touches nothing.
    let empty = common::Home::new();
    let o = empty.mfatui(&["logout"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0, "created something");
}

#[test]
fn a_dangling_credentials_symlink_is_written_through() {
    // eve's own keys live in the config file here, so the credentials file can dangle.
    let (seed, config, _) = eve_world();
    let config = config.replacen(
        "region = eu-west-1\n",
        "region = eu-west-1\naws_access_key_id = AKIAEVE0000000000001\naws_secret_access_key = eve-secret\n",
        1,
    );
    let w = world(&seed, &config, "");
    let creds = w.home.aws("credentials");
    std::fs::remove_file(&creds).unwrap();
    let target = w.home.path().join("dotfiles/aws-credentials");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&target, &creds).unwrap();
    std::fs::write(&target, "# my dotfile\n").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    assert!(w.mfatui(&["login", "eve", "--code", &code], &[]).status.success());
    assert!(std::fs::symlink_metadata(&creds).unwrap().file_type().is_symlink(), "still a link");
    assert!(std::fs::read_to_string(&target).unwrap().contains("[r0-mfa]"));
    let log = std::fs::read_to_string(w.home.path().join(".local/state/mfatui/mfatui.log")).unwrap();
    assert!(log.contains("from 644 to 600"), "{log}");
    // Dangling: the link's target is created, the link stays.
    std::fs::remove_file(&target).unwrap();
    let o = w.mfatui(&["refresh", "--all"], &[]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(std::fs::symlink_metadata(&creds).unwrap().file_type().is_symlink());
    assert!(std::fs::read_to_string(&target).unwrap().contains("[r0-mfa]"));
}

#[test]
fn bad_regions_and_endpoints_are_named_up_front_not_retried() {
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config.replacen("region = eu-west-1", "region = eu west-1", 1), &credentials);
    let started = Instant::now();
    let o = w.mfatui(&["login", "eve", "--code", "123456"], &[]);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("eve is broken (") && e.contains(".aws/config:4): region `eu west-1` is not a region name"),
        "{e}"
    );
    let o = w.home.mfatui(&["doctor"], &[]);
    assert!(stdout(&o).contains(".aws/config:4: error: profile `eve`: region `eu west-1`"), "{}", stdout(&o));
    let w = world(&seed, &config, &credentials);
    let o = w.mfatui(&["status"], &[("AWS_REGION", "eu west-1")]);
    assert!(stderr(&o).contains("AWS_REGION = \"eu west-1\" is not a region name"), "{}", stderr(&o));
    let o = w.home.mfatui(&["status"], &[("AWS_ENDPOINT_URL", "localhost:4566")]);
    assert!(
        stderr(&o).contains("AWS_ENDPOINT_URL = \"localhost:4566\" is not an http:// or https:// URL"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_file_left_behind_by_a_crash_is_put_back_in_line_with_the_store() {
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config, &credentials);
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    assert!(w.mfatui(&["login", "eve", "--code", &code], &[]).status.success());
    let store = mfatui::aws::store::SessionStore::in_dir(&w.home.path().join(".local/state/mfatui")).load();
    let key = store.sessions["r1"].access_key_id.clone();
    // The state a kill between the store's write and the file's leaves: the file holds other keys.
    let path = w.home.path().join(".aws/credentials");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(&key));
    std::fs::write(&path, text.replace(&key, "ASIAFROMBEFORETHECRASH")).unwrap();
    // Nothing is due: a plain refresh still makes the file say what the store says.
    let o = w.mfatui(&["refresh"], &[]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(&key) && !text.contains("ASIAFROMBEFORETHECRASH"), "{text}");
    let o = w.aws(&["sts", "get-caller-identity", "--profile", "r1-mfa"], &[]);
    if let Some(o) = o {
        assert!(o.status.success(), "{}", stderr(&o));
    }
}
