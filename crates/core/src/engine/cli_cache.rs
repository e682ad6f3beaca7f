//! The AWS CLI's own assume-role cache, kept filled: `aws --profile prod-admin`, under the name
//! the user already types, finds a session there and never asks for an MFA code.
//!
//! The AWS CLI (v1 and v2, through botocore) looks in `~/.aws/cli/cache/KEY.json` before it
//! prompts. KEY is the SHA-1 of the AssumeRole arguments it would send, as
//! `json.dumps(args, sort_keys=True)` writes them: `RoleArn`, and from the role profile's own
//! section (nothing inherited) `SerialNumber` (mfa_serial), `ExternalId`, `DurationSeconds` (an
//! integer) and `RoleSessionName` only when the profile sets one. An entry with less than 15
//! minutes left counts as expired (`windows::AWS_CLI_CACHE_WINDOW`).
//!
//! mfatui writes an entry for every role profile it holds a session for, renews it with the
//! session, and removes it on logout or when the profile's arguments change. Its entries carry
//! an `mfatui` field naming the session store (the CLI ignores it): mfatui removes only its own,
//! and never changes a file without that field, except one the CLI itself already considers
//! expired (which the CLI would replace at its next prompt anyway).

use super::plan::Plan;
use super::windows::AWS_CLI_CACHE_WINDOW;
use crate::config::sections::Section;
use crate::store::Loaded;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The folder under HOME where both AWS CLIs keep it.
pub fn dir_in(home: &Path) -> PathBuf {
    home.join(".aws").join("cli").join("cache")
}

/// The cache key the AWS CLI computes for a role profile: what it is computed from is taken
/// when the plan is built, the hash only when an entry is written (a config with thousands of
/// roles must not hash them all to show a dashboard).
#[derive(Debug, Clone, Default)]
pub struct CacheKey {
    inputs: Option<KeyInputs>,
    key: std::sync::OnceLock<Option<String>>,
}

/// `RoleArn`, the other AssumeRole arguments the AWS CLI hashes, and `DurationSeconds` as the
/// section writes it.
#[derive(Debug, Clone)]
struct KeyInputs {
    role_arn: String,
    others: Vec<(&'static str, String)>,
    duration: Option<String>,
}

impl CacheKey {
    /// The file name (without `.json`), or `None` for a section that is not a role's.
    pub fn get(&self) -> Option<&str> {
        self.key
            .get_or_init(|| {
                let KeyInputs { role_arn, others, duration } = self.inputs.as_ref()?;
                let mut args: BTreeMap<&str, Value> = BTreeMap::new();
                args.insert("RoleArn", Value::String(role_arn.clone()));
                for (arg, v) in others {
                    args.insert(arg, Value::String(v.clone()));
                }
                if let Some(d) = duration {
                    // botocore sends int(duration_seconds); a value it cannot read fails there, not here.
                    args.insert("DurationSeconds", Value::from(d.trim().parse::<i64>().ok()?));
                }
                Some(sha1_hex(python_json(&args).as_bytes()))
            })
            .as_deref()
    }
}

/// What the AWS CLI's cache key for a role profile's section is computed from.
pub fn key_for(section: &Section) -> CacheKey {
    let inputs = section.get("role_arn").map(|arn| {
        let others =
            [("mfa_serial", "SerialNumber"), ("external_id", "ExternalId"), ("role_session_name", "RoleSessionName")]
                .into_iter()
                .filter_map(|(key, arg)| Some((arg, section.get(key)?.to_string())))
                .collect();
        KeyInputs { role_arn: arn.to_string(), others, duration: section.get("duration_seconds").map(str::to_string) }
    });
    CacheKey { inputs, key: std::sync::OnceLock::new() }
}

/// `json.dumps(args, sort_keys=True)` as Python writes it: `", "` and `": "` between items, and
/// every character outside ASCII escaped (`ensure_ascii`).
fn python_json(args: &BTreeMap<&str, Value>) -> String {
    let item = |(k, v): (&&str, &Value)| {
        let v = match v {
            Value::String(s) => py_str(s),
            other => other.to_string(),
        };
        format!("{}: {v}", py_str(k))
    };
    format!("{{{}}}", args.iter().map(item).collect::<Vec<_>>().join(", "))
}

fn py_str(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// SHA-1 (FIPS 180-4), for the cache's file names only: the AWS CLI's choice, not a security one.
pub(crate) fn sha1_hex(data: &[u8]) -> String {
    let mut h: [u32; 5] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];
    let mut msg = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_be_bytes());
    for block in msg.chunks(64) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A827999),
                20..=39 => (b ^ c ^ d, 0x6ED9EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1BBCDC),
                _ => (b ^ c ^ d, 0xCA62C1D6),
            };
            let t = a.rotate_left(5).wrapping_add(f).wrapping_add(e).wrapping_add(k).wrapping_add(*wi);
            (e, d, c, b, a) = (d, c, b.rotate_left(30), a, t);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    h.iter().map(|x| format!("{x:08x}")).collect()
}

/// What an entry of ours says about itself (the CLI reads only `Credentials`).
const OWNER: &str = "mfatui";

