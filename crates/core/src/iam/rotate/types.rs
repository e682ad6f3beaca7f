//! What a rotation takes and gives: its options, the questions it asks (`Confirm`), the news it
//! sends (`Event`), its report, and how a key is described to a person (the sentences made of
//! them are in `words.rs`).

use super::super::api::{KeyId, LastUsed};
use super::super::journal::Phase;
use super::super::keys::KeyInfo;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct RotateOptions {
    /// May a key other than the one in use be deleted when the user already has two?
    pub make_room: bool,
    /// Leave the old key inactive instead of deleting it.
    pub keep_old: bool,
    /// Consecutive GetCallerIdentity successes that prove the new key works.
    pub successes: u32,
    /// Pause after a failed check.
    pub poll: Duration,
    /// Pause between successful checks, so they are not all answered by one warm server.
    pub spacing: Duration,
    /// How long IAM may take to accept a new key, or to refuse a deactivated one.
    pub propagation: Duration,
    pub max_age_days: i64,
}

impl Default for RotateOptions {
    fn default() -> Self {
        Self {
            make_room: false,
            keep_old: false,
            successes: 3,
            poll: Duration::from_millis(250),
            spacing: Duration::from_millis(500),
            propagation: Duration::from_secs(60),
            max_age_days: super::super::keys::DEFAULT_MAX_AGE_DAYS,
        }
    }
}

/// What the rotation asks before it changes anything that cannot be undone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    /// Before the first change: rotate (or resume rotating) the key in use. `keep_old` and the
    /// key's last use are in it so that the question says what a yes will do to which key.
    Rotate {
        profile: String,
        user: String,
        key: KeyId,
        resume: Option<Phase>,
        keep_old: bool,
        last_used: Result<LastUsed, String>,
    },
    /// Delete another key to make room for the new one.
    MakeRoom { user: String, key: KeyInfo },
}

pub type Answer<'a> = Pin<Box<dyn Future<Output = bool> + Send + 'a>>;

/// A person's yes or no (a terminal, a dashboard modal); `Yes` for `--yes`.
pub trait Confirm: Send + Sync {
    fn confirm<'a>(&'a self, question: &'a Question) -> Answer<'a>;
}

pub struct Yes;

impl Confirm for Yes {
    fn confirm<'a>(&'a self, _: &'a Question) -> Answer<'a> {
        Box::pin(async { true })
    }
}

/// Live news of a rotation, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Signing { text: String, mfa: bool },
    Resuming { phase: Phase, journal: PathBuf },
    Keys { keys: Vec<KeyInfo> },
    MadeRoom { deleted: KeyId },
    DeletedUnsaved { key: KeyId },
    Creating,
    Created { key: KeyId },
    Saved { key: KeyId, file: PathBuf },
    Verifying { attempt: u32, successes: u32, needed: u32, waited_ms: u64, last_error: Option<String> },
    Verified { key: KeyId, waited_ms: u64 },
    Deactivated { key: KeyId },
    OldRefused { key: KeyId, waited_ms: u64 },
    OldStillAccepted { key: KeyId, waited_ms: u64 },
    DeletedOld { key: KeyId },
    Restarting { why: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OldKey {
    Deleted,
    KeptInactive,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub profile: String,
    pub user: String,
    pub old: KeyId,
    pub new: KeyId,
    pub old_key: OldKey,
    /// The file that now holds the new key.
    pub file: Option<PathBuf>,
    pub made_room: Vec<KeyId>,
    pub deleted_unsaved: Vec<KeyId>,
    /// Whether AWS was seen refusing the old key (`None`: not checked in this run).
    pub old_refused: Option<bool>,
    pub mfa: bool,
}

pub fn day(secs: Option<i64>) -> String {
    secs.map_or("unknown".into(), |s| crate::clock::rfc3339(s).chars().take(10).collect())
}

/// "last used 2026-05-01 (sts, us-east-1)" or "never used".
pub fn last_used_text(l: &Result<LastUsed, String>) -> String {
    match l {
        Ok(LastUsed { date: Some(d), service, region }) => {
            let place: Vec<&str> = [service.as_deref(), region.as_deref()].into_iter().flatten().collect();
            let place = if place.is_empty() { String::new() } else { format!(" ({})", place.join(", ")) };
            format!("last used {}{place}", day(Some(*d)))
        }
        Ok(_) => "never used".into(),
        Err(e) => format!("last use unknown ({e})"),
    }
}

/// One line about a key: `****WXYZ Inactive, created 2026-01-02, never used`.
pub fn key_text(k: &KeyInfo) -> String {
    let status = if k.active { "Active" } else { "Inactive" };
    format!("{} {status}, created {}, {}", k.id, day(k.created), last_used_text(&k.last_used))
}
