//! Assuming roles: one at a time for a single profile, or every role of a user in parallel,
//! level by level (a chained role after its parent), under a concurrency limit.

use super::plan::{RolePlan, UserPlan};
use super::retry::with_retry;
use super::signin::{Progress, Sink, plausible, tell};
use super::{Engine, EngineError};
use crate::net::AwsError;
use crate::store::Loaded;
use crate::sts::{self, AssumeRole, Keys, TempCredentials};
use std::collections::HashMap;
use std::sync::Arc;

/// A parent role's stored session is used for a chained role only with this much left.
pub(super) const MIN_PARENT_LEFT: i64 = 60;

/// A valid RoleSessionName: [\w+=,.@-], 2 to 64 characters.
pub(super) fn clean_session_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "+=,.@-_".contains(c) { c } else { '-' })
        .take(64)
        .collect();
    if clean.len() < 2 { format!("mfatui-{clean}") } else { clean }
}

impl Engine {
    /// The session name CloudTrail will show: the profile's `role_session_name`, else the IAM
    /// user's own name, else (not learnt yet) the user profile's name.
    pub(super) fn session_name(&self, role: &RolePlan, stored: &Loaded) -> String {
        role.session_name.clone().unwrap_or_else(|| {
            clean_session_name(stored.user_names.get(&role.user).map_or(role.user.as_str(), String::as_str))
        })
    }

    /// AssumeRole once (with back-off on transient errors), checked for plausibility.
    pub(super) async fn assume(
        &self,
        role: &RolePlan,
        keys: &Keys,
        session_name: &str,
        sink: &Sink,
    ) -> Result<TempCredentials, EngineError> {
        tell(sink, Progress::Started { profile: role.name.clone() });
        let target = self.target(&role.target);
        let url = target.sts_url();
        let req = AssumeRole {
            role_arn: &role.role_arn,
            session_name,
            external_id: role.external_id.as_deref(),
            duration_secs: role.duration,
            mfa: None,
        };
        let result = with_retry(
            self.settings.retry,
            self.settings.deadlines.call,
            ("STS", &url),
            || sts::assume_role(&target, keys, &req),
            |attempt, e| tell(sink, Progress::Retrying { profile: role.name.clone(), attempt, reason: e.to_string() }),
        )
        .await;
        let creds = match result {
            Ok(c) => c,
            Err(AwsError::Service { code, message, .. })
                if code == "ValidationError" && message.contains("DurationSeconds") && role.duration.is_some() =>
            {
                return Err(EngineError::Duration {
                    requested: role.duration.unwrap_or_default(),
                    at: role.duration_at.clone().unwrap_or_else(|| role.name.clone()),
                });
            }
            Err(cause) => return Err(EngineError::Role { role_arn: role.role_arn.clone(), cause }),
        };
        plausible(&role.name, &creds, i64::from(role.duration.unwrap_or(3600)), self.clock.now())?;
        Ok(creds)
    }

    /// Assume `roles` from `base`, level by level: a chained role after its parent. Parents
    /// outside `roles` come from the store.
    pub(super) async fn fan_out(
        &self,
        roles: &[&RolePlan],
        base: &Keys,
        stored: &Loaded,
        sink: &Sink,
    ) -> Vec<(String, Result<TempCredentials, EngineError>)> {
        let mut done: HashMap<String, Result<TempCredentials, EngineError>> = HashMap::new();
        let now = self.clock.now();
        let permits = Arc::new(tokio::sync::Semaphore::new(self.settings.concurrency.max(1)));
        let max_depth = roles.iter().map(|r| r.depth).max().unwrap_or(0);
        for depth in 1..=max_depth {
            let mut tasks = tokio::task::JoinSet::new();
            for r in roles.iter().filter(|r| r.depth == depth) {
                let parent_keys = if r.parent == r.user {
                    Ok(base.clone())
                } else {
                    match done.get(&r.parent) {
                        Some(Ok(c)) => Ok(c.keys.clone()),
                        Some(Err(_)) => Err(EngineError::ParentFailed { parent: r.parent.clone() }),
                        None => stored
                            .sessions
                            .get(&r.parent)
                            .filter(|s| s.left(now) > MIN_PARENT_LEFT)
                            .map(|s| s.keys())
                            .ok_or_else(|| EngineError::ParentFailed { parent: r.parent.clone() }),
                    }
                };
                let keys = match parent_keys {
                    Ok(k) => k,
                    Err(e) => {
                        done.insert(r.name.clone(), Err(e));
                        continue;
                    }
                };
                let name = self.session_name(r, stored);
                let (engine, role, permits, sink) = (self.clone(), (*r).clone(), permits.clone(), sink.clone());
                tasks.spawn(async move {
                    let _permit = permits.acquire_owned().await.expect("semaphore never closed");
                    let _flight = engine.flight(&role.name).await;
                    let result = engine.assume(&role, &keys, &name, &sink).await;
                    (role.name, result)
                });
            }
            while let Some(joined) = tasks.join_next().await {
                if let Ok((name, result)) = joined {
                    done.insert(name, result);
                }
            }
        }
        roles
            .iter()
            .map(|r| {
                let result =
                    done.remove(&r.name).unwrap_or(Err(EngineError::ParentFailed { parent: r.parent.clone() }));
                (r.name.clone(), result)
            })
            .collect()
    }

    /// Ask each account whose alias is not known yet, once: the user's own (shown beside the
    /// user's row) with `user_keys`, the roles' with a fresh role session in each. Best effort
    /// and bounded: a role may not read aliases, and IAM may be slow.
    pub(super) async fn learn_aliases(
        &self,
        (user, user_keys): (&UserPlan, &Keys),
        roles: &[&RolePlan],
        assumed: &[(String, Result<TempCredentials, EngineError>)],
        stored: &Loaded,
    ) -> Vec<(String, String)> {
        let known = &stored.account_aliases;
        let mut wanted: HashMap<String, (Keys, crate::sts::Target)> = HashMap::new();
        if let Some(account) = user.account.as_ref().filter(|a| !known.contains_key(*a)) {
            wanted.insert(account.clone(), (user_keys.clone(), self.target(&user.target)));
        }
        for (r, (_, result)) in roles.iter().zip(assumed) {
            if let (Ok(c), Some(account)) = (result, &r.account)
                && !known.contains_key(account)
            {
                wanted.entry(account.clone()).or_insert_with(|| (c.keys.clone(), self.target(&r.target)));
            }
        }
        let mut tasks = tokio::task::JoinSet::new();
        for (account, (keys, mut target)) in wanted {
            target.deadlines.call = target.deadlines.call.min(std::time::Duration::from_secs(3));
            tasks.spawn(async move { (account, crate::iam::account_alias(&target, &keys).await) });
        }
        let mut out = Vec::new();
        while let Some(Ok((account, found))) = tasks.join_next().await {
            match found {
                Ok(alias) => out.push((account, alias.unwrap_or_default())),
                // Not allowed to read it: remember there is nothing to show, rather than ask on every sign-in.
                Err(e) if matches!(e.root(), AwsError::AccessDenied { .. }) => out.push((account, String::new())),
                Err(_) => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::clean_session_name;

    #[test]
    fn session_names_are_valid() {
        assert_eq!(clean_session_name("alice"), "alice");
        assert_eq!(clean_session_name("a b/c"), "a-b-c");
        assert_eq!(clean_session_name(&"x".repeat(100)).len(), 64);
        assert_eq!(clean_session_name("a"), "mfatui-a");
    }
}
