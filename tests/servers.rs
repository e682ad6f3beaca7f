//! mfatui's local servers against their clients and against other local users: `serve` and
//! `exec --server` hand out only what they were started for, answer within the SDKs' budgets,
//! forget what `logout` removed, clean up after SIGTERM, and stay up under a slowloris at the
//! default descriptor limit; the prompt socket's client talks only to the user's own dashboard.

mod common;
use common::attack::{code_of, cpu_secs, get, raise_own_limit, slowloris};
use common::world::{EVE_SERIAL, World, eve_world, world};
use common::{stderr, stdout};
use mfatui::sandbox::{Effect, FaultConfig, FaultRule};
use std::io::{BufRead, Read};
use std::time::{Duration, Instant};

fn signed_in() -> World {
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config, &credentials);
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    let o = w.mfatui(&["login", "eve", "--code", &code], &[]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    w
}

/// A running `mfatui serve ARGS`, stopped by PID when dropped.
struct Serve {
    child: std::process::Child,
    /// `127.0.0.1:PORT`.
    addr: String,
    token: String,
    token_file: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `nofile`: the descriptor limit (soft and hard) the server runs under, as `ulimit -n` sets it.
fn serve(w: &World, args: &[&str], nofile: Option<u64>) -> Serve {
    use std::os::unix::process::CommandExt;
    let mut cmd = common::detached(env!("CARGO_BIN_EXE_mfatui"));
    cmd.arg("serve")
        .args(args)
        .env_clear()
        .env("HOME", w.home.path())
        .env("PATH", std::env::var("PATH").unwrap())
        .env("AWS_ENDPOINT_URL", w.sandbox.endpoint())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    if let Some(n) = nofile {
        // SAFETY: setrlimit is async-signal-safe.
        unsafe {
            cmd.pre_exec(move || {
                let l = libc::rlimit { rlim_cur: n, rlim_max: n };
                libc::setrlimit(libc::RLIMIT_NOFILE, &l);
                Ok(())
            });
        }
    }
    let mut child = cmd.spawn().unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut url, mut token_file) = (String::new(), String::new());
    while url.is_empty() || token_file.is_empty() {
        let line = lines.next().expect("serve printed its variables").unwrap();
        if let Some(u) = line.trim().strip_prefix("export AWS_CONTAINER_CREDENTIALS_FULL_URI=") {
            url = u.to_string();
        }
        if let Some(t) = line.trim().strip_prefix("export AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=") {
            token_file = t.to_string();
        }
    }
    let addr = url.trim_start_matches("http://").split('/').next().unwrap().to_string();
    let token = std::fs::read_to_string(&token_file).unwrap();
    Serve { child, addr, token, token_file }
}

#[test]
fn serve_profile_serves_that_profile_only_and_all_serves_every_one() {
    let w = signed_in();
    let s = serve(&w, &["r5"], None);
    let budget = Duration::from_secs(5);
    assert_eq!(get(&s.addr, "r5", &s.token, budget).unwrap().0, 200);
    for other in ["r6", "eve", "nosuch"] {
        let (status, body) = get(&s.addr, other, &s.token, budget).unwrap();
        assert_eq!((status, code_of(&body).as_str()), (403, "ProfileNotServed"), "{other}: {body}");
    }
    assert_eq!(get(&s.addr, "r5-mfa", &s.token, budget).unwrap().0, 200, "its managed name is the same profile");
    let (status, body) = get(&s.addr, "eve", &s.token, budget).unwrap();
    assert_eq!((status, code_of(&body).as_str()), (403, "ProfileNotServed"), "{body}");
    assert!(body.contains("serves r5 only"), "{body}");
    drop(s);
    let all = serve(&w, &["--all", "r5"], None);
    assert_eq!(get(&all.addr, "r6", &all.token, budget).unwrap().0, 200);
    drop(all);
    let o = w.mfatui(&["serve"], &[]);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("--all"), "{}", stderr(&o));
}

#[test]
fn exec_server_gives_the_command_its_profile_and_not_the_mfa_session() {
    let w = signed_in();
    // The child asks its own endpoint for r8, then for eve's MFA session and for another role.
    let script = r#"u=$(printf %s "$AWS_CONTAINER_CREDENTIALS_FULL_URI"); base=${u%/profile/*}
for p in r8 eve r1; do
  printf '%s ' "$p"; python3 -c 'import sys,urllib.request,urllib.error
r=urllib.request.Request(sys.argv[1]); r.add_header("Authorization", sys.argv[2])
try: print(urllib.request.urlopen(r).status)
except urllib.error.HTTPError as e: print(e.code)' "$base/profile/$p" "$AWS_CONTAINER_AUTHORIZATION_TOKEN"
done"#;
    let o = w.mfatui(&["exec", "--server", "r8", "--", "sh", "-c", script], &[]);
    assert_eq!(stdout(&o), "r8 200\neve 403\nr1 403\n", "{}", stderr(&o));
}

