//! The sandbox's world as data: accounts, users, roles, policies and groups. Loaded from JSON
//! (`mfatui sandbox --seed FILE`) or built in code by tests and the demo.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    #[serde(default)]
    pub accounts: Vec<AccountSeed>,
    #[serde(default)]
    pub users: Vec<UserSeed>,
    #[serde(default)]
    pub roles: Vec<RoleSeed>,
    #[serde(default)]
    pub policies: Vec<PolicySeed>,
    #[serde(default)]
    pub groups: Vec<GroupSeed>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountSeed {
    pub id: String,
    #[serde(default)]
    pub alias: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySeed {
    pub id: String,
    pub secret: String,
    #[serde(default = "active")]
    pub status: String,
}

fn active() -> String {
    "Active".into()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MfaSeed {
    /// Device name: the serial is `arn:aws:iam::ACCOUNT:mfa/NAME`.
    pub name: String,
    /// Base32 TOTP seed, as AWS shows it when the virtual device is created.
    pub seed: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSeed {
    pub account: String,
    pub name: String,
    #[serde(default)]
    pub access_keys: Vec<KeySeed>,
    #[serde(default)]
    pub mfa: Option<MfaSeed>,
    /// ARN of the permissions boundary policy.
    #[serde(default)]
    pub boundary: Option<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    /// ARNs of managed policies attached to the user.
    #[serde(default)]
    pub attached_policies: Vec<String>,
    /// Inline policies: name → document.
    #[serde(default)]
    pub inline_policies: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleSeed {
    pub account: String,
    pub name: String,
    /// Principal ARNs the trust policy allows: `arn:aws:iam::ACCOUNT:root`, a user or a role.
    pub trusted: Vec<String>,
    /// Trust condition `Bool aws:MultiFactorAuthPresent = true`.
    #[serde(default)]
    pub require_mfa: bool,
    /// Trust condition `StringEquals sts:ExternalId`.
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default = "one_hour")]
    pub max_session_duration: u32,
}

fn one_hour() -> u32 {
    3600
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySeed {
    /// Account id, or `aws` for an AWS managed policy.
    pub account: String,
    pub name: String,
    pub document: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSeed {
    pub account: String,
    pub name: String,
    #[serde(default)]
    pub attached_policies: Vec<String>,
    /// Inline policies: name → document.
    #[serde(default)]
    pub inline_policies: BTreeMap<String, serde_json::Value>,
}

impl Seed {
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    pub fn account(mut self, id: &str, alias: Option<&str>) -> Self {
        self.accounts.push(AccountSeed { id: id.into(), alias: alias.map(Into::into) });
        self
    }

    pub fn user(mut self, user: UserSeed) -> Self {
        self.users.push(user);
        self
    }

    pub fn role(mut self, role: RoleSeed) -> Self {
        self.roles.push(role);
        self
    }

    pub fn policy(mut self, account: &str, name: &str, document: serde_json::Value) -> Self {
        self.policies.push(PolicySeed { account: account.into(), name: name.into(), document });
        self
    }

    pub fn group(self, account: &str, name: &str, attached: &[&str]) -> Self {
        let group = attached.iter().fold(GroupSeed::new(account, name), |g, arn| g.attach(arn));
        self.add_group(group)
    }

    pub fn add_group(mut self, group: GroupSeed) -> Self {
        self.groups.push(group);
        self
    }
}

impl GroupSeed {
    pub fn new(account: &str, name: &str) -> Self {
        Self {
            account: account.into(),
            name: name.into(),
            attached_policies: Vec::new(),
            inline_policies: BTreeMap::new(),
        }
    }

    pub fn attach(mut self, policy_arn: &str) -> Self {
        self.attached_policies.push(policy_arn.into());
        self
    }

    pub fn inline_policy(mut self, name: &str, document: serde_json::Value) -> Self {
        self.inline_policies.insert(name.into(), document);
        self
    }
}

impl UserSeed {
    pub fn new(account: &str, name: &str) -> Self {
        Self {
            account: account.into(),
            name: name.into(),
            access_keys: Vec::new(),
            mfa: None,
            boundary: None,
            groups: Vec::new(),
            attached_policies: Vec::new(),
            inline_policies: BTreeMap::new(),
        }
    }

    pub fn attach(mut self, policy_arn: &str) -> Self {
        self.attached_policies.push(policy_arn.into());
        self
    }

    pub fn inline_policy(mut self, name: &str, document: serde_json::Value) -> Self {
        self.inline_policies.insert(name.into(), document);
        self
    }

    pub fn key(mut self, id: &str, secret: &str) -> Self {
        self.access_keys.push(KeySeed { id: id.into(), secret: secret.into(), status: active() });
        self
    }

    pub fn mfa(mut self, name: &str, seed: &str) -> Self {
        self.mfa = Some(MfaSeed { name: name.into(), seed: seed.into() });
        self
    }

    pub fn boundary(mut self, policy_arn: &str) -> Self {
        self.boundary = Some(policy_arn.into());
        self
    }

    pub fn in_group(mut self, group: &str) -> Self {
        self.groups.push(group.into());
        self
    }

    pub fn mfa_serial(&self) -> Option<String> {
        self.mfa.as_ref().map(|m| format!("arn:aws:iam::{}:mfa/{}", self.account, m.name))
    }
}

impl RoleSeed {
    pub fn new(account: &str, name: &str, trusted: &[&str]) -> Self {
        Self {
            account: account.into(),
            name: name.into(),
            trusted: trusted.iter().map(|s| s.to_string()).collect(),
            require_mfa: false,
            external_id: None,
            max_session_duration: one_hour(),
        }
    }

    pub fn require_mfa(mut self) -> Self {
        self.require_mfa = true;
        self
    }

    pub fn external_id(mut self, id: &str) -> Self {
        self.external_id = Some(id.into());
        self
    }

    pub fn max_session(mut self, secs: u32) -> Self {
        self.max_session_duration = secs;
        self
    }

    pub fn arn(&self) -> String {
        format!("arn:aws:iam::{}:role/{}", self.account, self.name)
    }
}

/// The usual "MFA required" permissions boundary: everything is allowed, but without MFA only
/// the self-service actions a user needs to sign in with MFA are.
pub fn mfa_required_boundary() -> serde_json::Value {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*"},
            {
                "Sid": "DenyAllExceptSelfServiceWithoutMFA",
                "Effect": "Deny",
                "NotAction": [
                    "iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ListMFADevices",
                    "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "iam:ChangePassword",
                    "iam:GetAccountPasswordPolicy", "sts:GetSessionToken", "sts:GetCallerIdentity"
                ],
                "Resource": "*",
                "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
            }
        ]
    })
}
