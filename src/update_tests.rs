use super::*;
use crate::aws::config;
use crate::aws::engine::{LoginReport, Outcome, Plan};
use crate::aws::sts::StsError;
use crate::settings::Settings;
use crate::state::{Activity, AppState, Level, Mode, Sort};
use std::collections::HashMap;

const NOW: i64 = 1_800_000_000;

pub(crate) fn demo_state() -> AppState {
    let dir = tempfile::tempdir().unwrap();
    let env = crate::commands::demo::make_home(dir.path()).unwrap();
    let cfg = config::load(&env).unwrap();
    let graph = cfg.graph();
    let plan = Plan::build(&cfg, &graph, "-mfa", |_| None);
    let mut s = AppState::new(&cfg, &graph, &plan, &Settings::default(), NOW);
    s.viewport = 10;
    s.table_top = 3;
    s.config_path = "~/.aws/config".into();
    s
}

fn select(s: &mut AppState, profile: &str) {
    s.selected = s.visible.iter().position(|&i| s.rows[i].profile == profile).unwrap();
}

fn ok(exp: i64) -> Result<Outcome, EngineError> {
    Ok(Outcome { expiration: exp, identity_arn: None, managed: Ok("x-mfa".into()), reused: false })
}

fn signed_in_alice(s: &mut AppState) {
    s.sessions.insert("alice".into(), NOW + 40_000);
}

#[test]
fn movement_and_scrolling() {
    let mut s = demo_state();
    let n = s.visible.len();
    update(&mut s, Action::Up);
    assert_eq!(s.selected, 0, "stops at the top");
    update(&mut s, Action::Down);
    assert_eq!(s.selected, 1);
    update(&mut s, Action::Bottom);
    assert_eq!((s.selected, s.offset), (n - 1, n - 10));
    update(&mut s, Action::Top);
    assert_eq!((s.selected, s.offset), (0, 0));
    update(&mut s, Action::PageDown);
    assert_eq!(s.selected, 9);
    update(&mut s, Action::PageUp);
    assert_eq!(s.selected, 0);
    update(&mut s, Action::ScrollDown);
    assert_eq!(s.selected, 3);
    update(&mut s, Action::ScrollUp);
    assert_eq!(s.selected, 0);
    update(&mut s, Action::Click { y: 5 });
    assert_eq!(s.selected, 2, "row under the pointer");
    update(&mut s, Action::Click { y: 1 });
    assert_eq!(s.selected, 2, "clicks outside the table do nothing");
}

#[test]
fn refresh_asks_for_a_code_only_when_the_mfa_session_is_gone() {
    let mut s = demo_state();
    select(&mut s, "dev-admin");
    assert!(update(&mut s, Action::RefreshSelected).is_empty());
    assert!(matches!(&s.mode, Mode::Mfa(m) if m.user == "alice" && m.serial.ends_with("mfa/alice-phone")));
    update(&mut s, Action::Escape);
    assert_eq!(s.mode, Mode::Normal);
    signed_in_alice(&mut s);
    let cmds = update(&mut s, Action::RefreshSelected);
    assert!(matches!(&cmds[..], [Command::Refresh(Which::Profiles(p))] if p == &["dev-admin".to_string()]));
    assert_eq!(s.activity.get("dev-admin"), Some(&Activity::Refreshing));
    // A user without MFA never needs a code.
    select(&mut s, "ci-deploy");
    assert!(matches!(&update(&mut s, Action::RefreshSelected)[..], [Command::Refresh(_)]));
    // A broken profile says why instead.
    select(&mut s, "data-typo");
    assert!(update(&mut s, Action::RefreshSelected).is_empty());
    assert!(s.log.back().unwrap().text.contains("alcie"));
}

#[test]
fn marks_then_refresh_and_refresh_all() {
    let mut s = demo_state();
    signed_in_alice(&mut s);
    select(&mut s, "dev-admin");
    update(&mut s, Action::ToggleMark);
    update(&mut s, Action::ToggleMark);
    assert_eq!(s.marked.len(), 2);
    select(&mut s, "dev-admin");
    update(&mut s, Action::ToggleMark);
    assert_eq!(s.marked.len(), 1, "space again unmarks");
    let cmds = update(&mut s, Action::RefreshSelected);
    assert!(matches!(&cmds[..], [Command::Refresh(Which::Profiles(p))] if p == &["dev-readonly".to_string()]));
    assert!(s.marked.is_empty());
    // R: bob needs a code (modal), alice and ci-bot go ahead.
    let cmds = update(&mut s, Action::RefreshAll);
    assert!(matches!(&s.mode, Mode::Mfa(m) if m.user == "bob"));
    assert!(
        matches!(&cmds[..], [Command::Refresh(Which::Profiles(u))] if u == &["alice".to_string(), "ci-bot".to_string()])
    );
    update(&mut s, Action::Escape);
    update(&mut s, Action::Escape);
    assert!(s.marked.is_empty() && s.mode == Mode::Normal);
}

