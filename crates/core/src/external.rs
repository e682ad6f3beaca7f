//! Sessions the AWS CLI keeps for profiles mfatui does not sign in itself: the IAM Identity
//! Center (SSO) access token of `aws sso login` and the credentials of `aws login`
//! (`login_session`). mfatui reads their caches to show their expiry and to assume the roles
//! sourced from them; it never writes or refreshes them, because a refresh rotates the refresh
//! token and would break the user's own `aws sso login` / `aws login` state.
//!
//! - `caches`: where the AWS CLI keeps each cache file and what it holds (read only).
//! - `portal`: the SSO portal's GetRoleCredentials, with the cached access token.

mod caches;
mod portal;

pub use caches::{login_cache_file, sso_cache_file};

use crate::clock::human_duration;
use crate::config::sections::{ConfigSet, Section};
use crate::secret::Keys;
use serde::Serialize;
use std::path::PathBuf;

/// An SSO access token is used for GetRoleCredentials only with this much left.
pub const SSO_MIN_LEFT: i64 = 60;
/// The SDKs refresh `aws login` credentials with less than 5 minutes left (botocore's
/// `LoginCredentialFetcher._REFRESH_THRESHOLD`, aws-config's `REFRESH_BUFFER_TIME`); mfatui
/// cannot refresh them, so it uses them only with more than that left.
pub const LOGIN_MIN_LEFT: i64 = 300;

/// Which session another tool keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExternalKind {
    /// `aws sso login`: an access token for the SSO portal.
    SsoToken,
    /// `aws login`: temporary credentials of the IAM user, refreshed by the AWS CLI.
    LoginCredentials,
}

impl ExternalKind {
    /// What the expiry shown is the expiry of.
    pub fn label(self) -> &'static str {
        match self {
            Self::SsoToken => "SSO access token",
            Self::LoginCredentials => "aws login credentials",
        }
    }
}

/// Where a profile's base credentials come from when the AWS CLI keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternalSource {
    Sso {
        profile: String,
        /// The cache file `aws sso login` writes (`~/.aws/sso/cache/<sha1>.json`).
        cache: Option<PathBuf>,
        /// `sso_region`: where the portal is.
        region: String,
        account_id: Option<String>,
        role_name: Option<String>,
        /// The portal's URL when not AWS's (`AWS_ENDPOINT_URL_SSO`, `AWS_ENDPOINT_URL`).
        endpoint: Option<String>,
    },
    Login {
        profile: String,
        /// The `login_session` ARN (`arn:aws:iam::ACCOUNT:user/NAME`).
        session: String,
        /// `~/.aws/login/cache/<sha256>.json`, or under `AWS_LOGIN_CACHE_DIRECTORY`.
        cache: Option<PathBuf>,
    },
}

/// A session another tool keeps, as read from its cache just now: what the dashboard's and
/// `list`'s rows show as a countdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExternalSession {
    pub profile: String,
    pub kind: ExternalKind,
    /// Unix seconds; `None` when nothing usable is cached (see `problem`).
    pub expires_at: Option<i64>,
    /// The command that renews it: `aws sso login --profile X`, `aws login --profile X`.
    pub renew_command: String,
    /// Why there is no expiry: no cache file, or one mfatui cannot read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

impl ExternalSession {
    /// One line for people: "SSO access token, 3h 12m left" or what to run.
    pub fn describe(&self, now: i64) -> String {
        let what = self.kind.label();
        match (self.expires_at, &self.problem) {
            (Some(at), _) if at > now => format!("{what} valid for {}", human_duration(at - now)),
            (Some(at), _) => {
                format!("{what} expired {} ago: renew with `{}`", human_duration(now - at), self.renew_command)
            }
            (None, Some(p)) => format!("{p}: sign in with `{}`", self.renew_command),
            (None, None) => format!("no {what} cached: sign in with `{}`", self.renew_command),
        }
    }

    /// A table cell: "SSO token 3h 12m", "login expired", "no SSO token".
    pub fn short(&self, now: i64) -> String {
        let what = match self.kind {
            ExternalKind::SsoToken => "SSO token",
            ExternalKind::LoginCredentials => "login",
        };
        match self.expires_at {
            Some(at) if at > now => format!("{what} {}", human_duration(at - now)),
            Some(_) => format!("{what} expired"),
            None if self.problem.is_some() => format!("{what} unreadable"),
            None => format!("no {what}"),
        }
    }

