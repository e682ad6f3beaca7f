//! Signing in: the MFA session of one IAM user, then every role rooted at it, in parallel.

use super::plan::{KeySource, Plan, RolePlan, UserPlan};
use super::retry::with_retry;
use super::{Engine, EngineError};
use crate::aws::exports::{self, Export};
use crate::aws::mfa::{self, MfaSource};
use crate::aws::secret::Secret;
use crate::aws::store::{Loaded, StoredSession, UsedCode};
use crate::aws::sts::{self, AssumeRole, Keys, StsError, TempCredentials};
use crate::aws::totp::step_of;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

/// What happened to one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub expiration: i64,
    pub identity_arn: Option<String>,
    /// The `--profile` name to use, or why it could not be written.
    pub managed: Result<String, EngineError>,
    /// An existing session was still good and was kept.
    pub reused: bool,
}

/// Live news for a dashboard or a verbose CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    Started {
        profile: String,
    },
    Retrying {
        profile: String,
        attempt: u32,
        reason: String,
    },
    /// The generated code was used already; waiting for the device's next one.
    WaitingForCode {
        user: String,
        secs: u64,
    },
    Done {
        profile: String,
        result: Result<Outcome, EngineError>,
    },
}

pub type Sink = Option<UnboundedSender<Progress>>;

fn tell(sink: &Sink, p: Progress) {
    if let Some(s) = sink {
        let _ = s.send(p);
    }
}

#[derive(Debug)]
pub struct LoginReport {
    pub user: String,
    /// `None` for a user without an MFA device: its roles are assumed with its own keys.
    pub mfa: Option<Result<Outcome, EngineError>>,
    pub roles: Vec<(String, Result<Outcome, EngineError>)>,
}

/// Credentials roles are assumed from.
pub(super) struct Base {
    pub keys: Keys,
    pub mfa: bool,
    /// A session obtained just now, to store and export.
    pub fresh: Option<TempCredentials>,
    pub reused_until: Option<i64>,
}

impl Engine {
    /// Sign in `profile`'s IAM user (with `typed`, else its configured code source, unless its
    /// MFA session is still good) and assume every role rooted at it.
    pub async fn login(
        &self,
        plan: &Plan,
        profile: &str,
        typed: Option<Secret>,
        sink: &Sink,
    ) -> Result<LoginReport, EngineError> {
        let user = plan.user_of(profile).ok_or_else(|| EngineError::UnknownProfile(profile.into()))?;
        let roles: Vec<&RolePlan> = plan.roles_of(&user.name).collect();
        Ok(self.sign_in(plan, user, roles, typed, self.settings.margin_secs, sink).await)
    }

    pub(super) async fn sign_in(
        &self,
        plan: &Plan,
        user: &UserPlan,
        roles: Vec<&RolePlan>,
        typed: Option<Secret>,
        min_left: i64,
        sink: &Sink,
    ) -> LoginReport {
        let has_mfa = user.mfa_serial.is_some();
        // One read of the store for the whole sign-in; nothing below changes what it is read for.
        let stored = self.store.load();
        let base = match self.base(user, &stored, typed, min_left, sink).await {
            Ok(b) => b,
            Err(e) => {
                let roles = roles
                    .iter()
                    .map(|r| (r.name.clone(), Err(EngineError::ParentFailed { parent: user.name.clone() })))
                    .collect();
                return LoginReport { user: user.name.clone(), mfa: Some(Err(e)), roles };
            }
        };
        let mut assumed = self.fan_out(&roles, &base.keys, &stored, sink).await;
        if !has_mfa && assumed.iter().any(|(_, r)| is_denied(r)) {
            let suggestion = self.mfa_device_of(user).await;
            for (_, r) in assumed.iter_mut().filter(|(_, r)| is_denied(r)) {
                let cause = r.as_ref().err().map(ToString::to_string).unwrap_or_default();
                *r = Err(EngineError::NoMfaSerial { user: user.name.clone(), suggestion: suggestion.clone(), cause });
            }
        }
        let aliases = self.learn_aliases(&roles, &assumed, &stored).await;
        let mut report = self.persist(plan, user, &base, &roles, assumed, aliases);
        if !has_mfa {
            report.mfa = None;
        }
        if let Some(m) = &report.mfa {
            tell(sink, Progress::Done { profile: user.name.clone(), result: m.clone() });
        }
        for (profile, result) in &report.roles {
            tell(sink, Progress::Done { profile: profile.clone(), result: result.clone() });
        }
        report
    }