#[test]
fn filter_sort_copy_log_help() {
    let mut s = demo_state();
    let all = s.visible.len();
    update(&mut s, Action::StartFilter);
    assert_eq!(s.mode, Mode::Filter);
    for c in "PROD".chars() {
        update(&mut s, Action::FilterChar(c));
    }
    assert_eq!(s.visible.len(), 3, "case-insensitive: prod-admin, prod-readonly, prod-breakglass");
    update(&mut s, Action::FilterBackspace);
    update(&mut s, Action::FilterDone);
    assert_eq!((s.mode.clone(), s.filter.as_str()), (Mode::Normal, "PRO"), "kept as typed");
    update(&mut s, Action::Escape);
    assert_eq!((s.visible.len(), s.filter.as_str()), (all, ""));
    update(&mut s, Action::StartFilter);
    for c in "444444".chars() {
        update(&mut s, Action::FilterChar(c));
    }
    assert_eq!(s.visible.len(), 3, "by account too");
    update(&mut s, Action::Escape);

    update(&mut s, Action::CycleSort);
    assert_eq!(s.sort, Sort::Name);
    assert_eq!(s.rows[s.visible[0]].profile, "alice");
    update(&mut s, Action::CycleSort);
    s.sessions.insert("staging-admin".into(), NOW + 5);
    s.refilter();
    assert_eq!((s.sort, s.rows[s.visible[0]].profile.as_str()), (Sort::Expiry, "staging-admin"));
    update(&mut s, Action::CycleSort);
    update(&mut s, Action::CycleSort);
    assert_eq!(s.sort, Sort::Grouped);

    select(&mut s, "dev-admin");
    assert!(matches!(&update(&mut s, Action::CopyProfile)[..], [Command::Copy(t)] if t == "--profile dev-admin-mfa"));
    assert!(
        matches!(&update(&mut s, Action::CopyExport)[..], [Command::Copy(t)] if t == "export AWS_PROFILE=dev-admin-mfa")
    );
    select(&mut s, "default");
    assert!(update(&mut s, Action::CopyProfile).is_empty());
    assert_eq!(s.log.back().unwrap().level, Level::Warn);

    update(&mut s, Action::ToggleLog);
    assert!(s.show_log);
    update(&mut s, Action::ToggleHelp);
    assert_eq!(s.mode, Mode::Help);
    update(&mut s, Action::ToggleHelp);
    assert_eq!(s.mode, Mode::Normal);
}

#[test]
fn the_modal_takes_exactly_six_digits() {
    let mut s = demo_state();
    update(&mut s, Action::RefreshSelected);
    for c in "12".chars() {
        update(&mut s, Action::ModalChar(c));
    }
    update(&mut s, Action::ModalChar('x'));
    assert!(matches!(&s.mode, Mode::Mfa(m) if m.input == "12" && m.error.as_deref().unwrap().contains("digits only")));
    assert!(update(&mut s, Action::ModalSubmit).is_empty());
    assert!(matches!(&s.mode, Mode::Mfa(m) if m.error.as_deref() == Some("2 of 6 digits")));
    update(&mut s, Action::ModalBackspace);
    update(&mut s, Action::ModalPaste(" 345 6789\n".into()));
    assert!(matches!(&s.mode, Mode::Mfa(m) if m.input == "134567"), "paste fills up to six");
    let cmds = update(&mut s, Action::ModalSubmit);
    assert!(matches!(&cmds[..], [Command::SignIn { user, code }] if user == "alice" && code.expose() == "134567"));
    assert!(matches!(&s.mode, Mode::Mfa(m) if m.busy));
    update(&mut s, Action::ModalChar('9'));
    assert!(update(&mut s, Action::ModalSubmit).is_empty(), "nothing while signing in");
}

fn report(
    user: &str,
    mfa: Option<Result<Outcome, EngineError>>,
    roles: &[(&str, Result<Outcome, EngineError>)],
) -> LoginReport {
    LoginReport { user: user.into(), mfa, roles: roles.iter().map(|(n, r)| (n.to_string(), r.clone())).collect() }
}

