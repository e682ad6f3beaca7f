//! The session engine: one MFA session per IAM user, every role assumed from it in parallel,
//! all of them kept fresh, and credentials for exactly one profile on demand. Drives the
//! headless commands, the credential channels and the dashboard alike.
//!
//! When a user's MFA session is gone and no code source (`mfa_process`, a TOTP seed) can supply
//! a code, the engine asks its `Prompter` (if the call allows prompting); it never reads a
//! terminal itself. Obtaining is separate from publishing: `publish` makes the AWS files match
//! the store, once per operation.
//!
//! - `plan`: what to sign in, taken once from the config (owned, so it outlives the text).
//! - `signin`: the MFA session: reuse, code sources, the prompter, the cross-process lock.
//! - `fanout`: assuming roles in parallel, level by level; account aliases; user names.
//! - `credentials`: one profile, for credential-process, exec, env, serve and the console.
//! - `refresh`: login, refresh of what is due, logout, status.
//! - `publish`: managed sections in the AWS files, reconciled with the store.
//! - `rules`: due for renewal, MFA session ending, signable: decided once for everyone.
//! - `windows`: how much life the SDKs want left in what they are handed.

pub mod cli_cache;
mod credentials;
mod fanout;
mod plan;
mod publish;
mod reasons;
mod refresh;
pub mod retry;
pub mod rules;
mod signin;
mod targets;
pub mod windows;
pub mod words;

/// The config's rule, which the plan and the commands apply to the environment too.
pub use super::config::valid_region;
pub use credentials::Obtained;

pub use plan::{Exported, KeySource, Plan, Resolved, RolePlan, UserPlan, keys_in_vault, static_keys};
pub use publish::Published;
pub use refresh::{ProfileStatus, Which, logout_words};
pub use retry::RetryPolicy;
pub use signin::{LoginReport, Outcome, Progress, Sink, live_mfa_session};

use super::clock::Clock;
use super::config::AwsPaths;
use super::exports::{DEFAULT_SUFFIX, ExportError, ExportMode};
use super::mfa::MfaError;
use super::net::{AwsError, Deadlines};
use super::prompt::{NoPrompter, PromptError, Prompter};
use super::store::SessionStore;
use super::userfile::FileError;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct EngineSettings {
    /// Renew a session when less than this is left.
    pub margin_secs: i64,
    /// Roles assumed at once.
    pub concurrency: usize,
    /// Managed sections are `<profile><suffix>`.
    pub suffix: String,
    /// MFA session length when the user profile sets no `duration_seconds`.
    pub mfa_session_secs: i32,
    /// Announce this long before an MFA session ends, so the next code is typed at a good moment.
    pub mfa_warn_secs: i64,
    pub retry: RetryPolicy,
    pub deadlines: Deadlines,
    pub export: ExportMode,
    /// Keep the AWS CLI's own assume-role cache filled for the role profiles signed in, so the
    /// CLI never prompts under the user's own profile names (`cli_cache.rs`).
    pub aws_cli_cache: bool,
    /// Where mfatui's own secrets go (`vault`): the files, or the OS keychain.
    pub vault: crate::vault::VaultMode,
}

impl Default for EngineSettings {
    fn default() -> Self {
        Self {
            margin_secs: 300,
            concurrency: 16,
            suffix: DEFAULT_SUFFIX.into(),
            mfa_session_secs: 43_200,
            mfa_warn_secs: 1200,
            retry: RetryPolicy::default(),
            deadlines: Deadlines::default(),
            export: ExportMode::default(),
            aws_cli_cache: true,
            vault: crate::vault::VaultMode::Files,
        }
    }
}

