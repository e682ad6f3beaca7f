//! The plan: every IAM user mfatui can sign in and every role rooted at one, as owned data,
//! plus one resolver that turns any name a user types into one of them (or says why not).

use super::super::config::arn::Partition;
use super::super::config::{LoadedConfig, ProfileGraph, ProfileKind};
use super::super::exports::{self, ExportError};
use super::super::mfa::{self, MfaError, MfaSource};
use super::super::secret::Secret;
use super::super::sts::{Keys, Target};
use super::EngineError;
use super::reasons::reason;
use super::targets::target_for;
use crate::config::sections::Section;
use crate::config::{valid_region, wrapper};
use crate::external::{ExternalSession, ExternalSource};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone)]
pub enum KeySource {
    Static(Keys),
    /// `credential_process`: run it to get the long-term keys.
    Process(String),
    /// An SSO or `aws login` profile: credentials from the AWS CLI's cache (read only).
    External(ExternalSource),
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

impl UserPlan {
    /// The SSO or `aws login` source this "user" stands for, when it is not an IAM user.
    pub fn external(&self) -> Option<&ExternalSource> {
        match &self.keys {
            KeySource::External(s) => Some(s),
            _ => None,
        }
    }

    /// An IAM user with long-term keys (in the files or from `credential_process`).
    pub fn is_iam_user(&self) -> bool {
        self.external().is_none()
    }
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
    pub aws_cli_cache_key: super::cli_cache::CacheKey,
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
    /// Every SSO and `aws login` profile (not broken), by name: their caches are read for
    /// their rows' countdowns and, for those roles are sourced from, to assume those roles.
    pub external: BTreeMap<String, ExternalSource>,
    /// Where each role is in `roles`: looking a role up must not scan them all (the dashboard
    /// asks for every row, and a config can have thousands).
    role_at: std::collections::HashMap<String, usize>,
    /// Profiles whose `credential_process` is mfatui's wrapper for another profile, and the
    /// planned profile each stands for (`config/alias.rs`): every command resolves them to it.
    pub aliases: BTreeMap<String, String>,
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
        let mut by_managed_name: Vec<(String, String)> = Vec::new();
        let users = graph.profiles.iter().filter(|p| matches!(p.kind, ProfileKind::User | ProfileKind::ProcessUser));
        for p in users.filter(|p| p.alias_of.is_none()) {
            if graph.is_broken(p.name) {
                continue;
            }
            let Some(section) = sections.profiles.get(p.name) else { continue };
            let keys = match (static_keys(section), section.get("credential_process")) {
                (Some(k), _) => KeySource::Static(k),
                // mfatui's wrapper for the profile itself, without role settings: the keys are in
                // the vault, never found by running the line (it would run this same profile again).
                (None, Some(_)) if keys_in_vault(p.name, section) => KeySource::Vault,
                // mfatui's wrapper for a managed name (`prod-admin-mfa`), which only the plan can
                // resolve: an alias too, never an IAM user whose keys come from that line.
                (None, Some(cmd)) if let Some(target) = wrapper::wrapped_profile(cmd) => {
                    by_managed_name.push((p.name.to_string(), target));
                    continue;
                }
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
        // SSO and `aws login` profiles: every one for its row's countdown, and those some role
        // is sourced from as the "user" of those roles (their credentials come from the AWS
        // CLI's cache, never with a prompt).
        let rooted: BTreeSet<&str> = graph
            .profiles
            .iter()
            .filter(|p| p.kind.is_role() && !graph.is_broken(p.name))
            .filter_map(|p| p.root_user)
            .collect();
        for source in crate::external::sources(sections, env) {
            let name = source.profile().to_string();
            let (Some(p), Some(section)) = (graph.get(&name), sections.profiles.get(&name)) else { continue };
            if graph.is_broken(&name) {
                continue;
            }
            if rooted.contains(name.as_str()) {
                let partition = p.account.map_or("aws", |a| a.partition);
                let resolved = region_of(p, partition);
                let call_region = region_override.clone().unwrap_or_else(|| resolved.clone());
                plan.users.insert(
                    name.clone(),
                    UserPlan {
                        name: name.clone(),
                        keys: KeySource::External(source.clone()),
                        mfa_serial: None,
                        target: target_for(sections, section, &call_region, partition, env),
                        export_region: resolved,
                        source: Ok(None),
                        session_secs: 3600,
                        account: p.account.map(|a| a.id.to_string()),
                        managed: managed(&name),
                    },
                );
            }
            plan.external.insert(name, source);
        }
        // Roles in chain order: a role is planned once its parent is.
        let candidates: Vec<_> = graph
            .profiles
            .iter()
            .filter(|p| p.kind.is_role() && p.alias_of.is_none() && !graph.is_broken(p.name))
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
                // Credentials from the SSO portal are a role's: a role assumed with them is
                // chained, which STS caps at one hour.
                let from_sso = p.root_user.and_then(|u| graph.get(u)).is_some_and(|u| u.kind == ProfileKind::Sso);
                let chained = p.kind == ProfileKind::ChainedRole || from_sso;
                let Some(section) = sections.profiles.get(p.name) else { return false };
                let duration = p.duration_seconds.map(|d| if chained { d.min(3600) } else { d } as i32);
                let user = p.root_user.unwrap_or_default();
                let partition = p.account.map_or("aws", |a| a.partition);
                let resolved = region_of(p, partition);
                let call_region = region_override.clone().unwrap_or_else(|| resolved.clone());
                plan.role_at.insert(p.name.to_string(), plan.roles.len());
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
        aliases::place_the_rest(&mut plan, graph, by_managed_name);
        plan
    }

    /// The sessions the AWS CLI keeps for SSO and `aws login` profiles, read from its caches
    /// now (read only): what rows show as their countdown.
    pub fn external_sessions(&self) -> BTreeMap<String, ExternalSession> {
        self.external.iter().map(|(n, s)| (n.clone(), s.session())).collect()
    }

    /// The SSO or `aws login` source a planned role's chain starts from.
    pub fn external_source_of(&self, profile: &str) -> Option<&ExternalSource> {
        self.user_of(profile).and_then(UserPlan::external)
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
        self.role_at.get(name).and_then(|&i| self.roles.get(i)).filter(|r| r.name == name)
    }

    /// The user a profile belongs to: itself for a user, its root for a role.
    pub fn user_of(&self, profile: &str) -> Option<&UserPlan> {
        let profile = self.aliases.get(profile).map_or(profile, String::as_str);
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
        let name = self.aliases.get(name).map_or(name, String::as_str);
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
        // Names users type first, then the managed names derived from them; a managed name is
        // not offered after its own profile (`prod-admin` says it, `prod-admin-mfa` repeats it).
        let typed = self.users.keys().map(String::as_str).chain(self.roles.iter().map(|r| r.name.as_str()));
        let managed: Vec<(&str, &str)> = self
            .users
            .values()
            .filter_map(|u| Some((u.managed.as_deref().ok()?, u.name.as_str())))
            .chain(self.roles.iter().filter_map(|r| Some((r.managed.as_deref().ok()?, r.name.as_str()))))
            .collect();
        let others = self.others.keys().map(String::as_str);
        let mut near = crate::suggest::ranked(name, typed.chain(others).chain(managed.iter().map(|(m, _)| *m)));
        let rank = |n: &str| near.iter().position(|x| *x == n);
        let repeats: Vec<&str> = managed
            .iter()
            .filter(|(m, owner)| matches!((rank(owner), rank(m)), (Some(o), Some(m)) if o < m))
            .map(|(m, _)| *m)
            .collect();
        near.retain(|n| !repeats.contains(n));
        let (near, more) = crate::suggest::shown(near);
        Err(EngineError::UnknownProfile { name: name.to_string(), hint: crate::suggest::hint(&near, more) })
    }
}

#[path = "plan_aliases.rs"]
mod aliases;

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
