//! Thin wrappers over aws-sdk-iam: a user's MFA device (to tell a user whose profile lacks
//! `mfa_serial` exactly what to add) and account aliases (shown beside account ids).

use super::sts::{Keys, StsError, Target, classify, endpoint_label, http_client, sdk_credentials};
use aws_sdk_iam::config::retry::RetryConfig;
use aws_sdk_iam::config::{BehaviorVersion, Region};

fn client(target: &Target, keys: &Keys) -> aws_sdk_iam::Client {
    let creds = sdk_credentials(keys);
    let mut b = aws_sdk_iam::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(target.region.clone()))
        .credentials_provider(creds)
        .retry_config(RetryConfig::disabled())
        .http_client(http_client());
    if let Some(url) = Target::iam_endpoint_from_env().or_else(|| target.endpoint.clone()) {
        b = b.endpoint_url(url);
    }
    aws_sdk_iam::Client::from_conf(b.build())
}

/// Serial numbers of the caller's MFA devices (allowed without MFA by the usual boundaries).
pub async fn list_mfa_devices(target: &Target, keys: &Keys) -> Result<Vec<String>, StsError> {
    let out = client(target, keys).list_mfa_devices().send().await.map_err(|e| classify(e, &endpoint_label(target)))?;
    Ok(out.mfa_devices.into_iter().map(|d| d.serial_number).collect())
}

/// The account's alias (an account has at most one), if it has one and the caller may read it.
pub async fn account_alias(target: &Target, keys: &Keys) -> Result<Option<String>, StsError> {
    let out =
        client(target, keys).list_account_aliases().send().await.map_err(|e| classify(e, &endpoint_label(target)))?;
    Ok(out.account_aliases.into_iter().next())
}
