use super::super::tests::demo_state;
use super::super::update;
use crate::action::{Action, Command};
use crate::aws::iam::api::KeyId;
use crate::aws::iam::journal::Phase;
use crate::aws::iam::key_ops::KeyOp;
use crate::aws::iam::rotate::{Event, OldKey, Question, Report};
use crate::state::iam::fixtures::{self, NOW};
use crate::state::iam::{Dialog, Item, Part, Screen};
use crate::state::{AppState, Layer, Level, Overlay, Panel};

fn loaded() -> AppState {
    let mut s = demo_state();
    fixtures::loaded(&mut s);
    s
}

/// Describe `user` with the cursor on `part`.
fn at(s: &mut AppState, user: &str, part: Part) {
    s.overlays.close_panels(|p| matches!(p, Panel::Describe { .. }));
    s.overlays.push(Overlay::Panel(Panel::Describe { user: user.into() }));
    s.iam.cursor = Some(Item { user: user.into(), part });
    assert_eq!(s.iam_cursor(), s.iam.cursor, "no such item");
}

fn key(id: &str) -> Part {
    Part::Key(KeyId::new(id))
}

fn last_log(s: &AppState) -> String {
    s.messages.entries.back().map(|l| l.text.clone()).unwrap_or_default()
}

fn loads(cmds: &[Command]) -> Vec<&str> {
    cmds.iter()
        .map(|c| match c {
            Command::IamLoad { user, overview: true, audit: true, max_age_days: 90 } => user.as_str(),
            other => panic!("{other:?}"),
        })
        .collect()
}

fn select_user(s: &mut AppState, user: &str) {
    s.iam.selected = s.iam_users().iter().position(|u| u == user).unwrap();
}

#[test]
fn tab_never_prompts_and_a_row_loads_when_acted_on() {
    let mut s = demo_state();
    s.sessions.lifetimes.insert("alice".into(), crate::state::until(NOW + 3600));
    let cmds = update(&mut s, Action::SwitchScreen);
    assert_eq!((s.screen, s.layer()), (Screen::Iam, Layer::Iam));
    // alice has an MFA session, ci-bot has no mfa_serial: neither asks for a code.
    assert_eq!(loads(&cmds), ["alice", "ci-bot"]);
    assert!(s.section("bob").is_none_or(|x| x.overview.untouched()), "bob waits for the user");
    // Enter on bob's row: its description, and one load (its prompt, one code).
    select_user(&mut s, "bob");
    let cmds = update(&mut s, Action::IamDescribe);
    assert_eq!(loads(&cmds), ["bob"]);
    assert_eq!((s.layer(), s.described()), (Layer::Describe, Some("bob")));
    assert!(update(&mut s, Action::IamDescribe).is_empty(), "loaded once");
    update(&mut s, Action::Escape);
    assert_eq!(s.layer(), Layer::Iam, "Esc goes back to the table");
    // A reads every user it can without a code and names the others.
    let cmds = update(&mut s, Action::IamReload { all: true });
    assert_eq!(loads(&cmds), ["alice", "ci-bot"]);
    assert!(last_log(&s).contains("bob, carol") && last_log(&s).contains("press a"), "{}", last_log(&s));
    assert!(update(&mut s, Action::SwitchScreen).is_empty());
    assert_eq!((s.screen, s.layer()), (Screen::Profiles, Layer::Normal));
    assert!(update(&mut s, Action::SwitchScreen).is_empty(), "loaded once; a and A load again");
}

#[test]
fn the_table_moves_by_user_and_the_description_by_part() {
    let mut s = loaded();
    assert_eq!(s.iam_selected().as_deref(), Some("alice"));
    update(&mut s, Action::Down);
    assert_eq!(s.iam_selected().as_deref(), Some("bob"));
    update(&mut s, Action::Bottom);
    assert_eq!(s.iam_selected().as_deref(), Some("ci-bot"));
    update(&mut s, Action::Down);
    assert_eq!(s.iam_selected().as_deref(), Some("ci-bot"), "stops at the end");
    update(&mut s, Action::Top);
    assert_eq!(s.iam_selected().as_deref(), Some("alice"));
    update(&mut s, Action::IamDescribe);
    assert_eq!(s.iam_cursor(), Some(Item { user: "alice".into(), part: Part::User }));
    update(&mut s, Action::Down);
    assert_eq!(s.iam_cursor().unwrap().part, Part::Problem(0));
    update(&mut s, Action::Down);
    update(&mut s, Action::Down);
    assert_eq!(s.iam_cursor().unwrap().part, key("AKIADEMOALICE0000001"));
    update(&mut s, Action::Bottom);
    assert_eq!(s.iam_cursor().unwrap().user, "alice", "the description is one user's");
    // The profile table's selection is left alone.
    assert_eq!(s.profiles.selected, 0);
    // A key that is gone (rotated away): the cursor falls back to the user's top.
    at(&mut s, "alice", key("AKIADEMOALICE0000002"));
    s.section_mut("alice").overview.data.as_mut().unwrap().keys.as_mut().unwrap().pop();
    assert_eq!(s.iam_cursor(), Some(Item { user: "alice".into(), part: Part::User }));
}

