//! The session store: temporary credentials mfatui obtained, by profile name.
//!
//! One JSON file, 0600, written atomically under a lock (see `userfile`). A file that cannot
//! be read as a store (truncated by a full disk, edited by hand) is never fatal: it is reported
//! as a warning and treated as empty, and the next write moves it aside as `*.corrupt` rather
//! than destroying it.
//!
//! Under `vault = keychain` the file is sealed (`vault::seal`): encrypted with a key held in the
//! keychain. A sealed file whose key is out of reach (no keychain, a locked one) is never moved
//! aside or overwritten: writes fail with the keychain's message until it is back.

use super::secret::Secret;
use super::userfile::{FileError, lock_for, write_atomic};
use crate::vault::seal::{self, OpenError, Sealer};
use aws_sdk_sts::primitives::{DateTime, DateTimeFormat};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSession {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Secret,
    /// RFC 3339, UTC: `2026-11-21T23:00:00Z`.
    pub expiration: String,
    /// The identity the credentials act as (`arn:aws:sts::…:assumed-role/…`).
    pub identity_arn: Option<String>,
    /// Whether the session was obtained with an MFA code.
    pub mfa: bool,
    /// When mfatui obtained it (Unix seconds); 0 in stores written before this was recorded.
    #[serde(default)]
    pub obtained_at: i64,
}

/// What a profile's stored session amounts to at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    None,
    Valid { remaining_secs: i64 },
    Expired { ago_secs: i64 },
}

impl StoredSession {
    /// Seconds since the Unix epoch at which the credentials stop working.
    pub fn expires_at(&self) -> Option<i64> {
        DateTime::from_str(&self.expiration, DateTimeFormat::DateTime).ok().map(|d| d.secs())
    }

    /// Seconds left at `now` (negative once expired; very negative when unreadable).
    pub fn left(&self, now: i64) -> i64 {
        self.expires_at().map_or(i64::MIN / 2, |t| t - now)
    }

    /// The credentials, to sign with.
    pub fn keys(&self) -> super::secret::Keys {
        super::secret::Keys {
            access_key_id: self.access_key_id.clone(),
            secret_access_key: self.secret_access_key.clone(),
            session_token: Some(self.session_token.clone()),
        }
    }

    pub fn state_at(&self, now: i64) -> SessionState {
        match self.expires_at() {
            Some(t) if t > now => SessionState::Valid { remaining_secs: t - now },
            Some(t) => SessionState::Expired { ago_secs: now - t },
            None => SessionState::Expired { ago_secs: 0 },
        }
    }
}

/// The last MFA code sent for a device, so no mfatui process sends it twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsedCode {
    pub code: String,
    /// The TOTP step it was sent in (Unix seconds / 30).
    pub step: u64,
}

#[derive(Serialize, Deserialize)]
struct FileShape {
    version: u32,
    sessions: BTreeMap<String, StoredSession>,
    /// By MFA serial.
    #[serde(default)]
    used_codes: BTreeMap<String, UsedCode>,
    /// By account id; "" when the account has none (so it is not asked again).
    #[serde(default)]
    account_aliases: BTreeMap<String, String>,
    /// IAM user name by user profile (learnt with GetCallerIdentity): role session names.
    #[serde(default)]
    user_names: BTreeMap<String, String>,
}

/// Everything the store holds; `update` hands it out to change.
#[derive(Debug, Default, Clone)]
pub struct StoreData {
    pub sessions: BTreeMap<String, StoredSession>,
    pub used_codes: BTreeMap<String, UsedCode>,
    pub account_aliases: BTreeMap<String, String>,
    pub user_names: BTreeMap<String, String>,
}

#[derive(Debug, Default)]
pub struct Loaded {
    pub sessions: BTreeMap<String, StoredSession>,
    pub used_codes: BTreeMap<String, UsedCode>,
    pub account_aliases: BTreeMap<String, String>,
    pub user_names: BTreeMap<String, String>,
    /// Why the file was ignored, when it was.
    pub warning: Option<String>,
    /// The file is sealed and its key is out of reach for now: it must not be written.
    pub unavailable: bool,
}

