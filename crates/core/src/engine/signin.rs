//! Signing a user in: the MFA session. Reused while it lasts; otherwise a code from the typed
//! one, the user's code source, or the prompter (in that order), sent while it is still inside
//! its TOTP window; one sign-in per user at a time across processes.

use super::plan::{KeySource, UserPlan};
use super::retry::with_retry;
use super::{Engine, EngineError, Prompting};
use crate::clock::rfc3339;
use crate::mfa::{self, MfaSource};
use crate::net::AwsError;
use crate::prompt::{PromptAnswer, PromptError, PromptRequest, SignInLock};
use crate::secret::Secret;
use crate::store::{Loaded, StoredSession, UsedCode};
use crate::sts::{self, Keys, TempCredentials};
use crate::totp::{seconds_left, step_of};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedSender;

/// What happened to one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub expiration: i64,
    pub identity_arn: Option<String>,
    /// An existing session was still good and was kept, not renewed.
    pub kept: bool,
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
    /// `user` has a new MFA session (stored): whoever waits for it can go on.
    SignedIn {
        user: String,
    },
    /// A session is stored and valid until `expiration` (published at the end of the operation).
    Ready {
        profile: String,
        expiration: i64,
    },
}

pub type Sink = Option<UnboundedSender<Progress>>;

pub(super) fn tell(sink: &Sink, p: Progress) {
    if let Some(s) = sink {
        let _ = s.send(p);
    }
}

#[derive(Debug, Clone)]
pub struct LoginReport {
    pub user: String,
    /// `None` for a user without an MFA device: its roles are assumed with its own keys.
    pub mfa: Option<Result<Outcome, EngineError>>,
    pub roles: Vec<(String, Result<Outcome, EngineError>)>,
    /// What publishing made of each profile obtained: the `--profile` name other tools use, or
    /// why they cannot use it. Filled once the operation publishes (`Engine::finish`).
    pub published: BTreeMap<String, Result<String, EngineError>>,
}

impl LoginReport {
    /// The name other tools use for `profile`, or why they cannot; `None` before publishing.
    pub fn managed(&self, profile: &str) -> Option<&Result<String, EngineError>> {
        self.published.get(profile)
    }

    /// Obtained, and usable by other tools.
    pub fn usable(&self, profile: &str) -> bool {
        self.managed(profile).is_some_and(Result::is_ok)
    }
}

/// Credentials roles are assumed from.
#[derive(Clone)]
pub(super) struct Base {
    pub keys: Keys,
    /// Obtained just now (not taken from the store).
    pub fresh: bool,
    /// When the MFA session ends (`None` for long-term keys).
    pub expires: Option<i64>,
}

/// How long a process waits for another one that is signing the same user in (which may be
/// waiting for a person to type a code).
const SIGNIN_WAIT: Duration = Duration::from_secs(300);
/// A person gets this many tries at typing a code before the engine gives up.
const PROMPT_ATTEMPTS: usize = 5;
/// Fewer seconds left than this on fresh credentials is not plausible: the clocks disagree.
const PLAUSIBLE_MIN_SECS: i64 = 120;

/// The user's stored MFA session, if it has more than `min_left` seconds left: the one rule for
/// "can roles be signed in without a new code".
pub fn live_mfa_session<'a>(stored: &'a Loaded, user: &str, now: i64, min_left: i64) -> Option<&'a StoredSession> {
    stored.sessions.get(user).filter(|s| s.mfa && s.left(now) > min_left)
}

/// Refuse credentials that are already expired or about to be: with a clock 2 h off, STS hands
/// out sessions that are dead on arrival, and storing them would replace good ones.
pub(super) fn plausible(profile: &str, c: &TempCredentials, requested: i64, now: i64) -> Result<(), EngineError> {
    let left = c.expiration - now;
    if left >= PLAUSIBLE_MIN_SECS.min(requested / 2) {
        return Ok(());
    }
    // STS counts the duration from its own clock: expiration − duration is its "now".
    let skew = (c.expiration - requested) - now;
    Err(EngineError::Implausible {
        profile: profile.into(),
        left_secs: left,
        skew_secs: (skew.abs() > crate::net::SKEW_WORTH_MENTIONING).then_some(skew),
    })
}

