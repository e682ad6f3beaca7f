//! The demo world: a realistic organisation in the sandbox, and the `~/.aws` files of a user in
//! it. Both come from one table, so the files and the sandbox cannot disagree.
//!
//! Four IAM users in the identity account: alice (MFA device, boundary that enforces MFA, and
//! administrator of the identity account), bob (MFA device, a boundary that looks right but uses
//! `Bool` instead of `BoolIfExists`, so it does not stop his long-term keys), carol (MFA device;
//! her own policies force MFA but forbid her to read her policies, so an audit of her cannot
//! tell) and ci-bot (no MFA: a machine user). Every engineer's group lets them assume roles,
//! manage their own access keys and MFA device, and read their own policies. Fifteen roles in
//! six more accounts, one chained (assumed from another role), one behind an external id, and
//! one profile with a typo in its source_profile.

use super::seed::{GroupSeed, RoleSeed, Seed, UserSeed, mfa_required_boundary};
use mfatui_core::iam::enforcement::{Policy, Source};
use serde_json::{Value, json};

pub const IDENTITY: &str = "111111111111";
pub const ACCOUNTS: &[(&str, &str)] = &[
    (IDENTITY, "identity"),
    ("222222222222", "dev"),
    ("333333333333", "staging"),
    ("444444444444", "prod"),
    ("555555555555", "security"),
    ("666666666666", "data"),
    ("777777777777", "partner"),
];

/// What a demo user's identity policies let it do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// An engineer who also administers IAM in the identity account.
    Admin,
    /// The engineers group: assume roles, manage their own keys and MFA, read their own policies.
    Engineer,
    /// An engineer whose own policies force MFA and deny reading her policies.
    Secretive,
    /// A machine user: assumes its deploy role and rotates its own key.
    Machine,
}

pub struct DemoUser {
    pub name: &'static str,
    pub key_id: &'static str,
    pub secret: &'static str,
    /// `(device name, base32 TOTP seed)`.
    pub mfa: Option<(&'static str, &'static str)>,
    pub boundary: Option<&'static str>,
    pub access: Access,
}

pub const USERS: &[DemoUser] = &[
    DemoUser {
        name: "alice",
        key_id: "AKIADEMOALICE0000001",
        secret: "demo/alice/secret/key/0000000000000000000",
        mfa: Some(("alice-phone", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")),
        boundary: Some("MfaRequired"),
        access: Access::Admin,
    },
    DemoUser {
        name: "bob",
        key_id: "AKIADEMOBOB000000001",
        secret: "demo/bob/secret/key/00000000000000000000",
        mfa: Some(("bob-phone", "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU")),
        boundary: Some("LooksLikeMfaRequired"),
        access: Access::Engineer,
    },
    DemoUser {
        name: "carol",
        key_id: "AKIADEMOCAROL0000001",
        secret: "demo/carol/secret/key/0000000000000000000",
        mfa: Some(("carol-phone", "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U")),
        boundary: None,
        access: Access::Secretive,
    },
    DemoUser {
        name: "ci-bot",
        key_id: "AKIADEMOCIBOT0000001",
        secret: "demo/ci-bot/secret/key/00000000000000000",
        mfa: None,
        boundary: None,
        access: Access::Machine,
    },
];

pub struct DemoRole {
    /// Profile and role name.
    pub name: &'static str,
    pub account: &'static str,
    /// The profile it is assumed from.
    pub source: &'static str,
    pub require_mfa: bool,
    pub external_id: Option<&'static str>,
    pub region: &'static str,
}

const fn role(name: &'static str, account: &'static str, source: &'static str, region: &'static str) -> DemoRole {
    DemoRole { name, account, source, require_mfa: true, external_id: None, region }
}

pub const ROLES: &[DemoRole] = &[
    role("dev-admin", "222222222222", "alice", "eu-west-1"),
    role("dev-readonly", "222222222222", "alice", "eu-west-1"),
    role("staging-admin", "333333333333", "alice", "eu-west-1"),
    role("staging-deploy", "333333333333", "alice", "eu-central-1"),
    role("prod-readonly", "444444444444", "alice", "us-east-1"),
    role("prod-admin", "444444444444", "alice", "us-east-1"),
    role("security-audit", "555555555555", "alice", "us-east-1"),
    role("data-analyst", "666666666666", "alice", "eu-west-1"),
    role("data-engineer", "666666666666", "alice", "eu-west-1"),
    DemoRole {
        external_id: Some("mfatui-demo-partner"),
        ..role("partner-access", "777777777777", "alice", "us-west-2")
    },
    // Chained: assumed with security-audit's session, not alice's.
    role("prod-breakglass", "444444444444", "security-audit", "us-east-1"),
    role("bob-dev", "222222222222", "bob", "eu-west-1"),
    role("bob-staging", "333333333333", "bob", "eu-west-1"),
    role("carol-data", "666666666666", "carol", "eu-west-1"),
    DemoRole { require_mfa: false, ..role("ci-deploy", "222222222222", "ci-bot", "eu-west-1") },
];

/// A profile that is broken on purpose: its source_profile has a typo.
pub const BROKEN_PROFILE: &str = "data-typo";

fn user_arn(name: &str) -> String {
    format!("arn:aws:iam::{IDENTITY}:user/{name}")
}

pub fn mfa_serial(u: &DemoUser) -> Option<String> {
    u.mfa.map(|(device, _)| format!("arn:aws:iam::{IDENTITY}:mfa/{device}"))
}

/// Managed policy for the engineers group: their own access keys, MFA device and policies.
fn self_service() -> Value {
    let me = "arn:aws:iam::*:user/${aws:username}";
    json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "ManageOwnAccessKeys", "Effect": "Allow", "Resource": me, "Action": [
            "iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:GetAccessKeyLastUsed", "iam:GetUser",
            "iam:ListAccessKeys", "iam:UpdateAccessKey"]},
        {"Sid": "ManageOwnMfa", "Effect": "Allow", "Resource": ["arn:aws:iam::*:mfa/*", me], "Action": [
            "iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "iam:ResyncMFADevice"]},
        {"Sid": "ReadOwnPolicies", "Effect": "Allow", "Resource": me, "Action": [
            "iam:ListAttachedUserPolicies", "iam:ListUserPolicies", "iam:GetUserPolicy", "iam:ListGroupsForUser",
            "iam:SimulatePrincipalPolicy"]},
        {"Sid": "ReadGroupAndManagedPolicies", "Effect": "Allow",
         "Resource": ["arn:aws:iam::*:group/*", "arn:aws:iam::*:policy/*"], "Action": [
            "iam:ListAttachedGroupPolicies", "iam:ListGroupPolicies", "iam:GetGroupPolicy", "iam:GetPolicy",
            "iam:GetPolicyVersion"]},
        {"Sid": "SeeAccountAlias", "Effect": "Allow", "Action": "iam:ListAccountAliases", "Resource": "*"}
    ]})
}

