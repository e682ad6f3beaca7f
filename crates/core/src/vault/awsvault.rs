//! What aws-vault stored, read so its users keep their keys (layout learnt from aws-vault and
//! its keyring library; nothing of theirs is reused):
//!
//! - An item is a JSON object `{"Key": profile, "Data": base64 of the credentials JSON, "Label":
//!   …}`; the credentials JSON has `AccessKeyID` and `SecretAccessKey` (and, for the sessions
//!   aws-vault caches, a `SessionToken`, which is not a long-term key and is skipped).
//! - In the Secret Service the item carries the attribute `profile = <profile>` (in aws-vault's
//!   own `awsvault` collection; a search covers every collection).
//! - The file backend keeps one file per item in `~/.awsvault/keys` (or `AWS_VAULT_FILE_DIR`):
//!   a compact JWE, `PBES2-HS256+A128KW` key wrapping with a passphrase and `A256GCM` content.

use super::VaultError;
use super::backend::Backend;
use crate::secret::{Keys, Secret};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// PBKDF2 rounds above this are refused: a file asking for more is not one to spend minutes on.
const MAX_P2C: u32 = 10_000_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AwsVaultError {
    #[error("{0}")]
    Vault(VaultError),
    #[error("aws-vault's file {path} cannot be read: {detail}")]
    File { path: String, detail: String },
    #[error("aws-vault's file {path} does not open with this passphrase (or is not an aws-vault file)")]
    Passphrase { path: String },
    #[error("aws-vault's item for {profile} is not in the shape aws-vault writes ({detail})")]
    Shape { profile: String, detail: &'static str },
}

#[derive(Deserialize)]
struct Item {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Data")]
    data: String,
}

#[derive(Deserialize)]
struct Creds {
    #[serde(rename = "AccessKeyID")]
    access_key_id: String,
    #[serde(rename = "SecretAccessKey")]
    secret_access_key: Secret,
    #[serde(rename = "SessionToken", default)]
    session_token: Option<String>,
}

/// The long-term keys in an aws-vault item's JSON, `None` for an item that holds a session.
fn keys_of(item_json: &[u8], profile: &str) -> Result<Option<Keys>, AwsVaultError> {
    let shape = |detail| AwsVaultError::Shape { profile: profile.into(), detail };
    let item: Item = serde_json::from_slice(item_json).map_err(|_| shape("not a keyring item"))?;
    if item.key != profile {
        return Ok(None);
    }
    let data = STANDARD.decode(item.data.as_bytes()).map_err(|_| shape("its Data is not base64"))?;
    let creds: Creds = serde_json::from_slice(&data).map_err(|_| shape("its Data is not aws-vault credentials"))?;
    if creds.session_token.as_deref().is_some_and(|t| !t.is_empty()) || creds.access_key_id.is_empty() {
        return Ok(None);
    }
    Ok(Some(Keys {
        access_key_id: creds.access_key_id,
        secret_access_key: creds.secret_access_key,
        session_token: None,
    }))
}

/// aws-vault's long-term keys for `profile` in the keychain, if it stored any there.
pub fn keychain_keys(backend: &dyn Backend, profile: &str) -> Result<Option<Keys>, AwsVaultError> {
    let found = backend.search(&[("profile", profile)]).map_err(AwsVaultError::Vault)?;
    for secret in found {
        if let Some(k) = keys_of(&secret, profile)? {
            return Ok(Some(k));
        }
    }
    Ok(None)
}

/// Where aws-vault's file backend keeps its items.
pub fn file_dir(home: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    env("AWS_VAULT_FILE_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| home.map(|h| h.join(".awsvault/keys")))
}

/// The file of `profile` in aws-vault's file backend (names with unsafe characters are stored
/// percent-escaped by newer versions).
pub fn file_for(dir: &Path, profile: &str) -> Option<PathBuf> {
    let plain = dir.join(profile);
    if plain.is_file() {
        return Some(plain);
    }
    let entries = std::fs::read_dir(dir).ok()?;
    entries.flatten().map(|e| e.path()).find(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| percent_encoding::percent_decode_str(n).decode_utf8_lossy() == profile)
    })
}

/// aws-vault's long-term keys for `profile` from its file backend, opened with `passphrase`.
pub fn file_keys(path: &Path, profile: &str, passphrase: &Secret) -> Result<Option<Keys>, AwsVaultError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| AwsVaultError::File { path: shown.clone(), detail: e.to_string() })?;
    let plain = decrypt_jwe(text.trim(), passphrase.expose().as_bytes()).map_err(|detail| match detail {
        JweError::Key => AwsVaultError::Passphrase { path: shown.clone() },
        JweError::Format(detail) => AwsVaultError::File { path: shown.clone(), detail: detail.into() },
    })?;
    keys_of(&plain, profile)
}

