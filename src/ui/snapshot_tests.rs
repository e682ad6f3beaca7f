//! Every screen and state, rendered on a TestBackend and compared with committed snapshots.

use super::draw;
use crate::action::Action;
use crate::aws::config::{AwsEnv, load};
use crate::aws::engine::Plan;
use crate::settings::Settings;
use crate::state::{Activity, AppState, Level};
use crate::update::tests::demo_state;
use crate::update::update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

const NOW: i64 = 1_800_000_000;

pub(super) fn render(s: &AppState, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| draw(f, s)).unwrap();
    t
}

pub(super) fn sized(mut s: AppState, w: u16, h: u16) -> AppState {
    let (rows, top) = super::table_geometry(ratatui::layout::Rect::new(0, 0, w, h), &s);
    s.profiles.viewport = rows;
    s.profiles.table_top = top;
    s.profiles.scroll_into_view();
    s
}

/// alice signed in, a fan-out under way: every session state on screen at once.
fn busy_state() -> AppState {
    let mut s = demo_state();
    for (p, left) in
        [("alice", 40_000), ("dev-admin", 3000), ("dev-readonly", 200), ("data-analyst", -30), ("prod-admin", 3599)]
    {
        s.sessions.lifetimes.insert(p.into(), crate::state::until(NOW + left));
    }
    s.sessions.activity.insert("staging-admin".into(), Activity::Refreshing);
    s.sessions.activity.insert("partner-access".into(), Activity::Failed(PARTNER_DENIED.into()));
    s.sessions.activity.insert("bob-dev".into(), Activity::NeedsCode);
    s.profiles.marked.insert("dev-admin".into());
    s.sessions.aliases.insert("111111111111".into(), "acme-identity".into());
    s.sessions.aliases.insert("222222222222".into(), "acme-dev".into());
    s.sessions.aliases.insert("444444444444".into(), "acme-production".into());
    s.sessions.aliases.insert("666666666666".into(), String::new());
    // A chained role without a region of its own: it has its parent's.
    s.profiles.rows.iter_mut().find(|r| r.profile == "prod-breakglass").unwrap().region_origin =
        crate::aws::config::RegionOrigin::Inherited { from: "security-audit".into() };
    s
}

const PARTNER_DENIED: &str = "access denied: User: arn:aws:iam::111111111111:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::777777777777:role/partner-access";

pub(super) fn text(t: &Terminal<TestBackend>) -> Vec<String> {
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>())
        .collect()
}

/// The screen's line that starts (after the mark and indentation) with this profile.
pub(super) fn row_of(lines: &[String], profile: &str) -> String {
    lines
        .iter()
        .find(|l| l.trim_start_matches(['*', ' ']).starts_with(&format!("{profile} ")))
        .cloned()
        .unwrap_or_else(|| panic!("no row for {profile}:\n{}", lines.join("\n")))
}