#[test]
fn results_fill_sections_and_keep_the_last_data_on_errors() {
    let mut s = demo_state();
    update(&mut s, Action::SwitchScreen);
    let o = fixtures::overview("bob");
    update(&mut s, Action::IamOverview { user: "bob".into(), result: Ok(o.clone()) });
    let sec = s.section("bob").unwrap();
    assert!(!sec.overview.loading && sec.overview.data.as_ref() == Some(&o));
    update(&mut s, Action::IamReload { all: true });
    // A sign-in for the reload started (the row spins) and failed: nothing else will stop it.
    s.sessions.activity.insert("bob".into(), crate::state::Activity::Refreshing);
    update(&mut s, Action::IamOverview { user: "bob".into(), result: Err("iam:ListAccessKeys timed out".into()) });
    assert!(!s.sessions.activity.contains_key("bob"));
    let sec = s.section("bob").unwrap();
    assert_eq!(sec.overview.data.as_ref(), Some(&o), "the last data stays");
    assert_eq!(sec.overview.error.as_deref(), Some("iam:ListAccessKeys timed out"));
    assert!(s.messages.entries.iter().any(|l| l.text == "bob: IAM overview: iam:ListAccessKeys timed out"));
    // Not enforced: whether the fix may be applied is checked next.
    let cmds = update(&mut s, Action::IamAudit { user: "bob".into(), result: Ok(Box::new(fixtures::audit("bob"))) });
    assert!(matches!(&cmds[..], [Command::IamPlanFix { user, audit }] if user == "bob" && audit.user == "bob"));
    assert!(s.section("bob").unwrap().fix.loading);
    update(&mut s, Action::IamFixPlan { user: "bob".into(), result: Err(fixtures::fix_refused()) });
    assert_eq!(s.section("bob").unwrap().fix.error.as_deref(), Some(fixtures::fix_refused().as_str()));
    // Enforced: nothing to check.
    let cmds =
        update(&mut s, Action::IamAudit { user: "alice".into(), result: Ok(Box::new(fixtures::audit("alice"))) });
    assert!(cmds.is_empty());
    assert!(s.section("alice").unwrap().fix.untouched());
}

