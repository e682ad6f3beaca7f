use super::*;
use crate::action::{Action, Command};
use crate::aws::config;
use crate::aws::engine::{EngineError, LoginReport, Outcome, Plan, Progress, Prompting, Which};
use crate::aws::sts::AwsError;
use crate::settings::Settings;
use crate::state::{Activity, AppState, Layer, Level, Sort};
use std::collections::HashMap;

const NOW: i64 = 1_800_000_000;

pub(crate) fn demo_state() -> AppState {
    let dir = tempfile::tempdir().unwrap();
    let env = crate::commands::demo::make_home(dir.path()).unwrap();
    let cfg = config::load(&env).unwrap();
    let graph = cfg.graph();
    let plan = Plan::build(&cfg, &graph, "-mfa", |_| None);
    let mut s = AppState::new(&cfg, &graph, &plan, &Settings::default(), NOW);
    s.profiles.viewport = 10;
    s.profiles.table_top = 3;
    s.prefs.config_path = "~/.aws/config".into();
    s
}

pub(crate) fn select(s: &mut AppState, profile: &str) {
    s.profiles.selected = s.profiles.visible.iter().position(|&i| s.profiles.rows[i].profile == profile).unwrap();
}

fn ok(exp: i64) -> Result<Outcome, EngineError> {
    Ok(Outcome { expiration: exp, identity_arn: None, kept: false })
}

fn signed_in_alice(s: &mut AppState) {
    s.sessions.lifetimes.insert("alice".into(), crate::state::until(NOW + 40_000));
}

#[test]
fn movement_and_scrolling() {
    let mut s = demo_state();
    let n = s.profiles.visible.len();
    update(&mut s, Action::Up);
    assert_eq!(s.profiles.selected, 0, "stops at the top");
    update(&mut s, Action::Down);
    assert_eq!(s.profiles.selected, 1);
    update(&mut s, Action::Bottom);
    assert_eq!((s.profiles.selected, s.profiles.offset), (n - 1, n - 10));
    update(&mut s, Action::Top);
    assert_eq!((s.profiles.selected, s.profiles.offset), (0, 0));
    update(&mut s, Action::PageDown);
    assert_eq!(s.profiles.selected, 9);
    update(&mut s, Action::PageUp);
    assert_eq!(s.profiles.selected, 0);
    update(&mut s, Action::ScrollDown);
    assert_eq!(s.profiles.selected, 3);
    update(&mut s, Action::ScrollUp);
    assert_eq!(s.profiles.selected, 0);
    update(&mut s, Action::Click { y: 5 });
    assert_eq!(s.profiles.selected, 2, "row under the pointer");
    update(&mut s, Action::Click { y: 1 });
    assert_eq!(s.profiles.selected, 2, "clicks outside the table do nothing");
}

fn refresh_of(cmds: &[Command]) -> Option<(&Which, Prompting, bool)> {
    match cmds {
        [Command::Refresh { which, prompting, all }] => Some((which, *prompting, *all)),
        _ => None,
    }
}

const ALICE_SERIAL: &str = "arn:aws:iam::111111111111:mfa/alice-phone";

fn ask(s: &mut AppState, user: &str, asker: &str, retry: Option<&str>) {
    let serial = s.sessions.mfa_serials.get(user).cloned().unwrap_or_default();
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
    assert!((s.overlays.prompt().is_none()));
    assert_eq!(s.sessions.activity.get("dev-admin"), Some(&Activity::Refreshing));
    // The silent refresher never prompts.
    let due = update(&mut s, Action::RefreshDue);
    assert_eq!(refresh_of(&due).map(|(w, p, _)| (w.clone(), p)), Some((Which::Due, Prompting::Never)));
    // A broken profile says why instead.
    select(&mut s, "data-typo");
    assert!(update(&mut s, Action::RefreshSelected).is_empty());
    assert!(s.messages.entries.back().unwrap().text.contains("alcie"));
    // So does a profile mfatui does not sign in.
    select(&mut s, "default");
    assert!(update(&mut s, Action::RefreshSelected).is_empty());
    assert!(
        s.messages.entries.back().unwrap().text.contains("no credentials of its own"),
        "{}",
        s.messages.entries.back().unwrap().text
    );
}

