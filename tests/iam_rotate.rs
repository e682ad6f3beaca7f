//! Access-key rotation against the sandbox: one key, two keys (room made only when allowed, the
//! key in use never deleted), IAM's eventual consistency, a fault at every step followed by a
//! run that finishes, resuming from every journal phase, and the real binary killed (SIGKILL) at
//! every step and at random moments: the AWS files always hold a key IAM accepts, no other byte
//! of them changes, and running again finishes the rotation.

mod common;
use common::{Home, detached, stderr, stdout};
use mfatui::aws::config::{self, AwsEnv, ConfigSet, FileKind};
use mfatui::aws::engine::{Engine, EngineSettings, Plan, Prompting};
use mfatui::aws::iam::access::IamError;
use mfatui::aws::iam::api::{self, KeyId};
use mfatui::aws::iam::journal::{Journal, JournalFile, Phase};
use mfatui::aws::iam::rotate::{self, Answer, Confirm, Event, OldKey, Question, RotateOptions, Yes};
use mfatui::aws::secret::Secret;
use mfatui::aws::store::SessionStore;
use mfatui::aws::sts::{self, Keys, Target};
use mfatui::sandbox::seed::{UserSeed, mfa_required_boundary};
use mfatui::sandbox::{self, Effect, FaultConfig, FaultRule, SandboxHandle, Seed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ACCOUNT: &str = "100000000001";
const TOTP: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const KEY1: &str = "AKIADANA000000000001";
const SECRET1: &str = "dana/secret/key/one/0000000000000000001";
const KEY2: &str = "AKIADANA000000000002";
const ARN: &str = "arn:aws:iam::100000000001:user/dana";

const CONFIG: &str = "# dana's config\n[profile dana]\nregion = eu-west-1\nmfa_serial = arn:aws:iam::100000000001:mfa/dana-phone\n\n[profile dana-admin]\nrole_arn = arn:aws:iam::100000000001:role/admin\nsource_profile = dana\n";
/// CRLF, comments, odd spacing, a comment after the key id, another profile: none of it may change.
const CREDENTIALS: &str = "# my keys\r\n[other]\r\naws_access_key_id = AKIAOTHER00000000001\r\naws_secret_access_key = other-secret\r\n\r\n[dana]   ; me\r\nAWS_Access_Key_Id=AKIADANA000000000001  # since 2024\r\nregion = eu-west-1\r\naws_secret_access_key   =   dana/secret/key/one/0000000000000000001\r\n\r\n# the end\r\n";

fn seed(extra_keys: &[(&str, &str)]) -> Seed {
    let mut user = UserSeed::new(ACCOUNT, "dana")
        .key(KEY1, SECRET1)
        .mfa("dana-phone", TOTP)
        .boundary(&format!("arn:aws:iam::{ACCOUNT}:policy/MfaRequired"));
    for (id, status) in extra_keys {
        user = user.key(id, &format!("secret-of-{id}"));
        if *status == "Inactive" {
            user.access_keys.last_mut().unwrap().status = "Inactive".into();
        }
    }
    Seed::default().policy(ACCOUNT, "MfaRequired", mfa_required_boundary()).user(user)
}

struct Setup {
    sb: SandboxHandle,
    home: Home,
    env: AwsEnv,
}

async fn setup(extra_keys: &[(&str, &str)]) -> Setup {
    let sb = sandbox::start(&seed(extra_keys), 0).await.unwrap();
    let home = Home::new();
    home.write("config", CONFIG).write("credentials", CREDENTIALS);
    let env = AwsEnv { home: Some(home.path().into()), ..AwsEnv::default() };
    let s = Setup { sb, home, env };
    // Signed in before anything else, so faults below hit only the rotation's own calls.
    let (e, plan) = s.engine();
    e.credentials(&plan, "dana", 300, Prompting::Never, &None).await.unwrap();
    s
}

impl Setup {
    /// A fresh engine and plan, as every command builds them from the files.
    fn engine(&self) -> (Engine, Plan) {
        let cfg = config::load(&self.env).unwrap();
        let graph = cfg.graph();
        let plan = Plan::build(&cfg, &graph, "-mfa", |k| (k == "MFATUI_TOTP_SEED_DANA").then(|| TOTP.to_string()));
        let store = SessionStore::in_dir(&self.env.state_dir().unwrap());
        let e = Engine::builder(
            EngineSettings::default(),
            store,
            cfg.paths.clone(),
            Arc::new(mfatui::aws::clock::SystemClock),
        )
        .endpoint(Some(self.sb.endpoint()))
        .build();
        (e, plan)
    }

    async fn rotate(
        &self,
        opts: &RotateOptions,
        confirm: &dyn Confirm,
    ) -> (Result<rotate::Report, IamError>, Vec<Event>) {
        let (e, plan) = self.engine();
        let events = Mutex::new(Vec::new());
        let progress = |ev: Event| events.lock().unwrap().push(ev);
        // Through a role name: it means its user.
        let r = rotate::rotate(&e, &plan, "dana-admin", opts, confirm, &progress).await;
        (r, events.into_inner().unwrap())
    }

    fn target(&self) -> Target {
        Target::at("eu-west-1", Some(self.sb.endpoint()))
    }

    fn mfa_session(&self) -> Keys {
        SessionStore::in_dir(&self.env.state_dir().unwrap()).load().sessions["dana"].keys()
    }

    async fn iam_keys(&self) -> Vec<api::KeyMeta> {
        api::list_access_keys(&self.target(), &self.mfa_session(), "dana").await.unwrap()
    }

    fn journal(&self) -> Option<Journal> {
        let path = mfatui::aws::iam::journal::journal_path(&self.env.state_dir().unwrap(), "dana");
        std::fs::read(path).ok().map(|b| serde_json::from_slice(&b).unwrap())
    }

    /// The AWS files: the key they hold is accepted by IAM, and every other byte is as it was.
    async fn check_files(&self) -> Keys {
        check_files(&self.home, &self.sb).await
    }
}

async fn check_files(home: &Home, sb: &SandboxHandle) -> Keys {
    let text = std::fs::read_to_string(home.aws("credentials")).unwrap();
    assert_eq!(std::fs::read_to_string(home.aws("config")).unwrap(), CONFIG, "the config file is untouched");
    let mut set = ConfigSet::default();
    set.merge_file(FileKind::Credentials, std::path::Path::new("c"), &text);
    let dana = &set.profiles["dana"];
    let (id, secret) = (dana.get("aws_access_key_id").unwrap(), dana.get("aws_secret_access_key").unwrap());
    assert_eq!(CREDENTIALS.replace(KEY1, id).replace(SECRET1, secret), text, "only the two values changed");
    let keys = Keys { access_key_id: id.into(), secret_access_key: Secret::new(secret), session_token: None };
    let t = Target::at("eu-west-1", Some(sb.endpoint()));
    // A key saved a moment ago may still be propagating (the kill tests run without a delay).
    let started = Instant::now();
    loop {
        match sts::get_caller_identity(&t, &keys).await {
            Ok(who) => {
                assert_eq!(who.arn, ARN);
                return keys;
            }
            Err(e) if started.elapsed() < Duration::from_secs(5) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("the AWS files hold {} that IAM refuses: {e}", KeyId::new(id)),
        }
    }
}

fn quick() -> RotateOptions {
    RotateOptions { spacing: Duration::from_millis(50), poll: Duration::from_millis(100), ..RotateOptions::default() }
}

fn position(events: &[Event], f: impl Fn(&Event) -> bool) -> usize {
    events.iter().position(f).unwrap_or_else(|| panic!("missing event in {events:#?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn one_key_is_rotated_and_nothing_else_changes() {
    let s = setup(&[]).await;
    let (r, events) = s.rotate(&quick(), &Yes).await;
    let r = r.unwrap();
    assert_eq!((r.old.full(), r.old_key, r.user.as_str(), r.mfa), (KEY1, OldKey::Deleted, "dana", true));
    let keys = s.check_files().await;
    assert_eq!(keys.access_key_id, r.new.full());
    assert_eq!(s.iam_keys().await.iter().map(|k| k.id.full().to_string()).collect::<Vec<_>>(), [r.new.full()]);
    assert!(s.journal().is_none(), "the journal goes when the rotation is done");
    // The order, and the secret saved with no call in between.
    let created = position(&events, |e| matches!(e, Event::Created { .. }));
    assert!(matches!(events[created + 1], Event::Saved { .. }), "{events:#?}");
    let verified = position(&events, |e| matches!(e, Event::Verified { .. }));
    let deactivated = position(&events, |e| matches!(e, Event::Deactivated { .. }));
    let refused = position(&events, |e| matches!(e, Event::OldRefused { .. }));
    let deleted = position(&events, |e| matches!(e, Event::DeletedOld { .. }));
    assert!(created < verified && verified < deactivated && deactivated < refused && refused < deleted);
    let successes = events.iter().filter(|e| matches!(e, Event::Verifying { successes: 1.., .. })).count();
    assert_eq!(successes, 3, "three consecutive successes");
    let old = Keys { access_key_id: KEY1.into(), secret_access_key: Secret::new(SECRET1), session_token: None };
    assert_eq!(sts::get_caller_identity(&s.target(), &old).await.unwrap_err().code(), Some("InvalidClientTokenId"));
    // The MFA session obtained with the old key still works, as in AWS.
    assert!(sts::get_caller_identity(&s.target(), &s.mfa_session()).await.is_ok());
    // Again, keeping the old key: it stays, inactive.
    let keep = RotateOptions { keep_old: true, ..quick() };
    let (r2, _) = s.rotate(&keep, &Yes).await;
    let r2 = r2.unwrap();
    assert_eq!((r2.old.full(), r2.old_key), (r.new.full(), OldKey::KeptInactive));
    let listed = s.iam_keys().await;
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().any(|k| k.id == r.new && !k.active) && listed.iter().any(|k| k.id == r2.new && k.active));
    s.check_files().await;
}

struct Answers(bool, bool);

impl Confirm for Answers {
    fn confirm<'a>(&'a self, q: &'a Question) -> Answer<'a> {
        let yes = match q {
            Question::Rotate { .. } => self.0,
            Question::MakeRoom { .. } => self.1,
        };
        Box::pin(async move { yes })
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn at_two_keys_room_is_made_only_when_allowed_and_never_with_the_key_in_use() {
    let s = setup(&[(KEY2, "Inactive")]).await;
    let (r, _) = s.rotate(&quick(), &Yes).await;
    let e = r.unwrap_err().to_string();
    assert!(e.contains("two access keys") && e.contains("****0002 Inactive") && e.contains("--make-room"), "{e}");
    assert!(e.contains("never used"), "what would be deleted, with its last use: {e}");
    assert_eq!(std::fs::read_to_string(s.home.aws("credentials")).unwrap(), CREDENTIALS);
    assert_eq!(s.iam_keys().await.len(), 2, "nothing deleted");
    let room = RotateOptions { make_room: true, ..quick() };
    let (r, _) = s.rotate(&room, &Answers(true, false)).await;
    assert!(matches!(r, Err(IamError::Declined { .. })), "{r:?}");
    assert_eq!(s.iam_keys().await.len(), 2, "declined: nothing deleted");
    let (r, _) = s.rotate(&room, &Answers(false, true)).await;
    assert!(matches!(r, Err(IamError::Declined { .. })), "{r:?}");
    let (r, events) = s.rotate(&room, &Yes).await;
    let r = r.unwrap();
    assert_eq!(r.made_room, [KeyId::new(KEY2)]);
    assert!(events.iter().any(|e| matches!(e, Event::MadeRoom { deleted } if deleted.full() == KEY2)));
    assert_eq!(s.iam_keys().await.len(), 1);
    s.check_files().await;

    // Two active keys, the one in use listed second: the other one goes, never the one in use.
    let s = setup(&[(KEY2, "Active")]).await;
    let (r, _) = s.rotate(&room, &Yes).await;
    assert_eq!(r.unwrap().made_room, [KeyId::new(KEY2)]);
    s.check_files().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn iam_eventual_consistency_is_waited_through_within_a_bound() {
    let s = setup(&[]).await;
    s.sb.set_faults(FaultConfig { new_key_delay_secs: 3, ..FaultConfig::default() });
    let started = Instant::now();
    let (r, events) = s.rotate(&quick(), &Yes).await;
    r.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(2), "{:?}", started.elapsed());
    let refused = events
        .iter()
        .filter(|e| matches!(e, Event::Verifying { last_error: Some(m), .. } if m.contains("does not recognise")))
        .count();
    assert!(refused >= 5, "polled through InvalidClientTokenId: {events:#?}");
    s.check_files().await;

    // Longer than the bound: the old key goes back into the file, the new one waits in the
    // journal, and the next run (once IAM caught up) finishes.
    s.sb.set_faults(FaultConfig { new_key_delay_secs: 3, ..FaultConfig::default() });
    let before = std::fs::read_to_string(s.home.aws("credentials")).unwrap();
    let short = RotateOptions { propagation: Duration::from_secs(1), ..quick() };
    let (r, _) = s.rotate(&short, &Yes).await;
    let e = r.unwrap_err().to_string();
    assert!(e.contains("did not accept the new key") && e.contains("is back in"), "{e}");
    assert_eq!(std::fs::read_to_string(s.home.aws("credentials")).unwrap(), before, "the old key is back");
    assert_eq!(s.journal().unwrap().phase, Phase::Created);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (r, events) = s.rotate(&quick(), &Yes).await;
    r.unwrap();
    assert!(events.iter().any(|e| matches!(e, Event::Resuming { phase: Phase::Created, .. })));
    assert!(!events.iter().any(|e| matches!(e, Event::Created { .. })), "no second key was made");
    assert_eq!(s.iam_keys().await.len(), 1);
    s.check_files().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fault_at_each_step_then_a_second_run_finishes() {
    // GetCallerIdentity twice: both ways of learning the user's identity fail.
    for (action, times, phase) in [
        ("ListAccessKeys", 1, None),
        ("GetCallerIdentity", 2, None),
        ("CreateAccessKey", 1, Some(Phase::Creating)),
        ("UpdateAccessKey", 1, Some(Phase::Verified)),
        ("DeleteAccessKey", 1, Some(Phase::Deactivated)),
    ] {
        let s = setup(&[]).await;
        let rule = FaultRule::new(Effect::AccessDenied).action(action).times(times);
        s.sb.set_faults(FaultConfig { rules: vec![rule], ..FaultConfig::default() });
        let (r, _) = s.rotate(&quick(), &Yes).await;
        let e = r.expect_err(action).to_string();
        assert!(e.contains("access denied") || e.contains("AccessDenied"), "{action}: {e}");
        assert_eq!(s.journal().map(|j| j.phase), phase, "{action}");
        s.check_files().await;
        let (r, _) = s.rotate(&quick(), &Yes).await;
        let r = r.unwrap_or_else(|e| panic!("{action}: the second run failed: {e}"));
        assert_eq!(
            s.iam_keys().await.iter().map(|k| k.id.clone()).collect::<Vec<_>>(),
            vec![r.new.clone()],
            "{action}"
        );
        assert_eq!(s.check_files().await.access_key_id, r.new.full(), "{action}");
        assert!(s.journal().is_none(), "{action}");
    }
    // Transient trouble is retried within the call: the run does not even fail.
    let s = setup(&[]).await;
    let throttle = FaultRule::new(Effect::Throttle).action("ListAccessKeys").times(2);
    s.sb.set_faults(FaultConfig { rules: vec![throttle], ..FaultConfig::default() });
    s.rotate(&quick(), &Yes).await.0.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn resumes_from_a_key_whose_secret_was_lost_and_from_one_never_saved() {
    let s = setup(&[]).await;
    // The journal files below stand in for runs killed mid-way.
    let state = s.env.state_dir().unwrap();
    // Killed after CreateAccessKey answered and before the journal heard of it.
    let lost = api::create_access_key(&s.target(), &s.mfa_session(), "dana").await.unwrap();
    let mut j = Journal::new("dana", ARN, KEY1, Secret::new(SECRET1), 0);
    j.before = vec![KEY1.into()];
    JournalFile::open(&state, "dana").unwrap().save(&j).unwrap();
    let (r, events) = s.rotate(&quick(), &Yes).await;
    let r = r.unwrap();
    assert_eq!(r.deleted_unsaved, std::slice::from_ref(&lost.id));
    assert!(events.iter().any(|e| matches!(e, Event::DeletedUnsaved { key } if *key == lost.id)));
    let now = s.check_files().await;
    assert_eq!(s.iam_keys().await.len(), 1);
    // Killed after the journal got the secret and before the file did.
    let made = api::create_access_key(&s.target(), &s.mfa_session(), "dana").await.unwrap();
    let mut j = Journal::new("dana", ARN, &now.access_key_id, now.secret_access_key.clone(), 0);
    j.before = vec![now.access_key_id.clone()];
    j.new_key_id = Some(made.id.full().into());
    j.new_secret = Some(made.secret.clone());
    j.phase = Phase::Created;
    JournalFile::open(&state, "dana").unwrap().save(&j).unwrap();
    let (r, _) = s.rotate(&quick(), &Yes).await;
    assert_eq!(r.unwrap().new, made.id);
    assert_eq!(s.check_files().await.access_key_id, made.id.full());
    assert_eq!(s.iam_keys().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_create_access_key_answer_says_to_run_again_and_the_next_run_deletes_the_orphan() {
    let s = setup(&[]).await;
    let lose = FaultRule::new(Effect::LoseAnswer).action("CreateAccessKey").times(1);
    s.sb.set_faults(FaultConfig { rules: vec![lose], ..FaultConfig::default() });
    let (r, _) = s.rotate(&quick(), &Yes).await;
    let e = r.expect_err("the answer was lost").to_string();
    assert!(e.contains("IAM may have created a key anyway") && e.contains("run `mfatui rotate dana` again"), "{e}");
    assert_eq!(s.journal().map(|j| j.phase), Some(Phase::Creating));
    let keys = s.iam_keys().await;
    assert_eq!(keys.len(), 2, "IAM made the key whose answer was lost");
    let orphan = keys.iter().find(|k| k.id.full() != KEY1).unwrap().id.clone();
    s.check_files().await;
    let (r, events) = s.rotate(&quick(), &Yes).await;
    let r = r.unwrap();
    assert_eq!(r.deleted_unsaved, std::slice::from_ref(&orphan), "what the error promised");
    assert!(events.iter().any(|e| matches!(e, Event::DeletedUnsaved { key } if *key == orphan)));
    let left: Vec<KeyId> = s.iam_keys().await.into_iter().map(|k| k.id).collect();
    assert_eq!(left, std::slice::from_ref(&r.new));
    assert_eq!(s.check_files().await.access_key_id, r.new.full());
}

// --- the real binary, killed -------------------------------------------------------------------

/// A sandbox on its own runtime (the binary runs beside it) with dana signed in once.
fn killable_world() -> (tokio::runtime::Runtime, SandboxHandle, Home) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sb = rt.block_on(sandbox::start(&seed(&[]), 0)).unwrap();
    // Widen every step so a kill can land inside it.
    let slow = |a: &str, ms| FaultRule::new(Effect::LatencyMs(ms)).action(a);
    let rules = vec![
        slow("CreateAccessKey", 150),
        slow("UpdateAccessKey", 150),
        slow("DeleteAccessKey", 150),
        slow("GetCallerIdentity", 40),
        slow("ListAccessKeys", 20),
    ];
    sb.set_faults(FaultConfig { rules, ..FaultConfig::default() });
    let home = Home::new();
    home.write("config", CONFIG).write("credentials", CREDENTIALS);
    // Signed in once, so no run is killed between using a code and storing its session.
    let o = run_binary(&home, &sb, &["keys", "dana"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    (rt, sb, home)
}

fn command(home: &Home, sb: &SandboxHandle, args: &[&str]) -> std::process::Command {
    let mut cmd = detached(env!("CARGO_BIN_EXE_mfatui"));
    cmd.args(args)
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_ENDPOINT_URL", sb.endpoint())
        .env("MFATUI_TOTP_SEED_DANA", TOTP)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    cmd
}

fn run_binary(home: &Home, sb: &SandboxHandle, args: &[&str]) -> std::process::Output {
    command(home, sb, args).output().unwrap()
}

/// Kill a rotation when `when` says so (polled every 2 ms), then check the files and finish it.
fn kill_and_resume(
    rt: &tokio::runtime::Runtime,
    sb: &SandboxHandle,
    home: &Home,
    when: &dyn Fn(Duration) -> bool,
) -> bool {
    let mut child = command(home, sb, &["rotate", "dana", "--yes"]).spawn().unwrap();
    let started = Instant::now();
    let killed = loop {
        if child.try_wait().unwrap().is_some() {
            break false;
        }
        if when(started.elapsed()) {
            child.kill().unwrap();
            break true;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let o = child.wait_with_output().unwrap();
    if !killed {
        assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    }
    let journal = home.path().join(".local/state/mfatui/rotations/dana.json");
    let phase = std::fs::read_to_string(&journal)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok()?["phase"].as_str().map(str::to_string));
    println!("killed: {killed} after {:?}, journal: {phase:?}", started.elapsed());
    rt.block_on(check_files(home, sb));
    let o = run_binary(home, sb, &["rotate", "dana", "--yes"]);
    let out = stdout(&o);
    assert!(o.status.success(), "the run after the kill finishes: {out}{}", stderr(&o));
    let keys = rt.block_on(check_files(home, sb));
    for secret in [KEY1, SECRET1, &keys.access_key_id, keys.secret_access_key.expose()] {
        assert!(!out.contains(secret), "a full key id or secret in the output: {out}");
    }
    let session = SessionStore::in_dir(&home.path().join(".local/state/mfatui")).load().sessions["dana"].keys();
    let t = Target::at("eu-west-1", Some(sb.endpoint()));
    let listed = rt.block_on(api::list_access_keys(&t, &session, "dana")).unwrap();
    assert_eq!(listed.iter().map(|k| k.id.full()).collect::<Vec<_>>(), [keys.access_key_id.as_str()]);
    assert!(!home.path().join(".local/state/mfatui/rotations/dana.json").exists());
    killed
}

#[test]
fn killed_at_every_step_the_files_keep_a_working_key_and_the_next_run_finishes() {
    let (rt, sb, home) = killable_world();
    let journal = home.path().join(".local/state/mfatui/rotations/dana.json");
    let phase_is = |p: &'static str| {
        let journal = journal.clone();
        move |_: Duration| std::fs::read_to_string(&journal).is_ok_and(|t| t.contains(&format!("\"phase\": \"{p}\"")))
    };
    let mut kills = 0;
    for _ in 0..2 {
        for p in ["creating", "created", "saved", "verified", "deactivated"] {
            kills += usize::from(kill_and_resume(&rt, &sb, &home, &phase_is(p)));
        }
    }
    // `created` lasts microseconds (the file write follows at once): the others must be caught.
    assert!(kills >= 8, "only {kills} of 10 runs were killed in the phase aimed at");
}

#[test]
fn killed_at_random_moments_the_files_keep_a_working_key_and_the_next_run_finishes() {
    let (rt, sb, home) = killable_world();
    let mut kills = 0;
    for i in 0..14u64 {
        // Spread over a whole run (about 1.5 s with the latencies above), with some jitter.
        let at = Duration::from_millis(i * 110 + rand_ms(60));
        kills += usize::from(kill_and_resume(&rt, &sb, &home, &|t| t >= at));
    }
    assert!(kills >= 10, "only {kills} of 14 runs were killed");
}

fn rand_ms(max: u64) -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() as u64;
    nanos % max
}

/// `mfatui rotate` prints the domain's sentences, the ones the dashboard shows too
/// (`ui::iam_snapshot_tests::the_rotation_shows_the_domains_words`).
#[test]
fn the_cli_prints_the_domains_words() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sb = rt.block_on(sandbox::start(&seed(&[]), 0)).unwrap();
    let home = Home::new();
    home.write("config", CONFIG).write("credentials", CREDENTIALS);
    let o = run_binary(&home, &sb, &["rotate", "dana", "--yes"]);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}{}", stderr(&o));
    let keys = rt.block_on(check_files(&home, &sb));
    let report = rotate::Report {
        profile: "dana".into(),
        user: "dana".into(),
        old: KeyId::new(KEY1),
        new: KeyId::new(&keys.access_key_id),
        old_key: OldKey::Deleted,
        file: Some(home.aws("credentials")),
        made_room: vec![],
        deleted_unsaved: vec![],
        old_refused: Some(true),
        mfa: true,
    };
    assert!(out.contains(&format!("Done: {}", report.summary())), "{out}");
    for e in [Event::Deactivated { key: KeyId::new(KEY1) }, Event::DeletedOld { key: KeyId::new(KEY1) }] {
        assert!(out.contains(&format!("  {}\n", e.describe())), "{out}");
    }
    assert!(out.to_lowercase().contains(&rotate::starting("dana", false)), "{out}");
}
