//! IAM, through aws-sdk-iam, bounded like every call (see `net`): the caller's MFA devices (to
//! tell a user whose profile lacks `mfa_serial` exactly what to add) and account aliases here;
//! the IAM view in the submodules: `api`/`policy_api` (wrappers), `access` (which credentials
//! sign), `denial` (AWS's AccessDenied wording), `keys` (a user's overview), `key_ops` (deactivating or deleting a key not in use), `rotate` +
//! `journal` (key rotation), `audit` (is MFA
//! really enforced), `policy`/`enforcement` (the evaluator and the static analysis).

use super::net::{AwsError, Endpoint, Keys, classify, http_client, sdk_credentials, timeout_config, within};
use super::sts::Target;
use aws_sdk_iam::config::retry::RetryConfig;
use aws_sdk_iam::config::{BehaviorVersion, Region};

pub mod access;
pub mod api;
pub mod audit;
pub mod denial;
pub mod enforcement;
pub mod init;
pub mod journal;
pub mod key_ops;
pub mod keys;
pub mod policy;
pub mod policy_api;
pub mod rotate;

pub(crate) fn client(target: &Target, keys: &Keys) -> aws_sdk_iam::Client {
    let mut b = aws_sdk_iam::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(target.region.clone()))
        .credentials_provider(sdk_credentials(keys))
        .retry_config(RetryConfig::disabled())
        .timeout_config(timeout_config(target.deadlines))
        .http_client(http_client());
    if let Some(url) = &target.iam_endpoint {
        b = b.endpoint_url(url);
    }
    aws_sdk_iam::Client::from_conf(b.build())
}

/// Run `f` against IAM within the target's call deadline, with errors classified for IAM.
pub(crate) async fn call<T, F, Fut, E>(target: &Target, keys: &Keys, f: F) -> Result<T, AwsError>
where
    F: FnOnce(aws_sdk_iam::Client) -> Fut,
    Fut: std::future::Future<
            Output = Result<T, aws_sdk_iam::error::SdkError<E, aws_sdk_iam::config::http::HttpResponse>>,
        >,
    E: aws_sdk_iam::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    let url = target.iam_url();
    let at = Endpoint { service: "IAM", url: &url };
    within(target.deadlines.call, at, async { f(client(target, keys)).await.map_err(|e| classify(e, at)) }).await
}

/// Serial numbers of the caller's MFA devices (allowed without MFA by the usual boundaries).
pub async fn list_mfa_devices(target: &Target, keys: &Keys) -> Result<Vec<String>, AwsError> {
    let out = call(target, keys, |c| async move { c.list_mfa_devices().send().await }).await?;
    Ok(out.mfa_devices.into_iter().map(|d| d.serial_number).collect())
}

/// The account's alias (an account has at most one), if it has one and the caller may read it.
pub async fn account_alias(target: &Target, keys: &Keys) -> Result<Option<String>, AwsError> {
    let out = call(target, keys, |c| async move { c.list_account_aliases().send().await }).await?;
    Ok(out.account_aliases.into_iter().next())
}
