//! The HTTP side: AWS Query protocol (form-encoded POST, XML out) on 127.0.0.1, the console
//! federation endpoint under `/federation`, and a small control API under `/_sandbox/` for
//! faults, the clock, demo TOTP codes, call counts and the console sign-in log; the SSO
//! portal's GetRoleCredentials at `/federation/credentials` (see `portal`).

use super::faults::{Effect, FaultConfig, FaultState};
use super::state::{ApiError, Caller, World};
use super::sts::{self, Req};
use super::xml::{IAM_NS, STS_NS, error, response};
use super::{federation, iam};
use aws_sdk_sts::primitives::{DateTime, DateTimeFormat};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use mfatui_core::totp::seconds_left;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub struct Shared {
    pub world: Mutex<World>,
    pub faults: Mutex<FaultState>,
    requests: AtomicU64,
    /// Requests per action that got past fault injection, whatever their outcome.
    calls: Mutex<BTreeMap<String, u64>>,
}

impl Shared {
    pub fn new(world: World) -> Self {
        Self {
            world: Mutex::new(world),
            faults: Mutex::new(FaultState::default()),
            requests: AtomicU64::new(0),
            calls: Mutex::new(BTreeMap::new()),
        }
    }

    fn count(&self, action: &str) {
        *self.calls.lock().expect("calls lock").entry(action.to_string()).or_default() += 1;
    }

    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.calls.lock().expect("calls lock").clone()
    }

    /// The sandbox's clock: real time plus the configured offset.
    pub fn now(&self) -> i64 {
        let real = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
        real + self.faults.lock().expect("fault lock").config.clock_offset_secs
    }

    fn request_id(&self) -> String {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        format!("{:08x}-0000-4000-8000-{:012x}", std::process::id(), n)
    }
}

/// Returned to hyper to close the connection without a response (the `drop` fault).
#[derive(Debug)]
pub struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for Dropped {}

type Reply = Response<Full<Bytes>>;

fn reply(status: u16, content_type: &str, body: String, request_id: &str, now: i64) -> Reply {
    let date = DateTime::from_secs(now).fmt(DateTimeFormat::HttpDate).unwrap_or_default();
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", content_type)
        .header("x-amzn-requestid", request_id)
        .header("date", date)
        .body(Full::new(Bytes::from(body)))
        .expect("static headers are valid")
}

const STS_ACTIONS: &[&str] = &["GetSessionToken", "AssumeRole", "GetCallerIdentity"];

/// `(access key id, region, service)` from a SigV4 `Authorization` header.
fn parse_authorization(header: &str) -> Option<(String, String, String)> {
    let cred = header.split("Credential=").nth(1)?.split([',', ' ']).next()?;
    let mut parts = cred.split('/');
    let key = parts.next()?.to_string();
    let _date = parts.next()?;
    Some((key, parts.next()?.to_string(), parts.next()?.to_string()))
}

fn params_of(query: &str, body: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(query.as_bytes()).into_owned().chain(form_urlencoded::parse(body).into_owned()).collect()
}

/// What a fault does to one request: wait, or answer for it (`Err(Dropped)`: hang up).
enum Faulted {
    Proceed,
    /// Do the call, then hang up.
    LoseAnswer,
    Answer(ApiError),
}

async fn apply_faults(shared: &Shared, action: &str, role: Option<&str>) -> Result<Faulted, Dropped> {
    let effects = shared.faults.lock().expect("fault lock").effects_for(action, role);
    let mut then = Faulted::Proceed;
    for effect in effects {
        let e = match effect {
            Effect::LatencyMs(ms) => {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                continue;
            }
            Effect::Drop => return Err(Dropped),
            Effect::LoseAnswer => {
                then = Faulted::LoseAnswer;
                continue;
            }
            Effect::Status(503) => {
                ApiError::new(503, "ServiceUnavailable", "Service is unavailable. Please try again later.")
            }
            Effect::Status(code) => ApiError::new(code, "InternalFailure", "An internal error occurred. Please retry."),
            Effect::Throttle => ApiError::new(400, "Throttling", "Rate exceeded"),
            Effect::AccessDenied if action == "AssumeRole" => ApiError::access_denied(format!(
                "Not authorized to perform: sts:AssumeRole on resource: {}",
                role.unwrap_or("*")
            )),
            Effect::AccessDenied => {
                let service = if STS_ACTIONS.contains(&action) { "sts" } else { "iam" };
                ApiError::access_denied(format!("Not authorized to perform: {service}:{action} on resource: *"))
            }
        };
        return Ok(Faulted::Answer(e));
    }
    Ok(then)
}

