//! Credentials for exactly one profile, the way the credential channels need them: reuse the
//! stored session while it has enough left, else renew it from the MFA session, else sign the
//! user in (code source, then the prompter). Nothing is published here: a client asking for
//! credentials must not rewrite the user's files.

use super::fanout::MIN_PARENT_LEFT;
use super::plan::{Plan, Resolved, RolePlan};
use super::refresh::{MIN_BASE_LEFT, expired_base};
use super::signin::Sink;
use super::{Engine, EngineError, Prompting};
use crate::sts::Keys;
use std::future::Future;
use std::pin::Pin;

/// Credentials for one profile, ready to hand to a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Obtained {
    pub keys: Keys,
    /// Unix seconds.
    pub expiration: i64,
    /// The region the profile's managed section carries.
    pub region: String,
    /// The account id, when known (credential_process may pass it on).
    pub account: Option<String>,
}

impl Engine {
    /// How much life a client should get from `name`'s credentials (`windows::hand_out_left`).
    pub fn hand_out_left(&self, plan: &Plan, name: &str) -> i64 {
        let lasts = match plan.resolve(name) {
            Ok(Resolved::User(u)) => i64::from(u.session_secs),
            Ok(Resolved::Role(r)) => i64::from(r.duration.unwrap_or(3600)),
            Err(_) => 3600,
        };
        super::windows::hand_out_left(lasts, self.settings.margin_secs)
    }

    /// Stored credentials for `name` with more than `min_left` left, without any network call
    /// or lock: the fast path of `credential-process`, which runs before every AWS CLI command.
    pub fn stored_credentials(&self, plan: &Plan, name: &str, min_left: i64) -> Option<Obtained> {
        let resolved = plan.resolve(name).ok()?;
        let (profile, region, account, is_user) = match resolved {
            Resolved::User(u) if u.mfa_serial.is_some() => (&u.name, &u.export_region, u.account.clone(), true),
            Resolved::User(_) => return None,
            Resolved::Role(r) => (&r.name, &r.export_region, r.account.clone(), false),
        };
        let now = self.clock.now();
        let stored = self.store.load();
        let s = stored.sessions.get(profile).filter(|s| s.left(now) > min_left && (!is_user || s.mfa))?;
        Some(Obtained { keys: s.keys(), expiration: s.expires_at()?, region: region.clone(), account })
    }

    /// Credentials for `name` (a profile or its managed name) with more than `min_left` seconds
    /// left. `prompting` says whether a person may be asked for a code.
    pub async fn credentials(
        &self,
        plan: &Plan,
        name: &str,
        min_left: i64,
        prompting: Prompting,
        sink: &Sink,
    ) -> Result<Obtained, EngineError> {
        match plan.resolve(name)? {
            Resolved::User(u) => {
                if let Some(source) = u.external() {
                    return Err(EngineError::NotSignable {
                        why: format!(
                            "{} is served by the AWS CLI ({}; `{}` signs it in): use the profile {} itself; mfatui hands out the roles sourced from it",
                            u.name,
                            source.kind().label(),
                            source.renew_command(),
                            u.name
                        ),
                    });
                }
                if u.mfa_serial.is_none() {
                    return Err(EngineError::NotSignable {
                        why: format!(
                            "{} has no mfa_serial, so there is no MFA session to hand out: use the profile {} itself",
                            u.name, u.name
                        ),
                    });
                }
                let base = self.base(u, min_left, None, prompting, &u.name, sink).await?;
                Ok(Obtained {
                    keys: base.keys,
                    expiration: base.expires.unwrap_or(i64::MAX),
                    region: u.export_region.clone(),
                    account: u.account.clone(),
                })
            }
            Resolved::Role(r) => self.role_credentials(plan, r, min_left, prompting, sink).await,
        }
    }

    fn role_credentials<'a>(
        &'a self,
        plan: &'a Plan,
        role: &'a RolePlan,
        min_left: i64,
        prompting: Prompting,
        sink: &'a Sink,
    ) -> Pin<Box<dyn Future<Output = Result<Obtained, EngineError>> + Send + 'a>> {
        Box::pin(async move {
            if let Some(o) = self.stored_credentials(plan, &role.name, min_left) {
                return Ok(o);
            }
            let _flight = self.flight(&role.name).await;
            if let Some(o) = self.stored_credentials(plan, &role.name, min_left) {
                return Ok(o);
            }
            let user =
                plan.users.get(&role.user).ok_or_else(|| EngineError::ParentFailed { parent: role.user.clone() })?;
            let mut renewed_base = false;
            loop {
                let (keys, from_stored_mfa) = if role.parent == role.user {
                    let base = self.base(user, MIN_BASE_LEFT, None, prompting, &role.name, sink).await?;
                    (base.keys, user.mfa_serial.is_some() && !base.fresh)
                } else {
                    let parent = plan
                        .role(&role.parent)
                        .ok_or_else(|| EngineError::ParentFailed { parent: role.parent.clone() })?;
                    let p = self.role_credentials(plan, parent, MIN_PARENT_LEFT, prompting, sink).await?;
                    (p.keys, false)
                };
                let name = self.session_name(role, &self.store.load());
                match self.assume(role, &keys, &name, sink).await {
                    Ok(c) => {
                        let session = self.stored_session(&c, user.mfa_serial.is_some());
                        self.store.update(|s| s.insert(role.name.clone(), session))?;
                        return Ok(Obtained {
                            keys: c.keys,
                            expiration: c.expiration,
                            region: role.export_region.clone(),
                            account: role.account.clone(),
                        });
                    }
                    // The stored MFA session is dead on the server side: forget it, ask once more.
                    Err(e) if from_stored_mfa && !renewed_base && expired_base(&e) => {
                        self.forget_mfa_session(&user.name)?;
                        renewed_base = true;
                    }
                    Err(e) => return Err(e),
                }
            }
        })
    }
}
