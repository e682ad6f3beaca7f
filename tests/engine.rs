//! The session engine against the sandbox (and moto): one code, every role, every tool.

mod common;
use common::world::{ACCOUNTS, EVE_SEED, EVE_SERIAL, eve_world, world};
use common::{Home, Moto, stderr, stdout, tool};
use mfatui::aws::clock::FakeClock;
use mfatui::aws::config::{self, AwsEnv};
use mfatui::aws::engine::{Engine, EngineBuilder, EngineError, EngineSettings, Plan, Prompting, Which};
use mfatui::aws::secret::Secret;
use mfatui::aws::store::SessionStore;
use mfatui::aws::sts::AwsError;
use mfatui::sandbox::{self, Effect, FaultConfig, FaultRule, SandboxHandle, demo_world};
use std::process::Command;
use std::sync::Arc;

#[test]
fn one_code_signs_in_twenty_roles_that_every_tool_can_use() {
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config, &credentials);
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    let o = w.mfatui(&["login", "eve", "--code", &code], &[]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(out.contains("21 ready, 0 failed"), "{out}");
    assert!(out.contains("--profile r7-mfa") && out.contains("--profile eve-mfa"), "{out}");
    assert!(!out.contains("eve-secret"));
    let text = std::fs::read_to_string(w.home.aws("credentials")).unwrap();
    assert!(text.starts_with(&credentials), "the user's part is untouched");
    assert_eq!(text.matches("# Managed by mfatui").count(), 21);

    // The AWS CLI uses every managed profile as it is.
    if let Some(aws) = tool("MFATUI_AWS_CLI", &[".venv/bin/aws"]) {
        for i in 0..20 {
            let o = Command::new(&aws)
                .args([
                    "sts",
                    "get-caller-identity",
                    "--profile",
                    &format!("r{i}-mfa"),
                    "--output",
                    "text",
                    "--query",
                    "Arn",
                ])
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap())
                .env("HOME", w.home.path())
                .env("AWS_ENDPOINT_URL", w.sandbox.endpoint())
                .output()
                .unwrap();
            assert!(o.status.success(), "r{i}: {}", stderr(&o));
            assert_eq!(stdout(&o).trim(), format!("arn:aws:sts::{}:assumed-role/r{i}/eve", ACCOUNTS[i % 6]));
        }
    }
    // So does boto3, region included (it comes from the managed section).
    if let Some(python) = tool("MFATUI_PYTHON", &[".venv/bin/python"]) {
        let script = "import boto3\nfor i in range(20):\n    s = boto3.Session(profile_name=f'r{i}-mfa')\n    assert s.region_name == 'eu-west-1', s.region_name\n    print(s.client('sts').get_caller_identity()['Arn'])";
        let o = Command::new(python)
            .args(["-c", script])
            .env_clear()
            .env("HOME", w.home.path())
            .env("AWS_ENDPOINT_URL", w.sandbox.endpoint())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stdout(&o).lines().filter(|l| l.contains("assumed-role/r")).count(), 20);
    }

    // A second login reuses the MFA session: no code, no prompt.
    let o = w.mfatui(&["login", "eve"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("(kept)"));
    // status for prompts and direnv.
    assert_eq!(w.mfatui(&["status", "r3"], &[]).status.code(), Some(0));
    assert_eq!(w.mfatui(&["status"], &[("AWS_PROFILE", "r3-mfa")]).status.code(), Some(0));
    assert_eq!(w.mfatui(&["status", "nope"], &[]).status.code(), Some(2));
    let list = stdout(&w.mfatui(&["list"], &[]));
    assert!(!list.contains("r3-mfa"), "managed sections are not the user's profiles:\n{list}");
    assert!(list.lines().any(|l| l.starts_with("r3 ") && l.contains("valid")), "{list}");
    // Logout restores the credentials file byte for byte.
    let o = w.mfatui(&["logout", "eve"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(w.home.aws("credentials")).unwrap(), credentials);
    assert_eq!(w.mfatui(&["status", "r3"], &[]).status.code(), Some(1));
}

#[test]
fn wrong_and_reused_codes_are_explained() {
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config, &credentials);
    let right = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    let wrong = if right == "000000" { "111111" } else { "000000" };
    let o = w.mfatui(&["login", "eve", "--code", wrong], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("MFA code rejected: check the device"), "{}", stdout(&o));
    assert!(w.mfatui(&["login", "eve", "--code", &right], &[]).status.success());
    w.mfatui(&["logout"], &[]);
    let o = w.mfatui(&["login", "eve", "--code", &right], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("already used") && stdout(&o).contains("for the next code"), "{}", stdout(&o));
    // No terminal and no code: say what to do instead of hanging.
    let started = std::time::Instant::now();
    let o = w.mfatui(&["login", "eve"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("pass --code CODE"), "{}", stdout(&o));
    assert!(started.elapsed() < std::time::Duration::from_secs(1), "an error within a second, not a hang");
}

#[test]
fn one_failing_role_never_fails_the_others_and_throttling_is_survived() {
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config, &credentials);
    w.sandbox.set_faults(FaultConfig {
        rules: vec![
            FaultRule::new(Effect::AccessDenied).action("AssumeRole").role("r5"),
            FaultRule::new(Effect::Throttle).action("AssumeRole").every(2).times(12),
        ],
        clock_offset_secs: 0,
        ..Default::default()
    });
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    let o = w.mfatui(&["login", "eve", "--code", &code], &[]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("20 ready, 1 failed"), "{out}");
    let r5 = out.lines().find(|l| l.trim_start().starts_with("r5 ")).unwrap();
    assert!(r5.contains("failed: arn:aws:iam::200000000006:role/r5: access denied"), "{r5}");
}

