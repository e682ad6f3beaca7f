//! Deactivating or deleting one access key that is not the one the user's files hold: the
//! dashboard's `d` and `x`. The key in use is refused here, against the files as they are at the
//! call, whatever the caller checked before: losing it would lock the user out, and rotation is
//! the way to replace it.

use super::access::{IamError, access, failed, user_of};
use super::api::{self, KeyId};
use super::keys::KeyInfo;
use super::rotate::{Wording, day, file_keys, last_used_text};
use crate::engine::{Engine, Plan, Sink};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOp {
    Deactivate,
    Delete,
}

impl KeyOp {
    pub fn verb(self) -> &'static str {
        match self {
            KeyOp::Deactivate => "deactivate",
            KeyOp::Delete => "delete",
        }
    }

    /// What is under way: `deactivating ****0002`.
    pub fn doing(self, key: &KeyId) -> String {
        match self {
            KeyOp::Deactivate => format!("deactivating {key}"),
            KeyOp::Delete => format!("deleting {key}"),
        }
    }

    pub fn past(self) -> &'static str {
        match self {
            KeyOp::Deactivate => "deactivated",
            KeyOp::Delete => "deleted",
        }
    }

    /// What happened: `deleted ****0002 of alice`.
    pub fn done(self, key: &KeyId, user: &str) -> String {
        format!("{} {key} of {user}", self.past())
    }

    /// Why the key the user's files hold is refused, and what to do instead: the same words for
    /// the dashboard's popup and for `change_key`'s own check.
    pub fn refusal(self, user: &str, key: &KeyId, last_use: &str) -> Wording {
        Wording {
            title: format!("{key} is not {}", self.past()),
            ask: format!("{key} is the key your AWS files hold for {user} ({last_use})."),
            detail: vec![format!(
                "Without it mfatui and your tools could not sign in as {user}. Rotate it instead (r): a new key is created, saved in your files and checked with AWS, and only then is {key} deactivated and deleted."
            )],
        }
    }

    /// What each answer does: `deactivate` or `leave it`, `delete` or `keep it`.
    pub fn answers(self) -> crate::iam::rotate::Answers {
        match self {
            KeyOp::Deactivate => crate::iam::rotate::Answers { yes: "deactivate", no: "leave it" },
            KeyOp::Delete => crate::iam::rotate::Answers { yes: "delete", no: "keep it" },
        }
    }

    /// The question before the change, naming the key, its last use and what a yes does.
    pub fn question(self, user: &str, key: &KeyInfo) -> Wording {
        let status = if key.active { "active" } else { "inactive" };
        let what = format!(
            "It is {status}, created {}, {}; it is not the key in your AWS files.",
            day(key.created),
            last_used_text(&key.last_used)
        );
        let (title, ask, effect) = match self {
            KeyOp::Deactivate => (
                format!("Deactivate {}?", key.id),
                format!("Deactivate the access key {} of {user}?", key.id),
                "Programs that use it are refused until it is made active again (in the IAM console).",
            ),
            KeyOp::Delete => (
                format!("Delete {}?", key.id),
                format!("Delete the access key {} of {user} for good?", key.id),
                if key.active {
                    "Deleting cannot be undone and programs that use it stop working: d deactivates it instead, which can be undone."
                } else {
                    "Deleting cannot be undone."
                },
            ),
        };
        Wording { title, ask, detail: vec![what, effect.to_string()] }
    }
}

/// Deactivate or delete `key` of `name`'s IAM user, unless it is the key the user's files hold.
pub async fn change_key(
    engine: &Engine,
    plan: &Plan,
    name: &str,
    key: &KeyId,
    op: KeyOp,
    sink: &Sink,
) -> Result<(), IamError> {
    let u = user_of(plan, name)?;
    if file_keys(engine.paths(), &u.name).is_ok_and(|k| k.access_key_id == key.full()) {
        let w = op.refusal(name, key, "in use");
        return Err(IamError::Refused(format!("{} {}", w.ask, w.detail.join(" "))));
    }
    let a = access(engine, plan, name, &[], sink).await?;
    let r = match op {
        KeyOp::Deactivate => api::update_access_key(&a.target, &a.keys, &a.user, key, false).await,
        KeyOp::Delete => api::delete_access_key(&a.target, &a.keys, &a.user, key).await,
    };
    let action = if op == KeyOp::Delete { "DeleteAccessKey" } else { "UpdateAccessKey" };
    r.map_err(failed(format!("iam:{action} for {}", a.user)))
}
