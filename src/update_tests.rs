use super::*;
use crate::aws::config;
use crate::aws::engine::{LoginReport, Outcome, Plan, Prompting};
use crate::aws::sts::AwsError;
use crate::settings::Settings;
use crate::state::{Activity, AppState, Layer, Level, Mode, Sort};
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
    Ok(Outcome { expiration: exp, identity_arn: None, kept: false })
}

fn signed_in_alice(s: &mut AppState) {
    s.sessions.insert("alice".into(), crate::state::until(NOW + 40_000));
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

fn refresh_of(cmds: &[Command]) -> Option<(&Which, Prompting, bool)> {
    match cmds {
        [Command::Refresh { which, prompting, all }] => Some((which, *prompting, *all)),
        _ => None,
    }
}

const ALICE_SERIAL: &str = "arn:aws:iam::111111111111:mfa/alice-phone";

fn ask(s: &mut AppState, user: &str, asker: &str, retry: Option<&str>) {
    let serial = s.mfa_serials.get(user).cloned().unwrap_or_default();
    update(
        s,
        Action::Prompt { user: user.into(), serial, asker: asker.into(), retry_reason: retry.map(str::to_string) },
    );
}

#[test]
fn refresh_leaves_the_code_question_to_the_engine() {
    let mut s = demo_state();
    select(&mut s, "dev-admin");
    // One rule, in the engine: the key asks for a refresh that may prompt; no modal up front.
    let cmds = update(&mut s, Action::RefreshSelected);
    let (which, prompting, _) = refresh_of(&cmds).unwrap();
    assert_eq!((which, prompting), (&Which::Profiles(vec!["dev-admin".into()]), Prompting::Allowed));
    assert!(s.prompts.is_empty());
    assert_eq!(s.activity.get("dev-admin"), Some(&Activity::Refreshing));
    // The silent refresher never prompts.
    let due = update(&mut s, Action::RefreshDue);
    assert_eq!(refresh_of(&due).map(|(w, p, _)| (w.clone(), p)), Some((Which::Due, Prompting::Never)));
    // A broken profile says why instead.
    select(&mut s, "data-typo");
    assert!(update(&mut s, Action::RefreshSelected).is_empty());
    assert!(s.log.back().unwrap().text.contains("alcie"));
    // So does a profile mfatui does not sign in.
    select(&mut s, "default");
    assert!(update(&mut s, Action::RefreshSelected).is_empty());
    assert!(s.log.back().unwrap().text.contains("no credentials of its own"), "{}", s.log.back().unwrap().text);
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
    assert_eq!(refresh_of(&cmds).unwrap().0, &Which::Profiles(vec!["dev-readonly".into()]));
    assert!(s.marked.is_empty());
    // R: everyone, prompting allowed, summarised at the end.
    let cmds = update(&mut s, Action::RefreshAll);
    assert_eq!(refresh_of(&cmds), Some((&Which::All, Prompting::Allowed, true)));
    update(&mut s, Action::Escape);
    assert!(s.marked.is_empty() && s.mode == Mode::Normal);
}

#[test]
fn prompts_queue_join_and_take_the_keys_first() {
    let mut s = demo_state();
    ask(&mut s, "alice", "this dashboard", None);
    ask(&mut s, "alice", "aws (pid 4242) needs prod-admin", None);
    ask(&mut s, "bob", "this dashboard", None);
    assert_eq!(s.prompts.len(), 2, "one prompt per user");
    assert_eq!(s.prompts[0].askers, ["this dashboard", "aws (pid 4242) needs prod-admin"]);
    assert_eq!(s.prompts[0].serial, ALICE_SERIAL);
    assert_eq!(s.layer(), crate::state::Layer::Prompt);
    // Esc refuses alice's; bob's comes next.
    let cmds = update(&mut s, Action::Escape);
    assert!(matches!(&cmds[..], [Command::Answer { user, code: None }] if user == "alice"));
    assert_eq!(s.prompts.front().unwrap().user, "bob");
    // bob signs in: his prompt goes, and whoever waited hears it.
    let cmds = update(&mut s, Action::Progress(Progress::SignedIn { user: "bob".into() }));
    assert!(matches!(&cmds[..], [Command::SignedIn { user }] if user == "bob"));
    assert!(s.prompts.is_empty() && s.layer() == crate::state::Layer::Normal);
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
    s.sessions.insert("staging-admin".into(), crate::state::until(NOW + 5));
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
    ask(&mut s, "alice", "this dashboard", None);
    let front = |s: &AppState| s.prompts.front().cloned().unwrap();
    for c in "12".chars() {
        update(&mut s, Action::ModalChar(c));
    }
    update(&mut s, Action::ModalChar('x'));
    assert!(front(&s).input == "12" && front(&s).error.unwrap().contains("digits only"));
    assert!(update(&mut s, Action::ModalSubmit).is_empty());
    assert_eq!(front(&s).error.as_deref(), Some("2 of 6 digits"));
    update(&mut s, Action::ModalBackspace);
    update(&mut s, Action::ModalPaste(" 345 6789\n".into()));
    assert_eq!(front(&s).input, "134567", "paste fills up to six");
    let cmds = update(&mut s, Action::ModalSubmit);
    assert!(
        matches!(&cmds[..], [Command::Answer { user, code: Some(c) }] if user == "alice" && c.expose() == "134567")
    );
    assert!(front(&s).busy);
    update(&mut s, Action::ModalChar('9'));
    assert!(update(&mut s, Action::ModalSubmit).is_empty(), "nothing while signing in");
}

fn report(
    user: &str,
    mfa: Option<Result<Outcome, EngineError>>,
    roles: &[(&str, Result<Outcome, EngineError>)],
) -> LoginReport {
    // Published as the engine does: every profile obtained gets a name for other tools.
    let obtained = mfa.iter().filter(|m| m.is_ok()).map(|_| user.to_string());
    let obtained = obtained.chain(roles.iter().filter(|(_, r)| r.is_ok()).map(|(n, _)| n.to_string()));
    let published = obtained.map(|n| (n.clone(), Ok(format!("{n}-mfa")))).collect();
    LoginReport {
        user: user.into(),
        mfa,
        roles: roles.iter().map(|(n, r)| (n.to_string(), r.clone())).collect(),
        published,
    }
}

#[test]
fn a_wrong_code_keeps_the_modal_open_and_success_closes_it() {
    let mut s = demo_state();
    ask(&mut s, "alice", "aws (pid 7) needs dev-admin", None);
    update(&mut s, Action::ModalPaste("000000".into()));
    update(&mut s, Action::ModalSubmit);
    // The dashboard signed in for another process and the code was wrong: the modal stays.
    let rejected = report(
        "alice",
        Some(Err(EngineError::Aws(AwsError::CodeRejected))),
        &[("dev-admin", Err(EngineError::ParentFailed { parent: "alice".into() }))],
    );
    update(&mut s, Action::Finished { reports: vec![rejected], sessions: HashMap::new(), all: false });
    let m = s.prompts.front().unwrap();
    assert!(!m.busy && m.error.as_deref().unwrap().starts_with("MFA code rejected"));
    // The engine asking again (a retry) says why too.
    ask(&mut s, "alice", "this dashboard", Some("MFA code rejected: type the next code"));
    assert_eq!(s.prompts.front().unwrap().error.as_deref(), Some("MFA code rejected: type the next code"));
    update(&mut s, Action::ModalPaste("123456".into()));
    update(&mut s, Action::ModalSubmit);
    update(&mut s, Action::Progress(Progress::SignedIn { user: "alice".into() }));
    let sessions = HashMap::from([
        ("alice".to_string(), crate::state::until(NOW + 43_200)),
        ("dev-admin".to_string(), crate::state::until(NOW + 3600)),
    ]);
    let good = report("alice", Some(ok(NOW + 43_200)), &[("dev-admin", ok(NOW + 3600))]);
    update(&mut s, Action::Finished { reports: vec![good], sessions, all: false });
    assert!(s.prompts.is_empty());
    assert_eq!(s.left("dev-admin"), Some(3600));
    assert_eq!(s.toasts.last().unwrap().level, Level::Success);
    assert!(s.toasts.last().unwrap().text.contains("1 role session ready"), "{}", s.toasts.last().unwrap().text);
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
        cause: AwsError::AccessDenied { message: "nope".into() },
    };
    let r = report("alice", Some(ok(NOW + 100)), &[("dev-admin", Err(denied)), ("dev-readonly", ok(NOW + 3600))]);
    update(&mut s, Action::Finished { reports: vec![r], sessions: HashMap::new(), all: false });
    assert!(matches!(s.activity.get("dev-admin"), Some(Activity::Failed(m)) if m == "access denied: nope"));
    assert!(s.log.iter().any(|l| l.text.contains("arn:aws:iam::222222222222:role/dev-admin: access denied: nope")));
    assert!(!s.activity.contains_key("dev-readonly"));
    assert_eq!(s.toasts.last().unwrap().level, Level::Warn, "1 ready, 1 failed");
    let ended = report(
        "bob",
        Some(Err(EngineError::NeedsCode { user: "bob".into() })),
        &[("bob-dev", Err(EngineError::ParentFailed { parent: "bob".into() }))],
    );
    update(&mut s, Action::Finished { reports: vec![ended.clone()], sessions: HashMap::new(), all: false });
    assert_eq!(
        s.activity.get("bob-dev"),
        Some(&Activity::Failed("not assumed, because bob (the profile it is assumed from) failed".into()))
    );
    assert_eq!(s.activity.get("bob"), Some(&Activity::NeedsCode));
    // After R, who is still signed out, and why.
    let refused = report(
        "bob",
        Some(Err(EngineError::Prompt(crate::aws::prompt::PromptError::Refused {
            user: "bob".into(),
            place: "in the dashboard".into(),
        }))),
        &[("bob-dev", Err(EngineError::NeedsCode { user: "bob".into() }))],
    );
    update(&mut s, Action::Finished { reports: vec![refused], sessions: HashMap::new(), all: true });
    assert_eq!(s.activity.get("bob-dev"), Some(&Activity::NeedsCode));
    assert!(s.log.iter().any(|l| l.text == "still signed out: bob (prompt refused in the dashboard)"));
}

