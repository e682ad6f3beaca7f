//! The profile graph: what each profile is, which IAM user its role chain starts from, and
//! what is wrong with it.
//!
//! Chain rules follow the AWS CLI (botocore's assume-role provider): a role is sourced from
//! `source_profile` or `credential_source`; a source profile that has static keys supplies
//! them even if it also has a `role_arn`; a source profile with only a role is itself assumed
//! first (a chained role); `source_profile` naming the profile itself is allowed only when
//! that profile has static keys. Every problem is a diagnostic on its own profile; one broken
//! profile never stops the others from resolving.

use super::arn::{AccountRef, is_mfa_serial, is_role_arn, parse_mfa_serial, parse_role_arn};
use super::diagnostics::{Diagnostic, Location, Severity};
use super::sections::{ConfigSet, Section};
use serde::Serialize;
use std::collections::BTreeMap;

const CREDENTIAL_SOURCES: [&str; 3] = ["Environment", "Ec2InstanceMetadata", "EcsContainer"];
/// STS caps a session assumed with role credentials at one hour.
pub const CHAINED_ROLE_MAX_SECONDS: u32 = 3600;

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
    pub chain: Vec<&'a str>,
    /// The IAM user profile whose long-term keys start the chain (the profile itself for a user).
    pub root_user: Option<&'a str>,
    /// The MFA device used for this profile: its own `mfa_serial`, else the nearest one up the chain.
    pub mfa_serial: Option<&'a str>,
    /// Which profile `mfa_serial` came from.
    pub mfa_serial_from: Option<&'a str>,
    pub region: Option<&'a str>,
    pub duration_seconds: Option<u32>,
    pub external_id: Option<&'a str>,
    pub role_session_name: Option<&'a str>,
    pub account: Option<AccountRef<'a>>,
    pub sso_session: Option<&'a str>,
}

#[derive(Debug, Default)]
pub struct ProfileGraph<'a> {
    /// Sorted by name.
    pub profiles: Vec<Profile<'a>>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> ProfileGraph<'a> {
    pub fn get(&self, name: &str) -> Option<&Profile<'a>> {
        self.profiles.binary_search_by(|p| p.name.cmp(name)).ok().map(|i| &self.profiles[i])
    }

    pub fn diagnostics_for<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Diagnostic> + 's {
        self.diagnostics.iter().filter(move |d| d.profile.as_deref() == Some(name))
    }

    pub fn is_broken(&self, name: &str) -> bool {
        self.diagnostics_for(name).any(|d| d.severity == Severity::Error)
    }

    pub fn build(set: &'a ConfigSet) -> Self {
        let mut diagnostics = set.diagnostics.clone();
        let profiles = set
            .profiles
            .values()
            .filter(|s| !set.managed.contains(&s.name))
            .map(|s| resolve(s, &set.profiles, set, &mut diagnostics))
            .collect();
        // File order reads best; problems with no place go last.
        diagnostics.sort_by(|a, b| {
            let key = |d: &Diagnostic| d.at.as_ref().map(|l| (l.path.clone(), l.line));
            (key(a).is_none(), key(a)).cmp(&(key(b).is_none(), key(b)))
        });
        Self { profiles, diagnostics }
    }
}

fn has_static_keys(s: &Section) -> bool {
    s.get("aws_access_key_id").is_some() && s.get("aws_secret_access_key").is_some()
}

fn own_kind(s: &Section) -> ProfileKind {
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
    } else if s.get("sso_session").is_some() || s.get("sso_start_url").is_some() {
        ProfileKind::Sso
    } else {
        ProfileKind::ConfigOnly
    }
}

/// What a profile yields when another profile names it as `source_profile`.
fn as_source(s: &Section) -> ProfileKind {
    if has_static_keys(s) {
        if s.get("aws_session_token").is_some() { ProfileKind::SessionKeys } else { ProfileKind::User }
    } else {
        own_kind(s)
    }
}