#[derive(Debug)]
enum JweError {
    /// The passphrase does not unwrap the content key (or the content was changed).
    Key,
    Format(&'static str),
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    enc: String,
    p2s: String,
    p2c: u32,
}

fn unwrap_key(alg: &str, password: &[u8], salt: &[u8], rounds: u32, wrapped: &[u8]) -> Result<Vec<u8>, JweError> {
    // RFC 7518 4.8: the salt is the algorithm's name, a zero byte, then p2s.
    let mut full_salt = alg.as_bytes().to_vec();
    full_salt.push(0);
    full_salt.extend_from_slice(salt);
    macro_rules! kw {
        ($hash:ty, $kek:ty, $len:expr) => {{
            let mut kek = [0u8; $len];
            pbkdf2::pbkdf2_hmac::<$hash>(password, &full_salt, rounds, &mut kek);
            let kek = <$kek>::from(kek);
            kek.unwrap_vec(wrapped).map_err(|_| JweError::Key)
        }};
    }
    match alg {
        "PBES2-HS256+A128KW" => kw!(sha2::Sha256, aes_kw::KekAes128, 16),
        "PBES2-HS384+A192KW" => kw!(sha2::Sha384, aes_kw::KekAes192, 24),
        "PBES2-HS512+A256KW" => kw!(sha2::Sha512, aes_kw::KekAes256, 32),
        _ => Err(JweError::Format("its key algorithm is not PBES2 (a passphrase)")),
    }
}

/// A compact JWE with a PBES2 key and AES-GCM content, decrypted.
fn decrypt_jwe(token: &str, password: &[u8]) -> Result<Vec<u8>, JweError> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header_b64, key_b64, iv_b64, ct_b64, tag_b64] = parts.as_slice() else {
        return Err(JweError::Format("it is not a compact JWE (five dot-separated parts)"));
    };
    let b64 = |s: &str| URL_SAFE_NO_PAD.decode(s).map_err(|_| JweError::Format("a part is not base64url"));
    let header: Header =
        serde_json::from_slice(&b64(header_b64)?).map_err(|_| JweError::Format("its header is not PBES2 JSON"))?;
    if header.p2c == 0 || header.p2c > MAX_P2C {
        return Err(JweError::Format("its PBKDF2 round count is out of range"));
    }
    let cek = unwrap_key(&header.alg, password, &b64(&header.p2s)?, header.p2c, &b64(key_b64)?)?;
    let iv = b64(iv_b64)?;
    if iv.len() != 12 {
        return Err(JweError::Format("its IV is not 96 bits"));
    }
    let mut body = b64(ct_b64)?;
    body.extend_from_slice(&b64(tag_b64)?);
    let aad = header_b64.as_bytes();
    let nonce = aes_gcm::Nonce::from_slice(&iv);
    let payload = Payload { msg: &body, aad };
    match header.enc.as_str() {
        "A256GCM" => aes_gcm::Aes256Gcm::new_from_slice(&cek).map_err(|_| JweError::Key)?.decrypt(nonce, payload),
        "A128GCM" => aes_gcm::Aes128Gcm::new_from_slice(&cek).map_err(|_| JweError::Key)?.decrypt(nonce, payload),
        _ => return Err(JweError::Format("its content encryption is not AES-GCM")),
    }
    .map_err(|_| JweError::Key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::backend::Memory;

    fn item(profile: &str, creds: &str) -> Vec<u8> {
        serde_json::json!({"Key": profile, "Data": STANDARD.encode(creds), "Label": format!("aws-vault ({profile})")})
            .to_string()
            .into_bytes()
    }

    #[test]
    fn keychain_items_of_aws_vaults_shape_are_found_and_sessions_skipped() {
        let mem = Memory::default();
        mem.add_foreign(
            &[("profile", "alice")],
            &item(
                "alice",
                r#"{"AccessKeyID":"AKIAALICE","SecretAccessKey":"s3cr3t","SessionToken":"","CanExpire":false}"#,
            ),
        );
        mem.add_foreign(
            &[("profile", "bob")],
            &item("bob", r#"{"AccessKeyID":"ASIABOB","SecretAccessKey":"x","SessionToken":"tok"}"#),
        );
        let k = keychain_keys(&mem, "alice").unwrap().unwrap();
        assert_eq!((k.access_key_id.as_str(), k.secret_access_key.expose()), ("AKIAALICE", "s3cr3t"));
        assert!(keychain_keys(&mem, "bob").unwrap().is_none());
        assert!(keychain_keys(&mem, "carol").unwrap().is_none());
        mem.add_foreign(&[("profile", "dave")], b"garbage");
        assert!(matches!(keychain_keys(&mem, "dave"), Err(AwsVaultError::Shape { .. })));
    }

    #[test]
    fn malformed_jwe_is_a_message_not_a_panic() {
        for bad in ["", "a.b.c", "....", "eyJ9.a.b.c.d"] {
            assert!(decrypt_jwe(bad, b"pw").is_err(), "{bad}");
        }
    }
}
