//! The sandbox's console federation endpoint, followed as a browser would: getSigninToken with
//! session credentials, then the login URL; and the control endpoints that report on it.

use mfatui::aws::secret::Secret;
use mfatui::aws::sts::{self, AssumeRole, Keys, Target};
use mfatui::sandbox::demo_world::{self, IDENTITY};
use mfatui::sandbox::{self, FaultConfig, SandboxHandle};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn keys(user: &str) -> Keys {
    let u = demo_world::USERS.iter().find(|u| u.name == user).unwrap();
    Keys { access_key_id: u.key_id.into(), secret_access_key: Secret::new(u.secret), session_token: None }
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `GET path` on the sandbox: `(status, body)`.
async fn get(h: &SandboxHandle, path: &str) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(h.addr).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", h.addr);
    s.write_all(req.as_bytes()).await.unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).await.unwrap();
    let status = raw.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, raw.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default())
}

fn session_json(k: &Keys) -> String {
    serde_json::json!({
        "sessionId": k.access_key_id,
        "sessionKey": k.secret_access_key.expose(),
        "sessionToken": k.session_token.as_ref().map_or("", |t| t.expose()),
    })
    .to_string()
}

async fn signin_token(h: &SandboxHandle, k: &Keys, duration: Option<u32>) -> (u16, String) {
    let extra = duration.map_or_else(String::new, |d| format!("&SessionDuration={d}"));
    get(h, &format!("/federation?Action=getSigninToken&Session={}{extra}", enc(&session_json(k)))).await
}

fn role(name: &str) -> String {
    let r = demo_world::ROLES.iter().find(|r| r.name == name).unwrap();
    format!("arn:aws:iam::{}:role/{}", r.account, r.name)
}

fn assume(role_arn: &str) -> AssumeRole<'_> {
    AssumeRole { role_arn, session_name: "console", external_id: None, duration_secs: None, mfa: None }
}

#[tokio::test]
async fn role_sessions_sign_in_to_the_console_and_nothing_else_does() {
    let h = sandbox::start(&demo_world::seed(), 0).await.unwrap();
    let t = Target::at("us-east-1", Some(h.endpoint()));
    let serial = format!("arn:aws:iam::{IDENTITY}:mfa/alice-phone");
    let code = h.totp_code(&serial).unwrap();
    let mfa = sts::get_session_token(&t, &keys("alice"), Some((&serial, &code)), None).await.unwrap().keys;
    let (dev_arn, audit_arn, glass_arn) = (role("dev-admin"), role("security-audit"), role("prod-breakglass"));
    let dev = sts::assume_role(&t, &mfa, &assume(&dev_arn)).await.unwrap().keys;

    let (status, body) = signin_token(&h, &dev, None).await;
    assert_eq!(status, 200, "{body}");
    let token = serde_json::from_str::<serde_json::Value>(&body).unwrap()["SigninToken"].as_str().unwrap().to_string();
    let destination = "https://console.aws.amazon.com/ec2/home?region=eu-west-1";
    let login = format!(
        "/federation?Action=login&Issuer={}&Destination={}&SigninToken={}",
        enc("mfatui"),
        enc(destination),
        enc(&token)
    );
    let (status, page) = get(&h, &login).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(&role("dev-admin")) && page.contains(&destination.replace('&', "&amp;")), "{page}");
    assert_eq!(h.federation_log(), [role("dev-admin")]);
    let (_, log) = get(&h, "/_sandbox/federation-log").await;
    assert_eq!(serde_json::from_str::<Vec<String>>(&log).unwrap(), [role("dev-admin")]);
    assert!(!log.contains(&token), "no tokens in the log");

    // SessionDuration: accepted for a first-hop role session, refused for a chained one
    // (which itself still signs in without it).
    assert_eq!(signin_token(&h, &dev, Some(43_200)).await.0, 200);
    assert_eq!(signin_token(&h, &dev, Some(43_201)).await.0, 400);
    let audit = sts::assume_role(&t, &mfa, &assume(&audit_arn)).await.unwrap().keys;
    let glass = sts::assume_role(&t, &audit, &assume(&glass_arn)).await.unwrap().keys;
    assert_eq!(signin_token(&h, &glass, Some(3600)).await.0, 400);
    assert_eq!(signin_token(&h, &glass, None).await.0, 200);

    // A GetSessionToken session, long-term keys and forged secrets are refused.
    assert_eq!(signin_token(&h, &mfa, None).await.0, 400);
    assert_eq!(signin_token(&h, &keys("alice"), None).await.0, 400);
    let forged = Keys { secret_access_key: Secret::new("forged"), ..dev.clone() };
    assert_eq!(signin_token(&h, &forged, None).await.0, 400);
    assert_eq!(h.calls("getSigninToken"), 8);

    // The login URL lives 15 minutes; an expired role session gets no token at all.
    h.set_faults(FaultConfig { clock_offset_secs: 15 * 60 + 1, ..FaultConfig::default() });
    let (status, page) = get(&h, &login).await;
    assert!(status == 400 && page.contains("expired"), "{status} {page}");
    let (status, _) = get(&h, &login.replace(&enc(&token), "bogus")).await;
    assert_eq!(status, 400);
    h.set_faults(FaultConfig { clock_offset_secs: 3601, ..FaultConfig::default() });
    assert_eq!(signin_token(&h, &dev, None).await.0, 400);
    assert_eq!(h.federation_log().len(), 1, "failed logins are not signed in");

    // Call counts over HTTP.
    let (_, stats) = get(&h, "/_sandbox/stats").await;
    let stats: serde_json::Value = serde_json::from_str(&stats).unwrap();
    assert_eq!((stats["getSigninToken"].as_u64(), stats["login"].as_u64()), (Some(9), Some(3)));
    assert_eq!(stats["AssumeRole"].as_u64(), Some(3));
}