pub async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Reply, Dropped> {
    if req.uri().path().starts_with("/_sandbox/") {
        return Ok(control(&shared, req).await);
    }
    let request_id = shared.request_id();
    let path = req.uri().path().to_string();
    if path == "/federation/credentials" {
        return portal_request(&shared, &req, &request_id).await;
    }
    let auth = req.headers().get("authorization").and_then(|v| v.to_str().ok()).map(str::to_string);
    let token = req.headers().get("x-amz-security-token").and_then(|v| v.to_str().ok()).map(str::to_string);
    let query = req.uri().query().unwrap_or("").to_string();
    let body = req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let params = params_of(&query, &body);
    let action = params.get("Action").cloned().unwrap_or_default();
    if path == "/federation" {
        return federation_request(&shared, &action, &params, &request_id).await;
    }
    let ns = if STS_ACTIONS.contains(&action.as_str()) { STS_NS } else { IAM_NS };
    let fail = |e: ApiError, now| reply(e.status, "text/xml", error(ns, &e, &request_id), &request_id, now);

    let faulted = apply_faults(&shared, &action, params.get("RoleArn").map(String::as_str)).await?;
    if let Faulted::Answer(e) = faulted {
        return Ok(fail(e, shared.now()));
    }
    if !action.is_empty() {
        shared.count(&action);
    }

    let now = shared.now();
    let new_key_delay = shared.faults.lock().expect("fault lock").config.new_key_delay_secs as i64;
    let Some((key_id, region, service)) = auth.as_deref().and_then(parse_authorization) else {
        return Ok(fail(
            ApiError::new(403, "MissingAuthenticationToken", "Request is missing Authentication Token"),
            now,
        ));
    };
    let mut world = shared.world.lock().expect("world lock");
    let caller: Caller = match world.authenticate(&key_id, token.as_deref(), now, (&region, &service)) {
        Ok(c) => c,
        Err(e) => return Ok(fail(e, now)),
    };
    let req = Req { caller: &caller, params: &params, now, region: &region, new_key_delay };
    let result = match action.as_str() {
        "GetSessionToken" => sts::get_session_token(&mut world, &req).map(Some),
        "AssumeRole" => sts::assume_role(&mut world, &req).map(Some),
        "GetCallerIdentity" => sts::get_caller_identity(&world, &caller).map(Some),
        other => iam::handle(other, &mut world, &req).unwrap_or_else(|| {
            Err(ApiError::new(400, "InvalidAction", format!("The action or operation requested is invalid: {other}")))
        }),
    };
    drop(world);
    if let Faulted::LoseAnswer = faulted {
        return Err(Dropped);
    }
    Ok(match result {
        Ok(body) => reply(200, "text/xml", response(&action, ns, body, &request_id), &request_id, now),
        Err(e) => fail(e, now),
    })
}

/// The SSO portal's GetRoleCredentials (REST: query parameters, a bearer header, JSON out).
async fn portal_request(shared: &Shared, req: &Request<Incoming>, request_id: &str) -> Result<Reply, Dropped> {
    let now = shared.now();
    let json = |status: u16, kind: Option<&str>, v: serde_json::Value| {
        let mut r = reply(status, "application/json", v.to_string(), request_id, now);
        if let Some(k) = kind.and_then(|k| hyper::header::HeaderValue::from_str(k).ok()) {
            r.headers_mut().insert("x-amzn-errortype", k);
        }
        r
    };
    if let Faulted::Answer(e) = apply_faults(shared, "GetRoleCredentials", None).await? {
        return Ok(json(e.status, Some("InternalServerException"), serde_json::json!({"message": e.message})));
    }
    shared.count("GetRoleCredentials");
    let query: HashMap<String, String> =
        form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes()).into_owned().collect();
    let token = req.headers().get("x-amz-sso_bearer_token").and_then(|v| v.to_str().ok());
    let (role, account) = (query.get("role_name"), query.get("account_id"));
    let (Some(role), Some(account)) = (role, account) else {
        let msg = serde_json::json!({"message": "role_name and account_id are required"});
        return Ok(json(400, Some("InvalidRequestException"), msg));
    };
    let mut world = shared.world.lock().expect("world lock");
    let a = super::portal::get_role_credentials(&mut world, token, role, account, now);
    Ok(json(a.status, a.error_type, a.body))
}