    /// The credentials to assume roles from: a stored MFA session with more than `min_left`
    /// seconds, else a new one (needs a code), else the long-term keys of a user without MFA.
    pub(super) async fn base(
        &self,
        user: &UserPlan,
        stored: &Loaded,
        typed: Option<Secret>,
        min_left: i64,
        sink: &Sink,
    ) -> Result<Base, EngineError> {
        let now = self.clock.now();
        let Some(serial) = &user.mfa_serial else {
            return Ok(Base { keys: self.long_term_keys(user).await?, mfa: false, fresh: None, reused_until: None });
        };
        if typed.is_none()
            && let Some(s) = live_mfa_session(stored, &user.name, now, min_left)
        {
            let keys = Keys {
                access_key_id: s.access_key_id.clone(),
                secret_access_key: s.secret_access_key.clone(),
                session_token: Some(s.session_token.clone()),
            };
            return Ok(Base { keys, mfa: true, fresh: None, reused_until: s.expires_at() });
        }
        let source = match typed {
            Some(c) => MfaSource::Typed(c),
            None => match &user.source {
                Ok(Some(s)) => s.clone(),
                Ok(None) => return Err(EngineError::NeedsCode { user: user.name.clone() }),
                Err(e) => return Err(EngineError::Mfa(e.clone())),
            },
        };
        let waiting = |secs| tell(sink, Progress::WaitingForCode { user: user.name.clone(), secs });
        let code =
            mfa::obtain(&source, &user.name, stored.used_codes.get(serial), &*self.clock, self.interactive, waiting)
                .await?;
        // Remember the code before sending it: even a request that fails on the way may have
        // reached AWS, and a second use would be refused.
        let used = UsedCode { code: code.clone(), step: step_of(self.clock.now().max(0) as u64) };
        self.store.update_all(|d| d.used_codes.insert(serial.clone(), used))?;
        let keys = self.long_term_keys(user).await?;
        let target = self.target(&user.region);
        let secs = user.session_secs.clamp(900, 129_600);
        tell(sink, Progress::Started { profile: user.name.clone() });
        let creds = with_retry(
            self.settings.retry,
            || sts::get_session_token(&target, &keys, Some((serial, &code)), Some(secs)),
            |attempt, e| tell(sink, Progress::Retrying { profile: user.name.clone(), attempt, reason: e.to_string() }),
        )
        .await
        .map_err(EngineError::Sts)?;
        Ok(Base { keys: creds.keys.clone(), mfa: true, fresh: Some(creds), reused_until: None })
    }

    /// The serial to suggest for a user without `mfa_serial`: its real device if IAM tells us.
    async fn mfa_device_of(&self, user: &UserPlan) -> String {
        let fallback = format!("arn:aws:iam::{}:mfa/DEVICE-NAME", user.account.as_deref().unwrap_or("ACCOUNT-ID"));
        let Ok(keys) = self.long_term_keys(user).await else { return fallback };
        match crate::aws::iam::list_mfa_devices(&self.target(&user.region), &keys).await {
            Ok(devices) => devices.into_iter().next().unwrap_or(fallback),
            Err(_) => fallback,
        }
    }

