//! The session engine: one MFA session per IAM user, every role assumed from it in parallel,
//! and all of them kept fresh. Drives both the headless commands and the dashboard; never
//! prompts (codes arrive as arguments or from an `MfaSource`).
//!
//! - `plan`: what to sign in, taken once from the config (owned, so it outlives the text).
//! - `signin`: MFA session, fan-out, persistence (store + exported sections, one write each).
//! - `refresh`: renewing what is due, logout, status.

mod plan;
mod refresh;
pub mod retry;
mod signin;

pub use plan::{KeySource, Plan, RolePlan, UserPlan};
pub use refresh::{ProfileStatus, Which};
pub use retry::RetryPolicy;
pub use signin::{LoginReport, Outcome, Progress, Sink, live_mfa_session};

use super::clock::Clock;
use super::exports::{DEFAULT_SUFFIX, ExportError};
use super::mfa::MfaError;
use super::store::SessionStore;
use super::sts::StsError;
use super::userfile::FileError;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Settings {
    /// Renew a session when less than this is left.
    pub margin_secs: i64,
    /// Roles assumed at once.
    pub concurrency: usize,
    /// Managed sections are `<profile><suffix>`.
    pub suffix: String,
    /// MFA session length when the user profile sets no `duration_seconds`.
    pub mfa_session_secs: i32,
    /// Warn this long before an MFA session ends, so the next code is typed at a good moment.
    pub mfa_warn_secs: i64,
    pub retry: RetryPolicy,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            margin_secs: 300,
            concurrency: 16,
            suffix: DEFAULT_SUFFIX.into(),
            mfa_session_secs: 43_200,
            mfa_warn_secs: 900,
            retry: RetryPolicy::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("{0}")]
    Sts(StsError),
    #[error("{role_arn}: {source}")]
    Role { role_arn: String, source: StsError },
    #[error("{0}")]
    Mfa(#[from] MfaError),
    #[error("the MFA session of {user} has ended or was never started: sign in with a code (mfatui login {user})")]
    NeedsCode { user: String },
    #[error(
        "{cause}; profile {user} has no mfa_serial, so its roles are assumed without MFA: if this role needs MFA, add `mfa_serial = {suggestion}` to [profile {user}] in your config"
    )]
    NoMfaSerial { user: String, suggestion: String, cause: String },
    #[error("not assumed, because {parent} (the profile it is assumed from) failed")]
    ParentFailed { parent: String },
    #[error("{0}")]
    Export(#[from] ExportError),
    #[error("{0}")]
    File(String),
    #[error("credential_process of {user} failed: {detail}")]
    KeysProcess { user: String, detail: String },
    #[error("unknown profile `{0}`: mfatui list shows the profiles it can sign in")]
    UnknownProfile(String),
}

impl From<FileError> for EngineError {
    fn from(e: FileError) -> Self {
        Self::File(e.to_string())
    }
}

/// What the engine needs besides the plan. Cheap to clone; clones share the single-flight locks.
#[derive(Clone)]
pub struct Engine {
    pub settings: Settings,
    pub store: SessionStore,
    pub credentials_path: PathBuf,
    /// STS endpoint override (`AWS_ENDPOINT_URL_STS`/`AWS_ENDPOINT_URL`, the sandbox).
    pub endpoint: Option<String>,
    pub clock: Arc<dyn Clock>,
    /// When the user typed no code: may `mfa_process` print to the terminal (YubiKey prompts)?
    pub interactive: bool,
    flights: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

impl Engine {
    pub fn new(
        settings: Settings,
        store: SessionStore,
        credentials_path: PathBuf,
        endpoint: Option<String>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { settings, store, credentials_path, endpoint, clock, interactive: false, flights: Arc::default() }
    }

    /// At most one STS call in flight per profile: the second caller waits for the first.
    async fn flight(&self, profile: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = self.flights.lock().expect("flight map").entry(profile.to_string()).or_default().clone();
        lock.lock_owned().await
    }

    fn target(&self, region: &str) -> super::sts::Target {
        super::sts::Target { region: region.to_string(), endpoint: self.endpoint.clone() }
    }
}
