//! The Linux kernel keyring as a cache of the session store's key, so `credential-process`
//! answers without a D-Bus round trip (one lookup costs about as much as mfatui's whole start).
//!
//! The key goes into the user keyring (`@u`): it is readable only by this user's processes,
//! lives in kernel memory (never on disk, gone on reboot) and expires after `TTL`. Where the
//! kernel refuses `keyctl` (Docker's default seccomp profile) every call quietly does nothing and
//! the keychain is asked each time: slower, never wrong. `MFATUI_NO_KERNEL_KEYRING=1` turns the
//! cache off (to measure, or for a user who wants every read to go to the keychain).

/// How long a cached key lives before the keychain is asked again.
#[cfg(target_os = "linux")]
const TTL_SECS: usize = 8 * 3600;

pub fn disabled() -> bool {
    std::env::var_os("MFATUI_NO_KERNEL_KEYRING").is_some_and(|v| !v.is_empty() && v != "0")
}

#[cfg(target_os = "linux")]
mod imp {
    use linux_keyutils::{KeyPermissionsBuilder, KeyRing, KeyRingIdentifier, Permission};

    fn ring() -> Option<KeyRing> {
        KeyRing::from_special_id(KeyRingIdentifier::User, false).ok()
    }

    pub fn get(description: &str) -> Option<Vec<u8>> {
        ring()?.search(description).ok()?.read_to_vec().ok()
    }

    pub fn put(description: &str, secret: &[u8]) {
        let Some(ring) = ring() else { return };
        let Ok(key) = ring.add_key(description, secret) else { return };
        // Readable by this user's processes whether or not their session keyring links @u.
        let perms = KeyPermissionsBuilder::builder()
            .posessor(Permission::ALL)
            .user(Permission::VIEW | Permission::READ | Permission::SEARCH)
            .build();
        let _ = key.set_perms(perms);
        let _ = key.set_timeout(super::TTL_SECS);
    }

    pub fn forget(description: &str) {
        if let Some(ring) = ring()
            && let Ok(key) = ring.search(description)
        {
            let _ = key.invalidate();
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    pub fn get(_: &str) -> Option<Vec<u8>> {
        None
    }
    pub fn put(_: &str, _: &[u8]) {}
    pub fn forget(_: &str) {}
}

pub fn get(description: &str) -> Option<Vec<u8>> {
    imp::get(description)
}

pub fn put(description: &str, secret: &[u8]) {
    imp::put(description, secret)
}

pub fn forget(description: &str) {
    imp::forget(description)
}
