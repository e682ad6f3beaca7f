//! Signing users in and keeping sessions fresh: login, refresh of what is due, logout, status.
//! Every operation that changes sessions publishes once at its end.

use super::plan::{Plan, Resolved, RolePlan, UserPlan};
use super::publish::Published;
use super::signin::{LoginReport, Outcome, Progress, Sink, tell};
use super::{Engine, EngineError, Prompting};
use crate::net::AwsError;
use crate::secret::Secret;
use crate::store::{Loaded, SessionState};
use crate::sts::TempCredentials;
use std::collections::BTreeSet;

/// Which sessions `refresh` renews.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Which {
    /// Those with less than the margin left (or none yet).
    Due,
    All,
    /// These planned profiles: a user means its MFA session and all its roles, a role just it.
    Profiles(Vec<String>),
}

/// A session renewed this recently is not renewed again, even if short: protects against a
/// session that is born with less than the margin left (a clock skew, a tiny duration).
use super::rules::{Lifetime, is_ending};
/// An MFA session must have at least this much left to assume roles with.
pub(super) const MIN_BASE_LEFT: i64 = 30;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileStatus {
    pub profile: String,
    pub user: String,
    pub is_user: bool,
    /// The name other tools use, or why there is none (a collision with the user's own profile).
    pub managed: Result<String, crate::exports::ExportError>,
    pub state: SessionState,
    /// When the stored session ends (Unix seconds), if there is one.
    pub expires_at: Option<i64>,
}

/// AWS refused an AssumeRole because the session it was called with has expired.
pub(super) fn expired_base(e: &EngineError) -> bool {
    matches!(e, EngineError::Role { cause, .. } if matches!(cause.root(), AwsError::Expired))
}

fn is_expired(r: &Result<TempCredentials, EngineError>) -> bool {
    r.as_ref().is_err_and(expired_base)
}

fn is_denied(r: &Result<TempCredentials, EngineError>) -> bool {
    matches!(r, Err(EngineError::Role { cause, .. }) if matches!(cause.root(), AwsError::AccessDenied { .. }))
}

impl Engine {
    fn is_due(&self, profile: &str, now: i64, loaded: &Loaded) -> bool {
        match loaded.sessions.get(profile) {
            None => true,
            // `<=`, as `next_due` wakes the refresher at exactly `expiry - margin`: with `<`, that
            // wake found nothing due and the next run waited for the refresher's minimum gap.
            Some(s) => Lifetime::of(s).is_none_or(|l| l.is_due(now, &self.renewal())),
        }
    }