#[test]
fn a_rotation_asks_through_the_popup_and_reports_live() {
    let mut s = loaded();
    s.messages.entries.clear();
    at(&mut s, "alice", key("AKIADEMOALICE0000001"));
    let cmds = update(&mut s, Action::IamRotate);
    let [Command::IamRotate { user, opts }] = &cmds[..] else { panic!("{cmds:?}") };
    assert_eq!(user, "alice");
    assert!(opts.make_room && !opts.keep_old, "making room is asked, not refused");
    assert_eq!((opts.propagation.as_secs(), opts.max_age_days), (60, 90));
    assert!(update(&mut s, Action::IamRotate).is_empty(), "one at a time");
    assert!(last_log(&s).contains("still running"));
    // The MFA prompt came first and was answered: the rotation's first news closes it.
    s.overlays.push(crate::state::Overlay::Prompt(crate::state::MfaModal {
        user: "alice".into(),
        serial: "x".into(),
        input: String::new(),
        error: None,
        busy: true,
        askers: vec!["this dashboard".into()],
    }));
    let signing = Event::Signing { text: "IAM calls are signed with the MFA session of alice".into(), mfa: true };
    let cmds = update(&mut s, Action::IamEvent { user: "alice".into(), event: signing });
    assert!(matches!(&cmds[..], [Command::SignedIn { user }] if user == "alice"));
    assert!((s.overlays.prompt().is_none()));
    let keys = fixtures::overview("alice").keys.unwrap();
    update(&mut s, Action::IamEvent { user: "alice".into(), event: Event::Keys { keys: keys.clone() } });
    let question = Question::Rotate {
        profile: "alice".into(),
        user: "alice".into(),
        key: keys[0].id.clone(),
        resume: None,
        keep_old: false,
        last_used: keys[0].last_used.clone(),
    };
    update(&mut s, Action::IamQuestion { id: 7, user: "alice".into(), question });
    assert_eq!(s.layer(), Layer::Confirm);
    let Some(Dialog::Question { question, .. }) = s.popup().map(|p| &p.dialog) else { panic!() };
    assert!(question.text().ask.contains("(last used 2027-01-15 (sts, eu-west-1))"), "names the key's last use");
    assert!(!s.section("alice").unwrap().rotation.as_ref().unwrap().confirmed, "not yet answered");
    assert!(matches!(&update(&mut s, Action::ConfirmYes)[..], [Command::IamAnswer { id: 7, yes: true }]));
    assert!(s.section("alice").unwrap().rotation.as_ref().unwrap().confirmed, "answered yes");
    assert_eq!(s.layer(), Layer::Describe, "back to the user's description");
    // A make-room question, declined.
    update(
        &mut s,
        Action::IamQuestion {
            id: 8,
            user: "alice".into(),
            question: Question::MakeRoom { user: "alice".into(), key: keys[1].clone() },
        },
    );
    assert!(matches!(&update(&mut s, Action::ConfirmNo)[..], [Command::IamAnswer { id: 8, yes: false }]));
    // Repeated checks replace each other on screen; the log gets the first and each success.
    let shown = s.messages.line(s.now).map(|(e, _)| e.text.clone());
    for (attempt, successes) in [(1, 0), (2, 0), (3, 1), (4, 2)] {
        let event = Event::Verifying {
            attempt,
            successes,
            needed: 3,
            waited_ms: 300 * u64::from(attempt),
            last_error: (successes == 0).then(|| "InvalidClientTokenId".into()),
        };
        update(&mut s, Action::IamEvent { user: "alice".into(), event });
    }
    let rotation = s.section("alice").unwrap().rotation.clone().unwrap();
    assert_eq!(rotation.steps.iter().filter(|x| x.repeats).count(), 1);
    assert_eq!(rotation.steps.last().unwrap().text, "checking the new key with sts:GetCallerIdentity: accepted 2 of 3");
    assert_eq!(
        s.messages.entries.iter().filter(|l| l.text.contains("GetCallerIdentity") || l.text.contains("yet")).count(),
        3
    );
    assert_eq!(s.messages.line(s.now).map(|(e, _)| e.text.clone()), shown, "steps go to the log, not to the line");
    let report = Report {
        profile: "alice".into(),
        user: "alice".into(),
        old: KeyId::new("AKIADEMOALICE0000001"),
        new: KeyId::new("AKIANEWALICE00009XYZ"),
        old_key: OldKey::Deleted,
        file: Some("/home/a/.aws/credentials".into()),
        made_room: vec![KeyId::new("AKIADEMOALICE0000002")],
        deleted_unsaved: vec![],
        old_refused: Some(true),
        mfa: true,
    };
    let cmds = update(&mut s, Action::IamRotated { user: "alice".into(), result: Ok(report) });
    assert!(
        matches!(&cmds[..], [Command::Reload, Command::IamLoad { user, overview: true, audit: false, .. }] if user == "alice")
    );
    let done = "rotate alice: done: alice now uses ****9XYZ in /home/a/.aws/credentials (was ****0001); the old key ****0001 was deleted; deleted to make room: ****0002. Sessions made with the old key last until they expire; the next MFA sign-in uses the new key.";
    assert_eq!(last_log(&s), done);
    assert_eq!(s.messages.entries.back().unwrap().level, Level::Success);
    assert!(!s.section("alice").unwrap().rotation.as_ref().unwrap().running);
    assert!(!last_log(&s).contains("AKIA"), "masked ids only");
    // A failed one says why and reloads nothing (a refused prompt must not prompt again).
    update(&mut s, Action::IamRotate);
    let cmds = update(
        &mut s,
        Action::IamRotated {
            user: "alice".into(),
            result: Err("rotating the key of alice was declined; nothing was changed by this step".into()),
        },
    );
    assert!(cmds.is_empty());
    assert_eq!(s.section("alice").unwrap().rotation.as_ref().unwrap().steps.last().unwrap().level, Level::Error);
    // Resuming names the phase.
    let resume = Question::Rotate {
        profile: "alice".into(),
        user: "alice".into(),
        key: keys[0].id.clone(),
        resume: Some(Phase::Saved),
        keep_old: false,
        last_used: keys[0].last_used.clone(),
    };
    update(&mut s, Action::IamQuestion { id: 9, user: "alice".into(), question: resume });
    assert!(matches!(&update(&mut s, Action::ConfirmNo)[..], [Command::IamAnswer { id: 9, yes: false }]));
}

