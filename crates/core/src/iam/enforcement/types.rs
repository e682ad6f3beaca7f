//! What the MFA-enforcement analysis reads (the policies that apply, and where each comes from)
//! and what it finds.

use super::super::policy::StatementRef;
use serde_json::Value;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    UserInline { name: String },
    UserManaged { arn: String },
    GroupInline { group: String, name: String },
    GroupManaged { group: String, arn: String },
    Boundary { arn: String },
}

impl Source {
    pub(super) fn is_boundary(&self) -> bool {
        matches!(self, Source::Boundary { .. })
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let short = |arn: &str| arn.rsplit('/').next().unwrap_or(arn).to_owned();
        match self {
            Source::UserInline { name } => write!(f, "inline policy {name}"),
            Source::UserManaged { arn } => write!(f, "managed policy {}", short(arn)),
            Source::GroupInline { group, name } => write!(f, "group {group} inline policy {name}"),
            Source::GroupManaged { group, arn } => write!(f, "group {group} managed policy {}", short(arn)),
            Source::Boundary { arn } => write!(f, "boundary {}", short(arn)),
        }
    }
}

/// One policy that applies to the user; `document` is `Err(why)` when it could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub source: Source,
    pub document: Result<Value, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Enforced,
    NotEnforced,
    Unknown,
}

/// How much an audit finding matters (a config diagnostic's is `config::Severity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingSeverity {
    Info,
    Warning,
    Problem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A Deny or boundary that denies requests without MFA.
    Enforcing,
    /// Denies only one of the two kinds of request without MFA (the `Bool` pitfall), or neither.
    PartialCoverage,
    LimitedActions,
    LimitedResources,
    /// The Deny also depends on a key other than the MFA keys.
    ExtraConditionKey,
    UnknownOperator,
    /// An identity-policy Allow conditioned on MFA, which cannot enforce it.
    AllowOnlyWithMfa,
    BoundaryAllowsWithoutMfa,
    DeniesEvenWithMfa,
    Unreadable,
    /// Nothing denies one or both kinds of request without MFA.
    NotDenied,
    /// An action every covering Deny or boundary exempts, beyond MFA self-service.
    ReachableWithoutMfa,
    ScpNotVisible,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: FindingSeverity,
    pub kind: FindingKind,
    pub source: Option<Source>,
    pub statement: Option<StatementRef>,
    pub message: String,
}

/// An action every covering Deny or boundary exempts beyond MFA self-service: MFA is not enforced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscapeHatch {
    pub action: String,
    pub why: String,
    pub source: Source,
    pub statement: StatementRef,
}

#[derive(Debug, Clone, PartialEq, Eq)]
/// The two ways to fix it, each with the words that say where it goes: every front end shows these
/// texts as they are, so none can present the boundary (whose `Allow *` grants everything when
/// attached as a policy) as the statement to paste.
pub struct Fix {
    pub description: String,
    /// Where the Deny statement goes.
    pub deny_label: String,
    /// Pretty JSON of one Deny statement to add to an identity policy.
    pub deny_statement: String,
    /// What a permissions boundary is, and that this one must never be attached as a policy.
    pub boundary_label: String,
    /// Pretty JSON of a complete `MfaRequired` permissions boundary.
    pub boundary_document: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub verdict: Verdict,
    /// One sentence for the user.
    pub summary: String,
    pub findings: Vec<Finding>,
    pub escape_hatches: Vec<EscapeHatch>,
    pub fix: Option<Fix>,
}
