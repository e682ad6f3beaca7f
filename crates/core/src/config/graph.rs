//! The profile graph: what each profile is, which IAM user its role chain starts from, what it
//! inherits along the chain (MFA device, region), and what is wrong with it.
//!
//! Chains are followed in `chain` (linear in the number of profiles), a profile's own settings
//! are checked in `checks`. Every problem is a diagnostic on its own profile, except a loop's:
//! one diagnostic, listing the loop, that each member also answers to (`diagnostics_for`), so
//! a loop of a thousand profiles is reported once. One broken profile never stops the others.

use super::arn::{AccountRef, parse_mfa_serial, parse_role_arn, parse_user_arn};
use super::chain::{Break, Cause, NONE, Resolver, Walk};
use super::checks::{check_login, check_own_settings, check_sso};
use super::diagnostics::{Diagnostic, Location, NAME_WIDTH, Severity};
use super::sections::{ConfigSet, Section};
use crate::display::clip;
use serde::Serialize;

pub use super::chain::Chain;

/// STS caps a session assumed with role credentials at one hour.
pub const CHAINED_ROLE_MAX_SECONDS: u32 = 3600;
/// A loop's diagnostic names this many of its members.
const LOOP_NAMES_SHOWN: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileKind {
    /// IAM user with long-term access keys in the files.
    User,
    /// IAM user whose long-term keys come from `credential_process`.
    ProcessUser,
    /// Role assumed from a user (or from the environment via `credential_source`).
    Role,
    /// Role assumed from another role's session.
    ChainedRole,
    Sso,
    /// `login_session`: the AWS CLI's `aws login` keeps its credentials (AWS CLI 2.32+).
    Login,
    WebIdentity,
    /// Keys with a session token: temporary credentials some tool wrote.
    SessionKeys,
    /// Settings only (region, output, …); no way to get credentials.
    ConfigOnly,
}

impl ProfileKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::ProcessUser => "user (process)",
            Self::Role => "role",
            Self::ChainedRole => "chained role",
            Self::Sso => "sso",
            Self::Login => "aws login",
            Self::WebIdentity => "web identity",
            Self::SessionKeys => "session keys",
            Self::ConfigOnly => "config only",
        }
    }

    pub fn is_role(self) -> bool {
        matches!(self, Self::Role | Self::ChainedRole)
    }
}

/// A resolved profile, borrowing its text from the `ConfigSet` it was built from.
/// Serialises as `mfatui list --json` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile<'a> {
    pub name: &'a str,
    pub kind: ProfileKind,
    #[serde(skip)]
    pub at: &'a Location,
    pub role_arn: Option<&'a str>,
    pub source_profile: Option<&'a str>,
    pub credential_source: Option<&'a str>,
    /// Profiles from this one to the root of its chain: `[dev, ops, alice]`. Just `[self]`
    /// for a profile that is not a role. Stops early at a broken link.
    pub chain: Chain<'a>,
    /// The profile whose credentials start the chain: an IAM user with long-term keys (the
    /// profile itself for a user), or an SSO or `aws login` profile, whose credentials the AWS
    /// CLI keeps.
    pub root_user: Option<&'a str>,
    /// The MFA device used for this profile: its own `mfa_serial`, else the nearest one up the chain.
    pub mfa_serial: Option<&'a str>,
    /// Which profile `mfa_serial` came from.
    pub mfa_serial_from: Option<&'a str>,
    /// The profile's own `region`.
    pub region: Option<&'a str>,
    /// The region to use for this profile: its own `region`, else the nearest one up its chain
    /// (a chained role takes its parent role's before its user's).
    pub resolved_region: Option<&'a str>,
    /// Which profile `resolved_region` came from (the profile itself when it is its own).
    pub region_from: Option<&'a str>,
    pub duration_seconds: Option<u32>,
    pub external_id: Option<&'a str>,
    pub role_session_name: Option<&'a str>,
    pub account: Option<AccountRef<'a>>,
    pub sso_session: Option<&'a str>,
    /// The profile this one is an alias of: its `credential_process` is mfatui's wrapper for
    /// that profile (`alias.rs`). The other fields are that profile's.
    pub alias_of: Option<&'a str>,
}

