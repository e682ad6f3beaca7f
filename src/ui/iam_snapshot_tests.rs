//! The IAM screen, its popups and the main screen's old-key flag, on a TestBackend, compared
//! with committed snapshots. The data is built directly (`state::iam::fixtures`).

use super::snapshot_tests::{flat, render, row_of, sized, text};
use crate::action::Action;
use crate::aws::iam::api::KeyId;
use crate::aws::iam::key_ops::KeyOp;
use crate::aws::iam::rotate::{Event, OldKey, Question, Report};
use crate::state::AppState;
use crate::state::iam::fixtures::{self, NOW};
use crate::state::iam::{Item, Part};
use crate::update::tests::demo_state;
use crate::update::update;

fn loaded(w: u16, h: u16) -> AppState {
    let mut s = demo_state();
    fixtures::loaded(&mut s);
    s.sessions.lifetimes.insert("alice".into(), crate::state::until(NOW + 40_000));
    s.sessions.lifetimes.insert("bob".into(), crate::state::until(NOW + 30_000));
    s.sessions.lifetimes.insert("carol".into(), crate::state::until(NOW + 20_000));
    sized(s, w, h)
}

/// Describe `user` with the cursor on `part`.
fn at(s: &mut AppState, user: &str, part: Part) {
    s.overlays.close_panels(|p| matches!(p, crate::state::Panel::Describe { .. }));
    s.overlays.push(crate::state::Overlay::Panel(crate::state::Panel::Describe { user: user.into() }));
    s.iam.cursor = Some(Item { user: user.into(), part });
    assert_eq!(s.iam_cursor(), s.iam.cursor, "no such item");
}

/// The popup's text alone: what lies between its borders, as one line.
fn popup(t: &ratatui::Terminal<ratatui::backend::TestBackend>) -> String {
    let inside: Vec<String> = text(t)
        .iter()
        .filter_map(|l| {
            let (a, b) = (l.find('│')?, l.rfind('│')?);
            (b > a).then(|| l[a..b].to_string())
        })
        .collect();
    flat(&inside)
}

fn alice_key(n: u8) -> Part {
    Part::Key(KeyId::new(format!("AKIADEMOALICE000000{n}")))
}

#[test]
fn iam_80x24() {
    let mut s = loaded(80, 24);
    let table = render(&s, 80, 24);
    let rows = text(&table);
    for (user, verdict) in [("alice", "ENFORCED"), ("bob", "NOT ENFORCED"), ("carol", "UNKNOWN")] {
        assert!(row_of(&rows, user).contains(verdict), "{user}:\n{}", rows.join("\n"));
    }
    assert!(flat(&rows).contains("Enter open"), "{}", rows.join("\n"));
    insta::assert_snapshot!("iam_80x24_table", table.backend());
    update(&mut s, Action::IamDescribe);
    let t = render(&s, 80, 24);
    let all = flat(&text(&t));
    for want in [
        "alice arn:aws:iam::111111111111:user/alice · IAM calls on its MFA session",
        "yubikey-ABCDEF: FIDO security key: console only, the CLI cannot use it",
        "alice-phone: virtual, usable from the CLI (your mfa_serial)",
        "boundary MfaRequired",
        "! access key ****0001 is 150 days old",
        "r rotate",
        "Esc back",
    ] {
        assert!(all.contains(want), "{want}:\n{}", text(&t).join("\n"));
    }
    insta::assert_snapshot!(t.backend());
}

