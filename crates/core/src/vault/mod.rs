//! The vault: where long-term keys, TOTP seeds and the session store's key live when the user
//! chose `vault = keychain` — the OS keychain (the Secret Service on Linux, the macOS Keychain,
//! the Windows Credential Manager) through the `keyring-core` family of crates.
//!
//! - `backend`: the one trait every keychain is used through, its keyring implementation
//!   (every call bounded in time) and an in-memory one for tests.
//! - `seal`: the session store and rotation journal encrypted at rest with a key held here.
//! - `kernel`: the Linux kernel keyring caching that key, so credential-process stays fast.
//! - `awsvault`: reading what aws-vault stored (its Secret Service items and its JWE files).
//! - `whereabouts`: where each user's key, seed and sessions live, for `doctor` and `list`.

pub mod awsvault;
pub mod backend;
mod kernel;
pub mod moving;
pub mod seal;
pub mod whereabouts;

use crate::secret::{Keys, Secret};
use backend::Backend;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The `vault` setting: where mfatui keeps secrets it owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VaultMode {
    /// The plain files, 0600, as before (long-term keys in ~/.aws/credentials).
    #[default]
    Files,
    /// The OS keychain; the session store encrypted with a key held there.
    Keychain,
}

impl VaultMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Files => "files",
            Self::Keychain => "keychain",
        }
    }
}

/// The keychain items' service name; items are told apart by their account (`keys:alice`).
pub const SERVICE: &str = "mfatui";

/// How long a credential channel waits for the keychain: less than the SDKs give a
/// `credential_process` helper (aws-sdk-rust gives up after a few seconds).
pub const CHANNEL_TIMEOUT: Duration = Duration::from_secs(3);
/// How long an interactive command waits: long enough for the keychain's own unlock prompt.
pub const INTERACTIVE_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    #[error("{backend} cannot be reached ({detail}); {hint}")]
    Unreachable { backend: &'static str, detail: String, hint: &'static str },
    #[error(
        "{backend} is locked and was not unlocked ({detail}): unlock it (log in to your desktop session, or unlock the keyring in its manager) and retry"
    )]
    Locked { backend: &'static str, detail: String },
    #[error("{backend} did not answer within {secs}s: is its unlock prompt waiting somewhere? Unlock it and retry")]
    Timeout { backend: &'static str, secs: u64 },
    #[error("{backend} holds no {what} for {profile} (was it deleted behind mfatui's back?): {fix}")]
    Missing { backend: &'static str, what: &'static str, profile: String, fix: String },
    #[error(
        "the {what} for {profile} in {backend} is not what mfatui wrote (was it edited behind mfatui's back?): {fix}"
    )]
    Damaged { backend: &'static str, what: &'static str, profile: String, fix: String },
    #[error("{backend} refused the request: {detail}")]
    Failed { backend: &'static str, detail: String },
}

/// The shape of a long-term key item (JSON, so a later field can be added).
#[derive(Serialize, Deserialize)]
struct KeyItem {
    version: u32,
    access_key_id: String,
    secret_access_key: Secret,
}

/// The vault: typed items over a backend. Cheap to clone.
#[derive(Clone)]
pub struct Vault {
    backend: Arc<dyn Backend>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Vault({})", self.backend.name())
    }
}

fn keys_account(profile: &str) -> String {
    format!("keys:{profile}")
}

fn seed_account(profile: &str) -> String {
    format!("seed:{profile}")
}

impl Vault {
    /// This platform's keychain, every call bounded by `timeout`. Nothing is contacted until
    /// the first call.
    pub fn keychain(timeout: Duration) -> Self {
        Self { backend: Arc::new(backend::Keyring::new(timeout)) }
    }

    pub fn with_backend(backend: Arc<dyn Backend>) -> Self {
        Self { backend }
    }

