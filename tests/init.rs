//! `mfatui init`: from access keys alone (no `mfa_serial` anywhere) to a profile mfatui signs
//! in, against the sandbox: the device found with GetCallerIdentity and ListMFADevices and
//! written into the config file (and nothing else changed); a user whose policy denies
//! ListMFADevices without MFA gives the serial by hand; a user with no device is told how to
//! add one.

mod common;
use common::world::{World, world};
use common::{stderr, stdout};
use mfatui::sandbox::Seed;
use mfatui::sandbox::seed::UserSeed;

const IVY_SEED: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const IVY_SERIAL: &str = "arn:aws:iam::100000000001:mfa/ivy-phone";
const DAN_SERIAL: &str = "arn:aws:iam::100000000001:mfa/dan-phone";

fn deny_listing_without_mfa() -> serde_json::Value {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:ListMFADevices", "Resource": "*",
             "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}
        ]
    })
}

fn init_world(config: &str) -> World {
    let seed = Seed::default()
        .user(UserSeed::new("100000000001", "ivy").key("AKIAIVY0000000000001", "ivy-secret").mfa("ivy-phone", IVY_SEED))
        .user(
            UserSeed::new("100000000001", "dan")
                .key("AKIADAN0000000000001", "dan-secret")
                .mfa("dan-phone", IVY_SEED)
                .inline_policy("NoListingWithoutMfa", deny_listing_without_mfa()),
        )
        .user(UserSeed::new("100000000001", "nod").key("AKIANOD0000000000001", "nod-secret"));
    let credentials = "[ivy]\naws_access_key_id = AKIAIVY0000000000001\naws_secret_access_key = ivy-secret\n\
        [dan]\naws_access_key_id = AKIADAN0000000000001\naws_secret_access_key = dan-secret\n\
        [nod]\naws_access_key_id = AKIANOD0000000000001\naws_secret_access_key = nod-secret\n";
    world(&seed, config, credentials)
}

#[test]
fn the_device_is_found_and_written_into_a_new_profile_section_and_login_works() {
    let config = "# my settings\n[default]\nregion = eu-west-1\n";
    let w = init_world(config);
    let credentials = std::fs::read_to_string(w.home.aws("credentials")).unwrap();
    let o = w.mfatui(&["init", "ivy", "--yes"], &[]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("belong to IAM user ivy") && out.contains("ivy-phone (virtual, usable from the CLI)"),
        "{out}"
    );
    assert!(out.contains("Next: `mfatui login ivy`"), "{out}");
    let written = std::fs::read_to_string(w.home.aws("config")).unwrap();
    assert_eq!(written, format!("{config}\n[profile ivy]\nmfa_serial = {IVY_SERIAL}\n"));
    assert_eq!(std::fs::read_to_string(w.home.aws("credentials")).unwrap(), credentials, "keys untouched");
    let code = w.sandbox.totp_code(IVY_SERIAL).unwrap();
    let login = w.mfatui(&["login", "ivy", "--code", &code], &[]);
    assert!(login.status.success(), "{}{}", stdout(&login), stderr(&login));
    // Once set, init says so and changes nothing.
    let again = w.mfatui(&["init", "ivy", "--yes"], &[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("already has mfa_serial"), "{}", stderr(&again));
}

#[test]
fn an_existing_section_gets_the_line_and_keeps_every_other_byte() {
    let config = "[profile ivy]\nregion = us-east-1 # home\n\n# roles below\n[profile x]\nregion = eu-west-1\n";
    let w = init_world(config);
    let o = w.mfatui(&["init", "ivy", "--yes"], &[]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let expected = config.replace("# home\n", &format!("# home\nmfa_serial = {IVY_SERIAL}\n"));
    assert_eq!(std::fs::read_to_string(w.home.aws("config")).unwrap(), expected);
}

#[test]
fn a_denied_listing_takes_the_serial_by_hand() {
    let w = init_world("");
    let o = w.mfatui(&["init", "dan"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(stdout(&o).contains("IAM would not list the MFA devices of dan"), "{}", stdout(&o));
    assert!(stderr(&o).contains("mfatui init dan --serial SERIAL"), "{}", stderr(&o));
    let bad = w.mfatui(&["init", "dan", "--serial", "arn:aws:iam::100000000001:user/dan", "--yes"], &[]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("is not an MFA device"), "{}", stderr(&bad));
    assert!(!w.home.aws("config").exists() || std::fs::read_to_string(w.home.aws("config")).unwrap().is_empty());
    let good = w.mfatui(&["init", "dan", "--serial", DAN_SERIAL, "--yes"], &[]);
    assert!(good.status.success(), "{}{}", stdout(&good), stderr(&good));
    assert_eq!(
        std::fs::read_to_string(w.home.aws("config")).unwrap(),
        format!("[profile dan]\nmfa_serial = {DAN_SERIAL}\n")
    );
}

#[test]
fn no_device_is_explained_and_nothing_is_written() {
    let w = init_world("");
    let o = w.mfatui(&["init", "nod", "--yes"], &[]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("nod has no MFA device yet") && out.contains("mfatui audit nod"), "{out}");
    assert_eq!(std::fs::read_to_string(w.home.aws("config")).unwrap(), "");
    // Several candidates and no name: say which to pick.
    let o = w.mfatui(&["init"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("dan, ivy, nod"), "{}", stderr(&o));
}
