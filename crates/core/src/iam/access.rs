//! Whose credentials IAM calls about a user are signed with, and the errors of the IAM view.
//!
//! Force-MFA policies deny IAM to long-term keys, so calls run on the user's MFA session
//! (obtained through the engine, which asks its prompter when there is none). A user without
//! `mfa_serial` has no MFA session: its long-term keys sign, and `Access::mfa` says so.

use super::api::mask;
use super::denial::Denial;
use crate::engine::{Engine, EngineError, Plan, Prompting, Resolved, Sink, UserPlan};
use crate::net::{AwsError, Keys};
use crate::sts::{self, Target};

/// An MFA session with less than this left is renewed first: a rotation must not outlive it.
pub const MIN_SESSION_LEFT: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IamError {
    #[error("{0}")]
    Engine(EngineError),
    #[error("{what} failed: {cause}")]
    Aws { what: String, cause: AwsError },
    #[error(
        "the keys of {profile} come from credential_process, so mfatui cannot rotate them: rotate them where that command gets them"
    )]
    KeysFromProcess { profile: String },
    #[error("{0}")]
    File(String),
    #[error("the rotation journal {path}: {detail}")]
    Journal { path: String, detail: String },
    #[error(
        "another mfatui is rotating the key of {profile} right now; wait for it to finish (a killed rotation leaves no lock behind)"
    )]
    Busy { profile: String },
    #[error(
        "{user} already has two access keys, the most IAM allows (inactive keys count): to make room mfatui would delete {key} (never the key in use); allow that with `mfatui rotate {profile} --make-room`"
    )]
    NoRoom { user: String, profile: String, key: String },
    #[error("{what} was declined; nothing was changed by this step")]
    Declined { what: String },
    #[error("{0}")]
    Refused(String),
    #[error("{what} did not finish within {secs}s; check the network and retry")]
    Deadline { what: String, secs: u64 },
}

impl From<EngineError> for IamError {
    fn from(e: EngineError) -> Self {
        Self::Engine(e)
    }
}

impl From<crate::userfile::FileError> for IamError {
    fn from(e: crate::userfile::FileError) -> Self {
        Self::File(e.to_string())
    }
}

/// Wrap an AWS error with what was being done: `iam:ListAccessKeys for alice`.
pub fn failed(what: impl Into<String>) -> impl FnOnce(AwsError) -> IamError {
    let what = what.into();
    move |cause| IamError::Aws { what, cause }
}

/// An error in a few words: AccessDenied messages repeat the user and action a reader knows.
pub fn short(e: &AwsError) -> String {
    match e.root() {
        AwsError::AccessDenied { message } => Denial::read(message).short(),
        _ => e.to_string(),
    }
}

/// Who IAM calls about one user are made as, and where they go.
#[derive(Debug, Clone)]
pub struct Access {
    /// The IAM user profile.
    pub profile: String,
    /// The IAM user's name and ARN, as STS reports them.
    pub user: String,
    pub arn: String,
    pub account: String,
    pub target: Target,
    /// The MFA session, or the long-term keys of a user without `mfa_serial`.
    pub keys: Keys,
    pub mfa: bool,
    /// The user's long-term keys from its profile, when they could be read.
    pub long_term: Option<Keys>,
}

impl Access {
    /// One line for people: what signs the IAM calls.
    pub fn signing(&self) -> String {
        if self.mfa {
            format!("IAM calls are signed with the MFA session of {}", self.profile)
        } else {
            format!(
                "{} has no mfa_serial, so IAM calls are signed with its long-term key {} (no MFA)",
                self.profile,
                mask(&self.keys.access_key_id)
            )
        }
    }
}

/// The IAM user profile a name means: a user, or the user a role (or managed name) is rooted at.
pub fn user_of<'a>(plan: &'a Plan, name: &str) -> Result<&'a UserPlan, IamError> {
    let user = match plan.resolve(name)? {
        Resolved::User(u) => u,
        Resolved::Role(r) => plan
            .users
            .get(&r.user)
            .ok_or_else(|| IamError::Engine(EngineError::ParentFailed { parent: r.user.clone() }))?,
    };
    match user.external() {
        None => Ok(user),
        Some(source) => Err(IamError::Engine(EngineError::NotSignable {
            why: format!(
                "{name} comes from {}, an {} profile, not from an IAM user with access keys: mfatui's IAM view is for IAM users' keys and MFA",
                source.profile(),
                match source.kind() {
                    crate::external::ExternalKind::SsoToken => "IAM Identity Center (SSO)",
                    crate::external::ExternalKind::LoginCredentials => "`aws login`",
                }
            ),
        })),
    }
}

