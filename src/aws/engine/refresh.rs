//! Keeping sessions fresh: what is due, renewing it from the MFA session, logout, status.

use super::plan::{Plan, RolePlan};
use super::signin::{LoginReport, Sink};
use super::{Engine, EngineError};
use crate::aws::exports::ExportError;
use crate::aws::secret::Secret;
use crate::aws::store::SessionState;
use std::collections::BTreeSet;

/// Which sessions `refresh` renews.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Which {
    /// Those with less than the margin left (or none yet).
    Due,
    All,
    /// These profiles; a user name means all of its roles.
    Profiles(Vec<String>),
}

/// A session renewed this recently is not renewed again, even if short: protects against a
/// session that is born with less than the margin left (a clock skew, a tiny duration).
const MIN_RENEW_INTERVAL: i64 = 60;
/// An MFA session must have at least this much left to assume roles with.
const MIN_BASE_LEFT: i64 = 30;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileStatus {
    pub profile: String,
    pub user: String,
    pub is_user: bool,
    pub managed: Result<String, ExportError>,
    pub state: SessionState,
    /// When the stored session ends (Unix seconds), if there is one.
    pub expires_at: Option<i64>,
}

impl Engine {
    fn is_due(&self, profile: &str, now: i64, loaded: &crate::aws::store::Loaded) -> bool {
        match loaded.sessions.get(profile) {
            None => true,
            Some(s) => {
                let left = s.expires_at().map_or(0, |t| t - now);
                left < self.settings.margin_secs && now - s.obtained_at >= MIN_RENEW_INTERVAL
            }
        }
    }

    /// Renew sessions. For a user whose MFA session has ended, a code is needed: `typed`, or its
    /// configured source; without one its roles report `NeedsCode`.
    pub async fn refresh(&self, plan: &Plan, which: &Which, typed: Option<Secret>, sink: &Sink) -> Vec<LoginReport> {
        let now = self.clock.now();
        let loaded = self.store.load();
        let mut wanted: BTreeSet<&str> = plan
            .roles
            .iter()
            .filter(|r| match which {
                Which::Due => self.is_due(&r.name, now, &loaded),
                Which::All => true,
                Which::Profiles(names) => names.iter().any(|n| *n == r.name || *n == r.user),
            })
            .map(|r| r.name.as_str())
            .collect();
        // A chained role needs a live parent: renew the parent too when it is due.
        for r in plan.roles.iter().rev() {
            if wanted.contains(r.name.as_str())
                && plan.role(&r.parent).is_some()
                && self.is_due(&r.parent, now, &loaded)
            {
                wanted.insert(r.parent.as_str());
            }
        }
        let mut reports = Vec::new();
        for user in plan.users.values() {
            let roles: Vec<&RolePlan> =
                plan.roles_of(&user.name).filter(|r| wanted.contains(r.name.as_str())).collect();
            let user_named = matches!(which, Which::Profiles(n) if n.contains(&user.name));
            if roles.is_empty() && !user_named {
                continue;
            }
            // Keep a still-usable MFA session unless the user asked for a new one with a code.
            let report = self.sign_in(plan, user, roles, typed.clone(), MIN_BASE_LEFT, sink).await;
            reports.push(report);
        }
        reports
    }

    /// When the next session becomes due, to sleep until then.
    pub fn next_due(&self, plan: &Plan) -> Option<i64> {
        let loaded = self.store.load();
        plan.roles
            .iter()
            .filter_map(|r| loaded.sessions.get(&r.name))
            .filter_map(|s| Some((s.expires_at()? - self.settings.margin_secs).max(s.obtained_at + MIN_RENEW_INTERVAL)))
            .min()
    }

    /// Users whose MFA session ends within the warning window: `(user, seconds left)`.
    pub fn mfa_ending(&self, plan: &Plan) -> Vec<(String, i64)> {
        let (now, loaded) = (self.clock.now(), self.store.load());
        plan.users
            .values()
            .filter(|u| u.mfa_serial.is_some())
            .filter_map(|u| {
                let left = loaded.sessions.get(&u.name)?.expires_at()? - now;
                (left > 0 && left <= self.settings.mfa_warn_secs).then(|| (u.name.clone(), left))
            })
            .collect()
    }

    /// Forget sessions and remove their managed sections: one profile, a user and all its
    /// roles, or (None) everything.
    pub fn logout(&self, plan: &Plan, profile: Option<&str>) -> Result<Vec<String>, EngineError> {
        let names: BTreeSet<String> = match profile {
            None => self.store.load().sessions.into_keys().chain(plan.roles.iter().map(|r| r.name.clone())).collect(),
            Some(p) if plan.users.contains_key(p) => {
                std::iter::once(p.to_string()).chain(plan.roles_of(p).map(|r| r.name.clone())).collect()
            }
            Some(p) if plan.role(p).is_some() || self.store.load().sessions.contains_key(p) => {
                BTreeSet::from([p.to_string()])
            }
            Some(p) => return Err(EngineError::UnknownProfile(p.into())),
        };
        let removed =
            self.store.update(|s| names.iter().filter(|n| s.remove(*n).is_some()).cloned().collect::<Vec<_>>())?;
        let sections: BTreeSet<String> =
            names.iter().map(|n| crate::aws::exports::managed_name(n, &self.settings.suffix)).collect();
        let sections =
            if profile.is_none() { sections.union(&plan.stale_exports).cloned().collect() } else { sections };
        crate::aws::exports::remove(&self.credentials_path, &sections)?;
        Ok(removed)
    }

    /// Every plannable profile with its session state.
    pub fn status(&self, plan: &Plan) -> Vec<ProfileStatus> {
        let (now, loaded) = (self.clock.now(), self.store.load());
        let state = |name: &str| loaded.sessions.get(name).map_or(SessionState::None, |s| s.state_at(now));
        let expires_at = |name: &str| loaded.sessions.get(name).and_then(|s| s.expires_at());
        let users = plan.users.values().filter(|u| u.mfa_serial.is_some()).map(|u| ProfileStatus {
            profile: u.name.clone(),
            user: u.name.clone(),
            is_user: true,
            managed: u.managed.clone(),
            state: state(&u.name),
            expires_at: expires_at(&u.name),
        });
        let roles = plan.roles.iter().map(|r| ProfileStatus {
            profile: r.name.clone(),
            user: r.user.clone(),
            is_user: false,
            managed: r.managed.clone(),
            state: state(&r.name),
            expires_at: expires_at(&r.name),
        });
        users.chain(roles).collect()
    }
}
