//! IAM calls about policies: what applies to a user (its groups, inline and managed policies and
//! their documents), the policy simulator, and the two writes the MFA fix needs (CreatePolicy,
//! PutUserPermissionsBoundary). Documents arrive URL-encoded from AWS but raw from some
//! emulators (moto's GetPolicyVersion); both are accepted.

use super::api::{Attached, idempotent, next, paged};
use super::call;
use crate::net::{AwsError, Keys};
use crate::sts::Target;
use aws_sdk_iam::types::{ContextEntry, ContextKeyTypeEnum, PolicyEvaluationDecisionType};
use serde_json::Value;

/// A policy document as IAM returns it: JSON, or JSON URL-encoded (RFC 3986).
pub fn decode_document(text: &str) -> Result<Value, String> {
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        return Ok(v);
    }
    let decoded = percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .map_err(|_| "the policy document is neither JSON nor URL-encoded UTF-8".to_string())?;
    serde_json::from_str(&decoded).map_err(|e| format!("the policy document is not JSON ({e})"))
}

fn attached(list: &[aws_sdk_iam::types::AttachedPolicy]) -> Vec<Attached> {
    list.iter()
        .filter_map(|p| {
            let arn = p.policy_arn()?.to_string();
            let name =
                p.policy_name().map_or_else(|| arn.rsplit('/').next().unwrap_or(&arn).to_string(), str::to_string);
            Some(Attached { name, arn })
        })
        .collect()
}

/// The names of the groups `user` belongs to.
pub async fn list_groups_for_user(target: &Target, keys: &Keys, user: &str) -> Result<Vec<String>, AwsError> {
    paged!(|m| {
        let out = idempotent(target, keys, |c| {
            let m = m.clone();
            async move { c.list_groups_for_user().user_name(user).set_marker(m).send().await }
        })
        .await?;
        let names = out.groups().iter().map(|g| g.group_name().to_string()).collect();
        (names, next(out.is_truncated(), out.marker()))
    })
}

pub async fn list_user_policies(target: &Target, keys: &Keys, user: &str) -> Result<Vec<String>, AwsError> {
    paged!(|m| {
        let out = idempotent(target, keys, |c| {
            let m = m.clone();
            async move { c.list_user_policies().user_name(user).set_marker(m).send().await }
        })
        .await?;
        (out.policy_names().to_vec(), next(out.is_truncated(), out.marker()))
    })
}

pub async fn get_user_policy(target: &Target, keys: &Keys, user: &str, name: &str) -> Result<Value, AwsError> {
    let out =
        idempotent(target, keys, |c| async move { c.get_user_policy().user_name(user).policy_name(name).send().await })
            .await?;
    decode_document(out.policy_document()).map_err(malformed)
}

pub async fn list_attached_user_policies(target: &Target, keys: &Keys, user: &str) -> Result<Vec<Attached>, AwsError> {
    paged!(|m| {
        let out = idempotent(target, keys, |c| {
            let m = m.clone();
            async move { c.list_attached_user_policies().user_name(user).set_marker(m).send().await }
        })
        .await?;
        (attached(out.attached_policies()), next(out.is_truncated(), out.marker()))
    })
}

pub async fn list_group_policies(target: &Target, keys: &Keys, group: &str) -> Result<Vec<String>, AwsError> {
    paged!(|m| {
        let out = idempotent(target, keys, |c| {
            let m = m.clone();
            async move { c.list_group_policies().group_name(group).set_marker(m).send().await }
        })
        .await?;
        (out.policy_names().to_vec(), next(out.is_truncated(), out.marker()))
    })
}

pub async fn get_group_policy(target: &Target, keys: &Keys, group: &str, name: &str) -> Result<Value, AwsError> {
    let out =
        idempotent(
            target,
            keys,
            |c| async move { c.get_group_policy().group_name(group).policy_name(name).send().await },
        )
        .await?;
    decode_document(out.policy_document()).map_err(malformed)
}

pub async fn list_attached_group_policies(
    target: &Target,
    keys: &Keys,
    group: &str,
) -> Result<Vec<Attached>, AwsError> {
    paged!(|m| {
        let out = idempotent(target, keys, |c| {
            let m = m.clone();
            async move { c.list_attached_group_policies().group_name(group).set_marker(m).send().await }
        })
        .await?;
        (attached(out.attached_policies()), next(out.is_truncated(), out.marker()))
    })
}