/// `(user name, account)` of an IAM user ARN (`arn:aws:iam::123:user/path/name`).
pub fn parse_user_arn(arn: &str) -> Option<(String, String)> {
    let mut parts = arn.splitn(6, ':');
    let (_, _, service, _, account, resource) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let name = resource.strip_prefix("user/")?.rsplit('/').next()?;
    (service == "iam" && !name.is_empty()).then(|| (name.to_string(), account.to_string()))
}

/// The credentials and identity for IAM calls about `name`'s user. `also` are other long-term
/// keys of the user worth trying (the old key while a rotation is under way).
pub async fn access(engine: &Engine, plan: &Plan, name: &str, also: &[Keys], sink: &Sink) -> Result<Access, IamError> {
    let user = user_of(plan, name)?;
    let target = engine.target(&user.target);
    let long_term = match engine.long_term_keys(user).await {
        Ok(k) => Some(k),
        Err(e) if also.is_empty() => return Err(e.into()),
        Err(_) => None,
    };
    let candidates: Vec<Keys> = long_term.iter().chain(also).cloned().collect();
    let session = match &user.mfa_serial {
        Some(_) => Some(engine.credentials(plan, &user.name, MIN_SESSION_LEFT, Prompting::Allowed, sink).await?.keys),
        None => None,
    };
    // The identity from a long-term key first (an emulator may not map an MFA session to its
    // user), else from the session (a key just written may not be usable yet).
    let mut last = None;
    for keys in candidates.iter().chain(session.iter()) {
        match sts::get_caller_identity(&target, keys).await {
            Ok(id) => {
                let Some((user_name, account)) = parse_user_arn(&id.arn) else {
                    return Err(IamError::Refused(format!(
                        "the keys of {} belong to {}, not to an IAM user; the IAM view is about IAM users and their access keys",
                        user.name, id.arn
                    )));
                };
                let signer = match &session {
                    Some(s) => s.clone(),
                    None => keys.clone(),
                };
                let arn = id.arn.clone();
                return Ok(Access {
                    profile: user.name.clone(),
                    user: user_name,
                    arn,
                    account,
                    target,
                    keys: signer,
                    mfa: session.is_some(),
                    long_term,
                });
            }
            Err(e) => last = Some(e),
        }
    }
    Err(IamError::Aws {
        what: format!("sts:GetCallerIdentity for {}", user.name),
        cause: last.unwrap_or(AwsError::InvalidKey { message: "no usable key".into() }),
    })
}

#[cfg(test)]
mod tests {
    use super::{parse_user_arn, short};
    use crate::net::AwsError;

    #[test]
    fn denials_in_a_few_words() {
        let denied = |m: &str| short(&AwsError::AccessDenied { message: m.into() });
        assert_eq!(
            denied(
                "User: u is not authorized to perform: iam:ListUserPolicies on resource: r because no identity-based policy allows the iam:ListUserPolicies action"
            ),
            "access denied, because no identity-based policy allows the iam:ListUserPolicies action"
        );
        assert_eq!(
            denied(
                "User: u is not authorized to perform: iam:X with an explicit deny in an identity-based policy: arn:aws:iam::1:policy/D. Go to https://x"
            ),
            "access denied, explicit deny in an identity-based policy"
        );
        assert_eq!(denied("User: u is not authorized to perform: iam:X"), "access denied");
    }

    /// The dashboard runs these on tokio tasks: their futures must be `Send`.
    #[test]
    fn the_iam_views_futures_can_be_spawned() {
        use crate::iam::{audit, keys, rotate};
        fn send<T: Send>(_: T) {}
        let dir = tempfile::tempdir().unwrap();
        let paths = crate::config::AwsPaths { config: dir.path().join("c"), credentials: dir.path().join("k") };
        let store = crate::store::SessionStore::in_dir(dir.path());
        let clock = std::sync::Arc::new(crate::clock::SystemClock);
        let e = crate::engine::Engine::builder(Default::default(), store, paths, clock).build();
        let plan = crate::engine::Plan::default();
        let opts = rotate::RotateOptions::default();
        send(rotate::rotate(&e, &plan, "x", &opts, &rotate::Yes, &|_| {}));
        send(keys::overview(&e, &plan, "x", 90, &None));
        send(audit::audit(&e, &plan, "x", None, &audit::AuditOptions::default(), &None));
    }

    #[test]
    fn user_arns() {
        assert_eq!(
            parse_user_arn("arn:aws:iam::123456789012:user/alice"),
            Some(("alice".into(), "123456789012".into()))
        );
        assert_eq!(parse_user_arn("arn:aws-cn:iam::1:user/ops/bob"), Some(("bob".into(), "1".into())));
        assert_eq!(parse_user_arn("arn:aws:sts::1:assumed-role/r/s"), None);
        assert_eq!(parse_user_arn("arn:aws:sts::123456789012:user/moto"), None);
    }
}