#[derive(Debug, Default)]
pub struct ProfileGraph<'a> {
    /// Sorted by name.
    pub profiles: Vec<Profile<'a>>,
    /// In file order; problems with no place last. Complete when built (`build_with` takes
    /// any others): `diagnostics_for` reads them through an index made then.
    pub diagnostics: Vec<Diagnostic>,
    /// `(position in profiles, index in diagnostics)`, sorted: which diagnostics concern which
    /// profile, so that asking costs a binary search, not a scan of every diagnostic.
    index: Vec<(u32, u32)>,
}

impl<'a> ProfileGraph<'a> {
    pub fn get(&self, name: &str) -> Option<&Profile<'a>> {
        self.position(name).map(|i| &self.profiles[i])
    }

    /// The profile's own diagnostics and, for a member of a `source_profile` loop, the loop's.
    pub fn diagnostics_for<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Diagnostic> + 's {
        // The index is in profile order, which is name order: search it by name directly.
        let name_at = |&(p, _): &(u32, u32)| self.profiles[p as usize].name;
        let start = self.index.partition_point(|e| name_at(e) < name);
        let len = self.index[start..].partition_point(|e| name_at(e) == name);
        self.index[start..start + len].iter().map(|&(_, d)| &self.diagnostics[d as usize])
    }

    pub fn is_broken(&self, name: &str) -> bool {
        self.diagnostics_for(name).any(|d| d.severity == Severity::Error)
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.profiles.binary_search_by(|p| p.name.cmp(name)).ok()
    }

    pub fn build(set: &'a ConfigSet) -> Self {
        Self::build_with(set, Vec::new())
    }

    /// `build`, adding diagnostics found elsewhere (the environment's).
    pub fn build_with(set: &'a ConfigSet, extra: Vec<Diagnostic>) -> Self {
        let mut resolver = Resolver::new(set.profiles.values().collect());
        let used: Vec<u32> =
            (0..resolver.sections.len() as u32).filter(|&i| !set.managed.contains(resolver.name(i))).collect();
        for &i in &used {
            resolver.resolve(i);
        }
        let links = resolver.links();

        let mut diagnostics = set.diagnostics.clone();
        diagnostics.extend(extra);
        // Loop members beyond the one a loop's diagnostic names: (section, loop).
        let mut members = Vec::new();
        let mut profiles = Vec::with_capacity(used.len());
        for &i in &used {
            let w = &resolver.resolved(i);
            let s = resolver.sections[i as usize];
            let name = s.name.as_str();
            let mut diag = |sev, key: Option<&str>, msg: String| {
                let at = key.and_then(|k| s.located(k)).map_or_else(|| s.at.clone(), |l| l.at);
                diagnostics.push(Diagnostic::new(sev, Some(name), Some(at), msg));
            };
            check_own_settings(s, set, &mut diag);
            if w.kind == ProfileKind::Sso {
                check_sso(s, set, &mut diag);
            }
            if w.kind == ProfileKind::Login {
                check_login(s, &mut diag);
            }
            let chain = Chain::new(links.clone(), name, w.first, w.len);
            match w.broken {
                Some(Break { at, cause: Cause::InLoop(n) }) if at == i => members.push((i, n)),
                Some(b) => diag(Severity::Error, Some("source_profile"), broken_message(&resolver, i, b, &chain)),
                None => {}
            }
            let profile = profile(&resolver, i, w, chain);
            if profile.kind == ProfileKind::ChainedRole
                && profile.duration_seconds.is_some_and(|d| d > CHAINED_ROLE_MAX_SECONDS)
            {
                diag(
                    Severity::Warning,
                    Some("duration_seconds"),
                    format!(
                        "duration_seconds is above {CHAINED_ROLE_MAX_SECONDS}, but STS caps a role assumed from another role at 1 hour; mfatui will ask for 1 hour"
                    ),
                );
            }
            profiles.push(profile);
        }
        super::alias::resolve(&resolver, &links, &used, &mut profiles, &set.managed, &mut diagnostics);
        let loop_diagnostics: Vec<usize> = resolver
            .loops
            .iter()
            .map(|l| {
                let first = resolver.sections[l[0] as usize];
                let at = first.located("source_profile").map_or_else(|| first.at.clone(), |l| l.at);
                let names = l.iter().map(|&m| resolver.name(m));
                let msg = format!(
                    "source_profile chain loops{}: {}; one profile in the loop needs its own keys",
                    if l.len() > LOOP_NAMES_SHOWN { format!(" ({} profiles)", l.len()) } else { String::new() },
                    loop_text(names, l.len(), &first.name)
                );
                diagnostics.push(Diagnostic::new(Severity::Error, Some(&first.name), Some(at), msg));
                diagnostics.len() - 1
            })
            .collect();

        let mut graph = Self { profiles, diagnostics: Vec::new(), index: Vec::new() };
        let mut index: Vec<(u32, u32)> = diagnostics
            .iter()
            .enumerate()
            .filter_map(|(d, diag)| Some((graph.position(diag.profile.as_deref()?)? as u32, d as u32)))
            .collect();
        for (i, n) in members {
            let d = loop_diagnostics[n as usize];
            let pos = graph.position(resolver.name(i)).map(|p| p as u32);
            // The member the diagnostic names is indexed by its name already.
            if let Some(pos) = pos.filter(|_| diagnostics[d].profile.as_deref() != Some(resolver.name(i))) {
                index.push((pos, d as u32));
            }
        }
        graph.set_diagnostics(diagnostics, index);
        graph
    }

    /// Store the diagnostics in file order (problems with no place last), remapping the index.
    fn set_diagnostics(&mut self, diagnostics: Vec<Diagnostic>, mut index: Vec<(u32, u32)>) {
        let mut order: Vec<u32> = (0..diagnostics.len() as u32).collect();
        let key = |d: &Diagnostic| d.at.as_ref().map(|l| (l.path.clone(), l.line));
        order.sort_by_cached_key(|&d| {
            let k = key(&diagnostics[d as usize]);
            (k.is_none(), k)
        });
        let mut new_place = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            new_place[old as usize] = new as u32;
        }
        let mut slots: Vec<Option<Diagnostic>> = diagnostics.into_iter().map(Some).collect();
        self.diagnostics = order.iter().filter_map(|&old| slots[old as usize].take()).collect();
        for (_, d) in &mut index {
            *d = new_place[*d as usize];
        }
        index.sort_unstable();
        index.dedup();
        self.index = index;
    }
}

