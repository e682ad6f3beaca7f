//! The first hour's rough edges of the dashboard, each pinned: the selection always on screen,
//! the footer that fits, columns and header that do not jump, the prompt below the demo's codes,
//! the region said exactly, the chained role's detail.

use super::snapshot_tests::{flat, render, row_of, sized, text};
use crate::action::Action;
use crate::state::{AppState, Row};
use crate::update::tests::demo_state;
use crate::update::update;

fn selected_line(s: &AppState, w: u16, h: u16) -> Option<String> {
    let t = render(s, w, h);
    let buf = t.backend().buffer();
    let style = super::theme::Theme::new(s.prefs.theme, false).selected;
    (0..buf.area.height)
        .find(|&y| buf[(1, y)].bg == style.bg.unwrap_or_default() && buf[(1, y)].bg != ratatui::style::Color::Reset)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>())
}

#[test]
fn the_last_row_is_seen_when_selected_even_after_the_demo_line_arrives() {
    for (w, h) in [(80, 24), (60, 15)] {
        let keys: [fn() -> Action; 2] = [|| Action::Bottom, || Action::PageDown];
        for key in keys {
            // The geometry was measured before the demo's line made the header taller: the
            // window is recomputed for the area drawn.
            let mut s = sized(demo_state(), w, h);
            update(&mut s, Action::Hint("codes (20s): alice 123456".into()));
            for _ in 0..5 {
                update(&mut s, key());
            }
            let last = s.selected_row().unwrap().profile.clone();
            let line = selected_line(&s, w, h).unwrap_or_else(|| panic!("nothing highlighted at {w}x{h}"));
            assert!(line.contains(&last), "{last} at {w}x{h}: {line}");
        }
    }
}

#[test]
fn the_footer_fits_the_important_keys_at_80_columns() {
    let s = sized(demo_state(), 80, 24);
    let footer = text(&render(&s, 80, 24)).pop().unwrap();
    for hint in
        ["r login", "R all", "Spc mark", "/ find", "s sort", "i info", "c copy", "l log", ": cmd", "Tab IAM", "? help"]
    {
        assert!(footer.contains(hint), "{hint}: {footer}");
    }
    let mut iam = sized(demo_state(), 80, 24);
    update(&mut iam, Action::SwitchScreen);
    let footer = text(&render(&iam, 80, 24)).pop().unwrap();
    for hint in ["Enter open", "f fix", "A all", "l log", "Tab profiles", "? help"] {
        assert!(footer.contains(hint), "{hint}: {footer}");
    }
}

/// The columns shown (an alias may widen ACCOUNT into space left over; no column comes or goes).
fn titles(s: &AppState, w: u16, h: u16) -> Vec<String> {
    let line = text(&render(s, w, h)).into_iter().find(|l| l.starts_with("PROFILE")).unwrap();
    line.replace("ROLE / KIND", "ROLE/KIND").split_whitespace().map(str::to_string).collect()
}

#[test]
fn columns_stay_when_aliases_arrive_and_when_sorted() {
    for w in (60..=200).step_by(7) {
        let mut s = sized(demo_state(), w, 30);
        let before = titles(&s, w, 30);
        for (id, alias) in [("111111111111", "acme-identity"), ("444444444444", "acme-production-main")] {
            s.sessions.aliases.insert(id.into(), alias.into());
        }
        assert_eq!(titles(&s, w, 30), before, "aliases arrived at {w} columns");
        update(&mut s, Action::CycleSort);
        assert_eq!(titles(&s, w, 30), before, "sorted at {w} columns");
    }
}

#[test]
fn the_header_does_not_shift_as_countdowns_change_width() {
    let mut s = sized(demo_state(), 120, 30);
    let at = |s: &AppState| text(&render(s, 120, 30))[1].find("bob").unwrap();
    s.sessions.lifetimes.insert("alice".into(), crate::state::until(s.now + 11 * 3600));
    let long = at(&s);
    s.sessions.lifetimes.insert("alice".into(), crate::state::until(s.now + 9));
    assert_eq!(at(&s), long, "alice's countdown went from 11h 00m to 9s");
    // The demo's line is dropped by whole parts, never cut mid-path.
    update(
        &mut s,
        Action::Hint(
            "codes ( 9s): alice 1 · bob 2 · HOME=/tmp/mfatui-demo-abcdef · AWS_ENDPOINT_URL=http://127.0.0.1:1".into(),
        ),
    );
    let line = text(&render(&s, 60, 15))[2].trim_end().to_string();
    assert_eq!(line, "codes ( 9s): alice 1 · bob 2 · HOME=/tmp/mfatui-demo-abcdef");
}

#[test]
fn the_prompt_leaves_the_demo_codes_visible_at_60x15() {
    let mut s = sized(demo_state(), 60, 15);
    update(&mut s, Action::Hint("codes (20s): alice 123456 · bob 654321".into()));
    let before: Vec<String> = text(&render(&s, 60, 15))[..3].to_vec();
    update(
        &mut s,
        Action::Prompt {
            user: "alice".into(),
            serial: "arn:aws:iam::1:mfa/alice-phone".into(),
            asker: "you (r)".into(),
            retry_reason: None,
        },
    );
    let after = text(&render(&s, 60, 15));
    assert_eq!(&after[..3], &before[..], "header and codes stay readable");
    assert!(flat(&after).contains("MFA code for alice"));
}

fn details(s: &mut AppState, profile: &str) -> String {
    s.profiles.select_profile(profile);
    update(s, Action::ToggleDetails);
    let all = flat(&text(&render(s, 120, 40)));
    update(s, Action::ToggleDetails);
    all
}

#[test]
fn the_chained_roles_detail_shows_the_chain_arn_place_and_cap() {
    let mut s = sized(demo_state(), 120, 40);
    let all = details(&mut s, "prod-breakglass");
    for want in [
        "chained role, assumed via security-audit → alice",
        "role ARN arn:aws:iam::444444444444:role/",
        "defined at ~/.aws/config:",
        "AWS caps a chained role's session at 1 hour",
    ] {
        assert!(all.contains(want), "{want}:\n{all}");
    }
}

#[test]
fn the_region_says_where_it_comes_from() {
    let mut s = sized(demo_state(), 120, 40);
    let row: &Row = s.profiles.row("prod-breakglass").unwrap();
    let words = row.region_origin.describe(&row.profile, row.region.as_deref());
    let all = details(&mut s, "prod-breakglass");
    assert!(all.contains(&format!("region {words}")), "{words}:\n{all}");
    let lines = text(&render(&s, 120, 40));
    let inherited = s.profiles.rows.iter().filter(|r| r.region_origin.inherited()).count();
    let starred = s.profiles.rows.iter().filter(|r| row_of(&lines, &r.profile).contains('*')).count();
    assert_eq!(starred, inherited, "every inherited region, and only those, is marked");
}

#[test]
fn the_palette_lists_its_matches_above_the_typed_command() {
    let mut s = sized(demo_state(), 80, 24);
    update(&mut s, Action::OpenPalette);
    for c in "lo".chars() {
        update(&mut s, Action::PaletteChar(c));
    }
    let lines = text(&render(&s, 80, 24));
    assert!(lines[23].starts_with(":lo"), "the typed command on the last row: {}", lines.join("\n"));
    assert!(lines[22].starts_with('└') && lines.iter().any(|l| l.contains("logout")), "{}", lines.join("\n"));
}