fn resolve<'a>(
    s: &'a Section,
    all: &'a BTreeMap<String, Section>,
    set: &ConfigSet,
    out: &mut Vec<Diagnostic>,
) -> Profile<'a> {
    let name = s.name.as_str();
    let mut diag = |sev, key: Option<&str>, msg: String| {
        let at = key.and_then(|k| s.located(k)).map(|l| l.at.clone()).unwrap_or_else(|| s.at.clone());
        out.push(Diagnostic::new(sev, Some(name), Some(at), msg));
    };
    check_own_settings(s, set, &mut diag);

    let mut kind = own_kind(s);
    let mut chain = vec![name];
    let mut root_user = match kind {
        ProfileKind::User | ProfileKind::ProcessUser => Some(name),
        _ => None,
    };
    if kind == ProfileKind::Role {
        let mut current = s;
        while let Some(source) = current.get("source_profile") {
            if source == current.name {
                if has_static_keys(current) {
                    root_user = Some(source);
                } else {
                    diag(
                        Severity::Error,
                        Some("source_profile"),
                        format!(
                            "source_profile names `{source}` itself, which works only when `{source}` has aws_access_key_id and aws_secret_access_key"
                        ),
                    );
                }
                break;
            }
            let Some(next) = all.get(source) else {
                diag(
                    Severity::Error,
                    Some("source_profile"),
                    if current.name == name {
                        format!(
                            "source_profile `{source}` does not exist: add [profile {source}] with keys, or fix the name"
                        )
                    } else {
                        format!(
                            "its chain breaks at `{}`, whose source_profile `{source}` does not exist",
                            current.name
                        )
                    },
                );
                break;
            };
            if chain.contains(&source) {
                chain.push(source);
                diag(
                    Severity::Error,
                    Some("source_profile"),
                    format!(
                        "source_profile chain loops: {}; one profile in the loop needs its own keys",
                        chain.join(" → ")
                    ),
                );
                chain.pop();
                break;
            }
            chain.push(source);
            match as_source(next) {
                ProfileKind::User | ProfileKind::ProcessUser => {
                    root_user = Some(source);
                    break;
                }
                ProfileKind::Role => {
                    kind = ProfileKind::ChainedRole;
                    current = next;
                }
                ProfileKind::ConfigOnly => {
                    diag(
                        Severity::Error,
                        Some("source_profile"),
                        format!(
                            "source profile `{source}` has no credentials: give it aws_access_key_id and aws_secret_access_key, or a role_arn"
                        ),
                    );
                    break;
                }
                ProfileKind::ChainedRole | ProfileKind::Sso | ProfileKind::WebIdentity | ProfileKind::SessionKeys => {
                    break;
                }
            }
        }
    }

    // The nearest mfa_serial from the profile itself up its chain.
    let (mfa_serial, mfa_serial_from) = chain
        .iter()
        .filter_map(|p| all.get(*p))
        .find_map(|sec| sec.get("mfa_serial").map(|m| (Some(m), Some(sec.name.as_str()))))
        .unwrap_or((None, None));

    let role_arn = s.get("role_arn");
    let account = role_arn.and_then(parse_role_arn).map(|r| r.account).or_else(|| match kind {
        ProfileKind::User | ProfileKind::ProcessUser => {
            s.get("mfa_serial").and_then(parse_mfa_serial).map(|m| m.account)
        }
        ProfileKind::Sso => s.get("sso_account_id").map(|id| AccountRef { partition: "aws", id }),
        _ => None,
    });
    let duration_seconds = s.get("duration_seconds").and_then(|d| d.parse().ok());
    if kind == ProfileKind::ChainedRole && duration_seconds.is_some_and(|d| d > CHAINED_ROLE_MAX_SECONDS) {
        diag(
            Severity::Warning,
            Some("duration_seconds"),
            format!(
                "duration_seconds is above {CHAINED_ROLE_MAX_SECONDS}, but STS caps a role assumed from another role at 1 hour; mfatui will ask for 1 hour"
            ),
        );
    }

    Profile {
        name,
        kind,
        at: &s.at,
        role_arn,
        source_profile: s.get("source_profile"),
        credential_source: s.get("credential_source"),
        chain,
        root_user,
        mfa_serial,
        mfa_serial_from,
        region: s.get("region"),
        duration_seconds,
        external_id: s.get("external_id"),
        role_session_name: s.get("role_session_name"),
        account,
        sso_session: s.get("sso_session"),
    }
}

