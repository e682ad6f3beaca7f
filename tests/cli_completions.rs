//! The completion scripts in the shells they are for: profile names where a profile goes,
//! read from the AWS files when TAB is pressed, commands after `exec PROFILE`, flags elsewhere.

mod common;
use common::{Home, tool};
use std::process::Command;

const CONFIG: &str = "[default]\nregion = eu-west-1\n[profile alice]\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n\
[profile prod-admin]\nrole_arn = arn:aws:iam::222222222222:role/a\nsource_profile = alice\n\
[profile prod-readonly]\nrole_arn = arn:aws:iam::222222222222:role/r\nsource_profile = alice\n\
[profile dev-admin]\nrole_arn = arn:aws:iam::333333333333:role/d\nsource_profile = alice\n";
const CREDENTIALS: &str = "[alice]\naws_access_key_id = AKIAALICE00000000001\naws_secret_access_key = s\n\
[dev-admin-mfa]\naws_access_key_id = ASIA\naws_secret_access_key = s\naws_session_token = t\n";

fn home() -> Home {
    let h = Home::new();
    h.write("config", CONFIG).write("credentials", CREDENTIALS);
    h
}

/// `shell ARGS` with this HOME and the built mfatui first on PATH.
fn shell(home: &Home, program: &std::path::Path, args: &[&str]) -> String {
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_mfatui")).parent().unwrap().to_path_buf();
    let o = Command::new(program)
        .args(args)
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
        .output()
        .unwrap();
    assert!(o.status.success(), "{:?}: {}", args, String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn script(home: &Home, name: &str) -> std::path::PathBuf {
    let o = home.mfatui(&["completions", name], &[]);
    assert!(o.status.success());
    let path = home.path().join(format!("completion.{name}"));
    std::fs::write(&path, &o.stdout).unwrap();
    path
}

fn shell_tool(name: &str) -> Option<std::path::PathBuf> {
    // Installed by scripts/test.sh (apt); a bare `cargo test` without it skips.
    let found = ["/usr/bin", "/bin", "/usr/local/bin", "/opt/homebrew/bin"]
        .iter()
        .map(|d| std::path::Path::new(d).join(name))
        .find(|p| p.exists());
    found.or_else(|| tool(&format!("MFATUI_{}", name.to_uppercase()), &[]))
}

#[test]
fn the_hidden_command_lists_profile_names_and_never_an_error() {
    let h = home();
    let o = h.mfatui(&["__complete-profiles", "--", "prod"], &[]);
    assert_eq!(common::stdout(&o), "prod-admin\nprod-readonly\n");
    let empty = Home::new();
    empty.write("config", "[profile broken\n");
    let o = empty.mfatui(&["__complete-profiles"], &[]);
    assert!(o.status.success() && o.stderr.is_empty(), "{}", common::stderr(&o));
    let help = common::stdout(&h.mfatui(&["--help"], &[]));
    assert!(!help.contains("__complete"), "hidden:\n{help}");
}

#[test]
fn bash_completes_profiles_commands_and_flags() {
    let Some(bash) = shell_tool("bash") else { return };
    let h = home();
    let file = script(&h, "bash");
    // Drive the completion function as bash does on TAB: COMP_WORDS, COMP_CWORD, COMPREPLY.
    let driver = format!(
        r#"source '{}'
t() {{ COMP_WORDS=("$@"); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); COMPREPLY=()
  _mfatui_profiles mfatui "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
  echo "$*|${{COMPREPLY[*]}}"; }}
t mfatui login prod-
t mfatui env --format sh d
t mfatui exec prod-admin ech
t mfatui refresh dev-admin prod-r
t mfatui audit --as al
t mfatui login alice --co
t mfatui credential-process ""
"#,
        file.display()
    );
    let out = shell(&h, &bash, &["--norc", "-c", &driver]);
    let got = |line: &str| out.lines().find(|l| l.starts_with(&format!("{line}|"))).unwrap_or("").to_string();
    assert_eq!(got("mfatui login prod-"), "mfatui login prod-|prod-admin prod-readonly", "{out}");
    assert_eq!(got("mfatui env --format sh d"), "mfatui env --format sh d|default dev-admin dev-admin-mfa", "{out}");
    assert!(got("mfatui exec prod-admin ech").split('|').nth(1).unwrap().split(' ').any(|w| w == "echo"), "{out}");
    assert_eq!(got("mfatui refresh dev-admin prod-r"), "mfatui refresh dev-admin prod-r|prod-readonly", "{out}");
    assert_eq!(got("mfatui audit --as al"), "mfatui audit --as al|alice", "{out}");
    assert!(got("mfatui login alice --co").contains("--code"), "flags after the profile: {out}");
    assert_eq!(
        got("mfatui credential-process "),
        "mfatui credential-process |alice default dev-admin dev-admin-mfa prod-admin prod-readonly",
        "every name, managed ones included: {out}"
    );
}

#[test]
fn zsh_completes_profiles_on_tab() {
    let Some(zsh) = shell_tool("zsh") else { return };
    let h = home();
    let dir = h.path().join("zfunc");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::rename(script(&h, "zsh"), dir.join("_mfatui")).unwrap();
    // A real interactive zsh on a pseudo-terminal (zpty), sent "mfatui login prod-" and TAB.
    let driver = format!(
        r#"zmodload zsh/zpty
zpty -b z "env PS1='%% ' PATH=$PATH HOME=$HOME TERM=dumb zsh -f -i"
zpty -w z "fpath=({} \$fpath); autoload -Uz compinit; compinit -u -D; unsetopt beep"
zpty -w -n z "mfatui login prod-"$'\t'$'\t'
all=""
for i in {{1..50}}; do
  if zpty -r -t z chunk; then all+=$chunk; else sleep 0.1; fi
  [[ $all == *prod-readonly* ]] && break
done
zpty -d z
print -r -- "$all"
"#,
        dir.display()
    );
    let out = shell(&h, &zsh, &["-f", "-c", &driver]);
    assert!(out.contains("prod-admin") && out.contains("prod-readonly"), "{out}");
    assert!(!out.contains("dev-admin"), "only names starting with the word: {out}");
}

#[test]
fn fish_completes_profiles_and_the_command_after_exec() {
    let Some(fish) = shell_tool("fish") else { return };
    let h = home();
    let file = script(&h, "fish");
    let driver = format!(
        "source '{}'; complete -C 'mfatui login prod-'; echo ---; complete -C 'mfatui exec prod-admin ech'; echo ---; complete -C 'mfatui audit --as al'",
        file.display()
    );
    let out = shell(&h, &fish, &["--no-config", "-c", &driver]);
    let parts: Vec<&str> = out.split("---\n").collect();
    assert_eq!(parts[0], "prod-admin\nprod-readonly\n", "{out}");
    assert!(parts[1].lines().any(|l| l.starts_with("echo")), "{out}");
    assert!(parts[2].lines().any(|l| l == "alice"), "{out}");
}