    async fn long_term_keys(&self, user: &UserPlan) -> Result<Keys, EngineError> {
        match &user.keys {
            KeySource::Static(k) => Ok(k.clone()),
            KeySource::Process(cmd) => process_keys(&user.name, cmd).await,
        }
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
                            .filter(|s| s.expires_at().is_some_and(|t| t - now > 60))
                            .map(|s| Keys {
                                access_key_id: s.access_key_id.clone(),
                                secret_access_key: s.secret_access_key.clone(),
                                session_token: Some(s.session_token.clone()),
                            })
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
                let (engine, role, permits, sink) = (self.clone(), (*r).clone(), permits.clone(), sink.clone());
                tasks.spawn(async move {
                    let _permit = permits.acquire_owned().await.expect("semaphore never closed");
                    let _flight = engine.flight(&role.name).await;
                    tell(&sink, Progress::Started { profile: role.name.clone() });
                    let target = engine.target(&role.region);
                    let req = AssumeRole {
                        role_arn: &role.role_arn,
                        session_name: &role.session_name,
                        external_id: role.external_id.as_deref(),
                        duration_secs: role.duration,
                        mfa: None,
                    };
                    let result = with_retry(
                        engine.settings.retry,
                        || sts::assume_role(&target, &keys, &req),
                        |attempt, e| {
                            tell(
                                &sink,
                                Progress::Retrying { profile: role.name.clone(), attempt, reason: e.to_string() },
                            )
                        },
                    )
                    .await
                    .map_err(|source| EngineError::Role { role_arn: role.role_arn.clone(), source });
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
                (
                    r.name.clone(),
                    done.remove(&r.name).unwrap_or(Err(EngineError::ParentFailed { parent: r.parent.clone() })),
                )
            })
            .collect()
    }

    /// Ask each account whose alias is not known yet, once, with a fresh role session in it.
    /// Best effort and bounded: a role may not read aliases, and IAM may be slow.
    async fn learn_aliases(
        &self,
        roles: &[&RolePlan],
        assumed: &[(String, Result<TempCredentials, EngineError>)],
        stored: &Loaded,
    ) -> Vec<(String, String)> {
        let known = &stored.account_aliases;
        let mut wanted: HashMap<String, (Keys, String)> = HashMap::new();
        for (r, (_, result)) in roles.iter().zip(assumed) {
            if let (Ok(c), Some(arn)) = (result, crate::aws::config::arn::parse_role_arn(&r.role_arn))
                && !known.contains_key(arn.account.id)
            {
                wanted.entry(arn.account.id.to_string()).or_insert_with(|| (c.keys.clone(), r.region.clone()));
            }
        }
        let mut tasks = tokio::task::JoinSet::new();
        for (account, (keys, region)) in wanted {
            let target = self.target(&region);
            tasks.spawn(async move {
                let found = tokio::time::timeout(
                    std::time::Duration::from_secs(3),
                    crate::aws::iam::account_alias(&target, &keys),
                )
                .await;
                (account, found)
            });
        }
        let mut out = Vec::new();
        while let Some(Ok((account, found))) = tasks.join_next().await {
            match found {
                Ok(Ok(alias)) => out.push((account, alias.unwrap_or_default())),
                // Not allowed to read it: remember there is nothing to show, rather than ask on every sign-in.
                Ok(Err(e)) if matches!(e.root(), StsError::AccessDenied { .. }) => out.push((account, String::new())),
                _ => {}
            }
        }
        out
    }