#[test]
fn a_wrong_code_keeps_the_modal_open_and_success_closes_it() {
    let mut s = demo_state();
    update(&mut s, Action::RefreshSelected);
    update(&mut s, Action::ModalPaste("000000".into()));
    update(&mut s, Action::ModalSubmit);
    let rejected = report(
        "alice",
        Some(Err(EngineError::Sts(StsError::CodeRejected))),
        &[("dev-admin", Err(EngineError::ParentFailed { parent: "alice".into() }))],
    );
    update(
        &mut s,
        Action::Finished { reports: vec![rejected], sessions: HashMap::new(), signed_in: Some("alice".into()) },
    );
    assert!(
        matches!(&s.mode, Mode::Mfa(m) if !m.busy && m.input.is_empty() && m.error.as_deref().unwrap().starts_with("MFA code rejected"))
    );
    assert!(!s.activity.contains_key("dev-admin"), "rows are not marked failed: the modal says it");
    update(&mut s, Action::ModalPaste("123456".into()));
    update(&mut s, Action::ModalSubmit);
    let sessions = HashMap::from([("alice".to_string(), NOW + 43_200), ("dev-admin".to_string(), NOW + 3600)]);
    let good = report("alice", Some(ok(NOW + 43_200)), &[("dev-admin", ok(NOW + 3600))]);
    update(&mut s, Action::Finished { reports: vec![good], sessions, signed_in: Some("alice".into()) });
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.left("dev-admin"), Some(3600));
    assert_eq!(s.toasts.last().unwrap().level, Level::Success);
    assert!(s.toasts.last().unwrap().text.contains("alice signed in: 1 role session(s) ready"));
}

#[test]
fn failures_needs_code_and_progress() {
    let mut s = demo_state();
    update(&mut s, Action::Progress(Progress::Started { profile: "dev-admin".into() }));
    assert_eq!(s.activity.get("dev-admin"), Some(&Activity::Refreshing));
    update(
        &mut s,
        Action::Progress(Progress::Retrying { profile: "dev-admin".into(), attempt: 1, reason: "Throttled".into() }),
    );
    assert!(s.log.back().unwrap().text.contains("retry 1"));
    update(&mut s, Action::Progress(Progress::WaitingForCode { user: "alice".into(), secs: 12 }));
    assert!(s.log.back().unwrap().text.contains("waiting 12s"));
    let denied = EngineError::Role {
        role_arn: "arn:aws:iam::222222222222:role/dev-admin".into(),
        source: StsError::AccessDenied { message: "nope".into() },
    };
    let r = report("alice", Some(ok(NOW + 100)), &[("dev-admin", Err(denied)), ("dev-readonly", ok(NOW + 3600))]);
    update(&mut s, Action::Finished { reports: vec![r], sessions: HashMap::new(), signed_in: None });
    assert!(matches!(s.activity.get("dev-admin"), Some(Activity::Failed(m)) if m == "access denied: nope"));
    assert!(s.log.iter().any(|l| l.text.contains("arn:aws:iam::222222222222:role/dev-admin: access denied: nope")));
    assert!(!s.activity.contains_key("dev-readonly"));
    assert_eq!(s.toasts.last().unwrap().level, Level::Warn, "1 ready, 1 failed");
    let ended = report(
        "bob",
        Some(Err(EngineError::NeedsCode { user: "bob".into() })),
        &[("bob-dev", Err(EngineError::ParentFailed { parent: "bob".into() }))],
    );
    update(&mut s, Action::Finished { reports: vec![ended], sessions: HashMap::new(), signed_in: None });
    assert_eq!(s.activity.get("bob-dev"), Some(&Activity::NeedsCode));
}

#[test]
fn ticks_sessions_quit_suspend_and_the_refresher() {
    let mut s = demo_state();
    s.log(Level::Info, "hello");
    s.sessions.insert("alice".into(), NOW + 600);
    update(&mut s, Action::Tick { now: NOW + 1 });
    assert_eq!(s.toasts.len(), 2, "hello, and the MFA-ending warning");
    assert!(s.toasts[1].text.contains("alice ends in 9m 59s"));
    update(&mut s, Action::Tick { now: NOW + 2 });
    assert_eq!(s.toasts.len(), 2, "warned once");
    update(&mut s, Action::Tick { now: NOW + 60 });
    assert!(s.toasts.is_empty(), "toasts expire");
    update(&mut s, Action::Aliases(std::collections::BTreeMap::from([("777777777777".into(), "partner".into())])));
    update(&mut s, Action::StartFilter);
    for c in "partn".chars() {
        update(&mut s, Action::FilterChar(c));
    }
    assert_eq!(s.visible.len(), 1, "the alias is searchable");
    update(&mut s, Action::Escape);
    update(&mut s, Action::Sessions(HashMap::from([("bob".into(), NOW + 99)])));
    assert_eq!(s.left("bob"), Some(39));
    assert!(matches!(&update(&mut s, Action::RefreshDue)[..], [Command::Refresh(Which::Due)]));
    assert!(matches!(&update(&mut s, Action::Suspend)[..], [Command::Suspend]));
    update(&mut s, Action::Resize { width: 80, height: 20 });
    update(&mut s, Action::Quit);
    assert!(s.quit);
}
