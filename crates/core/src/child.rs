//! Running a command from the user's config (`mfa_process`, a user's `credential_process`).
//!
//! The command is split into words the way the AWS CLI splits `credential_process` (POSIX
//! shell quoting rules, no shell): metacharacters such as `|` or `$(…)` are not interpreted,
//! and a command that relies on them is refused with a hint to wrap it in `sh -c '…'`. The child
//! gets none of mfatui's secret variables (`MFATUI_TOTP_SEED_*`), runs in its own process group
//! so a timeout ends it and everything it started, and its failures are reported by profile and
//! program name only: never the full command line (it may carry a seed), and its stderr only
//! after scrubbing and capping.

use std::os::unix::process::CommandExt;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt};

/// Prefix of the environment variables that hold TOTP seeds for machine users.
pub const SEED_VAR_PREFIX: &str = "MFATUI_TOTP_SEED_";
/// A helper prints a code or a small JSON document; more than this is not that.
const STDOUT_CAP: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChildError {
    #[error("{setting} of profile {profile} is empty")]
    Empty { setting: &'static str, profile: String },
    #[error("{setting} of profile {profile} has unbalanced quotes, so it cannot be split into words")]
    Unsplittable { setting: &'static str, profile: String },
    #[error(
        "{setting} of profile {profile} uses `{token}`, but mfatui runs it without a shell (as the AWS CLI runs credential_process); wrap it: {setting} = sh -c '…'"
    )]
    NeedsShell { setting: &'static str, profile: String, token: String },
    #[error("{setting} of profile {profile}: cannot run `{program}`: {detail}")]
    Spawn { setting: &'static str, profile: String, program: String, detail: String },
    #[error("{setting} of profile {profile}: `{program}` gave no answer within {secs}s and was stopped")]
    Timeout { setting: &'static str, profile: String, program: String, secs: u64 },
    #[error("{setting} of profile {profile}: `{program}` failed ({status}){stderr}")]
    Failed { setting: &'static str, profile: String, program: String, status: String, stderr: String },
}

/// What to run, and how to talk about it.
pub struct Spec<'a> {
    /// `mfa_process` or `credential_process`: named in messages.
    pub setting: &'static str,
    pub profile: &'a str,
    pub command: &'a str,
    pub timeout: Duration,
    /// Let the child write to the terminal (a YubiKey's "touch your key"); else it is captured.
    pub show_stderr: bool,
}

fn words(spec: &Spec) -> Result<Vec<String>, ChildError> {
    let words = shlex::split(spec.command)
        .ok_or_else(|| ChildError::Unsplittable { setting: spec.setting, profile: spec.profile.into() })?;
    if words.is_empty() {
        return Err(ChildError::Empty { setting: spec.setting, profile: spec.profile.into() });
    }
    const SHELL_ONLY: &[&str] = &["|", "||", "&&", "&", ";", ">", ">>", "<", "2>", "2>&1"];
    if let Some(token) = words.iter().find(|w| SHELL_ONLY.contains(&w.as_str()) || w.contains("$(") || w.contains('`'))
    {
        return Err(ChildError::NeedsShell {
            setting: spec.setting,
            profile: spec.profile.into(),
            token: token.clone(),
        });
    }
    Ok(words)
}

/// Run it; its stdout when it exits 0.
pub async fn run(spec: &Spec<'_>) -> Result<Vec<u8>, ChildError> {
    let words = words(spec)?;
    let program = words[0].rsplit('/').next().unwrap_or(&words[0]).to_string();
    let fail = |detail: String| ChildError::Spawn {
        setting: spec.setting,
        profile: spec.profile.into(),
        program: program.clone(),
        detail,
    };
    let mut cmd = tokio::process::Command::new(&words[0]);
    cmd.args(&words[1..]).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with(SEED_VAR_PREFIX) {
            cmd.env_remove(k);
        }
    }
    // Its own process group: on a timeout the whole group goes, not just the first process.
    cmd.as_std_mut().process_group(0);
    let mut child = cmd.spawn().map_err(|e| fail(e.to_string()))?;
    let pid = child.id();
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take();
    let io = async {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let read_out = async {
            let mut buf = [0u8; 4096];
            loop {
                match stdout.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) if out.len() < STDOUT_CAP => out.extend_from_slice(&buf[..n.min(STDOUT_CAP - out.len())]),
                    Ok(_) => {}
                }
            }
        };
        // Passed on line by line (a YubiKey's "touch your key" must show while it waits), but
        // only after scrubbing: the program may echo a seed or a key.
        let read_err = async {
            let Some(e) = stderr.as_mut() else { return };
            // Bytes, not lines of text: a program that prints invalid UTF-8 is still heard.
            let mut reader = tokio::io::BufReader::new(e.take(STDOUT_CAP as u64));
            let mut line = Vec::new();
            while reader.read_until(b'\n', &mut line).await.is_ok_and(|n| n > 0) {
                let text = crate::sanitize::bytes_for_terminal(line.strip_suffix(b"\n").unwrap_or(&line));
                if spec.show_stderr {
                    eprintln!("{}", crate::scrub::scrub_line(&text, 300));
                }
                err.extend_from_slice(text.as_bytes());
                err.push(b'\n');
                line.clear();
            }
        };
        tokio::join!(read_out, read_err);
        let status = child.wait().await;
        (status, out, err)
    };
    let (status, out, err) = match tokio::time::timeout(spec.timeout, io).await {
        Ok(r) => r,
        Err(_) => {
            kill_group(pid);
            return Err(ChildError::Timeout {
                setting: spec.setting,
                profile: spec.profile.into(),
                program,
                secs: spec.timeout.as_secs(),
            });
        }
    };
    let status = status.map_err(|e| fail(e.to_string()))?;
    if !status.success() {
        let text = String::from_utf8_lossy(&err);
        let last = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
        let stderr = if last.is_empty() { String::new() } else { format!(": {}", crate::scrub::scrub_line(last, 200)) };
        let status = status.code().map_or_else(|| "killed by a signal".to_string(), |c| format!("exit status {c}"));
        return Err(ChildError::Failed {
            setting: spec.setting,
            profile: spec.profile.into(),
            program,
            status,
            stderr,
        });
    }
    Ok(out)
}