#[test]
fn ticks_sessions_quit_suspend_and_the_refresher() {
    let mut s = demo_state();
    s.log(Level::Info, "hello");
    s.sessions.insert("alice".into(), crate::state::until(NOW + 600));
    let notify = update(&mut s, Action::Tick { now: NOW + 1 });
    assert!(
        matches!(&notify[..], [Command::Notify { body, .. }] if body.contains("alice ends in 9m 59s")),
        "bell and desktop"
    );
    assert_eq!(s.toasts.len(), 2, "hello, and the MFA-ending warning");
    assert!(s.toasts[1].text.contains("alice ends in 9m 59s"));
    let again = update(&mut s, Action::Tick { now: NOW + 2 });
    assert!(again.is_empty(), "announced once");
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
    update(&mut s, Action::Sessions(HashMap::from([("bob".into(), crate::state::until(NOW + 99))])));
    assert_eq!(s.left("bob"), Some(39));
    assert_eq!(refresh_of(&update(&mut s, Action::RefreshDue)).map(|(w, _, _)| w.clone()), Some(Which::Due));
    assert!(matches!(&update(&mut s, Action::Suspend)[..], [Command::Suspend]));
    update(&mut s, Action::Resize { width: 80, height: 20 });
    update(&mut s, Action::Quit);
    assert!(s.quit);
}