#[test]
fn marks_then_refresh_and_refresh_all() {
    let mut s = demo_state();
    signed_in_alice(&mut s);
    select(&mut s, "dev-admin");
    update(&mut s, Action::ToggleMark);
    update(&mut s, Action::ToggleMark);
    assert_eq!(s.profiles.marked.len(), 2);
    select(&mut s, "dev-admin");
    update(&mut s, Action::ToggleMark);
    assert_eq!(s.profiles.marked.len(), 1, "space again unmarks");
    let cmds = update(&mut s, Action::RefreshSelected);
    assert_eq!(refresh_of(&cmds).unwrap().0, &Which::Profiles(vec!["dev-readonly".into()]));
    assert!(s.profiles.marked.is_empty());
    // R: everyone, prompting allowed, summarised at the end.
    let cmds = update(&mut s, Action::RefreshAll);
    assert_eq!(refresh_of(&cmds), Some((&Which::All, Prompting::Allowed, true)));
    update(&mut s, Action::Escape);
    assert!(s.profiles.marked.is_empty() && s.layer() == Layer::Normal);
}

#[test]
fn prompts_queue_join_and_take_the_keys_first() {
    let mut s = demo_state();
    ask(&mut s, "alice", "this dashboard", None);
    ask(&mut s, "alice", "aws (pid 4242) needs prod-admin", None);
    ask(&mut s, "bob", "this dashboard", None);
    assert_eq!(s.overlays.prompts().count(), 2, "one prompt per user");
    assert_eq!(s.overlays.prompt().unwrap().askers, ["this dashboard", "aws (pid 4242) needs prod-admin"]);
    assert_eq!(s.overlays.prompt().unwrap().serial, ALICE_SERIAL);
    assert_eq!(s.layer(), crate::state::Layer::Prompt);
    // Esc refuses alice's; bob's comes next.
    let cmds = update(&mut s, Action::Escape);
    assert!(matches!(&cmds[..], [Command::Answer { user, code: None }] if user == "alice"));
    assert_eq!(s.overlays.prompt().unwrap().user, "bob");
    // bob signs in: his prompt goes, and whoever waited hears it.
    let cmds = update(&mut s, Action::Progress(Progress::SignedIn { user: "bob".into() }));
    assert!(matches!(&cmds[..], [Command::SignedIn { user }] if user == "bob"));
    assert!((s.overlays.prompt().is_none()) && s.layer() == crate::state::Layer::Normal);
}

#[test]
fn filter_sort_copy_log_help() {
    let mut s = demo_state();
    let all = s.profiles.visible.len();
    update(&mut s, Action::StartFilter);
    assert_eq!(s.layer(), Layer::Filter);
    for c in "PROD".chars() {
        update(&mut s, Action::FilterChar(c));
    }
    assert_eq!(s.profiles.visible.len(), 3, "case-insensitive: prod-admin, prod-readonly, prod-breakglass");
    update(&mut s, Action::FilterBackspace);
    update(&mut s, Action::FilterDone);
    assert_eq!((s.layer(), s.profiles.filter.as_str()), (Layer::Normal, "PRO"), "kept as typed");
    update(&mut s, Action::Escape);
    assert_eq!((s.profiles.visible.len(), s.profiles.filter.as_str()), (all, ""));
    update(&mut s, Action::StartFilter);
    for c in "444444".chars() {
        update(&mut s, Action::FilterChar(c));
    }
    assert_eq!(s.profiles.visible.len(), 3, "by account too");
    update(&mut s, Action::Escape);

    update(&mut s, Action::CycleSort);
    assert_eq!(s.profiles.sort, Sort::Name);
    assert_eq!(s.profiles.rows[s.profiles.visible[0]].profile, "alice");
    update(&mut s, Action::CycleSort);
    s.sessions.lifetimes.insert("staging-admin".into(), crate::state::until(NOW + 5));
    s.refilter();
    assert_eq!(
        (s.profiles.sort, s.profiles.rows[s.profiles.visible[0]].profile.as_str()),
        (Sort::Expiry, "staging-admin")
    );
    update(&mut s, Action::CycleSort);
    update(&mut s, Action::CycleSort);
    assert_eq!(s.profiles.sort, Sort::Grouped);

    select(&mut s, "dev-admin");
    assert!(matches!(&update(&mut s, Action::CopyProfile)[..], [Command::Copy(t)] if t == "--profile dev-admin-mfa"));
    assert!(
        matches!(&update(&mut s, Action::CopyExport)[..], [Command::Copy(t)] if t == "export AWS_PROFILE=dev-admin-mfa")
    );
    select(&mut s, "default");
    assert!(update(&mut s, Action::CopyProfile).is_empty());
    assert_eq!(s.messages.entries.back().unwrap().level, Level::Warn);

    update(&mut s, Action::ToggleLog);
    assert!(s.messages.open);
    update(&mut s, Action::ToggleHelp);
    assert_eq!(s.layer(), Layer::Help, "help over the log");
    update(&mut s, Action::ToggleHelp);
    assert_eq!(s.layer(), Layer::Log, "the log has the keys again");
    update(&mut s, Action::Escape);
    assert_eq!(s.layer(), Layer::Normal);
    assert!(!s.messages.open);
}

