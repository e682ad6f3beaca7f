//! How much life the SDKs want left in credentials they are handed, and so how much mfatui
//! hands out: one place for every channel (`credential-process`, `serve`, `exec`, `env`, the
//! console link).

/// botocore (the AWS CLI, boto3) refreshes credentials with less than 15 minutes left on the
/// next call, and insists on it below 10: `RefreshableCredentials._advisory_refresh_timeout =
/// 15 * 60` and `_mandatory_refresh_timeout = 10 * 60` in botocore/credentials.py. Handed less,
/// it fetches again on every call (one more credential-process run per `aws` command).
pub const BOTOCORE_REFRESH_WINDOW: i64 = 15 * 60;

/// The AWS CLI (v1 and v2) takes a role session from its own cache (`~/.aws/cli/cache`) only
/// while more than this is left, and prompts for an MFA code otherwise:
/// `AssumeRoleCredentialFetcher(expiry_window_seconds=60 * 15)` in botocore/credentials.py. The
/// same number as botocore's refresh window, so `hand_out_left` covers both.
pub const AWS_CLI_CACHE_WINDOW: i64 = 15 * 60;

/// The JavaScript SDK v3 treats credentials with less than 5 minutes left as expired:
/// `EXPIRATION_MS = 300_000` in @smithy/core (util-identity-and-auth/memoizeIdentity.ts), used by
/// every provider (`fromProcess`, `fromHttp`, `fromContainerMetadata`, the default chain).
pub const JS_SDK_EXPIRY_WINDOW: i64 = 5 * 60;

/// Handed-out credentials have this much more than a client's window, so a command or a
/// session that makes a few calls over a minute or two does not cross into it and fetch again.
pub const HANDOUT_MARGIN: i64 = 2 * 60;

/// A session must be able to last this much longer than what is wanted of it for a renewal to
/// help (STS's answer time, clock skew): else renewing would hand out no more than we have.
const RENEWAL_SLACK: i64 = 2 * 60;

/// Seconds a client should get from credentials of a profile whose sessions last
/// `session_secs`: botocore's window plus the margin (or `margin_secs`, the user's renewal
/// margin, when larger) when the session is long enough (a 1-hour role always is); else the JS
/// SDK's window plus the margin (a 15-minute role: botocore fetches again on every call, which
/// no renewal can avoid); else a quarter of the session.
pub fn hand_out_left(session_secs: i64, margin_secs: i64) -> i64 {
    let fits = |want: i64| session_secs - RENEWAL_SLACK >= want;
    let botocore = (BOTOCORE_REFRESH_WINDOW + HANDOUT_MARGIN).max(margin_secs);
    let js = JS_SDK_EXPIRY_WINDOW + HANDOUT_MARGIN;
    if fits(botocore) {
        botocore
    } else if fits(js) {
        js
    } else {
        (session_secs / 4).max(60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_client_keeps_what_it_is_handed_when_the_session_allows() {
        // A 1-hour role always leaves with more than botocore's 15 minutes.
        assert!(hand_out_left(3600, 300) > BOTOCORE_REFRESH_WINDOW);
        assert_eq!(hand_out_left(3600, 300), 17 * 60);
        assert_eq!(hand_out_left(43_200, 3000), 3000, "a larger renewal margin wins");
        // A 15-minute role cannot satisfy botocore; the JS SDK still keeps it.
        assert!(hand_out_left(900, 300) > JS_SDK_EXPIRY_WINDOW);
        assert!(hand_out_left(900, 300) < BOTOCORE_REFRESH_WINDOW);
    }
}
