//! The dashboard's loop: terminal events, engine results, MFA questions (from this dashboard's
//! engine and from other processes over the socket), a 1 Hz tick and the refresher's timer go
//! through one `select!`; keys become actions, `update` changes state and may emit commands,
//! which run on tokio and come back as actions carrying their data. Redraws happen after
//! events, never in a busy loop.

pub mod clipboard;
mod iam;
pub mod prompts;
pub mod schedule;
mod tasks;

use crate::action::{Action, Command};
use crate::aws::engine::{Engine, Plan, Progress, Prompting, Which};
use crate::keymap;
use crate::prompters::socket::{RemoteAnswer, RemoteAsk};
use crate::state::{AppState, Level};
use crate::ui;
use crate::update::update;
use prompts::{CodeRoute, LocalAsk, Waiters};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event,
};
use ratatui::crossterm::execute;
use schedule::RefreshTimer;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Something that recomputes the demo's help line (the devices' current codes).
pub type Hint = Box<dyn Fn() -> String + Send>;

/// Rebuilds the plan, the rows and the config file's path from the AWS files (they changed, or F5).
pub type Reloader = Box<dyn Fn() -> anyhow::Result<(Plan, crate::state::Built, String)> + Send>;

/// The plan, held once: the loop replaces it when the files change, and the credentials
/// endpoint (when the dashboard serves) reads the same one.
pub type SharedPlan = Arc<std::sync::RwLock<Arc<Plan>>>;

pub struct Dashboard {
    pub state: AppState,
    pub engine: Engine,
    pub plan: SharedPlan,
    pub hint: Option<Hint>,
    /// When the process started, for the first-frame figure.
    pub started: Instant,
    /// `MFATUI_TIMING`: where to write first-frame and key-to-frame times (benchmarks).
    pub timing: Option<std::fs::File>,
    /// The smallest gap between two runs of due refreshes.
    pub min_refresh_gap: Duration,
    pub reload: Option<Reloader>,
    /// The AWS files as last seen (mtime and length), to notice edits.
    pub watched: Vec<std::path::PathBuf>,
}

/// The channels the loop listens to, besides terminal events.
pub struct Inbox {
    pub local: mpsc::UnboundedReceiver<LocalAsk>,
    pub remote: mpsc::UnboundedReceiver<RemoteAsk>,
}

/// Session expirations and account aliases, from one read of the store.
fn snapshot(engine: &Engine) -> (HashMap<String, crate::state::Lifetime>, BTreeMap<String, String>) {
    let loaded = engine.store().load();
    let sessions =
        loaded.sessions.into_iter().filter_map(|(k, v)| Some((k, crate::state::Lifetime::of(&v)?))).collect();
    (sessions, loaded.account_aliases)
}

fn file_stamp(paths: &[std::path::PathBuf]) -> Vec<Option<(std::time::SystemTime, u64)>> {
    paths.iter().map(|p| std::fs::metadata(p).ok().and_then(|m| Some((m.modified().ok()?, m.len())))).collect()
}

/// Restores the terminal however the loop ends (panics: ratatui's own hook does it).
struct TerminalGuard;

impl TerminalGuard {
    fn enter() -> anyhow::Result<(Self, ratatui::DefaultTerminal)> {
        let terminal = ratatui::try_init()?;
        // ratatui's panic hook restores raw mode and the screen; mouse capture and bracketed
        // paste are ours to undo, or a panic would leave the shell receiving mouse codes.
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = execute!(std::io::stdout(), DisableMouseCapture, DisableBracketedPaste);
            previous(info);
        }));
        execute!(std::io::stdout(), EnableMouseCapture, EnableBracketedPaste)?;
        Ok((Self, terminal))
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = execute!(std::io::stdout(), DisableMouseCapture, DisableBracketedPaste);
        ratatui::restore();
    }
}

/// Set the terminal up again after Ctrl-Z and `fg`.
fn resume() -> anyhow::Result<()> {
    ratatui::crossterm::terminal::enable_raw_mode()?;
    execute!(
        std::io::stdout(),
        ratatui::crossterm::terminal::EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    )?;
    Ok(())
}

/// Stop the process (Ctrl-Z) with the terminal restored; set it up again on resume.
fn suspend() -> anyhow::Result<()> {
    let _ = execute!(std::io::stdout(), DisableMouseCapture, DisableBracketedPaste);
    ratatui::restore();
    // SAFETY: raising a signal on our own process has no memory-safety preconditions.
    unsafe { libc::raise(libc::SIGTSTP) };
    Ok(())
}

