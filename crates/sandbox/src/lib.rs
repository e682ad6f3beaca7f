//! A small, faithful local stand-in for the parts of AWS STS, IAM and the console federation
//! endpoint that mfatui uses, with real MFA semantics (TOTP codes, single use, trust policies
//! needing MFA), IAM policy evaluation for every action (identity policies, groups, permissions
//! boundaries, with `mfatui_core::iam::policy`), eventual consistency of new keys, and fault
//! injection, and the SSO portal's GetRoleCredentials for tokens it hands out (`portal`).
//! Serves the AWS Query protocol on 127.0.0.1, so the Rust SDK, the AWS CLI and
//! boto3 all work against it through `AWS_ENDPOINT_URL`. Used by tests and `mfatui demo`.
//!
//! Sandbox conventions where AWS would need more setup (see `authz`): a user with no identity
//! policy at all is allowed everything by identity policies (its boundary still applies), and
//! role sessions are allowed every action (seeded roles carry no permission policies).

mod authz;
pub mod demo_world;
pub mod faults;
mod federation;
mod iam;
mod iam_policies;
mod portal;
pub mod seed;
mod server;
mod simulate;
pub mod state;
mod sts;
mod xml;

pub use faults::{Effect, FaultConfig, FaultRule};
pub use seed::Seed;
pub use state::World;

use server::Shared;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("the sandbox seed is invalid: {0}")]
    Seed(state::SeedError),
    #[error("cannot listen on 127.0.0.1:{port}: {cause}")]
    Bind { port: u16, cause: std::io::Error },
}

/// A running sandbox. Dropping it stops accepting connections.
pub struct SandboxHandle {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
}

// Not `#[from]`: that would make the seed error a source as well as part of the message, and
// anyhow's `{:#}` would print it twice.
impl From<state::SeedError> for SandboxError {
    fn from(e: state::SeedError) -> Self {
        Self::Seed(e)
    }
}

/// Start serving `seed` on 127.0.0.1:`port` (0 picks a free port). Needs a tokio runtime.
pub async fn start(seed: &Seed, port: u16) -> Result<SandboxHandle, SandboxError> {
    let shared = Arc::new(Shared::new(World::default()));
    let world = World::from_seed(seed, shared.now())?;
    *shared.world.lock().expect("world lock") = world;
    let listener = TcpListener::bind(("127.0.0.1", port)).await.map_err(|cause| SandboxError::Bind { port, cause })?;
    let addr = listener.local_addr().map_err(|cause| SandboxError::Bind { port, cause })?;
    let tx = mfatui_core::loopback::serve(listener, shared.clone(), server::handle);
    Ok(SandboxHandle { addr, shared, shutdown: Some(tx) })
}

impl SandboxHandle {
    /// `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/federation`: the console federation endpoint.
    pub fn federation_endpoint(&self) -> String {
        format!("{}/federation", self.endpoint())
    }

    /// How many requests for `action` (`GetSessionToken`, `ListAccessKeys`, `getSigninToken`, …)
    /// got past fault injection, whatever their outcome (authentication and policy refusals
    /// included).
    pub fn calls(&self, action: &str) -> u64 {
        self.shared.calls().get(action).copied().unwrap_or(0)
    }

    /// Every action's count, as `GET /_sandbox/stats` reports it.
    pub fn stats(&self) -> std::collections::BTreeMap<String, u64> {
        self.shared.calls()
    }

    /// Role ARNs signed in to the console through the federation endpoint, in order.
    pub fn federation_log(&self) -> Vec<String> {
        self.shared.world.lock().expect("world lock").federation_log.clone()
    }

    pub fn set_faults(&self, config: FaultConfig) {
        self.shared.faults.lock().expect("fault lock").set(config);
    }

    /// The sandbox clock (real time plus any configured offset), in Unix seconds.
    pub fn now(&self) -> i64 {
        self.shared.now()
    }

    /// The current code of an MFA device, by serial, as the device would show it now.
    pub fn totp_code(&self, serial: &str) -> Option<String> {
        self.totp_code_at(serial, self.now())
    }

    pub fn totp_code_at(&self, serial: &str, unix_secs: i64) -> Option<String> {
        let world = self.shared.world.lock().expect("world lock");
        let device = world.users.values().filter_map(|u| u.mfa.as_ref()).find(|d| d.serial == serial)?;
        Some(device.totp.code_at(unix_secs.max(0) as u64))
    }

    /// A new SSO access token for `user` (the person's sign-in name) that the portal accepts
    /// for `secs`: `(accessToken, expiresAt)`, what `aws sso login` caches.
    pub fn sso_token(&self, user: &str, secs: i64) -> (String, String) {
        let now = self.now();
        portal::new_sso_token(&mut self.shared.world.lock().expect("world lock"), user, secs, now)
    }

    /// Temporary credentials of the IAM user `user_arn` valid for `secs`, as the `accessToken`
    /// object `aws login` caches (`accessKeyId`, `secretAccessKey`, `sessionToken`,
    /// `accountId`, `expiresAt`); `None` for a user the world lacks.
    pub fn login_credentials(&self, user_arn: &str, secs: i64) -> Option<serde_json::Value> {
        let now = self.now();
        portal::login_credentials(&mut self.shared.world.lock().expect("world lock"), user_arn, secs, now).ok()
    }

    pub fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
