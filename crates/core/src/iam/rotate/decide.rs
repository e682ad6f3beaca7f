//! The next step of a rotation, from what is true now: IAM's key list, the key the user's file
//! holds, and the journal. Pure, so every crash point is a unit test: a resumed run and a fresh
//! one go through the same decisions.

use super::super::access::{IamError, failed};
use super::super::api::{KeyId, KeyMeta};
use super::super::journal::{Journal, Phase};
use crate::net::AwsError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Record `Creating` in the journal, then CreateAccessKey.
    Create,
    /// The user has two keys: delete this one first (never the key in use; inactive preferred).
    MakeRoom(KeyId),
    /// A key CreateAccessKey made whose secret never reached the journal: useless, delete it.
    DeleteOrphan(KeyId),
    /// Write the new key into the user's file.
    Save,
    /// Prove the new key works.
    Verify,
    /// Deactivate the old key (if still active) and check that AWS refuses it.
    Deactivate,
    DeleteOld,
    /// Nothing left to do: remove the journal.
    Finish,
    /// The new key vanished before the file used it: forget the journal and start over.
    Restart,
}

/// CreateAccessKey failed. When its answer was lost (no answer, a timeout, a 5xx), IAM may have
/// made a key whose secret nobody saw; the journal, still `Creating`, lists the keys there were
/// before, so the next run tells that key apart and deletes it (`DeleteOrphan`) before creating.
pub(super) fn create_failed(e: AwsError, user: &str, profile: &str) -> IamError {
    let lost = e.is_transient() && !matches!(e.root(), AwsError::Throttled);
    match e.code() {
        Some("LimitExceeded") => IamError::Refused(format!(
            "IAM refused a new key for {user}: it already has two (someone added one meanwhile?); run the rotation again"
        )),
        _ if lost => IamError::Refused(format!(
            "iam:CreateAccessKey for {user} got no answer ({e}): IAM may have created a key anyway, whose secret \
             never arrived; run `mfatui rotate {profile}` again: it finds that key, deletes it and makes a new one"
        )),
        _ => failed(format!("iam:CreateAccessKey for {user}"))(e),
    }
}

pub struct Now<'a> {
    pub user: &'a str,
    pub keys: &'a [KeyMeta],
    /// The key id the user's file holds.
    pub in_file: &'a str,
    pub journal: Option<&'a Journal>,
    pub keep_old: bool,
}

impl Now<'_> {
    fn has(&self, id: &str) -> bool {
        self.keys.iter().any(|k| k.id.full() == id)
    }

    /// Create, unless the user already has the two keys IAM allows.
    fn room(&self) -> Result<Next, IamError> {
        if self.keys.len() < 2 {
            return Ok(Next::Create);
        }
        let mut others: Vec<&KeyMeta> = self.keys.iter().filter(|k| k.id.full() != self.in_file).collect();
        others.sort_by_key(|k| (k.active, k.created));
        let victim = others.first().ok_or_else(|| {
            IamError::Refused(format!("{} has two access keys and both are the key in use?", self.user))
        })?;
        Ok(Next::MakeRoom(victim.id.clone()))
    }
}

fn changed(now: &Now, j: &Journal) -> IamError {
    IamError::Refused(format!(
        "a rotation of {} was interrupted (old key {}, new key {}), but the AWS files now hold {}: check them, then remove the journal to start over",
        j.profile,
        KeyId::new(&j.old_key_id),
        j.new_key_id.as_deref().map_or("none yet".into(), |n| KeyId::new(n).to_string()),
        KeyId::new(now.in_file)
    ))
}