#[test]
fn iam_120x30_keys_as_a_table() {
    let mut s = loaded(120, 30);
    at(&mut s, "alice", alice_key(1));
    let t = render(&s, 120, 30);
    let lines = text(&t);
    let key = lines.iter().find(|l| l.starts_with(">")).unwrap();
    for cell in ["Active", "150 days OLD", "2027-01-15", "sts", "eu-west-1", "in your AWS files"] {
        assert!(key.contains(cell), "{cell}: {key}");
    }
    assert!(key.starts_with(">"), "the cursor's line");
    let inactive = lines.iter().find(|l| l.contains("****0002")).unwrap();
    assert!(inactive.contains("Inactive") && inactive.contains("never"), "{inactive}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn iam_200x50_every_verdict() {
    let mut s = loaded(200, 50);
    at(&mut s, "bob", Part::Verdict);
    let t = render(&s, 200, 50);
    let all = flat(&text(&t));
    for want in [
        "MFA audit NOT ENFORCED — a request signed with the long-term key and no MFA (iam:ListAccessKeys) succeeded",
        "problem: `iam:*` is reachable without MFA",
        "it cannot be applied from here: f shows why",
    ] {
        assert!(all.contains(want), "{want}:\n{}", text(&t).join("\n"));
    }
    insta::assert_snapshot!(t.backend());
    at(&mut s, "carol", Part::Verdict);
    let all = flat(&text(&render(&s, 200, 50)));
    for want in [
        "MFA audit UNKNOWN — not every policy could be read",
        "managed: not readable: access denied, explicit deny in an identity-based policy",
    ] {
        assert!(all.contains(want), "{want}:\n{all}");
    }
}

#[test]
fn iam_scrolls_to_the_cursor_with_its_section() {
    let mut s = loaded(80, 24);
    at(&mut s, "carol", Part::Finding(2));
    let t = render(&s, 80, 24);
    let lines = text(&t);
    assert!(lines[2].starts_with("  carol (continued; g goes to its top"), "whose section:\n{}", lines.join("\n"));
    assert!(lines.iter().any(|l| l.starts_with(">") && l.contains("problem:")), "{}", lines.join("\n"));
    insta::assert_snapshot!(t.backend());
}

#[test]
fn iam_no_color_keeps_verdicts_and_flags_readable() {
    let mut s = loaded(120, 40);
    s.prefs.no_color = true;
    at(&mut s, "alice", alice_key(1));
    let t = render(&s, 120, 40);
    let plain = format!("{}", t.backend());
    for want in ["ENFORCED", "150 days OLD", ">   ****0001", "loading 1"] {
        assert!(plain.contains(want), "{want}");
    }
    insta::assert_snapshot!(t.backend());
}

#[test]
fn rotation_in_progress() {
    let mut s = loaded(120, 30);
    at(&mut s, "alice", alice_key(1));
    update(&mut s, Action::IamRotate);
    let keys = fixtures::overview("alice").keys.unwrap();
    let new = KeyId::new("AKIANEWALICE00009XYZ");
    for event in [
        Event::Signing { text: "IAM calls are signed with the MFA session of alice".into(), mfa: true },
        Event::Keys { keys },
        Event::MadeRoom { deleted: KeyId::new("AKIADEMOALICE0000002") },
        Event::Creating,
        Event::Created { key: new.clone() },
        Event::Saved { key: new.clone(), file: "/home/alice/.aws/credentials".into() },
        Event::Verifying {
            attempt: 3,
            successes: 0,
            needed: 3,
            waited_ms: 750,
            last_error: Some("invalid key: The security token included in the request is invalid".into()),
        },
    ] {
        update(&mut s, Action::IamEvent { user: "alice".into(), event });
    }
    let t = render(&s, 120, 30);
    let all = flat(&text(&t));
    assert!(all.contains("rotating"), "{all}");
    assert!(all.contains("AWS does not accept the new key yet after 0.8s"), "{all}");
    assert!(!all.contains("AKIANEW"), "masked ids only");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn confirm_rotate() {
    let mut s = loaded(80, 24);
    let keys = fixtures::overview("alice").keys.unwrap();
    update(&mut s, Action::IamRotate);
    update(&mut s, Action::IamEvent { user: "alice".into(), event: Event::Keys { keys: keys.clone() } });
    let question = Question::Rotate {
        profile: "alice".into(),
        user: "alice".into(),
        key: keys[0].id.clone(),
        resume: None,
        keep_old: false,
        last_used: keys[0].last_used.clone(),
    };
    update(&mut s, Action::IamQuestion { id: 1, user: "alice".into(), question });
    let t = render(&s, 80, 24);
    let all = popup(&t);
    assert!(
        all.contains(
            "Rotate ****0001, the access key of alice in your AWS files (last used 2027-01-15 (sts, eu-west-1))?"
        ),
        "{all}"
    );
    assert!(flat(&text(&t)).contains("y rotate · n or Esc: nothing changes"), "on the border");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn confirm_delete_refused_for_the_key_in_use() {
    let mut s = loaded(80, 24);
    at(&mut s, "alice", alice_key(1));
    update(&mut s, Action::IamKey(KeyOp::Delete));
    let t = render(&s, 80, 24);
    let all = popup(&t);
    assert!(all.contains("Rotate it instead (r)"), "{all}");
    assert!(flat(&text(&t)).contains("Enter or Esc: close"));
    insta::assert_snapshot!(t.backend());
}

#[test]
fn confirm_delete_an_unused_key() {
    let mut s = loaded(100, 24);
    at(&mut s, "alice", alice_key(2));
    update(&mut s, Action::IamKey(KeyOp::Delete));
    let t = render(&s, 100, 24);
    let all = popup(&t);
    assert!(all.contains("Delete the access key ****0002 of alice for good?"), "{all}");
    assert!(
        all.contains("It is inactive, created 2025-12-11, never used; it is not the key in your AWS files."),
        "{all}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn confirm_fix_with_its_json() {
    let mut s = loaded(100, 30);
    s.section_mut("bob").fix = Default::default();
    s.section_mut("bob").fix.done(Ok(fixtures::fix_plan()));
    at(&mut s, "bob", Part::Fix);
    update(&mut s, Action::IamFix);
    update(&mut s, Action::ConfirmScroll(3));
    let t = render(&s, 100, 30);
    let all = popup(&t);
    assert!(
        all.contains("As bob, set arn:aws:iam::111111111111:policy/MfaRequired as the permissions boundary of bob?"),
        "{all}"
    );
    assert!(all.contains("This replaces its current boundary arn:aws:iam::111111111111:policy/LooksLikeMfaRequired"));
    let screen = flat(&text(&t));
    assert!(screen.contains("lines 4–"), "scrolled, and says where:\n{}", text(&t).join("\n"));
    assert!(screen.contains("y apply the boundary · n or Esc: nothing changes"));
    insta::assert_snapshot!(t.backend());
}

/// The Deny sits under "this Deny statement"; the boundary, whose Allow * would grant everything as a
/// policy, only under its own label, which says what a boundary does: as `mfatui audit` prints them.
#[test]
fn confirm_fix_shows_the_deny_and_the_boundary_apart() {
    let mut s = loaded(100, 60);
    at(&mut s, "bob", Part::Fix);
    update(&mut s, Action::IamFix);
    let t = render(&s, 100, 60);
    let all = popup(&t);
    let inside = |l: &String| match (l.find('│'), l.rfind('│')) {
        (Some(a), Some(b)) if b > a => l[a..b].to_string(),
        _ => String::new(),
    };
    let lines: Vec<String> = text(&t).iter().map(inside).collect();
    let fix = crate::aws::iam::enforcement::fix();
    let deny_at = lines.iter().position(|l| l.contains("Add this Deny statement")).expect(&all);
    let boundary_at = lines.iter().position(|l| l.contains("Or set this policy, MfaRequired")).expect(&all);
    let allow_at = lines.iter().position(|l| l.contains("\"Action\": \"*\"")).expect(&all);
    assert!(deny_at < boundary_at && boundary_at < allow_at, "Allow * only under the boundary's label:\n{all}");
    assert!(lines[deny_at..boundary_at].iter().any(|l| l.contains("\"Effect\": \"Deny\"")), "{all}");
    assert!(!lines[deny_at..boundary_at].iter().any(|l| l.contains("Allow")), "{all}");
    for words in
        ["caps what the user's own policies grant", "never grants anything itself", "full administrator access"]
    {
        assert!(all.contains(words), "{words}:\n{all}");
    }
    assert!(fix.boundary_label.contains("never grants anything itself"), "the same text as the CLI");
    assert!(flat(&text(&t)).contains("c copy the Deny"));
    insta::assert_snapshot!(t.backend());
}

#[test]
fn confirm_fix_not_allowed_80x24() {
    let mut s = loaded(80, 24);
    at(&mut s, "bob", Part::Fix);
    update(&mut s, Action::IamFix);
    let t = render(&s, 80, 24);
    let all = popup(&t);
    assert!(all.contains("Not applied from here: bob may not iam:PutUserPermissionsBoundary"), "{all}");
    assert!(all.contains("or apply the JSON above in the IAM console"), "the reason in full");
    assert!(!flat(&text(&t)).contains("y apply"), "not offered");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn main_screen_flags_old_keys() {
    let mut s = loaded(120, 30);
    update(&mut s, Action::SwitchScreen);
    s.profiles.select_profile("alice");
    let t = render(&s, 120, 30);
    let lines = text(&t);
    assert!(row_of(&lines, "alice").contains("alice old key"), "{}", lines.join("\n"));
    assert!(!row_of(&lines, "bob").contains("old key"));
    let all = flat(&lines);
    assert!(
        all.contains(
            "access key ****0001 of alice is 150 days old (more than 90): Tab opens the IAM screen, where r rotates it"
        ),
        "{all}"
    );
    s.prefs.no_color = true;
    let plain = render(&s, 120, 30);
    assert!(row_of(&text(&plain), "alice").contains("alice old key"), "readable without colour");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn iam_help_80x24() {
    let mut s = loaded(80, 24);
    update(&mut s, Action::ToggleHelp);
    let t = render(&s, 80, 24);
    // Taller than the terminal: what scrolling shows, top and bottom.
    for _ in 0..40 {
        update(&mut s, Action::PanelScroll(1));
    }
    let end = render(&s, 80, 24);
    let all = flat(&text(&t)) + &flat(&text(&end));
    for (key, what) in super::help::IAM_KEYS.iter().chain(super::help::IAM_MARKS) {
        let whole = flat(&[format!("{key} {what}")]);
        assert!(all.contains(&whole), "{whole}:\n{}", text(&t).join("\n"));
    }
    insta::assert_snapshot!(t.backend());
}

#[test]
fn no_iam_user_says_so() {
    let mut s = demo_state();
    s.profiles.rows.retain(|r| !r.is_user);
    s.refilter();
    update(&mut s, Action::SwitchScreen);
    let t = render(&s, 80, 12);
    assert!(flat(&text(&t)).contains("No IAM user in ~/.aws/config"));
}

/// The dashboard shows the domain's sentences, the ones `mfatui rotate` prints too
/// (`tests/iam_rotate.rs`, `the_cli_prints_the_domains_words`): the question before any change,
/// then each step and the summary.
#[test]
fn the_rotation_shows_the_domains_words() {
    let mut s = loaded(120, 40);
    let keys = fixtures::overview("alice").keys.unwrap();
    update(&mut s, Action::IamRotate);
    let question = Question::Rotate {
        profile: "alice".into(),
        user: "alice".into(),
        key: keys[0].id.clone(),
        resume: None,
        keep_old: false,
        last_used: keys[0].last_used.clone(),
    };
    update(&mut s, Action::IamQuestion { id: 1, user: "alice".into(), question: question.clone() });
    let words = question.text();
    let all = popup(&render(&s, 120, 40));
    assert!(all.contains(&words.ask) && words.detail.iter().all(|d| all.contains(d.as_str())), "{all}");
    assert!(words.line().contains("deactivated, then deleted"), "says what a yes does to the old key");
    update(&mut s, Action::ConfirmYes);
    let deleted = Event::DeletedOld { key: keys[0].id.clone() };
    update(&mut s, Action::IamEvent { user: "alice".into(), event: deleted.clone() });
    let steps = &s.section("alice").unwrap().rotation.as_ref().unwrap().steps;
    assert_eq!(steps.last().unwrap().text, deleted.describe());
    let report = Report {
        profile: "alice".into(),
        user: "alice".into(),
        old: keys[0].id.clone(),
        new: KeyId::new("AKIANEWALICE00009XYZ"),
        old_key: OldKey::Deleted,
        file: Some("/home/alice/.aws/credentials".into()),
        made_room: vec![],
        deleted_unsaved: vec![],
        old_refused: Some(true),
        mfa: true,
    };
    update(&mut s, Action::IamRotated { user: "alice".into(), result: Ok(report.clone()) });
    assert!(s.messages.entries.iter().any(|l| l.text == format!("rotate alice: done: {}", report.summary())));
}
