//! Checks of one profile's own settings: each problem the AWS CLI or SDKs would raise, with
//! the setting's line. Values quoted in messages are clipped: a value can be any length.

use super::diagnostics::{NAME_WIDTH, Severity, VALUE_WIDTH};
use super::sections::{ConfigSet, Section};
use crate::config::arn::{is_mfa_serial, is_role_arn};
use crate::display::clip;

const CREDENTIAL_SOURCES: [&str; 3] = ["Environment", "Ec2InstanceMetadata", "EcsContainer"];

/// Checks that need only the profile's own settings.
pub(super) fn check_own_settings(s: &Section, set: &ConfigSet, diag: &mut impl FnMut(Severity, Option<&str>, String)) {
    let id = s.get("aws_access_key_id");
    let secret = s.get("aws_secret_access_key");
    match (id, secret) {
        (Some(_), None) => diag(Severity::Error, Some("aws_access_key_id"), "has aws_access_key_id but no aws_secret_access_key: add the secret, or remove the key id".into()),
        (None, Some(_)) => diag(Severity::Error, Some("aws_secret_access_key"), "has aws_secret_access_key but no aws_access_key_id: add the key id, or remove the secret".into()),
        (None, None) if s.get("aws_session_token").is_some() => diag(Severity::Error, Some("aws_session_token"), "has aws_session_token but no access keys: a session token is used only together with aws_access_key_id and aws_secret_access_key".into()),
        _ => {}
    }
    // A region goes into every endpoint URL: one with a space or a NUL cannot work, and would
    // otherwise surface as "cannot reach STS" after seconds of retries.
    if let Some(r) = s.get("region").filter(|r| !valid_region(r)) {
        diag(
            Severity::Error,
            Some("region"),
            format!(
                "region `{}` is not a region name (like eu-west-1): fix or remove it",
                clip(&r.escape_debug().to_string(), VALUE_WIDTH)
            ),
        );
    }
    if let Some(arn) = s.get("role_arn") {
        if !is_role_arn(arn) {
            diag(
                Severity::Error,
                Some("role_arn"),
                format!(
                    "role_arn `{}` is not a role ARN; expected arn:aws:iam::123456789012:role/NAME",
                    clip(arn, VALUE_WIDTH)
                ),
            );
        }
        let sp = s.get("source_profile");
        let cs = s.get("credential_source");
        let web = s.get("web_identity_token_file");
        match (sp, cs) {
            (Some(_), Some(_)) => diag(Severity::Error, Some("credential_source"), "has both source_profile and credential_source; the AWS CLI refuses this: keep one".into()),
            (None, None) if web.is_none() => diag(Severity::Error, Some("role_arn"), "has role_arn but no source_profile or credential_source, so nothing can assume the role: add source_profile = <your IAM user profile>".into()),
            _ => {}
        }
        if let Some(cs) = cs.filter(|c| !CREDENTIAL_SOURCES.contains(c)) {
            diag(
                Severity::Error,
                Some("credential_source"),
                format!(
                    "credential_source `{}` is not one of Environment, Ec2InstanceMetadata, EcsContainer",
                    clip(cs, VALUE_WIDTH)
                ),
            );
        }
        if id.is_some() && secret.is_some() {
            diag(Severity::Warning, Some("role_arn"), "has both role_arn and access keys: used directly it assumes the role, but as another profile's source_profile its keys are used".into());
        }
    }
    if let Some(d) = s.get("duration_seconds") {
        // Roles: AssumeRole's limit. Users: the MFA session's (GetSessionToken) limit.
        let max = if s.get("role_arn").is_some() { 43_200 } else { 129_600 };
        match d.parse::<u32>() {
            Ok(n) if (900..=max).contains(&n) => {}
            _ => diag(
                Severity::Error,
                Some("duration_seconds"),
                format!(
                    "duration_seconds `{}` must be a whole number of seconds from 900 to {max}",
                    clip(d, VALUE_WIDTH)
                ),
            ),
        }
    }
    if let Some(n) = s.get("role_session_name")
        && !super::arn::is_role_session_name(n)
    {
        diag(
            Severity::Error,
            Some("role_session_name"),
            format!(
                "role_session_name `{}` must be 2 to 64 characters of letters, digits and +=,.@-_",
                clip(n, VALUE_WIDTH)
            ),
        );
    }
    if let Some(e) = s.get("external_id") {
        let ok =
            (2..=1224).contains(&e.len()) && e.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@:/-_".contains(c));
        if !ok {
            diag(
                Severity::Error,
                Some("external_id"),
                "external_id must be 2 to 1224 characters of letters, digits and +=,.@:/-_".into(),
            );
        }
    }
    if let Some(m) = s.get("mfa_serial").filter(|m| m.starts_with("arn:") && !is_mfa_serial(m)) {
        diag(
            Severity::Error,
            Some("mfa_serial"),
            format!(
                "mfa_serial `{}` is not an MFA device ARN; expected arn:aws:iam::123456789012:mfa/DEVICE",
                clip(m, VALUE_WIDTH)
            ),
        );
    }
    if let Some(sso) = s.get("sso_session").filter(|n| !set.sso_sessions.contains_key(*n)) {
        diag(
            Severity::Error,
            Some("sso_session"),
            format!("sso_session `{0}` has no [sso-session {0}] section in the config file", clip(sso, NAME_WIDTH)),
        );
    }
}