    /// The keychain's name as messages say it ("the Secret Service").
    pub fn backend_name(&self) -> &'static str {
        self.backend.name()
    }

    pub fn backend(&self) -> &Arc<dyn Backend> {
        &self.backend
    }

    /// The long-term keys of `profile`, `None` when the vault holds none.
    pub fn find_keys(&self, profile: &str) -> Result<Option<Keys>, VaultError> {
        let Some(bytes) = self.backend.get(&keys_account(profile))? else { return Ok(None) };
        let item: KeyItem = serde_json::from_slice(&bytes).map_err(|_| VaultError::Damaged {
            backend: self.backend_name(),
            what: "access key",
            profile: profile.into(),
            fix: format!("store it again with `mfatui vault add {profile}`"),
        })?;
        Ok(Some(Keys {
            access_key_id: item.access_key_id,
            secret_access_key: item.secret_access_key,
            session_token: None,
        }))
    }

    /// The long-term keys of a user whose profile says they are in the vault.
    pub fn keys(&self, profile: &str) -> Result<Keys, VaultError> {
        self.find_keys(profile)?.ok_or_else(|| VaultError::Missing {
            backend: self.backend_name(),
            what: "access key",
            profile: profile.into(),
            fix: format!("store it again with `mfatui vault add {profile}`"),
        })
    }

    /// Write the keys, then read them back: only a vault that returns what it was given counts.
    pub fn put_keys(&self, profile: &str, keys: &Keys) -> Result<(), VaultError> {
        let item = KeyItem {
            version: 1,
            access_key_id: keys.access_key_id.clone(),
            secret_access_key: keys.secret_access_key.clone(),
        };
        let bytes = serde_json::to_vec(&item).expect("plain data serialises");
        let label = format!("mfatui: AWS access key of profile {profile}");
        self.backend.set(&keys_account(profile), &label, &bytes)?;
        match self.find_keys(profile)? {
            Some(back) if back == *keys => Ok(()),
            _ => Err(VaultError::Failed {
                backend: self.backend_name(),
                detail: format!(
                    "the access key of {profile} read back differs from what was written; nothing else was changed"
                ),
            }),
        }
    }

    pub fn remove_keys(&self, profile: &str) -> Result<bool, VaultError> {
        self.backend.delete(&keys_account(profile))
    }

    /// A user's TOTP seed, `None` when the vault holds none.
    pub fn find_seed(&self, profile: &str) -> Result<Option<Secret>, VaultError> {
        let Some(bytes) = self.backend.get(&seed_account(profile))? else { return Ok(None) };
        String::from_utf8(bytes).map(|s| Some(Secret::new(s))).map_err(|_| VaultError::Damaged {
            backend: self.backend_name(),
            what: "TOTP seed",
            profile: profile.into(),
            fix: format!("import the seed again with `mfatui vault import {profile}`"),
        })
    }

    /// The seed of a user whose profile says it is in the vault.
    pub fn seed(&self, profile: &str) -> Result<Secret, VaultError> {
        self.find_seed(profile)?.ok_or_else(|| VaultError::Missing {
            backend: self.backend_name(),
            what: "TOTP seed",
            profile: profile.into(),
            fix: format!("put it back with `mfatui vault import {profile}` from a seed file, or remove `mfa_totp_seed = keychain` from [profile {profile}]"),
        })
    }

    pub fn put_seed(&self, profile: &str, seed: &Secret) -> Result<(), VaultError> {
        let label = format!("mfatui: TOTP seed of profile {profile}");
        self.backend.set(&seed_account(profile), &label, seed.expose().as_bytes())?;
        match self.find_seed(profile)? {
            Some(back) if back == *seed => Ok(()),
            _ => Err(VaultError::Failed {
                backend: self.backend_name(),
                detail: format!("the TOTP seed of {profile} read back differs from what was written"),
            }),
        }
    }

    pub fn remove_seed(&self, profile: &str) -> Result<bool, VaultError> {
        self.backend.delete(&seed_account(profile))
    }

    /// The raw key that seals the file at `path`, `None` when there is none yet.
    pub(crate) fn find_seal_key(&self, path: &Path) -> Result<Option<Vec<u8>>, VaultError> {
        self.backend.get(&seal::account_for(path))
    }

    pub(crate) fn put_seal_key(&self, path: &Path, key: &[u8]) -> Result<(), VaultError> {
        let label = format!("mfatui: key of the encrypted {}", path.display());
        self.backend.set(&seal::account_for(path), &label, key)?;
        match self.find_seal_key(path)? {
            Some(back) if back == key => Ok(()),
            _ => Err(VaultError::Failed {
                backend: self.backend_name(),
                detail: format!("the key of {} read back differs from what was written", path.display()),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_seeds_round_trip_and_damage_is_named() {
        let mem = Arc::new(backend::Memory::default());
        let v = Vault::with_backend(mem.clone());
        assert!(v.find_keys("alice").unwrap().is_none());
        let e = v.keys("alice").unwrap_err().to_string();
        assert!(e.contains("deleted behind mfatui's back") && e.contains("mfatui vault add alice"), "{e}");
        let k = Keys { access_key_id: "AKIAX".into(), secret_access_key: Secret::new("s3cr3t"), session_token: None };
        v.put_keys("alice", &k).unwrap();
        assert_eq!(v.keys("alice").unwrap(), k);
        mem.set("keys:alice", "x", b"not json").unwrap();
        let e = v.keys("alice").unwrap_err().to_string();
        assert!(e.contains("edited behind mfatui's back") && !e.contains("s3cr3t"), "{e}");
        v.put_seed("alice", &Secret::new("JBSWY3DPEHPK3PXP")).unwrap();
        assert_eq!(v.find_seed("alice").unwrap().unwrap().expose(), "JBSWY3DPEHPK3PXP");
        assert!(v.remove_seed("alice").unwrap() && !v.remove_seed("alice").unwrap());
    }
}
