//! What the session store says and what the engine is doing, per profile: the dashboard's copy,
//! refreshed by `Action::Snapshot` (the store, as any mfatui process left it) and by the
//! engine's news (`Action::Progress`, `Action::Finished`). `update::sessions` owns it.

use super::Lifetime;
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Activity {
    Refreshing,
    Failed(String),
    NeedsCode,
}

#[derive(Debug, Clone, Default)]
pub struct Sessions {
    /// Expiration by profile, from the session store.
    pub lifetimes: HashMap<String, Lifetime>,
    /// Account aliases by account id, from the session store ("" when the account has none).
    pub aliases: BTreeMap<String, String>,
    pub activity: HashMap<String, Activity>,
    /// MFA users and their device serials.
    pub mfa_serials: HashMap<String, String>,
    /// Users warned that their MFA session is about to end.
    pub warned: BTreeSet<String>,
}

impl Sessions {
    /// Seconds left on a profile's session at `now`, if it has one.
    pub fn left(&self, profile: &str, now: i64) -> Option<i64> {
        self.lifetimes.get(profile).map(|l| l.left(now))
    }

    /// Whether `user` has an MFA session with time left.
    pub fn signed_in(&self, user: &str, now: i64) -> bool {
        self.left(user, now).is_some_and(|l| l > 0)
    }
}
