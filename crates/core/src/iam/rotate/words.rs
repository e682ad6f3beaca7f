//! What a rotation says to a person, in one place: the CLI prints these sentences and the dashboard
//! shows them, so what is asked before a change and what is reported after it cannot drift apart.

use super::types::{Event, OldKey, Question, Report, key_text, last_used_text};

/// How a line of news should stand out: the dashboard colours it, the CLI prints it as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Success,
    Warning,
}

/// A question as shown: a title (the dashboard's popup border), the question, then what a yes
/// does, in paragraphs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wording {
    pub title: String,
    pub ask: String,
    pub detail: Vec<String>,
}

impl Wording {
    /// The question and what a yes does, as one paragraph (a terminal's `[y/N]` line).
    pub fn line(&self) -> String {
        std::iter::once(&self.ask).chain(&self.detail).cloned().collect::<Vec<_>>().join(" ")
    }
}

/// What each answer to a question does, in a few words (the dashboard's key hints, `y rotate ·
/// n or Esc: nothing changes`): the yes names the change, the no says what stays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answers {
    pub yes: &'static str,
    pub no: &'static str,
}

fn secs(ms: u64) -> String {
    format!("{:.1}s", ms as f64 / 1000.0)
}

/// Said when a rotation starts, before anything is listed: `asks` when a person confirms first.
pub fn starting(user: &str, asks: bool) -> String {
    if asks {
        format!(
            "about to rotate the access key of {user}: its keys are read first, and nothing changes until you confirm"
        )
    } else {
        format!("rotating the access key of {user}, confirmed in advance")
    }
}

impl Question {
    pub fn answers(&self) -> Answers {
        match self {
            Question::Rotate { resume: None, .. } => Answers { yes: "rotate", no: "nothing changes" },
            Question::Rotate { .. } => Answers { yes: "resume", no: "leave it for now" },
            Question::MakeRoom { .. } => Answers { yes: "delete it and go on", no: "stop, nothing changes" },
        }
    }

    pub fn text(&self) -> Wording {
        match self {
            Question::Rotate { profile, user, key, resume: None, keep_old, last_used } => {
                let end = OldKey::of(*keep_old).will();
                Wording {
                    title: format!("Rotate the access key of {user}?"),
                    ask: format!(
                        "Rotate {key}, the access key of {user} in your AWS files ({})?",
                        last_used_text(last_used)
                    ),
                    detail: vec![format!(
                        "A new key replaces it in [{profile}] (only the key id and secret change). Once AWS accepts the new key, {key} is deactivated, then {end}. Sessions made with it last until they expire."
                    )],
                }
            }
            Question::Rotate { user, key, resume: Some(phase), keep_old, .. } => Wording {
                title: format!("Resume the rotation of {user}?"),
                ask: format!("Resume the interrupted rotation of {user}'s key {key}?"),
                detail: vec![format!(
                    "It stopped at: {}. Resuming finishes it from there: once AWS accepts the new key, {key} is deactivated (if it is not yet), then {}. The AWS files always hold a key AWS accepts.",
                    phase.describe(),
                    OldKey::of(*keep_old).will()
                )],
            },
            Question::MakeRoom { user, key } => Wording {
                title: format!("Make room for {user}'s new key?"),
                ask: format!("{user} has two access keys, the most IAM allows. Delete {} to make room?", key_text(key)),
                detail: vec![format!(
                    "{} is not the key in your AWS files. Deleting cannot be undone: a program that still uses it stops working. No stops the rotation with nothing changed.",
                    key.id
                )],
            },
        }
    }
}

impl Event {
    pub fn tone(&self) -> Tone {
        match self {
            Event::Resuming { .. }
            | Event::MadeRoom { .. }
            | Event::DeletedUnsaved { .. }
            | Event::OldStillAccepted { .. }
            | Event::Restarting { .. } => Tone::Warning,
            Event::Verified { .. } => Tone::Success,
            _ => Tone::Info,
        }
    }

