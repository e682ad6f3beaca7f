//! The words for what a login or a refresh did, shared by the CLI and the dashboard. A failure
//! that only follows from another one in the same report (a role not assumed because the MFA
//! session or the role it is assumed from failed) is counted under its cause, once, instead of
//! repeating the cause on every row.

use super::{EngineError, LoginReport, Outcome};
use crate::display::plural;

impl LoginReport {
    /// The profile of this report whose failure `role`'s follows from (the first failure up its
    /// chain), when that is all there is to say about `role`: `None` when `role` succeeded or
    /// failed for a reason of its own.
    pub fn cause_of(&self, role: &str) -> Option<&str> {
        // Where we are in the chain: `None` at `role` itself, then a name owned by the report.
        let mut at: Option<&str> = None;
        // A chain is at most as long as the report; the bound also stops a malformed loop.
        for _ in 0..=self.roles.len() {
            let parent = match self.result_of(at.unwrap_or(role))? {
                Err(EngineError::ParentFailed { parent }) => parent.as_str(),
                Err(EngineError::NeedsCode { user }) if *user == self.user => user.as_str(),
                _ => return at,
            };
            if Some(parent) == at || parent == role {
                return at;
            }
            match self.result_of(parent) {
                Some(Err(_)) => at = Some(parent),
                // The parent is not part of this run (or did not fail in it): nothing to point at.
                _ => return at,
            }
        }
        None
    }

    fn result_of(&self, profile: &str) -> Option<&Result<Outcome, EngineError>> {
        if profile == self.user {
            return self.mfa.as_ref();
        }
        self.roles.iter().find(|(n, _)| n == profile).map(|(_, r)| r)
    }
}

/// Roles not assumed because `cause` failed (its own row says why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cascade {
    pub cause: String,
    pub roles: Vec<String>,
}

impl Cascade {
    /// `12 roles not assumed: they are assumed from alice, which failed`.
    pub fn describe(&self) -> String {
        let (they, are) = if self.roles.len() == 1 { ("it", "is") } else { ("they", "are") };
        format!(
            "{} not assumed: {they} {are} assumed from {}, which failed",
            plural(self.roles.len(), "role", "roles"),
            crate::display::clip(&self.cause, 60)
        )
    }
}

/// The cascades of `reports`, causes in report order.
pub fn cascades(reports: &[LoginReport]) -> Vec<Cascade> {
    let mut out: Vec<Cascade> = Vec::new();
    for r in reports {
        for (name, _) in &r.roles {
            let Some(cause) = r.cause_of(name) else { continue };
            match out.iter_mut().find(|c| c.cause == cause) {
                Some(c) => c.roles.push(name.clone()),
                None => out.push(Cascade { cause: cause.to_string(), roles: vec![name.clone()] }),
            }
        }
    }
    out
}

/// What a run did, counted honestly: renewed (new sessions), kept (still valid, untouched),
/// failed (no session for a reason of its own, or one other tools cannot use), not assumed
/// (because what it is assumed from failed).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub renewed: usize,
    pub kept: usize,
    pub failed: usize,
    pub not_assumed: usize,
}

impl Tally {
    pub fn of(reports: &[LoginReport]) -> Self {
        let mut t = Tally::default();
        for r in reports {
            if let Some(m) = &r.mfa {
                t.add(m, r.managed(&r.user), false);
            }
            for (n, o) in &r.roles {
                t.add(o, r.managed(n), r.cause_of(n).is_some());
            }
        }
        t
    }

    fn add(&mut self, r: &Result<Outcome, EngineError>, managed: Option<&Result<String, EngineError>>, follows: bool) {
        match r {
            Ok(_) if managed.is_some_and(|m| m.is_err()) => self.failed += 1,
            Ok(o) if o.kept => self.kept += 1,
            Ok(_) => self.renewed += 1,
            Err(_) if follows => self.not_assumed += 1,
            Err(_) => self.failed += 1,
        }
    }

    pub fn ready(&self) -> usize {
        self.renewed + self.kept
    }

    /// Anything not ready.
    pub fn unready(&self) -> usize {
        self.failed + self.not_assumed
    }

    /// `21 ready (20 kept), 1 failed, 12 not assumed`.
    pub fn describe(&self) -> String {
        let mut text = format!("{} ready", self.ready());
        if self.kept > 0 {
            text.push_str(&format!(" ({} kept)", self.kept));
        }
        text.push_str(&format!(", {} failed", self.failed));
        if self.not_assumed > 0 {
            text.push_str(&format!(", {} not assumed", self.not_assumed));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mfa::MfaError;

    fn ok() -> Result<Outcome, EngineError> {
        Ok(Outcome { expiration: 100, identity_arn: None, kept: false })
    }

    fn report(
        mfa: Option<Result<Outcome, EngineError>>,
        roles: Vec<(&str, Result<Outcome, EngineError>)>,
    ) -> LoginReport {
        LoginReport {
            user: "alice".into(),
            mfa,
            roles: roles.into_iter().map(|(n, r)| (n.to_string(), r)).collect(),
            published: Default::default(),
        }
    }

    fn parent(p: &str) -> Result<Outcome, EngineError> {
        Err(EngineError::ParentFailed { parent: p.into() })
    }

    #[test]
    fn roles_of_a_failed_sign_in_are_one_line_under_their_cause() {
        let needs = || Err(EngineError::NeedsCode { user: "alice".into() });
        let r = report(
            Some(Err(EngineError::Mfa(MfaError::NotSixDigits))),
            vec![("dev", needs()), ("prod", needs()), ("kept", Ok(Outcome { kept: true, ..ok().unwrap() }))],
        );
        assert_eq!(r.cause_of("dev"), Some("alice"));
        assert_eq!(r.cause_of("kept"), None);
        let c = cascades(std::slice::from_ref(&r));
        assert_eq!(c, [Cascade { cause: "alice".into(), roles: vec!["dev".into(), "prod".into()] }]);
        assert_eq!(c[0].describe(), "2 roles not assumed: they are assumed from alice, which failed");
        let t = Tally::of(&[r]);
        assert_eq!((t.kept, t.failed, t.not_assumed), (1, 1, 2));
        assert_eq!(t.describe(), "1 ready (1 kept), 1 failed, 2 not assumed");
    }

    #[test]
    fn a_chain_points_at_its_first_failure_and_own_failures_stay_rows() {
        let denied = Err(EngineError::NotSignable { why: "denied".into() });
        let r = report(
            Some(ok()),
            vec![("audit", denied), ("breakglass", parent("audit")), ("deeper", parent("breakglass")), ("dev", ok())],
        );
        assert_eq!(r.cause_of("audit"), None, "its own reason: a row of its own");
        assert_eq!(r.cause_of("deeper"), Some("audit"));
        let c = cascades(std::slice::from_ref(&r));
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].roles, ["breakglass", "deeper"]);
        assert_eq!(Tally::of(&[r]).describe(), "2 ready, 1 failed, 2 not assumed");
        // A parent that is not in the run is the role's own story.
        let r = report(Some(ok()), vec![("orphan", parent("elsewhere"))]);
        assert_eq!(r.cause_of("orphan"), None);
        assert_eq!(
            Cascade { cause: "x".into(), roles: vec!["y".into()] }.describe(),
            "1 role not assumed: it is assumed from x, which failed"
        );
    }
}
