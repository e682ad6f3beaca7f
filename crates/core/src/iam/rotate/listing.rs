//! The rotation's view of the user's keys: each key as shown to a person, with its last use.

use super::super::access::{IamError, short};
use super::super::api::{self, KeyId, KeyMeta, LastUsed, join_all};
use super::super::keys::KeyInfo;
use super::Run;
use crate::net::Keys;

impl Run<'_> {
    /// One key as shown to a person, its last use asked for if not known yet.
    pub(super) async fn key_info(
        &self,
        id: &KeyId,
        keys: &[KeyMeta],
        file: &Keys,
        last_used: &[(KeyId, Result<LastUsed, String>)],
        signer: &Keys,
    ) -> Result<KeyInfo, IamError> {
        let mut info = self
            .infos(keys, file, last_used)
            .into_iter()
            .find(|k| k.id == *id)
            .ok_or_else(|| IamError::Refused(format!("{id} vanished from the key list")))?;
        if info.last_used.is_err() {
            info.last_used = api::access_key_last_used(&self.a.target, signer, id).await.map_err(|e| short(&e));
        }
        Ok(info)
    }

    pub(super) async fn last_used(&self, signer: &Keys, keys: &[KeyMeta]) -> Vec<(KeyId, Result<LastUsed, String>)> {
        let t = &self.a.target;
        let asks = keys.iter().map(|k| async move {
            (k.id.clone(), api::access_key_last_used(t, signer, &k.id).await.map_err(|e| e.to_string()))
        });
        join_all(asks.collect()).await
    }

    pub(super) fn infos(
        &self,
        keys: &[KeyMeta],
        file: &Keys,
        used: &[(KeyId, Result<LastUsed, String>)],
    ) -> Vec<KeyInfo> {
        let now = self.now();
        keys.iter()
            .map(|k| {
                let last_used =
                    used.iter().find(|(id, _)| *id == k.id).map_or_else(|| Err("not asked".into()), |(_, l)| l.clone());
                let in_use = k.id.full() == file.access_key_id;
                KeyInfo::new(k.clone(), in_use, last_used, self.opts.max_age_days, now)
            })
            .collect()
    }
}