impl Dashboard {
    /// Take over the terminal and run until the user quits.
    pub async fn run(self, inbox: Inbox) -> anyhow::Result<()> {
        let (_guard, mut terminal) = TerminalGuard::enter()?;
        let (ev_tx, ev_rx) = mpsc::unbounded_channel::<(Instant, Event)>();
        let stop = Arc::new(AtomicBool::new(false));
        let reader_stop = stop.clone();
        std::thread::spawn(move || {
            while !reader_stop.load(Ordering::Relaxed) {
                match event::poll(Duration::from_millis(500)) {
                    Ok(true) => match event::read() {
                        Ok(ev) => {
                            if ev_tx.send((Instant::now(), ev)).is_err() {
                                break;
                            }
                        }
                        Err(_) => break,
                    },
                    Ok(false) => {}
                    Err(_) => break,
                }
            }
        });
        let result = self.run_loop(&mut terminal, ev_rx, inbox, true).await;
        stop.store(true, Ordering::Relaxed);
        result
    }

    /// The loop itself, on any backend (tests drive it with a TestBackend and a channel of
    /// events). `real_terminal`: whether Ctrl-Z may really suspend the process.
    pub async fn run_loop<B: Backend>(
        mut self,
        terminal: &mut Terminal<B>,
        mut ev_rx: mpsc::UnboundedReceiver<(Instant, Event)>,
        mut inbox: Inbox,
        real_terminal: bool,
    ) -> anyhow::Result<()>
    where
        B::Error: Send + Sync + 'static,
    {
        let (act_tx, mut act_rx) = mpsc::unbounded_channel::<Action>();
        let mut ticker = tokio::time::interval(Duration::from_secs(1));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let (mut waiters, mut asks) = Waiters::new();

        let (lifetimes, aliases) = snapshot(&self.engine);
        self.apply(Action::Sessions(lifetimes), &act_tx, &mut waiters);
        self.apply(Action::Aliases(aliases), &act_tx, &mut waiters);
        self.tick(Action::Tick { now: self.engine.clock().now() }, &act_tx, &mut waiters);
        self.geometry(terminal.size()?.into(), &act_tx, &mut waiters);
        terminal.draw(|f| ui::draw(f, &self.state))?;
        self.record(format!("{{\"first_frame_ms\": {:.2}}}", self.started.elapsed().as_secs_f64() * 1000.0));
        tracing::info!(profiles = self.state.profiles.rows.len(), "dashboard started");
        // A crash between a store write and a file write is repaired here, before anything is due.
        let (engine, plan) = (self.engine.clone(), self.plan());
        tokio::task::spawn_blocking(move || engine.publish(&plan));

        let mut ticks: u64 = 0;
        let mut timer = RefreshTimer::new(self.min_refresh_gap);
        // It changes only when sessions change, so it is not recomputed (a store read) per event.
        timer.next_due = self.engine.next_due(&self.plan());
        let mut stamps = file_stamp(&self.watched);
        loop {
            let deadline = timer.deadline(self.engine.clock().now(), Instant::now());
            let mut key_at = None;
            let action = tokio::select! {
                Some((at, ev)) = ev_rx.recv() => {
                    key_at = Some(at);
                    match keymap::map(self.state.layer(), ev) {
                        Some(a) => a,
                        None => continue,
                    }
                }
                Some(a) = act_rx.recv() => a,
                Some(ask) = asks.recv() => {
                    let id = waiters.ask_question(ask.reply);
                    Action::IamQuestion { id, user: ask.user, question: ask.question }
                }
                Some(ask) = inbox.local.recv() => prompts::local_action(ask, &self.state, &mut waiters),
                Some(ask) = inbox.remote.recv() => {
                    let Some(serial) = self.state.sessions.mfa_serials.get(&ask.user).cloned() else {
                        let _ = ask.reply.send(RemoteAnswer::Error(format!(
                            "the mfatui dashboard does not know an MFA user named {} (is it open on another AWS config?)", ask.user
                        )));
                        continue;
                    };
                    // Signed in between the caller's look at the store and its question: no prompt.
                    let live = crate::aws::engine::live_mfa_session(&self.engine.store().load(), &ask.user, self.engine.clock().now(), 60).is_some();
                    if live {
                        let _ = ask.reply.send(RemoteAnswer::SignedIn);
                        continue;
                    }
                    let asker = if ask.profile == ask.user { ask.requester.clone() } else { format!("{} needs {}", ask.requester, ask.profile) };
                    tracing::info!(user = %ask.user, %asker, "MFA prompt requested over the socket");
                    waiters.ask_remote(&ask.user, ask.reply);
                    Action::Prompt { user: ask.user, serial, asker, retry_reason: None }
                }
                _ = ticker.tick() => {
                    ticks += 1;
                    if ticks.is_multiple_of(5) {
                        let (sessions, aliases) = snapshot(&self.engine);
                        self.apply(Action::Sessions(sessions), &act_tx, &mut waiters);
                        self.apply(Action::Aliases(aliases), &act_tx, &mut waiters);
                        timer.next_due = self.engine.next_due(&self.plan());
                    }
                    if ticks.is_multiple_of(2) {
                        let now = file_stamp(&self.watched);
                        if now != stamps {
                            stamps = now;
                            let _ = act_tx.send(Action::Reload);
                        }
                    }
                    Action::Tick { now: self.engine.clock().now() }
                }
                _ = tokio::time::sleep_until(deadline.into()) => {
                    timer.ran(Instant::now());
                    Action::RefreshDue
                }
            };
            let sessions_changed =
                matches!(action, Action::Finished { .. } | Action::Reload | Action::IamRotated { .. });
            let suspended = if matches!(action, Action::Tick { .. }) {
                self.tick(action, &act_tx, &mut waiters)
            } else {
                self.apply(action, &act_tx, &mut waiters)
            };
            if sessions_changed {
                timer.next_due = self.engine.next_due(&self.plan());
                // Our own writes are not the user's edits.
                stamps = file_stamp(&self.watched);
            }
            if self.state.quit {
                break;
            }
            // The table's rows depend on the window and on what else is shown (the log, the
            // demo's line): measured after every change, applied only when it moved.
            self.geometry(terminal.size()?.into(), &act_tx, &mut waiters);
            if suspended && real_terminal {
                resume()?;
                terminal.clear()?;
            }
            terminal.draw(|f| ui::draw(f, &self.state))?;
            if let Some(at) = key_at {
                self.record(format!("{{\"key_to_frame_ms\": {:.3}}}", at.elapsed().as_secs_f64() * 1000.0));
            }
        }
        // Nobody will answer the questions still open.
        let open: Vec<String> = self.state.overlays.prompts().map(|p| p.user.clone()).collect();
        for user in open {
            waiters.answer(&user, None);
        }
        tracing::info!("dashboard closed");
        Ok(())
    }

