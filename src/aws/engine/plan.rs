//! The plan: every IAM user mfatui can sign in and every role rooted at one, as owned data.

use super::super::config::{LoadedConfig, ProfileGraph, ProfileKind, Severity};
use super::super::exports::{self, ExportError};
use super::super::mfa::{self, MfaError, MfaSource};
use super::super::secret::Secret;
use super::super::sts::Keys;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone)]
pub enum KeySource {
    Static(Keys),
    /// `credential_process`: run it to get the long-term keys.
    Process(String),
}

#[derive(Debug, Clone)]
pub struct UserPlan {
    pub name: String,
    pub keys: KeySource,
    pub mfa_serial: Option<String>,
    /// Region for STS calls.
    pub region: String,
    pub export_region: Option<String>,
    /// Where a code comes from when none is typed.
    pub source: Result<Option<MfaSource>, MfaError>,
    pub session_secs: i32,
    pub account: Option<String>,
    pub managed: Result<String, ExportError>,
}

#[derive(Debug, Clone)]
pub struct RolePlan {
    pub name: String,
    pub role_arn: String,
    /// The profile whose session assumes it: the user, or the parent role when chained.
    pub parent: String,
    pub user: String,
    pub external_id: Option<String>,
    pub session_name: String,
    pub duration: Option<i32>,
    pub region: String,
    pub export_region: Option<String>,
    /// 1 when assumed from the user, 2 from a role assumed from the user, …
    pub depth: usize,
    pub managed: Result<String, ExportError>,
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub users: BTreeMap<String, UserPlan>,
    /// Parents before the roles chained from them.
    pub roles: Vec<RolePlan>,
    /// Managed sections whose profile is gone.
    pub stale_exports: BTreeSet<String>,
}

/// The STS region when a profile names none: the partition's usual one.
fn partition_region(partition: Option<&str>) -> &'static str {
    match partition {
        Some("aws-cn") => "cn-north-1",
        Some("aws-us-gov") => "us-gov-west-1",
        _ => "us-east-1",
    }
}

/// A valid RoleSessionName from a user name: [\w+=,.@-], 2 to 64 characters.
fn session_name(user: &str) -> String {
    let clean: String = format!("mfatui-{user}")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "+=,.@-_".contains(c) { c } else { '-' })
        .take(64)
        .collect();
    clean
}

impl Plan {
    pub fn build(cfg: &LoadedConfig, graph: &ProfileGraph, suffix: &str, env: impl Fn(&str) -> Option<String>) -> Self {
        let region_override = env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION"));
        let mut plan = Plan { stale_exports: exports::stale(&cfg.sections, suffix), ..Plan::default() };
        for p in graph.profiles.iter().filter(|p| matches!(p.kind, ProfileKind::User | ProfileKind::ProcessUser)) {
            if graph.diagnostics_for(p.name).any(|d| d.severity == Severity::Error) {
                continue;
            }
            let Some(section) = cfg.sections.profiles.get(p.name) else { continue };
            let keys = match (section.get("aws_access_key_id"), section.get("aws_secret_access_key")) {
                (Some(id), Some(secret)) => KeySource::Static(Keys {
                    access_key_id: id.to_string(),
                    secret_access_key: Secret::new(secret),
                    session_token: None,
                }),
                _ => match section.get("credential_process") {
                    Some(cmd) => KeySource::Process(cmd.to_string()),
                    None => continue,
                },
            };
            let region = p.region.map(str::to_string).or_else(|| region_override.clone());
            plan.users.insert(
                p.name.to_string(),
                UserPlan {
                    name: p.name.to_string(),
                    keys,
                    mfa_serial: section.get("mfa_serial").map(str::to_string),
                    region: region
                        .clone()
                        .unwrap_or_else(|| partition_region(p.account.map(|a| a.partition)).to_string()),
                    export_region: region,
                    source: mfa::configured_source(section, &env),
                    session_secs: p.duration_seconds.map_or(43_200, |d| d as i32),
                    account: p.account.map(|a| a.id.to_string()),
                    managed: exports::target_name(&cfg.sections, p.name, suffix),
                },
            );
        }
        // Roles in chain order: a role is planned once its parent is.
        let candidates: Vec<_> = graph
            .profiles
            .iter()
            .filter(|p| p.kind.is_role() && !graph.is_broken(p.name))
            .filter(|p| p.root_user.is_some_and(|u| plan.users.contains_key(u)) && p.credential_source.is_none())
            .collect();
        let mut depth: BTreeMap<&str, usize> = plan.users.keys().map(|u| (u.as_str(), 0)).collect();
        for _ in 0..candidates.len() {
            let before = plan.roles.len();
            for p in &candidates {
                let parent = p.chain.get(1).copied().unwrap_or(p.name);
                let Some(&parent_depth) = depth.get(parent) else { continue };
                if depth.contains_key(p.name) {
                    continue;
                }
                // A self-referencing role (source_profile = itself, with keys) is assumed from its own keys.
                let parent = if parent == p.name { p.root_user.unwrap_or(parent) } else { parent };
                let chained = p.kind == ProfileKind::ChainedRole;
                let duration = p.duration_seconds.map(|d| if chained { d.min(3600) } else { d } as i32);
                let user = p.root_user.unwrap_or_default();
                let region = p.region.map(str::to_string).or_else(|| region_override.clone());
                let sts_region =
                    region.clone().unwrap_or_else(|| partition_region(p.account.map(|a| a.partition)).to_string());
                // A managed profile must work as it is: without a region of its own it takes its
                // user's, else the one its session came from.
                let export_region = region
                    .clone()
                    .or_else(|| plan.users.get(user).and_then(|u| u.export_region.clone()))
                    .unwrap_or_else(|| sts_region.clone());
                plan.roles.push(RolePlan {
                    name: p.name.to_string(),
                    role_arn: p.role_arn.unwrap_or_default().to_string(),
                    parent: parent.to_string(),
                    user: user.to_string(),
                    external_id: p.external_id.map(str::to_string),
                    session_name: p.role_session_name.map_or_else(|| session_name(user), str::to_string),
                    duration,
                    region: sts_region,
                    export_region: Some(export_region),
                    depth: parent_depth + 1,
                    managed: exports::target_name(&cfg.sections, p.name, suffix),
                });
                depth.insert(p.name, parent_depth + 1);
            }
            if plan.roles.len() == before {
                break;
            }
        }
        plan
    }