impl Engine {
    pub(super) fn stored_session(&self, c: &TempCredentials, mfa: bool) -> StoredSession {
        StoredSession {
            access_key_id: c.keys.access_key_id.clone(),
            secret_access_key: c.keys.secret_access_key.clone(),
            session_token: c.keys.session_token.clone().unwrap_or_else(|| Secret::new("")),
            expiration: rfc3339(c.expiration),
            identity_arn: c.assumed_arn.clone(),
            mfa,
            obtained_at: self.clock.now(),
        }
    }

    /// The credentials to assume `user`'s roles from: a stored MFA session with more than
    /// `min_left` seconds, else a new one, else the long-term keys of a user without MFA.
    /// `typed` is used only when a new session is actually needed.
    pub(super) async fn base(
        &self,
        user: &UserPlan,
        min_left: i64,
        typed: Option<&Secret>,
        prompting: Prompting,
        asking_for: &str,
        sink: &Sink,
    ) -> Result<Base, EngineError> {
        let Some(serial) = &user.mfa_serial else {
            let keys = self.long_term_keys(user).await?;
            return Ok(Base { keys, fresh: false, expires: None });
        };
        let kept = |s: &StoredSession| Base { keys: s.keys(), fresh: false, expires: s.expires_at() };
        if let Some(s) = live_mfa_session(&self.store.load(), &user.name, self.clock.now(), min_left) {
            return Ok(kept(s));
        }
        let arrived = Instant::now();
        let mut flight = self.flight(&format!("signin:{}", user.name)).await;
        let mut lock = SignInLock::acquire(&self.lock_dir, &user.name, SIGNIN_WAIT).await?;
        // Another process (or task) may have signed the user in while this one waited.
        if let Some(s) = live_mfa_session(&self.store.load(), &user.name, self.clock.now(), min_left) {
            return Ok(kept(s));
        }
        if let Some(code) = typed {
            return self.sign_in_with(user, serial, &MfaSource::Typed(code.clone()), sink).await;
        }
        match &user.source {
            Ok(Some(source)) => return self.sign_in_with(user, serial, source, sink).await,
            Err(e) => return Err(EngineError::Mfa(e.clone())),
            Ok(None) => {}
        }
        if prompting == Prompting::Never {
            return Err(EngineError::NeedsCode { user: user.name.clone() });
        }
        // The person said no while this task waited its turn (the IAM screen reads a user's keys
        // and audits it at once): one Esc answers both.
        if let Some((at, e)) = flight.as_ref()
            && *at >= arrived
        {
            return Err(EngineError::Prompt(e.clone()));
        }
        let mut req = PromptRequest {
            user: user.name.clone(),
            serial: serial.clone(),
            profile: asking_for.to_string(),
            retry_reason: None,
        };
        let mut last = None;
        for _ in 0..PROMPT_ATTEMPTS {
            if !lock.is_held() {
                lock = SignInLock::acquire(&self.lock_dir, &user.name, SIGNIN_WAIT).await?;
            }
            let answer = match self.prompter.ask(&req, &mut lock).await {
                Ok(a) => a,
                Err(e) => {
                    if matches!(e, PromptError::Refused { .. }) {
                        *flight = Some((Instant::now(), e.clone()));
                    }
                    return Err(EngineError::Prompt(e));
                }
            };
            match answer {
                PromptAnswer::SignedIn => {
                    let stored = self.store.load();
                    return live_mfa_session(&stored, &user.name, self.clock.now(), 0)
                        .map(kept)
                        .ok_or_else(|| EngineError::NeedsCode { user: user.name.clone() });
                }
                PromptAnswer::Code(code) => {
                    match self.sign_in_with(user, serial, &MfaSource::Typed(code), sink).await {
                        Err(e) if retryable_by_person(&e) => {
                            req.retry_reason = Some(e.to_string());
                            last = Some(e);
                        }
                        other => {
                            self.prompter.ended(&user.name, other.as_ref().map(|_| ()).map_err(ToString::to_string));
                            return other;
                        }
                    }
                }
            }
        }
        Err(last.unwrap_or(EngineError::NeedsCode { user: user.name.clone() }))
    }

