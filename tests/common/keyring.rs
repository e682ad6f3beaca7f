//! A real Secret Service for tests: GNOME Keyring on a private D-Bus session, started once per
//! test binary, stopped by PID. `None` (with a loud message) when the daemons are not installed;
//! under MFATUI_REQUIRE_TOOLS=1 that is a failure.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Keyring {
    pub dir: tempfile::TempDir,
    pub bus: String,
    session: Child,
    /// Closing it ends the session (bus and keyring).
    _hold: std::process::ChildStdin,
}

impl Keyring {
    pub fn start() -> Option<Keyring> {
        let missing = ["dbus-daemon", "gnome-keyring-daemon", "secret-tool"]
            .into_iter()
            .filter(|t| {
                Command::new("sh")
                    .args(["-c", &format!("command -v {t}")])
                    .output()
                    .map_or(true, |o| !o.status.success())
            })
            .collect::<Vec<_>>();
        if !missing.is_empty() {
            let msg = format!(
                "SKIPPED: no Secret Service for the vault tests ({} missing; scripts/test.sh installs them)",
                missing.join(", ")
            );
            assert!(std::env::var_os("MFATUI_REQUIRE_TOOLS").is_none(), "{msg}");
            eprintln!("\n*** {msg} ***\n");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let runtime = dir.path().join("run");
        std::fs::create_dir_all(&runtime).unwrap();
        std::fs::set_permissions(&runtime, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
        // dbus-run-session ends the bus when its command ends, and gnome-keyring ends with the
        // bus; the command waits on a pipe from this process, which the kernel closes when the
        // test binary exits (statics are never dropped), so nothing outlives the tests.
        let script = "echo -n PASS | gnome-keyring-daemon --unlock --components=secrets >/dev/null; echo \"$DBUS_SESSION_BUS_ADDRESS\"; read _";
        let mut session = Command::new("dbus-run-session")
            .args(["--", "sh", "-c", script])
            .envs(Self::env_of(dir.path(), ""))
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(session.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let bus = line.trim().to_string();
        assert!(bus.starts_with("unix:"), "dbus-run-session gave no bus address: {bus:?}");
        let hold = session.stdin.take().unwrap();
        let k = Keyring { dir, bus, session, _hold: hold };
        // Ready when an item can be stored and read back.
        let started = Instant::now();
        let mut last = String::new();
        while started.elapsed() < Duration::from_secs(20) {
            let o = k.secret_tool(&["store", "--label=probe", "probe", "1"], Some("x"));
            if o.status.success() {
                return Some(k);
            }
            last = String::from_utf8_lossy(&o.stderr).into_owned();
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("GNOME Keyring did not come up on the private bus within 20 s: {last}");
    }

    fn env_of(dir: &Path, bus: &str) -> Vec<(String, String)> {
        let bus = (!bus.is_empty()).then(|| ("DBUS_SESSION_BUS_ADDRESS".to_string(), bus.to_string()));
        bus.into_iter()
            .chain([
                ("XDG_RUNTIME_DIR".to_string(), dir.join("run").display().to_string()),
                ("XDG_DATA_HOME".to_string(), dir.join("data").display().to_string()),
            ])
            .collect()
    }

    /// The variables a client needs to reach this keyring.
    pub fn env(&self) -> Vec<(String, String)> {
        Self::env_of(self.dir.path(), &self.bus)
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn secret_tool(&self, args: &[&str], input: Option<&str>) -> std::process::Output {
        // Bounded: a keyring that wants an unlock prompt would make secret-tool wait forever.
        let mut child = Command::new("timeout")
            .arg("5")
            .arg("secret-tool")
            .args(args)
            .env_clear()
            .envs(self.env())
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        if let Some(i) = input {
            stdin.write_all(i.as_bytes()).unwrap();
        }
        drop(stdin);
        child.wait_with_output().unwrap()
    }

    /// `secret-tool lookup service mfatui username ACCOUNT`.
    pub fn lookup(&self, account: &str) -> Option<String> {
        let o = self.secret_tool(&["lookup", "service", "mfatui", "username", account], None);
        o.status.success().then(|| String::from_utf8_lossy(&o.stdout).into_owned())
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        // SAFETY: signalling our own child by its PID.
        unsafe { libc::kill(self.session.id() as i32, libc::SIGTERM) };
        let _ = self.session.wait();
    }
}
