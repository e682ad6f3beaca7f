//! Why mfatui does not sign in a profile, in the words every command and the dashboard show.

use crate::config::{ProfileGraph, ProfileKind, Severity};

/// Why mfatui does not sign in a profile of this kind.
pub(super) fn reason(graph: &ProfileGraph, name: &str) -> String {
    if let Some(d) = graph.diagnostics_for(name).find(|d| d.severity == Severity::Error) {
        let at = d.at.as_ref().map(|a| format!(" ({a})")).unwrap_or_default();
        return format!("{name} is broken{at}: {}", d.message);
    }
    let Some(p) = graph.get(name) else { return format!("{name} is not a profile") };
    match p.kind {
        _ if p.credential_source.is_some() => format!(
            "{name} is assumed from `credential_source = {}`: the AWS CLI takes its base credentials from the environment or instance metadata, with no MFA; mfatui signs in IAM users with access keys and the roles assumed from them",
            p.credential_source.unwrap_or_default()
        ),
        ProfileKind::Sso => format!(
            "{name} is an IAM Identity Center (SSO) profile: the AWS CLI signs it in (`aws sso login --profile {name}`); mfatui shows its access token's expiry and assumes the roles sourced from it while the token is valid"
        ),
        ProfileKind::Login => format!(
            "{name} signs in with `aws login` (login_session): the AWS CLI keeps and refreshes its credentials (`aws login --profile {name}`); mfatui shows their expiry and assumes the roles sourced from it while they are usable without a refresh"
        ),
        ProfileKind::WebIdentity => format!(
            "{name} is assumed with a web identity token (web_identity_token_file), which the SDKs do themselves without MFA"
        ),
        ProfileKind::SessionKeys => {
            format!("{name} holds temporary keys (aws_session_token) that another tool wrote; mfatui cannot renew them")
        }
        ProfileKind::ConfigOnly => format!("{name} has no credentials of its own (settings only)"),
        _ if p.root_user.is_none() => format!("{name} does not lead to an IAM user with access keys"),
        _ => format!("{name} is rooted at {}, which mfatui cannot sign in", p.root_user.unwrap_or_default()),
    }
}
