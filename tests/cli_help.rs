//! The command line describes itself: every command has help with an example, flags appear only
//! on the commands they affect, and completions and a man page come from the same definitions.

mod common;
use common::{Home, stdout};

const COMMANDS: &[&str] = &[
    "list",
    "doctor",
    "login",
    "refresh",
    "logout",
    "status",
    "credential-process",
    "exec",
    "env",
    "serve",
    "console",
    "completions",
    "man",
    "demo",
    "sandbox",
];

#[test]
fn every_command_has_help_with_an_example_and_only_its_own_flags() {
    let h = Home::new();
    for c in COMMANDS {
        let o = h.mfatui(&[c, "--help"], &[]);
        let help = stdout(&o);
        assert!(o.status.success(), "{c}");
        assert!(help.contains("Example") || help.contains("Install"), "{c} --help has no example:\n{help}");
    }
    let status = stdout(&h.mfatui(&["status", "--help"], &[]));
    assert!(!status.contains("--margin") && !status.contains("--concurrency"), "{status}");
    let refresh = stdout(&h.mfatui(&["refresh", "--help"], &[]));
    assert!(refresh.contains("--margin <SECS>") && refresh.contains("60..=3000"), "ranges are stated:\n{refresh}");
}

#[test]
fn completions_and_the_man_page() {
    let h = Home::new();
    let bash = stdout(&h.mfatui(&["completions", "bash"], &[]));
    let o = std::process::Command::new("bash").arg("-c").arg(format!("{bash}\ncomplete -p mfatui")).output().unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("mfatui"), "bash loads the completion");
    assert!(bash.contains("credential-process") && bash.contains("--export"));
    for shell in ["zsh", "fish"] {
        assert!(stdout(&h.mfatui(&["completions", shell], &[])).contains("credential-process"), "{shell}");
    }
    let man = stdout(&h.mfatui(&["man"], &[]));
    assert!(man.starts_with(".ie") && man.contains(".TH mfatui 1") && man.contains("credential\\-process"), "{man}");
}
