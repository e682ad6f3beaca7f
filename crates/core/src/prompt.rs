//! The seam through which the engine asks a person for an MFA code, when (and only when) no
//! code source can supply one and the user's MFA session is gone.
//!
//! The engine never reads a terminal: it calls a `Prompter`. Drivers live with their callers:
//! the terminal (`/dev/tty`), the dashboard (in process), a client that asks a running dashboard
//! over its socket, and `NoPrompter` (a clear error). A driver either hands back a code, which
//! the engine then sends, or reports that the user was signed in elsewhere (the dashboard did
//! it), after which the engine re-reads the store.
//!
//! Asking happens while the engine holds the user's cross-process sign-in lock, so ten
//! concurrent callers cause one prompt. A driver that delegates the sign-in to another process
//! (the socket client) must release that lock first, or the dashboard could not sign in.

use super::secret::Secret;
use super::userfile::{FileError, open_lock_file, try_lock};
use std::fs::File;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::{Duration, Instant};

/// What the engine asks for (also what a process sends the dashboard over its socket).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PromptRequest {
    /// The IAM user profile to sign in.
    pub user: String,
    /// Its MFA device.
    pub serial: String,
    /// The profile the caller wants credentials for (the user itself or one of its roles).
    pub profile: String,
    /// Why the previous code failed, when this is a second attempt.
    pub retry_reason: Option<String>,
}

impl PromptRequest {
    /// The MFA device's name: `alice-phone` of `arn:aws:iam::…:mfa/alice-phone`.
    pub fn device(&self) -> &str {
        self.serial.rsplit_once(":mfa/").map_or(&self.serial, |(_, d)| d)
    }

    /// What is asked, for every driver: `MFA code for alice (alice-phone, needed for
    /// prod-admin)`; the profile is named only when it is not the user itself.
    pub fn question(&self) -> String {
        let for_what = if self.profile == self.user { String::new() } else { format!(", needed for {}", self.profile) };
        format!("MFA code for {} ({}{for_what})", self.user, self.device())
    }
}

#[derive(Debug)]
pub enum PromptAnswer {
    /// A code to send now.
    Code(Secret),
    /// Another process (the dashboard) signed the user in: read the store again.
    SignedIn,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromptError {
    /// The person said no (Esc in the dashboard, an empty line at the terminal).
    #[error("the MFA prompt for {user} was refused {place}")]
    Refused { user: String, place: String },
    /// This driver cannot ask (no dashboard running, no terminal): try the next one.
    #[error("{0}")]
    Unavailable(String),
    /// Asking went wrong (a broken socket, a dashboard that stopped answering).
    #[error("{0}")]
    Failed(String),
}

pub type PromptFuture<'a> = Pin<Box<dyn Future<Output = Result<PromptAnswer, PromptError>> + Send + 'a>>;

/// A way to ask a person for a code.
pub trait Prompter: Send + Sync {
    /// Ask; `lock` is the user's sign-in lock, held by the caller. A driver whose answer comes
    /// from another process signing in must `lock.release()` before waiting.
    fn ask<'a>(&'a self, req: &'a PromptRequest, lock: &'a mut SignInLock) -> PromptFuture<'a>;

    /// The code this driver supplied for `user` was used: signed in, or why not. A driver that
    /// shows "signing in…" (the dashboard's modal) must hear the end, whoever asked.
    fn ended(&self, _user: &str, _result: Result<(), String>) {}
}

/// Never asks: says what to do instead.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoPrompter;

impl Prompter for NoPrompter {
    fn ask<'a>(&'a self, req: &'a PromptRequest, _lock: &'a mut SignInLock) -> PromptFuture<'a> {
        let needs = if req.profile == req.user {
            format!("signing in {} needs an MFA code", req.user)
        } else {
            format!("{} needs an MFA code for {}", req.profile, req.user)
        };
        let why = format!(
            "{needs} and there is no way to ask for one here (no mfatui dashboard is running and there is no terminal): open `mfatui` in a terminal and leave it running, run `mfatui login {}` in a terminal, pass --code CODE (or `--code -` to read it from stdin), or set mfa_process or a TOTP seed for [profile {}]",
            req.user, req.user
        );
        Box::pin(async move { Err(PromptError::Unavailable(why)) })
    }
}

/// Tries each driver in turn; the first that is available asks.
pub struct PrompterChain(pub Vec<Box<dyn Prompter>>);