fn engine(sandbox: &SandboxHandle, clock: FakeClock, env: &AwsEnv) -> (Engine, config::LoadedConfig) {
    let (b, cfg) = builder(sandbox, clock, env);
    (b.build(), cfg)
}

fn builder(sandbox: &SandboxHandle, clock: FakeClock, env: &AwsEnv) -> (EngineBuilder, config::LoadedConfig) {
    let cfg = config::load(env).unwrap();
    let store = SessionStore::in_dir(&env.state_dir().unwrap());
    let b = Engine::builder(EngineSettings::default(), store, cfg.paths.clone(), Arc::new(clock))
        .endpoint(Some(sandbox.endpoint()));
    (b, cfg)
}

#[tokio::test(flavor = "multi_thread")]
async fn refresher_renews_before_expiry_and_never_hammers() {
    let (seed, config, credentials) = eve_world();
    let sb = sandbox::start(&seed, 0).await.unwrap();
    let home = Home::new();
    home.write("config", &config).write("credentials", &credentials);
    let env = AwsEnv { home: Some(home.path().into()), ..AwsEnv::default() };
    let w_clock = FakeClock::at(sb.now());
    let cfg = config::load(&env).unwrap();
    let store = SessionStore::in_dir(&env.state_dir().unwrap());
    let e = Engine::builder(EngineSettings::default(), store.clone(), cfg.paths.clone(), Arc::new(w_clock.clone()))
        .endpoint(Some(sb.endpoint()))
        .build();
    let graph = cfg.graph();
    let plan = Plan::build(&cfg, &graph, "-mfa", |_| None);
    let code = sb.totp_code(EVE_SERIAL).unwrap();
    let r = e.login(&plan, "eve", Some(&Secret::new(code)), Prompting::Never, &None).await.unwrap();
    assert!(r.roles.iter().all(|(_, o)| o.is_ok()));
    let first = store.load().sessions["r0"].clone();
    let due = e.next_due(&plan).unwrap();
    assert_eq!(due, first.expires_at().unwrap() - 300, "due five minutes before expiry");
    assert!(e.refresh(&plan, &Which::Due, None, Prompting::Never, &None).await.is_empty(), "nothing due yet");
    // Shortly after the due time: every role is renewed silently from the MFA session.
    w_clock.advance(due - w_clock_now(&w_clock) + 10);
    let reports = e.refresh(&plan, &Which::Due, None, Prompting::Never, &None).await;
    let renewed: usize = reports.iter().map(|r| r.roles.iter().filter(|(_, o)| o.is_ok()).count()).sum();
    assert_eq!(renewed, 20);
    assert_ne!(store.load().sessions["r0"].access_key_id, first.access_key_id);

    // A sandbox clock behind ours: sessions come back already "due" (4 minutes left, less
    // than the margin). They must not be renewed again in a loop.
    let behind = w_clock_now(&w_clock) - sb.now() + 240 - 3600;
    sb.set_faults(FaultConfig { clock_offset_secs: behind, ..Default::default() });
    let reports = e.refresh(&plan, &Which::All, None, Prompting::Never, &None).await;
    assert!(reports[0].roles.iter().all(|(_, o)| o.is_ok()));
    assert!(
        e.refresh(&plan, &Which::Due, None, Prompting::Never, &None).await.is_empty(),
        "born due, but renewed less than a minute ago"
    );
    assert!(e.next_due(&plan).unwrap() >= w_clock_now(&w_clock) + 60);

    // Two more hours behind: STS hands out sessions that are already dead. They are refused,
    // the valid ones are kept, and the clock is named.
    let before = store.load().sessions["r0"].clone();
    sb.set_faults(FaultConfig { clock_offset_secs: behind - 7200, ..Default::default() });
    let reports = e.refresh(&plan, &Which::All, None, Prompting::Never, &None).await;
    let r0 = &reports[0].roles.iter().find(|(n, _)| n == "r0").unwrap().1;
    let msg = r0.as_ref().unwrap_err().to_string();
    assert!(
        msg.contains("clocks of this computer and AWS disagree") && msg.contains("previous session was kept"),
        "{msg}"
    );
    assert_eq!(store.load().sessions["r0"], before, "the valid session stays");
    sb.set_faults(FaultConfig { clock_offset_secs: behind, ..Default::default() });

    // Past the MFA session's end: roles need a new code, and say so.
    w_clock.advance(13 * 3600);
    let reports = e.refresh(&plan, &Which::Due, None, Prompting::Never, &None).await;
    assert!(
        matches!(&reports[0].mfa, Some(Err(EngineError::NeedsCode { user })) if user == "eve"),
        "{:?}",
        reports[0].mfa
    );
    assert!(reports[0].roles.iter().all(|(_, o)| matches!(o, Err(EngineError::NeedsCode { .. }))));
}