pub fn decide(now: &Now) -> Result<Next, IamError> {
    let Some(j) = now.journal else {
        if !now.has(now.in_file) {
            return Err(IamError::Refused(format!(
                "the key your AWS files hold ({}) is not one of {}'s access keys in IAM, so there is nothing mfatui can rotate safely",
                KeyId::new(now.in_file),
                now.user
            )));
        }
        return now.room();
    };
    let (old, new) = (j.old_key_id.as_str(), j.new_key_id.as_deref());
    if now.in_file != old && new != Some(now.in_file) {
        return Err(changed(now, j));
    }
    let Some(new) = new.filter(|_| j.phase != Phase::Creating) else {
        let made = now.keys.iter().find(|k| k.id.full() != now.in_file && !j.before.iter().any(|b| b == k.id.full()));
        return match made {
            Some(k) => Ok(Next::DeleteOrphan(k.id.clone())),
            None if now.in_file != old => Err(changed(now, j)),
            None => now.room(),
        };
    };
    if !now.has(new) {
        return if now.in_file == old {
            Ok(Next::Restart)
        } else {
            Err(IamError::Refused(format!(
                "the AWS files hold the new key {} of {}, but IAM no longer has it (deleted by someone?); the old key {} is {}: put a working key in the files (the journal holds the old one)",
                KeyId::new(new),
                now.user,
                KeyId::new(old),
                if now.has(old) { "still there" } else { "gone too" }
            )))
        };
    }
    if now.in_file == old {
        return if j.phase == Phase::Created { Ok(Next::Save) } else { Err(changed(now, j)) };
    }
    let old_key = now.keys.iter().find(|k| k.id.full() == old);
    Ok(match (j.phase, old_key) {
        // `Creating` with a new key cannot be read back (it is filtered out above).
        (Phase::Creating | Phase::Created | Phase::Saved, _) => Next::Verify,
        (Phase::Verified, Some(_)) => Next::Deactivate,
        (Phase::Deactivated, Some(_)) if !now.keep_old => Next::DeleteOld,
        (Phase::Verified | Phase::Deactivated, _) => Next::Finish,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    const OLD: &str = "AKIAOLD0000000000001";
    const NEW: &str = "AKIANEW0000000000002";
    const OTHER: &str = "AKIAOTHER00000000003";

    fn key(id: &str, active: bool, created: i64) -> KeyMeta {
        KeyMeta { id: KeyId::new(id), active, created: Some(created) }
    }

    fn journal(phase: Phase, new: Option<&str>, before: &[&str]) -> Journal {
        let mut j = Journal::new("alice", "arn:aws:iam::1:user/alice", OLD, Secret::new("old"), 0);
        j.phase = phase;
        j.new_key_id = new.map(str::to_string);
        j.new_secret = new.map(|_| Secret::new("new"));
        j.before = before.iter().map(|s| s.to_string()).collect();
        j
    }

    fn run(keys: &[KeyMeta], in_file: &str, j: Option<&Journal>, keep_old: bool) -> Result<Next, IamError> {
        decide(&Now { user: "alice", keys, in_file, journal: j, keep_old })
    }

    #[test]
    fn a_fresh_rotation_creates_or_makes_room_never_with_the_key_in_use() {
        assert_eq!(run(&[key(OLD, true, 1)], OLD, None, false).unwrap(), Next::Create);
        let two = [key(OLD, true, 1), key(OTHER, true, 2)];
        assert_eq!(run(&two, OLD, None, false).unwrap(), Next::MakeRoom(KeyId::new(OTHER)));
        // The key in use is never the one deleted, even when it is the inactive one.
        let two = [key(OTHER, true, 2), key(OLD, false, 1)];
        assert_eq!(run(&two, OLD, None, false).unwrap(), Next::MakeRoom(KeyId::new(OTHER)));
        let err = run(&[key(OTHER, true, 1)], OLD, None, false).unwrap_err().to_string();
        assert!(err.contains("****0001") && err.contains("not one of alice's access keys"), "{err}");
    }

    #[test]
    fn inactive_keys_are_deleted_first() {
        let keys = [key(OLD, true, 1), key(OTHER, false, 5)];
        assert_eq!(run(&keys, OLD, None, false).unwrap(), Next::MakeRoom(KeyId::new(OTHER)));
    }

    #[test]
    fn every_crash_point_resumes() {
        let one = [key(OLD, true, 1)];
        let both = [key(OLD, true, 1), key(NEW, true, 9)];
        // Killed before CreateAccessKey answered: nothing new, or a key whose secret is lost.
        let creating = journal(Phase::Creating, None, &[OLD]);
        assert_eq!(run(&one, OLD, Some(&creating), false).unwrap(), Next::Create);
        assert_eq!(run(&both, OLD, Some(&creating), false).unwrap(), Next::DeleteOrphan(KeyId::new(NEW)));
        // The secret is in the journal: save it, then verify (also when the save landed but the
        // journal did not hear of it).
        let created = journal(Phase::Created, Some(NEW), &[OLD]);
        assert_eq!(run(&both, OLD, Some(&created), false).unwrap(), Next::Save);
        assert_eq!(run(&both, NEW, Some(&created), false).unwrap(), Next::Verify);
        assert_eq!(run(&both, NEW, Some(&journal(Phase::Saved, Some(NEW), &[OLD])), false).unwrap(), Next::Verify);
        let verified = journal(Phase::Verified, Some(NEW), &[OLD]);
        assert_eq!(run(&both, NEW, Some(&verified), false).unwrap(), Next::Deactivate);
        let inactive = [key(OLD, false, 1), key(NEW, true, 9)];
        assert_eq!(run(&inactive, NEW, Some(&verified), false).unwrap(), Next::Deactivate);
        let deactivated = journal(Phase::Deactivated, Some(NEW), &[OLD]);
        assert_eq!(run(&inactive, NEW, Some(&deactivated), false).unwrap(), Next::DeleteOld);
        assert_eq!(run(&inactive, NEW, Some(&deactivated), true).unwrap(), Next::Finish);
        let only_new = [key(NEW, true, 9)];
        assert_eq!(run(&only_new, NEW, Some(&deactivated), false).unwrap(), Next::Finish);
        assert_eq!(run(&only_new, NEW, Some(&verified), false).unwrap(), Next::Finish);
    }

    #[test]
    fn a_journal_that_no_longer_matches_is_not_acted_on() {
        let both = [key(OLD, true, 1), key(NEW, true, 9)];
        let created = journal(Phase::Created, Some(NEW), &[OLD]);
        let err = run(&both, OTHER, Some(&created), false).unwrap_err().to_string();
        assert!(err.contains("interrupted") && err.contains("****0003"), "{err}");
        // Saved, then the file was put back to the old key by hand.
        let saved = journal(Phase::Saved, Some(NEW), &[OLD]);
        assert!(run(&both, OLD, Some(&saved), false).is_err());
        // The new key vanished: before it was used, start over; after, say so.
        assert_eq!(run(&[key(OLD, true, 1)], OLD, Some(&created), false).unwrap(), Next::Restart);
        let err = run(&[key(OLD, true, 1)], NEW, Some(&saved), false).unwrap_err().to_string();
        assert!(err.contains("no longer has it"), "{err}");
    }
}