    /// The step as a sentence (masked key ids only).
    pub fn describe(&self) -> String {
        match self {
            Event::Signing { text, .. } => text.clone(),
            Event::Resuming { phase, journal } => {
                format!("resuming an interrupted rotation ({}; journal {})", phase.describe(), journal.display())
            }
            Event::Keys { keys } => format!("keys now: {}", keys.iter().map(key_text).collect::<Vec<_>>().join("; ")),
            Event::MadeRoom { deleted } => format!("deleted {deleted} to make room"),
            Event::DeletedUnsaved { key } => {
                format!("deleted {key}, made by an interrupted run that never saved its secret")
            }
            Event::Creating => "creating a new access key".into(),
            Event::Created { key } => format!("created {key}; its secret is in the journal"),
            Event::Saved { key, file } => {
                format!("saved {key} in {} (only aws_access_key_id and aws_secret_access_key changed)", file.display())
            }
            Event::Verifying { successes, needed, waited_ms, last_error, .. } => match last_error {
                Some(err) if *successes == 0 => format!(
                    "AWS does not accept the new key yet after {} ({err}); IAM takes a few seconds to propagate a new key",
                    secs(*waited_ms)
                ),
                _ => format!("checking the new key with sts:GetCallerIdentity: accepted {successes} of {needed}"),
            },
            Event::Verified { key, waited_ms } => format!("AWS accepts {key} (after {})", secs(*waited_ms)),
            Event::Deactivated { key } => format!("deactivated the old key {key}"),
            Event::OldRefused { key, waited_ms } => {
                format!("AWS now refuses {key} (checked after {})", secs(*waited_ms))
            }
            Event::OldStillAccepted { key, waited_ms } => format!(
                "warning: AWS still accepted {key} {} after it was deactivated (IAM may be slow, or this endpoint ignores key status); it is inactive in IAM",
                secs(*waited_ms)
            ),
            Event::DeletedOld { key } => format!("deleted the old key {key}"),
            Event::Restarting { why } => why.clone(),
        }
    }
}

impl OldKey {
    /// What a rotation does to the old key: deleted, unless asked to keep it (`--keep-old`).
    pub fn of(keep_old: bool) -> Self {
        if keep_old { OldKey::KeptInactive } else { OldKey::Deleted }
    }

    /// The end of "the old key is deactivated, then …", asked before the change.
    pub fn will(self) -> &'static str {
        match self {
            OldKey::Deleted => "deleted",
            OldKey::KeptInactive => "kept inactive (not deleted)",
        }
    }

    /// The same, said after it happened.
    pub fn was(self) -> &'static str {
        match self {
            OldKey::Deleted => "was deleted",
            OldKey::KeptInactive => "is kept inactive (not deleted)",
        }
    }
}

impl Report {
    /// What a finished rotation changed, in one sentence (masked ids only).
    pub fn summary(&self) -> String {
        let old = format!("the old key {} {}", self.old, self.old_key.was());
        let mut extra = String::new();
        for (what, keys) in [("deleted to make room", &self.made_room), ("deleted, never saved", &self.deleted_unsaved)]
        {
            if !keys.is_empty() {
                let ids: Vec<String> = keys.iter().map(ToString::to_string).collect();
                extra.push_str(&format!("; {what}: {}", ids.join(", ")));
            }
        }
        let file = self.file.as_ref().map(|f| format!(" in {}", f.display())).unwrap_or_default();
        format!(
            "{} now uses {}{file} (was {}); {old}{extra}. Sessions made with the old key last until they expire; the next MFA sign-in uses the new key.",
            self.profile, self.new, self.old
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::api::KeyId;
    use crate::iam::journal::Phase;

    /// The question says what the run then does to the old key, and the report says it was done:
    /// both read the fate from `OldKey::of(keep_old)`, for a new rotation and a resumed one.
    #[test]
    fn the_question_and_the_outcome_name_the_same_fate_for_the_old_key() {
        for keep_old in [false, true] {
            let fate = OldKey::of(keep_old);
            let key = KeyId::new("AKIAOLD0000000000001");
            for resume in [None, Some(Phase::Verified)] {
                let q = Question::Rotate {
                    profile: "alice".into(),
                    user: "alice".into(),
                    key: key.clone(),
                    resume,
                    keep_old,
                    last_used: Err("not asked".into()),
                };
                let line = q.text().line();
                assert!(line.contains(&format!("then {}", fate.will())), "{line}");
                let other = OldKey::of(!keep_old).will();
                assert!(!line.contains(&format!("then {other}")), "{line}");
            }
            let report = Report {
                profile: "alice".into(),
                user: "alice".into(),
                new: KeyId::new("AKIANEW0000000000001"),
                old: key.clone(),
                old_key: fate,
                file: None,
                made_room: vec![],
                deleted_unsaved: vec![],
                old_refused: None,
                mfa: true,
            };
            let said = report.summary();
            let expected = if keep_old { "is kept inactive (not deleted)" } else { "was deleted" };
            assert!(said.contains(&format!("the old key {key} {expected}")), "{said}");
        }
    }
}