/// May this call ask a person for a code? The dashboard's silent refresher may not; a user's
/// key press, `login` and a client asking for credentials may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompting {
    Never,
    Allowed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("{0}")]
    Aws(AwsError),
    #[error("{role_arn}: {cause}")]
    Role { role_arn: String, cause: AwsError },
    #[error(transparent)]
    Mfa(#[from] MfaError),
    #[error("the MFA session of {user} has ended or was never started: sign in with a code (mfatui login {user})")]
    NeedsCode { user: String },
    #[error("{0}")]
    Prompt(PromptError),
    #[error(
        "{cause}; profile {user} has no mfa_serial, so its roles are assumed without MFA: if this role needs MFA, add `mfa_serial = {suggestion}` to [profile {user}] in your config"
    )]
    NoMfaSerial { user: String, suggestion: String, cause: String },
    #[error("not assumed, because {parent} (the profile it is assumed from) failed")]
    ParentFailed { parent: String },
    #[error(transparent)]
    Export(#[from] ExportError),
    /// An SSO or `aws login` source gave no credentials; the text says what to run.
    #[error(transparent)]
    External(#[from] crate::external::ExternalError),
    #[error(transparent)]
    Wrapper(#[from] crate::config::wrapper::WrapperError),
    #[error(transparent)]
    Vault(#[from] crate::vault::VaultError),
    #[error("{0}")]
    File(String),
    #[error("credential_process of {user} failed: {detail}")]
    KeysProcess { user: String, detail: String },
    #[error(
        "STS handed out credentials for {profile} that {}; the clocks of this computer and AWS disagree{}: fix the clock (enable NTP); the previous session was kept",
        if *left_secs <= 0 { format!("expired {} ago", crate::clock::human_duration(-left_secs)) } else { format!("expire in only {}", crate::clock::human_duration(*left_secs)) },
        skew_secs.map(|s| format!(" (this computer's clock is {} AWS's)", crate::clock::skew_words(s))).unwrap_or_default()
    )]
    /// `skew_secs`: STS's clock minus ours, as `clock::skew_words` reads it.
    Implausible { profile: String, left_secs: i64, skew_secs: Option<i64> },
    #[error(
        "the role refused duration_seconds = {requested} ({at}): it is longer than the role's maximum session duration (1 hour unless the role's MaxSessionDuration was raised in IAM); lower duration_seconds or raise the role's maximum"
    )]
    Duration { requested: i32, at: String },
    #[error("{why}")]
    NotSignable { why: String },
    #[error(
        "{user} is an IAM user without mfa_serial, and no role in your config is assumed from it, so there is nothing to sign in: add `mfa_serial = arn:aws:iam::ACCOUNT:mfa/DEVICE` to [profile {user}] to use MFA sessions"
    )]
    NothingToSignIn { user: String },
    #[error("unknown profile `{name}`{hint}: `mfatui list` shows every profile and what mfatui does with it")]
    UnknownProfile { name: String, hint: String },
    #[error(
        "the MFA code for {user} expired while STS did not answer ({attempts} attempt(s) over {waited}s); try again with the next code when the network is back"
    )]
    CodeWindow { user: String, attempts: u32, waited: u64 },
}

impl From<FileError> for EngineError {
    fn from(e: FileError) -> Self {
        Self::File(e.to_string())
    }
}

impl From<AwsError> for EngineError {
    fn from(e: AwsError) -> Self {
        Self::Aws(e)
    }
}

impl EngineError {
    /// The user's MFA session is needed and no code came: the dashboard shows "needs code".
    pub fn needs_code(&self) -> bool {
        matches!(self, Self::NeedsCode { .. })
            || matches!(self, Self::Prompt(PromptError::Refused { .. } | PromptError::Unavailable(_)))
    }
}

/// What the engine needs besides the plan. Cheap to clone; clones share the single-flight locks.
#[derive(Clone)]
pub struct Engine {
    settings: EngineSettings,
    store: SessionStore,
    paths: AwsPaths,
    /// Cross-process sign-in locks, one per user.
    lock_dir: PathBuf,
    /// An STS/IAM endpoint that overrides everything (the demo's sandbox).
    endpoint: Option<String>,
    clock: Arc<dyn Clock>,
    prompter: Arc<dyn Prompter>,
    /// When a code comes from `mfa_process`: may it print to the terminal (YubiKey touch prompts)?
    interactive: bool,
    /// How `publish` writes `credential_process` lines: this program's path.
    program: String,
    /// The console federation endpoint, when not AWS's (the demo's sandbox).
    federation: Option<String>,
    /// The AWS CLI's cache folder to keep filled (`cli_cache`); `None`: left alone.
    aws_cli_cache: Option<PathBuf>,
    /// Where users whose keys are in the vault (`KeySource::Vault`) keep them.
    vault: crate::vault::Vault,
    flights: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<LastRefusal>>>>>,
}

/// An engine being set up: what every engine needs up front, the rest with defaults (no
/// prompter, AWS's endpoints, not interactive, `mfatui` on PATH) until said otherwise.
pub struct EngineBuilder {
    engine: Engine,
}

impl EngineBuilder {
    /// Where codes are asked for when a sign-in needs one.
    pub fn prompter(mut self, p: Arc<dyn Prompter>) -> Self {
        self.engine.prompter = p;
        self
    }

