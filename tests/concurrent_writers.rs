//! Several processes writing the same credentials file, and writers killed mid-write.
//!
//! The binary re-runs itself as the child writers (`MFATUI_WRITER=...`), so the children use
//! exactly the library code under test.

use mfatui::aws::edit::upsert_section;
use mfatui::aws::userfile::update_text;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use std::{env, fs};

const USER_PART: &str =
    "# my keys\r\n[default]\r\naws_access_key_id = AKIAUSER\r\naws_secret_access_key = user/secret\r\n";

fn upsert(path: &Path, name: &str, value: &str) {
    update_text(path, |t| upsert_section(t, name, &[("aws_session_token", value)])).unwrap();
}

/// A large section, so each write takes long enough for a kill to land inside it.
fn big_pairs(version: char) -> Vec<(String, String)> {
    (0..400).map(|i| (format!("key_{i:03}"), format!("{version}{}", "x".repeat(60)))).collect()
}

fn write_big(path: &Path, version: char) {
    let pairs = big_pairs(version);
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    update_text(path, |t| upsert_section(t, "big-mfa", &refs)).unwrap();
}

fn child(spec: &str) {
    let parts: Vec<&str> = spec.splitn(4, '|').collect();
    let path = PathBuf::from(parts[1]);
    match parts[0] {
        "upsert" => {
            let (name, count): (&str, usize) = (parts[2], parts[3].parse().unwrap());
            for j in 0..count {
                upsert(&path, name, &format!("{name}-{j}"));
            }
        }
        "hammer" => loop {
            write_big(&path, 'A');
            write_big(&path, 'B');
        },
        other => panic!("unknown child mode {other}"),
    }
}

fn spawn(spec: String) -> Child {
    Command::new(env::current_exe().unwrap()).env("MFATUI_WRITER", spec).spawn().unwrap()
}

fn many_processes_never_lose_an_update() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    fs::write(&path, USER_PART).unwrap();
    let (procs, rounds) = (8, 25);
    let children: Vec<Child> =
        (0..procs).map(|i| spawn(format!("upsert|{}|w{i}-mfa|{rounds}", path.display()))).collect();
    for mut c in children {
        assert!(c.wait().unwrap().success(), "a writer failed");
    }
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.starts_with(USER_PART), "the user's part is untouched");
    for i in 0..procs {
        let want = format!("[w{i}-mfa]\r\n");
        assert_eq!(text.matches(&want).count(), 1, "section w{i}-mfa present once:\n{text}");
        assert!(text.contains(&format!("aws_session_token = w{i}-mfa-{}\r\n", rounds - 1)), "last value of w{i}");
    }
    assert_eq!(fs::read_to_string(dir.path().join("credentials.mfatui-backup")).unwrap(), USER_PART);
}

fn sigkill_never_leaves_a_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    fs::write(&path, USER_PART).unwrap();
    let version = |v: char| {
        let pairs = big_pairs(v);
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        upsert_section(USER_PART, "big-mfa", &refs).unwrap()
    };
    let valid = [USER_PART.to_string(), version('A'), version('B')];
    let mut seed = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    println!("sigkill seed {seed}");
    let mut seen_written = 0;
    for _ in 0..40 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut c = spawn(format!("hammer|{}", path.display()));
        std::thread::sleep(Duration::from_micros(2_000 + seed % 30_000));
        c.kill().unwrap(); // SIGKILL on Unix
        c.wait().unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(valid.contains(&text), "file is not one of the complete versions ({} bytes)", text.len());
        seen_written += usize::from(text != USER_PART);
    }
    assert!(seen_written > 0, "the writer never got to write: the test proved nothing");
    // A killed writer leaves no lock behind; its temp files are cleared by the next write.
    let started = Instant::now();
    write_big(&path, 'A');
    assert!(started.elapsed() < Duration::from_secs(2), "lock released when its holder died");
    let temps =
        fs::read_dir(dir.path()).unwrap().flatten().filter(|e| e.file_name().to_string_lossy().contains("tmp")).count();
    assert_eq!(temps, 0, "stale temp files were cleaned up");
}

fn main() {
    if let Ok(spec) = env::var("MFATUI_WRITER") {
        child(&spec);
        return;
    }
    let tests: [(&str, fn()); 2] = [
        ("many_processes_never_lose_an_update", many_processes_never_lose_an_update),
        ("sigkill_never_leaves_a_partial_file", sigkill_never_leaves_a_partial_file),
    ];
    let mut failed = 0;
    for (name, f) in tests {
        let ok = std::panic::catch_unwind(f).is_ok();
        println!("test {name} ... {}", if ok { "ok" } else { "FAILED" });
        failed += usize::from(!ok);
    }
    println!("concurrent_writers: {} passed, {failed} failed", tests.len() - failed);
    if failed > 0 {
        std::process::exit(1);
    }
}
