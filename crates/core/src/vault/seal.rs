//! Files encrypted at rest with a key held in the vault: the session store and the rotation
//! journal under `vault = keychain`. AES-256-GCM, a fresh nonce per write; the key is 32 random
//! bytes kept in the keychain (one per file) and cached in the kernel keyring (`kernel`).
//!
//! Reading trusts the cache; writing asks the keychain, which stays the authority: a key changed
//! there wins (and replaces the cache), a key deleted there while the cache still has it is put
//! back, so no write ever leaves a file that only a cache could open.

use super::{Vault, VaultError, kernel};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The first line of a sealed file; the rest is base64 of nonce ‖ ciphertext.
const MAGIC: &[u8] = b"mfatui-sealed-v1\n";
const NONCE: usize = 12;

/// The keychain account of the key that seals `path`.
pub(crate) fn account_for(path: &Path) -> String {
    format!("seal-key:{}", path.display())
}

pub fn is_sealed(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// Why a sealed file cannot be opened: the vault is out of reach (try later, change nothing), or
/// its key is gone or different (what the file held is lost).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    Unavailable(VaultError),
    Lost(VaultError),
}

#[derive(Debug, Clone)]
pub struct Sealer {
    vault: Vault,
    path: PathBuf,
    /// Cache the key in the kernel keyring (`kernel`); off with MFATUI_NO_KERNEL_KEYRING=1.
    cache: bool,
}

fn parse_key(bytes: &[u8]) -> Option<[u8; 32]> {
    bytes.try_into().ok()
}

impl Sealer {
    pub fn new(vault: Vault, path: &Path) -> Self {
        Self { vault, path: path.to_path_buf(), cache: !kernel::disabled() }
    }

    /// A sealer that always asks the keychain (tests; the benchmark of the slow path).
    pub fn uncached(vault: Vault, path: &Path) -> Self {
        Self { vault, path: path.to_path_buf(), cache: false }
    }

    fn cached_key(&self) -> Option<[u8; 32]> {
        if !self.cache {
            return None;
        }
        kernel::get(&self.cache_name()).as_deref().and_then(parse_key)
    }

    fn remember(&self, key: &[u8; 32]) {
        if self.cache {
            kernel::put(&self.cache_name(), key);
        }
    }

    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    /// The kernel keyring's name for this file's key: a digest, so no path shows in `keyctl show`.
    fn cache_name(&self) -> String {
        let digest = Sha256::digest(account_for(&self.path).as_bytes());
        let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
        format!("mfatui:seal:{hex}")
    }

    fn what(&self) -> String {
        format!("the encrypted {}", self.path.display())
    }

    fn damaged(&self) -> VaultError {
        VaultError::Damaged {
            backend: self.vault.backend_name(),
            what: "key",
            profile: self.what(),
            fix: "what the file held cannot be read any more; sign in again and a new key is made".into(),
        }
    }

    /// The keychain's key for this file, made and stored (and read back) when there is none.
    fn authoritative(&self) -> Result<[u8; 32], VaultError> {
        match self.vault.find_seal_key(&self.path)? {
            Some(k) => parse_key(&k).ok_or_else(|| self.damaged()),
            None => {
                let key = match self.cached_key() {
                    Some(cached) => cached,
                    None => {
                        let mut k = [0u8; 32];
                        rand::rngs::OsRng.fill_bytes(&mut k);
                        k
                    }
                };
                self.vault.put_seal_key(&self.path, &key)?;
                Ok(key)
            }
        }
    }

