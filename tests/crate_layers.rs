//! The layers are crates, so the compiler keeps them; this checks the graph itself: the domain
//! depends on no UI, CLI or terminal crate and not on the sandbox, and the sandbox not on the UI.

use std::process::Command;

fn normal_dependencies(package: &str) -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = Command::new(env!("CARGO"))
        .args(["tree", "--offline", "--locked", "-e", "normal", "--prefix", "none", "-f", "{p}", "-p", package])
        .current_dir(root)
        .output()
        .expect("cargo tree runs");
    assert!(o.status.success(), "cargo tree -p {package}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).lines().filter_map(|l| l.split_whitespace().next()).map(str::to_string).collect()
}

#[test]
fn the_domain_has_no_ui_and_no_sandbox() {
    let core = normal_dependencies("mfatui-core");
    assert!(core.len() > 10, "the tree was read: {core:?}");
    for banned in ["ratatui", "crossterm", "clap", "clap_complete", "clap_mangen", "mfatui-sandbox", "mfatui"] {
        assert!(!core.iter().any(|c| c == banned), "mfatui-core depends on {banned}");
    }
    let sandbox = normal_dependencies("mfatui-sandbox");
    assert!(sandbox.iter().any(|c| c == "mfatui-core"));
    for banned in ["ratatui", "crossterm", "clap", "mfatui"] {
        assert!(!sandbox.iter().any(|c| c == banned), "mfatui-sandbox depends on {banned}");
    }
}
