//! The vault against a real Secret Service (GNOME Keyring on a private D-Bus session, one per
//! test binary; the tests share it and run one at a time): import a user's keys from the
//! credentials file, sign in, the AWS CLI through the process-mode profiles, rotate, log out —
//! and afterwards no file under HOME holds the long-term secret, the seed or a session token.
//! Also aws-vault's items and JWE files, and no keychain at all.

mod common;
use common::keyring::Keyring;
use common::world::{EVE_SEED, World, eve_world, world};
use common::{stderr, stdout, tool};
use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

fn keyring() -> Option<&'static Keyring> {
    static K: OnceLock<Option<Keyring>> = OnceLock::new();
    K.get_or_init(Keyring::start).as_ref()
}

/// Tests sharing the daemon run one at a time.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static M: Mutex<()> = Mutex::new(());
    M.lock().unwrap_or_else(|p| p.into_inner())
}

const SETTINGS: &str = "vault = \"keychain\"\nexport = \"process\"\n";

fn vault_world(k: &Keyring) -> (World, Vec<(String, String)>) {
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config, &credentials);
    let settings = w.home.path().join(".config/mfatui/config.toml");
    std::fs::create_dir_all(settings.parent().unwrap()).unwrap();
    std::fs::write(&settings, SETTINGS).unwrap();
    let mut env = k.env();
    // PATH with this build first, so `mfatui` in credential_process lines is this binary.
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_mfatui")).parent().unwrap().display().to_string();
    env.push(("PATH".into(), format!("{bin_dir}:{}", std::env::var("PATH").unwrap_or_default())));
    (w, env)
}

fn run(w: &World, env: &[(String, String)], args: &[&str]) -> (Option<i32>, String, String) {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let o = w.mfatui(args, &env);
    (o.status.code(), stdout(&o), stderr(&o))
}

/// Every file under `dir` that contains `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() && !p.is_symlink() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p)
                && bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
            {
                hits.push(p.display().to_string());
            }
        }
    }
    hits
}