    pub fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, VaultError> {
        let key = self.authoritative()?;
        self.remember(&key);
        let mut nonce = [0u8; NONCE];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let cipher = Aes256Gcm::new_from_slice(&key).expect("32-byte key");
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad: MAGIC })
            .expect("AES-GCM encrypts any length mfatui writes");
        let mut body = nonce.to_vec();
        body.extend_from_slice(&sealed);
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(STANDARD.encode(body).as_bytes());
        out.push(b'\n');
        Ok(out)
    }

    fn decrypt(key: &[u8; 32], bytes: &[u8]) -> Option<Vec<u8>> {
        let text = std::str::from_utf8(bytes.strip_prefix(MAGIC)?).ok()?;
        let body = STANDARD.decode(text.trim_end()).ok()?;
        if body.len() < NONCE {
            return None;
        }
        let cipher = Aes256Gcm::new_from_slice(key).ok()?;
        cipher.decrypt(Nonce::from_slice(&body[..NONCE]), Payload { msg: &body[NONCE..], aad: MAGIC }).ok()
    }

    pub fn open(&self, bytes: &[u8]) -> Result<Vec<u8>, OpenError> {
        if let Some(key) = self.cached_key()
            && let Some(plain) = Self::decrypt(&key, bytes)
        {
            return Ok(plain);
        }
        let stored = match self.vault.find_seal_key(&self.path) {
            Ok(Some(k)) => k,
            Ok(None) => {
                return Err(OpenError::Lost(VaultError::Missing {
                    backend: self.vault.backend_name(),
                    what: "key",
                    profile: self.what(),
                    fix: "what the file held cannot be read any more; sign in again and a new key is made".into(),
                }));
            }
            Err(e) => return Err(OpenError::Unavailable(e)),
        };
        let key = parse_key(&stored).ok_or_else(|| OpenError::Lost(self.damaged()))?;
        let plain = Self::decrypt(&key, bytes).ok_or_else(|| OpenError::Lost(self.damaged()))?;
        self.remember(&key);
        Ok(plain)
    }

    /// Drop the cached key (the keychain's item is left alone).
    pub fn forget_cache(&self) {
        kernel::forget(&self.cache_name());
    }

    #[cfg(test)]
    fn cache_for_test(&self) -> Option<[u8; 32]> {
        kernel::get(&self.cache_name()).as_deref().and_then(parse_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::backend::{Backend, Memory};
    use std::sync::Arc;

    #[test]
    fn sealed_bytes_hide_the_text_and_a_changed_key_is_lost_not_garbage() {
        let mem = Arc::new(Memory::default());
        let dir = tempfile::tempdir().unwrap();
        let s = Sealer::uncached(Vault::with_backend(mem.clone()), &dir.path().join("sessions.json"));
        let sealed = s.seal(b"{\"token\":\"FQoGZXIvYXdzEXAMPLE\"}").unwrap();
        assert!(is_sealed(&sealed));
        assert!(!String::from_utf8_lossy(&sealed).contains("FQoG"));
        assert_eq!(s.open(&sealed).unwrap(), b"{\"token\":\"FQoGZXIvYXdzEXAMPLE\"}");
        let account = account_for(&dir.path().join("sessions.json"));
        mem.set(&account, "x", &[7u8; 32]).unwrap();
        assert!(matches!(s.open(&sealed), Err(OpenError::Lost(VaultError::Damaged { .. }))));
        mem.delete(&account).unwrap();
        let e = s.open(&sealed).unwrap_err();
        assert!(matches!(&e, OpenError::Lost(VaultError::Missing { .. })), "{e:?}");
        // The next write makes a new key.
        let again = s.seal(b"fresh").unwrap();
        assert_eq!(s.open(&again).unwrap(), b"fresh");
    }

    #[test]
    fn the_kernel_cache_opens_without_the_keychain_and_a_write_puts_a_deleted_key_back() {
        let mem = Arc::new(Memory::default());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sessions.json");
        let s = Sealer::new(Vault::with_backend(mem.clone()), &path);
        let sealed = s.seal(b"cached").unwrap();
        if s.cache_for_test().is_none() {
            eprintln!("the kernel refuses keyctl here: the cache is off (every read asks the keychain)");
            return;
        }
        mem.delete(&account_for(&path)).unwrap();
        assert_eq!(s.open(&sealed).unwrap(), b"cached", "read from the kernel keyring's copy");
        let again = s.seal(b"next").unwrap();
        assert!(mem.get(&account_for(&path)).unwrap().is_some(), "the keychain is given the key back");
        assert_eq!(Sealer::uncached(Vault::with_backend(mem), &path).open(&again).unwrap(), b"next");
        s.forget_cache();
    }
}
