//! Shared helpers for integration tests: a throw-away HOME and running the real binary.
#![allow(dead_code)]

pub mod attack;
pub mod keyring;
pub mod tmux;
pub mod world;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Self {
        Self { dir: tempfile::tempdir().unwrap() }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn aws(&self, name: &str) -> PathBuf {
        self.path().join(".aws").join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> &Self {
        let p = self.aws(name);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
        self
    }

    /// `mfatui ARGS` with a clean environment (only this HOME, PATH and `extra`) and no
    /// controlling terminal, so nothing can stop to ask on one.
    pub fn mfatui(&self, args: &[&str], extra: &[(&str, &str)]) -> Output {
        let mut cmd = detached(env!("CARGO_BIN_EXE_mfatui"));
        cmd.args(args).env_clear().env("HOME", self.path()).env("PATH", std::env::var("PATH").unwrap_or_default());
        for (k, v) in extra {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }
}

/// A command in a new session: no controlling terminal (as under cron, an IDE, or CI).
pub fn detached(program: impl AsRef<std::ffi::OsStr>) -> Command {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(program);
    // SAFETY: setsid is async-signal-safe and touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    cmd
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// An external program a test needs (the AWS CLI, …). The test command installs them and sets
/// `MFATUI_REQUIRE_TOOLS=1`, making a missing tool a failure; a bare `cargo test` skips instead.
pub fn tool(env_var: &str, fallbacks: &[&str]) -> Option<PathBuf> {
    let found = std::env::var_os(env_var)
        .map(PathBuf::from)
        .into_iter()
        .chain(fallbacks.iter().map(|f| Path::new(env!("CARGO_MANIFEST_DIR")).join(f)))
        .find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var("MFATUI_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "{env_var} is required but not found; run scripts/test.sh, which installs it"
        );
        eprintln!("skipping: {env_var} not set and none of {fallbacks:?} exists (scripts/test.sh installs it)");
    }
    found
}

/// A moto server on a free loopback port, stopped (by PID) when dropped.
pub struct Moto {
    child: std::process::Child,
    pub url: String,
}

impl Moto {
    pub fn start() -> Option<Moto> {
        let bin = tool("MFATUI_MOTO_SERVER", &[".venv/bin/moto_server"])?;
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let moto = Moto { child, url: format!("http://127.0.0.1:{port}") };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "moto_server did not start within 30 s");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Some(moto)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
