//! The command line's rough edges of a first hour (issue 17 §4), each held to what it should
//! do on the built binary: one line per cause, "did you mean" by edit distance, `exec` without
//! `--`, `login` without a profile, and the small texts.

mod common;
use common::world::{EVE_SERIAL, FRANK_SERIAL, World, eve_world, with_frank, world};
use common::{Home, stderr, stdout};

/// eve's world with one role renamed `prod-r3` (a name with a hyphen), eve signed in.
fn signed_in() -> World {
    let (seed, config, credentials) = eve_world();
    let config = config.replacen("[profile r3]\n", "[profile prod-r3]\n", 1);
    let w = world(&seed, &config, &credentials);
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    let o = w.mfatui(&["login", "eve", "--code", &code], &[]);
    assert!(o.status.success(), "{}", stdout(&o));
    w
}

#[test]
fn a_failed_sign_in_is_one_line_for_the_cause_and_one_for_the_roles() {
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config, &credentials);
    // No code and no terminal: the cause once, the 20 roles in one line.
    let o = w.mfatui(&["login", "eve"], &[]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    let lines: Vec<&str> = out.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 3, "cause, roles, summary:\n{out}");
    assert!(lines[0].contains("signing in eve needs an MFA code") && lines[0].contains("--code"), "{out}");
    assert_eq!(lines[1].trim(), "20 roles not assumed: they are assumed from eve, which failed");
    assert!(lines[2].starts_with("0 ready, 1 failed, 20 not assumed in "), "{out}");
    assert!(!out.contains("has ended or was never started"), "no cause repeated per role:\n{out}");
    // A wrong code: the same shape, and no advice to type when the code came with --code.
    let right = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    let wrong = if right == "000000" { "111111" } else { "000000" };
    let o = w.mfatui(&["login", "eve", "--code", wrong], &[]);
    let out = stdout(&o);
    assert_eq!(out.matches("MFA code rejected").count(), 1, "{out}");
    assert_eq!(out.matches("not assumed").count(), 2, "one line and the summary:\n{out}");
    assert!(out.contains("  20 roles not assumed: they are assumed from eve, which failed\n"), "{out}");
    assert!(!out.contains("type the next code"), "{out}");
}

#[test]
fn unknown_names_get_the_names_meant() {
    let h = Home::new();
    h.write(
        "config",
        "[profile alice]\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n\
         [profile prod-admin]\nrole_arn = arn:aws:iam::222222222222:role/a\nsource_profile = alice\n\
         [profile prod-readonly]\nrole_arn = arn:aws:iam::222222222222:role/r\nsource_profile = alice\n\
         [profile prod-deploy]\nrole_arn = arn:aws:iam::222222222222:role/d\nsource_profile = alice\n\
         [profile data-typo]\nrole_arn = arn:aws:iam::222222222222:role/t\nsource_profile = alcie\n",
    )
    .write("credentials", "[alice]\naws_access_key_id = AKIAALICE00000000001\naws_secret_access_key = s\n");
    let said = |args: &[&str]| {
        let o = h.mfatui(args, &[]);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        stderr(&o)
    };
    assert!(said(&["env", "prod-admn"]).contains("unknown profile `prod-admn` (did you mean prod-admin?)"));
    assert!(said(&["console", "alcie"]).contains("(did you mean alice?)"));
    let e = said(&["exec", "prod", "true"]);
    assert!(e.contains("(did you mean prod-admin, prod-deploy or prod-readonly?)"), "{e}");
    // Managed names are names too.
    assert!(said(&["env", "prod-admin-mfx"]).contains("(did you mean prod-admin-mfa?)"));
    // The same rule for a source_profile and for AWS_PROFILE.
    let o = h.mfatui(&["doctor"], &[]);
    assert!(stdout(&o).contains("source_profile `alcie` does not exist (did you mean alice?)"), "{}", stdout(&o));
    let o = h.mfatui(&["list"], &[("AWS_PROFILE", "prod-readonyl")]);
    let out = stdout(&o);
    assert!(out.contains("1 error and 1 warning in your AWS config, on profile data-typo: `mfatui doctor`"), "{out}");
    let o = h.mfatui(&["doctor"], &[("AWS_PROFILE", "prod-readonyl")]);
    assert!(
        stdout(&o).contains("AWS_PROFILE is `prod-readonyl`, but no such profile exists (did you mean prod-readonly?)")
    );
}