    /// Sign `user` in (unless its MFA session has more than `min_base_left`) and assume `roles`.
    /// Roles that could not be renewed keep a still-valid stored session, reported as kept.
    async fn sign_in(
        &self,
        user: &UserPlan,
        roles: Vec<&RolePlan>,
        typed: Option<&Secret>,
        min_base_left: i64,
        prompting: Prompting,
        sink: &Sink,
    ) -> LoginReport {
        let has_mfa = user.mfa_serial.is_some();
        let mut base = self.base(user, min_base_left, typed, prompting, &user.name, sink).await;
        let mut stored = self.store.load();
        // For an SSO or `aws login` source, the person's name is the roles' session name
        // (CloudTrail shows who it was): learnt before the first roles are assumed.
        if let Ok(b) = &base
            && user.external().is_some()
            && !stored.user_names.contains_key(&user.name)
            && let Some(n) = self.learn_user_name(user, &b.keys).await
        {
            let _ = self.store.update_all(|d| drop(d.user_names.insert(user.name.clone(), n)));
            stored = self.store.load();
        }
        let mut assumed = match &base {
            Ok(b) => self.fan_out(&roles, &b.keys, &stored, sink).await,
            Err(_) => Vec::new(),
        };
        // AWS says the MFA session has expired although the store thought it valid: forget it
        // and get a new one (asking, when allowed), then redo the roles that failed for it.
        if has_mfa && base.as_ref().is_ok_and(|b| !b.fresh) && assumed.iter().any(|(_, r)| is_expired(r)) {
            if let Err(e) = self.forget_mfa_session(&user.name) {
                base = Err(e);
            } else {
                base = self.base(user, min_base_left, None, prompting, &user.name, sink).await;
            }
            if let Ok(b) = &base {
                let again: Vec<&RolePlan> =
                    roles.iter().zip(&assumed).filter(|(_, (_, r))| is_expired(r)).map(|(r, _)| *r).collect();
                let redone = self.fan_out(&again, &b.keys, &self.store.load(), sink).await;
                for (name, result) in redone {
                    if let Some(slot) = assumed.iter_mut().find(|(n, _)| *n == name) {
                        slot.1 = result;
                    }
                }
            }
        }
        let base = match base {
            Ok(b) => b,
            Err(e) => return self.kept_report(user, &roles, e, &stored),
        };
        if !has_mfa && user.is_iam_user() && assumed.iter().any(|(_, r)| is_denied(r)) {
            let suggestion = self.mfa_device_of(user).await;
            for (_, r) in assumed.iter_mut().filter(|(_, r)| is_denied(r)) {
                let cause = r.as_ref().err().map(ToString::to_string).unwrap_or_default();
                *r = Err(EngineError::NoMfaSerial { user: user.name.clone(), suggestion: suggestion.clone(), cause });
            }
        }
        let aliases = self.learn_aliases((user, &base.keys), &roles, &assumed, &stored).await;
        // A user with an MFA device had its name learnt at sign-in.
        let name = match !has_mfa && !stored.user_names.contains_key(&user.name) {
            true => self.learn_user_name(user, &base.keys).await,
            false => None,
        };
        // One store write for every role of this user.
        let sessions: Vec<(String, crate::store::StoredSession)> = assumed
            .iter()
            .filter_map(|(n, r)| r.as_ref().ok().map(|c| (n.clone(), self.stored_session(c, has_mfa))))
            .collect();
        let written = self.store.update_all(|d| {
            d.sessions.extend(sessions);
            d.account_aliases.extend(aliases);
            if let Some(n) = name {
                d.user_names.insert(user.name.clone(), n);
            }
        });
        let mut report = LoginReport {
            user: user.name.clone(),
            mfa: has_mfa.then(|| {
                Ok(Outcome { expiration: base.expires.unwrap_or(i64::MAX), identity_arn: None, kept: !base.fresh })
            }),
            roles: assumed
                .into_iter()
                .map(|(name, r)| {
                    let outcome =
                        r.map(|c| Outcome { expiration: c.expiration, identity_arn: c.assumed_arn, kept: false });
                    (name, outcome)
                })
                .collect(),
            published: Default::default(),
        };
        if let Err(e) = written {
            let e = EngineError::from(e);
            for (_, r) in &mut report.roles {
                if r.is_ok() {
                    *r = Err(e.clone());
                }
            }
        }
        report
    }

    /// The report when the user could not be signed in: roles whose stored session is still
    /// valid are kept (and say so); the others failed for the user's reason.
    fn kept_report(&self, user: &UserPlan, roles: &[&RolePlan], e: EngineError, stored: &Loaded) -> LoginReport {
        let now = self.clock.now();
        let roles = roles
            .iter()
            .map(|r| {
                let outcome = match stored.sessions.get(&r.name).filter(|s| s.left(now) > 0) {
                    Some(s) => Ok(Outcome {
                        expiration: s.expires_at().unwrap_or(now),
                        identity_arn: s.identity_arn.clone(),
                        kept: true,
                    }),
                    None if e.needs_code() => Err(EngineError::NeedsCode { user: user.name.clone() }),
                    // The source's own words: which command renews it.
                    None if matches!(e, EngineError::External(_)) => Err(e.clone()),
                    None => Err(EngineError::ParentFailed { parent: user.name.clone() }),
                };
                (r.name.clone(), outcome)
            })
            .collect();
        // An SSO or `aws login` source has no MFA session: its roles' rows say what to run.
        let mfa = user.is_iam_user().then_some(Err(e));
        LoginReport { user: user.name.clone(), mfa, roles, published: Default::default() }
    }

