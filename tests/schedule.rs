//! The dashboard's real loop renews sessions when they fall due, however many other events
//! arrive: it runs on a test terminal with a stream of keys every 30 ms and its own 1 Hz tick,
//! through several due times (a fake clock moved a minute at a time), against the sandbox.

mod common;
use common::world::{EVE_SERIAL, eve_world, world};
use mfatui::app::{Dashboard, Inbox};
use mfatui::aws::clock::{Clock, FakeClock};
use mfatui::aws::config::{self, AwsEnv};
use mfatui::aws::engine::{Engine, Plan, Prompting};
use mfatui::aws::secret::Secret;
use mfatui::aws::store::SessionStore;
use mfatui::settings::Settings;
use mfatui::state::AppState;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[test]
fn renewals_fire_on_time_under_a_stream_of_keys_and_ticks() {
    let (seed, config, credentials) = eve_world();
    // 15-minute roles, renewed with 14 minutes left: due a minute after each renewal.
    let config = config.replace("source_profile = eve\n", "source_profile = eve\nduration_seconds = 900\n");
    let w = world(&seed, &config, &credentials);
    let env = AwsEnv { home: Some(w.home.path().into()), ..AwsEnv::default() };
    let cfg = config::load(&env).unwrap();
    let graph = cfg.graph();
    let settings = Settings { refresh_margin_secs: 840, ..Settings::default() };
    let plan = Plan::build(&cfg, &graph, &settings.suffix, |_| None);
    let clock = FakeClock::at(w.sandbox.now());
    let engine = Engine::builder(
        settings.engine(),
        SessionStore::in_dir(&env.state_dir().unwrap()),
        cfg.paths.clone(),
        Arc::new(clock.clone()),
    )
    .endpoint(Some(w.sandbox.endpoint()))
    .build();
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    let first = w.rt.block_on(engine.login(&plan, "eve", Some(&Secret::new(code)), Prompting::Never, &None)).unwrap();
    assert!(first.roles.iter().all(|(_, r)| r.is_ok()));
    let state = AppState::new(&cfg, &graph, &plan, &settings, clock.now());
    let dashboard = Dashboard {
        state,
        engine,
        plan: Arc::new(std::sync::RwLock::new(Arc::new(plan))),
        hint: None,
        started: Instant::now(),
        timing: None,
        min_refresh_gap: Duration::from_millis(500),
        reload: None,
        watched: Vec::new(),
    };
    let (ev_tx, ev_rx) = tokio::sync::mpsc::unbounded_channel();
    let (_local_tx, local) = tokio::sync::mpsc::unbounded_channel();
    let (_remote_tx, remote) = tokio::sync::mpsc::unbounded_channel();
    let key = |c: char| (Instant::now(), Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
    let running = w.rt.spawn(async move {
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
        dashboard.run_loop(&mut terminal, ev_rx, Inbox { local, remote }, false).await
    });
    // Keys every 30 ms, all along.
    let keys = {
        let tx = ev_tx.clone();
        w.rt.spawn(async move {
            for i in 0u64.. {
                if tx.send(key(if i % 2 == 0 { 'j' } else { 'k' })).is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(30)).await;
            }
        })
    };
    let assumed = || w.sandbox.calls("AssumeRole");
    let mut before = assumed();
    for due in 1..=3 {
        // A minute and a bit later: every role is due.
        clock.advance(61);
        let moved = Instant::now();
        while assumed() < before + 20 {
            assert!(
                moved.elapsed() < Duration::from_secs(5),
                "due time {due}: only {} of 20 renewed in 5 s",
                assumed() - before
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        println!("due time {due}: 20 roles renewed {:?} after falling due", moved.elapsed());
        before = assumed();
        // Nothing more until the next due time.
        std::thread::sleep(Duration::from_millis(1500));
        assert_eq!(assumed(), before, "renewed again before due");
    }
    ev_tx.send(key('q')).unwrap();
    w.rt.block_on(running).unwrap().unwrap();
    keys.abort();
    assert_eq!(w.sandbox.calls("GetSessionToken"), 1, "renewals never needed a new MFA session");
}