#[test]
fn exec_takes_the_command_without_dashes() {
    let w = signed_in();
    let o =
        w.mfatui(&["exec", "prod-r3", "sh", "-c", "echo ${AWS_ACCESS_KEY_ID%%????????????????} $0", "--server"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "ASIA --server\n", "everything after the profile is the command's");
    let o = w.mfatui(&["exec", "prod-r3", "--", "sh", "-c", "echo $AWS_REGION"], &[]);
    assert_eq!(stdout(&o), "eu-west-1\n", "-- still works: {}", stderr(&o));
    // The credentials endpoint's path reads as the profile is typed.
    let o = w.mfatui(&["exec", "--server", "prod-r3", "printenv", "AWS_CONTAINER_CREDENTIALS_FULL_URI"], &[]);
    assert!(stdout(&o).trim_end().ends_with("/profile/prod-r3"), "{}", stdout(&o));
}

#[test]
fn login_without_a_profile_signs_in_the_users_that_need_it() {
    let (seed, config, credentials) = with_frank(eve_world());
    let w = world(&seed, &config, &credentials);
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    assert!(w.mfatui(&["login", "eve", "--code", &code], &[]).status.success());
    let code = w.sandbox.totp_code(FRANK_SERIAL).unwrap();
    let o = w.mfatui(&["login", "--code", &code], &[]);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}{}", stderr(&o));
    assert!(out.starts_with("Signing in frank (1 other user is signed in already).\n"), "{out}");
    assert!(out.contains("f0 ") && !out.contains("r3 "), "frank and his role only:\n{out}");
    let o = w.mfatui(&["login"], &[]);
    assert_eq!(stdout(&o), "Every user is signed in and fresh: nothing to do (`mfatui status` shows the sessions).\n");
    // A code is one device's: with two users to sign in, mfatui asks which.
    let o = w.mfatui(&["logout"], &[]);
    assert!(stdout(&o).starts_with("Forgot 23 sessions and removed their managed sections: "), "{}", stdout(&o));
    let o = w.mfatui(&["login", "--code", "123456"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("eve, frank need signing in: name the user it is for"), "{}", stderr(&o));
}

#[test]
fn no_lock_files_are_left_beside_the_aws_files() {
    let w = signed_in();
    assert!(w.mfatui(&["logout", "prod-r3"], &[]).status.success());
    let left: Vec<String> = std::fs::read_dir(w.home.path().join(".aws"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!left.iter().any(|n| n.contains("lock")), "{left:?}");
    assert!(left.contains(&"credentials".to_string()), "{left:?}");
}

#[test]
fn rotate_asks_what_it_then_does_to_the_old_key() {
    if !common::tmux::available() {
        return;
    }
    let w = signed_in();
    let tmux = common::tmux::Tmux::new("rotate-words");
    let cmd = format!(
        "env -i HOME={} PATH=/usr/bin:/bin TERM=xterm AWS_ENDPOINT_URL={} {} rotate eve; sleep 60",
        w.home.path().display(),
        w.sandbox.endpoint(),
        env!("CARGO_BIN_EXE_mfatui")
    );
    tmux.run(&["new-session", "-d", "-s", "e2e", "-x", "250", "-y", "50", &cmd]);
    let asked = tmux.wait_for("the question", |s| s.contains("[y/N]"));
    let flat = asked.replace('\n', "");
    assert!(flat.contains("Once AWS accepts the new key, ****0001 is deactivated, then deleted."), "{asked}");
    tmux.keys(&["y", "Enter"]);
    let done = tmux.wait_for("the outcome", |s| s.contains("Done:"));
    let flat = done.replace('\n', "");
    assert!(
        flat.contains("deactivated the old key ****0001") && flat.contains("deleted the old key ****0001"),
        "{done}"
    );
    assert!(flat.contains("the old key ****0001 was deleted."), "{done}");
}
