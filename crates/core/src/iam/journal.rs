//! The rotation journal: one 0600 JSON file per user in mfatui's state directory, written
//! atomically (temp file, fsync, rename, directory fsync) before each step that cannot be undone,
//! so a rotation killed at any moment can be resumed. It holds the new secret key from the
//! moment AWS shows it (AWS shows it once) until the rotation ends, and the old one so that a
//! user without MFA can still sign the remaining calls. An exclusive lock beside it keeps two
//! rotations of one user apart; the OS drops it when a process dies.

use super::access::IamError;
use super::api::mask;
use crate::secret::Secret;
use crate::userfile::{open_lock_file, private_dir, sync_dir, try_lock, write_atomic};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::path::{Path, PathBuf};

const VERSION: u32 = 1;

/// How far a rotation got. Each is recorded once the step is done, except `Creating`, which is
/// recorded just before CreateAccessKey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// CreateAccessKey is (or was) in flight; a key it made without this file learning its
    /// secret is useless and is deleted on resume.
    Creating,
    /// The new key and its secret are here, not yet in the user's file.
    Created,
    /// The user's file holds the new key.
    Saved,
    /// The new key works (several GetCallerIdentity successes with the right ARN).
    Verified,
    /// The old key is inactive.
    Deactivated,
}

impl Phase {
    pub fn describe(self) -> &'static str {
        match self {
            Phase::Creating => "creating the new key",
            Phase::Created => "new key created, not yet saved",
            Phase::Saved => "new key saved, not yet verified",
            Phase::Verified => "new key verified, old key still active",
            Phase::Deactivated => "old key deactivated, not yet deleted",
        }
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    pub version: u32,
    pub profile: String,
    pub user_arn: String,
    pub old_key_id: String,
    pub old_secret: Secret,
    /// The key ids that existed just before CreateAccessKey.
    pub before: Vec<String>,
    pub new_key_id: Option<String>,
    pub new_secret: Option<Secret>,
    pub phase: Phase,
    pub started_at: i64,
    pub updated_at: i64,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("profile", &self.profile)
            .field("old_key_id", &mask(&self.old_key_id))
            .field("new_key_id", &self.new_key_id.as_deref().map(mask))
            .field("phase", &self.phase)
            .finish_non_exhaustive()
    }
}

impl Journal {
    pub fn new(profile: &str, user_arn: &str, old_key_id: &str, old_secret: Secret, now: i64) -> Self {
        Self {
            version: VERSION,
            profile: profile.into(),
            user_arn: user_arn.into(),
            old_key_id: old_key_id.into(),
            old_secret,
            before: Vec::new(),
            new_key_id: None,
            new_secret: None,
            phase: Phase::Creating,
            started_at: now,
            updated_at: now,
        }
    }
}