    /// Store and export everything obtained, one write each, and prune stale sections.
    pub(super) fn persist(
        &self,
        plan: &Plan,
        user: &UserPlan,
        base: &Base,
        roles: &[&RolePlan],
        assumed: Vec<(String, Result<TempCredentials, EngineError>)>,
        aliases: Vec<(String, String)>,
    ) -> LoginReport {
        let now = self.clock.now();
        let stored = |c: &TempCredentials| StoredSession {
            access_key_id: c.keys.access_key_id.clone(),
            secret_access_key: c.keys.secret_access_key.clone(),
            session_token: c.keys.session_token.clone().unwrap_or_else(|| Secret::new("")),
            expiration: crate::aws::store::rfc3339(c.expiration),
            identity_arn: c.assumed_arn.clone(),
            mfa: base.mfa,
            obtained_at: now,
        };
        let store_result = self.store.update_all(|d| {
            if let Some(c) = &base.fresh {
                d.sessions.insert(user.name.clone(), stored(c));
            }
            for (name, r) in &assumed {
                if let Ok(c) = r {
                    d.sessions.insert(name.clone(), stored(c));
                }
            }
            d.account_aliases.extend(aliases);
        });
        let mut exports_list: Vec<(&str, Export)> = Vec::new();
        if let (Some(c), Ok(name)) = (&base.fresh, &user.managed) {
            exports_list.push((name, Export { profile: &user.name, creds: c, region: user.export_region.as_deref() }));
        }
        for (r, (_, result)) in roles.iter().zip(&assumed) {
            if let (Ok(c), Ok(name)) = (result, &r.managed) {
                exports_list.push((name, Export { profile: &r.name, creds: c, region: r.export_region.as_deref() }));
            }
        }
        let write_result = exports::write(&self.credentials_path, &exports_list)
            .and_then(|_| {
                if plan.stale_exports.is_empty() {
                    Ok(crate::aws::userfile::Outcome::Unchanged)
                } else {
                    exports::remove(&self.credentials_path, &plan.stale_exports)
                }
            })
            .map_err(EngineError::from)
            .and(store_result.map_err(EngineError::from));
        let managed = |m: &Result<String, crate::aws::exports::ExportError>| match (m, &write_result) {
            (Ok(name), Ok(_)) => Ok(name.clone()),
            (Err(e), _) => Err(EngineError::Export(e.clone())),
            (_, Err(e)) => Err(e.clone()),
        };
        let mfa = match (&base.fresh, base.reused_until) {
            (Some(c), _) => Ok(Outcome {
                expiration: c.expiration,
                identity_arn: None,
                managed: managed(&user.managed),
                reused: false,
            }),
            (None, Some(t)) => {
                Ok(Outcome { expiration: t, identity_arn: None, managed: managed(&user.managed), reused: true })
            }
            (None, None) => {
                Ok(Outcome { expiration: i64::MAX, identity_arn: None, managed: managed(&user.managed), reused: true })
            }
        };
        let roles = roles
            .iter()
            .zip(assumed)
            .map(|(r, (name, result))| {
                let outcome = result.map(|c| Outcome {
                    expiration: c.expiration,
                    identity_arn: c.assumed_arn,
                    managed: managed(&r.managed),
                    reused: false,
                });
                (name, outcome)
            })
            .collect();
        LoginReport { user: user.name.clone(), mfa: Some(mfa), roles }
    }
}

/// The user's stored MFA session, if it has more than `min_left` seconds left: the one rule for
/// "can roles be signed in without a new code".
pub fn live_mfa_session<'a>(stored: &'a Loaded, user: &str, now: i64, min_left: i64) -> Option<&'a StoredSession> {
    stored.sessions.get(user).filter(|s| s.mfa && s.expires_at().is_some_and(|t| t - now > min_left))
}

fn is_denied(r: &Result<TempCredentials, EngineError>) -> bool {
    matches!(r, Err(EngineError::Role { source, .. }) if matches!(source.root(), StsError::AccessDenied { .. }))
}

/// Long-term keys from `credential_process` (`{"Version": 1, "AccessKeyId": …}` on stdout).
async fn process_keys(user: &str, command: &str) -> Result<Keys, EngineError> {
    let fail = |detail: String| EngineError::KeysProcess { user: user.into(), detail };
    let out = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| fail(e.to_string()))?;
    if !out.status.success() {
        return Err(fail(format!("{}: {}", out.status, String::from_utf8_lossy(&out.stderr).trim())));
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct ProcessOutput {
        version: u32,
        access_key_id: String,
        secret_access_key: String,
        session_token: Option<String>,
    }
    let parsed: ProcessOutput = serde_json::from_slice(&out.stdout)
        .map_err(|e| fail(format!("its output is not credential_process JSON ({e})")))?;
    if parsed.version != 1 {
        return Err(fail(format!("Version {} is not supported (expected 1)", parsed.version)));
    }
    Ok(Keys {
        access_key_id: parsed.access_key_id,
        secret_access_key: Secret::new(parsed.secret_access_key),
        session_token: parsed.session_token.map(Secret::new),
    })
}

impl From<StsError> for EngineError {
    fn from(e: StsError) -> Self {
        Self::Sts(e)
    }
}