    /// GetSessionToken with a code from `source`; the session is stored before returning.
    async fn sign_in_with(
        &self,
        user: &UserPlan,
        serial: &str,
        source: &MfaSource,
        sink: &Sink,
    ) -> Result<Base, EngineError> {
        // The keys first: a vault that is out of reach (or lost the item) fails before a code
        // is spent or waited for.
        let keys = self.long_term_keys(user).await?;
        let from_vault;
        let source = match source {
            MfaSource::VaultSeed => {
                let (vault, name) = (self.vault.clone(), user.name.clone());
                let seed = tokio::task::spawn_blocking(move || vault.seed(&name))
                    .await
                    .map_err(|e| EngineError::File(format!("the keychain lookup stopped: {e}")))??;
                from_vault = MfaSource::Seed(seed);
                &from_vault
            }
            other => other,
        };
        let stored = self.store.load();
        let waiting = |secs| tell(sink, Progress::WaitingForCode { user: user.name.clone(), secs });
        let code =
            mfa::obtain(source, &user.name, stored.used_codes.get(serial), &*self.clock, self.interactive, waiting)
                .await?;
        // Remember the code before sending it: even a request that fails on the way may have
        // reached AWS, and a second use would be refused.
        let now = self.clock.now().max(0);
        let used = UsedCode { code: code.clone(), step: step_of(now as u64) };
        self.store.update_all(|d| d.used_codes.insert(serial.to_string(), used))?;
        let target = self.target(&user.target);
        let secs = user.session_secs.clamp(900, 129_600);
        tell(sink, Progress::Started { profile: user.name.clone() });
        // AWS accepts a code until the end of the next 30 s step: never send it later than that.
        let window = Duration::from_secs(seconds_left(now as u64) + 30).saturating_sub(Duration::from_secs(2));
        let budget = window.min(self.settings.deadlines.call);
        let started = Instant::now();
        let mut attempts = 0;
        let url = target.sts_url();
        let result = with_retry(
            self.settings.retry,
            budget,
            ("STS", &url),
            || {
                attempts += 1;
                sts::get_session_token(&target, &keys, Some((serial, &code)), Some(secs))
            },
            |attempt, e| tell(sink, Progress::Retrying { profile: user.name.clone(), attempt, reason: e.to_string() }),
        )
        .await;
        let creds = match result {
            Ok(c) => c,
            Err(e) if e.is_transient() && budget == window => {
                return Err(EngineError::CodeWindow {
                    user: user.name.clone(),
                    attempts,
                    waited: started.elapsed().as_secs(),
                });
            }
            Err(e) => return Err(scrub_code(e, &code)),
        };
        plausible(&user.name, &creds, i64::from(secs), self.clock.now())?;
        let name = match stored.user_names.contains_key(&user.name) {
            true => None,
            false => self.learn_user_name(user, &creds.keys).await,
        };
        let session = self.stored_session(&creds, true);
        self.store.update_all(|d| {
            d.sessions.insert(user.name.clone(), session);
            if let Some(n) = name {
                d.user_names.insert(user.name.clone(), n);
            }
        })?;
        tell(sink, Progress::SignedIn { user: user.name.clone() });
        Ok(Base { keys: creds.keys.clone(), fresh: true, expires: Some(creds.expiration) })
    }

    /// The IAM user's own name, what CloudTrail should show as the role session name; asked
    /// once (GetCallerIdentity cannot be denied; callers skip it when the store knows the name).
    pub(super) async fn learn_user_name(&self, user: &UserPlan, keys: &Keys) -> Option<String> {
        let id = sts::get_caller_identity(&self.target(&user.target), keys).await.ok()?;
        // An IAM user's name; for SSO credentials (`assumed-role/AWSReservedSSO_…/maria@example.com`)
        // the session's, which is the person's sign-in name.
        let name = match id.arn.rsplit_once(":user/") {
            Some((_, n)) => n.rsplit('/').next().unwrap_or(n),
            None => id.arn.split_once(":assumed-role/")?.1.rsplit('/').next()?,
        };
        Some(name.to_string())
    }

    /// A user's long-term keys: from the files, or by running its `credential_process`; for an
    /// SSO or `aws login` source, the credentials the AWS CLI's cache gives (never refreshed).
    pub async fn long_term_keys(&self, user: &UserPlan) -> Result<Keys, EngineError> {
        match &user.keys {
            KeySource::Static(k) => Ok(k.clone()),
            KeySource::Process(cmd) => process_keys(&user.name, cmd).await,
            KeySource::External(source) => {
                let portal = self.endpoint.as_deref();
                Ok(source.credentials(self.clock.now(), self.settings.deadlines, portal).await?.keys)
            }
            KeySource::Vault => {
                let (vault, name) = (self.vault.clone(), user.name.clone());
                let found = tokio::task::spawn_blocking(move || vault.keys(&name)).await;
                Ok(found.map_err(|e| EngineError::File(format!("the keychain lookup stopped: {e}")))??)
            }
        }
    }

