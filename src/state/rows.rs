//! The profile table's rows, built once per load of the AWS files from the graph and the plan.

use crate::aws::config::{LoadedConfig, ProfileGraph, RegionOrigin, Severity};
use crate::aws::engine::Plan;
use crate::settings::Settings;
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub profile: String,
    /// The IAM user the row belongs to (itself for a user); `None` for other profiles.
    pub user: Option<String>,
    pub is_user: bool,
    pub kind: &'static str,
    /// 0 for users and other profiles, 1 for roles, 2+ for chained roles.
    pub depth: usize,
    pub account: Option<String>,
    pub role_or_user: String,
    pub region: Option<String>,
    pub mfa: Option<String>,
    pub diagnostic: Option<String>,
    /// Why mfatui does not sign this profile in (SSO, credential_source, …), when it does not.
    pub reason: Option<String>,
    /// The managed profile name (`dev-admin-mfa`) when mfatui signs this profile in.
    pub managed: Option<String>,
    /// Where `region` comes from, in the core's words (`RegionOrigin`).
    pub region_origin: RegionOrigin,
    /// A role's chain up to its user, nearest first (`[security-audit, alice]` for a role
    /// assumed from security-audit); empty for other profiles.
    pub via: Vec<String>,
    pub role_arn: Option<String>,
    /// Where the profile's `role_arn` (else its first setting) is written: whether in the
    /// config file (else the credentials file), and the line.
    pub defined_at: Option<(bool, usize)>,
    /// Why `r` cannot sign this profile in, in the plan's words (`Plan::signable`).
    pub refusal: Option<String>,
    /// For an SSO or `aws login` profile: the token or credentials the AWS CLI keeps, read
    /// from its cache when the rows were built (`Plan::external_sessions`).
    pub external: Option<crate::aws::external::ExternalSession>,
    /// Whose session the row shows: the profile itself, or for an alias (mfatui's wrapper for
    /// another profile) the profile it stands for.
    pub session_of: String,
}

fn device(serial: &str) -> String {
    serial.rsplit_once(":mfa/").map_or(serial, |(_, d)| d).to_string()
}

/// The rows and the MFA users' devices.
pub type Built = (Vec<Row>, HashMap<String, String>);

/// The rows, grouped by user with chained roles under their parent, and the MFA users' devices.
pub fn build_rows(cfg: &LoadedConfig, graph: &ProfileGraph, plan: &Plan, settings: &Settings) -> Built {
    let mut rows = Vec::new();
    let externals = plan.external_sessions();
    let export_region = |name: &str| {
        plan.users
            .get(name)
            .map(|u| u.export_region.clone())
            .or_else(|| plan.role(name).map(|r| r.export_region.clone()))
    };
    let row_for = |p: &crate::aws::config::Profile, depth: usize, user: Option<&str>, managed: Option<String>| {
        let region = export_region(p.name).or_else(|| p.region.map(str::to_string));
        Row {
            profile: p.name.to_string(),
            user: user.map(str::to_string),
            // An SSO or `aws login` profile heads its roles' group but is no IAM user.
            is_user: depth == 0 && user.is_some_and(|u| plan.users.get(u).is_none_or(|u| u.is_iam_user())),
            kind: if graph.is_broken(p.name) { "broken" } else { p.kind.label() },
            depth,
            account: p.account.map(|a| a.id.to_string()),
            role_or_user: match p.role_arn.and_then(crate::aws::config::arn::parse_role_arn) {
                Some(r) => r.name.to_string(),
                None => p.kind.label().to_string(),
            },
            region_origin: RegionOrigin::of(p, region.as_deref()),
            region,
            via: if p.kind.is_role() { p.chain.iter().skip(1).map(str::to_string).collect() } else { Vec::new() },
            role_arn: p.role_arn.map(str::to_string),
            defined_at: cfg.sections.profiles.get(p.name).and_then(|s| {
                let first = s.iter().next().map(|(k, _)| k);
                let at = s.located("role_arn").or_else(|| s.located(first?))?.at;
                Some((*at.path == *cfg.paths.config, at.line))
            }),
            mfa: p.mfa_serial.map(device),
            diagnostic: graph
                .diagnostics_for(p.name)
                .find(|d| d.severity == Severity::Error)
                .map(|d| d.message.clone()),
            reason: plan.others.get(p.name).cloned(),
            // A planned role is always signable: only users and other profiles are asked (a
            // resolve per role would make building the rows quadratic in the roles).
            refusal: (depth == 0).then(|| plan.signable(p.name).err().map(|e| e.to_string())).flatten(),
            managed: managed.filter(|_| !plan.external.contains_key(p.name)),
            external: externals.get(p.name).cloned(),
            session_of: plan.aliases.get(p.name).cloned().unwrap_or_else(|| p.name.to_string()),
        }
    };
    // Each role's children, once: looking them up per role would be quadratic in the roles.
    let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
    for r in &plan.roles {
        children.entry(r.parent.as_str()).or_default().push(r.name.as_str());
    }
    let mut placed = BTreeSet::new();
    for user in plan.users.values() {
        let Some(p) = graph.get(&user.name) else { continue };
        if settings.hides(p.name) {
            continue;
        }
        rows.push(row_for(p, 0, Some(&user.name), user.managed.clone().ok()));
        placed.insert(user.name.clone());
        // Depth-first, so a chained role sits right under its parent.
        let mut stack: Vec<&str> = children.get(user.name.as_str()).cloned().unwrap_or_default();
        stack.reverse();
        while let Some(name) = stack.pop() {
            let (Some(r), Some(p)) = (plan.role(name), graph.get(name)) else { continue };
            placed.insert(name.to_string());
            if !settings.hides(name) {
                rows.push(row_for(p, r.depth, Some(&user.name), r.managed.clone().ok()));
            }
            stack.extend(children.get(name).into_iter().flatten().copied().rev());
        }
    }
    for p in graph.profiles.iter().filter(|p| !placed.contains(p.name) && !settings.hides(p.name)) {
        rows.push(row_for(p, 0, None, None));
    }
    let mfa_serials = plan.users.values().filter_map(|u| Some((u.name.clone(), u.mfa_serial.clone()?))).collect();
    (rows, mfa_serials)
}