    pub fn roles_of<'a>(&'a self, user: &'a str) -> impl Iterator<Item = &'a RolePlan> + 'a {
        self.roles.iter().filter(move |r| r.user == user)
    }

    pub fn role(&self, name: &str) -> Option<&RolePlan> {
        self.roles.iter().find(|r| r.name == name)
    }

    /// The user a profile belongs to: itself for a user, its root for a role.
    pub fn user_of(&self, profile: &str) -> Option<&UserPlan> {
        self.users.get(profile).or_else(|| self.role(profile).and_then(|r| self.users.get(&r.user)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::config::{AwsEnv, load};

    #[test]
    fn demo_world_plan() {
        let dir = tempfile::tempdir().unwrap();
        let env = crate::commands::demo::make_home(dir.path()).unwrap();
        let cfg = load(&env).unwrap();
        let graph = cfg.graph();
        let plan = Plan::build(&cfg, &graph, "-mfa", |_| None);
        assert_eq!(plan.users.keys().collect::<Vec<_>>(), ["alice", "bob", "ci-bot"]);
        assert_eq!(plan.roles.len(), 14, "all but the broken one");
        let glass = plan.role("prod-breakglass").unwrap();
        assert_eq!((glass.parent.as_str(), glass.user.as_str(), glass.depth), ("security-audit", "alice", 2));
        let pos = |n| plan.roles.iter().position(|r| r.name == n).unwrap();
        assert!(pos("security-audit") < pos("prod-breakglass"), "parents first");
        assert_eq!(plan.role("partner-access").unwrap().external_id.as_deref(), Some("mfatui-demo-partner"));
        assert_eq!(plan.role("dev-admin").unwrap().session_name, "mfatui-alice");
        assert_eq!(plan.role("dev-admin").unwrap().managed, Ok("dev-admin-mfa".into()));
        assert_eq!(plan.user_of("dev-admin").unwrap().name, "alice");
        assert!(plan.users["ci-bot"].mfa_serial.is_none());
        assert_eq!(plan.role("partner-access").unwrap().export_region.as_deref(), Some("us-west-2"), "its own");
        let _ = AwsEnv::default();
    }

    #[test]
    fn session_names_are_valid() {
        assert_eq!(session_name("alice"), "mfatui-alice");
        assert_eq!(session_name("a b/c"), "mfatui-a-b-c");
        assert_eq!(session_name(&"x".repeat(100)).len(), 64);
    }
}
