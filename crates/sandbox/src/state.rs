//! The sandbox's live state: users and their keys and MFA devices, roles, policies, and every
//! credential it has issued. Pure data and rules; no HTTP here.

use super::seed::Seed;
use mfatui_core::secret::Secret;
use mfatui_core::totp::Totp;
use rand::Rng;
use std::collections::{BTreeMap, HashMap};

/// An AWS-style error: HTTP status, code, message. `sender` picks `Sender`/`Receiver` in the XML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        Self { status, code: code.into(), message: message.into() }
    }
    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new(403, "AccessDenied", message)
    }
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(400, "ValidationError", message)
    }
    pub fn no_such_entity(message: impl Into<String>) -> Self {
        Self::new(404, "NoSuchEntity", message)
    }
    pub fn invalid_token() -> Self {
        Self::new(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

pub fn random_id(prefix: &str, len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut rng = rand::thread_rng();
    let mut s = String::with_capacity(prefix.len() + len);
    s.push_str(prefix);
    s.extend((0..len).map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char));
    s
}

pub fn random_secret(len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut rng = rand::thread_rng();
    (0..len).map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char).collect()
}

#[derive(Debug, Clone)]
pub struct LastUsed {
    pub at: i64,
    pub region: String,
    pub service: String,
}

#[derive(Debug)]
pub struct AccessKey {
    pub id: String,
    pub secret: Secret,
    pub active: bool,
    pub created: i64,
    /// IAM is eventually consistent: a new key is refused until then (`new_key_delay_secs`).
    pub usable_from: i64,
    pub last_used: Option<LastUsed>,
}

#[derive(Debug)]
pub struct MfaDevice {
    pub serial: String,
    pub totp: Totp,
    pub enabled: i64,
    /// The last TOTP step accepted: a code is good once, and never after a later one.
    pub last_step: Option<u64>,
}

#[derive(Debug)]
pub struct User {
    pub account: String,
    pub name: String,
    pub id: String,
    pub created: i64,
    pub keys: Vec<AccessKey>,
    pub mfa: Option<MfaDevice>,
    pub boundary: Option<String>,
    pub groups: Vec<String>,
    pub attached: Vec<String>,
    /// Inline policies: name → document as stored (JSON text).
    pub inline: BTreeMap<String, String>,
}

impl User {
    pub fn arn(&self) -> String {
        format!("arn:aws:iam::{}:user/{}", self.account, self.name)
    }
}

#[derive(Debug)]
pub struct Role {
    pub account: String,
    pub name: String,
    pub id: String,
    pub created: i64,
    pub trusted: Vec<String>,
    pub require_mfa: bool,
    pub external_id: Option<String>,
    pub max_session: u32,
}

impl Role {
    pub fn arn(&self) -> String {
        format!("arn:aws:iam::{}:role/{}", self.account, self.name)
    }

    /// The trust policy as the JSON document AWS would store.
    pub fn trust_document(&self) -> String {
        let mut condition = serde_json::Map::new();
        if self.require_mfa {
            condition.insert("Bool".into(), serde_json::json!({"aws:MultiFactorAuthPresent": "true"}));
        }
        if let Some(e) = &self.external_id {
            condition.insert("StringEquals".into(), serde_json::json!({"sts:ExternalId": e}));
        }
        let mut st =
            serde_json::json!({"Effect": "Allow", "Principal": {"AWS": self.trusted}, "Action": "sts:AssumeRole"});
        if !condition.is_empty() {
            st["Condition"] = serde_json::Value::Object(condition);
        }
        serde_json::json!({"Version": "2012-10-17", "Statement": [st]}).to_string()
    }
}

#[derive(Debug)]
pub struct Policy {
    pub arn: String,
    pub name: String,
    pub id: String,
    pub document: String,
    pub created: i64,
}

#[derive(Debug)]
pub struct Group {
    pub account: String,
    pub name: String,
    pub id: String,
    pub created: i64,
    pub attached: Vec<String>,
    pub inline: BTreeMap<String, String>,
}

impl Group {
    pub fn arn(&self) -> String {
        format!("arn:aws:iam::{}:group/{}", self.account, self.name)
    }
}

/// Who temporary credentials act as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// From `GetSessionToken`: the user itself.
    User {
        account: String,
        name: String,
    },
    RoleSession {
        account: String,
        role: String,
        role_id: String,
        session: String,
    },
}

#[derive(Debug)]
pub struct Issued {
    pub secret: Secret,
    pub token: Secret,
    pub issued_at: i64,
    pub expires: i64,
    pub identity: Identity,
    /// When the MFA code behind these credentials was checked; `None` without MFA.
    pub mfa_at: Option<i64>,
    /// A role session assumed with another role session's credentials.
    pub chained: bool,
}