#[test]
fn deactivate_and_delete_confirm_and_refuse_the_key_in_use() {
    let mut s = loaded();
    update(&mut s, Action::IamKey(KeyOp::Delete));
    assert_eq!(
        last_log(&s),
        "alice: open it (Enter), select a key, then d deactivates it, x deletes it",
        "on the table"
    );
    at(&mut s, "alice", key("AKIADEMOALICE0000001"));
    for op in [KeyOp::Deactivate, KeyOp::Delete] {
        assert!(update(&mut s, Action::IamKey(op)).is_empty());
        let Some(Dialog::Refused { title, text }) = s.popup().map(|p| p.dialog.clone()) else { panic!() };
        assert_eq!(title, format!("****0001 is not {}", op.past()), "the title says what does not happen");
        assert!(
            text.contains("is the key your AWS files hold for alice (last used 2027-01-15 (sts, eu-west-1))"),
            "{text}"
        );
        assert!(text.contains("Rotate it instead (r)") && !text.starts_with("No"), "{text}");
        assert!(update(&mut s, Action::ConfirmYes).is_empty(), "a refusal has nothing to confirm");
        assert!((s.overlays.confirm().is_none()));
    }
    at(&mut s, "alice", key("AKIADEMOALICE0000002"));
    assert!(update(&mut s, Action::IamKey(KeyOp::Deactivate)).is_empty());
    assert!((s.overlays.confirm().is_none()));
    assert_eq!(last_log(&s), "****0002 of alice is already inactive: x deletes it");
    update(&mut s, Action::IamKey(KeyOp::Delete));
    assert!(matches!(s.popup().map(|p| &p.dialog), Some(Dialog::Key { op: KeyOp::Delete, .. })));
    assert!(update(&mut s, Action::ConfirmNo).is_empty());
    assert_eq!(last_log(&s), "****0002 of alice left as it is");
    update(&mut s, Action::IamKey(KeyOp::Delete));
    let cmds = update(&mut s, Action::ConfirmYes);
    assert!(
        matches!(&cmds[..], [Command::IamKey { user, key, op: KeyOp::Delete }] if user == "alice" && key.full() == "AKIADEMOALICE0000002")
    );
    assert_eq!(s.section("alice").unwrap().busy.as_deref(), Some("deleting ****0002"));
    update(&mut s, Action::IamKey(KeyOp::Delete));
    assert!(last_log(&s).contains("still deleting ****0002"), "one change at a time");
    let done = |result| Action::IamKeyDone {
        user: "alice".into(),
        key: KeyId::new("AKIADEMOALICE0000002"),
        op: KeyOp::Delete,
        result,
    };
    let cmds = update(&mut s, done(Ok(())));
    assert!(matches!(&cmds[..], [Command::IamLoad { overview: true, audit: false, .. }]));
    assert_eq!((last_log(&s).as_str(), s.section("alice").unwrap().busy.clone()), ("deleted ****0002 of alice", None));
    assert!(update(&mut s, done(Err("iam:DeleteAccessKey for alice failed: access denied".into()))).is_empty());
    assert_eq!(s.messages.entries.back().unwrap().level, Level::Error);
}

