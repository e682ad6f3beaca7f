//! The audit's evidence and its fix question as sentences, shared by `mfatui audit` and the
//! dashboard's IAM screen so that both explain a verdict in the same words.

use super::super::policy_api::SimResult;
use super::probe::{PROBE_ACTION, Probe, Simulation};
use super::{FixPlan, with_article};

impl Probe {
    /// What the probe's answer means for MFA.
    pub fn describe(&self) -> String {
        match self {
            Probe::Allowed => "allowed: proof that MFA is not enforced for it".into(),
            Probe::ExplicitDeny { policy_type, .. } => {
                format!("refused by an explicit deny in {}: evidence that MFA is enforced", with_article(policy_type))
            }
            Probe::Inconclusive { why } => format!("inconclusive: {why}"),
            Probe::NotRun { why } => format!("not run: {why}"),
        }
    }
}

impl SimResult {
    /// `explicit deny (missing: aws:username)`.
    pub fn describe(&self) -> String {
        let decision = serde_json::to_value(self.decision).ok();
        let decision = decision.as_ref().and_then(|d| d.as_str()).unwrap_or_default().replace('_', " ");
        if self.missing_context.is_empty() {
            decision
        } else {
            format!("{decision} (missing: {})", self.missing_context.join(", "))
        }
    }
}

impl Simulation {
    pub fn describe(&self) -> String {
        match self {
            Simulation::NotAvailable { reason } => format!("not available: {reason}"),
            Simulation::Ran { absent, false_ } => format!(
                "{PROBE_ACTION} without MFA: {}; with aws:MultiFactorAuthPresent false: {}",
                absent.describe(),
                false_.describe()
            ),
        }
    }
}

/// The live probe's line: the request made, then what its answer means.
pub fn probe_line(p: &Probe) -> String {
    format!("{PROBE_ACTION} with the long-term key, no MFA: {}", p.describe())
}

impl FixPlan {
    /// The question asked before the boundary is set (the document is shown beside it).
    pub fn question(&self) -> String {
        let create = if self.create {
            format!("create the policy {} with the boundary document shown and ", self.policy_arn)
        } else {
            String::new()
        };
        let replaces = match &self.replaces {
            Some(b) if *b != self.policy_arn => {
                format!(" This replaces its current boundary {b} (a user has one), which may widen what it can do.")
            }
            _ => String::new(),
        };
        format!(
            "As {}, {create}set {} as the permissions boundary of {}?{replaces}",
            self.caller, self.policy_arn, self.user
        )
    }
}