/// Checks that need only the profile's own settings.
fn check_own_settings(s: &Section, set: &ConfigSet, diag: &mut impl FnMut(Severity, Option<&str>, String)) {
    let id = s.get("aws_access_key_id");
    let secret = s.get("aws_secret_access_key");
    match (id, secret) {
        (Some(_), None) => diag(Severity::Error, Some("aws_access_key_id"), "has aws_access_key_id but no aws_secret_access_key: add the secret, or remove the key id".into()),
        (None, Some(_)) => diag(Severity::Error, Some("aws_secret_access_key"), "has aws_secret_access_key but no aws_access_key_id: add the key id, or remove the secret".into()),
        (None, None) if s.get("aws_session_token").is_some() => diag(Severity::Error, Some("aws_session_token"), "has aws_session_token but no access keys: a session token is used only together with aws_access_key_id and aws_secret_access_key".into()),
        _ => {}
    }
    if let Some(arn) = s.get("role_arn") {
        if !is_role_arn(arn) {
            diag(
                Severity::Error,
                Some("role_arn"),
                format!("role_arn `{arn}` is not a role ARN; expected arn:aws:iam::123456789012:role/NAME"),
            );
        }
        let sp = s.get("source_profile");
        let cs = s.get("credential_source");
        let web = s.get("web_identity_token_file");
        match (sp, cs) {
            (Some(_), Some(_)) => diag(Severity::Error, Some("credential_source"), "has both source_profile and credential_source; the AWS CLI refuses this: keep one".into()),
            (None, None) if web.is_none() => diag(Severity::Error, Some("role_arn"), "has role_arn but no source_profile or credential_source, so nothing can assume the role: add source_profile = <your IAM user profile>".into()),
            _ => {}
        }
        if let Some(cs) = cs.filter(|c| !CREDENTIAL_SOURCES.contains(c)) {
            diag(
                Severity::Error,
                Some("credential_source"),
                format!("credential_source `{cs}` is not one of Environment, Ec2InstanceMetadata, EcsContainer"),
            );
        }
        if id.is_some() && secret.is_some() {
            diag(Severity::Warning, Some("role_arn"), "has both role_arn and access keys: used directly it assumes the role, but as another profile's source_profile its keys are used".into());
        }
    }
    if let Some(d) = s.get("duration_seconds") {
        // Roles: AssumeRole's limit. Users: the MFA session's (GetSessionToken) limit.
        let max = if s.get("role_arn").is_some() { 43_200 } else { 129_600 };
        match d.parse::<u32>() {
            Ok(n) if (900..=max).contains(&n) => {}
            _ => diag(
                Severity::Error,
                Some("duration_seconds"),
                format!("duration_seconds `{d}` must be a whole number of seconds from 900 to {max}"),
            ),
        }
    }
    if let Some(n) = s.get("role_session_name") {
        let ok = (2..=64).contains(&n.len()) && n.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@-_".contains(c));
        if !ok {
            diag(
                Severity::Error,
                Some("role_session_name"),
                format!("role_session_name `{n}` must be 2 to 64 characters of letters, digits and +=,.@-_"),
            );
        }
    }
    if let Some(e) = s.get("external_id") {
        let ok =
            (2..=1224).contains(&e.len()) && e.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@:/-_".contains(c));
        if !ok {
            diag(
                Severity::Error,
                Some("external_id"),
                "external_id must be 2 to 1224 characters of letters, digits and +=,.@:/-_".into(),
            );
        }
    }
    if let Some(m) = s.get("mfa_serial").filter(|m| m.starts_with("arn:") && !is_mfa_serial(m)) {
        diag(
            Severity::Error,
            Some("mfa_serial"),
            format!("mfa_serial `{m}` is not an MFA device ARN; expected arn:aws:iam::123456789012:mfa/DEVICE"),
        );
    }
    if let Some(sso) = s.get("sso_session").filter(|n| !set.sso_sessions.contains_key(*n)) {
        diag(
            Severity::Error,
            Some("sso_session"),
            format!("sso_session `{sso}` has no [sso-session {sso}] section in the config file"),
        );
    }
}

#[cfg(test)]
#[path = "graph_tests.rs"]
mod tests;