/// Why profile `i`'s chain is broken, said on `i`: at its own link, or further up.
fn broken_message(r: &Resolver, i: u32, b: Break, chain: &Chain) -> String {
    let at = clip(r.name(b.at), NAME_WIDTH);
    let source = clip(r.sections[b.at as usize].get("source_profile").unwrap_or_default(), NAME_WIDTH);
    if b.at != i {
        return match b.cause {
            Cause::Missing => format!("its chain breaks at `{at}`, whose source_profile `{source}` does not exist"),
            Cause::SelfWithoutKeys => format!(
                "its chain breaks at `{at}`, whose source_profile names itself but which has no aws_access_key_id and aws_secret_access_key"
            ),
            Cause::SourceWithoutCredentials => {
                format!("its chain breaks at `{at}`, whose source profile `{source}` has no credentials")
            }
            Cause::InLoop(n) => match r.loops[n as usize][0] {
                first if first == b.at => {
                    format!("its chain breaks at `{at}`, which is in the source_profile loop reported on it")
                }
                first => format!(
                    "its chain breaks at `{at}`, which is in the source_profile loop reported on profile `{}`",
                    clip(r.name(first), NAME_WIDTH)
                ),
            },
            Cause::BackToItself => format!("its chain breaks at `{at}`"),
        };
    }
    match b.cause {
        Cause::Missing => {
            let raw = r.sections[i as usize].get("source_profile").unwrap_or_default();
            let near = crate::suggest::did_you_mean(raw, r.sections.iter().map(|s| &*s.name));
            format!("source_profile `{source}` does not exist{near}: add [profile {source}] with keys, or fix the name")
        }
        Cause::SelfWithoutKeys => format!(
            "source_profile names `{at}` itself, which works only when `{at}` has aws_access_key_id and aws_secret_access_key"
        ),
        Cause::SourceWithoutCredentials => format!(
            "source profile `{source}` has no credentials: give it aws_access_key_id and aws_secret_access_key, or a role_arn"
        ),
        Cause::BackToItself | Cause::InLoop(_) => format!(
            "source_profile chain loops: {}; its keys are not used when it is assumed, so the AWS CLI refuses this chain: source the role from another profile",
            loop_text(chain.iter(), chain.len(), r.name(i))
        ),
    }
}

