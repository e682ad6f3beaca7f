//! The plan: every IAM user mfatui can sign in and every role rooted at one, as owned data,
//! plus one resolver that turns any name a user types into one of them (or says why not).

use super::super::config::arn::Partition;
use super::super::config::{LoadedConfig, ProfileGraph, ProfileKind, Severity};
use super::super::exports::{self, ExportError};
use super::super::mfa::{self, MfaError, MfaSource};
use super::super::secret::Secret;
use super::super::sts::{Keys, Target};
use super::EngineError;
use crate::config::sections::{ConfigSet, Section};
use crate::config::valid_region;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone)]
pub enum KeySource {
    Static(Keys),
    /// `credential_process`: run it to get the long-term keys.
    Process(String),
    /// In the vault: the profile's `credential_process` is mfatui answering for this very
    /// profile (`vault import` wrote it), so the keys come from the keychain, never from running
    /// mfatui again.
    Vault,
}

/// An IAM user whose long-term keys live in the vault: its `credential_process` names mfatui
/// answering for the profile itself, and it has no role settings (an adopted role whose role
/// keys moved elsewhere is not this case: it is recognised before this is asked).
pub fn keys_in_vault(name: &str, section: &Section) -> bool {
    section.get("role_arn").is_none()
        && section
            .get("credential_process")
            .and_then(crate::config::wrapper::wrapped_profile)
            .is_some_and(|p| p == name)
}

#[derive(Debug, Clone)]
pub struct UserPlan {
    pub name: String,
    pub keys: KeySource,
    pub mfa_serial: Option<String>,
    /// Where its STS and IAM calls go.
    pub target: Target,
    /// The region its managed profile carries.
    pub export_region: String,
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
    /// `role_session_name` when the profile sets one; else the IAM user's name is used.
    pub session_name: Option<String>,
    pub duration: Option<i32>,
    /// `file:line` of `duration_seconds`, for the message when a role refuses it.
    pub duration_at: Option<String>,
    pub target: Target,
    pub export_region: String,
    /// The role's account id, from its ARN.
    pub account: Option<String>,
    /// 1 when assumed from the user, 2 from a role assumed from the user, …
    pub depth: usize,
    pub managed: Result<String, ExportError>,
    /// The file name the AWS CLI caches this role's session under (`cli_cache::key_for`).
    pub aws_cli_cache_key: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub users: BTreeMap<String, UserPlan>,
    /// Parents before the roles chained from them.
    pub roles: Vec<RolePlan>,
    pub suffix: String,
    /// Profiles in the config that mfatui does not sign in, with a one-line reason each.
    pub others: BTreeMap<String, String>,
    /// Every profile name in the user's files (not mfatui's own sections).
    pub profiles: BTreeSet<String>,
    /// Managed sections mfatui finds in the files (either mode).
    pub managed_present: BTreeSet<String>,
}

/// A profile whose session mfatui publishes, and under which name (or why none).
#[derive(Debug, Clone, Copy)]
pub struct Exported<'a> {
    pub name: &'a str,
    /// The IAM user it belongs to (itself, for a user).
    pub user: &'a str,
    pub managed: &'a Result<String, ExportError>,
    /// The region its managed section carries.
    pub region: &'a str,
    pub is_user: bool,
}

/// The long-term keys a profile's section holds, when it holds both halves.
pub fn static_keys(section: &Section) -> Option<Keys> {
    Some(Keys {
        access_key_id: section.get("aws_access_key_id")?.to_string(),
        secret_access_key: Secret::new(section.get("aws_secret_access_key")?),
        session_token: None,
    })
}

/// What a name typed on the command line means.
#[derive(Debug, Clone, Copy)]
pub enum Resolved<'a> {
    User(&'a UserPlan),
    Role(&'a RolePlan),
}

impl Resolved<'_> {
    pub fn name(&self) -> &str {
        match self {
            Self::User(u) => &u.name,
            Self::Role(r) => &r.name,
        }
    }

    pub fn user(&self) -> &str {
        match self {
            Self::User(u) => &u.name,
            Self::Role(r) => &r.user,
        }
    }
}

