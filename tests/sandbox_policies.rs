//! The sandbox evaluates every action's policies as AWS does for an IAM user in its own account,
//! checked with the real aws-sdk-iam/sts clients: each policy source, AccessDenied's wording and
//! status, the request context, and the sandbox's conventions.

use aws_sdk_iam::config::http::HttpResponse;
use aws_sdk_iam::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use mfatui::aws::secret::Secret;
use mfatui::aws::sts::{self, AssumeRole, AwsError, Keys, Target};
use mfatui::sandbox::seed::{GroupSeed, RoleSeed, Seed, UserSeed, mfa_required_boundary};
use mfatui::sandbox::{self, FaultConfig, SandboxHandle};
use serde_json::{Value, json};

const ACCT: &str = "123456789012";
const TOTP: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn policy_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCT}:policy/{name}")
}

fn allow(actions: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
}

fn key_of(user: &str) -> String {
    format!("AKIA{:0<16}", user.to_ascii_uppercase().replace('-', ""))
}

fn user(name: &str) -> UserSeed {
    UserSeed::new(ACCT, name).key(&key_of(name), "secret")
}

fn keys(user: &str) -> Keys {
    Keys { access_key_id: key_of(user), secret_access_key: Secret::new("secret"), session_token: None }
}

fn iam_in(h: &SandboxHandle, k: &Keys, region: &str) -> aws_sdk_iam::Client {
    let token = k.session_token.as_ref().map(|t| t.expose().to_string());
    let creds = Credentials::new(&k.access_key_id, k.secret_access_key.expose(), token, None, "test");
    let conf = aws_sdk_iam::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .credentials_provider(creds)
        .endpoint_url(h.endpoint())
        .build();
    aws_sdk_iam::Client::from_conf(conf)
}

fn iam(h: &SandboxHandle, k: &Keys) -> aws_sdk_iam::Client {
    iam_in(h, k, "us-east-1")
}

/// `(code, message, HTTP status)` of a failed call.
fn denial<E: ProvideErrorMetadata>(e: SdkError<E, HttpResponse>) -> (String, String, u16) {
    let status = e.raw_response().map_or(0, |r| r.status().as_u16());
    (e.code().unwrap_or_default().to_string(), e.message().unwrap_or_default().to_string(), status)
}

fn world() -> Seed {
    let group_inline = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "iam:ListAccessKeys", "Resource": "arn:aws:iam::*:user/${aws:username}"}]});
    let group_managed = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:ListAccountAliases", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:ListMFADevices", "Resource": "*"}]});
    let boundary = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:ListAccountAliases", "Resource": "*"}]});
    Seed::default()
        .policy(ACCT, "UserManaged", allow(json!("iam:GetUser")))
        .policy(ACCT, "GroupManaged", group_managed)
        .policy(ACCT, "Boundary", boundary)
        .policy(ACCT, "Everything", allow(json!("*")))
        .add_group(
            GroupSeed::new(ACCT, "g").attach(&policy_arn("GroupManaged")).inline_policy("GroupInline", group_inline),
        )
        .user(
            user("u")
                .in_group("g")
                .attach(&policy_arn("UserManaged"))
                .inline_policy("UserInline", allow(json!(["iam:ListMFADevices", "iam:PutUserPolicy"]))),
        )
        .user(user("bounded").attach(&policy_arn("Everything")).boundary(&policy_arn("Boundary")))
        .user(user("legacy"))
        .user(user("legacy-bounded").boundary(&policy_arn("Boundary")))
        .user(user("denied").inline_policy("DenyAll", json!({"Statement": {"Effect": "Deny", "Action": "*"}})))
        .role(RoleSeed::new("210987654321", "ops", &[&format!("arn:aws:iam::{ACCT}:root")]))
}

fn message(who: &str, action: &str, resource: &str, why: &str) -> String {
    format!("User: arn:aws:iam::{ACCT}:user/{who} is not authorized to perform: {action} on resource: {resource} {why}")
}