/// A profile name as a file name: identifiers may hold `/` and `:`.
fn file_stem(profile: &str) -> String {
    profile
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Where the journal of `profile`'s rotation lives.
pub fn journal_path(state_dir: &Path, profile: &str) -> PathBuf {
    state_dir.join("rotations").join(format!("{}.json", file_stem(profile)))
}

/// The journal of one user's rotation, held exclusively while this value lives.
pub struct JournalFile {
    path: PathBuf,
    _lock: File,
    /// Under `vault = keychain`: the journal is encrypted with a key held in the keychain.
    sealer: Option<crate::vault::seal::Sealer>,
}

impl JournalFile {
    /// Take the user's rotation lock (refused at once if another process holds it).
    pub fn open(state_dir: &Path, profile: &str) -> Result<Self, IamError> {
        Self::open_sealed(state_dir, profile, None)
    }

    /// Like `open`, the journal sealed with a key in `vault` when one is given.
    pub fn open_sealed(state_dir: &Path, profile: &str, vault: Option<crate::vault::Vault>) -> Result<Self, IamError> {
        let path = journal_path(state_dir, profile);
        let err = |detail: String| IamError::Journal { path: path.display().to_string(), detail };
        let dir = path.parent().unwrap_or(state_dir);
        private_dir(dir).map_err(|e| err(e.to_string()))?;
        let lock_path = dir.join(format!(".{}.lock", file_stem(profile)));
        let lock = open_lock_file(&lock_path).map_err(|e| err(format!("cannot open its lock file: {e}")))?;
        match try_lock(&lock) {
            Ok(true) => {
                let sealer = vault.map(|v| crate::vault::seal::Sealer::new(v, &path));
                Ok(Self { path, _lock: lock, sealer })
            }
            Ok(false) => Err(IamError::Busy { profile: profile.into() }),
            Err(e) => Err(err(format!("cannot lock it: {e}"))),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, detail: String) -> IamError {
        IamError::Journal { path: self.path.display().to_string(), detail }
    }

    pub fn load(&self) -> Result<Option<Journal>, IamError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.err(format!("cannot be read: {e}"))),
        };
        let bytes = match (&self.sealer, crate::vault::seal::is_sealed(&bytes)) {
            (Some(s), true) => s.open(&bytes).map_err(|e| {
                let e = match e {
                    crate::vault::seal::OpenError::Unavailable(e) | crate::vault::seal::OpenError::Lost(e) => e,
                };
                self.err(format!("is encrypted and cannot be opened: {e}"))
            })?,
            (None, true) => {
                return Err(
                    self.err("is encrypted with a key in the keychain, but vault = files: set vault = keychain".into())
                );
            }
            (_, false) => bytes,
        };
        // Never quote the file: it holds secret keys.
        let j: Journal = serde_json::from_slice(&bytes).map_err(|e| {
            self.err(format!(
                "is damaged (line {}, column {}); it may hold the new secret key of an interrupted rotation: check it, then remove it to start over",
                e.line(),
                e.column()
            ))
        })?;
        if j.version != VERSION {
            return Err(self.err(format!("has version {}, which this mfatui does not know", j.version)));
        }
        Ok(Some(j))
    }

    pub fn save(&self, j: &Journal) -> Result<(), IamError> {
        let mut bytes = serde_json::to_vec_pretty(j).map_err(|e| self.err(e.to_string()))?;
        if let Some(s) = &self.sealer {
            bytes = s.seal(&bytes).map_err(|e| self.err(e.to_string()))?;
        }
        write_atomic(&self.path, &bytes).map_err(|e| self.err(e.to_string()))
    }

    pub fn remove(&self) -> Result<(), IamError> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(self.err(format!("cannot be removed: {e}"))),
        }
        if let Some(dir) = self.path.parent() {
            let _ = sync_dir(dir);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn saved_private_locked_and_never_printed() {
        let dir = tempfile::tempdir().unwrap();
        let f = JournalFile::open(dir.path(), "ops/alice").unwrap();
        assert!(f.path().ends_with("rotations/ops%2Falice.json"));
        assert!(f.load().unwrap().is_none());
        let mut j =
            Journal::new("ops/alice", "arn:aws:iam::1:user/alice", "AKIAOLD0000000000001", Secret::new("old"), 5);
        j.new_key_id = Some("AKIANEW0000000000002".into());
        j.new_secret = Some(Secret::new("new-secret"));
        j.phase = Phase::Created;
        f.save(&j).unwrap();
        assert_eq!(std::fs::metadata(f.path()).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(f.load().unwrap(), Some(j.clone()));
        let shown = format!("{j:?}");
        assert!(!shown.contains("new-secret") && !shown.contains("AKIANEW") && shown.contains("****0002"), "{shown}");
        assert!(matches!(JournalFile::open(dir.path(), "ops/alice"), Err(IamError::Busy { .. })));
        std::fs::write(f.path(), "{\"version\": 1, \"secret\": \"leak-me\"").unwrap();
        let e = f.load().unwrap_err().to_string();
        assert!(e.contains("damaged") && !e.contains("leak-me"), "{e}");
        f.remove().unwrap();
        f.remove().unwrap();
        drop(f);
        assert!(JournalFile::open(dir.path(), "ops/alice").is_ok(), "the lock goes with its holder");
    }
}
