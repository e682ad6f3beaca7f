//! The IAM screen's data: per IAM user, its overview, audit and fix plan as last loaded (kept
//! while a reload runs), a rotation's live progress, the cursor, and the confirmation popups.
//! Plain data: workers fill it through actions; `ui::iam` draws it; nothing here calls AWS.

use super::{AppState, Level};
use crate::aws::iam::api::KeyId;
use crate::aws::iam::audit::{Audit, FixPlan};
use crate::aws::iam::enforcement::{FindingSeverity, Fix, Verdict};
use crate::aws::iam::key_ops::KeyOp;
use crate::aws::iam::keys::{KeyInfo, Overview};
use crate::aws::iam::rotate::Question;
use std::collections::BTreeMap;

/// Which screen is shown (`Tab` switches).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Screen {
    #[default]
    Profiles,
    Iam,
}

/// Something loaded in the background: the last data stays shown while it loads again.
#[derive(Debug, Clone, PartialEq)]
pub struct Load<T> {
    pub data: Option<T>,
    pub loading: bool,
    /// The last attempt's error, in full.
    pub error: Option<String>,
}

impl<T> Default for Load<T> {
    fn default() -> Self {
        Self { data: None, loading: false, error: None }
    }
}

impl<T> Load<T> {
    /// Never asked for.
    pub fn untouched(&self) -> bool {
        self.data.is_none() && !self.loading && self.error.is_none()
    }

    pub fn done(&mut self, result: Result<T, String>) {
        self.loading = false;
        match result {
            Ok(d) => {
                self.data = Some(d);
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }
}

/// One line of a rotation's progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub level: Level,
    pub text: String,
    /// A check that repeats (`Verifying`): the next one replaces it.
    pub repeats: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rotation {
    pub steps: Vec<Step>,
    /// The keys as the rotation last listed them (the question names the key's last use).
    pub keys: Vec<KeyInfo>,
    pub running: bool,
    /// The person said yes to rotating: until then nothing has changed, and the screen says so.
    pub confirmed: bool,
}

/// One IAM user's part of the IAM screen (not a section of the AWS files: that is `config::Section`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserSection {
    pub overview: Load<Overview>,
    pub audit: Load<Box<Audit>>,
    /// What applying the audit's fix takes and whether the caller may (`plan_fix`), checked
    /// after an audit that found MFA not enforced.
    pub fix: Load<FixPlan>,
    pub rotation: Option<Rotation>,
    /// A key being deactivated or deleted, or the fix being applied, in a few words.
    pub busy: Option<String>,
}

impl UserSection {
    pub fn keys(&self) -> &[KeyInfo] {
        self.overview.data.as_ref().and_then(|o| o.keys.as_ref().ok()).map_or(&[], Vec::as_slice)
    }

    /// The audit's findings worth a line: warnings and problems.
    pub fn findings(&self) -> Vec<&crate::aws::iam::enforcement::Finding> {
        self.audit.data.as_ref().map_or(Vec::new(), |a| {
            a.static_.assessment.findings.iter().filter(|f| f.severity > FindingSeverity::Info).collect()
        })
    }

    pub fn verdict(&self) -> Option<Verdict> {
        self.audit.data.as_ref().map(|a| a.verdict)
    }
}

/// A place the cursor can be on in a user's section, top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// The user's line, with its devices, groups, policies and boundary.
    User,
    Problem(usize),
    Key(KeyId),
    Rotation,
    Verdict,
    Finding(usize),
    /// The live probe and the policy simulator.
    Evidence,
    Fix,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub user: String,
    pub part: Part,
}

