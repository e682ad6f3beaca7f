//! tmux for end-to-end tests of the dashboard: sessions on a private socket, keys, screens.
#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

/// tmux is installed (the test command installs it; a bare `cargo test` skips these tests).
pub fn available() -> bool {
    if Command::new("tmux").arg("-V").output().is_ok() {
        return true;
    }
    assert!(
        std::env::var("MFATUI_REQUIRE_TOOLS").as_deref() != Ok("1"),
        "tmux is required: scripts/test.sh installs it"
    );
    eprintln!("skipping: tmux is not installed (scripts/test.sh installs it)");
    false
}

pub struct Tmux {
    pub socket: String,
}

impl Tmux {
    pub fn new(name: &str) -> Self {
        Self { socket: format!("mfatui-{name}-{}", std::process::id()) }
    }

    pub fn run(&self, args: &[&str]) -> String {
        let o = Command::new("tmux").arg("-L").arg(&self.socket).args(args).output().expect("tmux runs");
        String::from_utf8_lossy(&o.stdout).into_owned()
    }
    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "e2e"])
    }
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend(keys);
        self.run(&args);
    }
    pub fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}; screen:\n{s}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}