fn kill_group(pid: Option<u32>) {
    let Some(pid) = pid else { return };
    // SAFETY: signalling a process group we created; no memory is involved.
    unsafe {
        libc::killpg(pid as libc::pid_t, libc::SIGTERM);
    }
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(500));
        // SAFETY: as above; the group may already be gone, which is fine.
        unsafe {
            libc::killpg(pid as libc::pid_t, libc::SIGKILL);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(command: &str) -> Spec<'_> {
        Spec { setting: "mfa_process", profile: "alice", command, timeout: Duration::from_secs(5), show_stderr: false }
    }

    #[tokio::test]
    async fn runs_without_a_shell_and_refuses_shell_syntax() {
        assert_eq!(run(&spec("printf '%s' 'a b'")).await.unwrap(), b"a b");
        let e = run(&spec("echo 1 | cat")).await.unwrap_err();
        assert!(matches!(e, ChildError::NeedsShell { ref token, .. } if token == "|"), "{e}");
        assert!(e.to_string().contains("sh -c"), "{e}");
        assert!(matches!(run(&spec("echo 'x")).await, Err(ChildError::Unsplittable { .. })));
        // Through an explicit shell, as documented.
        assert_eq!(run(&spec("sh -c 'echo 1 | tr 1 2'")).await.unwrap(), b"2\n");
    }

    #[tokio::test]
    async fn failures_name_the_program_not_the_command_and_scrub_stderr() {
        let e = run(&spec(
            "sh -c 'echo seed JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP is bad >&2; exit 3' JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        ))
        .await
        .unwrap_err()
        .to_string();
        assert!(e.contains("`sh` failed (exit status 3): seed [hidden] is bad"), "{e}");
        assert!(!e.contains("JBSWY3DP"), "{e}");
    }

    #[tokio::test]
    async fn children_get_no_seed_variables() {
        // SAFETY: this test runs in its own process (nextest) or a thread of the test binary
        // whose other tests never read this variable.
        unsafe { std::env::set_var("MFATUI_TOTP_SEED_BOB", "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU") };
        let out = run(&spec("env")).await.unwrap();
        assert!(!String::from_utf8_lossy(&out).contains("MFATUI_TOTP_SEED"), "seed leaked to the child");
    }

    #[tokio::test]
    async fn a_timeout_ends_the_whole_process_group() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("grandchild-alive");
        let cmd = format!("sh -c 'sh -c \"sleep 2; touch {}\" & sleep 30'", marker.display());
        let s = Spec { timeout: Duration::from_millis(300), ..spec(&cmd) };
        let e = run(&s).await.unwrap_err();
        assert!(matches!(e, ChildError::Timeout { .. }), "{e}");
        tokio::time::sleep(Duration::from_millis(2500)).await;
        assert!(!marker.exists(), "the grandchild outlived the timeout");
    }
}
