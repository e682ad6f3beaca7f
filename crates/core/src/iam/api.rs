//! IAM calls about one user, its access keys and MFA devices, each bounded like every call (see
//! `net`). Read-only and idempotent calls are retried on transient errors; CreateAccessKey never
//! is (a retry after a lost answer would mint a second key: the rotation's journal handles that).
//! Names are always passed explicitly: emulators resolve "the caller" differently from AWS.

use super::call;
use crate::engine::RetryPolicy;
use crate::engine::retry::with_retry;
use crate::net::{AwsError, Keys};
use crate::secret::Secret;
use crate::sts::Target;
use serde::Serialize;
use std::fmt;

/// A list longer than this many pages is not a real IAM answer.
pub(crate) const MAX_PAGES: usize = 100;

/// An access key id. Shown everywhere as its last four characters (`****WXYZ`): the full id is
/// only for calls to AWS and for mfatui's own 0600 files.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(String);

impl KeyId {
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The whole id, for AWS calls and the journal only.
    pub fn full(&self) -> &str {
        &self.0
    }

    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// `****WXYZ`: the last four characters of a key id.
pub fn mask(id: &str) -> String {
    let tail: String = id.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("****{tail}")
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({})", self.masked())
    }
}

impl Serialize for KeyId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.masked())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMeta {
    pub id: KeyId,
    pub active: bool,
    /// Unix seconds.
    pub created: Option<i64>,
}

/// GetAccessKeyLastUsed. A never-used key has no date, and AWS says `N/A` for the service and
/// region (kept as `None`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LastUsed {
    pub date: Option<i64>,
    pub service: Option<String>,
    pub region: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKey {
    pub id: KeyId,
    pub secret: Secret,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MfaKind {
    /// An authenticator app (`arn:…:mfa/NAME`).
    Virtual,
    /// A hardware TOTP token (a serial such as `GAHT12345678`).
    Hardware,
    /// A FIDO security key or passkey (`arn:…:u2f/…`): console only, no codes to type.
    Fido,
}

impl MfaKind {
    /// The kind and whether the CLI can use it, as `mfatui keys` and the IAM screen say it.
    pub fn describe(self) -> &'static str {
        match self {
            MfaKind::Virtual => "virtual, usable from the CLI",
            MfaKind::Hardware => "hardware TOTP, usable from the CLI",
            MfaKind::Fido => "FIDO security key: console only, the CLI cannot use it",
        }
    }

    /// What kind of device a serial names. Only TOTP devices give codes that GetSessionToken
    /// (and so the CLI and mfatui) can use.
    pub fn of(serial: &str) -> Self {
        if serial.contains(":u2f/") {
            Self::Fido
        } else if serial.starts_with("arn:") {
            Self::Virtual
        } else {
            Self::Hardware
        }
    }

    pub fn usable_from_cli(self) -> bool {
        self != Self::Fido
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MfaDevice {
    pub serial: String,
    pub kind: MfaKind,
    pub enabled: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub name: String,
    pub arn: String,
    pub created: Option<i64>,
    /// The permissions boundary's policy ARN (emulators may never report one).
    pub boundary: Option<String>,
}

/// A managed policy attached to a user or group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attached {
    pub name: String,
    pub arn: String,
}

fn secs(d: Option<&aws_smithy_types::DateTime>) -> Option<i64> {
    d.map(|d| d.secs())
}

/// Run an idempotent IAM call, retrying transient errors within the call deadline.
pub(crate) async fn idempotent<T, F, Fut, E>(target: &Target, keys: &Keys, f: F) -> Result<T, AwsError>
where
    F: Fn(aws_sdk_iam::Client) -> Fut,
    Fut: std::future::Future<
            Output = Result<T, aws_sdk_iam::error::SdkError<E, aws_sdk_iam::config::http::HttpResponse>>,
        >,
    E: aws_sdk_iam::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    let url = target.iam_url();
    let attempt = || call(target, keys, &f);
    with_retry(RetryPolicy::default(), target.deadlines.call, ("IAM", &url), attempt, |_, _| {}).await
}

