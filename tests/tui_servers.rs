//! The dashboard's servers (its credentials endpoint and its prompt socket) under a slowloris at
//! the default descriptor limit, in tmux against the sandbox: every legit request is answered,
//! and afterwards a prompt raised by the endpoint is answered in the modal, which closes, and
//! the client gets its credentials.

mod common;
use common::attack::{code_of, cpu_secs, get, raise_own_limit, slowloris, unix_flood};
use common::tmux::Tmux;
use common::world::{EVE_SERIAL, FRANK_SERIAL, eve_world, with_frank, world};
use common::{stderr, stdout};
use std::time::{Duration, Instant};

/// The child of `parent` whose command is `name` (the pane's shell runs the dashboard).
fn child_named(parent: u32, name: &str) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let (comm, rest) = stat.split_once(" (")?.1.rsplit_once(')')?;
        let ppid: u32 = rest.split_whitespace().nth(1)?.parse().ok()?;
        (ppid == parent && comm == name).then_some(pid)
    })
}

#[test]
fn the_dashboard_serves_through_a_slowloris_and_a_sign_in_then_completes() {
    if !common::tmux::available() {
        return;
    }
    raise_own_limit();
    let (seed, config, credentials) = with_frank(eve_world());
    let w = world(&seed, &config, &credentials);
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    let o = w.mfatui(&["login", "eve", "--code", &code], &[]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    std::fs::create_dir_all(w.home.path().join(".config/mfatui")).unwrap();
    std::fs::write(w.home.path().join(".config/mfatui/config.toml"), format!("serve_port = {port}\n")).unwrap();
    let me = env!("CARGO_BIN_EXE_mfatui");
    let tmux = Tmux::new("servers");
    let cmd = format!(
        "env -i PATH=/usr/bin:/bin HOME={} TERM=xterm-256color AWS_ENDPOINT_URL={} sh -c 'ulimit -n 1024; exec {me}'; sleep 30",
        w.home.path().display(),
        w.sandbox.endpoint(),
    );
    tmux.run(&["new-session", "-d", "-s", "e2e", "-x", "120", "-y", "32", &cmd]);
    tmux.wait_for("the dashboard", |s| s.contains("PROFILE") && s.contains("frank not signed in"));
    let pane: u32 = tmux.run(&["display", "-p", "-t", "e2e", "#{pane_pid}"]).trim().parse().unwrap();
    let pid = child_named(pane, "mfatui").expect("the dashboard's process");
    let state = w.home.path().join(".local/state/mfatui");
    let token = std::fs::read_to_string(state.join(format!("serve-{port}.token"))).unwrap();
    let addr = format!("127.0.0.1:{port}");

    // 1,100 dripping connections to the endpoint, 1,100 silent ones to the prompt socket.
    let attack = slowloris(&addr, 10);
    let held = unix_flood(&state.join("dashboard.sock"), 1100);
    std::thread::sleep(Duration::from_secs(1));
    let (cpu0, t0) = (cpu_secs(pid), Instant::now());
    let (mut answered, mut failed, mut took) = (0, Vec::new(), Vec::new());
    while t0.elapsed() < Duration::from_secs(7) {
        let asked = Instant::now();
        match get(&addr, "r2", &token, Duration::from_secs(2)) {
            Ok((200, _)) => {
                answered += 1;
                took.push(asked.elapsed());
            }
            other => failed.push(format!("{other:?}")),
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let cpu = (cpu_secs(pid) - cpu0) / t0.elapsed().as_secs_f64();
    let opened = attack.join().unwrap();
    let flooded = held.len();
    drop(held);
    took.sort();
    eprintln!(
        "under attack: {answered} answered, p99 {:?}, max {:?}; dashboard CPU {:.1} % of a core; {opened} TCP connections, {flooded} on the socket",
        took.get(took.len() * 99 / 100).or(took.last()),
        took.last(),
        cpu * 100.0
    );
    assert!(
        failed.is_empty(),
        "{} of {} failed: {:?}",
        failed.len(),
        answered + failed.len(),
        &failed[..failed.len().min(5)]
    );
    assert!(answered >= 10 && flooded >= 1000, "{answered} answered, {flooded} socket connections");
    assert!(cpu < 0.5, "the dashboard used {:.0} % of a core ({opened} connections)", cpu * 100.0);

    // frank has no session: the endpoint raises the prompt, and answers at once while it is open.
    let (status, body) = get(&addr, "f0", &token, Duration::from_secs(2)).unwrap();
    assert_eq!((status, code_of(&body).as_str()), (503, "MfaCodeNeeded"), "{body}");
    tmux.wait_for("the endpoint's prompt", |s| s.contains("MFA code for frank"));
    let started = Instant::now();
    let (status, body) = get(&addr, "f0", &token, Duration::from_secs(2)).unwrap();
    assert_eq!((status, code_of(&body).as_str()), (503, "MfaCodeNeeded"), "{body}");
    assert!(
        started.elapsed() < Duration::from_millis(700),
        "an open prompt is answered at once: {:?}",
        started.elapsed()
    );
    // The code signs frank in and the modal closes (it stayed on "signing in…" before).
    let code = w.sandbox.totp_code(FRANK_SERIAL).unwrap();
    tmux.keys(&[&code, "Enter"]);
    tmux.wait_for("the modal closed", |s| !s.contains("MFA code for frank"));
    let deadline = Instant::now() + Duration::from_secs(10);
    let v = loop {
        match get(&addr, "f0", &token, Duration::from_secs(2)) {
            Ok((200, body)) => break serde_json::from_str::<serde_json::Value>(&body).unwrap(),
            other => assert!(Instant::now() < deadline, "f0 after signing in: {other:?}"),
        }
        std::thread::sleep(Duration::from_millis(300));
    };
    assert!(v["AccessKeyId"].as_str().unwrap().starts_with("ASIA"), "{v}");
    tmux.keys(&["q"]);
}