    /// A tick, plus the demo's help line: its codes change with time, not with keys.
    fn tick(&mut self, tick: Action, act_tx: &mpsc::UnboundedSender<Action>, waiters: &mut Waiters) -> bool {
        let mut suspended = self.apply(tick, act_tx, waiters);
        if let Some(h) = &self.hint {
            let hint = h();
            if self.state.demo_hint.as_deref() != Some(hint.as_str()) {
                suspended |= self.apply(Action::Hint(hint), act_tx, waiters);
            }
        }
        suspended
    }

    fn geometry(&mut self, area: ratatui::layout::Rect, act_tx: &mpsc::UnboundedSender<Action>, waiters: &mut Waiters) {
        let (viewport, table_top) = ui::table_geometry(area, &self.state);
        if (viewport, table_top) != (self.state.profiles.viewport, self.state.profiles.table_top) {
            self.apply(Action::Geometry { viewport, table_top }, act_tx, waiters);
        }
    }

    /// The plan as it is now (the files may have been reloaded since a task started).
    pub fn plan(&self) -> Arc<Plan> {
        self.plan.read().expect("plan lock").clone()
    }

    fn record(&mut self, line: String) {
        if let Some(f) = &mut self.timing {
            let _ = writeln!(f, "{line}");
        }
    }