/// AWS's "deny everything but MFA self-service without MFA" statement (`BoolIfExists`).
fn force_mfa() -> Value {
    let deny = &mfa_required_boundary()["Statement"][1];
    json!({"Version": "2012-10-17", "Statement": [deny]})
}

fn identity_policies(u: &DemoUser, mut s: UserSeed) -> UserSeed {
    let assume_own_role = |role: &str| {
        json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "AssumeDeployRole", "Effect": "Allow", "Action": "sts:AssumeRole",
             "Resource": format!("arn:aws:iam::222222222222:role/{role}")},
            {"Sid": "RotateOwnKey", "Effect": "Allow", "Resource": "arn:aws:iam::*:user/${aws:username}", "Action": [
                "iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:GetAccessKeyLastUsed", "iam:GetUser",
                "iam:ListAccessKeys", "iam:UpdateAccessKey"]}
        ]})
    };
    if u.access != Access::Machine {
        s = s.in_group("engineers");
    }
    match u.access {
        Access::Admin => s.inline_policy(
            "AdministerIdentityAccount",
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}),
        ),
        Access::Engineer => s,
        Access::Secretive => s.inline_policy("ForceMfa", force_mfa()).inline_policy(
            "NoPolicyReading",
            json!({"Version": "2012-10-17", "Statement": [{"Sid": "DenyReadingPolicies", "Effect": "Deny", "Action": [
                "iam:GetUserPolicy", "iam:GetGroupPolicy", "iam:GetPolicy", "iam:GetPolicyVersion",
                "iam:ListAttachedUserPolicies", "iam:ListAttachedGroupPolicies", "iam:SimulatePrincipalPolicy"],
                "Resource": "*"}]}),
        ),
        Access::Machine => s.inline_policy("CiDeploy", assume_own_role("ci-deploy")),
    }
}