/// An SSO profile's settings, checked as aws-config's profile provider checks them (and
/// botocore's `SSOProvider`, which agrees except where noted).
pub(super) fn check_sso(s: &Section, set: &ConfigSet, diag: &mut impl FnMut(Severity, Option<&str>, String)) {
    let (mut start_url, mut region) = (s.get("sso_start_url"), s.get("sso_region"));
    match s.get("sso_session") {
        Some(full) => {
            // The full name finds the section; the clipped one goes in messages.
            let name = clip(full, NAME_WIDTH);
            for key in ["sso_start_url", "sso_region"].into_iter().filter(|k| s.get(k).is_some()) {
                diag(
                    Severity::Error,
                    Some(key),
                    format!(
                        "{key} belongs in [sso-session {name}] once sso_session is set: the AWS SDKs refuse this profile while it is here too (the AWS CLI only if the two values differ); remove it from the profile"
                    ),
                );
            }
            // A missing [sso-session] section is reported by `check_own_settings`.
            let Some(session) = set.sso_sessions.get(full) else { return };
            (start_url, region) = (session.get("sso_start_url"), session.get("sso_region"));
            for (key, value) in [("sso_start_url", start_url), ("sso_region", region)] {
                if value.is_none() {
                    diag(
                        Severity::Error,
                        Some("sso_session"),
                        format!(
                            "[sso-session {name}] has no {key}; the AWS CLI and SDKs need it to sign in: add it there"
                        ),
                    );
                }
            }
        }
        None => {
            if start_url.is_none() {
                diag(
                    Severity::Error,
                    None,
                    "has SSO settings but neither sso_session nor sso_start_url, so the AWS CLI and SDKs cannot sign in: add sso_session = NAME and an [sso-session NAME] section with sso_start_url and sso_region".into(),
                );
            } else if region.is_none() {
                diag(
                    Severity::Error,
                    Some("sso_start_url"),
                    "has sso_start_url but no sso_region; the AWS CLI and SDKs need the region of your IAM Identity Center: add sso_region".into(),
                );
            }
        }
    }
    match (s.get("sso_account_id"), s.get("sso_role_name")) {
        (Some(_), None) => diag(
            Severity::Error,
            Some("sso_account_id"),
            "has sso_account_id but no sso_role_name; the AWS CLI and SDKs need both to get role credentials: add sso_role_name".into(),
        ),
        (None, Some(_)) => diag(
            Severity::Error,
            Some("sso_role_name"),
            "has sso_role_name but no sso_account_id; the AWS CLI and SDKs need both to get role credentials: add sso_account_id".into(),
        ),
        (None, None) => diag(
            Severity::Warning,
            Some(if s.get("sso_session").is_some() { "sso_session" } else { "sso_start_url" }),
            "has no sso_account_id or sso_role_name, so it yields an SSO sign-in token but no AWS credentials: the AWS SDKs refuse it as a credentials profile and the AWS CLI finds no credentials in it; add both to use it for AWS calls".into(),
        ),
        (Some(_), Some(_)) => {}
    }
}

/// A region name that can be part of a host name (`eu-west-1`, `us-gov-west-1`): a DNS label,
/// as the SDKs check it. A space or a NUL would otherwise surface as a network error.
pub fn valid_region(r: &str) -> bool {
    (1..=63).contains(&r.len())
        && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !r.starts_with('-')
        && !r.ends_with('-')
}

/// A `login_session` profile (`aws login`, AWS CLI 2.32+): its value is the IAM user's ARN.
pub(super) fn check_login(s: &Section, diag: &mut impl FnMut(Severity, Option<&str>, String)) {
    let Some(arn) = s.get("login_session") else { return };
    if super::arn::parse_user_arn(arn).is_none() {
        diag(
            Severity::Error,
            Some("login_session"),
            format!(
                "login_session `{}` is not an IAM user ARN; `aws login` writes arn:aws:iam::123456789012:user/NAME: run `aws login --profile {}` again",
                clip(arn, VALUE_WIDTH),
                clip(&s.name, NAME_WIDTH)
            ),
        );
    }
}
