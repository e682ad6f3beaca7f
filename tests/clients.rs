//! Real clients against the sandbox: aws-sdk-rust here, boto3 and the AWS CLI through
//! tests/py/conformance.py, whose XML is also compared with moto's.

mod common;
use aws_sdk_iam::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_iam::error::ProvideErrorMetadata;
use common::{Moto, tool};
use mfatui::aws::secret::Secret;
use mfatui::aws::sts::{self, Keys, Target, TempCredentials};
use mfatui::sandbox::{self, SandboxHandle, demo_world};

const ALICE_SERIAL: &str = "arn:aws:iam::111111111111:mfa/alice-phone";

fn iam(h: &SandboxHandle, k: &Keys) -> aws_sdk_iam::Client {
    let creds = Credentials::new(
        &k.access_key_id,
        k.secret_access_key.expose(),
        k.session_token.as_ref().map(|t| t.expose().to_string()),
        None,
        "test",
    );
    let conf = aws_sdk_iam::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(creds)
        .endpoint_url(h.endpoint())
        .build();
    aws_sdk_iam::Client::from_conf(conf)
}

async fn alice_mfa(h: &SandboxHandle, t: &Target) -> TempCredentials {
    let alice = Keys {
        access_key_id: "AKIADEMOALICE0000001".into(),
        secret_access_key: Secret::new("demo/alice/secret/key/0000000000000000000"),
        session_token: None,
    };
    let code = h.totp_code(ALICE_SERIAL).unwrap();
    sts::get_session_token(t, &alice, Some((ALICE_SERIAL, &code)), None).await.unwrap()
}

#[tokio::test]
async fn rust_sdk_parses_every_iam_action() {
    let h = sandbox::start(&demo_world::seed(), 0).await.unwrap();
    let t = Target::at("us-east-1", Some(h.endpoint()));
    let s = alice_mfa(&h, &t).await;
    let c = iam(&h, &s.keys);
    let user = c.get_user().send().await.unwrap().user.unwrap();
    assert_eq!(user.user_name, "alice");
    assert!(user.permissions_boundary.unwrap().permissions_boundary_arn.unwrap().ends_with("/MfaRequired"));
    let keys = c.list_access_keys().send().await.unwrap().access_key_metadata;
    assert_eq!(keys[0].access_key_id.as_deref(), Some("AKIADEMOALICE0000001"));
    let new = c.create_access_key().send().await.unwrap().access_key.unwrap();
    assert_eq!(new.secret_access_key.len(), 40);
    c.update_access_key().access_key_id(&new.access_key_id).status("Inactive".into()).send().await.unwrap();
    let err = c.create_access_key().send().await.unwrap_err();
    assert_eq!(err.code(), Some("LimitExceeded"));
    let last = c.get_access_key_last_used().access_key_id("AKIADEMOALICE0000001").send().await.unwrap();
    assert_eq!(last.access_key_last_used.unwrap().service_name, "sts");
    c.delete_access_key().access_key_id(&new.access_key_id).send().await.unwrap();
    let devices = c.list_mfa_devices().send().await.unwrap().mfa_devices;
    assert_eq!(devices[0].serial_number, ALICE_SERIAL);
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    let pol = c.create_policy().policy_name("RustSdk").policy_document(doc).send().await.unwrap().policy.unwrap();
    let arn = pol.arn.unwrap();
    assert_eq!(
        c.get_policy().policy_arn(&arn).send().await.unwrap().policy.unwrap().default_version_id.as_deref(),
        Some("v1")
    );
    let v = c.get_policy_version().policy_arn(&arn).version_id("v1").send().await.unwrap().policy_version.unwrap();
    let decoded = percent_decode(&v.document.unwrap());
    assert_eq!(decoded, doc, "AWS URL-encodes policy documents; the Rust SDK leaves decoding to the caller");
    c.put_user_permissions_boundary().user_name("ci-bot").permissions_boundary(&arn).send().await.unwrap();
    c.delete_user_permissions_boundary().user_name("ci-bot").send().await.unwrap();
    assert!(
        c.list_attached_user_policies()
            .user_name("alice")
            .send()
            .await
            .unwrap()
            .attached_policies
            .unwrap_or_default()
            .is_empty()
    );
    let groups = c.list_groups_for_user().user_name("alice").send().await.unwrap().groups;
    assert_eq!(groups[0].group_name, "engineers");
    let gp = c.list_attached_group_policies().group_name("engineers").send().await.unwrap().attached_policies.unwrap();
    assert_eq!(gp[0].policy_name.as_deref(), Some("SelfService"));
    // GetRole from inside the role's account.
    let role_arn = "arn:aws:iam::222222222222:role/dev-admin";
    let req = sts::AssumeRole { role_arn, session_name: "rust", external_id: None, duration_secs: None, mfa: None };
    let r = sts::assume_role(&t, &s.keys, &req).await.unwrap();
    let role = iam(&h, &r.keys).get_role().role_name("dev-admin").send().await.unwrap().role.unwrap();
    assert_eq!((role.arn.as_str(), role.max_session_duration), (role_arn, Some(43_200)));
    // Error codes, as the Rust SDK sees them.
    assert_eq!(c.get_user().user_name("nobody").send().await.unwrap_err().code(), Some("NoSuchEntity"));
    let unsigned = iam(
        &h,
        &Keys {
            access_key_id: "AKIANOSUCHKEY0000000".into(),
            secret_access_key: Secret::new("x"),
            session_token: None,
        },
    );
    assert_eq!(unsigned.get_user().send().await.unwrap_err().code(), Some("InvalidClientTokenId"));
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8().unwrap().into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn boto3_and_aws_cli_parse_everything_and_match_moto() {
    let (Some(python), Some(aws)) =
        (tool("MFATUI_PYTHON", &[".venv/bin/python"]), tool("MFATUI_AWS_CLI", &[".venv/bin/aws"]))
    else {
        return;
    };
    let Some(moto) = Moto::start() else { return };
    let h = sandbox::start(&demo_world::seed(), 0).await.unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/py/conformance.py");
    let out = tokio::process::Command::new(python)
        .arg(script)
        .env("SANDBOX_URL", h.endpoint())
        .env("MOTO_URL", &moto.url)
        .env("AWS_CLI", aws)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(out.status.success(), "conformance failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("compared") && stdout.contains(" 0 failed"));
}
