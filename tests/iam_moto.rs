//! The IAM view against moto, for the wire format: requests moto parses (every call names its
//! user), answers mfatui parses (last use with `N/A`, policy documents raw from GetPolicyVersion
//! and URL-encoded from GetUserPolicy, the simulator's HTML 500), the edit of the user's file and
//! the journal.
//!
//! What moto cannot show (research §4), so the sandbox tests cover it: IAM's eventual
//! consistency (a new key works at once); refusal of a deactivated key (moto never checks key
//! status, and without authentication accepts any key: a rotation's check that AWS refuses the
//! old key ends, after `key_propagation_secs`, in a warning); policy denials with a reason (the
//! live probe always succeeds); the policy simulator; permissions boundaries (GetUser never
//! reports one, PutUserPermissionsBoundary is not implemented), hence `--fix`.

mod common;
use aws_sdk_iam::config::{BehaviorVersion, Credentials, Region};
use common::{Home, Moto, stderr, stdout};
use serde_json::Value;

const TOTP: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

fn iam(moto: &Moto) -> aws_sdk_iam::Client {
    let conf = aws_sdk_iam::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIAADMIN", "admin", None, None, "test"))
        .endpoint_url(&moto.url)
        .build();
    aws_sdk_iam::Client::from_conf(conf)
}

/// A user `mo` with one key, an MFA device, an inline and a managed policy; the HOME for it.
async fn moto_user(moto: &Moto) -> (Home, String, String) {
    let c = iam(moto);
    c.create_user().user_name("mo").send().await.unwrap();
    let key = c.create_access_key().user_name("mo").send().await.unwrap().access_key.unwrap();
    let device = c.create_virtual_mfa_device().virtual_mfa_device_name("mo-phone").send().await.unwrap();
    let serial = device.virtual_mfa_device.unwrap().serial_number;
    c.enable_mfa_device()
        .user_name("mo")
        .serial_number(&serial)
        .authentication_code1("123456")
        .authentication_code2("654321")
        .send()
        .await
        .unwrap();
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}"#;
    c.put_user_policy().user_name("mo").policy_name("Inline").policy_document(doc).send().await.unwrap();
    let policy = c.create_policy().policy_name("Managed").policy_document(doc).send().await.unwrap();
    let arn = policy.policy.unwrap().arn.unwrap();
    c.attach_user_policy().user_name("mo").policy_arn(arn).send().await.unwrap();
    let home = Home::new();
    home.write("config", &format!("[profile mo]\nregion = us-east-1\nmfa_serial = {serial}\n"));
    home.write(
        "credentials",
        &format!(
            "# mine\n[mo]\naws_access_key_id = {}  # mo\naws_secret_access_key = {}\n",
            key.access_key_id, key.secret_access_key
        ),
    );
    let settings = home.path().join(".config/mfatui/config.toml");
    std::fs::create_dir_all(settings.parent().unwrap()).unwrap();
    // moto never refuses the old key: do not wait long for it.
    std::fs::write(settings, "key_propagation_secs = 2\n").unwrap();
    (home, key.access_key_id, key.secret_access_key)
}

fn mfatui(home: &Home, moto: &Moto, args: &[&str]) -> (Option<i32>, String) {
    let o = home.mfatui(args, &[("AWS_ENDPOINT_URL", &moto.url), ("MFATUI_TOTP_SEED_MO", TOTP)]);
    (o.status.code(), format!("{}{}", stdout(&o), stderr(&o)))
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_rotation_and_audit_on_moto() {
    let Some(moto) = Moto::start() else { return };
    let (home, id, secret) = moto_user(&moto).await;
    let original = std::fs::read_to_string(home.aws("credentials")).unwrap();

    let (code, out) = mfatui(&home, &moto, &["keys", "mo", "--json"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(!out.contains(&id), "{out}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let mo = &doc["users"][0];
    assert_eq!(mo["access_keys"][0]["id"], common_mask(&id));
    assert_eq!(mo["access_keys"][0]["in_use"], true);
    assert_eq!(mo["mfa_devices"][0]["kind"], "virtual");
    assert_eq!(mo["inline_policies"], serde_json::json!(["Inline"]));
    assert_eq!(mo["attached_policies"][0]["name"], "Managed");

    // Rotation: the file edit and the journal work; moto accepts the old key to the end.
    let (code, out) = mfatui(&home, &moto, &["rotate", "mo", "--yes"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("warning: AWS still accepted") && out.contains("deleted"), "{out}");
    assert!(!out.contains(&id) && !out.contains(&secret), "{out}");
    let c = iam(&moto);
    let keys = c.list_access_keys().user_name("mo").send().await.unwrap().access_key_metadata;
    assert_eq!(keys.len(), 1, "the old key was deleted");
    let new_id = keys[0].access_key_id.clone().unwrap();
    let now = std::fs::read_to_string(home.aws("credentials")).unwrap();
    let new_secret = now.lines().find_map(|l| l.strip_prefix("aws_secret_access_key = ")).unwrap();
    assert_eq!(original.replace(&id, &new_id).replace(&secret, new_secret), now, "only the two values changed");
    assert!(!home.path().join(".local/state/mfatui/rotations/mo.json").exists());

    // Two keys, the other inactive: refused without --make-room, deleted with it.
    let extra = c.create_access_key().user_name("mo").send().await.unwrap().access_key.unwrap();
    c.update_access_key()
        .user_name("mo")
        .access_key_id(&extra.access_key_id)
        .status("Inactive".into())
        .send()
        .await
        .unwrap();
    let (code, out) = mfatui(&home, &moto, &["rotate", "mo", "--yes"]);
    assert_eq!(code, Some(2));
    assert!(
        out.contains(&format!("{} Inactive", common_mask(&extra.access_key_id))) && out.contains("--make-room"),
        "{out}"
    );
    let (code, out) = mfatui(&home, &moto, &["rotate", "mo", "--yes", "--make-room"]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(c.list_access_keys().user_name("mo").send().await.unwrap().access_key_metadata.len(), 1);

    // The audit reads both document encodings; the simulator is not there; the probe succeeds.
    let (code, out) = mfatui(&home, &moto, &["audit", "mo", "--json"]);
    assert_eq!(code, Some(1), "{out}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let mo = &doc["users"][0];
    let policies = mo["static"]["policies"].as_array().unwrap();
    assert_eq!(policies.len(), 2, "{policies:?}");
    assert!(policies.iter().all(|p| p["readable"] == true), "{policies:?}");
    assert_eq!(mo["static"]["verdict"], "not_enforced");
    assert_eq!(mo["probe"]["result"], "allowed");
    assert_eq!(mo["simulator"]["available"], false);
    assert!(mo["simulator"]["reason"].as_str().unwrap().contains("does not offer the simulator"), "{mo:#}");
}

fn common_mask(id: &str) -> String {
    format!("****{}", &id[id.len() - 4..])
}
