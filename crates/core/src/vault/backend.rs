//! The one trait every keychain is used through, and its implementations: the platform's
//! keychain through `keyring-core` (the crates do the work; this file only picks the store and
//! bounds every call in time), and an in-memory one for tests.

use super::{SERVICE, VaultError};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

/// A keychain holding byte secrets by account name under mfatui's service.
pub trait Backend: Send + Sync {
    /// "the Secret Service", "the macOS Keychain": how messages name it.
    fn name(&self) -> &'static str;
    fn get(&self, account: &str) -> Result<Option<Vec<u8>>, VaultError>;
    fn set(&self, account: &str, label: &str, secret: &[u8]) -> Result<(), VaultError>;
    /// `true` when there was an item to delete.
    fn delete(&self, account: &str) -> Result<bool, VaultError>;
    /// The secrets of items another program wrote, found by their attributes (aws-vault's
    /// `profile`); stores that cannot search answer with none.
    fn search(&self, attributes: &[(&str, &str)]) -> Result<Vec<Vec<u8>>, VaultError>;
}

#[cfg(target_os = "linux")]
const NAME: &str = "the Secret Service (GNOME Keyring, KWallet or KeePassXC)";
#[cfg(target_os = "macos")]
const NAME: &str = "the macOS Keychain";
#[cfg(target_os = "windows")]
const NAME: &str = "the Windows Credential Manager";
#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
const NAME: &str = "the OS keychain";

#[cfg(target_os = "linux")]
const HINT: &str = "the Secret Service needs a desktop session's D-Bus (DBUS_SESSION_BUS_ADDRESS) and a running keyring such as gnome-keyring-daemon; on a server without one, use vault = files";
#[cfg(not(target_os = "linux"))]
const HINT: &str = "check that you are logged in to a desktop session, or use vault = files";

type Store = Arc<keyring_core::CredentialStore>;

fn open_store() -> keyring_core::Result<Store> {
    #[cfg(target_os = "linux")]
    {
        Ok(zbus_secret_service_keyring_store::Store::new()?)
    }
    #[cfg(target_os = "macos")]
    {
        Ok(apple_native_keyring_store::keychain::Store::new()?)
    }
    #[cfg(target_os = "windows")]
    {
        Ok(windows_native_keyring_store::Store::new()?)
    }
    #[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
    {
        Err(keyring_core::Error::NoDefaultStore)
    }
}

/// The platform's keychain. Connects on the first call, in a worker thread, so a keychain that
/// never answers costs `timeout` and not D-Bus's 25 seconds (or forever).
pub struct Keyring {
    timeout: Duration,
    store: Mutex<Option<Store>>,
}

impl Keyring {
    pub fn new(timeout: Duration) -> Self {
        Self { timeout, store: Mutex::new(None) }
    }

    fn unreachable(detail: String) -> VaultError {
        VaultError::Unreachable { backend: NAME, detail, hint: HINT }
    }

    fn map(e: keyring_core::Error) -> VaultError {
        use keyring_core::Error as E;
        match e {
            E::NoStorageAccess(inner) => VaultError::Locked { backend: NAME, detail: inner.to_string() },
            E::PlatformFailure(inner) => VaultError::Failed { backend: NAME, detail: inner.to_string() },
            E::NoDefaultStore => Self::unreachable("no keychain on this platform".into()),
            other => VaultError::Failed { backend: NAME, detail: other.to_string() },
        }
    }

    /// Run `f` against the store in a worker thread and wait at most `timeout` for it. A worker
    /// that overruns is left behind (a process that gave up exits soon anyway).
    fn bounded<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, VaultError> + Send + 'static,
    ) -> Result<T, VaultError> {
        let cached = self.store.lock().expect("store lock").clone();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let store = match cached {
                Some(s) => Ok(s),
                None => open_store().map_err(|e| match e {
                    keyring_core::Error::PlatformFailure(inner) => Self::unreachable(inner.to_string()),
                    other => Self::map(other),
                }),
            };
            let out = store.and_then(|s| f(&s).map(|v| (v, s)));
            let _ = tx.send(out);
        });
        match rx.recv_timeout(self.timeout) {
            Ok(Ok((v, store))) => {
                *self.store.lock().expect("store lock") = Some(store);
                Ok(v)
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Err(VaultError::Timeout { backend: NAME, secs: self.timeout.as_secs().max(1) }),
        }
    }
}

