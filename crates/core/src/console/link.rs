//! The console link for a planned profile, shared by `mfatui console` and the dashboard's `o`:
//! a role's console through the federation endpoint, or a user's account sign-in page.

use super::{Partition, URL_VALID_SECS, destination, federation_endpoint, login_url, signin_token};
use crate::clock::rfc3339;
use crate::engine::{Engine, EngineError, Plan, Prompting, Resolved};

/// What to open, and how to talk about it.
pub struct Link {
    pub url: String,
    /// `dev-admin (console home, eu-west-1)`, for messages (never the URL: it holds a token).
    pub what: String,
    /// Unix seconds after which the URL no longer signs in (None: a plain page).
    pub valid_until: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Console(#[from] super::ConsoleError),
    #[error(
        "{user} is an IAM user: the console needs a role session or a password sign-in, and mfatui does not know {user}'s account (add mfa_serial to its profile)"
    )]
    UnknownAccount { user: String },
}

/// The link for `profile`: a role's console (its session renewed first when near its end), or a
/// user's account sign-in page.
pub async fn link(
    engine: &Engine,
    plan: &Plan,
    profile: &str,
    region: Option<&str>,
    dest: Option<&str>,
    prompting: Prompting,
) -> Result<Link, LinkError> {
    match plan.resolve(profile)? {
        Resolved::User(u) => {
            let partition = Partition::of(None, &u.export_region);
            let aliases = engine.store().load().account_aliases;
            let account =
                u.account.as_deref().map(|a| aliases.get(a).filter(|x| !x.is_empty()).map_or(a, |x| x.as_str()));
            let Some(account) = account else { return Err(LinkError::UnknownAccount { user: u.name.clone() }) };
            Ok(Link {
                url: partition.account_signin(account),
                what: format!(
                    "{}'s account sign-in page ({} is an IAM user: the console needs a role session, or a password and MFA sign-in here)",
                    u.name, u.name
                ),
                valid_until: None,
            })
        }
        Resolved::Role(r) => {
            let arn = crate::config::arn::parse_role_arn(&r.role_arn);
            let region = region.unwrap_or(&r.export_region);
            let partition = Partition::of(arn.map(|a| a.account.partition), region);
            let to = destination(partition, region, dest)?;
            let want = engine.hand_out_left(plan, &r.name);
            let creds = engine.credentials(plan, &r.name, want, prompting, &None).await?;
            let endpoint = engine.federation().map(str::to_string).unwrap_or_else(|| federation_endpoint(partition));
            let token = signin_token(&endpoint, &creds.keys, engine.settings().deadlines).await?;
            let place = dest.unwrap_or("console home");
            Ok(Link {
                url: login_url(&endpoint, &token, &to),
                what: format!("the console as {} ({place}, {region})", r.name),
                valid_until: Some(engine.clock().now() + URL_VALID_SECS),
            })
        }
    }
}

/// `14:05 UTC`: when a link stops signing in.
pub fn clock_time(unix: i64) -> String {
    rfc3339(unix).get(11..16).unwrap_or_default().to_string() + " UTC"
}