/// What a popup asks: a yes or no (or only a key, when it explains a refusal). The domain's
/// `rotate::Confirm` is the trait a rotation asks its questions through; this is the screen's.
#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    /// A rotation's question; `id` names the worker waiting for the answer.
    Question {
        id: u64,
        user: String,
        question: Question,
    },
    Key {
        user: String,
        op: KeyOp,
        key: KeyInfo,
    },
    /// The audit's fix: its Deny statement and its boundary, and the plan when the caller may apply
    /// it (else why not).
    Fix {
        user: String,
        fix: Fix,
        plan: Result<FixPlan, String>,
    },
    Refused {
        title: String,
        text: String,
    },
    /// `mfatui init` from a user row without mfa_serial: the one usable device found, to write.
    WriteSerial {
        profile: String,
        serial: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Popup {
    pub dialog: Dialog,
    /// First line of the JSON shown (the fix's document can be taller than the terminal).
    pub scroll: u16,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct IamState {
    pub sections: BTreeMap<String, UserSection>,
    /// The IAM table's selected row (index into `AppState::iam_users`).
    pub selected: usize,
    /// Where the cursor is in the described user's parts (Enter on the table).
    pub cursor: Option<Item>,
    /// Keys older than this are flagged (`key_max_age_days`).
    pub max_age_days: i64,
    /// How long a rotation waits for IAM to accept the new key (`key_propagation_secs`).
    pub propagation_secs: u64,
}

impl AppState {
    /// The IAM users, in the order of the profile table's user rows.
    pub fn iam_users(&self) -> Vec<String> {
        self.profiles.rows.iter().filter(|r| r.is_user).map(|r| r.profile.clone()).collect()
    }

    /// Whether reading `user`'s IAM data would ask for its MFA code now.
    pub fn needs_code(&self, user: &str) -> bool {
        self.sessions.mfa_serials.contains_key(user) && !self.sessions.signed_in(user, self.now)
    }

    /// The user of the IAM table's selected row.
    pub fn iam_selected(&self) -> Option<String> {
        let users = self.iam_users();
        users.get(self.iam.selected.min(users.len().saturating_sub(1))).cloned()
    }

    /// The user described (its panel open), if any.
    pub fn described(&self) -> Option<&str> {
        match self.overlays.panel() {
            Some(super::Panel::Describe { user }) => Some(user),
            _ => None,
        }
    }

    /// The user IAM keys act on: the one described, else the table's selected row.
    pub fn iam_user(&self) -> Option<String> {
        self.described().map(str::to_string).or_else(|| self.iam_selected())
    }

    pub fn section(&self, user: &str) -> Option<&UserSection> {
        self.iam.sections.get(user)
    }

    pub fn section_mut(&mut self, user: &str) -> &mut UserSection {
        self.iam.sections.entry(user.to_string()).or_default()
    }

    /// Everything the cursor can stop on in `user`'s description, top to bottom.
    pub fn iam_items(&self, user: &str) -> Vec<Item> {
        let mut out = Vec::new();
        let empty = UserSection::default();
        let s = self.section(user).unwrap_or(&empty);
        let mut push = |part| out.push(Item { user: user.to_string(), part });
        push(Part::User);
        let problems = s.overview.data.as_ref().map_or(0, |o| o.problems.len());
        (0..problems).for_each(|i| push(Part::Problem(i)));
        s.keys().iter().for_each(|k| push(Part::Key(k.id.clone())));
        if s.rotation.is_some() {
            push(Part::Rotation);
        }
        push(Part::Verdict);
        (0..s.findings().len()).for_each(|i| push(Part::Finding(i)));
        if let Some(a) = &s.audit.data {
            push(Part::Evidence);
            if a.fix.is_some() {
                push(Part::Fix);
            }
        }
        out
    }

    /// The item under the cursor in the described user's parts: the one remembered while it
    /// still exists, else the first.
    pub fn iam_cursor(&self) -> Option<Item> {
        let user = self.described()?;
        self.iam_cursor_in(&self.iam_items(user))
    }

    /// `iam_cursor` among `items` (what `iam_items` returned), for callers that have them.
    pub fn iam_cursor_in(&self, items: &[Item]) -> Option<Item> {
        match &self.iam.cursor {
            Some(c) if items.contains(c) => Some(c.clone()),
            _ => items.first().cloned(),
        }
    }

    /// Active keys older than `key_max_age_days`, as last loaded (nothing when never loaded).
    pub fn old_keys(&self, user: &str) -> Vec<&KeyInfo> {
        self.section(user).map_or(Vec::new(), |s| s.keys().iter().filter(|k| flagged_old(k)).collect())
    }

    /// Whether `old_keys` has any, without collecting them (asked for every row on every frame).
    pub fn has_old_key(&self, user: &str) -> bool {
        self.section(user).is_some_and(|s| s.keys().iter().any(flagged_old))
    }
}

/// An active key past `key_max_age_days`: the one worth a flag (an inactive one is harmless).
fn flagged_old(k: &KeyInfo) -> bool {
    k.old && k.active
}

#[cfg(test)]
#[path = "iam_fixtures.rs"]
pub(crate) mod fixtures;