#[tokio::test]
async fn each_policy_source_decides_with_awss_wording() {
    let h = sandbox::start(&world(), 0).await.unwrap();
    let u = iam(&h, &keys("u"));
    let me = format!("arn:aws:iam::{ACCT}:user/u");
    // Allowed by: the user's managed policy, the group's inline policy (for itself only), the
    // group's managed policy.
    u.get_user().send().await.unwrap();
    u.list_access_keys().send().await.unwrap();
    u.list_account_aliases().send().await.unwrap();
    let (code, msg, status) = denial(u.list_access_keys().user_name("bounded").send().await.unwrap_err());
    let other = format!("arn:aws:iam::{ACCT}:user/bounded");
    let implicit = "because no identity-based policy allows the iam:ListAccessKeys action";
    assert_eq!((code.as_str(), status), ("AccessDenied", 403));
    assert_eq!(msg, message("u", "iam:ListAccessKeys", &other, implicit), "${{aws:username}} is the caller");
    // The user's inline policy allows ListMFADevices; the group's managed policy denies it.
    let (_, msg, _) = denial(u.list_mfa_devices().send().await.unwrap_err());
    assert_eq!(msg, message("u", "iam:ListMFADevices", &me, "with an explicit deny in an identity-based policy"));
    // Nothing allows CreatePolicy.
    let (_, msg, _) = denial(u.create_policy().policy_name("P").policy_document("{}").send().await.unwrap_err());
    let why = "because no identity-based policy allows the iam:CreatePolicy action";
    assert_eq!(msg, message("u", "iam:CreatePolicy", &policy_arn("P"), why));

    // Permissions boundary: explicit deny, and no allow.
    let b = iam(&h, &keys("bounded"));
    b.get_user().send().await.unwrap();
    let (_, msg, _) = denial(b.list_account_aliases().send().await.unwrap_err());
    assert_eq!(
        msg,
        message("bounded", "iam:ListAccountAliases", "*", "with an explicit deny in a permissions boundary")
    );
    let t = Target::at("us-east-1", Some(h.endpoint()));
    let ops = "arn:aws:iam::210987654321:role/ops";
    let req = AssumeRole { role_arn: ops, session_name: "s1", external_id: None, duration_secs: None, mfa: None };
    let e = sts::assume_role(&t, &keys("bounded"), &req).await.unwrap_err();
    let why = "because no permissions boundary allows the sts:AssumeRole action";
    assert_eq!(e, AwsError::AccessDenied { message: message("bounded", "sts:AssumeRole", ops, why) });
    // An explicit deny anywhere wins over every allow; GetCallerIdentity and GetSessionToken
    // are never evaluated.
    let d = iam(&h, &keys("denied"));
    let (_, msg, _) = denial(d.get_user().send().await.unwrap_err());
    assert!(msg.ends_with("with an explicit deny in an identity-based policy"), "{msg}");
    let who = sts::get_caller_identity(&t, &keys("denied")).await.unwrap();
    assert!(who.arn.ends_with(":user/denied"));
    sts::get_session_token(&t, &keys("denied"), None, Some(900)).await.unwrap();
}

#[tokio::test]
async fn a_user_without_identity_policies_may_do_anything_its_boundary_allows() {
    let h = sandbox::start(&world(), 0).await.unwrap();
    let t = Target::at("us-east-1", Some(h.endpoint()));
    let legacy = iam(&h, &keys("legacy"));
    let doc = allow(json!("iam:GetUser")).to_string();
    legacy.create_policy().policy_name("Made").policy_document(&doc).send().await.unwrap();
    legacy.list_account_aliases().send().await.unwrap();
    let ops = "arn:aws:iam::210987654321:role/ops";
    let req = AssumeRole { role_arn: ops, session_name: "s1", external_id: None, duration_secs: None, mfa: None };
    let role = sts::assume_role(&t, &keys("legacy"), &req).await.unwrap();
    // Role sessions are allowed every action (seeded roles carry no permission policies).
    iam(&h, &role.keys).create_policy().policy_name("ByRole").policy_document(&doc).send().await.unwrap();
    // The boundary still applies to a user without identity policies.
    let lb = iam(&h, &keys("legacy-bounded"));
    lb.get_user().send().await.unwrap();
    let (_, msg, _) = denial(lb.list_account_aliases().send().await.unwrap_err());
    assert!(msg.ends_with("with an explicit deny in a permissions boundary"), "{msg}");
    assert!(sts::assume_role(&t, &keys("legacy-bounded"), &req).await.is_err());
    // Once it has a policy, the convenience ends: only what that policy allows.
    legacy.put_user_policy().user_name("legacy").policy_name("OnlyGetUser").policy_document(&doc).send().await.unwrap();
    legacy.get_user().send().await.unwrap();
    let (_, msg, _) = denial(legacy.list_account_aliases().send().await.unwrap_err());
    assert!(msg.ends_with("because no identity-based policy allows the iam:ListAccountAliases action"), "{msg}");
}

