//! Handing credentials to clients in the forms they read: `credential_process` JSON, environment
//! variables (for `exec` and `env`), and the container-credentials endpoint (`server`). The
//! engine obtains them; these only format and serve.

pub mod server;

use super::clock::rfc3339;
use super::engine::Obtained;

/// The `credential_process` answer: `Version` 1, the keys, `Expiration` in RFC 3339 UTC (`Z`).
pub fn process_json(o: &Obtained) -> String {
    let mut v = serde_json::json!({
        "Version": 1,
        "AccessKeyId": o.keys.access_key_id,
        "SecretAccessKey": o.keys.secret_access_key.expose(),
        "SessionToken": o.keys.session_token.as_ref().map(|t| t.expose()),
        "Expiration": rfc3339(o.expiration),
    });
    if let Some(a) = &o.account {
        v["AccountId"] = serde_json::Value::String(a.clone());
    }
    v.to_string()
}

/// Variables that would make a client ignore the ones mfatui sets, or use another identity.
pub const OVERRIDING: &[&str] = &[
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SECURITY_TOKEN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
];

/// The variables a client needs for `o`. `region`: the caller's own AWS_REGION, which wins over
/// the profile's.
pub fn env_vars(o: &Obtained, region: Option<&str>) -> Vec<(&'static str, String)> {
    let region = region.unwrap_or(&o.region).to_string();
    let mut v = vec![
        ("AWS_ACCESS_KEY_ID", o.keys.access_key_id.clone()),
        ("AWS_SECRET_ACCESS_KEY", o.keys.secret_access_key.expose().to_string()),
    ];
    if let Some(t) = &o.keys.session_token {
        v.push(("AWS_SESSION_TOKEN", t.expose().to_string()));
    }
    v.push(("AWS_CREDENTIAL_EXPIRATION", rfc3339(o.expiration)));
    v.push(("AWS_REGION", region.clone()));
    v.push(("AWS_DEFAULT_REGION", region));
    v
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvFormat {
    Sh,
    Fish,
    Json,
    Dotenv,
}

/// POSIX shell single quotes: safe for any value.
fn sh_quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', r"'\''"))
}

/// fish single quotes: backslash and quote are the only escapes.
fn fish_quote(v: &str) -> String {
    format!("'{}'", v.replace('\\', r"\\").replace('\'', r"\'"))
}

/// Lines to `eval`, a JSON object, or a .env file.
pub fn render_env(vars: &[(&'static str, String)], format: EnvFormat) -> String {
    let mut out = String::new();
    match format {
        EnvFormat::Sh => {
            out.push_str(&format!("unset {}\n", OVERRIDING.join(" ")));
            for (k, v) in vars {
                out.push_str(&format!("export {k}={}\n", sh_quote(v)));
            }
        }
        EnvFormat::Fish => {
            out.push_str(&format!("set -e {}\n", OVERRIDING.join(" ")));
            for (k, v) in vars {
                out.push_str(&format!("set -gx {k} {}\n", fish_quote(v)));
            }
        }
        EnvFormat::Json => {
            let map: serde_json::Map<String, serde_json::Value> =
                vars.iter().map(|(k, v)| (k.to_string(), serde_json::Value::String(v.clone()))).collect();
            out = serde_json::Value::Object(map).to_string();
            out.push('\n');
        }
        EnvFormat::Dotenv => {
            for (k, v) in vars {
                // Values are base64-ish or ISO dates; quote anyway so every dotenv reader agrees.
                out.push_str(&format!("{k}=\"{}\"\n", v.replace('\\', r"\\").replace('"', "\\\"")));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_paths_keep_unreserved_characters_and_escape_the_rest() {
        use super::server::profile_path;
        assert_eq!(profile_path("prod-admin"), "/profile/prod-admin");
        assert_eq!(profile_path("a.b_c~d"), "/profile/a.b_c~d");
        assert_eq!(profile_path("a/b?c d%"), "/profile/a%2Fb%3Fc%20d%25");
        assert_eq!(profile_path(".."), "/profile/%2E%2E");
        assert_eq!(profile_path("é"), "/profile/%C3%A9");
    }
    use crate::secret::Secret;
    use crate::sts::Keys;

    fn obtained() -> Obtained {
        Obtained {
            keys: Keys {
                access_key_id: "ASIAX".into(),
                secret_access_key: Secret::new("se'cr\\et"),
                session_token: Some(Secret::new("tok")),
            },
            expiration: 1_900_000_000,
            region: "eu-west-1".into(),
            account: Some("222222222222".into()),
        }
    }

    #[test]
    fn credential_process_json_is_what_the_sdks_read() {
        let v: serde_json::Value = serde_json::from_str(&process_json(&obtained())).unwrap();
        assert_eq!(v["Version"], 1);
        assert_eq!(v["AccessKeyId"], "ASIAX");
        assert_eq!(v["SecretAccessKey"], "se'cr\\et");
        assert_eq!(v["SessionToken"], "tok");
        assert_eq!(v["Expiration"], "2030-03-17T17:46:40Z");
        assert_eq!(v["AccountId"], "222222222222");
    }

    #[test]
    fn every_format_quotes_safely() {
        let vars = env_vars(&obtained(), None);
        let sh = render_env(&vars, EnvFormat::Sh);
        assert!(sh.starts_with("unset AWS_PROFILE AWS_DEFAULT_PROFILE"), "{sh}");
        assert!(sh.contains("export AWS_SECRET_ACCESS_KEY='se'\\''cr\\et'\n"), "{sh}");
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{sh}\nprintf %s \"$AWS_SECRET_ACCESS_KEY|$AWS_REGION\""))
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "se'cr\\et|eu-west-1");
        assert!(render_env(&vars, EnvFormat::Fish).contains("set -gx AWS_SECRET_ACCESS_KEY 'se\\'cr\\\\et'\n"));
        let json: serde_json::Value = serde_json::from_str(&render_env(&vars, EnvFormat::Json)).unwrap();
        assert_eq!(json["AWS_SESSION_TOKEN"], "tok");
        assert!(render_env(&vars, EnvFormat::Dotenv).contains("AWS_CREDENTIAL_EXPIRATION=\"2030-03-17T17:46:40Z\"\n"));
        assert_eq!(env_vars(&obtained(), Some("us-east-2")).last().unwrap().1, "us-east-2", "the caller's region wins");
    }
}
