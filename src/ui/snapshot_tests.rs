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

fn render(s: &AppState, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| draw(f, s)).unwrap();
    t
}

fn sized(mut s: AppState, w: u16, h: u16) -> AppState {
    let (rows, top) = super::table_geometry(ratatui::layout::Rect::new(0, 0, w, h), &s);
    s.viewport = rows;
    s.table_top = top;
    s.scroll_into_view();
    s
}

/// alice signed in, a fan-out under way: every session state on screen at once.
fn busy_state() -> AppState {
    let mut s = demo_state();
    for (p, left) in
        [("alice", 40_000), ("dev-admin", 3000), ("dev-readonly", 200), ("data-analyst", -30), ("prod-admin", 3599)]
    {
        s.sessions.insert(p.into(), NOW + left);
    }
    s.activity.insert("staging-admin".into(), Activity::Refreshing);
    s.activity.insert(
        "partner-access".into(),
        Activity::Failed("access denied: not authorized to perform sts:AssumeRole".into()),
    );
    s.activity.insert("bob-dev".into(), Activity::NeedsCode);
    s.marked.insert("dev-admin".into());
    s.aliases.insert("222222222222".into(), "dev".into());
    s.aliases.insert("444444444444".into(), "prod".into());
    s.aliases.insert("666666666666".into(), String::new());
    s
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
    insta::assert_snapshot!(render(&s, 120, 20).backend());
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
    let mut s = sized(demo_state(), 100, 24);
    update(&mut s, Action::ToggleHelp);
    insta::assert_snapshot!(render(&s, 100, 24).backend());
}

#[test]
fn log_pane_and_toasts() {
    let mut s = sized(busy_state(), 120, 30);
    s.log(Level::Success, "alice signed in: 11 role session(s) ready");
    s.log(Level::Error, "partner-access: access denied");
    update(&mut s, Action::ToggleLog);
    let s = sized(s, 120, 30);
    insta::assert_snapshot!(render(&s, 120, 30).backend());
}

#[test]
fn narrow_60x15() {
    insta::assert_snapshot!(render(&sized(busy_state(), 60, 15), 60, 15).backend());
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
    s.config_path = "~/.aws/config".into();
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
    assert_eq!(s.rows.len(), 2000);
    s = sized(s, 120, 30);
    update(&mut s, Action::Bottom);
    insta::assert_snapshot!(render(&s, 120, 30).backend());
}

#[test]
fn no_color_draws_no_colour_but_keeps_the_markers() {
    let mut s = sized(busy_state(), 120, 30);
    let coloured = render(&s, 120, 30);
    let has_colour = |t: &Terminal<TestBackend>| {
        t.backend().buffer().content().iter().any(|c| c.fg != Color::Reset || c.bg != Color::Reset)
    };
    assert!(has_colour(&coloured));
    s.no_color = true;
    let plain = render(&s, 120, 30);
    assert!(!has_colour(&plain), "NO_COLOR: no colour at all");
    let text = format!("{}", plain.backend());
    assert!(
        text.contains("x access denied") && text.contains("~ 3m 20s") && text.contains("expired"),
        "state stays readable"
    );
    insta::assert_snapshot!(plain.backend());
}