/// Every page of a marker-paginated list: `paged!(|marker| { …one page…; (items, next) })`,
/// where the block may use `?`. A macro rather than a function taking an async closure: such a
/// future is not provably `Send` for every lifetime, and the dashboard spawns these.
macro_rules! paged {
    (|$marker:ident| $page:block) => {{
        let (mut all, mut cursor) = (Vec::new(), None::<String>);
        for _ in 0..$crate::iam::api::MAX_PAGES {
            let $marker = cursor.take();
            let (items, more): (Vec<_>, Option<String>) = $page;
            all.extend(items);
            match more {
                Some(m) => cursor = Some(m),
                None => break,
            }
        }
        Ok(all)
    }};
}
pub(crate) use paged;

/// The marker of the next page, if there is one.
pub(crate) fn next(truncated: bool, marker: Option<&str>) -> Option<String> {
    marker.filter(|_| truncated).map(str::to_string)
}

/// Await futures concurrently within one task; results in the order given.
pub async fn join_all<T>(futures: Vec<impl std::future::Future<Output = T>>) -> Vec<T> {
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<T>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, slot) in pinned.iter_mut().zip(out.iter_mut()) {
            if slot.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    out.into_iter().map(|v| v.expect("every future finished")).collect()
}

/// Like `join_all`, with at most `limit` of them past their first await at once.
pub async fn join_bounded<T>(limit: usize, futures: Vec<impl std::future::Future<Output = T>>) -> Vec<T> {
    let permits = tokio::sync::Semaphore::new(limit.max(1));
    let permits = &permits;
    join_all(
        futures
            .into_iter()
            .map(|f| async move {
                let _permit = permits.acquire().await.expect("never closed");
                f.await
            })
            .collect(),
    )
    .await
}

pub async fn get_user(target: &Target, keys: &Keys, user: &str) -> Result<UserInfo, AwsError> {
    let out = idempotent(target, keys, |c| async move { c.get_user().user_name(user).send().await }).await?;
    let u = out.user().ok_or_else(|| AwsError::Service {
        code: "MissingUser".into(),
        message: "IAM answered GetUser without a user".into(),
        status: None,
    })?;
    Ok(UserInfo {
        name: u.user_name().to_string(),
        arn: u.arn().to_string(),
        created: Some(u.create_date().secs()),
        boundary: u.permissions_boundary().and_then(|b| b.permissions_boundary_arn()).map(str::to_string),
    })
}

pub async fn list_access_keys(target: &Target, keys: &Keys, user: &str) -> Result<Vec<KeyMeta>, AwsError> {
    paged!(|m| {
        let out = idempotent(target, keys, |c| {
            let m = m.clone();
            async move { c.list_access_keys().user_name(user).set_marker(m).send().await }
        })
        .await?;
        let found = out
            .access_key_metadata()
            .iter()
            .filter_map(|k| {
                Some(KeyMeta {
                    id: KeyId::new(k.access_key_id()?),
                    active: k.status().is_none_or(|s| s.as_str() == "Active"),
                    created: secs(k.create_date()),
                })
            })
            .collect();
        (found, next(out.is_truncated(), out.marker()))
    })
}

pub async fn access_key_last_used(target: &Target, keys: &Keys, id: &KeyId) -> Result<LastUsed, AwsError> {
    let id = id.full();
    let out = idempotent(target, keys, |c| async move { c.get_access_key_last_used().access_key_id(id).send().await })
        .await?;
    let known = |s: &str| (!s.is_empty() && s != "N/A").then(|| s.to_string());
    Ok(out
        .access_key_last_used()
        .map(|l| LastUsed {
            date: secs(l.last_used_date()),
            service: known(l.service_name()),
            region: known(l.region()),
        })
        .unwrap_or_default())
}