fn entry(store: &Store, account: &str) -> Result<keyring_core::Entry, VaultError> {
    keyring_core::Entry::new_in_store(store, SERVICE, account).map_err(Keyring::map)
}

impl Backend for Keyring {
    fn name(&self) -> &'static str {
        NAME
    }

    fn get(&self, account: &str) -> Result<Option<Vec<u8>>, VaultError> {
        let account = account.to_string();
        self.bounded(move |s| match entry(s, &account)?.get_secret() {
            Ok(v) => Ok(Some(v)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(keyring_core::Error::Ambiguous(_)) => Err(VaultError::Failed {
                backend: NAME,
                detail: format!(
                    "more than one item is named {SERVICE}/{account}; remove the extra ones in the keyring's manager"
                ),
            }),
            Err(e) => Err(Keyring::map(e)),
        })
    }

    fn set(&self, account: &str, label: &str, secret: &[u8]) -> Result<(), VaultError> {
        let (account, label, secret) = (account.to_string(), label.to_string(), secret.to_vec());
        self.bounded(move |s| {
            let mods = HashMap::from([("label", label.as_str())]);
            // Not every store knows a label; those that do show it in their manager.
            let e = keyring_core::Entry::new_in_store_with_modifiers(s, SERVICE, &account, &mods)
                .or_else(|_| keyring_core::Entry::new_in_store(s, SERVICE, &account))
                .map_err(Keyring::map)?;
            e.set_secret(&secret).map_err(Keyring::map)
        })
    }

    fn delete(&self, account: &str) -> Result<bool, VaultError> {
        let account = account.to_string();
        self.bounded(move |s| match entry(s, &account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring_core::Error::NoEntry) => Ok(false),
            Err(e) => Err(Keyring::map(e)),
        })
    }

    fn search(&self, attributes: &[(&str, &str)]) -> Result<Vec<Vec<u8>>, VaultError> {
        let attributes: Vec<(String, String)> =
            attributes.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        self.bounded(move |s| {
            let spec: HashMap<&str, &str> = attributes.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let found = match s.search(&spec) {
                Ok(f) => f,
                Err(keyring_core::Error::NotSupportedByStore(_)) => return Ok(Vec::new()),
                Err(e) => return Err(Keyring::map(e)),
            };
            found.iter().map(|e| e.get_secret().map_err(Keyring::map)).collect()
        })
    }
}

/// An item another program wrote: its attributes and its secret.
type ForeignItem = (Vec<(String, String)>, Vec<u8>);

/// A keychain in memory, for tests; `search` finds what `add_foreign` put there.
#[derive(Default)]
pub struct Memory {
    items: Mutex<BTreeMap<String, Vec<u8>>>,
    foreign: Mutex<Vec<ForeignItem>>,
}

impl Memory {
    pub fn add_foreign(&self, attributes: &[(&str, &str)], secret: &[u8]) {
        let attrs = attributes.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        self.foreign.lock().expect("memory").push((attrs, secret.to_vec()));
    }
}

impl Backend for Memory {
    fn name(&self) -> &'static str {
        "the test keychain"
    }

    fn get(&self, account: &str) -> Result<Option<Vec<u8>>, VaultError> {
        Ok(self.items.lock().expect("memory").get(account).cloned())
    }

    fn set(&self, account: &str, _label: &str, secret: &[u8]) -> Result<(), VaultError> {
        self.items.lock().expect("memory").insert(account.into(), secret.to_vec());
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<bool, VaultError> {
        Ok(self.items.lock().expect("memory").remove(account).is_some())
    }

    fn search(&self, attributes: &[(&str, &str)]) -> Result<Vec<Vec<u8>>, VaultError> {
        let foreign = self.foreign.lock().expect("memory");
        Ok(foreign
            .iter()
            .filter(|(attrs, _)| attributes.iter().all(|(k, v)| attrs.iter().any(|(a, b)| a == k && b == v)))
            .map(|(_, s)| s.clone())
            .collect())
    }
}