#[test]
fn serve_forgets_what_logout_removed_and_removes_its_token_file_on_sigterm() {
    let w = signed_in();
    let s = serve(&w, &["r5"], None);
    let budget = Duration::from_secs(5);
    assert_eq!(get(&s.addr, "r5", &s.token, budget).unwrap().0, 200);
    assert!(w.mfatui(&["logout"], &[]).status.success());
    let (status, body) = get(&s.addr, "r5", &s.token, budget).unwrap();
    assert_eq!((status, code_of(&body).as_str()), (503, "MfaCodeNeeded"), "{body}");
    // SAFETY: signalling our own child by its PID.
    unsafe { libc::kill(s.child.id() as i32, libc::SIGTERM) };
    let mut s = s;
    let status = s.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(!std::path::Path::new(&s.token_file).exists(), "the token file is removed");
}

/// Make `profile`'s stored session end in `secs`; its access key id.
fn expire_in(w: &World, profile: &str, secs: i64) -> String {
    let store = w.home.path().join(".local/state/mfatui/sessions.json");
    let mut doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&store).unwrap()).unwrap();
    let key = doc["sessions"][profile]["access_key_id"].as_str().unwrap().to_string();
    doc["sessions"][profile]["expiration"] =
        serde_json::Value::String(mfatui::aws::clock::rfc3339(mfatui::aws::clock::now_secs() + secs));
    std::fs::write(&store, doc.to_string()).unwrap();
    key
}