    /// The serial to suggest for a user without `mfa_serial`: its real device if IAM tells us.
    async fn mfa_device_of(&self, user: &UserPlan) -> String {
        let fallback = format!("arn:aws:iam::{}:mfa/DEVICE-NAME", user.account.as_deref().unwrap_or("ACCOUNT-ID"));
        let Ok(keys) = self.long_term_keys(user).await else { return fallback };
        match crate::iam::list_mfa_devices(&self.target(&user.target), &keys).await {
            Ok(devices) => devices.into_iter().next().unwrap_or(fallback),
            Err(_) => fallback,
        }
    }

    /// Publish, then tell each report which name other tools use for what it obtained (or why
    /// they cannot). The reports are the one account of the operation: no progress news repeats them.
    fn finish(&self, plan: &Plan, reports: &mut [LoginReport]) -> Published {
        let published = self.publish(plan);
        for r in reports.iter_mut() {
            let obtained: Vec<String> = r
                .mfa
                .iter()
                .filter(|m| m.is_ok())
                .map(|_| r.user.clone())
                .chain(r.roles.iter().filter(|(_, o)| o.is_ok()).map(|(n, _)| n.clone()))
                .collect();
            r.published = obtained.into_iter().map(|n| (n.clone(), published.managed(&n))).collect();
        }
        published
    }

    /// Sign in a planned profile: a user with all its roles, or one role (and the parents it
    /// needs). A typed code is used only if a new MFA session is actually needed.
    pub async fn login(
        &self,
        plan: &Plan,
        profile: &str,
        typed: Option<&Secret>,
        prompting: Prompting,
        sink: &Sink,
    ) -> Result<LoginReport, EngineError> {
        let (user, roles): (&UserPlan, Vec<&RolePlan>) = match plan.resolve(profile)? {
            Resolved::User(u) => (u, plan.roles_of(&u.name).collect()),
            Resolved::Role(r) => {
                let user =
                    plan.users.get(&r.user).ok_or_else(|| EngineError::ParentFailed { parent: r.user.clone() })?;
                let (now, loaded) = (self.clock.now(), self.store.load());
                let mut chain = vec![r];
                let mut p = r;
                while let Some(parent) = plan.role(&p.parent) {
                    if loaded.sessions.get(&parent.name).is_some_and(|s| s.left(now) > super::fanout::MIN_PARENT_LEFT) {
                        break;
                    }
                    chain.push(parent);
                    p = parent;
                }
                chain.reverse();
                (user, chain)
            }
        };
        let mut reports = vec![self.sign_in(user, roles, typed, self.settings.margin_secs, prompting, sink).await];
        self.finish(plan, &mut reports);
        Ok(reports.pop().expect("one report"))
    }