#[tokio::test]
async fn the_request_context_carries_awss_global_keys() {
    let cond = |action: &str, condition: Value| json!({"Effect": "Allow", "Action": action, "Resource": "*", "Condition": condition});
    let doc = json!({"Version": "2012-10-17", "Statement": [
        cond("iam:GetUser", json!({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}})),
        cond("iam:ListAccountAliases", json!({"NumericLessThan": {"aws:MultiFactorAuthAge": "600"}})),
        cond("iam:ListMFADevices", json!({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
                                          "NumericGreaterThan": {"aws:EpochTime": "1577836800"}})),
        {"Effect": "Allow", "Action": "iam:ListAccessKeys", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:ListAccessKeys", "Resource": "*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        cond("sts:AssumeRole", json!({"Null": {"aws:MultiFactorAuthPresent": "false"}})),
        {"Effect": "Allow", "Action": "iam:ListAttachedUserPolicies", "Resource": "arn:aws:iam::*:user/${aws:username}"}
    ]});
    let seed = world().user(user("ctx").mfa("ctx-phone", TOTP).inline_policy("Context", doc));
    let h = sandbox::start(&seed, 0).await.unwrap();
    let t = Target::at("us-east-1", Some(h.endpoint()));
    let long_term = keys("ctx");
    // aws:RequestedRegion comes from the signature's scope.
    iam_in(&h, &long_term, "eu-west-1").get_user().send().await.unwrap();
    assert_eq!(denial(iam(&h, &long_term).get_user().send().await.unwrap_err()).0, "AccessDenied");
    iam(&h, &long_term).list_mfa_devices().send().await.unwrap();
    let (_, msg, _) = denial(iam(&h, &long_term).list_access_keys().send().await.unwrap_err());
    assert!(msg.contains("explicit deny"), "aws:SecureTransport is false here: {msg}");
    iam(&h, &long_term).list_attached_user_policies().user_name("ctx").send().await.unwrap();
    assert!(iam(&h, &long_term).list_attached_user_policies().user_name("u").send().await.is_err());
    // aws:MultiFactorAuthAge exists only for MFA sessions, and ages with the clock.
    assert!(iam(&h, &long_term).list_account_aliases().send().await.is_err());
    let serial = format!("arn:aws:iam::{ACCT}:mfa/ctx-phone");
    let code = h.totp_code(&serial).unwrap();
    let session = sts::get_session_token(&t, &long_term, Some((&serial, &code)), None).await.unwrap();
    iam(&h, &session.keys).list_account_aliases().send().await.unwrap();
    h.set_faults(FaultConfig { clock_offset_secs: 601, ..FaultConfig::default() });
    assert!(iam(&h, &session.keys).list_account_aliases().send().await.is_err(), "MFA older than 10 minutes");
    h.set_faults(FaultConfig::default());
    // aws:MultiFactorAuthPresent is absent for long-term keys, present for any session.
    let ops = "arn:aws:iam::210987654321:role/ops";
    let req = AssumeRole { role_arn: ops, session_name: "s1", external_id: None, duration_secs: None, mfa: None };
    assert!(matches!(sts::assume_role(&t, &long_term, &req).await, Err(AwsError::AccessDenied { .. })));
    let plain = sts::get_session_token(&t, &long_term, None, Some(900)).await.unwrap();
    sts::assume_role(&t, &plain.keys, &req).await.unwrap();
    // ...but IAM refuses GetSessionToken credentials obtained without MFA outright, as AWS does.
    let e = iam(&h, &plain.keys).get_user().send().await.unwrap_err();
    assert_eq!(denial(e).0, "InvalidClientTokenId");
}

#[tokio::test]
async fn the_mfa_boundary_in_old_seeds_still_decides() {
    let seed = Seed::default()
        .policy(ACCT, "MfaRequired", mfa_required_boundary())
        .user(user("old").mfa("old-phone", TOTP).boundary(&policy_arn("MfaRequired")));
    let h = sandbox::start(&seed, 0).await.unwrap();
    let t = Target::at("us-east-1", Some(h.endpoint()));
    let (_, msg, _) = denial(iam(&h, &keys("old")).list_access_keys().send().await.unwrap_err());
    let why = "with an explicit deny in a permissions boundary";
    assert_eq!(msg, message("old", "iam:ListAccessKeys", &format!("arn:aws:iam::{ACCT}:user/old"), why));
    let serial = format!("arn:aws:iam::{ACCT}:mfa/old-phone");
    let code = h.totp_code(&serial).unwrap();
    let s = sts::get_session_token(&t, &keys("old"), Some((&serial, &code)), None).await.unwrap();
    iam(&h, &s.keys).list_access_keys().send().await.unwrap();
}
