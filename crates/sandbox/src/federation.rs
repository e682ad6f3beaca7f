//! The console federation endpoint, as `https://signin.aws.amazon.com/federation` serves it:
//! `Action=getSigninToken` turns role-session credentials into a sign-in token (valid 15
//! minutes) and `Action=login` signs that token in to the console. Here `login` answers a small
//! HTML page naming the role and the destination instead of redirecting to a real console, so
//! a test can follow the URL a client builds.
//!
//! As AWS documents: only credentials from AssumeRole are accepted (the sandbox issues no
//! GetFederationToken credentials); `SessionDuration` (900–43200) is refused for role-chained
//! sessions. AWS documents no error body: reports show HTTP 400 with an HTML page, so every
//! refusal here is a 400 with a short HTML page (clients should check the status only).

use super::state::{Identity, SigninToken, World, random_secret};
use std::collections::HashMap;

/// How long a sign-in token (and so a login URL) stays valid.
pub const SIGNIN_TOKEN_SECS: i64 = 15 * 60;

pub struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

// The exact bodies are unverified (research §1): these are the texts reported for refused
// requests, chosen as the closest available.
const BAD_CREDENTIALS: &str = "Invalid credentials parameter";
const BAD_REQUEST: &str = "The request sent by the client was syntactically incorrect.";

fn page(status: u16, title: &str, text: &str) -> Answer {
    let body = format!(
        "<!DOCTYPE html>\n<html><head><title>{}</title></head><body><h1>{}</h1><p>{}</p></body></html>\n",
        escape(title),
        escape(title),
        escape(text)
    );
    Answer { status, content_type: "text/html; charset=utf-8", body }
}

fn refused(text: &str) -> Answer {
    page(400, "Bad Request", text)
}

fn escape(s: &str) -> String {
    super::xml::escape(s)
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Session {
    session_id: String,
    session_key: String,
    session_token: String,
}

/// Answer a `/federation` request; `params` holds the query string and any form body.
pub fn handle(world: &mut World, params: &HashMap<String, String>, now: i64) -> Answer {
    match params.get("Action").map(String::as_str) {
        Some("getSigninToken") => get_signin_token(world, params, now),
        Some("login") => login(world, params, now),
        _ => refused(BAD_REQUEST),
    }
}

fn get_signin_token(world: &mut World, params: &HashMap<String, String>, now: i64) -> Answer {
    let Some(session) = params.get("Session").and_then(|s| serde_json::from_str::<Session>(s).ok()) else {
        return refused(BAD_CREDENTIALS);
    };
    let Some(issued) = world.issued.get(&session.session_id) else {
        // Long-term access keys and unknown ids alike.
        return refused(BAD_CREDENTIALS);
    };
    if issued.secret.expose() != session.session_key
        || issued.token.expose() != session.session_token
        || issued.expires <= now
    {
        return refused(BAD_CREDENTIALS);
    }
    let Identity::RoleSession { .. } = &issued.identity else {
        // GetSessionToken credentials cannot sign in to the console.
        return refused(BAD_CREDENTIALS);
    };
    if let Some(raw) = params.get("SessionDuration") {
        let in_range = raw.parse::<i64>().is_ok_and(|d| (900..=43_200).contains(&d));
        if !in_range || issued.chained {
            return refused(BAD_REQUEST);
        }
    }
    let token = SigninToken {
        role_arn: issued.identity.principal_arn(),
        session_arn: issued.identity.arn(),
        expires: now + SIGNIN_TOKEN_SECS,
    };
    let id = random_secret(300).replace(['+', '/'], "-");
    world.signin_tokens.insert(id.clone(), token);
    Answer { status: 200, content_type: "application/json", body: serde_json::json!({ "SigninToken": id }).to_string() }
}

fn login(world: &mut World, params: &HashMap<String, String>, now: i64) -> Answer {
    let (Some(token), Some(destination)) = (params.get("SigninToken"), params.get("Destination")) else {
        return refused(BAD_REQUEST);
    };
    let Some(t) = world.signin_tokens.get(token).filter(|t| t.expires > now).cloned() else {
        return page(400, "Sign-in failed", "The sign-in token is invalid or has expired. Create a new sign-in URL.");
    };
    world.federation_log.push(t.role_arn.clone());
    let text = format!("Signed in as {} ({}). Destination: {destination}", t.role_arn, t.session_arn);
    page(200, "AWS Management Console (sandbox)", &text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::{RoleSeed, Seed, UserSeed};

    fn world() -> World {
        let seed = Seed::default()
            .user(UserSeed::new("111111111111", "u").key("AKIAU000000000000001", "s"))
            .role(RoleSeed::new("222222222222", "r", &["arn:aws:iam::111111111111:user/u"]));
        World::from_seed(&seed, 1000).unwrap()
    }

    fn session_param(w: &mut World, identity: Identity, chained: bool, expires: i64) -> String {
        let (id, secret, token) = w.issue(identity, None, (1000, expires), chained);
        serde_json::json!({"sessionId": id, "sessionKey": secret.expose(), "sessionToken": token.expose()}).to_string()
    }

    fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn role_sessions_get_a_token_that_logs_in_for_fifteen_minutes() {
        let mut w = world();
        let role = Identity::RoleSession {
            account: "222222222222".into(),
            role: "r".into(),
            role_id: "AROAX".into(),
            session: "s".into(),
        };
        let session = session_param(&mut w, role.clone(), false, 5000);
        let a = handle(&mut w, &params(&[("Action", "getSigninToken"), ("Session", &session)]), 1000);
        assert_eq!(a.status, 200, "{}", a.body);
        let token: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        let token = token["SigninToken"].as_str().unwrap().to_string();
        let login = |w: &mut World, now| {
            handle(w, &params(&[("Action", "login"), ("Destination", "https://console"), ("SigninToken", &token)]), now)
        };
        let page = login(&mut w, 1000 + SIGNIN_TOKEN_SECS - 1);
        assert!(page.status == 200 && page.body.contains("arn:aws:iam::222222222222:role/r"), "{}", page.body);
        assert_eq!(login(&mut w, 1000 + SIGNIN_TOKEN_SECS).status, 400, "expired after 15 minutes");
        assert_eq!(w.federation_log, ["arn:aws:iam::222222222222:role/r"]);
        // SessionDuration: in range for a first-hop session, refused for a chained one.
        let with = |s: &str, d: &str| params(&[("Action", "getSigninToken"), ("Session", s), ("SessionDuration", d)]);
        assert_eq!(handle(&mut w, &with(&session, "3600"), 1000).status, 200);
        assert_eq!(handle(&mut w, &with(&session, "899"), 1000).status, 400);
        let chained = session_param(&mut w, role, true, 5000);
        assert_eq!(handle(&mut w, &with(&chained, "3600"), 1000).status, 400);
    }

    #[test]
    fn user_sessions_long_term_keys_and_forgeries_are_refused() {
        let mut w = world();
        let user = Identity::User { account: "111111111111".into(), name: "u".into() };
        let gst = session_param(&mut w, user, false, 5000);
        let get = |w: &mut World, s: &str| handle(w, &params(&[("Action", "getSigninToken"), ("Session", s)]), 1000);
        assert_eq!(get(&mut w, &gst).status, 400);
        let long_term = r#"{"sessionId":"AKIAU000000000000001","sessionKey":"s","sessionToken":""}"#;
        assert_eq!(get(&mut w, long_term).status, 400);
        assert_eq!(get(&mut w, "not json").status, 400);
        assert!(w.signin_tokens.is_empty());
    }
}
