//! Where a planned profile's STS and IAM calls go, found the way the AWS CLI finds it.

use super::super::sts::Target;
use crate::config::sections::{ConfigSet, Section};

/// Regions that `sts_regional_endpoints = legacy` sends to the global endpoint.
const LEGACY_GLOBAL_STS: &[&str] = &[
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "aws-global",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// Where a profile's STS and IAM calls go, found the way the AWS CLI finds it: the service's
/// environment variable, the profile's `[services]` block, `AWS_ENDPOINT_URL`, the profile's
/// `endpoint_url`; then FIPS and `sts_regional_endpoints`.
pub(super) fn target_for(
    set: &ConfigSet,
    section: &Section,
    region: &str,
    partition: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Target {
    let truthy = |v: Option<String>| v.is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let ignore = truthy(env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))
        || truthy(section.get("ignore_configured_endpoint_urls").map(str::to_string));
    let configured = |service: &str| {
        if ignore {
            return None;
        }
        section.get("services").and_then(|s| set.service_setting(s, service, "endpoint_url")).map(str::to_string)
    };
    let global = || {
        env("AWS_ENDPOINT_URL").or_else(|| (!ignore).then(|| section.get("endpoint_url").map(str::to_string)).flatten())
    };
    let mut sts = env("AWS_ENDPOINT_URL_STS").or_else(|| configured("sts")).or_else(global);
    let iam = env("AWS_ENDPOINT_URL_IAM").or_else(|| configured("iam")).or_else(global);
    let fips = truthy(env("AWS_USE_FIPS_ENDPOINT")) || truthy(section.get("use_fips_endpoint").map(str::to_string));
    let regional =
        env("AWS_STS_REGIONAL_ENDPOINTS").or_else(|| section.get("sts_regional_endpoints").map(str::to_string));
    if sts.is_none()
        && !fips
        && partition == "aws"
        && regional.as_deref() == Some("legacy")
        && LEGACY_GLOBAL_STS.contains(&region)
    {
        sts = Some("https://sts.amazonaws.com".into());
    }
    Target { region: region.to_string(), endpoint: sts, iam_endpoint: iam, fips, ..Target::default() }
}