    /// Forget a user's MFA session that AWS says has expired although the store thought it
    /// valid (a clock jump, a revoked session), so the next step asks for a code.
    pub(super) fn forget_mfa_session(&self, user: &str) -> Result<(), EngineError> {
        self.store.update(|s| {
            if s.get(user).is_some_and(|x| x.mfa) {
                s.remove(user);
            }
        })?;
        Ok(())
    }
}

/// A person can fix these by typing again: a wrong, reused or expired code.
fn retryable_by_person(e: &EngineError) -> bool {
    matches!(e, EngineError::Aws(a) if matches!(a.root(), AwsError::CodeRejected))
        || matches!(e, EngineError::Mfa(crate::mfa::MfaError::AlreadyUsed { .. } | crate::mfa::MfaError::NotSixDigits))
        || matches!(e, EngineError::CodeWindow { .. })
}

/// AWS echoes a malformed code in its validation message; wrong codes are not kept anywhere.
fn scrub_code(e: AwsError, code: &str) -> EngineError {
    match e {
        AwsError::Service { code: c, message, status } if message.contains(code) => {
            EngineError::Aws(AwsError::Service { code: c, message: message.replace(code, "******"), status })
        }
        other => EngineError::Aws(other),
    }
}

/// Long-term keys from `credential_process` (`{"Version": 1, "AccessKeyId": …}` on stdout).
async fn process_keys(user: &str, command: &str) -> Result<Keys, EngineError> {
    let spec = crate::child::Spec {
        setting: "credential_process",
        profile: user,
        command,
        timeout: Duration::from_secs(60),
        show_stderr: false,
    };
    let out = crate::child::run(&spec)
        .await
        .map_err(|e| EngineError::KeysProcess { user: user.into(), detail: e.to_string() })?;
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct ProcessOutput {
        version: u32,
        access_key_id: String,
        secret_access_key: String,
        session_token: Option<String>,
    }
    let fail = |detail: String| EngineError::KeysProcess { user: user.into(), detail };
    // serde's messages can quote the input, which holds the secret key: name the problem only.
    let parsed: ProcessOutput = serde_json::from_slice(&out).map_err(|e| {
        fail(format!("its output is not credential_process JSON (line {}, column {})", e.line(), e.column()))
    })?;
    if parsed.version != 1 {
        return Err(fail(format!("Version {} is not supported (expected 1)", parsed.version)));
    }
    Ok(Keys {
        access_key_id: parsed.access_key_id,
        secret_access_key: Secret::new(parsed.secret_access_key),
        session_token: parsed.session_token.map(Secret::new),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(expiration: i64) -> TempCredentials {
        TempCredentials {
            keys: Keys { access_key_id: "ASIA".into(), secret_access_key: Secret::new("s"), session_token: None },
            expiration,
            assumed_arn: None,
        }
    }

    #[test]
    fn dead_on_arrival_credentials_are_refused_with_the_skew() {
        let now = 1_800_000_000;
        assert!(plausible("p", &creds(now + 3600), 3600, now).is_ok());
        // STS's clock is 2 h behind ours, so ours is 2 h ahead: a 1 h session expired an hour ago.
        let e = plausible("p", &creds(now - 3600), 3600, now).unwrap_err();
        assert_eq!(e, EngineError::Implausible { profile: "p".into(), left_secs: -3600, skew_secs: Some(-7200) });
        let text = e.to_string();
        assert!(text.contains("expired 1h 00m ago") && text.contains("about 2h 00m ahead of AWS's"), "{text}");
        // A 1 h session with 10 s left: STS's clock is 59m 50s behind ours.
        let e = plausible("p", &creds(now + 10), 3600, now).unwrap_err();
        assert!(e.to_string().contains("about 59m 50s ahead of"), "{e}");
        assert!(text.contains("previous session was kept"), "{text}");
        assert!(plausible("p", &creds(now + 30), 3600, now).is_err(), "30 s left on a new 1 h session");
    }

    #[test]
    fn malformed_codes_are_not_echoed() {
        let e = AwsError::Service {
            code: "ValidationError".into(),
            message: "Value '12345x' at 'tokenCode' failed".into(),
            status: Some(400),
        };
        assert!(!scrub_code(e, "12345x").to_string().contains("12345x"));
    }
}
