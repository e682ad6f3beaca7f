//! `mfatui adopt`: boto3 and the JavaScript SDK v3 under the user's own role names (AWS CLI
//! style role profiles with `mfa_serial`), with no prompt, once `adopt --all` rewrote them;
//! `--undo` gives back the very bytes. And the README's hand-written alias
//! (`credential_process = mfatui credential-process ROLE`) is the role in `list`, while `keys`
//! and `audit` follow its IAM user.

mod common;
use common::world::{EVE_SERIAL, World, eve_world, world};
use common::{stderr, stdout, tool};
use std::path::Path;
use std::process::{Command, Output};

const BOTO3: &str = "import sys, boto3\n\
[print(boto3.Session(profile_name=p).client('sts', region_name='eu-west-1').get_caller_identity()['Arn']) for p in sys.argv[1:]]";

/// eve's world as AWS CLI users write it: `mfa_serial` on every role profile.
fn cli_users_world(extra_config: &str, extra_credentials: &str) -> (World, String) {
    let (seed, config, credentials) = eve_world();
    let config = config
        .replace("source_profile = eve\n", &format!("source_profile = eve\nmfa_serial = {EVE_SERIAL}\n"))
        + extra_config;
    let w = world(&seed, &config, &(credentials + extra_credentials));
    (w, config)
}

fn boto3(w: &World, profiles: &[&str]) -> Option<Output> {
    let python = tool("MFATUI_PYTHON", &[".venv/bin/python"])?;
    let mut args = vec!["-c", BOTO3];
    args.extend(profiles);
    Some(w.client(Command::new(python), &args, &[]))
}

fn js(w: &World, profile: &str) -> Option<Output> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js");
    if !dir.join("node_modules").exists() {
        assert!(std::env::var("MFATUI_REQUIRE_TOOLS").as_deref() != Ok("1"), "run npm ci in tests/js");
        eprintln!("skipped: the JavaScript SDK (npm ci in tests/js)");
        return None;
    }
    // scripts/test.sh names it; else whatever PATH finds.
    let node = std::env::var("MFATUI_NODE").unwrap_or_else(|_| "node".into());
    let script = dir.join("caller.mjs");
    Some(w.client(Command::new(node), &[script.to_str().unwrap(), profile], &[]))
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}{}", stdout(o), stderr(o));
    stdout(o)
}

#[test]
fn boto3_and_the_javascript_sdk_use_the_original_role_names_after_adopt_and_undo_gives_back_the_bytes() {
    let (w, config) = cli_users_world("", "");
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    ok(&w.mfatui(&["login", "eve", "--code", &code], &[]));
    // As signing in left it (mfatui's managed sections); adopt never touches this file.
    let credentials = std::fs::read_to_string(w.home.aws("credentials")).unwrap();
    // Before: both SDKs stop at the role's mfa_serial (no terminal to ask on).
    if let Some(o) = boto3(&w, &["r0"]) {
        assert!(!o.status.success(), "boto3 got r0 without a code: {}", stdout(&o));
    }
    if let Some(o) = js(&w, "r0") {
        assert!(!o.status.success(), "the JavaScript SDK got r0 without a code: {}", stdout(&o));
    }

    let adopted = ok(&w.mfatui(&["adopt", "--all", "--yes"], &[]));
    assert!(adopted.contains("Adopted 20 profiles") && adopted.contains("Granted"), "{adopted}");
    assert!(adopted.contains("  now:\n    [profile r0]\n    role_arn = "), "{adopted}");
    let after = std::fs::read_to_string(w.home.aws("config")).unwrap();
    let bin = env!("CARGO_BIN_EXE_mfatui");
    assert!(
        after.contains(&format!("[profile r7]\ncredential_process = {bin} credential-process r7\nmfatui_role_arn = ")),
        "{after}"
    );
    assert!(!after.contains("\nrole_arn") && !after.contains("\nsource_profile"), "{after}");
    assert_eq!(
        after.replace("mfatui_", "").lines().filter(|l| !l.starts_with("credential_process")).collect::<Vec<_>>(),
        config.lines().collect::<Vec<_>>()
    );

    // mfatui still reads them as the roles they are.
    let list = ok(&w.mfatui(&["list"], &[]));
    assert!(list.lines().any(|l| l.starts_with("r0 ") && l.contains(" role ") && l.contains("eve")), "{list}");

    let roles = ["r0", "r7", "r19"];
    if let Some(o) = boto3(&w, &roles) {
        let out = ok(&o);
        for r in roles {
            assert!(out.contains(&format!(":assumed-role/{r}/")), "boto3 {r}: {out}");
        }
    }
    for r in roles {
        if let Some(o) = js(&w, r) {
            let out = ok(&o);
            assert_eq!(out.matches(&format!(":assumed-role/{r}/")).count(), 2, "JavaScript SDK {r}: {out}");
        }
    }

    // The AWS CLI too runs the process now, with no prompt.
    if let Some(o) = w.aws(&["--profile", "r19", "--output", "text", "sts", "get-caller-identity"], &[]) {
        assert!(ok(&o).contains(":assumed-role/r19/"), "AWS CLI v1: {}", stderr(&o));
    }

    // Undo gives back every byte of both files.
    let undone = ok(&w.mfatui(&["adopt", "--undo", "--yes"], &[]));
    assert!(undone.contains("Gave back 20 profiles"), "{undone}");
    assert_eq!(std::fs::read_to_string(w.home.aws("config")).unwrap(), config);
    let now = std::fs::read_to_string(w.home.aws("credentials")).unwrap();
    assert!(now == credentials, "the credentials file changed");
    let again = ok(&w.mfatui(&["adopt", "--undo", "--yes"], &[]));
    assert!(again.contains("No adopted profiles"), "{again}");
}