#[test]
fn credential_process_hands_out_more_than_botocores_window_plus_a_margin() {
    let w = signed_in();
    // 16 minutes left: past botocore's 15 for now, inside it a minute into the command.
    let old_key = expire_in(&w, "r3", 16 * 60);
    let o = w.mfatui(&["credential-process", "r3"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_ne!(v["AccessKeyId"], old_key, "renewed before it was handed out");
    let left =
        mfatui::aws::clock::parse_rfc3339(v["Expiration"].as_str().unwrap()).unwrap() - mfatui::aws::clock::now_secs();
    assert!(left > mfatui::aws::engine::windows::BOTOCORE_REFRESH_WINDOW + 5 * 60, "{left}");
    // With plenty left, the stored session is handed out as it is.
    let key = v["AccessKeyId"].clone();
    let o = w.mfatui(&["credential-process", "r3"], &[]);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["AccessKeyId"], key);
}

#[test]
fn a_slow_renewal_is_answered_within_the_sdks_budget_and_the_retry_gets_it() {
    let w = signed_in();
    let s = serve(&w, &["r6"], None);
    // r6 near its end, and STS slow to renew it.
    let old_key = expire_in(&w, "r6", 600);
    let before = w.sandbox.calls("AssumeRole");
    w.sandbox.set_faults(FaultConfig {
        rules: vec![FaultRule::new(Effect::LatencyMs(2500)).action("AssumeRole")],
        ..Default::default()
    });
    let started = Instant::now();
    let (status, body) = get(&s.addr, "r6", &s.token, Duration::from_secs(5)).unwrap();
    let first = started.elapsed();
    assert_eq!((status, code_of(&body).as_str()), (503, "Renewing"), "{body}");
    assert!(first < Duration::from_millis(1500), "answered in {first:?}, within botocore's 2 s");
    // The client gave up; the renewal goes on and its retry gets it.
    std::thread::sleep(Duration::from_secs(3));
    let (status, body) = get(&s.addr, "r6", &s.token, Duration::from_secs(5)).unwrap();
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_ne!(v["AccessKeyId"], old_key);
    assert_eq!(w.sandbox.calls("AssumeRole") - before, 1, "one renewal, not cancelled and restarted");
}

#[test]
fn a_slowloris_at_the_default_descriptor_limit_does_not_keep_clients_waiting() {
    raise_own_limit();
    let w = signed_in();
    let s = serve(&w, &["r5"], Some(1024));
    let pid = s.child.id();
    let attack = slowloris(&s.addr, 10);
    std::thread::sleep(Duration::from_secs(1));
    let cpu_before = (cpu_secs(pid), Instant::now());
    let mut failed = Vec::new();
    let mut answered = 0;
    while cpu_before.1.elapsed() < Duration::from_secs(7) {
        match get(&s.addr, "r5", &s.token, Duration::from_secs(2)) {
            Ok((200, _)) => answered += 1,
            other => failed.push(format!("{other:?}")),
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let cpu = (cpu_secs(pid) - cpu_before.0) / cpu_before.1.elapsed().as_secs_f64();
    let opened = attack.join().unwrap();
    assert!(
        failed.is_empty(),
        "{} of {} legit requests failed: {:?}",
        failed.len(),
        answered + failed.len(),
        &failed[..failed.len().min(5)]
    );
    assert!(answered >= 10, "{answered}");
    assert!(cpu < 0.5, "the server used {:.0} % of a core under the attack ({opened} connections)", cpu * 100.0);
    // Afterwards, and with the attack's sockets gone, a sign-in and a renewal work.
    assert!(w.mfatui(&["logout"], &[]).status.success());
    // The next step's code: the first one was used by `signed_in`.
    let code = w.sandbox.totp_code_at(EVE_SERIAL, w.sandbox.now() + 30).unwrap();
    let o = w.mfatui(&["login", "eve", "--code", &code], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(get(&s.addr, "r5", &s.token, Duration::from_secs(2)).unwrap().0, 200);
}

/// A listener on a Unix socket run as another user (nobody): it reports how many bytes the
/// first client sent. Started in `dir` (which it must be able to write).
fn foreign_listener(path: &std::path::Path) -> std::process::Child {
    use std::os::unix::process::CommandExt;
    let script = "import socket,sys,os\ns=socket.socket(socket.AF_UNIX)\ns.bind(sys.argv[1])\nos.chmod(sys.argv[1],0o777)\ns.listen(5)\nprint('READY',flush=True)\ns.settimeout(6)\ntry:\n    c,_=s.accept()\n    c.settimeout(3)\n    try:\n        d=c.recv(65536)\n    except Exception:\n        d=b''\n    print('GOT',len(d),flush=True)\n    try:\n        c.sendall(b'{\"result\":\"signed_in\"}\\n')\n    except OSError:\n        pass\nexcept socket.timeout:\n    print('NOCONN',flush=True)\n";
    let mut cmd = std::process::Command::new("/usr/bin/python3");
    cmd.args(["-c", script]).arg(path).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::inherit());
    // SAFETY: setgid/setuid are async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setgid(65534) != 0 || libc::setuid(65534) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "READY");
    child
}

fn able_to_be_another_user() -> bool {
    // SAFETY: getuid has no preconditions.
    let root = unsafe { libc::getuid() } == 0 && std::path::Path::new("/usr/bin/python3").exists();
    if !root {
        eprintln!("skipping: playing another local user needs root and /usr/bin/python3");
    }
    root
}

#[test]
fn the_prompt_client_sends_nothing_to_a_socket_another_user_controls() {
    use std::os::unix::fs::PermissionsExt;
    if !able_to_be_another_user() {
        return;
    }
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config, &credentials);
    let state_dir = w.home.path().join(".local/state/mfatui");
    let run = tempfile::tempdir().unwrap();
    let sock = mfatui::prompters::socket::socket_path_in(Some(run.path()), &state_dir);
    let dir = sock.parent().unwrap().to_path_buf();
    let xdg = [("XDG_RUNTIME_DIR", run.path().to_str().unwrap())];

    // 1. Another user made the directory (0777) and listens in it.
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    std::os::unix::fs::chown(&dir, Some(65534), Some(65534)).unwrap();
    let mut other = foreign_listener(&sock);
    let o = w.mfatui(&["credential-process", "r0"], &xdg);
    assert_ne!(o.status.code(), Some(0));
    let e = stderr(&o);
    assert!(e.contains("refusing to ask the mfatui dashboard through") && e.contains("belongs to uid 65534"), "{e}");
    let _ = other.kill();
    let mut heard = String::new();
    other.stdout.take().unwrap().read_to_string(&mut heard).unwrap();
    let _ = other.wait();
    assert!(!heard.contains("GOT"), "the other user's listener was never even connected to: {heard}");
    std::fs::remove_dir_all(&dir).unwrap();

    // 2. Our own private directory, but the socket in it is served by another user.
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    std::fs::set_permissions(scratch.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let planted = scratch.path().join("s.sock");
    let mut other = foreign_listener(&planted);
    std::fs::rename(&planted, &sock).unwrap();
    let o = w.mfatui(&["credential-process", "r0"], &xdg);
    assert_ne!(o.status.code(), Some(0));
    let e = stderr(&o);
    assert!(e.contains("it is served by uid 65534, not by you") && e.contains("nothing was sent"), "{e}");
    let mut heard = String::new();
    other.stdout.take().unwrap().read_to_string(&mut heard).unwrap();
    let _ = other.wait();
    assert!(heard.contains("GOT 0"), "connected, but not a byte sent: {heard}");
    assert!(stdout(&o).is_empty());
}