#[test]
fn import_login_cli_rotate_logout_and_no_secret_is_left_in_home() {
    let Some(k) = keyring() else { return };
    let _one = serial();
    let (w, env) = vault_world(k);
    // eve's TOTP seed in a 0600 file her profile names.
    let seed_file = w.home.aws("eve.seed");
    std::fs::write(&seed_file, EVE_SEED).unwrap();
    std::fs::set_permissions(&seed_file, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let config = std::fs::read_to_string(w.home.aws("config")).unwrap().replacen(
        "region = eu-west-1
",
        &format!(
            "region = eu-west-1
mfa_totp_seed_file = {}
",
            seed_file.display()
        ),
        1,
    );
    std::fs::write(w.home.aws("config"), config).unwrap();
    let (code, out, err) = run(&w, &env, &["vault", "import", "eve"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("eve: key ****0001 moved from") && out.contains("Secret Service"), "{out}");
    assert!(out.contains("eve: TOTP seed moved from") && !seed_file.exists(), "{out}");
    assert_eq!(k.lookup("seed:eve").as_deref(), Some(EVE_SEED));
    // The two key lines are gone, every other byte stayed; the profile answers through mfatui.
    assert_eq!(std::fs::read_to_string(w.home.aws("credentials")).unwrap(), "# eve's keys\n[eve]\n");
    let config = std::fs::read_to_string(w.home.aws("config")).unwrap();
    assert!(config.starts_with("# eve's config\n[profile eve]\nmfa_serial = "), "{config}");
    assert!(
        config.contains(
            "region = eu-west-1\ncredential_process = mfatui credential-process eve\nmfa_totp_seed = keychain\n"
        ),
        "{config}"
    );
    let item = k.lookup("keys:eve").expect("secret-tool finds the item");
    assert!(item.contains("AKIAEVE0000000000001") && item.contains("eve-secret"), "{item}");
    // Importing again says so; doctor and list --json say where the secrets are.
    let (code, _, err) = run(&w, &env, &["vault", "import", "eve"]);
    assert!(code == Some(1) && err.contains("already in the vault"), "{err}");
    let (_, out, _) = run(&w, &env, &["doctor"]);
    assert!(out.contains("eve: key in keychain: the Secret Service"), "{out}");
    assert!(out.contains("(encrypted, its key in the Secret Service"), "{out}");
    let (_, out, _) = run(&w, &env, &["list", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["vault"]["mode"], "keychain");
    assert!(doc["vault"]["users"]["eve"]["key"].as_str().unwrap().starts_with("keychain:"), "{doc:#}");

    // Sign in: the code comes from the seed in the keychain.
    let (code, out, err) = run(&w, &env, &["login", "eve"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let store = w.home.path().join(".local/state/mfatui/sessions.json");
    let sealed = std::fs::read(&store).unwrap();
    assert!(sealed.starts_with(b"mfatui-sealed-v1\n"), "the store is encrypted at rest");

    // Every client unchanged: the AWS CLI through eve's own profile and a role's managed profile.
    let mut tokens = Vec::new();
    let envs: Vec<(&str, &str)> = env.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    for profile in ["eve", "r0-mfa"] {
        let (code, out, err) = run(&w, &env, &["credential-process", profile]);
        assert_eq!(code, Some(0), "{err}");
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        tokens.push(json["SessionToken"].as_str().unwrap().to_string());
        tokens.push(json["SecretAccessKey"].as_str().unwrap().to_string());
        if let Some(o) = w.aws(&["--profile", profile, "--output", "text", "sts", "get-caller-identity"], &envs) {
            assert!(o.status.success(), "aws --profile {profile}: {}", stderr(&o));
            let text = stdout(&o);
            let want = if profile == "eve" { ":user/eve" } else { ":assumed-role/r0/" };
            assert!(text.contains(want), "{profile}: {text}");
        }
    }

    // Rotation writes the new key where the old one lives: the keychain.
    let (code, out, err) = run(&w, &env, &["rotate", "eve", "--yes"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let item = k.lookup("keys:eve").unwrap();
    assert!(!item.contains("AKIAEVE0000000000001"), "the keychain holds the new key: {item}");
    let new: serde_json::Value = serde_json::from_str(&item).unwrap();
    let new_secret = new["secret_access_key"].as_str().unwrap().to_string();
    assert_eq!(std::fs::read_to_string(w.home.aws("credentials")).unwrap(), "# eve's keys\n[eve]\n");
    // The new key signs in (a fresh MFA session needs it).
    let (code, _, err) = run(&w, &env, &["credential-process", "eve"]);
    assert_eq!(code, Some(0), "{err}");
    let (code, out, err) = run(&w, &env, &["logout"]);
    assert_eq!(code, Some(0), "{out}{err}");

    let mut planted = vec!["eve-secret".to_string(), EVE_SEED.to_string(), new_secret];
    planted.extend(tokens);
    for secret in &planted {
        let hits = files_containing(w.home.path(), secret);
        assert!(hits.is_empty(), "a secret ({}…) is in {hits:?}", &secret[..4]);
    }
    eprintln!(
        "grep of HOME for {} planted secrets after import, login, CLI, rotate, logout: no file holds any",
        planted.len()
    );

    // Export puts the key back where it was and takes the wrapper out.
    let (code, out, err) = run(&w, &env, &["vault", "export", "eve"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let creds = std::fs::read_to_string(w.home.aws("credentials")).unwrap();
    assert!(creds.starts_with("# eve's keys\n[eve]\naws_access_key_id = AKIA"), "{creds}");
    let config = std::fs::read_to_string(w.home.aws("config")).unwrap();
    assert!(!config.contains("eu-west-1\ncredential_process = mfatui credential-process eve"), "{config}");
    assert!(k.lookup("keys:eve").is_none());
}

#[test]
fn a_deleted_item_and_no_keychain_are_named_in_seconds() {
    let Some(k) = keyring() else { return };
    let _one = serial();
    let (w, mut env) = vault_world(k);
    let (code, out, err) = run(&w, &env, &["vault", "import", "eve"]);
    assert_eq!(code, Some(0), "{out}{err}");
    // No keychain reachable: a bus address where nothing listens.
    let mut none = env.clone();
    none.push(("MFATUI_TOTP_SEED_EVE".into(), EVE_SEED.into()));
    none.retain(|(k, _)| k != "DBUS_SESSION_BUS_ADDRESS");
    none.push(("DBUS_SESSION_BUS_ADDRESS".into(), format!("unix:path={}/nobody", k.dir.path().display())));
    let started = Instant::now();
    let (code, _, err) = run(&w, &none, &["credential-process", "eve"]);
    eprintln!("credential-process with no keychain: {:?}: {err}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}: {err}", started.elapsed());
    assert_ne!(code, Some(0));
    assert!(err.contains("Secret Service") && err.contains("cannot be reached"), "{err}");
    assert!(!err.contains("eve-secret"));
    // Deleted behind mfatui's back; a seed lets the sign-in go as far as the keys.
    assert!(k.secret_tool(&["clear", "service", "mfatui", "username", "keys:eve"], None).status.success());
    env.push(("MFATUI_TOTP_SEED_EVE".into(), EVE_SEED.into()));
    let (code, _, err) = run(&w, &env, &["credential-process", "eve"]);
    assert_ne!(code, Some(0));
    assert!(err.contains("holds no access key for eve") && err.contains("mfatui vault add eve"), "{err}");
}

#[test]
fn aws_vault_items_and_its_jwe_files_are_imported() {
    let Some(k) = keyring() else { return };
    let _one = serial();
    let (w, env) = vault_world(k);
    // aws-vault's shape in the Secret Service: attribute profile = NAME, JSON item, Data base64.
    let creds = r#"{"AccessKeyID":"AKIAEVE0000000000001","SecretAccessKey":"eve-secret","SessionToken":"","Source":"","CanExpire":false,"Expires":"0001-01-01T00:00:00Z"}"#;
    use base64::Engine as _;
    let data = base64::engine::general_purpose::STANDARD.encode(creds);
    let item = format!(r#"{{"Key":"eve","Data":"{data}","Label":"aws-vault (eve)","Description":""}}"#);
    assert!(k.secret_tool(&["store", "--label=aws-vault (eve)", "profile", "eve"], Some(&item)).status.success());
    std::fs::write(w.home.aws("credentials"), "").unwrap();
    let (code, out, err) = run(&w, &env, &["vault", "import", "--from", "aws-vault", "eve"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(k.lookup("keys:eve").unwrap().contains("eve-secret"));
    let (code, out, err) = run(&w, &env, &["vault", "export", "eve"]);
    assert_eq!(code, Some(0), "{out}{err}");
    std::fs::write(w.home.aws("credentials"), "").unwrap();

    // aws-vault's file backend: a JWE made by a JOSE library, PBES2-HS256+A128KW / A256GCM.
    let Some(python) = tool("MFATUI_PYTHON", &[".venv/bin/python"]) else { return };
    let dir = w.home.path().join(".awsvault/keys");
    std::fs::create_dir_all(&dir).unwrap();
    let script = format!(
        "import json,base64,sys\nfrom jwcrypto import jwe, jwk\nitem=json.dumps({{'Key':'eve','Data':base64.b64encode({creds:?}.encode()).decode(),'Label':'aws-vault (eve)'}})\nkey=jwk.JWK.from_password('file-pass')\nt=jwe.JWE(item.encode(), json.dumps({{'alg':'PBES2-HS256+A128KW','enc':'A256GCM','p2c':8192}}))\nt.add_recipient(key)\nopen(sys.argv[1],'w').write(t.serialize(compact=True))\n"
    );
    let o =
        std::process::Command::new(python).args(["-c", &script, dir.join("eve").to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "jwcrypto: {}", String::from_utf8_lossy(&o.stderr));
    let mut wrong = env.clone();
    wrong.push(("AWS_VAULT_FILE_PASSPHRASE".into(), "not-it".into()));
    let (code, _, err) = run(&w, &wrong, &["vault", "import", "--from", "aws-vault-file", "eve"]);
    assert!(code == Some(1) && err.contains("does not open with this passphrase"), "{err}");
    let mut right = env.clone();
    right.push(("AWS_VAULT_FILE_PASSPHRASE".into(), "file-pass".into()));
    let (code, out, err) = run(&w, &right, &["vault", "import", "--from", "aws-vault-file", "eve"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(k.lookup("keys:eve").unwrap().contains("eve-secret"));
}