fn w_clock_now(c: &FakeClock) -> i64 {
    use mfatui::aws::clock::Clock;
    c.now()
}

#[tokio::test(flavor = "multi_thread")]
async fn chained_roles_external_ids_and_users_without_mfa() {
    let dir = tempfile::tempdir().unwrap();
    let env = mfatui::commands::demo::make_home(dir.path()).unwrap();
    let sb = sandbox::start(&demo_world::seed(), 0).await.unwrap();
    let (e, cfg) = engine(&sb, FakeClock::at(sb.now()), &env);
    let graph = cfg.graph();
    let plan = Plan::build(&cfg, &graph, "-mfa", |_| None);
    let code = sb.totp_code("arn:aws:iam::111111111111:mfa/alice-phone").unwrap();
    let r = e.login(&plan, "alice", Some(&Secret::new(code)), Prompting::Never, &None).await.unwrap();
    assert_eq!(r.user, "alice");
    for (name, o) in &r.roles {
        assert!(o.is_ok(), "{name}: {o:?}");
    }
    // Account aliases are learnt once per account, from the fresh role sessions.
    let aliases = SessionStore::in_dir(&env.state_dir().unwrap()).load().account_aliases;
    assert_eq!(aliases.get("222222222222").map(String::as_str), Some("dev"));
    assert_eq!(aliases.get("777777777777").map(String::as_str), Some("partner"));
    let glass = r.roles.iter().find(|(n, _)| n == "prod-breakglass").unwrap().1.as_ref().unwrap();
    assert!(glass.expiration - sb.now() <= 3600, "chained roles are capped at one hour");
    assert!(glass.identity_arn.as_deref().unwrap().contains("assumed-role/prod-breakglass/alice"));
    // A role profile signs in just that role (its user's MFA session is reused).
    let r = e.login(&plan, "dev-admin-mfa", None, Prompting::Never, &None).await.unwrap();
    assert_eq!(r.roles.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["dev-admin"]);
    assert!(matches!(&r.mfa, Some(Ok(o)) if o.kept));
    // ci-bot has no MFA device: its role is assumed with its own keys, no code needed.
    let r = e.login(&plan, "ci-bot", None, Prompting::Never, &None).await.unwrap();
    assert!(r.mfa.is_none() && r.roles[0].1.is_ok(), "{r:?}");
    // bob without mfa_serial: his MFA-only role is refused, and mfatui names the line to add,
    // with the device IAM knows for him.
    let no_serial = std::fs::read_to_string(dir.path().join(".aws/config"))
        .unwrap()
        .replace("mfa_serial = arn:aws:iam::111111111111:mfa/bob-phone\n", "");
    std::fs::write(dir.path().join(".aws/config"), no_serial).unwrap();
    let (e2, cfg2) = engine(&sb, FakeClock::at(sb.now()), &env);
    let graph2 = cfg2.graph();
    let plan2 = Plan::build(&cfg2, &graph2, "-mfa", |_| None);
    let r = e2.login(&plan2, "bob", None, Prompting::Never, &None).await.unwrap();
    let msg = r.roles[0].1.as_ref().unwrap_err().to_string();
    assert!(
        msg.contains("access denied")
            && msg.contains("add `mfa_serial = arn:aws:iam::111111111111:mfa/bob-phone` to [profile bob]"),
        "{msg}"
    );
    // bob without a code and no stored session: asked for one.
    let r = e.login(&plan, "bob", None, Prompting::Never, &None).await.unwrap();
    assert!(matches!(r.mfa, Some(Err(EngineError::NeedsCode { .. }))));
    // A failing role keeps its STS message.
    sb.set_faults(FaultConfig {
        rules: vec![FaultRule::new(Effect::AccessDenied).role("data-analyst")],
        clock_offset_secs: 0,
        ..Default::default()
    });
    let r = e.refresh(&plan, &Which::Profiles(vec!["data-analyst".into()]), None, Prompting::Never, &None).await;
    let failed = &r[0].roles[0].1;
    assert!(matches!(failed, Err(EngineError::Role { cause: AwsError::AccessDenied { .. }, .. })), "{failed:?}");
}

