//! Fault injection: rules that make chosen calls slow, throttled, failing or dropped, a clock
//! offset, and IAM's eventual consistency for new access keys. Set from tests in the same
//! process (`SandboxHandle::set_faults`) or over HTTP (`PUT /_sandbox/faults` with the same JSON).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultConfig {
    #[serde(default)]
    pub rules: Vec<FaultRule>,
    /// Seconds added to the sandbox's clock (credential expiry, TOTP windows, `Date` header).
    #[serde(default)]
    pub clock_offset_secs: i64,
    /// A key made by CreateAccessKey is refused (`InvalidClientTokenId`) for this many seconds,
    /// as AWS refuses a new key until IAM has propagated it. Fixed when the key is created.
    #[serde(default)]
    pub new_key_delay_secs: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// Only this action (`AssumeRole`, `GetSessionToken`, …); any when absent.
    #[serde(default)]
    pub action: Option<String>,
    /// Only calls naming this role (ARN, or name alone); any when absent.
    #[serde(default)]
    pub role: Option<String>,
    /// Apply to every Nth matching call (1 = every call).
    #[serde(default = "one")]
    pub every: u32,
    /// Stop after applying this many times; no limit when absent.
    #[serde(default)]
    pub times: Option<u32>,
    pub effect: Effect,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Effect {
    /// Wait this long before answering.
    LatencyMs(u64),
    /// `Throttling` / "Rate exceeded", HTTP 400.
    Throttle,
    /// An HTTP 500 (`InternalFailure`) or 503 (`ServiceUnavailable`).
    Status(u16),
    /// Close the connection without answering.
    Drop,
    /// Do the call, then close the connection without answering: the change is made, its answer
    /// lost (a CreateAccessKey whose response never arrives).
    LoseAnswer,
    /// `AccessDenied`: for AssumeRole as if the role's trust policy refused the caller, for any
    /// other action as if a policy denied it.
    AccessDenied,
}

impl FaultRule {
    pub fn new(effect: Effect) -> Self {
        Self { action: None, role: None, every: 1, times: None, effect }
    }
    pub fn action(mut self, a: &str) -> Self {
        self.action = Some(a.into());
        self
    }
    pub fn role(mut self, r: &str) -> Self {
        self.role = Some(r.into());
        self
    }
    pub fn every(mut self, n: u32) -> Self {
        self.every = n.max(1);
        self
    }
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    fn matches(&self, action: &str, role_arn: Option<&str>) -> bool {
        let action_ok = self.action.as_deref().is_none_or(|a| a == action);
        let role_ok = self
            .role
            .as_deref()
            .is_none_or(|want| role_arn.is_some_and(|arn| arn == want || arn.rsplit('/').next() == Some(want)));
        action_ok && role_ok
    }
}

/// Rules with their counters.
#[derive(Debug, Default)]
pub struct FaultState {
    pub config: FaultConfig,
    seen: Vec<u32>,
    applied: Vec<u32>,
}

impl FaultState {
    pub fn set(&mut self, config: FaultConfig) {
        self.seen = vec![0; config.rules.len()];
        self.applied = vec![0; config.rules.len()];
        self.config = config;
    }

    /// The effects that fire for this call, in rule order.
    pub fn effects_for(&mut self, action: &str, role_arn: Option<&str>) -> Vec<Effect> {
        let mut out = Vec::new();
        for (i, rule) in self.config.rules.iter().enumerate() {
            if !rule.matches(action, role_arn) {
                continue;
            }
            self.seen[i] += 1;
            let due = self.seen[i].is_multiple_of(rule.every.max(1));
            let left = rule.times.is_none_or(|t| self.applied[i] < t);
            if due && left {
                self.applied[i] += 1;
                out.push(rule.effect);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_nth_times_and_role_matching() {
        let mut s = FaultState::default();
        s.set(FaultConfig {
            rules: vec![
                FaultRule::new(Effect::Throttle).action("AssumeRole").every(2),
                FaultRule::new(Effect::AccessDenied).role("ops").times(1),
            ],
            ..FaultConfig::default()
        });
        let ops = Some("arn:aws:iam::111111111111:role/ops");
        assert_eq!(s.effects_for("AssumeRole", ops), vec![Effect::AccessDenied]);
        assert_eq!(s.effects_for("AssumeRole", ops), vec![Effect::Throttle]);
        assert_eq!(s.effects_for("AssumeRole", Some("arn:aws:iam::1:role/dev")), vec![]);
        assert_eq!(s.effects_for("GetCallerIdentity", None), vec![]);
        let json = r#"{"rules":[{"action":"GetSessionToken","effect":{"status":503}}],"clock_offset_secs":-30}"#;
        let c: FaultConfig = serde_json::from_str(json).unwrap();
        assert_eq!(c.rules[0].effect, Effect::Status(503));
        assert_eq!(c.rules[0].every, 1);
        assert_eq!(c.new_key_delay_secs, 0, "no delay unless asked");
        let c: FaultConfig = serde_json::from_str(r#"{"new_key_delay_secs": 8}"#).unwrap();
        assert_eq!((c.new_key_delay_secs, c.rules.len()), (8, 0));
    }
}