/// The entries mfatui wants now: by cache key, the profile and the file's JSON.
fn wanted(plan: &Plan, stored: &Loaded, now: i64, owner: &str) -> BTreeMap<String, (String, Value)> {
    let mut out = BTreeMap::new();
    for role in &plan.roles {
        let Some(s) = stored.sessions.get(&role.name).filter(|s| s.left(now) > 0) else { continue };
        let Some(key) = role.aws_cli_cache_key.get() else { continue };
        let mut credentials = json!({
            "AccessKeyId": s.access_key_id,
            "SecretAccessKey": s.secret_access_key.expose(),
            "SessionToken": s.session_token.expose(),
            "Expiration": s.expiration,
        });
        if let Some(account) = &role.account {
            credentials["AccountId"] = json!(account);
        }
        let mut entry = json!({
            "Credentials": credentials,
            OWNER: {"profile": role.name, "store": owner, "note": "written by mfatui for the AWS CLI; mfatui renews and removes it"},
        });
        if let Some(arn) = &s.identity_arn {
            entry["AssumedRoleUser"] = json!({"Arn": arn});
        }
        out.insert(key.to_string(), (role.name.clone(), entry));
    }
    out
}

/// Who wrote a cache file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Writer {
    /// This mfatui (the same session store).
    Us,
    /// An mfatui with another store (another HOME's or config's): its to renew and remove.
    OtherMfatui,
    /// The AWS CLI, or anything else.
    Foreign,
}

/// Who wrote a cache file, and when (as the CLI reads it) it expires.
fn inspect(path: &Path, owner: &str) -> Option<(Writer, Option<i64>)> {
    let v: Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    let ours = match v.get(OWNER) {
        Some(m) if m.get("store").and_then(Value::as_str) == Some(owner) => Writer::Us,
        Some(_) => Writer::OtherMfatui,
        None => Writer::Foreign,
    };
    let expires = v
        .pointer("/Credentials/Expiration")
        .and_then(Value::as_str)
        .and_then(|e| crate::clock::parse_rfc3339(&e.replace("UTC", "Z")));
    Some((ours, expires))
}

/// Make the cache hold exactly mfatui's current entries: write or renew those wanted, remove
/// its own that are not. Failures are logged, never fatal: the cache only spares a prompt.
/// `lock` (in mfatui's own state, so the CLI's folder gets no lock files) serialises mfatui
/// processes doing this at once; `owner` (the session store's path) tells this mfatui's entries
/// from those of another one sharing the folder.
pub fn sync(dir: &Path, lock: &Path, owner: &str, plan: Option<&Plan>, stored: &Loaded, now: i64) {
    let wanted = plan.map(|p| wanted(p, stored, now, owner)).unwrap_or_default();
    // Nothing to write and nothing of ours can be there: create nothing (no folder, no lock).
    if wanted.is_empty() && !dir.is_dir() {
        return;
    }
    let _lock = match crate::userfile::lock_for(lock) {
        Ok(l) => l,
        Err(err) => {
            tracing::warn!(error = %err, "the AWS CLI cache was not updated");
            return;
        }
    };
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let path = e.path();
            let Some(key) =
                path.file_stem().and_then(|s| s.to_str()).filter(|_| path.extension().is_some_and(|x| x == "json"))
            else {
                continue;
            };
            if !wanted.contains_key(key)
                && inspect(&path, owner).is_some_and(|(w, _)| w == Writer::Us)
                && let Err(err) = std::fs::remove_file(&path)
            {
                tracing::warn!(file = %path.display(), error = %err, "cannot remove an AWS CLI cache entry mfatui wrote");
            }
        }
    }
    for (key, (profile, entry)) in wanted {
        let path = dir.join(format!("{key}.json"));
        match inspect(&path, owner) {
            // The CLI's own entry, still good for it: not ours to touch.
            Some((Writer::Foreign, Some(t))) if t - now >= AWS_CLI_CACHE_WINDOW => continue,
            Some((Writer::Foreign, None)) => continue,
            _ => {}
        }
        let text = entry.to_string();
        if std::fs::read_to_string(&path).is_ok_and(|old| old == text) {
            continue;
        }
        if let Err(err) = crate::userfile::write_atomic(&path, text.as_bytes()) {
            tracing::warn!(%profile, file = %path.display(), error = %err, "cannot write the AWS CLI cache entry; the AWS CLI will ask for a code for this profile");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_matches_the_standard_vectors() {
        assert_eq!(sha1_hex(b""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        let long = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        assert_eq!(sha1_hex(long.as_bytes()), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    }

    #[test]
    fn arguments_are_written_as_python_writes_them() {
        let mut args = BTreeMap::new();
        args.insert("SerialNumber", json!("arn:aws:iam::1:mfa/é"));
        args.insert("RoleArn", json!("arn:aws:iam::2:role/r"));
        args.insert("DurationSeconds", json!(3600));
        assert_eq!(
            python_json(&args),
            r#"{"DurationSeconds": 3600, "RoleArn": "arn:aws:iam::2:role/r", "SerialNumber": "arn:aws:iam::1:mfa/\u00e9"}"#
        );
    }
}
