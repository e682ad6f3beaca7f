//! The AWS CLI's caches for `aws sso login` and `aws login`, read as the CLI writes them
//! (botocore's `SSOTokenLoader` and `LoginTokenLoader`, aws-config's `sso::cache` and
//! `login::cache`). Read only: nothing here opens a file for writing.
//!
//! - SSO: `~/.aws/sso/cache/<sha1 hex of the sso-session name, or of sso_start_url for a legacy
//!   profile>.json`: `{"startUrl", "region", "accessToken", "expiresAt", "clientId",
//!   "clientSecret", "registrationExpiresAt", "refreshToken"}`.
//! - `aws login`: `$AWS_LOGIN_CACHE_DIRECTORY` or `~/.aws/login/cache`, `<sha256 hex of the
//!   login_session ARN>.json`: `{"accessToken": {"accessKeyId", "secretAccessKey",
//!   "sessionToken", "accountId", "expiresAt"}, "tokenType": "aws_sigv4", "refreshToken",
//!   "idToken", "clientId", "dpopKey"}`.

use crate::secret::{Keys, Secret};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// A cache file larger than this is not the AWS CLI's.
const MAX_CACHE_BYTES: u64 = 1 << 20;

pub(super) enum Cached {
    Sso(SsoToken),
    Login(LoginCredentials),
}

impl Cached {
    pub fn expires_at(&self) -> i64 {
        match self {
            Self::Sso(t) => t.expires_at,
            Self::Login(c) => c.expires_at,
        }
    }
}

pub(super) struct SsoToken {
    pub access_token: Secret,
    pub expires_at: i64,
}

pub(super) struct LoginCredentials {
    pub keys: Keys,
    pub expires_at: i64,
}

fn home(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    env("HOME").filter(|h| !h.is_empty()).map(PathBuf::from)
}

/// Where `aws sso login` caches the token for an sso-session name (or a legacy start URL).
pub fn sso_cache_file(key: &str, env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let name = crate::engine::cli_cache::sha1_hex(key.as_bytes());
    Some(home(env)?.join(".aws/sso/cache").join(format!("{name}.json")))
}

/// Where `aws login` caches the credentials of a `login_session`.
pub fn login_cache_file(session: &str, env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let dir = match env("AWS_LOGIN_CACHE_DIRECTORY").filter(|d| !d.is_empty()) {
        Some(d) if d == "~" || d.starts_with("~/") => {
            home(env)?.join(d.trim_start_matches('~').trim_start_matches('/'))
        }
        Some(d) => PathBuf::from(d),
        None => home(env)?.join(".aws/login/cache"),
    };
    let digest = Sha256::digest(session.trim().as_bytes());
    let name: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Some(dir.join(format!("{name}.json")))
}

/// The file's JSON; `None` when there is no file. Errors name the problem, never the content.
fn read_json(path: &Path) -> Result<Option<serde_json::Value>, String> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let mut text = Vec::new();
    file.take(MAX_CACHE_BYTES + 1).read_to_end(&mut text).map_err(|e| e.to_string())?;
    if text.len() as u64 > MAX_CACHE_BYTES {
        return Err("it is larger than 1 MiB".into());
    }
    // serde's messages can quote the input, which holds tokens: name the place only.
    serde_json::from_slice(&text)
        .map(Some)
        .map_err(|e| format!("it is not JSON (line {}, column {})", e.line(), e.column()))
}

/// An expiry as the caches write it: RFC 3339 (`2026-12-02T01:00:00Z`, with or without
/// fractions), or the `…UTC` form older AWS CLI versions wrote for SSO tokens.
fn expiry(v: Option<&serde_json::Value>, field: &str) -> Result<i64, String> {
    let text = v.and_then(|v| v.as_str()).ok_or_else(|| format!("it has no {field}"))?;
    let normal = text.strip_suffix("UTC").map_or_else(|| text.to_string(), |t| format!("{t}Z"));
    crate::clock::parse_rfc3339(&normal).ok_or_else(|| format!("its {field} is not a time"))
}

fn string(v: &serde_json::Value, field: &str) -> Result<String, String> {
    v.get(field).and_then(|v| v.as_str()).map(str::to_string).ok_or_else(|| format!("it has no {field}"))
}

pub(super) fn read_sso(path: &Path) -> Result<Option<Cached>, String> {
    let Some(v) = read_json(path)? else { return Ok(None) };
    Ok(Some(Cached::Sso(SsoToken {
        access_token: Secret::new(string(&v, "accessToken")?),
        expires_at: expiry(v.get("expiresAt"), "expiresAt")?,
    })))
}

pub(super) fn read_login(path: &Path) -> Result<Option<Cached>, String> {
    let Some(v) = read_json(path)? else { return Ok(None) };
    let token = v.get("accessToken").filter(|t| t.is_object()).ok_or("it has no accessToken")?;
    Ok(Some(Cached::Login(LoginCredentials {
        keys: Keys {
            access_key_id: string(token, "accessKeyId")?,
            secret_access_key: Secret::new(string(token, "secretAccessKey")?),
            session_token: Some(Secret::new(string(token, "sessionToken")?)),
        },
        expires_at: expiry(token.get("expiresAt"), "accessToken.expiresAt")?,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn file_names_are_the_aws_clis() {
        // sha1("my-sso") and sha256("arn:aws:iam::123456789012:user/maria"), as botocore computes them.
        let e = env(&[("HOME", "/h")]);
        assert_eq!(
            sso_cache_file("my-sso", &e).unwrap(),
            PathBuf::from("/h/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json")
        );
        assert_eq!(
            login_cache_file("arn:aws:iam::123456789012:user/maria", &e).unwrap(),
            PathBuf::from("/h/.aws/login/cache/9ef9a7237b8f4f033990bb6a6da925bd756d2d13a486aec5f03987aa5d96d1d8.json")
        );
        let moved = env(&[("HOME", "/h"), ("AWS_LOGIN_CACHE_DIRECTORY", "/elsewhere")]);
        assert_eq!(login_cache_file("x", &moved).unwrap().parent().unwrap(), Path::new("/elsewhere"));
    }

    #[test]
    fn expiries_in_every_form_the_cli_wrote() {
        let v = |s: &str| serde_json::Value::String(s.into());
        assert_eq!(expiry(Some(&v("2026-12-02T01:00:00Z")), "e"), Ok(1_796_173_200));
        assert_eq!(expiry(Some(&v("2026-12-02T01:00:00UTC")), "e"), Ok(1_796_173_200));
        assert_eq!(expiry(Some(&v("2026-12-02T01:00:00.123Z")), "e"), Ok(1_796_173_200));
        assert!(expiry(Some(&v("soon")), "e").is_err());
        assert!(expiry(None, "e").is_err());
    }

    #[test]
    fn a_broken_file_is_named_without_its_content() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.json");
        std::fs::write(&p, "{\"accessToken\": \"SECRET-TOKEN\", \"expiresAt\": 5").unwrap();
        let e = read_sso(&p).err().unwrap();
        assert!(!e.contains("SECRET"), "{e}");
        std::fs::write(&p, "{\"accessToken\": \"SECRET-TOKEN\", \"expiresAt\": 5}").unwrap();
        let e = read_sso(&p).err().unwrap();
        assert!(e.contains("expiresAt") && !e.contains("SECRET"), "{e}");
        assert!(read_sso(&dir.path().join("none.json")).unwrap().is_none());
    }
}