async fn federation_request(
    shared: &Shared,
    action: &str,
    params: &HashMap<String, String>,
    request_id: &str,
) -> Result<Reply, Dropped> {
    if let Faulted::Answer(e) = apply_faults(shared, action, None).await? {
        // The sign-in service answers HTML, not Query XML.
        let status = if e.status >= 500 { e.status } else { 400 };
        let body = format!("<html><body>{}</body></html>", super::xml::escape(&e.message));
        return Ok(reply(status, "text/html", body, request_id, shared.now()));
    }
    if !action.is_empty() {
        shared.count(action);
    }
    let now = shared.now();
    let answer = federation::handle(&mut shared.world.lock().expect("world lock"), params, now);
    Ok(reply(answer.status, answer.content_type, answer.body, request_id, now))
}

async fn control(shared: &Shared, req: Request<Incoming>) -> Reply {
    let now = shared.now();
    let json = |status: u16, v: serde_json::Value| reply(status, "application/json", v.to_string(), "control", now);
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    match (req.method().clone(), path.as_str()) {
        (Method::GET, "/_sandbox/health") => json(200, serde_json::json!({"ok": true})),
        (Method::GET, "/_sandbox/stats") => json(200, serde_json::to_value(shared.calls()).unwrap_or_default()),
        (Method::GET, "/_sandbox/federation-log") => {
            let log = shared.world.lock().expect("world lock").federation_log.clone();
            json(200, serde_json::json!(log))
        }
        (Method::GET, "/_sandbox/faults") => {
            let config = shared.faults.lock().expect("fault lock").config.clone();
            json(200, serde_json::to_value(config).unwrap_or_default())
        }
        (Method::PUT, "/_sandbox/faults") => {
            let body = req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
            match serde_json::from_slice::<FaultConfig>(&body) {
                Ok(c) => {
                    shared.faults.lock().expect("fault lock").set(c);
                    json(200, serde_json::json!({"ok": true}))
                }
                Err(e) => json(400, serde_json::json!({"error": e.to_string()})),
            }
        }
        (Method::POST, "/_sandbox/sso-token") | (Method::POST, "/_sandbox/login-credentials") => {
            let body = req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let secs = v.get("expires_in").and_then(|s| s.as_i64()).unwrap_or(3600);
            let mut world = shared.world.lock().expect("world lock");
            if path == "/_sandbox/sso-token" {
                let user = v.get("user").and_then(|u| u.as_str()).unwrap_or("sso-user");
                let (token, expires_at) = super::portal::new_sso_token(&mut world, user, secs, now);
                json(200, serde_json::json!({"accessToken": token, "expiresAt": expires_at}))
            } else {
                let arn = v.get("user_arn").and_then(|u| u.as_str()).unwrap_or_default();
                match super::portal::login_credentials(&mut world, arn, secs, now) {
                    Ok(c) => json(200, c),
                    Err(e) => json(400, serde_json::json!({"error": e.message})),
                }
            }
        }
        (Method::GET, "/_sandbox/totp") => {
            let serial =
                form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "serial").map(|(_, v)| v.into_owned());
            let world = shared.world.lock().expect("world lock");
            let code = world.users.values().filter_map(|u| u.mfa.as_ref()).find(|d| Some(&d.serial) == serial.as_ref());
            match code {
                Some(d) => json(
                    200,
                    serde_json::json!({
                        "code": d.totp.code_at(now.max(0) as u64),
                        "seconds_left": seconds_left(now.max(0) as u64),
                    }),
                ),
                None => json(404, serde_json::json!({"error": "no MFA device with that serial"})),
            }
        }
        _ => json(404, serde_json::json!({"error": "unknown control endpoint"})),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_authorization;

    #[test]
    fn sigv4_credential_scope() {
        let h = "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261121/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";
        assert_eq!(parse_authorization(h), Some(("AKIAEXAMPLE".into(), "us-east-1".into(), "sts".into())));
        assert_eq!(parse_authorization("Basic xyz"), None);
    }
}
