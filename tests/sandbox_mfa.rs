//! The sandbox's MFA semantics, exercised with the real aws-sdk-sts client.

use mfatui::aws::secret::Secret;
use mfatui::aws::sts::{self, AssumeRole, AwsError, Keys, Target, TempCredentials};
use mfatui::sandbox::demo_world::{self, IDENTITY};
use mfatui::sandbox::{self, Effect, FaultConfig, FaultRule, SandboxHandle};

const ALICE_SERIAL: &str = "arn:aws:iam::111111111111:mfa/alice-phone";

async fn demo() -> (SandboxHandle, Target) {
    let h = sandbox::start(&demo_world::seed(), 0).await.unwrap();
    let target = Target::at("us-east-1", Some(h.endpoint()));
    (h, target)
}

fn keys(user: &str) -> Keys {
    let u = demo_world::USERS.iter().find(|u| u.name == user).unwrap();
    Keys { access_key_id: u.key_id.into(), secret_access_key: Secret::new(u.secret), session_token: None }
}

fn role(name: &str) -> String {
    let r = demo_world::ROLES.iter().find(|r| r.name == name).unwrap();
    format!("arn:aws:iam::{}:role/{}", r.account, r.name)
}

fn assume<'a>(arn: &'a str) -> AssumeRole<'a> {
    AssumeRole { role_arn: arn, session_name: "alice-test", external_id: None, duration_secs: None, mfa: None }
}

async fn mfa_session(h: &SandboxHandle, t: &Target) -> TempCredentials {
    let code = h.totp_code(ALICE_SERIAL).unwrap();
    sts::get_session_token(t, &keys("alice"), Some((ALICE_SERIAL, &code)), None).await.unwrap()
}

#[tokio::test]
async fn right_code_gives_a_session_that_assumes_mfa_roles() {
    let (h, t) = demo().await;
    let s = mfa_session(&h, &t).await;
    assert!(s.keys.access_key_id.starts_with("ASIA"));
    assert!(s.expiration - h.now() > 43_000, "default 12 h");
    let who = sts::get_caller_identity(&t, &s.keys).await.unwrap();
    assert_eq!(who.arn, format!("arn:aws:iam::{IDENTITY}:user/alice"));
    let arn = role("dev-admin");
    let r = sts::assume_role(&t, &s.keys, &assume(&arn)).await.unwrap();
    assert_eq!(r.assumed_arn.as_deref(), Some("arn:aws:sts::222222222222:assumed-role/dev-admin/alice-test"));
    let who = sts::get_caller_identity(&t, &r.keys).await.unwrap();
    assert_eq!((who.account.as_str(), who.arn.as_str()), ("222222222222", r.assumed_arn.as_deref().unwrap()));
    assert!(r.expiration - h.now() <= 3600 + 1, "AssumeRole defaults to 1 h");
}

#[tokio::test]
async fn wrong_reused_and_stale_codes_are_rejected() {
    let (h, t) = demo().await;
    let k = keys("alice");
    let now = h.now();
    let right = h.totp_code(ALICE_SERIAL).unwrap();
    let wrong = if right == "000000" { "111111" } else { "000000" };
    let e = sts::get_session_token(&t, &k, Some((ALICE_SERIAL, wrong)), None).await.unwrap_err();
    assert_eq!(e, AwsError::CodeRejected);
    // Two windows back is outside the tolerated drift.
    let stale = h.totp_code_at(ALICE_SERIAL, now - 60).unwrap();
    if stale != right {
        assert_eq!(
            sts::get_session_token(&t, &k, Some((ALICE_SERIAL, &stale)), None).await.unwrap_err(),
            AwsError::CodeRejected
        );
    }
    sts::get_session_token(&t, &k, Some((ALICE_SERIAL, &right)), None).await.unwrap();
    let again = sts::get_session_token(&t, &k, Some((ALICE_SERIAL, &right)), None).await.unwrap_err();
    assert_eq!(again, AwsError::CodeRejected, "a code works once");
    // An older code after a newer one was accepted is refused too.
    let previous = h.totp_code_at(ALICE_SERIAL, now - 30).unwrap();
    if previous != right {
        assert_eq!(
            sts::get_session_token(&t, &k, Some((ALICE_SERIAL, &previous)), None).await.unwrap_err(),
            AwsError::CodeRejected
        );
    }
    // Not alice's device, and a malformed code.
    let bob_serial = "arn:aws:iam::111111111111:mfa/bob-phone";
    let bob_code = h.totp_code(bob_serial).unwrap();
    assert_eq!(
        sts::get_session_token(&t, &k, Some((bob_serial, &bob_code)), None).await.unwrap_err(),
        AwsError::CodeRejected
    );
    let e = sts::get_session_token(&t, &k, Some((ALICE_SERIAL, "12ab56")), None).await.unwrap_err();
    assert!(matches!(&e, AwsError::Service { code, .. } if code == "ValidationError"), "{e:?}");
}