#[test]
fn the_modal_takes_exactly_six_digits() {
    let mut s = demo_state();
    ask(&mut s, "alice", "this dashboard", None);
    let front = |s: &AppState| s.overlays.prompt().cloned().unwrap();
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
    let m = s.overlays.prompt().unwrap();
    assert!(!m.busy && m.error.as_deref().unwrap().starts_with("MFA code rejected"));
    // The engine asking again (a retry) says why too.
    ask(&mut s, "alice", "this dashboard", Some("MFA code rejected: type the next code"));
    assert_eq!(s.overlays.prompt().unwrap().error.as_deref(), Some("MFA code rejected: type the next code"));
    update(&mut s, Action::ModalPaste("123456".into()));
    update(&mut s, Action::ModalSubmit);
    update(&mut s, Action::Progress(Progress::SignedIn { user: "alice".into() }));
    let sessions = HashMap::from([
        ("alice".to_string(), crate::state::until(NOW + 43_200)),
        ("dev-admin".to_string(), crate::state::until(NOW + 3600)),
    ]);
    let good = report("alice", Some(ok(NOW + 43_200)), &[("dev-admin", ok(NOW + 3600))]);
    update(&mut s, Action::Finished { reports: vec![good], sessions, all: false });
    assert!((s.overlays.prompt().is_none()));
    assert_eq!(s.left("dev-admin"), Some(3600));
    assert_eq!(s.messages.entries.back().unwrap().level, Level::Success);
    assert!(
        s.messages.entries.back().unwrap().text.contains("1 role session ready"),
        "{}",
        s.messages.entries.back().unwrap().text
    );
}

#[test]
fn failures_needs_code_and_progress() {
    let mut s = demo_state();
    update(&mut s, Action::Progress(Progress::Started { profile: "dev-admin".into() }));
    assert_eq!(s.sessions.activity.get("dev-admin"), Some(&Activity::Refreshing));
    update(
        &mut s,
        Action::Progress(Progress::Retrying { profile: "dev-admin".into(), attempt: 1, reason: "Throttled".into() }),
    );
    assert!(s.messages.entries.back().unwrap().text.contains("retry 1"));
    update(&mut s, Action::Progress(Progress::WaitingForCode { user: "alice".into(), secs: 12 }));
    assert!(s.messages.entries.back().unwrap().text.contains("waiting 12s"));
    let denied = EngineError::Role {
        role_arn: "arn:aws:iam::222222222222:role/dev-admin".into(),
        cause: AwsError::AccessDenied { message: "nope".into() },
    };
    let r = report("alice", Some(ok(NOW + 100)), &[("dev-admin", Err(denied)), ("dev-readonly", ok(NOW + 3600))]);
    update(&mut s, Action::Finished { reports: vec![r], sessions: HashMap::new(), all: false });
    assert!(matches!(s.sessions.activity.get("dev-admin"), Some(Activity::Failed(m)) if m == "access denied: nope"));
    assert!(
        s.messages
            .entries
            .iter()
            .any(|l| l.text.contains("arn:aws:iam::222222222222:role/dev-admin: access denied: nope"))
    );
    assert!(!s.sessions.activity.contains_key("dev-readonly"));
    assert_eq!(s.messages.entries.back().unwrap().level, Level::Warn, "1 ready, 1 failed");
    let ended = report(
        "bob",
        Some(Err(EngineError::NeedsCode { user: "bob".into() })),
        &[("bob-dev", Err(EngineError::ParentFailed { parent: "bob".into() }))],
    );
    update(&mut s, Action::Finished { reports: vec![ended.clone()], sessions: HashMap::new(), all: false });
    assert_eq!(
        s.sessions.activity.get("bob-dev"),
        Some(&Activity::Failed("not assumed, because bob (the profile it is assumed from) failed".into()))
    );
    assert_eq!(s.sessions.activity.get("bob"), Some(&Activity::NeedsCode));
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
    assert_eq!(s.sessions.activity.get("bob-dev"), Some(&Activity::NeedsCode));
    assert!(s.messages.entries.iter().any(|l| l.text == "still signed out: bob (prompt refused in the dashboard)"));
}