/// Whitespace runs as one space, borders dropped: wrapped text reads as one line.
pub(super) fn flat(lines: &[String]) -> String {
    lines
        .join(" ")
        .replace(['│', '┌', '┐', '└', '┘', '─', '█', '║', '▲', '▼'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn signed_out() {
    insta::assert_snapshot!(render(&sized(demo_state(), 120, 30), 120, 30).backend());
}

#[test]
fn fan_out_in_progress_with_every_state() {
    insta::assert_snapshot!(render(&sized(busy_state(), 120, 30), 120, 30).backend());
}

#[test]
fn filter() {
    let mut s = sized(demo_state(), 120, 20);
    update(&mut s, Action::StartFilter);
    for c in "prod".chars() {
        update(&mut s, Action::FilterChar(c));
    }
    let t = render(&s, 120, 20);
    // Its parent, security-audit, is filtered out: prod-breakglass is nobody's child here.
    assert!(row_of(&text(&t), "prod-breakglass").starts_with("  prod-breakglass "));
    insta::assert_snapshot!(t.backend());
}

#[test]
fn mfa_modal_with_a_wrong_code() {
    let mut s = sized(demo_state(), 100, 24);
    let serial = "arn:aws:iam::111111111111:mfa/alice-phone".to_string();
    update(
        &mut s,
        Action::Prompt { user: "alice".into(), serial: serial.clone(), asker: "you (r)".into(), retry_reason: None },
    );
    update(
        &mut s,
        Action::Prompt {
            user: "alice".into(),
            serial,
            asker: "aws (pid 4242) needs prod-admin".into(),
            retry_reason: Some("MFA code rejected: check the device and type the next code when it changes".into()),
        },
    );
    update(
        &mut s,
        Action::Prompt {
            user: "bob".into(),
            serial: "arn:aws:iam::111111111111:mfa/bob-phone".into(),
            asker: "you (R)".into(),
            retry_reason: None,
        },
    );

    insta::assert_snapshot!(render(&s, 100, 24).backend());
}

#[test]
fn help_overlay() {
    insta::assert_snapshot!(help_at(100, 24).backend());
}

#[test]
fn log_pane_and_toasts() {
    let mut s = sized(busy_state(), 120, 30);
    s.log(Level::Success, "alice signed in: 11 role sessions ready");
    s.log(Level::Error, "partner-access: access denied");
    update(&mut s, Action::ToggleLog);
    let s = sized(s, 120, 30);
    let t = render(&s, 120, 30);
    let lines = text(&t);
    let log_top = lines.iter().position(|l| l.starts_with(" log ")).unwrap();
    assert!(lines.iter().all(|l| !l.contains('┌') && !l.contains('│')), "nothing drawn over the table or the log");
    assert!(lines[log_top + 1..].iter().any(|l| l.contains("ok alice signed in: 11 role sessions ready")));
    let message = &lines[lines.len() - 2];
    assert!(message.starts_with(" x partner-access: access denied  +1 · l"), "the newest on the line: {message}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn main_80x24() {
    let mut s = sized(busy_state(), 80, 24);
    s.profiles.select_profile("partner-access");
    let t = render(&s, 80, 24);
    let lines = text(&t);
    // The failure is cut in its cell, and continues in the detail line under the table; `i` has it whole.
    let d = super::layout(ratatui::layout::Rect::new(0, 0, 80, 24), &s).detail.unwrap();
    let detail = flat(&lines[usize::from(d.y)..usize::from(d.y + d.height)]);
    assert!(
        detail.starts_with("access denied: User: arn:aws:iam::111111111111:user/alice is not authorized to perform")
    );
    assert!(detail.ends_with("… i: more"), "{}", lines.join("\n"));
    // REGION stays when aliases arrive: the alias stands for the id, as wide as the column allows.
    assert!(row_of(&lines, "prod-admin").contains("acme-product"), "the alias: {}", lines.join("\n"));
    assert!(lines[2].contains("REGION"), "{}", lines[2]);
    insta::assert_snapshot!(t.backend());
}

#[test]
fn main_100x30() {
    let s = sized(busy_state(), 100, 30);
    let t = render(&s, 100, 30);
    let lines = text(&t);
    for r in &s.profiles.rows {
        assert!(
            lines.iter().any(|l| l.contains(&format!(" {} ", r.profile))),
            "{} cut:\n{}",
            r.profile,
            lines.join("\n")
        );
    }
    // An alias too long for the column gives way to the id, whole: never a cut name.
    assert!(row_of(&lines, "alice").contains(" 111111111111 "), "{}", lines.join("\n"));
    assert!(row_of(&lines, "dev-admin").contains(" acme-dev "), "{}", lines.join("\n"));
    assert!(row_of(&lines, "prod-breakglass").contains("us-east-1*"), "inherited region marked");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn main_200x50() {
    let s = sized(busy_state(), 200, 50);
    let t = render(&s, 200, 50);
    let lines = text(&t);
    assert!(row_of(&lines, "prod-admin").contains("444444444444 acme-production "));
    assert!(row_of(&lines, "partner-access").contains("to perform: sts:AssumeRole"), "room left goes to the session");
    assert!(row_of(&lines, "alice").contains("alice-phone"), "every column");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn a_flat_sort_draws_no_tree() {
    let mut s = sized(busy_state(), 120, 30);
    update(&mut s, Action::CycleSort);
    let lines = text(&render(&s, 120, 30));
    // Sorted by name, prod-breakglass sits under prod-admin: it is not its child.
    for p in ["prod-breakglass", "dev-readonly"] {
        assert!(row_of(&lines, p).starts_with(&format!("  {p} ")), "{}", lines.join("\n"));
    }
    assert!(row_of(&lines, "dev-admin").starts_with("* dev-admin "), "the mark stays");
    insta::assert_snapshot!(render(&s, 120, 30).backend());
}

#[test]
fn details_popup() {
    let mut s = sized(busy_state(), 100, 30);
    s.profiles.select_profile("partner-access");
    update(&mut s, Action::ToggleDetails);
    let t = render(&s, 100, 30);
    let all = flat(&text(&t));
    assert!(all.contains(PARTNER_DENIED), "the whole reason:\n{all}");
    for field in
        ["IAM user alice", "account 777777777777", "region us-west-2, set in partner-access", "partner-access-mfa"]
    {
        assert!(all.contains(field), "{field}: {all}");
    }
    insta::assert_snapshot!(t.backend());
}

#[test]
fn filter_without_a_match() {
    let mut s = sized(busy_state(), 100, 20);
    update(&mut s, Action::StartFilter);
    for c in "xyz".chars() {
        update(&mut s, Action::FilterChar(c));
    }
    let t = render(&s, 100, 20);
    assert!(flat(&text(&t)).contains("no profile matches `xyz` — Esc clears the filter"));
    insta::assert_snapshot!(t.backend());
}

/// Every key's description, whole, at this size: on screen, or reached by scrolling.
fn help_at(w: u16, h: u16) -> Terminal<TestBackend> {
    let mut s = sized(demo_state(), w, h);
    update(&mut s, Action::ToggleHelp);
    let t = render(&s, w, h);
    let mut all = flat(&text(&t));
    for _ in 0..40 {
        update(&mut s, Action::PanelScroll(1));
        all += &flat(&text(&render(&s, w, h)));
    }
    for (key, what) in super::help::KEYS.iter().chain(super::help::MARKS) {
        let whole = flat(&[format!("{key} {what}")]);
        assert!(all.contains(&whole), "{whole} at {w} columns:\n{}", text(&t).join("\n"));
    }
    t
}

#[test]
fn help_scrolls_at_60x15() {
    let t = help_at(60, 15);
    assert!(flat(&text(&t)).contains("↑ ↓ scroll: lines 1–13"), "{}", text(&t).join("\n"));
}

#[test]
fn help_overlay_80x24() {
    insta::assert_snapshot!(help_at(80, 24).backend());
}

#[test]
fn help_overlay_200x50() {
    insta::assert_snapshot!(help_at(200, 50).backend());
}

#[test]
fn narrow_60x15() {
    let t = render(&sized(busy_state(), 60, 15), 60, 15);
    assert_eq!(
        text(&t)[1].trim_end(),
        "MFA alice 11h 06m · bob not signed in · carol not signed in",
        "the hint goes, not half of it"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn wide_200x24() {
    insta::assert_snapshot!(render(&sized(busy_state(), 200, 24), 200, 24).backend());
}

#[test]
fn empty_config() {
    let dir = tempfile::tempdir().unwrap();
    let env = AwsEnv { home: Some(dir.path().into()), ..AwsEnv::default() };
    let cfg = load(&env).unwrap();
    let graph = cfg.graph();
    let plan = Plan::build(&cfg, &graph, "-mfa", |_| None);
    let mut s = AppState::new(&cfg, &graph, &plan, &Settings::default(), NOW);
    s.prefs.config_path = "~/.aws/config".into();
    insta::assert_snapshot!(render(&s, 100, 12).backend());
}

#[test]
fn two_thousand_profiles() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".aws")).unwrap();
    let (mut config, mut creds) = (String::new(), String::new());
    for u in 0..500 {
        config.push_str(&format!(
            "[profile user{u:03}]\nmfa_serial = arn:aws:iam::{:012}:mfa/user{u:03}\nregion = eu-west-1\n",
            100_000_000_000u64 + u
        ));
        creds.push_str(&format!("[user{u:03}]\naws_access_key_id = AKIA{u:016}\naws_secret_access_key = s\n"));
    }
    for r in 0..1500 {
        config.push_str(&format!(
            "[profile role{r:04}]\nrole_arn = arn:aws:iam::{:012}:role/role{r:04}\nsource_profile = user{:03}\n",
            200_000_000_000u64 + r % 97,
            r % 500
        ));
    }
    std::fs::write(dir.path().join(".aws/config"), config).unwrap();
    std::fs::write(dir.path().join(".aws/credentials"), creds).unwrap();
    let env = AwsEnv { home: Some(dir.path().into()), ..AwsEnv::default() };
    let cfg = load(&env).unwrap();
    let graph = cfg.graph();
    let plan = Plan::build(&cfg, &graph, "-mfa", |_| None);
    let mut s = AppState::new(&cfg, &graph, &plan, &Settings::default(), NOW);
    assert_eq!(s.profiles.rows.len(), 2000);
    s = sized(s, 120, 30);
    update(&mut s, Action::Bottom);
    let t = render(&s, 120, 30);
    assert!(text(&t)[1].starts_with("MFA 500 users: 0 signed in · 0 expired · 500 not signed in "));
    insta::assert_snapshot!(t.backend());
}

#[test]
fn no_color_draws_no_colour_but_keeps_the_markers() {
    let mut s = sized(busy_state(), 120, 30);
    let coloured = render(&s, 120, 30);
    let has_colour = |t: &Terminal<TestBackend>| {
        t.backend().buffer().content().iter().any(|c| c.fg != Color::Reset || c.bg != Color::Reset)
    };
    assert!(has_colour(&coloured));
    s.prefs.no_color = true;
    let plain = render(&s, 120, 30);
    assert!(!has_colour(&plain), "NO_COLOR: no colour at all");
    let text = format!("{}", plain.backend());
    assert!(
        text.contains("x access denied")
            && text.contains("~ 3m 20s")
            && text.contains("expired")
            && text.contains("us-east-1*"),
        "state stays readable"
    );
    insta::assert_snapshot!(plain.backend());
}

/// The README's pictures and the sample files in assets/, made from the real app: this fails
/// when they no longer match what mfatui draws or uses. `MFATUI_WRITE_ASSETS=1` rewrites them.
#[test]
fn assets_are_current() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    let mut s = sized(busy_state(), 120, 30);
    s.log(Level::Success, "alice signed in: 11 role sessions ready");
    let dashboard = super::svg::render(render(&s, 120, 30).backend().buffer());
    let mut p = sized(busy_state(), 120, 30);
    let serial = "arn:aws:iam::111111111111:mfa/alice-phone".to_string();
    update(
        &mut p,
        Action::Prompt {
            user: "alice".into(),
            serial,
            asker: "aws (pid 4242) needs prod-admin".into(),
            retry_reason: None,
        },
    );
    update(&mut p, Action::ModalChar('4'));
    update(&mut p, Action::ModalChar('2'));
    let prompt = super::svg::render(render(&p, 120, 30).backend().buffer());
    let mut iam = demo_state();
    crate::state::iam::fixtures::loaded(&mut iam);
    for (user, left) in [("alice", 40_000), ("bob", 30_000), ("carol", 20_000)] {
        iam.sessions.lifetimes.insert(user.into(), crate::state::until(crate::state::iam::fixtures::NOW + left));
    }
    iam.iam.selected = 1;
    let table = super::svg::render(render(&sized(iam.clone(), 120, 24), 120, 24).backend().buffer());
    update(&mut iam, Action::IamDescribe);
    iam.iam.cursor = Some(crate::state::iam::Item { user: "bob".into(), part: crate::state::iam::Part::Verdict });
    let iam = super::svg::render(render(&sized(iam, 120, 40), 120, 40).backend().buffer());
    let fix = crate::aws::iam::enforcement::assess(&[]).fix.expect("a user without policies gets a fix");
    let pretty = |v: serde_json::Value| serde_json::to_string_pretty(&v).unwrap() + "\n";
    let files: Vec<(&str, String)> = vec![
        ("dashboard.svg", dashboard),
        ("mfa-prompt.svg", prompt),
        ("iam.svg", table),
        ("iam-describe.svg", iam),
        ("demo-seed.json", pretty(serde_json::to_value(crate::sandbox::demo_world::seed()).unwrap())),
        ("demo-config", crate::sandbox::demo_world::config_file()),
        ("policies/mfa-required-boundary.json", fix.boundary_document.clone() + "\n"),
        ("policies/deny-without-mfa-statement.json", fix.deny_statement.clone() + "\n"),
    ];
    let write = std::env::var("MFATUI_WRITE_ASSETS").is_ok_and(|v| v == "1");
    for (name, content) in files {
        let path = dir.join(name);
        if write {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &content).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == content,
            "assets/{name} is stale: run MFATUI_WRITE_ASSETS=1 cargo test --lib assets_are_current"
        );
    }
}

#[test]
fn a_huge_asker_line_never_pushes_the_code_out_of_the_modal() {
    let mut s = sized(demo_state(), 80, 24);
    let huge = format!("\u{1b}]0;x\u{7}{} (pid 1)", "a".repeat(10_000));
    update(
        &mut s,
        Action::Prompt {
            user: "alice".into(),
            serial: "arn:aws:iam::111111111111:mfa/alice-phone".into(),
            asker: huge,
            retry_reason: None,
        },
    );
    let screen = text(&render(&s, 80, 24)).join("\n");
    assert!(screen.contains("code  _ _ _ _ _ _"), "the code field is in view:\n{screen}");
    assert!(screen.contains("Enter to sign in"), "and what to press:\n{screen}");
    let asked: Vec<&str> = screen.lines().filter(|l| l.contains("asked by")).collect();
    assert_eq!(asked.len(), 1, "one row:\n{screen}");
    assert!(asked[0].contains("asked by \\x1b]0;x\\x07aaa") && asked[0].contains('…'), "{}", asked[0]);
}