/// `a → b → a`, or for a long loop its first members, `… and N more`, and the way back.
fn loop_text<'a>(names: impl Iterator<Item = &'a str>, len: usize, back_to: &str) -> String {
    let mut out: Vec<String> = names.take(LOOP_NAMES_SHOWN).map(|n| clip(n, NAME_WIDTH).into_owned()).collect();
    if len > LOOP_NAMES_SHOWN {
        out.push(format!("… and {} more", len - LOOP_NAMES_SHOWN));
    }
    out.push(clip(back_to, NAME_WIDTH).into_owned());
    out.join(" → ")
}

fn profile<'a>(r: &Resolver<'a>, i: u32, w: &Walk, chain: Chain<'a>) -> Profile<'a> {
    let s: &'a Section = r.sections[i as usize];
    let name = r.name(i);
    let from = |j: u32, key: &str| -> (Option<&'a str>, Option<&'a str>) {
        if j == NONE { (None, None) } else { (r.sections[j as usize].get(key), Some(r.name(j))) }
    };
    let (mfa_serial, mfa_serial_from) = from(w.mfa_from, "mfa_serial");
    let (resolved_region, region_from) = from(w.region_from, "region");
    let role_arn = s.get("role_arn");
    let account = role_arn.and_then(parse_role_arn).map(|r| r.account).or_else(|| match w.kind {
        ProfileKind::User | ProfileKind::ProcessUser => {
            s.get("mfa_serial").and_then(parse_mfa_serial).map(|m| m.account)
        }
        ProfileKind::Sso => s.get("sso_account_id").map(|id| AccountRef { partition: "aws", id }),
        ProfileKind::Login => s.get("login_session").and_then(parse_user_arn).map(|(a, _)| a),
        _ => None,
    });
    Profile {
        name,
        kind: w.kind,
        at: &s.at,
        role_arn,
        source_profile: s.get("source_profile"),
        credential_source: s.get("credential_source"),
        chain,
        root_user: (w.root_user != NONE).then(|| r.name(w.root_user)),
        mfa_serial,
        mfa_serial_from,
        region: s.get("region"),
        resolved_region,
        region_from,
        duration_seconds: s.get("duration_seconds").and_then(|d| d.parse().ok()),
        external_id: s.get("external_id"),
        role_session_name: s.get("role_session_name"),
        account,
        sso_session: s.get("sso_session"),
        alias_of: None,
    }
}

pub(super) fn has_static_keys(s: &Section) -> bool {
    s.get("aws_access_key_id").is_some() && s.get("aws_secret_access_key").is_some()
}

/// The SSO settings: any of them makes the SDKs treat a profile as SSO.
const SSO_KEYS: [&str; 5] = ["sso_session", "sso_start_url", "sso_account_id", "sso_role_name", "sso_region"];

pub(super) fn own_kind(s: &Section) -> ProfileKind {
    if s.get("role_arn").is_some() {
        if s.get("web_identity_token_file").is_some() && s.get("source_profile").is_none() {
            ProfileKind::WebIdentity
        } else {
            ProfileKind::Role
        }
    } else if has_static_keys(s) {
        if s.get("aws_session_token").is_some() { ProfileKind::SessionKeys } else { ProfileKind::User }
    } else if s.get("credential_process").is_some() {
        ProfileKind::ProcessUser
    } else if SSO_KEYS.iter().any(|k| s.get(k).is_some()) {
        ProfileKind::Sso
    } else if s.get("login_session").is_some() {
        ProfileKind::Login
    } else {
        ProfileKind::ConfigOnly
    }
}

/// What a profile yields when another profile names it as `source_profile`.
pub(super) fn as_source(s: &Section) -> ProfileKind {
    if has_static_keys(s) {
        if s.get("aws_session_token").is_some() { ProfileKind::SessionKeys } else { ProfileKind::User }
    } else {
        own_kind(s)
    }
}

#[cfg(test)]
#[path = "graph_tests.rs"]
mod tests;