#[test]
fn the_fix_shows_its_json_and_applies_only_when_allowed() {
    let mut s = loaded();
    at(&mut s, "alice", Part::Verdict);
    update(&mut s, Action::IamFix);
    assert_eq!(last_log(&s), "MFA is enforced for alice: nothing to fix");
    at(&mut s, "carol", Part::Verdict);
    update(&mut s, Action::IamFix);
    assert!(last_log(&s).starts_with("the audit cannot tell whether MFA is enforced for carol"), "{}", last_log(&s));
    at(&mut s, "bob", Part::Fix);
    update(&mut s, Action::IamFix);
    let Some(Dialog::Fix { fix, plan: Err(why), .. }) = s.popup().map(|p| p.dialog.clone()) else { panic!() };
    assert!(why.contains("may not iam:PutUserPermissionsBoundary"));
    update(&mut s, Action::ConfirmScroll(10));
    assert_eq!(s.popup().unwrap().scroll, 10);
    update(&mut s, Action::ConfirmScroll(-1000));
    assert_eq!(s.popup().unwrap().scroll, 0);
    // `c` copies what "this Deny" names: the Deny statement alone, never the boundary's Allow *.
    let cmds = update(&mut s, Action::ConfirmCopy);
    let [Command::CopyText { text, what }] = &cmds[..] else { panic!("{cmds:?}") };
    let deny: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(deny["Effect"], "Deny", "{text}");
    assert!(!text.contains("Allow") && deny["Condition"]["BoolIfExists"].is_object(), "{text}");
    assert!(what.contains("Deny statement") && what.contains("bob"), "{what}");
    // `b` copies the boundary, named as one.
    let cmds = update(&mut s, Action::ConfirmCopyBoundary);
    let [Command::CopyText { text, what }] = &cmds[..] else { panic!("{cmds:?}") };
    assert_eq!(*text, fix.boundary_document);
    assert!(what.contains("permissions boundary") && what.contains("never a policy"), "{what}");
    assert!(update(&mut s, Action::ConfirmYes).is_empty(), "not the caller's to apply");
    // A caller who may: yes applies, then the user is audited again.
    s.section_mut("bob").fix.done(Ok(fixtures::fix_plan()));
    s.section_mut("bob").fix.error = None;
    update(&mut s, Action::IamFix);
    let cmds = update(&mut s, Action::ConfirmYes);
    assert!(matches!(&cmds[..], [Command::IamApplyFix { user, plan }] if user == "bob" && !plan.create));
    let cmds = update(&mut s, Action::IamFixed { user: "bob".into(), result: Ok(()) });
    assert!(matches!(&cmds[..], [Command::IamLoad { user, overview: false, audit: true, .. }] if user == "bob"));
    update(
        &mut s,
        Action::IamFixed { user: "bob".into(), result: Err("iam:PutUserPermissionsBoundary failed".into()) },
    );
    assert!(s.section("bob").unwrap().fix.error.as_deref().unwrap().contains("applying it failed"));
    // While the check runs, f says to wait.
    s.section_mut("bob").fix = Default::default();
    s.section_mut("bob").fix.loading = true;
    update(&mut s, Action::IamFix);
    assert!((s.overlays.confirm().is_none()) && last_log(&s).contains("press f again in a moment"));
}

#[test]
fn re_audit_one_or_all_and_the_prompt_stays_on_top() {
    let mut s = loaded();
    at(&mut s, "carol", Part::Verdict);
    let cmds = update(&mut s, Action::IamReload { all: false });
    assert!(matches!(&cmds[..], [Command::IamLoad { user, overview: true, audit: true, .. }] if user == "carol"));
    assert_eq!(last_log(&s), "reading carol's keys and auditing it again…");
    assert!(s.section("carol").unwrap().audit.data.is_some(), "shown while it loads again");
    // Every user is signed in or needs no code here (their sessions are in the fixtures' state).
    for u in ["alice", "bob", "carol"] {
        s.sessions.lifetimes.insert(u.into(), crate::state::until(NOW + 3600));
    }
    assert_eq!(update(&mut s, Action::IamReload { all: true }).len(), 4);
    // An MFA prompt raised meanwhile goes over a popup, and takes the keys first.
    at(&mut s, "bob", Part::Fix);
    update(&mut s, Action::IamFix);
    update(
        &mut s,
        Action::Prompt {
            user: "carol".into(),
            serial: "arn:aws:iam::111111111111:mfa/carol-phone".into(),
            asker: "this dashboard".into(),
            retry_reason: None,
        },
    );
    assert_eq!(s.layer(), Layer::Prompt);
    assert!(matches!(&update(&mut s, Action::Escape)[..], [Command::Answer { code: None, .. }]));
    assert_eq!(s.layer(), Layer::Confirm);
    update(&mut s, Action::ConfirmNo);
    assert_eq!(s.layer(), Layer::Describe);
}

#[test]
fn old_keys_are_known_only_once_read() {
    let mut s = demo_state();
    assert!(s.old_keys("alice").is_empty(), "nothing read: nothing shown");
    fixtures::loaded(&mut s);
    let old: Vec<String> = s.old_keys("alice").iter().map(|k| k.id.to_string()).collect();
    assert_eq!(old, ["****0001"], "the inactive old key is not flagged");
    assert!(s.old_keys("bob").is_empty());
}