#[tokio::test]
async fn codes_from_the_previous_and_next_window_are_accepted() {
    let (h, t) = demo().await;
    let k = keys("alice");
    let now = h.now();
    // Previous window first, then the next one (a later step is always allowed).
    let prev = h.totp_code_at(ALICE_SERIAL, now - 30).unwrap();
    sts::get_session_token(&t, &k, Some((ALICE_SERIAL, &prev)), None).await.unwrap();
    let next = h.totp_code_at(ALICE_SERIAL, now + 30).unwrap();
    sts::get_session_token(&t, &k, Some((ALICE_SERIAL, &next)), None).await.unwrap();
}

#[tokio::test]
async fn boundary_blocks_long_term_keys_and_sessions_without_mfa() {
    let (h, t) = demo().await;
    let arn = role("dev-admin");
    // Long-term keys: the MfaRequired boundary denies AssumeRole.
    let e = sts::assume_role(&t, &keys("alice"), &assume(&arn)).await.unwrap_err();
    assert!(
        matches!(&e, AwsError::AccessDenied { message } if message.contains("explicit deny in a permissions boundary")),
        "{e:?}"
    );
    // A session without MFA is no better.
    let plain = sts::get_session_token(&t, &keys("alice"), None, Some(900)).await.unwrap();
    assert!(matches!(sts::assume_role(&t, &plain.keys, &assume(&arn)).await, Err(AwsError::AccessDenied { .. })));
    // Passing the MFA code on AssumeRole itself works with long-term keys? Not under this
    // boundary: the deny is decided on the signing credentials, which carry no MFA.
    let code = h.totp_code(ALICE_SERIAL).unwrap();
    let with_code = AssumeRole { mfa: Some((ALICE_SERIAL, &code)), ..assume(&arn) };
    assert!(matches!(sts::assume_role(&t, &keys("alice"), &with_code).await, Err(AwsError::AccessDenied { .. })));
}

#[tokio::test]
async fn a_bool_boundary_does_not_stop_long_term_keys_but_trust_still_needs_mfa() {
    let (h, t) = demo().await;
    let bob = keys("bob");
    let arn = role("bob-dev");
    // bob's boundary uses Bool, so his long-term keys pass it; the role's trust policy still
    // wants MFA, which he can give on the AssumeRole call itself.
    let e = sts::assume_role(&t, &bob, &AssumeRole { session_name: "bob", ..assume(&arn) }).await.unwrap_err();
    assert!(matches!(&e, AwsError::AccessDenied { message } if !message.contains("boundary")), "{e:?}");
    let serial = "arn:aws:iam::111111111111:mfa/bob-phone";
    let code = h.totp_code(serial).unwrap();
    let r = AssumeRole { session_name: "bob", mfa: Some((serial, &code)), ..assume(&arn) };
    sts::assume_role(&t, &bob, &r).await.unwrap();
}

#[tokio::test]
async fn chained_roles_are_capped_at_one_hour() {
    let (h, t) = demo().await;
    let s = mfa_session(&h, &t).await;
    let audit_arn = role("security-audit");
    let audit = sts::assume_role(&t, &s.keys, &assume(&audit_arn)).await.unwrap();
    let glass = role("prod-breakglass");
    let too_long = AssumeRole { duration_secs: Some(7200), ..assume(&glass) };
    let e = sts::assume_role(&t, &audit.keys, &too_long).await.unwrap_err();
    assert!(matches!(&e, AwsError::Service { message, .. } if message.contains("1 hour session limit")), "{e:?}");
    let ok = sts::assume_role(&t, &audit.keys, &assume(&glass)).await.unwrap();
    assert!(ok.assumed_arn.unwrap().contains("assumed-role/prod-breakglass/"));
    // Only security-audit is trusted for break-glass: alice's own session is not.
    assert!(matches!(sts::assume_role(&t, &s.keys, &assume(&glass)).await, Err(AwsError::AccessDenied { .. })));
}