#[test]
fn mfa_process_and_totp_seed_sources() {
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config, &credentials);
    // A machine user's seed from the environment.
    let o = w.mfatui(&["login", "eve"], &[("MFATUI_TOTP_SEED_EVE", EVE_SEED)]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    w.mfatui(&["logout"], &[]);
    // mfa_process: a command that prints the code (here: asks the sandbox, as a password
    // manager would answer). The previous code was used, so mfatui waits for the next window.
    let fetch = format!(
        "python3 -c \"import json,urllib.request;print(json.load(urllib.request.urlopen('{}/_sandbox/totp?serial={EVE_SERIAL}'))['code'])\"",
        w.sandbox.endpoint()
    );
    let with_process =
        config.replacen("region = eu-west-1\n", &format!("region = eu-west-1\nmfa_process = {fetch}\n"), 1);
    w.home.write("config", &with_process);
    // The seed's code was used; rather than wait for the device's next window, move the
    // sandbox (the "device") one window on (waiting itself is covered by the mfa unit tests).
    w.sandbox.set_faults(FaultConfig { clock_offset_secs: 30, ..Default::default() });
    let o = w.mfatui(&["login", "eve"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn the_same_flow_works_against_moto() {
    let Some(moto) = Moto::start() else { return };
    let Some(python) = tool("MFATUI_PYTHON", &[".venv/bin/python"]) else { return };
    // moto has no seed: make a user with a key and 10 roles through its API.
    let setup = "import boto3,json,sys\niam=boto3.client('iam',endpoint_url=sys.argv[1],region_name='us-east-1',aws_access_key_id='a',aws_secret_access_key='b')\n\
iam.create_user(UserName='mo')\nk=iam.create_access_key(UserName='mo')['AccessKey']\n\
t=json.dumps({'Version':'2012-10-17','Statement':[{'Effect':'Allow','Principal':{'AWS':'*'},'Action':'sts:AssumeRole'}]})\n\
print(k['AccessKeyId'],k['SecretAccessKey'])\nfor i in range(10): print(iam.create_role(RoleName=f'm{i}',AssumeRolePolicyDocument=t)['Role']['Arn'])";
    let o = Command::new(python).args(["-c", setup, &moto.url]).env_clear().output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let mut lines = out.lines();
    let (key, secret) = lines.next().unwrap().split_once(' ').unwrap();
    let mut config = "[profile mo]\nmfa_serial = arn:aws:iam::123456789012:mfa/mo\nregion = us-east-1\n".to_string();
    for (i, arn) in lines.enumerate() {
        config.push_str(&format!("[profile m{i}]\nrole_arn = {arn}\nsource_profile = mo\n"));
    }
    let home = Home::new();
    home.write("config", &config)
        .write("credentials", &format!("[mo]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n"));
    // moto accepts any code; the request and the XML are what is being checked.
    let o = home.mfatui(&["login", "mo", "--code", "123456"], &[("AWS_ENDPOINT_URL", &moto.url)]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("11 ready, 0 failed"), "{}", stdout(&o));
    let o = home.mfatui(&["status"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

/// Records every question; answers none.
struct Recorder(std::sync::Mutex<Vec<String>>);

impl mfatui::aws::prompt::Prompter for Recorder {
    fn ask<'a>(
        &'a self,
        req: &'a mfatui::aws::prompt::PromptRequest,
        _lock: &'a mut mfatui::aws::prompt::SignInLock,
    ) -> mfatui::aws::prompt::PromptFuture<'a> {
        self.0.lock().unwrap().push(req.user.clone());
        Box::pin(async { Err(mfatui::aws::prompt::PromptError::Unavailable("recorder".into())) })
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn code_sources_come_before_any_prompt_and_codes_go_only_where_needed() {
    use common::world::{FRANK_SEED, FRANK_SERIAL, with_frank};
    let (seed, config, credentials) = with_frank(eve_world());
    let frank_serial = FRANK_SERIAL;
    let sb = sandbox::start(&seed, 0).await.unwrap();
    let fetch = format!(
        "python3 -c \"import json,urllib.request;print(json.load(urllib.request.urlopen('{}/_sandbox/totp?serial={EVE_SERIAL}'))['code'])\"",
        sb.endpoint()
    );
    let config = config.replacen("region = eu-west-1\n", &format!("region = eu-west-1\nmfa_process = {fetch}\n"), 1);
    let home = Home::new();
    home.write("config", &config).write("credentials", &credentials);
    let env = AwsEnv { home: Some(home.path().into()), ..AwsEnv::default() };
    let recorder = Arc::new(Recorder(std::sync::Mutex::new(Vec::new())));
    let (e, cfg) = builder(&sb, FakeClock::at(sb.now()), &env);
    let e = e.prompter(recorder.clone()).build();
    let graph = cfg.graph();
    let plan = Plan::build(&cfg, &graph, "-mfa", |_| None);
    // eve's code comes from her mfa_process: the prompter is never asked for her.
    let r = e.login(&plan, "eve", None, Prompting::Allowed, &None).await.unwrap();
    assert!(matches!(&r.mfa, Some(Ok(o)) if !o.kept), "{:?}", r.mfa);
    assert!(recorder.0.lock().unwrap().is_empty(), "asked: {:?}", recorder.0.lock().unwrap());
    let eve_session = SessionStore::in_dir(&env.state_dir().unwrap()).load().sessions["eve"].clone();
    // refresh --all with a code: only frank (no MFA session) gets it; eve's live session is kept.
    let frank_code = mfatui::aws::totp::Totp::from_base32(&Secret::new(FRANK_SEED)).unwrap().code_at(sb.now() as u64);
    let reports = e.refresh(&plan, &Which::All, Some(&Secret::new(frank_code)), Prompting::Never, &None).await;
    let by_user = |u: &str| reports.iter().find(|r| r.user == u).unwrap();
    assert!(matches!(&by_user("eve").mfa, Some(Ok(o)) if o.kept), "eve kept her session");
    assert!(matches!(&by_user("frank").mfa, Some(Ok(o)) if !o.kept), "{:?}", by_user("frank").mfa);
    let stored = SessionStore::in_dir(&env.state_dir().unwrap()).load();
    assert_eq!(stored.sessions["eve"].access_key_id, eve_session.access_key_id, "no new GetSessionToken for eve");
    assert!(
        !stored.used_codes.contains_key(EVE_SERIAL)
            || stored.used_codes[EVE_SERIAL].code != stored.used_codes[frank_serial].code
    );
}

/// Counts questions and says no to each after a moment, as a person pressing Esc would.
struct Refuser(std::sync::atomic::AtomicUsize);

impl mfatui::aws::prompt::Prompter for Refuser {
    fn ask<'a>(
        &'a self,
        req: &'a mfatui::aws::prompt::PromptRequest,
        _lock: &'a mut mfatui::aws::prompt::SignInLock,
    ) -> mfatui::aws::prompt::PromptFuture<'a> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Box::pin(async move {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            Err(mfatui::aws::prompt::PromptError::Refused { user: req.user.clone(), place: "in the test".into() })
        })
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn one_refusal_answers_every_task_already_waiting_for_that_user() {
    let (seed, config, credentials) = eve_world();
    let sb = sandbox::start(&seed, 0).await.unwrap();
    let home = Home::new();
    home.write("config", &config).write("credentials", &credentials);
    let env = AwsEnv { home: Some(home.path().into()), ..AwsEnv::default() };
    let refuser = Arc::new(Refuser(Default::default()));
    let (e, cfg) = builder(&sb, FakeClock::at(sb.now()), &env);
    let e = e.prompter(refuser.clone()).build();
    let graph = cfg.graph();
    let plan = Plan::build(&cfg, &graph, "-mfa", |_| None);
    let asks = || refuser.0.load(std::sync::atomic::Ordering::SeqCst);
    // Two tasks want eve at once (the IAM screen's keys and its audit): one question.
    let (a, b) = tokio::join!(
        e.login(&plan, "eve", None, Prompting::Allowed, &None),
        e.login(&plan, "eve", None, Prompting::Allowed, &None)
    );
    for r in [a, b] {
        let err = match r.unwrap().mfa {
            Some(Err(e)) => e.to_string(),
            other => panic!("{other:?}"),
        };
        assert!(err.contains("refused in the test"), "{err}");
    }
    assert_eq!(asks(), 1, "the waiting task took the same no");
    // Asking again afterwards is a new question.
    let again = e.login(&plan, "eve", None, Prompting::Allowed, &None).await.unwrap();
    assert!(matches!(again.mfa, Some(Err(_))), "{:?}", again.mfa);
    assert_eq!(asks(), 2);
}
