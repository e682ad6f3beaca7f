//! Access-key rotation that never loses access and can be killed at any moment.
//!
//! The order: list the keys; at two, make room (never the key in use, an inactive one first,
//! only when allowed and confirmed); record `Creating` in the journal; CreateAccessKey; the
//! secret into the journal, then into the user's own section (only the two values change)
//! before any other call; verify with GetCallerIdentity (several consecutive successes with the
//! user's ARN, through IAM's eventual consistency, within a bound); deactivate the old key and
//! check that AWS refuses it; delete it (unless kept). Each step starts by reading IAM's key
//! list, the user's files and the journal again and lets `decide` pick what comes next, so a
//! run after a crash continues where the last one stopped.
//!
//! Sessions obtained with the old key (the MFA session, role sessions) stay valid until they
//! expire, as in AWS; the next GetSessionToken uses the new key, since every command rebuilds
//! its plan from the files.

mod decide;
mod listing;
mod types;
mod words;

pub use types::{Answer, Confirm, Event, OldKey, Question, Report, RotateOptions, Yes, day, key_text, last_used_text};
pub use words::{Answers, Tone, Wording, starting};

use super::access::{Access, IamError, access, failed, user_of};
use super::api::{self, KeyId, KeyMeta, LastUsed};
use super::journal::{Journal, JournalFile, Phase};
use crate::config::{AwsPaths, ConfigSet};
use crate::edit::update_profile_values;
use crate::engine::static_keys;
use crate::engine::{Engine, KeySource, Plan};
use crate::net::{AwsError, Keys};
use crate::sts;
use decide::{Next, Now, decide};
use std::path::PathBuf;
use std::time::Instant;

/// More steps than a rotation has means something keeps changing under it.
const MAX_STEPS: usize = 16;

/// The key id and secret the user's AWS files hold for `profile` (the credentials file wins).
pub fn file_keys(paths: &AwsPaths, profile: &str) -> Result<Keys, IamError> {
    let set = ConfigSet::read(paths).map_err(|e| IamError::File(e.to_string()))?;
    set.profiles.get(profile).and_then(static_keys).ok_or_else(|| {
        IamError::Refused(format!(
            "profile {profile} has no aws_access_key_id and aws_secret_access_key in your AWS files"
        ))
    })
}

struct Run<'a> {
    engine: &'a Engine,
    a: Access,
    journal: JournalFile,
    opts: &'a RotateOptions,
    progress: &'a (dyn Fn(Event) + Send + Sync),
    report: Report,
    /// The user's keys live in the vault: the new key is written there, not into a file.
    in_vault: bool,
}

/// Rotate the access key of `name`'s IAM user (a user profile, or a role or managed name
/// meaning its user), asking `confirm` before the first change and before making room.
pub async fn rotate(
    engine: &Engine,
    plan: &Plan,
    name: &str,
    opts: &RotateOptions,
    confirm: &dyn Confirm,
    progress: &(dyn Fn(Event) + Send + Sync),
) -> Result<Report, IamError> {
    let user = user_of(plan, name)?;
    if let KeySource::Process(_) = user.keys {
        return Err(IamError::KeysFromProcess { profile: user.name.clone() });
    }
    let in_vault = matches!(user.keys, KeySource::Vault);
    let state_dir = engine.store().path().parent().map(PathBuf::from).unwrap_or_default();
    // Under vault = keychain the journal (which holds secrets) is sealed like the session store.
    let sealing = engine.store().is_sealed().then(|| engine.vault().clone());
    let journal = JournalFile::open_sealed(&state_dir, &user.name, sealing)?;
    let started = journal.load()?;
    let old_keys: Vec<Keys> = started.iter().map(old_keys).collect();
    let a = access(engine, plan, &user.name, &old_keys, &None).await?;
    progress(Event::Signing { text: a.signing(), mfa: a.mfa });
    if let Some(j) = &started {
        if j.user_arn != a.arn {
            return Err(IamError::Refused(format!(
                "the rotation journal {} belongs to {}, but {} is {} now: remove the journal to start over",
                journal.path().display(),
                j.user_arn,
                user.name,
                a.arn
            )));
        }
        progress(Event::Resuming { phase: j.phase, journal: journal.path().to_path_buf() });
    }
    let report = Report {
        profile: a.profile.clone(),
        user: a.user.clone(),
        old: KeyId::new(""),
        new: KeyId::new(""),
        old_key: OldKey::Deleted,
        file: None,
        made_room: Vec::new(),
        deleted_unsaved: Vec::new(),
        old_refused: None,
        mfa: a.mfa,
    };
    let mut run = Run { engine, a, journal, opts, progress, report, in_vault };
    run.steps(confirm).await
}