/// The default version of a managed policy (GetPolicy, then GetPolicyVersion). `None` when
/// there is no such policy.
pub async fn managed_policy_document(target: &Target, keys: &Keys, arn: &str) -> Result<Option<Value>, AwsError> {
    let policy = match idempotent(target, keys, |c| async move { c.get_policy().policy_arn(arn).send().await }).await {
        Err(e) if e.code() == Some("NoSuchEntity") => return Ok(None),
        other => other?,
    };
    let version = policy.policy().and_then(|p| p.default_version_id()).unwrap_or("v1").to_string();
    let version = version.as_str();
    let out =
        idempotent(
            target,
            keys,
            |c| async move { c.get_policy_version().policy_arn(arn).version_id(version).send().await },
        )
        .await?;
    let text = out.policy_version().and_then(|v| v.document()).unwrap_or_default();
    decode_document(text).map(Some).map_err(malformed)
}

fn malformed(why: String) -> AwsError {
    AwsError::Service { code: "MalformedPolicyDocument".into(), message: why, status: None }
}

/// A context entry for the simulator: key, type, values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextValue {
    pub key: String,
    pub kind: &'static str,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SimDecision {
    Allowed,
    ExplicitDeny,
    ImplicitDeny,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimResult {
    pub action: String,
    pub decision: SimDecision,
    /// `SourcePolicyId`s of the statements that decided.
    pub matched: Vec<String>,
    pub missing_context: Vec<String>,
}

/// SimulatePrincipalPolicy for `source_arn` (a user) on `resources`, with exactly `context`.
pub async fn simulate_principal_policy(
    target: &Target,
    keys: &Keys,
    source_arn: &str,
    actions: &[&str],
    resources: &[&str],
    context: &[ContextValue],
) -> Result<Vec<SimResult>, AwsError> {
    let entries: Vec<ContextEntry> = context
        .iter()
        .map(|c| {
            ContextEntry::builder()
                .context_key_name(&c.key)
                .context_key_type(ContextKeyTypeEnum::from(c.kind))
                .set_context_key_values(Some(c.values.clone()))
                .build()
        })
        .collect();
    let actions: Vec<String> = actions.iter().map(|a| a.to_string()).collect();
    let resources: Vec<String> = resources.iter().map(|r| r.to_string()).collect();
    paged!(|m| {
        let out = idempotent(target, keys, |c| {
            let (m, entries, actions, resources) = (m.clone(), entries.clone(), actions.clone(), resources.clone());
            async move {
                c.simulate_principal_policy()
                    .policy_source_arn(source_arn)
                    .set_action_names(Some(actions))
                    .set_resource_arns((!resources.is_empty()).then_some(resources))
                    .set_context_entries((!entries.is_empty()).then_some(entries))
                    .set_marker(m)
                    .send()
                    .await
            }
        })
        .await?;
        let results = out
            .evaluation_results()
            .iter()
            .map(|r| {
                let mut missing: Vec<String> = r.missing_context_values().to_vec();
                for rs in r.resource_specific_results() {
                    missing.extend(rs.missing_context_values().iter().cloned());
                }
                missing.sort();
                missing.dedup();
                SimResult {
                    action: r.eval_action_name().to_string(),
                    decision: match r.eval_decision() {
                        PolicyEvaluationDecisionType::Allowed => SimDecision::Allowed,
                        PolicyEvaluationDecisionType::ExplicitDeny => SimDecision::ExplicitDeny,
                        _ => SimDecision::ImplicitDeny,
                    },
                    matched: r
                        .matched_statements()
                        .iter()
                        .filter_map(|s| s.source_policy_id())
                        .map(str::to_string)
                        .collect(),
                    missing_context: missing,
                }
            })
            .collect();
        (results, next(out.is_truncated(), out.marker()))
    })
}

/// CreatePolicy; returns the new policy's ARN. Not retried (a lost answer would make the retry
/// fail with EntityAlreadyExists, which the caller handles by reading the policy).
pub async fn create_policy(target: &Target, keys: &Keys, name: &str, document: &str) -> Result<String, AwsError> {
    let out =
        call(
            target,
            keys,
            |c| async move { c.create_policy().policy_name(name).policy_document(document).send().await },
        )
        .await?;
    Ok(out.policy().and_then(|p| p.arn()).unwrap_or_default().to_string())
}

pub async fn put_user_permissions_boundary(
    target: &Target,
    keys: &Keys,
    user: &str,
    policy_arn: &str,
) -> Result<(), AwsError> {
    idempotent(target, keys, |c| async move {
        c.put_user_permissions_boundary().user_name(user).permissions_boundary(policy_arn).send().await
    })
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::decode_document;

    #[test]
    fn documents_raw_or_url_encoded() {
        let raw = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::a%b"}]}"#;
        assert_eq!(decode_document(raw).unwrap()["Statement"][0]["Resource"], "arn:aws:s3:::a%b");
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(decode_document(encoded).unwrap()["Version"], "2012-10-17");
        assert!(decode_document("%7Bnot json").unwrap_err().contains("not JSON"));
    }
}
