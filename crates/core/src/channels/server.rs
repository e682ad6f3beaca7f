//! A container-credentials endpoint on 127.0.0.1, as the SDKs read it through
//! `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)`.
//!
//! One path per profile (`/profile/NAME`), and only the profiles it was started for (`exec
//! --server` and `serve PROFILE`: that one; `serve --all` and the dashboard: every profile). A
//! random token per run, required on every request (wrong or missing: 403) and also written to
//! a 0600 file without a trailing newline (the SDKs reject one). Credentials are handed out with
//! the SDKs' refresh windows in mind (`engine::windows`), from the store as it is now (a
//! `logout` takes effect at once), renewed first when due.
//!
//! A client is never held longer than the shortest SDK timeout (`ANSWER_WITHIN`): a renewal runs
//! on its own task, so when the client gives up (or gets a 503 first) the renewal still lands and
//! the retry gets its result; a 503's `Code` says whether to just retry (`Renewing`) or to type a
//! code (`MfaCodeNeeded`).

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
use tokio::sync::{oneshot, watch};

/// How long a request may wait for a renewal before it is answered 503 "retry": under the
/// shortest client timeout (the JS SDK's `fromHttp` and `fromContainerMetadata` give 1 s,
/// botocore 2 s), so the client reads our answer instead of timing out.
pub const ANSWER_WITHIN: Duration = Duration::from_millis(800);

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot listen on 127.0.0.1:{port}: {cause}")]
    Bind { port: u16, cause: std::io::Error },
    #[error("cannot write the token file {}: {cause}", path.display())]
    TokenFile { path: PathBuf, cause: String },
}

/// Which profiles an endpoint hands out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// This profile only (its canonical name): `exec --server`, `serve PROFILE`.
    Only(String),
    /// Every profile mfatui signs in: `serve --all`, the dashboard's endpoint.
    All,
}

type Outcome = Option<Result<Obtained, EngineError>>;

struct Shared {
    engine: Engine,
    plan: Arc<RwLock<Arc<Plan>>>,
    token: Secret,
    scope: Scope,
    /// Renewals under way, by profile: requests for the same profile wait on the same one.
    renewing: Mutex<HashMap<String, watch::Receiver<Outcome>>>,
    /// Users whose prompt is being raised, so a burst of requests raises it once.
    asking: Mutex<HashSet<String>>,
}
/// A running endpoint; dropping it stops it and removes the token file.
/// Everything but RFC 3986's unreserved characters (letters, digits, `-`, `.`, `_`, `~`) is
/// escaped in a profile's path: `/profile/prod-admin` reads as it is typed, while `/`, `?`, `%`,
/// spaces and the rest cannot change what the path means.
const PATH_ESCAPED: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// `/profile/NAME`, the path that serves `profile`.
pub fn profile_path(profile: &str) -> String {
    // `.` and `..` alone are dot segments a client would resolve away: those stay escaped.
    if profile.chars().all(|c| c == '.') && profile.len() <= 2 {
        return format!("/profile/{}", profile.replace('.', "%2E"));
    }
    format!("/profile/{}", percent_encoding::utf8_percent_encode(profile, PATH_ESCAPED))
}

pub struct Handle {
    pub addr: SocketAddr,
    pub token_file: PathBuf,
    token: Secret,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Handle {
    /// The URL a client uses for `profile`.
    pub fn url(&self, profile: &str) -> String {
        format!("http://{}{}", self.addr, profile_path(profile))
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
    scope: Scope,
) -> Result<Handle, ServerError> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await.map_err(|cause| ServerError::Bind { port, cause })?;
    let addr = listener.local_addr().map_err(|cause| ServerError::Bind { port, cause })?;
    let token = new_token();
    let token_file = token_dir.join(format!("serve-{}.token", addr.port()));
    crate::userfile::private_dir(token_dir)
        .and_then(|_| crate::userfile::write_atomic(&token_file, token.expose().as_bytes()))
        .map_err(|e| ServerError::TokenFile { path: token_file.clone(), cause: e.to_string() })?;
    let shared = Arc::new(Shared {
        engine,
        plan,
        token: token.clone(),
        scope,
        renewing: Mutex::default(),
        asking: Mutex::default(),
    });
    let tx = crate::loopback::serve(listener, shared, answer);
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
        Err(Refusal::NotServed(m)) => error(StatusCode::FORBIDDEN, "ProfileNotServed", &m),
        Err(Refusal::Renewing(m)) => error(StatusCode::SERVICE_UNAVAILABLE, "Renewing", &m),
        Err(Refusal::NeedsCode(m)) => error(StatusCode::SERVICE_UNAVAILABLE, "MfaCodeNeeded", &m),
        Err(Refusal::Failed(m)) => error(StatusCode::BAD_GATEWAY, "CredentialsUnavailable", &m),
    })
}