#[test]
fn details_open_on_i_under_a_prompt_and_any_key_closes_them() {
    let mut s = demo_state();
    select(&mut s, "data-typo");
    update(&mut s, Action::ToggleDetails);
    assert_eq!((s.mode.clone(), s.layer()), (Mode::Details, Layer::Details));
    // A prompt that comes meanwhile is the top layer: Esc refuses it and the details stay.
    ask(&mut s, "alice", "this dashboard", None);
    assert_eq!(s.layer(), Layer::Prompt);
    assert!(matches!(&update(&mut s, Action::Escape)[..], [Command::Answer { code: None, .. }]));
    assert_eq!(s.layer(), Layer::Details);
    update(&mut s, Action::ToggleDetails);
    assert_eq!(s.mode, Mode::Normal);
    // Esc closes them too, and leaves the filter alone.
    update(&mut s, Action::StartFilter);
    update(&mut s, Action::FilterChar('d'));
    update(&mut s, Action::FilterDone);
    update(&mut s, Action::ToggleDetails);
    update(&mut s, Action::Escape);
    assert_eq!((s.mode.clone(), s.filter.as_str()), (Mode::Normal, "d"));
    // Nothing selected (no match): nothing to show.
    update(&mut s, Action::StartFilter);
    update(&mut s, Action::FilterChar('#'));
    update(&mut s, Action::FilterDone);
    update(&mut s, Action::ToggleDetails);
    assert_eq!(s.mode, Mode::Normal);
}

#[test]
fn o_opens_the_console_for_signed_in_profiles_only() {
    let mut s = demo_state();
    select(&mut s, "dev-admin");
    assert!(
        matches!(&update(&mut s, Action::OpenConsole)[..], [Command::Console { profile }] if profile == "dev-admin")
    );
    select(&mut s, "alice");
    assert!(
        matches!(&update(&mut s, Action::OpenConsole)[..], [Command::Console { profile }] if profile == "alice"),
        "a user: its sign-in page"
    );
    select(&mut s, "data-typo");
    assert!(update(&mut s, Action::OpenConsole).is_empty());
    assert!(s.log.back().unwrap().text.starts_with("no console for data-typo"), "{}", s.log.back().unwrap().text);
}

#[test]
fn sessions_show_as_soon_as_each_user_is_done() {
    let mut s = demo_state();
    s.activity.insert("dev-admin".into(), Activity::Refreshing);
    update(&mut s, Action::Progress(Progress::Ready { profile: "dev-admin".into(), expiration: NOW + 3600 }));
    assert_eq!(s.left("dev-admin"), Some(3600));
    assert!(!s.activity.contains_key("dev-admin"));
}

#[test]
fn rows_that_cannot_be_signed_in_say_why_in_the_plans_words() {
    let mut s = demo_state();
    select(&mut s, "data-typo");
    update(&mut s, Action::RefreshSelected);
    let said = &s.log.back().unwrap().text;
    assert!(said.starts_with("data-typo is broken ("), "the plan's words, naming the profile: {said}");
    assert!(s.activity.is_empty(), "nothing started");
}
