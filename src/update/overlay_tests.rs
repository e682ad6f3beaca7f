//! The overlays' keys end to end through `update`: Esc down the whole stack, the palette, the
//! log's copy, and init's popup from a user row.

use super::tests::{demo_state, select};
use super::update;
use crate::action::{Action, Command};
use crate::state::{Layer, Level};

#[test]
fn esc_closes_the_top_layer_first_through_the_whole_chain() {
    let mut s = demo_state();
    update(&mut s, Action::StartFilter);
    update(&mut s, Action::FilterChar('d'));
    update(&mut s, Action::FilterDone);
    update(&mut s, Action::ToggleLog);
    update(&mut s, Action::ToggleDetails);
    update(&mut s, Action::OpenPalette);
    update(
        &mut s,
        Action::Prompt { user: "alice".into(), serial: "s".into(), asker: "aws".into(), retry_reason: None },
    );
    let mut layers = vec![s.layer()];
    while s.layer() != Layer::Normal || !s.profiles.filter.is_empty() {
        let cmds = update(&mut s, Action::Escape);
        if layers.len() == 1 {
            assert!(matches!(&cmds[..], [Command::Answer { code: None, .. }]), "the prompt is refused: {cmds:?}");
        }
        layers.push(s.layer());
        assert!(layers.len() < 10, "{layers:?}");
    }
    assert_eq!(
        layers,
        [Layer::Prompt, Layer::Palette, Layer::Details, Layer::Log, Layer::Normal, Layer::Normal],
        "prompt, palette, details, log, then the filter clears"
    );
    assert!(s.profiles.filter.is_empty());
}

#[test]
fn the_palette_runs_what_the_key_runs_and_the_log_copies_an_entry() {
    let mut s = demo_state();
    update(&mut s, Action::OpenPalette);
    assert_eq!(s.layer(), Layer::Palette);
    for c in "logo".chars() {
        update(&mut s, Action::PaletteChar(c));
    }
    update(&mut s, Action::PaletteComplete);
    let cmds = update(&mut s, Action::PaletteRun);
    assert!(matches!(&cmds[..], [Command::Logout { profile }] if profile == "alice"), "{cmds:?}");
    assert_eq!(s.layer(), Layer::Normal, "the palette closes once it ran");
    update(&mut s, Action::OpenPalette);
    for c in "nope".chars() {
        update(&mut s, Action::PaletteChar(c));
    }
    assert!(update(&mut s, Action::PaletteRun).is_empty());
    assert_eq!(s.layer(), Layer::Palette, "a wrong name stays to be fixed");
    update(&mut s, Action::Escape);
    s.log(Level::Warn, "partner-access: access denied");
    s.log(Level::Info, "newest");
    update(&mut s, Action::ToggleLog);
    update(&mut s, Action::LogScroll(1));
    let cmds = update(&mut s, Action::LogCopy);
    assert!(
        matches!(&cmds[..], [Command::CopyText { text, .. }] if text.ends_with(" partner-access: access denied")),
        "{cmds:?}"
    );
}

#[test]
fn r_on_a_user_without_mfa_serial_finds_its_device_and_asks_before_writing() {
    let mut s = demo_state();
    let row = s.profiles.rows.iter_mut().find(|r| r.profile == "ci-bot").unwrap();
    row.refusal = Some("ci-bot is an IAM user without mfa_serial…".into());
    select(&mut s, "ci-bot");
    let cmds = update(&mut s, Action::RefreshSelected);
    assert!(matches!(&cmds[..], [Command::InitDiscover { profile }] if profile == "ci-bot"), "{cmds:?}");
    let serial = "arn:aws:iam::111111111111:mfa/ci-bot-phone".to_string();
    update(&mut s, Action::InitFound { profile: "ci-bot".into(), result: Ok(Some(serial.clone())) });
    assert_eq!(s.layer(), Layer::Confirm, "nothing is written before a yes");
    let cmds = update(&mut s, Action::ConfirmYes);
    assert!(matches!(&cmds[..], [Command::InitWrite { profile, serial: x }] if profile == "ci-bot" && *x == serial));
    update(&mut s, Action::InitFound { profile: "ci-bot".into(), result: Err("ci-bot has no MFA device yet…".into()) });
    assert_eq!(s.messages.entries.back().unwrap().text, "ci-bot: ci-bot has no MFA device yet…");
}