#[test]
fn ticks_sessions_quit_suspend_and_the_refresher() {
    let mut s = demo_state();
    s.log(Level::Info, "hello");
    s.sessions.lifetimes.insert("alice".into(), crate::state::until(NOW + 600));
    let notify = update(&mut s, Action::Tick { now: NOW + 1 });
    assert!(
        matches!(&notify[..], [Command::Notify { body, .. }] if body.contains("alice ends in 9m 59s")),
        "bell and desktop"
    );
    assert_eq!(s.messages.entries.len(), 2, "hello, and the MFA-ending warning");
    let (line, others) = s.messages.line(s.now).unwrap();
    assert!(line.text.contains("alice ends in 9m 59s") && others == 1, "the newest on the line");
    let again = update(&mut s, Action::Tick { now: NOW + 2 });
    assert!(again.is_empty(), "announced once");
    assert_eq!(s.messages.entries.len(), 2, "warned once");
    update(&mut s, Action::Tick { now: NOW + 60 });
    assert!(s.messages.line(s.now).is_none(), "the line empties; the log keeps them");
    update(&mut s, Action::Aliases(std::collections::BTreeMap::from([("777777777777".into(), "partner".into())])));
    update(&mut s, Action::StartFilter);
    for c in "partn".chars() {
        update(&mut s, Action::FilterChar(c));
    }
    assert_eq!(s.profiles.visible.len(), 1, "the alias is searchable");
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
    assert_eq!(s.layer(), Layer::Details);
    // A prompt that comes meanwhile is the top layer: Esc refuses it and the details stay.
    ask(&mut s, "alice", "this dashboard", None);
    assert_eq!(s.layer(), Layer::Prompt);
    assert!(matches!(&update(&mut s, Action::Escape)[..], [Command::Answer { code: None, .. }]));
    assert_eq!(s.layer(), Layer::Details);
    update(&mut s, Action::ToggleDetails);
    assert_eq!(s.layer(), Layer::Normal);
    // Esc closes them too, and leaves the filter alone.
    update(&mut s, Action::StartFilter);
    update(&mut s, Action::FilterChar('d'));
    update(&mut s, Action::FilterDone);
    update(&mut s, Action::ToggleDetails);
    update(&mut s, Action::Escape);
    assert_eq!((s.layer(), s.profiles.filter.as_str()), (Layer::Normal, "d"));
    // Nothing selected (no match): nothing to show.
    update(&mut s, Action::StartFilter);
    update(&mut s, Action::FilterChar('#'));
    update(&mut s, Action::FilterDone);
    update(&mut s, Action::ToggleDetails);
    assert_eq!(s.layer(), Layer::Normal);
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
    assert!(
        s.messages.entries.back().unwrap().text.starts_with("no console for data-typo"),
        "{}",
        s.messages.entries.back().unwrap().text
    );
}

#[test]
fn sessions_show_as_soon_as_each_user_is_done() {
    let mut s = demo_state();
    s.sessions.activity.insert("dev-admin".into(), Activity::Refreshing);
    update(&mut s, Action::Progress(Progress::Ready { profile: "dev-admin".into(), expiration: NOW + 3600 }));
    assert_eq!(s.left("dev-admin"), Some(3600));
    assert!(!s.sessions.activity.contains_key("dev-admin"));
}

#[test]
fn rows_that_cannot_be_signed_in_say_why_in_the_plans_words() {
    let mut s = demo_state();
    select(&mut s, "data-typo");
    update(&mut s, Action::RefreshSelected);
    let said = &s.messages.entries.back().unwrap().text;
    assert!(said.starts_with("data-typo is broken ("), "the plan's words, naming the profile: {said}");
    assert!(s.sessions.activity.is_empty(), "nothing started");
}