#[derive(Debug, Clone)]
pub struct SessionStore {
    path: PathBuf,
    sealer: Option<Arc<Sealer>>,
}

impl SessionStore {
    pub fn at(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into(), sealer: None }
    }

    /// The store at `path`, sealed with a key held in `vault` (`vault = keychain`).
    pub fn sealed(path: impl Into<PathBuf>, vault: crate::vault::Vault) -> Self {
        let path = path.into();
        let sealer = Arc::new(Sealer::new(vault, &path));
        Self { path, sealer: Some(sealer) }
    }

    /// The store in `state_dir`, sealed when the vault is the keychain.
    pub fn for_mode(state_dir: &Path, mode: crate::vault::VaultMode, vault: crate::vault::Vault) -> Self {
        match mode {
            crate::vault::VaultMode::Files => Self::in_dir(state_dir),
            crate::vault::VaultMode::Keychain => Self::sealed(state_dir.join("sessions.json"), vault),
        }
    }

    pub fn is_sealed(&self) -> bool {
        self.sealer.is_some()
    }

    pub fn in_dir(state_dir: &Path) -> Self {
        Self::at(state_dir.join("sessions.json"))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn load(&self) -> Loaded {
        match fs::read(&self.path) {
            Ok(bytes) => self.decode(&bytes),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Loaded::default(),
            Err(e) => Loaded {
                warning: Some(format!(
                    "cannot read session store {}: {e}; sessions are treated as absent",
                    self.path.display()
                )),
                ..Loaded::default()
            },
        }
    }

    fn decode(&self, bytes: &[u8]) -> Loaded {
        if seal::is_sealed(bytes) {
            let unavailable = |why: String| Loaded { warning: Some(why), unavailable: true, ..Loaded::default() };
            return match &self.sealer {
                None => unavailable(format!(
                    "session store {} is encrypted with a key in the keychain, but vault = files: set vault = keychain in mfatui's config.toml",
                    self.path.display()
                )),
                Some(s) => match s.open(bytes) {
                    Ok(plain) => self.decode_plain(&plain),
                    Err(OpenError::Unavailable(e)) => {
                        unavailable(format!("session store {} cannot be opened now: {e}", self.path.display()))
                    }
                    Err(OpenError::Lost(e)) => Loaded { warning: Some(e.to_string()), ..Loaded::default() },
                },
            };
        }
        self.decode_plain(bytes)
    }

    fn decode_plain(&self, bytes: &[u8]) -> Loaded {
        match serde_json::from_slice::<FileShape>(bytes) {
            Ok(f) if f.version == VERSION => Loaded {
                sessions: f.sessions,
                used_codes: f.used_codes,
                account_aliases: f.account_aliases,
                user_names: f.user_names,
                warning: None,
                unavailable: false,
            },
            Ok(f) => Loaded {
                warning: Some(format!(
                    "session store {} has version {}, which this mfatui does not know; it is ignored (a newer mfatui wrote it?)",
                    self.path.display(),
                    f.version
                )),
                ..Loaded::default()
            },
            Err(e) => Loaded {
                warning: Some(format!(
                    "session store {} is damaged ({e}); it is ignored and will be moved aside on the next sign-in",
                    self.path.display()
                )),
                ..Loaded::default()
            },
        }
    }

    /// Lock, read, change and write back the sessions. A damaged file is kept as `*.corrupt`.
    pub fn update<R>(&self, f: impl FnOnce(&mut BTreeMap<String, StoredSession>) -> R) -> Result<R, FileError> {
        self.update_all(|d| f(&mut d.sessions))
    }

    /// Like `update`, with the used-code memory too.
    pub fn update_all<R>(&self, f: impl FnOnce(&mut StoreData) -> R) -> Result<R, FileError> {
        let _lock = lock_for(&self.path)?;
        let loaded = self.load();
        if loaded.unavailable {
            return Err(FileError::Edit(loaded.warning.unwrap_or_default()));
        }
        if loaded.warning.is_some() && self.path.exists() {
            let mut aside = self.path.clone().into_os_string();
            aside.push(".corrupt");
            fs::rename(&self.path, &aside).map_err(|cause| FileError::Io {
                action: "move aside damaged",
                path: self.path.clone(),
                cause,
            })?;
        }
        let mut data = StoreData {
            sessions: loaded.sessions,
            used_codes: loaded.used_codes,
            account_aliases: loaded.account_aliases,
            user_names: loaded.user_names,
        };
        let out = f(&mut data);
        let shape = FileShape {
            version: VERSION,
            sessions: data.sessions,
            used_codes: data.used_codes,
            account_aliases: data.account_aliases,
            user_names: data.user_names,
        };
        let json = serde_json::to_vec_pretty(&shape).expect("plain data always serialises");
        let bytes = match &self.sealer {
            Some(s) => {
                s.seal(&json).map_err(|e| FileError::Edit(format!("session store {}: {e}", self.path.display())))?
            }
            None => json,
        };
        write_atomic(&self.path, &bytes)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn session(exp: &str) -> StoredSession {
        StoredSession {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new("SECRETVALUE"),
            session_token: Secret::new("TOKENVALUE"),
            expiration: exp.into(),
            identity_arn: Some("arn:aws:sts::111111111111:assumed-role/r/s".into()),
            mfa: true,
            obtained_at: 0,
        }
    }

    #[test]
    fn round_trip_0600_and_secrets_hidden_from_debug() {
        let dir = tempfile::tempdir().unwrap();
        let store = SessionStore::in_dir(&dir.path().join("state/mfatui"));
        store.update(|s| s.insert("dev".into(), session("2030-01-01T00:00:00Z"))).unwrap();
        let loaded = store.load();
        assert!(loaded.warning.is_none());
        assert_eq!(loaded.sessions["dev"], session("2030-01-01T00:00:00Z"));
        assert_eq!(fs::metadata(store.path()).unwrap().permissions().mode() & 0o777, 0o600);
        let dbg = format!("{:?}", loaded.sessions["dev"]);
        assert!(!dbg.contains("SECRETVALUE") && !dbg.contains("TOKENVALUE"), "{dbg}");
    }

    #[test]
    fn state_from_expiration() {
        let s = session("2026-11-21T12:00:00Z");
        let t = s.expires_at().unwrap();
        assert_eq!(crate::clock::rfc3339(t), "2026-11-21T12:00:00Z");
        assert_eq!(s.state_at(t - 90), SessionState::Valid { remaining_secs: 90 });
        assert_eq!(s.state_at(t + 5), SessionState::Expired { ago_secs: 5 });
        assert_eq!(session("garbage").state_at(t), SessionState::Expired { ago_secs: 0 });
    }

    #[test]
    fn damaged_or_foreign_files_warn_and_are_kept_aside() {
        let dir = tempfile::tempdir().unwrap();
        let store = SessionStore::in_dir(dir.path());
        for bad in [&b"{\"version\":1,\"sess"[..], b"\0\0\0", b"{\"version\":99,\"sessions\":{}}"] {
            fs::write(store.path(), bad).unwrap();
            let loaded = store.load();
            assert!(loaded.sessions.is_empty());
            assert!(loaded.warning.is_some());
        }
        fs::write(store.path(), b"{\"version\":1,\"sess").unwrap();
        store.update(|s| s.insert("a".into(), session("2030-01-01T00:00:00Z"))).unwrap();
        assert_eq!(fs::read(dir.path().join("sessions.json.corrupt")).unwrap(), b"{\"version\":1,\"sess");
        assert_eq!(store.load().sessions.len(), 1);
    }
}