/// A console sign-in token from the federation endpoint.
#[derive(Debug, Clone)]
pub struct SigninToken {
    pub role_arn: String,
    pub session_arn: String,
    pub expires: i64,
}

/// The authenticated caller of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub identity: Identity,
    /// When MFA was used (for `aws:MultiFactorAuthAge`).
    pub mfa_at: Option<i64>,
    /// When temporary credentials were issued (for `aws:TokenIssueTime`).
    pub issued_at: Option<i64>,
}

impl Caller {
    pub fn account(&self) -> &str {
        match &self.identity {
            Identity::User { account, .. } | Identity::RoleSession { account, .. } => account,
        }
    }

    pub fn long_term(identity: Identity) -> Self {
        Self { identity, mfa_at: None, issued_at: None }
    }

    pub fn user_name(&self) -> Option<&str> {
        match &self.identity {
            Identity::User { name, .. } => Some(name),
            Identity::RoleSession { .. } => None,
        }
    }

    pub fn is_temporary(&self) -> bool {
        self.issued_at.is_some()
    }

    /// `None` for long-term keys (the MFA context key is absent), else whether MFA was used.
    pub fn mfa(&self) -> Option<bool> {
        self.issued_at.map(|_| self.mfa_at.is_some())
    }

    /// The ARN STS reports for this caller.
    pub fn arn(&self) -> String {
        self.identity.arn()
    }
}

impl Identity {
    /// The ARN STS reports (`assumed-role/ROLE/SESSION` for a role session).
    pub fn arn(&self) -> String {
        match self {
            Identity::User { account, name } => format!("arn:aws:iam::{account}:user/{name}"),
            Identity::RoleSession { account, role, session, .. } => {
                format!("arn:aws:sts::{account}:assumed-role/{role}/{session}")
            }
        }
    }

    /// The IAM principal behind it: the user, or the role (what trust policies name).
    pub fn principal_arn(&self) -> String {
        match self {
            Identity::User { .. } => self.arn(),
            Identity::RoleSession { account, role, .. } => format!("arn:aws:iam::{account}:role/{role}"),
        }
    }
}

#[derive(Debug, Default)]
pub struct World {
    pub accounts: BTreeMap<String, Option<String>>,
    /// By (account, name).
    pub users: BTreeMap<(String, String), User>,
    /// By ARN.
    pub roles: BTreeMap<String, Role>,
    pub policies: BTreeMap<String, Policy>,
    pub groups: BTreeMap<(String, String), Group>,
    /// Long-term access key id → (account, user name).
    pub key_owner: HashMap<String, (String, String)>,
    /// Temporary access key id → what it is.
    pub issued: HashMap<String, Issued>,
    /// Console sign-in tokens by token.
    pub signin_tokens: HashMap<String, SigninToken>,
    /// Role ARNs signed in to the console through `Action=login`, in order.
    pub federation_log: Vec<String>,
    /// SSO portal access tokens (as `aws sso login` would get them) by token.
    pub sso_tokens: HashMap<String, super::portal::SsoToken>,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("user {0}: MFA seed: {1}")]
    Totp(String, mfatui_core::totp::TotpError),
    #[error("access key {0} appears twice")]
    DuplicateKey(String),
}

impl World {
    pub fn from_seed(seed: &Seed, now: i64) -> Result<Self, SeedError> {
        let mut w = World::default();
        for a in &seed.accounts {
            w.accounts.insert(a.id.clone(), a.alias.clone());
        }
        for p in &seed.policies {
            let arn = format!("arn:aws:iam::{}:policy/{}", p.account, p.name);
            let policy = Policy {
                arn: arn.clone(),
                name: p.name.clone(),
                id: random_id("ANPA", 17),
                document: p.document.to_string(),
                created: now,
            };
            w.policies.insert(arn, policy);
        }
        for g in &seed.groups {
            let group = Group {
                account: g.account.clone(),
                name: g.name.clone(),
                id: random_id("AGPA", 17),
                created: now,
                attached: g.attached_policies.clone(),
                inline: g.inline_policies.iter().map(|(n, d)| (n.clone(), d.to_string())).collect(),
            };
            w.groups.insert((g.account.clone(), g.name.clone()), group);
        }
        for u in &seed.users {
            w.accounts.entry(u.account.clone()).or_default();
            let mut keys = Vec::new();
            for k in &u.access_keys {
                if w.key_owner.insert(k.id.clone(), (u.account.clone(), u.name.clone())).is_some() {
                    return Err(SeedError::DuplicateKey(k.id.clone()));
                }
                keys.push(AccessKey {
                    id: k.id.clone(),
                    secret: Secret::new(k.secret.clone()),
                    active: k.status != "Inactive",
                    created: now,
                    usable_from: now,
                    last_used: None,
                });
            }
            let mfa = match &u.mfa {
                Some(m) => Some(MfaDevice {
                    serial: format!("arn:aws:iam::{}:mfa/{}", u.account, m.name),
                    totp: Totp::from_base32(&Secret::new(m.seed.clone()))
                        .map_err(|e| SeedError::Totp(u.name.clone(), e))?,
                    enabled: now,
                    last_step: None,
                }),
                None => None,
            };
            let user = User {
                account: u.account.clone(),
                name: u.name.clone(),
                id: random_id("AIDA", 17),
                created: now,
                keys,
                mfa,
                boundary: u.boundary.clone(),
                groups: u.groups.clone(),
                attached: u.attached_policies.clone(),
                inline: u.inline_policies.iter().map(|(n, d)| (n.clone(), d.to_string())).collect(),
            };
            w.users.insert((u.account.clone(), u.name.clone()), user);
        }
        for r in &seed.roles {
            w.accounts.entry(r.account.clone()).or_default();
            let role = Role {
                account: r.account.clone(),
                name: r.name.clone(),
                id: random_id("AROA", 17),
                created: now,
                trusted: r.trusted.clone(),
                require_mfa: r.require_mfa,
                external_id: r.external_id.clone(),
                max_session: r.max_session_duration,
            };
            w.roles.insert(r.arn(), role);
        }
        Ok(w)
    }