impl Prompter for PrompterChain {
    fn ask<'a>(&'a self, req: &'a PromptRequest, lock: &'a mut SignInLock) -> PromptFuture<'a> {
        Box::pin(async move {
            for p in &self.0 {
                match p.ask(req, lock).await {
                    Err(PromptError::Unavailable(_)) => {}
                    other => return other,
                }
            }
            // Nobody could ask: say every way there is to get a code in.
            NoPrompter.ask(req, lock).await
        })
    }

    fn ended(&self, user: &str, result: Result<(), String>) {
        for p in &self.0 {
            p.ended(user, result.clone());
        }
    }
}

/// A user's cross-process sign-in lock: while one process obtains (or asks for) an MFA session
/// for a user, others wait, then find the session in the store.
pub struct SignInLock {
    file: Option<File>,
}

/// The lock file for `user` in `dir`: one per user, the name made safe for a file name.
fn lock_path(dir: &Path, user: &str) -> PathBuf {
    let safe: String =
        user.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '%' }).collect();
    dir.join(format!("signin-{safe}-{:08x}.lock", fnv(user)))
}

/// A stable short hash, so two names that sanitise alike still get different files.
fn fnv(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

impl SignInLock {
    /// Wait (up to `wait`) for `user`'s lock in `dir`, polling without blocking the runtime.
    pub async fn acquire(dir: &Path, user: &str, wait: Duration) -> Result<Self, FileError> {
        crate::userfile::private_dir(dir)?;
        let path = lock_path(dir, user);
        let file = open_lock_file(&path).map_err(|cause| FileError::Io {
            action: "open lock file",
            path: path.clone(),
            cause,
        })?;
        let started = Instant::now();
        loop {
            match try_lock(&file) {
                Ok(true) => return Ok(Self { file: Some(file) }),
                Ok(false) if started.elapsed() < wait => tokio::time::sleep(Duration::from_millis(20)).await,
                Ok(false) => return Err(FileError::Busy { path }),
                Err(cause) => return Err(FileError::Io { action: "lock", path, cause }),
            }
        }
    }

    /// Let other processes sign this user in (the lock file stays for the next time).
    pub fn release(&mut self) {
        self.file = None;
    }

    pub fn is_held(&self) -> bool {
        self.file.is_some()
    }

    /// A lock that is not held, for callers that have no lock directory (tests, probes).
    pub fn none() -> Self {
        Self { file: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_holder_at_a_time_and_release_lets_the_next_in() {
        let dir = tempfile::tempdir().unwrap();
        let mut first = SignInLock::acquire(dir.path(), "alice", Duration::from_secs(1)).await.unwrap();
        let busy = SignInLock::acquire(dir.path(), "alice", Duration::from_millis(100)).await;
        assert!(matches!(busy, Err(FileError::Busy { .. })));
        let _other_user = SignInLock::acquire(dir.path(), "bob", Duration::from_millis(100)).await.unwrap();
        first.release();
        assert!(SignInLock::acquire(dir.path(), "alice", Duration::from_millis(100)).await.is_ok());
    }

    #[test]
    fn the_question_names_the_device_and_what_it_is_for_in_one_parenthesis() {
        let mut req = PromptRequest {
            user: "maria".into(),
            serial: "arn:aws:iam::111111111111:mfa/maria-iphone".into(),
            profile: "prod-admin".into(),
            retry_reason: None,
        };
        assert_eq!(req.question(), "MFA code for maria (maria-iphone, needed for prod-admin)");
        req.profile = "maria".into();
        assert_eq!(req.question(), "MFA code for maria (maria-iphone)");
    }

    #[test]
    fn lock_names_are_safe_and_distinct() {
        let d = Path::new("/x");
        assert_ne!(lock_path(d, "a/b"), lock_path(d, "a%b"));
        assert!(!lock_path(d, "../../etc").file_name().unwrap().to_string_lossy().contains('/'));
    }

    #[tokio::test]
    async fn no_prompter_says_what_to_do() {
        let req =
            PromptRequest { user: "alice".into(), serial: "s".into(), profile: "prod".into(), retry_reason: None };
        let e = NoPrompter.ask(&req, &mut SignInLock::none()).await.unwrap_err();
        assert!(e.to_string().contains("mfatui login alice") && e.to_string().contains("--code"), "{e}");
        let chain = PrompterChain(vec![Box::new(NoPrompter)]);
        assert!(matches!(chain.ask(&req, &mut SignInLock::none()).await, Err(PromptError::Unavailable(_))));
    }
}