enum Refusal {
    NotFound(String),
    /// Another profile than the one this endpoint was started for.
    NotServed(String),
    /// A renewal is under way: retry shortly.
    Renewing(String),
    /// The MFA session has ended: a code must be typed (the prompt was raised).
    NeedsCode(String),
    Failed(String),
}

async fn credentials(shared: &Arc<Shared>, name: &str) -> Result<Obtained, Refusal> {
    let plan = shared.plan.read().expect("plan lock").clone();
    let resolved = plan.resolve(name).map(|r| r.name().to_string());
    // Checked first, so a client limited to one profile cannot list the others from the hints.
    if let Scope::Only(only) = &shared.scope
        && resolved.as_ref().ok() != Some(only)
    {
        return Err(Refusal::NotServed(format!(
            "this endpoint serves {only} only (mfatui serve --all serves every profile)"
        )));
    }
    let profile = resolved.map_err(|e| Refusal::NotFound(e.to_string()))?;
    let want = shared.engine.hand_out_left(&plan, &profile);
    // The store as it is now, not a copy of our own: a `logout` elsewhere takes effect at once.
    if let Some(o) = shared.engine.stored_credentials(&plan, &profile, want) {
        return Ok(o);
    }
    let user = plan.user_of(&profile).map(|u| u.name.clone()).unwrap_or_default();
    let needs_code = || {
        Refusal::NeedsCode(format!(
            "the MFA session of {user} has ended: type the code in the mfatui dashboard (or run `mfatui login {user}`), then retry"
        ))
    };
    // A prompt is open: renewing cannot succeed until it is answered, so say so at once.
    if shared.asking.lock().expect("asking lock").contains(&user) {
        return Err(needs_code());
    }
    let mut outcome = renewal(shared, &plan, &profile, want);
    let done = tokio::time::timeout(ANSWER_WITHIN, outcome.wait_for(Option::is_some)).await;
    let result = match done {
        Ok(Ok(r)) => r.clone().expect("waited for Some"),
        Ok(Err(_)) => return Err(Refusal::Failed(format!("renewing {profile} stopped; retry"))),
        Err(_) => {
            return Err(Refusal::Renewing(format!("renewing {profile}; retry in a moment")));
        }
    };
    match result {
        Ok(o) => Ok(o),
        Err(e) if e.needs_code() => {
            raise_prompt(shared, plan.clone(), &profile, &user);
            Err(needs_code())
        }
        Err(e) => Err(Refusal::Failed(describe(&e))),
    }
}

/// The renewal of `profile` under way, or a new one on its own task: it outlives the request
/// that started it, so a client that gave up finds the result when it retries (in the store).
fn renewal(shared: &Arc<Shared>, plan: &Arc<Plan>, profile: &str, want: i64) -> watch::Receiver<Outcome> {
    let mut renewing = shared.renewing.lock().expect("renewing lock");
    if let Some(rx) = renewing.get(profile) {
        return rx.clone();
    }
    let (tx, rx) = watch::channel(None);
    renewing.insert(profile.to_string(), rx.clone());
    let (shared, plan, profile) = (shared.clone(), plan.clone(), profile.to_string());
    tokio::spawn(async move {
        let r = shared.engine.credentials(&plan, &profile, want, Prompting::Never, &None).await;
        shared.renewing.lock().expect("renewing lock").remove(&profile);
        let _ = tx.send(Some(r));
    });
    rx
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