#[tokio::test]
async fn external_id_and_max_session_duration() {
    let (h, t) = demo().await;
    let s = mfa_session(&h, &t).await;
    let arn = role("partner-access");
    assert!(matches!(sts::assume_role(&t, &s.keys, &assume(&arn)).await, Err(AwsError::AccessDenied { .. })));
    let wrong = AssumeRole { external_id: Some("nope"), ..assume(&arn) };
    assert!(matches!(sts::assume_role(&t, &s.keys, &wrong).await, Err(AwsError::AccessDenied { .. })));
    let right = AssumeRole { external_id: Some("mfatui-demo-partner"), ..assume(&arn) };
    sts::assume_role(&t, &s.keys, &right).await.unwrap();
    let prod = role("prod-admin");
    let long = AssumeRole { duration_secs: Some(7200), ..assume(&prod) };
    let e = sts::assume_role(&t, &s.keys, &long).await.unwrap_err();
    assert!(matches!(&e, AwsError::Service { message, .. } if message.contains("MaxSessionDuration")), "{e:?}");
}

#[tokio::test]
async fn expired_and_unknown_credentials() {
    let (h, t) = demo().await;
    let s = sts::get_session_token(&t, &keys("ci-bot"), None, Some(900)).await.unwrap();
    sts::get_caller_identity(&t, &s.keys).await.unwrap();
    h.set_faults(FaultConfig { rules: vec![], clock_offset_secs: 901, ..Default::default() });
    let e = sts::get_caller_identity(&t, &s.keys).await.unwrap_err();
    assert_eq!(e.root(), &AwsError::Expired);
    // The sandbox's clock is now 15 min ahead of ours, which the error points out.
    assert!(matches!(e, AwsError::ClockSkew { skew_secs: 901, .. }), "{e:?}");
    assert!(e.to_string().contains("clock is about 15m 01s behind AWS's"), "{e}");
    h.set_faults(FaultConfig::default());
    let bogus =
        Keys { access_key_id: "AKIANOTAKEY000000000".into(), secret_access_key: Secret::new("x"), session_token: None };
    assert!(matches!(sts::get_caller_identity(&t, &bogus).await, Err(AwsError::InvalidKey { .. })));
    let forged = Keys { session_token: Some(Secret::new("forged")), ..s.keys.clone() };
    assert!(matches!(sts::get_caller_identity(&t, &forged).await, Err(AwsError::InvalidKey { .. })));
    let e = sts::get_session_token(&t, &s.keys, None, None).await.unwrap_err();
    assert!(matches!(&e, AwsError::AccessDenied { message } if message.contains("session credentials")), "{e:?}");
}

#[tokio::test]
async fn injected_faults_surface_as_aws_errors() {
    let (h, t) = demo().await;
    let ci = keys("ci-bot");
    let arn = role("ci-deploy");
    let r = || AssumeRole { session_name: "ci", ..assume(&arn) };
    h.set_faults(FaultConfig {
        rules: vec![FaultRule::new(Effect::Throttle).action("AssumeRole")],
        clock_offset_secs: 0,
        ..Default::default()
    });
    assert_eq!(sts::assume_role(&t, &ci, &r()).await.unwrap_err(), AwsError::Throttled);
    h.set_faults(FaultConfig {
        rules: vec![FaultRule::new(Effect::Status(503))],
        clock_offset_secs: 0,
        ..Default::default()
    });
    let e = sts::assume_role(&t, &ci, &r()).await.unwrap_err();
    assert!(e.is_transient() && matches!(&e, AwsError::Service { code, .. } if code == "ServiceUnavailable"), "{e:?}");
    h.set_faults(FaultConfig {
        rules: vec![FaultRule::new(Effect::AccessDenied).role("ci-deploy")],
        clock_offset_secs: 0,
        ..Default::default()
    });
    assert!(matches!(sts::assume_role(&t, &ci, &r()).await, Err(AwsError::AccessDenied { .. })));
    sts::get_caller_identity(&t, &ci).await.unwrap();
    h.set_faults(FaultConfig { rules: vec![FaultRule::new(Effect::Drop)], clock_offset_secs: 0, ..Default::default() });
    let e = sts::get_caller_identity(&t, &ci).await.unwrap_err();
    assert!(matches!(e, AwsError::Network { .. }), "{e:?}");
    // Throttled only once: the next call goes through (retrying is the engine's job).
    h.set_faults(FaultConfig {
        rules: vec![FaultRule::new(Effect::Throttle).times(1)],
        clock_offset_secs: 0,
        ..Default::default()
    });
    assert_eq!(sts::assume_role(&t, &ci, &r()).await.unwrap_err(), AwsError::Throttled);
    sts::assume_role(&t, &ci, &r()).await.unwrap();
    h.set_faults(FaultConfig {
        rules: vec![FaultRule::new(Effect::LatencyMs(300))],
        clock_offset_secs: 0,
        ..Default::default()
    });
    let started = std::time::Instant::now();
    sts::get_caller_identity(&t, &ci).await.unwrap();
    assert!(started.elapsed().as_millis() >= 300);
}