    /// The unique id STS reports (`aws:userid`): the user's id, or `ROLEID:SESSION`.
    pub fn user_id(&self, identity: &Identity) -> String {
        match identity {
            Identity::User { account, name } => self.user(account, name).map(|u| u.id.clone()).unwrap_or_default(),
            Identity::RoleSession { role_id, session, .. } => format!("{role_id}:{session}"),
        }
    }

    pub fn user(&self, account: &str, name: &str) -> ApiResult<&User> {
        self.users
            .get(&(account.to_string(), name.to_string()))
            .ok_or_else(|| ApiError::no_such_entity(format!("The user with name {name} cannot be found.")))
    }

    pub fn user_mut(&mut self, account: &str, name: &str) -> ApiResult<&mut User> {
        self.users
            .get_mut(&(account.to_string(), name.to_string()))
            .ok_or_else(|| ApiError::no_such_entity(format!("The user with name {name} cannot be found.")))
    }

    pub fn group(&self, account: &str, name: &str) -> ApiResult<&Group> {
        self.groups
            .get(&(account.to_string(), name.to_string()))
            .ok_or_else(|| ApiError::no_such_entity(format!("The group with name {name} cannot be found.")))
    }

    /// Resolve the caller from its access key id and session token.
    pub fn authenticate(
        &mut self,
        key_id: &str,
        token: Option<&str>,
        now: i64,
        scope: (&str, &str),
    ) -> ApiResult<Caller> {
        if let Some((account, name)) = self.key_owner.get(key_id).cloned() {
            let user = self.user_mut(&account, &name).map_err(|_| ApiError::invalid_token())?;
            let key = user.keys.iter_mut().find(|k| k.id == key_id).ok_or_else(ApiError::invalid_token)?;
            // Deactivation and deletion take effect at once; a new key only once IAM has propagated it.
            if !key.active || key.usable_from > now {
                return Err(ApiError::invalid_token());
            }
            key.last_used = Some(LastUsed { at: now, region: scope.0.into(), service: scope.1.into() });
            return Ok(Caller::long_term(Identity::User { account, name }));
        }
        let issued = self.issued.get(key_id).ok_or_else(ApiError::invalid_token)?;
        if token != Some(issued.token.expose()) {
            return Err(ApiError::invalid_token());
        }
        if issued.expires <= now {
            return Err(ApiError::new(400, "ExpiredToken", "The security token included in the request is expired"));
        }
        Ok(Caller { identity: issued.identity.clone(), mfa_at: issued.mfa_at, issued_at: Some(issued.issued_at) })
    }

    /// Mint new temporary credentials: `(access key id, secret, token)`.
    pub fn issue(
        &mut self,
        identity: Identity,
        mfa_at: Option<i64>,
        span: (i64, i64),
        chained: bool,
    ) -> (String, Secret, Secret) {
        let (issued_at, expires) = span;
        let id = random_id("ASIA", 16);
        let secret = Secret::new(random_secret(40));
        let token = Secret::new(format!("IQoJb3JpZ2luX2VjE{}", random_secret(340)));
        let issued =
            Issued { secret: secret.clone(), token: token.clone(), issued_at, expires, identity, mfa_at, chained };
        self.issued.insert(id.clone(), issued);
        (id, secret, token)
    }
}