    /// An STS/IAM endpoint that overrides every profile's (the demo's and the tests' sandbox).
    pub fn endpoint(mut self, url: Option<String>) -> Self {
        self.engine.endpoint = url;
        self
    }

    /// The console federation endpoint, when not AWS's.
    pub fn federation(mut self, url: Option<String>) -> Self {
        self.engine.federation = url;
        self
    }

    /// May `mfa_process` print to the terminal (not under the dashboard)?
    pub fn interactive(mut self, yes: bool) -> Self {
        self.engine.interactive = yes;
        self
    }

    /// The AWS CLI's cache folder (`cli_cache::dir_in(HOME)`), kept filled when the settings
    /// say so.
    pub fn aws_cli_cache(mut self, dir: Option<PathBuf>) -> Self {
        self.engine.aws_cli_cache = dir;
        self
    }

    /// The keychain of users whose keys are in the vault (default: this platform's, with the
    /// channels' time bound).
    pub fn vault(mut self, vault: crate::vault::Vault) -> Self {
        self.engine.vault = vault;
        self
    }

    /// This program as `credential_process` lines name it.
    pub fn program(mut self, program: String) -> Self {
        self.engine.program = program;
        self
    }

    pub fn build(self) -> Engine {
        self.engine
    }
}

/// What a flight remembers for the tasks queued behind it: when a person last refused the
/// prompt asked in it, and how (a sign-in's flight only).
pub(super) type LastRefusal = Option<(std::time::Instant, crate::prompt::PromptError)>;

impl Engine {
    pub fn builder(
        settings: EngineSettings,
        store: SessionStore,
        paths: AwsPaths,
        clock: Arc<dyn Clock>,
    ) -> EngineBuilder {
        let lock_dir = store.path().parent().map(|d| d.join("locks")).unwrap_or_else(|| PathBuf::from("locks"));
        EngineBuilder {
            engine: Self {
                settings,
                store,
                paths,
                lock_dir,
                endpoint: None,
                clock,
                prompter: Arc::new(NoPrompter),
                interactive: false,
                program: "mfatui".into(),
                federation: None,
                aws_cli_cache: None,
                vault: crate::vault::Vault::keychain(crate::vault::CHANNEL_TIMEOUT),
                flights: Arc::default(),
            },
        }
    }

    pub fn settings(&self) -> &EngineSettings {
        &self.settings
    }

    pub fn store(&self) -> &SessionStore {
        &self.store
    }

    pub fn vault(&self) -> &crate::vault::Vault {
        &self.vault
    }

    pub fn paths(&self) -> &AwsPaths {
        &self.paths
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The console federation endpoint, when not AWS's.
    pub fn federation(&self) -> Option<&str> {
        self.federation.as_deref()
    }

    /// When sessions are renewed (`rules::Renewal`): the margin, widened to what clients are
    /// handed while the AWS CLI's cache is kept, so the CLI never finds an entry it ignores.
    pub fn renewal(&self) -> rules::Renewal {
        rules::Renewal {
            margin_secs: self.settings.margin_secs,
            for_clients: self.settings.aws_cli_cache && self.aws_cli_cache.is_some(),
        }
    }

    /// Bring the AWS CLI's cache in line with the store: entries for the roles signed in, none
    /// of mfatui's for any other (and none at all when the setting is off).
    pub(crate) fn sync_aws_cli_cache(&self, plan: &Plan) {
        if let Some(dir) = &self.aws_cli_cache {
            let plan = self.settings.aws_cli_cache.then_some(plan);
            let lock = self.lock_dir.join("aws-cli-cache");
            let owner = self.store.path().display().to_string();
            cli_cache::sync(dir, &lock, &owner, plan, &self.store.load(), self.clock.now());
        }
    }

    /// At most one STS call in flight per key in this process: the second caller waits.
    async fn flight(&self, key: &str) -> tokio::sync::OwnedMutexGuard<LastRefusal> {
        let lock = self.flights.lock().expect("flight map").entry(key.to_string()).or_default().clone();
        lock.lock_owned().await
    }

    /// The target of a planned profile, with the engine's overrides applied.
    pub fn target(&self, planned: &super::sts::Target) -> super::sts::Target {
        let mut t = planned.clone();
        t.deadlines = self.settings.deadlines;
        if let Some(e) = &self.endpoint {
            t.endpoint = Some(e.clone());
            t.iam_endpoint = Some(e.clone());
        }
        t
    }
}