    /// Update state and start whatever commands follow. Returns whether the process was suspended.
    fn apply(&mut self, action: Action, act_tx: &mpsc::UnboundedSender<Action>, waiters: &mut Waiters) -> bool {
        let mut suspended = false;
        for command in update(&mut self.state, action) {
            match command {
                Command::Copy(text) => {
                    let what = format!("`{text}`");
                    copy(act_tx, text, what);
                }
                Command::CopyText { text, what } => copy(act_tx, text, what),
                Command::Notify { title, body } => {
                    tokio::task::spawn_blocking(move || clipboard::notify(&title, &body));
                }
                Command::Suspend => suspended = suspend().is_ok(),
                Command::Refresh { which, prompting, all } => {
                    tracing::info!(?which, ?prompting, "refresh");
                    self.spawn(act_tx, which, None, prompting, all);
                }
                Command::Answer { user, code } => match waiters.answer(&user, code) {
                    CodeRoute::Handed | CodeRoute::Nothing => {}
                    CodeRoute::SignIn(code) => {
                        tracing::info!(%user, "sign-in with a typed code, for another process");
                        self.spawn(act_tx, Which::Profiles(vec![user]), Some(code), Prompting::Never, false);
                    }
                },
                Command::SignedIn { user } => waiters.finish(&user, RemoteAnswer::SignedIn),
                Command::Console { profile } => self.console(act_tx, profile),
                Command::Reload => {
                    let result = self.reload();
                    suspended |= self.apply(Action::Reloaded(result), act_tx, waiters);
                }
                Command::Logout { profile } => self.logout(act_tx, profile),
                Command::InitDiscover { profile } => self.init_discover(act_tx, profile),
                Command::InitWrite { profile, serial } => {
                    let text = match crate::aws::iam::init::write_serial(self.engine.paths(), &profile, &serial) {
                        Ok(()) => {
                            let result = self.reload();
                            suspended |= self.apply(Action::Reloaded(result), act_tx, waiters);
                            (Level::Success, format!("{profile}: mfa_serial = {serial} written; r signs it in"))
                        }
                        Err(e) => (Level::Error, format!("{profile}: {e}")),
                    };
                    suspended |= self.apply(Action::Notice { level: text.0, text: text.1 }, act_tx, waiters);
                }
                Command::IamAnswer { id, yes } => waiters.answer_question(id, yes),
                c @ (Command::IamLoad { .. }
                | Command::IamPlanFix { .. }
                | Command::IamApplyFix { .. }
                | Command::IamRotate { .. }
                | Command::IamKey { .. }) => self.iam(c, act_tx, waiters),
            }
        }
        suspended
    }

    /// Read the AWS files again; the new plan replaces the one held, and the rows go to
    /// `update` as `Action::Reloaded`.
    fn reload(&mut self) -> Result<(crate::state::Built, String), String> {
        let Some(reload) = &self.reload else { return Err("this dashboard does not read AWS files".into()) };
        let (plan, rows, config_path) = reload().map_err(|e| format!("{e:#}"))?;
        *self.plan.write().expect("plan lock") = Arc::new(plan);
        Ok((rows, config_path))
    }

    fn spawn(
        &self,
        act_tx: &mpsc::UnboundedSender<Action>,
        which: Which,
        code: Option<crate::aws::secret::Secret>,
        prompting: Prompting,
        all: bool,
    ) {
        let (engine, plan, tx) = (self.engine.clone(), self.plan(), act_tx.clone());
        let sink = progress_sink(&tx);
        tokio::spawn(async move {
            let reports = engine.refresh(&plan, &which, code.as_ref(), prompting, &sink).await;
            for r in &reports {
                for (name, result) in &r.roles {
                    if let Err(e) = result {
                        tracing::warn!(profile = %name, error = %e, "role not renewed");
                    }
                }
            }
            let (sessions, aliases) = snapshot(&engine);
            let _ = tx.send(Action::Finished { reports, sessions, all });
            let _ = tx.send(Action::Aliases(aliases));
        });
    }
}

/// Engine news (progress of a sign-in or a refresh) reaches the loop as actions.
fn progress_sink(tx: &mpsc::UnboundedSender<Action>) -> crate::aws::engine::Sink {
    let (ptx, mut prx) = mpsc::unbounded_channel::<Progress>();
    let forward = tx.clone();
    tokio::spawn(async move {
        while let Some(p) = prx.recv().await {
            let _ = forward.send(Action::Progress(p));
        }
    });
    Some(ptx)
}

/// Copy off the loop (helper programs run); the outcome comes back as a notice.
fn copy(act_tx: &mpsc::UnboundedSender<Action>, text: String, what: String) {
    let tx = act_tx.clone();
    tokio::task::spawn_blocking(move || {
        let (ok, message) = clipboard::copy(&text, &what);
        let level = if ok { Level::Success } else { Level::Warn };
        let _ = tx.send(Action::Notice { level, text: message });
    });
}