pub fn seed() -> Seed {
    let leaky = json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "NotAction": ["iam:*", "sts:GetSessionToken"], "Resource": "*",
             "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}
        ]
    });
    let assume_roles = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "AssumeRolesInOtherAccounts", "Effect": "Allow", "Action": "sts:AssumeRole",
         "Resource": "arn:aws:iam::*:role/*"}
    ]});
    let engineers = GroupSeed::new(IDENTITY, "engineers")
        .attach(&format!("arn:aws:iam::{IDENTITY}:policy/SelfService"))
        .inline_policy("AssumeRoles", assume_roles);
    let mut seed = Seed::default()
        .policy(IDENTITY, "MfaRequired", mfa_required_boundary())
        .policy(IDENTITY, "LooksLikeMfaRequired", leaky)
        .policy(IDENTITY, "SelfService", self_service())
        .add_group(engineers);
    for (id, alias) in ACCOUNTS {
        seed = seed.account(id, Some(alias));
    }
    for u in USERS {
        let mut s = UserSeed::new(IDENTITY, u.name).key(u.key_id, u.secret);
        if let Some((device, totp)) = u.mfa {
            s = s.mfa(device, totp);
        }
        if let Some(b) = u.boundary {
            s = s.boundary(&format!("arn:aws:iam::{IDENTITY}:policy/{b}"));
        }
        seed = seed.user(identity_policies(u, s));
    }
    for r in ROLES {
        let trusted = match ROLES.iter().find(|p| p.name == r.source) {
            Some(parent) => format!("arn:aws:iam::{}:role/{}", parent.account, parent.name),
            None => user_arn(r.source),
        };
        let mut s = RoleSeed::new(r.account, r.name, &[&trusted]).max_session(if r.name.starts_with("prod") {
            3600
        } else {
            43_200
        });
        if r.require_mfa {
            s = s.require_mfa();
        }
        if let Some(e) = r.external_id {
            s = s.external_id(e);
        }
        seed = seed.role(s);
    }
    seed
}

/// `~/.aws/config` for the demo user.
pub fn config_file() -> String {
    let mut out = String::from(
        "# mfatui demo: a realistic multi-account setup served by the local sandbox\n[default]\nregion = eu-west-1\noutput = json\n",
    );
    for u in USERS {
        out.push_str(&format!("\n[profile {}]\nregion = eu-west-1\n", u.name));
        if let Some(serial) = mfa_serial(u) {
            out.push_str(&format!("mfa_serial = {serial}\n"));
        }
    }
    for r in ROLES {
        out.push_str(&format!(
            "\n[profile {}]\nrole_arn = arn:aws:iam::{}:role/{}\nsource_profile = {}\nregion = {}\n",
            r.name, r.account, r.name, r.source, r.region
        ));
        if let Some(e) = r.external_id {
            out.push_str(&format!("external_id = {e}\n"));
        }
    }
    out.push_str(&format!(
        "\n# Broken on purpose: the source_profile has a typo.\n[profile {BROKEN_PROFILE}]\nrole_arn = arn:aws:iam::666666666666:role/data-analyst\nsource_profile = alcie\n"
    ));
    out
}

/// `~/.aws/credentials` for the demo user: the long-term keys of the IAM users.
pub fn credentials_file() -> String {
    USERS
        .iter()
        .map(|u| format!("[{}]\naws_access_key_id = {}\naws_secret_access_key = {}\n", u.name, u.key_id, u.secret))
        .collect::<Vec<_>>()
        .join("\n")
}

/// How a denied read reads in the tests (the dashboard's fixtures use it too).
pub const DENIED: &str = "access denied, explicit deny in an identity-based policy";