    /// Renew sessions. A user whose MFA session has ended needs a code: `typed` (used only for
    /// users that need one), its code source, or the prompter when `prompting` allows; users
    /// are taken one at a time, so prompts come one after another.
    pub async fn refresh(
        &self,
        plan: &Plan,
        which: &Which,
        typed: Option<&Secret>,
        prompting: Prompting,
        sink: &Sink,
    ) -> Vec<LoginReport> {
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
            let user_named = match which {
                Which::Profiles(n) => n.contains(&user.name),
                Which::All => user.mfa_serial.is_some(),
                Which::Due => false,
            };
            if roles.is_empty() && !user_named {
                continue;
            }
            let min_left = if user_named { self.settings.margin_secs } else { MIN_BASE_LEFT };
            let report = self.sign_in(user, roles, typed, min_left, prompting, sink).await;
            // Users are taken one at a time (their prompts come in turn): say what is ready now,
            // not after the last user has answered.
            let ready = report.mfa.iter().map(|m| (&report.user, m)).chain(report.roles.iter().map(|(n, r)| (n, r)));
            for (profile, r) in ready {
                if let Some(o) = r.as_ref().ok().filter(|o| !o.kept && o.expiration != i64::MAX) {
                    tell(sink, Progress::Ready { profile: profile.clone(), expiration: o.expiration });
                }
            }
            reports.push(report);
        }
        self.finish(plan, &mut reports);
        reports
    }

    /// When the next session becomes due, to sleep until then.
    pub fn next_due(&self, plan: &Plan) -> Option<i64> {
        let loaded = self.store.load();
        plan.roles
            .iter()
            .filter_map(|r| loaded.sessions.get(&r.name))
            .filter_map(|s| Some(Lifetime::of(s)?.due_at(&self.renewal())))
            .min()
    }

    /// The users a `login` without a profile signs in, in name order: each with something to
    /// sign in (`Plan::signable`) whose MFA session has ended (or ends within the margin, so
    /// `login` would not keep it), or with a role whose session is due. Fresh users are left out.
    pub fn needing_login<'p>(&self, plan: &'p Plan) -> Vec<&'p str> {
        let (now, loaded) = (self.clock.now(), self.store.load());
        plan.users
            .values()
            .filter(|u| plan.signable(&u.name).is_ok())
            .filter(|u| {
                let gone = u.mfa_serial.is_some()
                    && super::live_mfa_session(&loaded, &u.name, now, self.settings.margin_secs).is_none();
                gone || plan.roles_of(&u.name).any(|r| self.is_due(&r.name, now, &loaded))
            })
            .map(|u| u.name.as_str())
            .collect()
    }

    /// Users whose MFA session ends within the warning window: `(user, seconds left)`.
    pub fn mfa_ending(&self, plan: &Plan) -> Vec<(String, i64)> {
        let (now, loaded) = (self.clock.now(), self.store.load());
        plan.users
            .values()
            .filter(|u| u.mfa_serial.is_some())
            .filter_map(|u| {
                let left = loaded.sessions.get(&u.name)?.left(now);
                is_ending(left, self.settings.mfa_warn_secs).then(|| (u.name.clone(), left))
            })
            .collect()
    }

    /// Forget sessions and remove their secrets from the AWS files: one profile, a user and
    /// all its roles, or (None) everything. Returns the profiles whose sessions were forgotten.
    /// In `process` mode the config profiles stay (they hold no secret and sign in on use).
    pub fn logout(&self, plan: &Plan, which: Option<Resolved>) -> Result<Vec<String>, EngineError> {
        let loaded = self.store.load();
        let names: BTreeSet<String> = match which {
            None => loaded.sessions.keys().cloned().collect(),
            Some(Resolved::User(u)) => {
                std::iter::once(u.name.clone()).chain(plan.roles_of(&u.name).map(|r| r.name.clone())).collect()
            }
            Some(Resolved::Role(r)) => BTreeSet::from([r.name.clone()]),
        };
        let present: Vec<String> = names.iter().filter(|n| loaded.sessions.contains_key(*n)).cloned().collect();
        if !present.is_empty() {
            self.store.update(|s| present.iter().for_each(|n| drop(s.remove(n))))?;
        }
        let sections: BTreeSet<String> = names.iter().filter_map(|n| plan.managed_of(n).map(str::to_string)).collect();
        let sections =
            if which.is_none() { sections.union(&plan.managed_present).cloned().collect() } else { sections };
        crate::exports::apply(&self.paths.credentials, crate::exports::ExportMode::Credentials, &[], &sections)?;
        self.sync_aws_cli_cache(plan);
        Ok(present)
    }

    /// Every profile mfatui signs in (MFA users and roles) with its session state.
    pub fn status(&self, plan: &Plan) -> Vec<ProfileStatus> {
        let (now, loaded) = (self.clock.now(), self.store.load());
        let state = |name: &str| loaded.sessions.get(name).map_or(SessionState::None, |s| s.state_at(now));
        let expires_at = |name: &str| loaded.sessions.get(name).and_then(|s| s.expires_at());
        plan.exported()
            .map(|e| ProfileStatus {
                profile: e.name.to_string(),
                user: e.user.to_string(),
                is_user: e.is_user,
                managed: e.managed.clone(),
                state: state(e.name),
                expires_at: expires_at(e.name),
            })
            .collect()
    }
}

/// What a logout did, in the words every view uses: `subject` is what was asked for (a profile,
/// or "mfatui" for everything).
pub fn logout_words(subject: &str, removed: &[String]) -> String {
    match removed {
        [] => format!("{subject}: no session to end"),
        [one] => format!("{subject}: ended the session of {one}; its credentials are gone from your AWS files"),
        many => format!(
            "{subject}: ended {} sessions ({}); their credentials are gone from your AWS files",
            many.len(),
            many.join(", ")
        ),
    }
}