    pub fn left(&self, now: i64) -> Option<i64> {
        self.expires_at.map(|at| at - now)
    }
}

/// Why a source gave no credentials: each says what to run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExternalError {
    #[error("no {what} is cached for {profile}: sign in with `{command}`")]
    Missing { profile: String, what: &'static str, command: String },
    #[error("the {what} of {profile} expired {ago} ago: renew it with `{command}`")]
    Expired { profile: String, what: &'static str, ago: String, command: String },
    #[error(
        "the aws login credentials of {profile} expired {ago} ago and only the AWS CLI may refresh them (mfatui never writes its cache), so the AWS CLI assumes the roles sourced from {profile} until then: any `aws --profile {profile} …` command refreshes them while the sign-in lasts (up to 12 hours), else renew it with `{command}`"
    )]
    LoginExpired { profile: String, ago: String, command: String },
    #[error("the {what} of {profile} ends in {left}: renew it with `{command}`")]
    Ending { profile: String, what: &'static str, left: String, command: String },
    #[error(
        "the aws login credentials of {profile} have {left} left and only the AWS CLI may refresh them (mfatui never writes its cache), so the AWS CLI assumes the roles sourced from {profile} until then: any `aws --profile {profile} …` command refreshes them, or renew with `{command}`"
    )]
    NeedsRefresh { profile: String, left: String, command: String },
    #[error("the {what} cache of {profile} ({path}) cannot be read: {detail}; renew it with `{command}`")]
    Unreadable { profile: String, what: &'static str, path: String, detail: String, command: String },
    #[error(
        "the SSO portal refused the access token of {profile} (expired, or signed out elsewhere): renew it with `{command}`"
    )]
    Refused { profile: String, command: String },
    #[error("{profile} names no sso_account_id and sso_role_name, so it gives no AWS credentials: add both to it")]
    NoRole { profile: String },
    #[error("{0}")]
    Portal(crate::net::AwsError),
    #[error("the SSO portal says {profile} has no access to role {role} in account {account}: {detail}")]
    NoAccess { profile: String, role: String, account: String, detail: String },
}

/// Credentials a source gave, and when they end.
#[derive(Debug, Clone)]
pub struct ExternalCredentials {
    pub keys: Keys,
    pub expiration: i64,
}

impl ExternalSource {
    /// The source a profile's own settings describe, if it is SSO or `aws login`. `env` is the
    /// process environment (HOME, AWS_LOGIN_CACHE_DIRECTORY, AWS_ENDPOINT_URL_SSO…).
    pub fn of(set: &ConfigSet, section: &Section, env: &dyn Fn(&str) -> Option<String>) -> Option<Self> {
        let profile = section.name.clone();
        let has_keys = section.get("aws_access_key_id").is_some() && section.get("aws_secret_access_key").is_some();
        if section.get("role_arn").is_some() || has_keys || section.get("credential_process").is_some() {
            return None;
        }
        // The SDKs try SSO before `aws login` (botocore's profile provider order).
        let session = section.get("sso_session").and_then(|n| set.sso_sessions.get(n).map(|s| (n, s)));
        let (key, region) = match (session, section.get("sso_start_url"), section.get("login_session")) {
            (Some((name, s)), _, _) => (name, s.get("sso_region")),
            (None, Some(url), _) if section.get("sso_session").is_none() => (url, section.get("sso_region")),
            (None, None, Some(login)) if section.get("sso_session").is_none() => {
                return Some(Self::Login { profile, session: login.to_string(), cache: login_cache_file(login, env) });
            }
            _ => return None,
        };
        let endpoint = env("AWS_ENDPOINT_URL_SSO").or_else(|| env("AWS_ENDPOINT_URL")).filter(|e| !e.is_empty());
        Some(Self::Sso {
            profile,
            cache: sso_cache_file(key, env),
            region: region.unwrap_or("us-east-1").to_string(),
            account_id: section.get("sso_account_id").map(str::to_string),
            role_name: section.get("sso_role_name").map(str::to_string),
            endpoint,
        })
    }

    pub fn profile(&self) -> &str {
        match self {
            Self::Sso { profile, .. } | Self::Login { profile, .. } => profile,
        }
    }

    pub fn kind(&self) -> ExternalKind {
        match self {
            Self::Sso { .. } => ExternalKind::SsoToken,
            Self::Login { .. } => ExternalKind::LoginCredentials,
        }
    }

