//! One IAM user at a glance: its access keys (age, last use, which one the AWS files hold, old
//! ones flagged), MFA devices (usable from the CLI or not), groups, policies and permissions
//! boundary. Everything is fetched at once under one deadline; a part that cannot be read is
//! reported as such and does not hide the rest.

use super::access::{Access, IamError, access};
use super::api::{self, Attached, KeyId, KeyMeta, LastUsed, MfaDevice, MfaKind, join_all};
use super::policy_api;
use crate::engine::{Engine, KeySource, Plan, Sink};
use std::time::Duration;

pub const DEFAULT_MAX_AGE_DAYS: i64 = 90;
const DAY: i64 = 86_400;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub id: KeyId,
    pub active: bool,
    /// Unix seconds.
    pub created: Option<i64>,
    pub age_days: Option<i64>,
    /// Older than the `key_max_age_days` setting.
    pub old: bool,
    /// The key the user's AWS files hold for this profile.
    pub in_use: bool,
    pub last_used: Result<LastUsed, String>,
}

impl KeyInfo {
    /// A listed key as the views show it: its age at `now`, flagged old beyond `max_age_days`.
    pub fn new(meta: KeyMeta, in_use: bool, last_used: Result<LastUsed, String>, max_age_days: i64, now: i64) -> Self {
        let age = age_days(meta.created, now);
        KeyInfo {
            id: meta.id,
            active: meta.active,
            created: meta.created,
            age_days: age,
            old: age.is_some_and(|d| d > max_age_days),
            in_use,
            last_used,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overview {
    pub profile: String,
    pub user: String,
    pub arn: String,
    pub account: String,
    /// Whether the IAM calls ran on an MFA session (else: the long-term key, no mfa_serial).
    pub mfa_session: bool,
    pub max_age_days: i64,
    pub keys: Result<Vec<KeyInfo>, String>,
    pub mfa_devices: Result<Vec<MfaDevice>, String>,
    /// `mfa_serial` of the profile.
    pub configured_serial: Option<String>,
    pub groups: Result<Vec<String>, String>,
    pub attached_policies: Result<Vec<Attached>, String>,
    pub inline_policies: Result<Vec<String>, String>,
    pub boundary: Result<Option<String>, String>,
    /// What deserves attention, one sentence each.
    pub problems: Vec<String>,
}

/// Age in whole days at `now`.
pub fn age_days(created: Option<i64>, now: i64) -> Option<i64> {
    created.map(|c| (now - c).max(0) / DAY)
}

/// The overview of `name`'s IAM user; keys older than `max_age_days` are flagged.
pub async fn overview(
    engine: &Engine,
    plan: &Plan,
    name: &str,
    max_age_days: i64,
    sink: &Sink,
) -> Result<Overview, IamError> {
    let a = access(engine, plan, name, &[], sink).await?;
    let user = super::access::user_of(plan, name)?;
    let in_file = match &user.keys {
        KeySource::Static(k) => Some(k.access_key_id.clone()),
        KeySource::Vault => engine.vault().find_keys(&user.name).ok().flatten().map(|k| k.access_key_id),
        KeySource::Process(_) | KeySource::External(_) => None,
    };
    let deadline = a.target.deadlines.call * 2 + Duration::from_secs(5);
    let fetched = tokio::time::timeout(deadline, fetch(&a)).await.map_err(|_| IamError::Deadline {
        what: format!("reading the IAM user {}", a.user),
        secs: deadline.as_secs(),
    })?;
    let now = engine.clock().now();
    let (keys, devices, groups, attached, inline, boundary) = fetched;
    let keys = keys.map(|list| {
        list.into_iter()
            .map(|(k, last_used)| {
                let in_use = in_file.as_deref() == Some(k.id.full());
                KeyInfo::new(k, in_use, last_used, max_age_days, now)
            })
            .collect()
    });
    let mut o = Overview {
        profile: a.profile.clone(),
        user: a.user.clone(),
        arn: a.arn.clone(),
        account: a.account.clone(),
        mfa_session: a.mfa,
        max_age_days,
        keys,
        mfa_devices: devices,
        configured_serial: user.mfa_serial.clone(),
        groups,
        attached_policies: attached,
        inline_policies: inline,
        boundary,
        problems: Vec::new(),
    };
    o.problems = problems(&o);
    Ok(o)
}

type Fetched = (
    Result<Vec<(KeyMeta, Result<LastUsed, String>)>, String>,
    Result<Vec<MfaDevice>, String>,
    Result<Vec<String>, String>,
    Result<Vec<Attached>, String>,
    Result<Vec<String>, String>,
    Result<Option<String>, String>,
);

/// Every part concurrently (at most six calls at a time, then one per key for its last use).
async fn fetch(a: &Access) -> Fetched {
    let (t, k, u) = (&a.target, &a.keys, a.user.as_str());
    let text = |e: crate::net::AwsError| super::access::short(&e);
    let keys = async {
        let list = api::list_access_keys(t, k, u).await.map_err(text)?;
        let last = list.iter().map(|m| async move { api::access_key_last_used(t, k, &m.id).await.map_err(text) });
        let mut out = Vec::with_capacity(list.len());
        // AWS allows two keys per user: asking for both at once is bound enough.
        let used: Vec<_> = join_all(last.collect()).await;
        out.extend(list.into_iter().zip(used));
        Ok(out)
    };
    tokio::join!(
        keys,
        async { api::list_user_mfa_devices(t, k, u).await.map_err(text) },
        async { policy_api::list_groups_for_user(t, k, u).await.map_err(text) },
        async { policy_api::list_attached_user_policies(t, k, u).await.map_err(text) },
        async { policy_api::list_user_policies(t, k, u).await.map_err(text) },
        async { api::get_user(t, k, u).await.map(|i| i.boundary).map_err(text) },
    )
}

fn problems(o: &Overview) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(keys) = &o.keys {
        for k in keys.iter().filter(|k| k.old && k.active) {
            out.push(format!(
                "access key {} is {} days old (more than {}): rotate it (mfatui rotate {})",
                k.id,
                k.age_days.unwrap_or_default(),
                o.max_age_days,
                o.profile
            ));
        }
        if keys.len() >= 2 {
            out.push(format!(
                "{} has two access keys, the most IAM allows (inactive ones count): a rotation must delete one first",
                o.user
            ));
        }
        if let Some(k) = keys.iter().find(|k| k.in_use && !k.active) {
            out.push(format!("the key your AWS files hold for {} ({}) is inactive", o.profile, k.id));
        }
        for k in keys.iter().filter(|k| k.active && !k.in_use) {
            if let Ok(LastUsed { date: None, .. }) = &k.last_used {
                out.push(format!("active key {} is not in your AWS files and has never been used", k.id));
            }
        }
    }
    if let Ok(devices) = &o.mfa_devices {
        if devices.is_empty() {
            out.push(format!("{} has no MFA device", o.user));
        } else if devices.iter().all(|d| d.kind == MfaKind::Fido) {
            out.push(format!(
                "{} has only FIDO security keys, which the CLI cannot use: add a virtual (authenticator app) device",
                o.user
            ));
        }
        if let Some(serial) = &o.configured_serial
            && !devices.iter().any(|d| &d.serial == serial)
        {
            out.push(format!("mfa_serial of {} ({serial}) names none of {}'s devices", o.profile, o.user));
        }
        if o.configured_serial.is_none()
            && let Some(d) = devices.iter().find(|d| d.kind.usable_from_cli())
        {
            out.push(format!(
                "{} has no mfa_serial: add `mfa_serial = {}` to [profile {}] to sign in with MFA",
                o.profile, d.serial, o.profile
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_in_whole_days() {
        assert_eq!(age_days(Some(0), 3 * DAY + 5), Some(3));
        assert_eq!(age_days(None, 5), None);
    }
}