/// Never retried: AWS shows the secret once, and a second key may not fit (two per user).
pub async fn create_access_key(target: &Target, keys: &Keys, user: &str) -> Result<NewKey, AwsError> {
    let out = call(target, keys, |c| async move { c.create_access_key().user_name(user).send().await }).await?;
    let k = out.access_key().ok_or_else(|| AwsError::Service {
        code: "MissingAccessKey".into(),
        message: "IAM answered CreateAccessKey without the key".into(),
        status: None,
    })?;
    Ok(NewKey { id: KeyId::new(k.access_key_id()), secret: Secret::new(k.secret_access_key()) })
}

pub async fn update_access_key(
    target: &Target,
    keys: &Keys,
    user: &str,
    id: &KeyId,
    active: bool,
) -> Result<(), AwsError> {
    let status = if active { "Active" } else { "Inactive" };
    let id = id.full();
    idempotent(target, keys, |c| async move {
        c.update_access_key().user_name(user).access_key_id(id).status(status.into()).send().await
    })
    .await?;
    Ok(())
}

/// Deleting a key that is already gone counts as done.
pub async fn delete_access_key(target: &Target, keys: &Keys, user: &str, id: &KeyId) -> Result<(), AwsError> {
    let id = id.full();
    let r =
        idempotent(
            target,
            keys,
            |c| async move { c.delete_access_key().user_name(user).access_key_id(id).send().await },
        )
        .await;
    match r {
        Err(e) if e.code() == Some("NoSuchEntity") => Ok(()),
        other => other.map(|_| ()),
    }
}

pub async fn list_user_mfa_devices(target: &Target, keys: &Keys, user: &str) -> Result<Vec<MfaDevice>, AwsError> {
    paged!(|m| {
        let out = idempotent(target, keys, |c| {
            let m = m.clone();
            async move { c.list_mfa_devices().user_name(user).set_marker(m).send().await }
        })
        .await?;
        let devices = out
            .mfa_devices()
            .iter()
            .map(|d| {
                let kind = MfaKind::of(d.serial_number());
                MfaDevice { serial: d.serial_number().to_string(), kind, enabled: Some(d.enable_date().secs()) }
            })
            .collect();
        (devices, next(out.is_truncated(), out.marker()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_show_their_last_four_only() {
        let id = KeyId::new("AKIAIOSFODNN7EXAMPLE");
        assert_eq!(id.to_string(), "****MPLE");
        assert_eq!(format!("{id:?}"), "KeyId(****MPLE)");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"****MPLE\"");
        assert_eq!(id.full(), "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(mask("AB"), "****AB");
    }

    #[tokio::test]
    async fn joins_keep_order_and_bound() {
        let running = std::sync::atomic::AtomicUsize::new(0);
        let peak = std::sync::atomic::AtomicUsize::new(0);
        let jobs: Vec<_> = (0..10u64)
            .map(|i| {
                let (running, peak) = (&running, &peak);
                async move {
                    let now = running.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                    peak.fetch_max(now, std::sync::atomic::Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(10 - i)).await;
                    running.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                    i
                }
            })
            .collect();
        assert_eq!(join_bounded(3, jobs).await, (0..10).collect::<Vec<_>>());
        assert_eq!(peak.load(std::sync::atomic::Ordering::SeqCst), 3);
    }

    #[test]
    fn device_kinds_from_serials() {
        assert_eq!(MfaKind::of("arn:aws:iam::123456789012:mfa/alice-phone"), MfaKind::Virtual);
        assert_eq!(MfaKind::of("arn:aws:iam::123456789012:u2f/user/alice/yubikey-ABCDEF"), MfaKind::Fido);
        assert_eq!(MfaKind::of("GAHT12345678"), MfaKind::Hardware);
        assert!(!MfaKind::Fido.usable_from_cli() && MfaKind::Hardware.usable_from_cli());
    }
}