    /// The exact command that renews this source.
    pub fn renew_command(&self) -> String {
        match self {
            Self::Sso { profile, .. } => format!("aws sso login --profile {profile}"),
            Self::Login { profile, .. } => format!("aws login --profile {profile}"),
        }
    }

    /// The AWS CLI's cache file this source is read from (what a dashboard watches).
    pub fn cache_file(&self) -> Option<&std::path::Path> {
        self.cache().map(PathBuf::as_path)
    }

    fn cache(&self) -> Option<&PathBuf> {
        match self {
            Self::Sso { cache, .. } | Self::Login { cache, .. } => cache.as_ref(),
        }
    }

    /// The session as its cache holds it now (read only).
    pub fn session(&self) -> ExternalSession {
        let (expires_at, problem) = match self.read() {
            Ok(Some(c)) => (Some(c.expires_at()), None),
            Ok(None) => (None, None),
            Err(detail) => (None, Some(format!("its {} cache cannot be read ({detail})", self.kind().label()))),
        };
        ExternalSession {
            profile: self.profile().to_string(),
            kind: self.kind(),
            expires_at,
            renew_command: self.renew_command(),
            problem,
        }
    }

    fn read(&self) -> Result<Option<caches::Cached>, String> {
        let Some(path) = self.cache() else { return Ok(None) };
        match self {
            Self::Sso { .. } => caches::read_sso(path),
            Self::Login { .. } => caches::read_login(path),
        }
    }

    /// Credentials to assume roles with, from the cache alone (and, for SSO, the portal):
    /// never a refresh, never a write.
    pub async fn credentials(
        &self,
        now: i64,
        deadlines: crate::net::Deadlines,
        endpoint_override: Option<&str>,
    ) -> Result<ExternalCredentials, ExternalError> {
        let (profile, what, command) = (self.profile().to_string(), self.kind().label(), self.renew_command());
        let cached = self.read().map_err(|detail| ExternalError::Unreadable {
            profile: profile.clone(),
            what,
            path: self.cache().map(|p| p.display().to_string()).unwrap_or_default(),
            detail,
            command: command.clone(),
        })?;
        let Some(cached) = cached else { return Err(ExternalError::Missing { profile, what, command }) };
        let left = cached.expires_at() - now;
        if left <= 0 {
            let ago = human_duration(-left);
            return Err(match self {
                Self::Login { .. } => ExternalError::LoginExpired { profile, ago, command },
                Self::Sso { .. } => ExternalError::Expired { profile, what, ago, command },
            });
        }
        match (self, cached) {
            (Self::Login { .. }, caches::Cached::Login(c)) => {
                if left <= LOGIN_MIN_LEFT {
                    return Err(ExternalError::NeedsRefresh { profile, left: human_duration(left), command });
                }
                Ok(ExternalCredentials { keys: c.keys, expiration: c.expires_at })
            }
            (Self::Sso { region, account_id, role_name, endpoint, .. }, caches::Cached::Sso(t)) => {
                if left <= SSO_MIN_LEFT {
                    return Err(ExternalError::Ending { profile, what, left: human_duration(left), command });
                }
                let (Some(account), Some(role)) = (account_id, role_name) else {
                    return Err(ExternalError::NoRole { profile });
                };
                let base = endpoint_override
                    .map(str::to_string)
                    .or_else(|| endpoint.clone())
                    .unwrap_or_else(|| format!("https://portal.sso.{region}.amazonaws.com"));
                let call = portal::Call { profile: &profile, base: &base, account, role, command: &command };
                portal::role_credentials(&call, &t.access_token, deadlines).await
            }
            // `read` parses the file as its own kind.
            _ => Err(ExternalError::Missing { profile, what, command }),
        }
    }
}

/// The session of every SSO and `aws login` profile, read from the AWS CLI's caches now.
pub fn sessions(
    set: &ConfigSet,
    env: &dyn Fn(&str) -> Option<String>,
) -> std::collections::BTreeMap<String, ExternalSession> {
    sources(set, env).into_iter().map(|s| (s.profile().to_string(), s.session())).collect()
}

/// Every SSO and `aws login` profile of the files (not broken ones' problems: `doctor` has those).
pub fn sources(set: &ConfigSet, env: &dyn Fn(&str) -> Option<String>) -> Vec<ExternalSource> {
    set.profiles
        .values()
        .filter(|s| !set.managed.contains(&s.name))
        .filter_map(|s| ExternalSource::of(set, s, env))
        .collect()
}
