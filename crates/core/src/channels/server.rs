//! A container-credentials endpoint on 127.0.0.1, as the SDKs read it through
//! `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)`.
//!
//! One path per profile (`/profile/NAME`); a random token per run, required on every request
//! (wrong or missing: 403) and also written to a 0600 file without a trailing newline (the SDKs
//! reject one). Only credentials with at least 15 minutes left are handed out, renewed first.
//! A client is never kept waiting longer than the SDKs' own timeouts (botocore gives up after
//! 2 s, aws-sdk-rust after 5 s): when a code is needed the prompt is raised in the background
//! and the client gets a clear error at once, and retries.

use super::super::clock::rfc3339;
use super::super::engine::{Engine, EngineError, Obtained, Plan, Prompting};
use super::super::secret::Secret;
use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response, StatusCode};
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// How long a request may wait for a renewal before it is answered "retry".
const ANSWER_WITHIN: Duration = Duration::from_secs(3);

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot listen on 127.0.0.1:{port}: {cause}")]
    Bind { port: u16, cause: std::io::Error },
    #[error("cannot write the token file {}: {cause}", path.display())]
    TokenFile { path: PathBuf, cause: String },
}

struct Shared {
    engine: Engine,
    plan: Arc<RwLock<Arc<Plan>>>,
    token: Secret,
    cache: Mutex<HashMap<String, Obtained>>,
    /// Users whose prompt is being raised, so a burst of requests raises it once.
    asking: Mutex<HashSet<String>>,
}

/// A running endpoint; dropping it stops it and removes the token file.
pub struct Handle {
    pub addr: SocketAddr,
    pub token_file: PathBuf,
    token: Secret,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Handle {
    /// The URL a client uses for `profile`.
    pub fn url(&self, profile: &str) -> String {
        format!(
            "http://{}/profile/{}",
            self.addr,
            percent_encoding::utf8_percent_encode(profile, percent_encoding::NON_ALPHANUMERIC)
        )
    }

    /// The token, for a child process that gets it as `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
    pub fn token(&self) -> &Secret {
        &self.token
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = std::fs::remove_file(&self.token_file);
    }
}

fn new_token() -> Secret {
    use rand::Rng;
    let bytes: [u8; 32] = rand::thread_rng().r#gen();
    Secret::new(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// Start serving on 127.0.0.1:`port` (0: any free port). `plan` is shared so a dashboard can
/// swap in a reloaded one.
pub async fn start(
    engine: Engine,
    plan: Arc<RwLock<Arc<Plan>>>,
    port: u16,
    token_dir: &Path,
) -> Result<Handle, ServerError> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await.map_err(|cause| ServerError::Bind { port, cause })?;
    let addr = listener.local_addr().map_err(|cause| ServerError::Bind { port, cause })?;
    let token = new_token();
    let token_file = token_dir.join(format!("serve-{}.token", addr.port()));
    crate::aws::userfile::private_dir(token_dir)
        .and_then(|_| crate::aws::userfile::write_atomic(&token_file, token.expose().as_bytes()))
        .map_err(|e| ServerError::TokenFile { path: token_file.clone(), cause: e.to_string() })?;
    let shared =
        Arc::new(Shared { engine, plan, token: token.clone(), cache: Mutex::default(), asking: Mutex::default() });
    let tx = crate::aws::loopback::serve(listener, shared, answer);
    Ok(Handle { addr, token_file, token, shutdown: Some(tx) })
}

fn json(status: StatusCode, body: serde_json::Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("static headers are valid")
}

fn error(status: StatusCode, code: &str, message: &str) -> Response<Full<Bytes>> {
    json(status, serde_json::json!({"Code": code, "Message": message}))
}

/// Compare without leaking, through timing, how much of a guessed token was right.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn answer(
    shared: Arc<Shared>,
    req: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let auth = req.headers().get("authorization").map(|v| v.as_bytes()).unwrap_or_default();
    if !same(auth, shared.token.expose().as_bytes()) {
        return Ok(error(StatusCode::FORBIDDEN, "AccessDenied", "wrong or missing authorization token"));
    }
    let Some(raw) = req.uri().path().strip_prefix("/profile/") else {
        return Ok(error(StatusCode::NOT_FOUND, "NotFound", "use /profile/NAME"));
    };
    let name = percent_encoding::percent_decode_str(raw).decode_utf8_lossy().into_owned();
    Ok(match credentials(&shared, &name).await {
        Ok(o) => json(
            StatusCode::OK,
            serde_json::json!({
                "AccessKeyId": o.keys.access_key_id,
                "SecretAccessKey": o.keys.secret_access_key.expose(),
                "Token": o.keys.session_token.as_ref().map(|t| t.expose()),
                "Expiration": rfc3339(o.expiration),
            }),
        ),
        Err(Refusal::NotFound(m)) => error(StatusCode::NOT_FOUND, "NotFound", &m),
        Err(Refusal::Retry(m)) => error(StatusCode::SERVICE_UNAVAILABLE, "MfaCodeNeeded", &m),
        Err(Refusal::Failed(m)) => error(StatusCode::BAD_GATEWAY, "CredentialsUnavailable", &m),
    })
}

enum Refusal {
    NotFound(String),
    /// Try again shortly (a prompt was raised, or a renewal is under way).
    Retry(String),
    Failed(String),
}

async fn credentials(shared: &Arc<Shared>, name: &str) -> Result<Obtained, Refusal> {
    let plan = shared.plan.read().expect("plan lock").clone();
    let profile = plan.resolve(name).map_err(|e| Refusal::NotFound(e.to_string()))?.name().to_string();
    let want = shared.engine.hand_out_left(&plan, &profile);
    let now = shared.engine.clock().now();
    if let Some(o) = shared.cache.lock().expect("cache lock").get(&profile).filter(|o| o.expiration - now > want) {
        return Ok(o.clone());
    }
    let obtain = shared.engine.credentials(&plan, &profile, want, Prompting::Never, &None);
    match tokio::time::timeout(ANSWER_WITHIN, obtain).await {
        Ok(Ok(o)) => {
            shared.cache.lock().expect("cache lock").insert(profile, o.clone());
            Ok(o)
        }
        Ok(Err(e)) if e.needs_code() => {
            let user = plan.user_of(&profile).map(|u| u.name.clone()).unwrap_or_default();
            raise_prompt(shared, plan.clone(), &profile, &user);
            Err(Refusal::Retry(format!(
                "the MFA session of {user} has ended: type the code in the mfatui dashboard (or run `mfatui login {user}`), then retry"
            )))
        }
        Ok(Err(e)) => Err(Refusal::Failed(describe(&e))),
        Err(_) => Err(Refusal::Retry(format!("renewing {profile} takes longer than usual; retry in a few seconds"))),
    }
}

fn describe(e: &EngineError) -> String {
    e.to_string()
}

/// Ask for `user`'s code in the background (the dashboard's modal, or the terminal serve runs
/// in), once per burst of requests.
fn raise_prompt(shared: &Arc<Shared>, plan: Arc<Plan>, profile: &str, user: &str) {
    if !shared.asking.lock().expect("asking lock").insert(user.to_string()) {
        return;
    }
    let (shared, profile, user) = (shared.clone(), profile.to_string(), user.to_string());
    tokio::spawn(async move {
        let result = shared.engine.credentials(&plan, &profile, 0, Prompting::Allowed, &None).await;
        if let Err(e) = result {
            tracing::warn!(%user, error = %e, "MFA prompt for the credentials server failed");
        }
        shared.asking.lock().expect("asking lock").remove(&user);
    });
}