/// The steps after `Create` come from a journal (`decide` only picks them when there is one).
fn need(journal: Option<Journal>) -> Result<Journal, IamError> {
    journal.ok_or_else(|| IamError::Refused("the rotation journal vanished while the rotation ran".into()))
}

fn old_keys(j: &Journal) -> Keys {
    Keys { access_key_id: j.old_key_id.clone(), secret_access_key: j.old_secret.clone(), session_token: None }
}

fn new_keys(j: &Journal) -> Option<Keys> {
    Some(Keys { access_key_id: j.new_key_id.clone()?, secret_access_key: j.new_secret.clone()?, session_token: None })
}

impl Run<'_> {
    fn tell(&self, e: Event) {
        (self.progress)(e);
    }

    fn now(&self) -> i64 {
        self.engine.clock().now()
    }

    fn what(&self, action: &str) -> String {
        format!("iam:{action} for {}", self.a.user)
    }

    /// What signs IAM calls: the MFA session; without MFA, the old key until the new one is
    /// proven (a saved new key may not work yet), then the key the files hold.
    fn signer(&self, file: &Keys, j: Option<&Journal>) -> Keys {
        match j {
            _ if self.a.mfa => self.a.keys.clone(),
            Some(j) if j.phase < Phase::Verified => old_keys(j),
            _ => file.clone(),
        }
    }

    async fn steps(&mut self, confirm: &dyn Confirm) -> Result<Report, IamError> {
        let paths = self.engine.paths().clone();
        let mut asked = false;
        let mut last_used: Vec<(KeyId, Result<LastUsed, String>)> = Vec::new();
        for _ in 0..MAX_STEPS {
            let file = self.current_keys(&paths)?;
            let journal = self.journal.load()?;
            let signer = self.signer(&file, journal.as_ref());
            let (t, user) = (self.a.target.clone(), self.a.user.clone());
            let keys = api::list_access_keys(&t, &signer, &user).await.map_err(failed(self.what("ListAccessKeys")))?;
            let next = decide(&Now {
                user: &user,
                keys: &keys,
                in_file: &file.access_key_id,
                journal: journal.as_ref(),
                keep_old: self.opts.keep_old,
            })?;
            if !asked {
                last_used = self.last_used(&signer, &keys).await;
                self.tell(Event::Keys { keys: self.infos(&keys, &file, &last_used) });
            }
            // Say what would be deleted to make room, and stop, before asking anything else.
            if let (Next::MakeRoom(victim), false) = (&next, self.opts.make_room) {
                let info = self.key_info(victim, &keys, &file, &last_used, &signer).await?;
                let (profile, key) = (self.a.profile.clone(), key_text(&info));
                return Err(IamError::NoRoom { user: user.clone(), profile, key });
            }
            if !asked {
                let key = KeyId::new(&file.access_key_id);
                let used = last_used.iter().find(|(id, _)| *id == key).map(|(_, l)| l.clone());
                let q = Question::Rotate {
                    profile: self.a.profile.clone(),
                    user: user.clone(),
                    key,
                    resume: journal.as_ref().map(|j| j.phase),
                    keep_old: self.opts.keep_old,
                    last_used: used.unwrap_or_else(|| Err("not asked".into())),
                };
                if !confirm.confirm(&q).await {
                    return Err(IamError::Declined { what: format!("rotating the key of {}", self.a.profile) });
                }
                asked = true;
            }
            match next {
                Next::MakeRoom(victim) => {
                    let key = self.key_info(&victim, &keys, &file, &last_used, &signer).await?;
                    if !confirm.confirm(&Question::MakeRoom { user: user.clone(), key: key.clone() }).await {
                        return Err(IamError::Declined { what: format!("deleting {} to make room", key.id) });
                    }
                    api::delete_access_key(&t, &signer, &user, &key.id)
                        .await
                        .map_err(failed(self.what("DeleteAccessKey")))?;
                    self.report.made_room.push(key.id.clone());
                    self.tell(Event::MadeRoom { deleted: key.id });
                }
                Next::DeleteOrphan(key) => {
                    api::delete_access_key(&t, &signer, &user, &key)
                        .await
                        .map_err(failed(self.what("DeleteAccessKey")))?;
                    self.report.deleted_unsaved.push(key.clone());
                    self.tell(Event::DeletedUnsaved { key });
                }
                Next::Create => self.create(&file, journal, &keys, &signer).await?,
                Next::Save => {
                    let j = need(journal)?;
                    self.save(j)?;
                }
                Next::Verify => self.verify(need(journal)?).await?,
                Next::Deactivate => {
                    let j = need(journal)?;
                    self.deactivate(j, &keys, &signer).await?;
                }
                Next::DeleteOld => {
                    let j = need(journal)?;
                    let old = KeyId::new(&j.old_key_id);
                    api::delete_access_key(&t, &signer, &user, &old)
                        .await
                        .map_err(failed(self.what("DeleteAccessKey")))?;
                    self.tell(Event::DeletedOld { key: old });
                    return self.finish(j, OldKey::Deleted);
                }
                Next::Finish => {
                    let j = need(journal)?;
                    let kept = keys.iter().any(|k| k.id.full() == j.old_key_id);
                    return self.finish(j, if kept { OldKey::KeptInactive } else { OldKey::Deleted });
                }
                Next::Restart => {
                    self.journal.remove()?;
                    self.tell(Event::Restarting {
                        why: "the new key of the interrupted rotation is gone; starting over".into(),
                    });
                }
            }
        }
        Err(IamError::Refused(format!(
            "the rotation of {} did not settle in {MAX_STEPS} steps (is something else changing its keys?); run it again",
            self.a.profile
        )))
    }

    /// Journal `Creating`, create, journal the secret, write it into the user's file: with no
    /// other call in between once AWS has shown the secret.
    async fn create(
        &mut self,
        file: &Keys,
        journal: Option<Journal>,
        keys: &[KeyMeta],
        signer: &Keys,
    ) -> Result<(), IamError> {
        let now = self.now();
        let mut j = match journal {
            Some(j) if j.phase == Phase::Creating => j,
            _ => Journal::new(&self.a.profile, &self.a.arn, &file.access_key_id, file.secret_access_key.clone(), now),
        };
        j.before = keys.iter().map(|k| k.id.full().to_string()).collect();
        j.phase = Phase::Creating;
        j.updated_at = now;
        self.journal.save(&j)?;
        self.tell(Event::Creating);
        let new = api::create_access_key(&self.a.target, signer, &self.a.user)
            .await
            .map_err(|e| decide::create_failed(e, &self.a.user, &self.a.profile))?;
        j.new_key_id = Some(new.id.full().to_string());
        j.new_secret = Some(new.secret);
        j.phase = Phase::Created;
        j.updated_at = self.now();
        self.journal.save(&j)?;
        self.tell(Event::Created { key: new.id });
        self.save(j)
    }

    /// The key the user's files (or the vault, where the keys live there) hold now.
    fn current_keys(&self, paths: &AwsPaths) -> Result<Keys, IamError> {
        if self.in_vault {
            return self.engine.vault().keys(&self.a.profile).map_err(|e| IamError::Refused(e.to_string()));
        }
        file_keys(paths, &self.a.profile)
    }

    /// Write a key where the old one lives: the vault, or the user's own section of the files.
    /// Returns where, as the report names it.
    fn write_keys(&self, keys: &Keys, pairs: &[(&str, &str)]) -> Result<PathBuf, IamError> {
        if self.in_vault {
            let vault = self.engine.vault();
            vault.put_keys(&self.a.profile, keys).map_err(|e| IamError::Refused(e.to_string()))?;
            return Ok(PathBuf::from(vault.backend_name()));
        }
        Ok(update_profile_values(self.engine.paths(), &self.a.profile, pairs)?)
    }

    fn save(&mut self, mut j: Journal) -> Result<(), IamError> {
        let new = new_keys(&j).ok_or_else(|| IamError::Refused("the journal has no new key to save".into()))?;
        let pairs = [
            ("aws_access_key_id", new.access_key_id.as_str()),
            ("aws_secret_access_key", new.secret_access_key.expose()),
        ];
        let file = self.write_keys(&new, &pairs)?;
        j.phase = Phase::Saved;
        j.updated_at = self.now();
        self.journal.save(&j)?;
        self.report.file = Some(file.clone());
        self.tell(Event::Saved { key: KeyId::new(&new.access_key_id), file });
        Ok(())
    }

    async fn verify(&mut self, mut j: Journal) -> Result<(), IamError> {
        let new = new_keys(&j).ok_or_else(|| IamError::Refused("the journal has no new key to verify".into()))?;
        let needed = self.opts.successes.max(1);
        let started = Instant::now();
        let (mut successes, mut attempt, mut last_error) = (0, 0, None::<AwsError>);
        loop {
            attempt += 1;
            match sts::get_caller_identity(&self.a.target, &new).await {
                Ok(id) if id.arn == j.user_arn => successes += 1,
                Ok(id) => {
                    let why = format!("the new key answers as {}, not {}", id.arn, j.user_arn);
                    return Err(self.restore(&mut j, why));
                }
                Err(e) => {
                    successes = 0;
                    last_error = Some(e);
                }
            }
            let waited_ms = started.elapsed().as_millis() as u64;
            let last = last_error.as_ref().filter(|_| successes == 0).map(|e| e.to_string());
            self.tell(Event::Verifying { attempt, successes, needed, waited_ms, last_error: last.clone() });
            if successes >= needed {
                j.phase = Phase::Verified;
                j.updated_at = self.now();
                self.journal.save(&j)?;
                self.tell(Event::Verified { key: KeyId::new(&new.access_key_id), waited_ms });
                return Ok(());
            }
            if started.elapsed() >= self.opts.propagation {
                let why = format!(
                    "AWS did not accept the new key {} {needed} times in a row within {}s (last answer: {})",
                    KeyId::new(&new.access_key_id),
                    self.opts.propagation.as_secs(),
                    last.unwrap_or_else(|| "accepted, but not often enough".into())
                );
                return Err(self.restore(&mut j, why));
            }
            tokio::time::sleep(if successes > 0 { self.opts.spacing } else { self.opts.poll }).await;
        }
    }

    /// The new key does not work: put the old one back in the file (it is still active), keep
    /// the new one in the journal for the next run, and say so.
    fn restore(&mut self, j: &mut Journal, why: String) -> IamError {
        let old = old_keys(j);
        let pairs = [
            ("aws_access_key_id", old.access_key_id.as_str()),
            ("aws_secret_access_key", old.secret_access_key.expose()),
        ];
        let restored = self.write_keys(&old, &pairs);
        j.phase = Phase::Created;
        j.updated_at = self.now();
        let journaled = self.journal.save(j);
        match (restored, journaled) {
            (Ok(file), Ok(())) => IamError::Refused(format!(
                "{why}; the old key {} is back in {} and still active: run `mfatui rotate {}` again to retry",
                KeyId::new(&old.access_key_id),
                file.display(),
                self.a.profile
            )),
            (Err(e), _) => IamError::Refused(format!("{why}; putting the old key back failed too: {e}")),
            (_, Err(e)) => IamError::Refused(format!("{why}; the old key is back in the file, but {e}")),
        }
    }

    async fn deactivate(&mut self, mut j: Journal, keys: &[KeyMeta], signer: &Keys) -> Result<(), IamError> {
        let old = KeyId::new(&j.old_key_id);
        if keys.iter().any(|k| k.id == old && k.active) {
            api::update_access_key(&self.a.target, signer, &self.a.user, &old, false)
                .await
                .map_err(failed(self.what("UpdateAccessKey")))?;
        }
        self.tell(Event::Deactivated { key: old.clone() });
        let started = Instant::now();
        let refused = loop {
            match sts::get_caller_identity(&self.a.target, &old_keys(&j)).await {
                Err(e) if e.code() == Some("InvalidClientTokenId") => break true,
                Ok(id) if id.arn != j.user_arn => break true,
                _ if started.elapsed() >= self.opts.propagation => break false,
                _ => tokio::time::sleep(self.opts.poll).await,
            }
        };
        let waited_ms = started.elapsed().as_millis() as u64;
        self.report.old_refused = Some(refused);
        self.tell(if refused {
            Event::OldRefused { key: old, waited_ms }
        } else {
            Event::OldStillAccepted { key: old, waited_ms }
        });
        j.phase = Phase::Deactivated;
        j.updated_at = self.now();
        self.journal.save(&j)
    }

    fn finish(&mut self, j: Journal, old_key: OldKey) -> Result<Report, IamError> {
        self.journal.remove()?;
        self.report.old = KeyId::new(&j.old_key_id);
        self.report.new = KeyId::new(j.new_key_id.as_deref().unwrap_or_default());
        self.report.old_key = old_key;
        Ok(self.report.clone())
    }
}