#[test]
fn undo_keeps_edits_made_elsewhere_since() {
    let (w, config) = cli_users_world("", "");
    ok(&w.mfatui(&["adopt", "r0", "r1", "--yes"], &[]));
    let adopted = std::fs::read_to_string(w.home.aws("config")).unwrap();
    let edited =
        adopted.replace("[profile r5]\n", "[profile r5]\n# my note\n") + "\n[profile extra]\nregion = us-west-2\n";
    std::fs::write(w.home.aws("config"), &edited).unwrap();
    ok(&w.mfatui(&["adopt", "--undo", "r0", "--yes"], &[]));
    ok(&w.mfatui(&["adopt", "--undo", "--yes"], &[]));
    let expected =
        config.replace("[profile r5]\n", "[profile r5]\n# my note\n") + "\n[profile extra]\nregion = us-west-2\n";
    assert_eq!(std::fs::read_to_string(w.home.aws("config")).unwrap(), expected);
}

#[test]
fn what_adopt_refuses_it_says_and_leaves_alone() {
    let extra = "\n[profile keyed]\nrole_arn = arn:aws:iam::200000000001:role/r0\nsource_profile = eve\n\
                 \n[profile prod]\ncredential_process = mfatui credential-process r0\n";
    let (w, config) = cli_users_world(extra, "[keyed]\naws_access_key_id = AKIAX\naws_secret_access_key = x\n");
    for (profile, words) in [
        ("keyed", "would use those keys before any credential_process"),
        ("eve", "is an IAM user, not a role"),
        ("prod", "already answers through mfatui"),
        ("nope", "is not a role mfatui signs in"),
    ] {
        let o = w.mfatui(&["adopt", profile, "--yes"], &[]);
        assert_eq!(o.status.code(), Some(2), "{profile}: {}", stdout(&o));
        assert!(stderr(&o).contains(words), "{profile}: {}", stderr(&o));
    }
    // Without a terminal and without --yes nothing is written.
    let o = w.mfatui(&["adopt", "r0"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--yes"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(w.home.aws("config")).unwrap(), config);
    // --all adopts what it can and says what it skipped.
    let all = ok(&w.mfatui(&["adopt", "--all", "--yes"], &[]));
    assert!(all.contains("skipped: keyed also has aws_access_key_id"), "{all}");
}

#[test]
fn the_hand_written_alias_is_the_role_and_its_user_answers_for_keys_and_audit() {
    let (w, _) = cli_users_world("\n[profile prod]\ncredential_process = mfatui credential-process r3\n", "");
    let list = ok(&w.mfatui(&["list", "--json"], &[]));
    let doc: serde_json::Value = serde_json::from_str(&list).unwrap();
    let prod = doc["profiles"].as_array().unwrap().iter().find(|p| p["name"] == "prod").unwrap();
    assert_eq!((prod["kind"].as_str(), prod["alias_of"].as_str()), (Some("role"), Some("r3")), "{prod}");
    assert_eq!(prod["root_user"], "eve");
    let table = ok(&w.mfatui(&["list"], &[]));
    assert!(table.lines().any(|l| l.starts_with("prod ") && l.contains(" role ") && l.contains("r3 > eve")), "{table}");

    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    ok(&w.mfatui(&["login", "prod", "--code", &code], &[]));
    let keys = w.mfatui(&["keys", "prod", "--json"], &[]);
    assert_eq!(keys.status.code(), Some(0), "{}", stderr(&keys));
    assert!(stdout(&keys).contains("\"eve\""), "{}", stdout(&keys));
    let all_keys = ok(&w.mfatui(&["keys", "--json"], &[]));
    let doc: serde_json::Value = serde_json::from_str(&all_keys).unwrap();
    assert_eq!(doc["users"].as_array().unwrap().len(), 1, "the alias is no IAM user of its own: {all_keys}");
    let audit = w.mfatui(&["audit", "prod", "--json"], &[]);
    assert_ne!(audit.status.code(), Some(2), "{}{}", stdout(&audit), stderr(&audit));
    // The alias answers clients with the role's session.
    if let Some(o) = boto3(&w, &["prod"]) {
        assert!(ok(&o).contains(":assumed-role/r3/"));
    }
}