/// Regions that `sts_regional_endpoints = legacy` sends to the global endpoint.
const LEGACY_GLOBAL_STS: &[&str] = &[
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "aws-global",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// Where a profile's STS and IAM calls go, found the way the AWS CLI finds it: the service's
/// environment variable, the profile's `[services]` block, `AWS_ENDPOINT_URL`, the profile's
/// `endpoint_url`; then FIPS and `sts_regional_endpoints`.
fn target_for(
    set: &ConfigSet,
    section: &Section,
    region: &str,
    partition: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Target {
    let truthy = |v: Option<String>| v.is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let ignore = truthy(env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))
        || truthy(section.get("ignore_configured_endpoint_urls").map(str::to_string));
    let configured = |service: &str| {
        if ignore {
            return None;
        }
        section.get("services").and_then(|s| set.service_setting(s, service, "endpoint_url")).map(str::to_string)
    };
    let global = || {
        env("AWS_ENDPOINT_URL").or_else(|| (!ignore).then(|| section.get("endpoint_url").map(str::to_string)).flatten())
    };
    let mut sts = env("AWS_ENDPOINT_URL_STS").or_else(|| configured("sts")).or_else(global);
    let iam = env("AWS_ENDPOINT_URL_IAM").or_else(|| configured("iam")).or_else(global);
    let fips = truthy(env("AWS_USE_FIPS_ENDPOINT")) || truthy(section.get("use_fips_endpoint").map(str::to_string));
    let regional =
        env("AWS_STS_REGIONAL_ENDPOINTS").or_else(|| section.get("sts_regional_endpoints").map(str::to_string));
    if sts.is_none()
        && !fips
        && partition == "aws"
        && regional.as_deref() == Some("legacy")
        && LEGACY_GLOBAL_STS.contains(&region)
    {
        sts = Some("https://sts.amazonaws.com".into());
    }
    Target { region: region.to_string(), endpoint: sts, iam_endpoint: iam, fips, ..Target::default() }
}

/// Why mfatui does not sign in a profile of this kind.
fn reason(graph: &ProfileGraph, name: &str) -> String {
    if let Some(d) = graph.diagnostics_for(name).find(|d| d.severity == Severity::Error) {
        let at = d.at.as_ref().map(|a| format!(" ({a})")).unwrap_or_default();
        return format!("{name} is broken{at}: {}", d.message);
    }
    let Some(p) = graph.get(name) else { return format!("{name} is not a profile") };
    match p.kind {
        _ if p.credential_source.is_some() => format!(
            "{name} is assumed from `credential_source = {}`: the AWS CLI takes its base credentials from the environment or instance metadata, with no MFA; mfatui signs in IAM users with access keys and the roles assumed from them",
            p.credential_source.unwrap_or_default()
        ),
        ProfileKind::Sso => format!(
            "{name} is an IAM Identity Center (SSO) profile: sign in with `aws sso login --profile {name}`; mfatui does not manage SSO sessions"
        ),
        ProfileKind::WebIdentity => format!(
            "{name} is assumed with a web identity token (web_identity_token_file), which the SDKs do themselves without MFA"
        ),
        ProfileKind::SessionKeys => {
            format!("{name} holds temporary keys (aws_session_token) that another tool wrote; mfatui cannot renew them")
        }
        ProfileKind::ConfigOnly => format!("{name} has no credentials of its own (settings only)"),
        _ if p.root_user.is_none() => format!("{name} does not lead to an IAM user with access keys"),
        _ => format!("{name} is rooted at {}, which mfatui cannot sign in", p.root_user.unwrap_or_default()),
    }
}

/// `file:line` of a setting in a section, else of the section.
fn at_of(section: &Section, key: &str) -> String {
    section.located(key).map(|l| l.at.to_string()).unwrap_or_else(|| section.at.to_string())
}

impl Plan {
    pub fn build(cfg: &LoadedConfig, graph: &ProfileGraph, suffix: &str, env: impl Fn(&str) -> Option<String>) -> Self {
        let env: &dyn Fn(&str) -> Option<String> = &env;
        let sections = &cfg.sections;
        let region_override = env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION")).filter(|r| valid_region(r));
        let mut plan = Plan {
            suffix: suffix.to_string(),
            profiles: graph.profiles.iter().map(|p| p.name.to_string()).collect(),
            managed_present: sections.managed.clone(),
            ..Plan::default()
        };
        // One rule for the region, shown by `list` and the dashboard and written to managed
        // profiles: the profile's own, else the nearest one up its source chain (the graph's
        // `resolved_region`), else the partition's usual region.
        let region_of = |p: &crate::config::Profile, partition: &str| {
            p.resolved_region
                .filter(|r| valid_region(r))
                .map_or_else(|| Partition::of(Some(partition), "").home_region().to_string(), str::to_string)
        };
        let mut exported: BTreeMap<String, String> = BTreeMap::new();
        let mut managed = |profile: &str| -> Result<String, ExportError> {
            let name = exports::target_name(sections, profile, suffix)?;
            if let Some(first) = exported.insert(name.clone(), profile.to_string()).filter(|f| f != profile) {
                return Err(ExportError::Duplicate { name, first, second: profile.into() });
            }
            Ok(name)
        };
        for p in graph.profiles.iter().filter(|p| matches!(p.kind, ProfileKind::User | ProfileKind::ProcessUser)) {
            if graph.is_broken(p.name) {
                continue;
            }
            let Some(section) = sections.profiles.get(p.name) else { continue };
            let keys = match (static_keys(section), section.get("credential_process")) {
                (Some(k), _) => KeySource::Static(k),
                (None, Some(_)) if keys_in_vault(p.name, section) => KeySource::Vault,
                (None, Some(cmd)) => KeySource::Process(cmd.to_string()),
                (None, None) => continue,
            };
            let partition = p.account.map_or("aws", |a| a.partition);
            let resolved = region_of(p, partition);
            let call_region = region_override.clone().unwrap_or_else(|| resolved.clone());
            plan.users.insert(
                p.name.to_string(),
                UserPlan {
                    name: p.name.to_string(),
                    keys,
                    mfa_serial: section.get("mfa_serial").map(str::to_string),
                    target: target_for(sections, section, &call_region, partition, env),
                    export_region: resolved,
                    source: mfa::configured_source(section, env),
                    session_secs: p.duration_seconds.map_or(43_200, |d| d as i32),
                    account: p.account.map(|a| a.id.to_string()),
                    managed: managed(p.name),
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
        let mut pending: Vec<_> = candidates;
        while !pending.is_empty() {
            let before = pending.len();
            pending.retain(|p| {
                let parent = p.chain.get(1).copied().unwrap_or(p.name);
                let Some(&parent_depth) = depth.get(parent) else { return true };
                // A self-referencing role (source_profile = itself, with keys) is assumed from its own keys.
                let parent = if parent == p.name { p.root_user.unwrap_or(parent) } else { parent };
                let chained = p.kind == ProfileKind::ChainedRole;
                let Some(section) = sections.profiles.get(p.name) else { return false };
                let duration = p.duration_seconds.map(|d| if chained { d.min(3600) } else { d } as i32);
                let user = p.root_user.unwrap_or_default();
                let partition = p.account.map_or("aws", |a| a.partition);
                let resolved = region_of(p, partition);
                let call_region = region_override.clone().unwrap_or_else(|| resolved.clone());
                plan.roles.push(RolePlan {
                    name: p.name.to_string(),
                    role_arn: p.role_arn.unwrap_or_default().to_string(),
                    parent: parent.to_string(),
                    user: user.to_string(),
                    external_id: p.external_id.map(str::to_string),
                    session_name: p.role_session_name.map(str::to_string),
                    duration,
                    duration_at: section.located("duration_seconds").map(|_| at_of(section, "duration_seconds")),
                    target: target_for(sections, section, &call_region, partition, env),
                    export_region: resolved,
                    account: p.account.map(|a| a.id.to_string()),
                    depth: parent_depth + 1,
                    managed: managed(p.name),
                    aws_cli_cache_key: super::cli_cache::key_for(section),
                });
                depth.insert(p.name, parent_depth + 1);
                false
            });
            if pending.len() == before {
                break;
            }
        }
        for p in &graph.profiles {
            if !plan.users.contains_key(p.name) && plan.role(p.name).is_none() {
                plan.others.insert(p.name.to_string(), reason(graph, p.name));
            }
        }
        plan
    }

    pub fn roles_of<'a>(&'a self, user: &'a str) -> impl Iterator<Item = &'a RolePlan> + 'a {
        self.roles.iter().filter(move |r| r.user == user)
    }

    /// Every profile mfatui exports: users with an MFA device, then roles in chain order.
    pub fn exported(&self) -> impl Iterator<Item = Exported<'_>> {
        let users = self.users.values().filter(|u| u.mfa_serial.is_some()).map(|u| Exported {
            name: &u.name,
            user: &u.name,
            managed: &u.managed,
            region: &u.export_region,
            is_user: true,
        });
        let roles = self.roles.iter().map(|r| Exported {
            name: &r.name,
            user: &r.user,
            managed: &r.managed,
            region: &r.export_region,
            is_user: false,
        });
        users.chain(roles)
    }

    pub fn role(&self, name: &str) -> Option<&RolePlan> {
        self.roles.iter().find(|r| r.name == name)
    }

    /// The user a profile belongs to: itself for a user, its root for a role.
    pub fn user_of(&self, profile: &str) -> Option<&UserPlan> {
        self.users.get(profile).or_else(|| self.role(profile).and_then(|r| self.users.get(&r.user)))
    }

    /// The managed name of a planned profile, when it has a usable one.
    pub fn managed_of(&self, profile: &str) -> Option<&str> {
        let m = match (self.users.get(profile), self.role(profile)) {
            (Some(u), _) => &u.managed,
            (_, Some(r)) => &r.managed,
            _ => return None,
        };
        m.as_ref().ok().map(String::as_str)
    }

    /// One resolver for every command: a user or role profile, or the managed name of one
    /// (`dev-admin-mfa`, what AWS_PROFILE often holds). Anything else is an error that says what
    /// the name is, or which name was probably meant.
    pub fn resolve(&self, name: &str) -> Result<Resolved<'_>, EngineError> {
        if let Some(u) = self.users.get(name) {
            return Ok(Resolved::User(u));
        }
        if let Some(r) = self.role(name) {
            return Ok(Resolved::Role(r));
        }
        if let Some(why) = self.others.get(name) {
            return Err(EngineError::NotSignable { why: why.clone() });
        }
        let by_managed = self.users.values().find(|u| u.managed.as_deref() == Ok(name)).map(Resolved::User);
        let by_managed =
            by_managed.or_else(|| self.roles.iter().find(|r| r.managed.as_deref() == Ok(name)).map(Resolved::Role));
        if let Some(r) = by_managed {
            return Ok(r);
        }
        let near = self
            .users
            .keys()
            .chain(self.roles.iter().map(|r| &r.name))
            .filter(|n| name.contains(n.as_str()) || n.contains(name))
            .min_by_key(|n| n.len().abs_diff(name.len()));
        Err(EngineError::UnknownProfile {
            name: name.to_string(),
            hint: near.map(|n| format!(" (did you mean {n}?)")).unwrap_or_default(),
        })
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