/// Every policy that applies to a demo user, as its audit would read them: those named in
/// `unreadable` come back denied, and `"lists"` hides the groups' attached-policy lists.
pub fn policies_as_read(user: &str, unreadable: &[&str]) -> Vec<Policy> {
    let seed = seed();
    let u = seed.users.iter().find(|u| u.name == user).expect("a demo user");
    let doc =
        |name: &str, d: &serde_json::Value| if unreadable.contains(&name) { Err(DENIED.into()) } else { Ok(d.clone()) };
    let managed = |a: &str| seed.policies.iter().find(|p| a.ends_with(&format!("/{}", p.name))).expect("seeded");
    let mut out: Vec<Policy> = u
        .inline_policies
        .iter()
        .map(|(n, d)| Policy { source: Source::UserInline { name: n.clone() }, document: doc(n, d) })
        .collect();
    for g in seed.groups.iter().filter(|g| u.groups.contains(&g.name)) {
        for (n, d) in &g.inline_policies {
            out.push(Policy {
                source: Source::GroupInline { group: g.name.clone(), name: n.clone() },
                document: doc(n, d),
            });
        }
        if !unreadable.contains(&"lists") {
            for a in &g.attached_policies {
                let source = Source::GroupManaged { group: g.name.clone(), arn: a.clone() };
                out.push(Policy { source, document: doc(&managed(a).name, &managed(a).document) });
            }
        }
    }
    if let Some(a) = &u.boundary {
        out.push(Policy {
            source: Source::Boundary { arn: a.clone() },
            document: doc(&managed(a).name, &managed(a).document),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use mfatui_core::config::{ConfigSet, FileKind, ProfileGraph, ProfileKind};
    use mfatui_core::iam::enforcement::{Verdict, assess};
    use std::collections::BTreeSet;
    use std::path::Path;

    #[test]
    fn files_and_seed_describe_the_same_world() {
        let mut set = ConfigSet::default();
        set.merge_file(FileKind::Config, Path::new("config"), &config_file());
        set.merge_file(FileKind::Credentials, Path::new("credentials"), &credentials_file());
        let g = ProfileGraph::build(&set);
        let roles: Vec<_> = g.profiles.iter().filter(|p| p.kind.is_role() && !g.is_broken(p.name)).collect();
        assert_eq!(roles.len(), ROLES.len());
        let accounts: BTreeSet<_> = roles.iter().filter_map(|p| p.account.map(|a| a.id)).collect();
        assert!(accounts.len() >= 6, "{accounts:?}");
        assert_eq!(g.get("prod-breakglass").unwrap().kind, ProfileKind::ChainedRole);
        assert!(g.is_broken(BROKEN_PROFILE));
        assert_eq!(g.diagnostics.iter().filter(|d| d.severity == mfatui_core::config::Severity::Error).count(), 1);
        let seed = seed();
        assert_eq!(seed.roles.len(), ROLES.len());
        assert_eq!(seed.users.iter().filter(|u| u.mfa.is_some()).count(), 3);
        assert!(seed.users.iter().all(|u| !u.inline_policies.is_empty() || !u.groups.is_empty()), "no convenience");
        for r in &roles {
            assert!(seed.roles.iter().any(|s| Some(s.arn().as_str()) == r.role_arn), "{}", r.name);
        }
    }

    fn verdict(name: &str, unreadable: &[&str]) -> Verdict {
        assess(&policies_as_read(name, unreadable)).verdict
    }

    #[test]
    fn the_audit_tells_the_demo_users_apart() {
        assert_eq!(verdict("alice", &[]), Verdict::Enforced);
        assert_eq!(verdict("bob", &[]), Verdict::NotEnforced, "his boundary uses Bool");
        assert_eq!(verdict("ci-bot", &[]), Verdict::NotEnforced);
        assert_eq!(verdict("carol", &[]), Verdict::Enforced, "what an administrator would see");
        assert_eq!(
            verdict("carol", &["ForceMfa", "NoPolicyReading", "AssumeRoles", "SelfService"]),
            Verdict::Unknown,
            "what she sees"
        );
    }

    #[test]
    fn the_demo_home_plans_as_the_demo_needs() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".aws")).unwrap();
        std::fs::write(dir.path().join(".aws/config"), config_file()).unwrap();
        std::fs::write(dir.path().join(".aws/credentials"), credentials_file()).unwrap();
        let env =
            mfatui_core::config::AwsEnv { home: Some(dir.path().into()), ..mfatui_core::config::AwsEnv::default() };
        let cfg = mfatui_core::config::load(&env).unwrap();
        let graph = cfg.graph();
        let plan = mfatui_core::engine::Plan::build(&cfg, &graph, "-mfa", |_| None);
        assert_eq!(plan.users.keys().collect::<Vec<_>>(), ["alice", "bob", "carol", "ci-bot"]);
        assert_eq!(plan.roles.len(), 15, "all but the broken one");
        let glass = plan.role("prod-breakglass").unwrap();
        assert_eq!((glass.parent.as_str(), glass.user.as_str(), glass.depth), ("security-audit", "alice", 2));
        let pos = |n| plan.roles.iter().position(|r| r.name == n).unwrap();
        assert!(pos("security-audit") < pos("prod-breakglass"), "parents first");
        assert_eq!(plan.role("partner-access").unwrap().external_id.as_deref(), Some("mfatui-demo-partner"));
        assert_eq!(plan.role("dev-admin").unwrap().managed, Ok("dev-admin-mfa".into()));
        assert_eq!(plan.user_of("dev-admin").unwrap().name, "alice");
        assert!(plan.users["ci-bot"].mfa_serial.is_none());
        assert_eq!(plan.role("partner-access").unwrap().export_region, "us-west-2", "its own");
        assert!(plan.others.contains_key("data-typo"), "the broken profile is explained");
    }
}
