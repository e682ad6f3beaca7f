//! The dashboard's loop: terminal events, engine results, a 1 Hz tick and the refresher's timer
//! go through one `select!`; keys become actions, `update` changes state and may emit commands,
//! which run on tokio and come back as actions carrying their data. Redraws happen after events,
//! never in a busy loop.

use crate::action::{Action, Command};
use crate::aws::engine::{Engine, Plan, Progress};
use crate::keymap;
use crate::state::AppState;
use crate::ui;
use crate::update::update;
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event,
};
use ratatui::crossterm::execute;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Something that recomputes the demo's help line (the devices' current codes).
pub type Hint = Box<dyn Fn() -> String + Send>;

pub struct Dashboard {
    pub state: AppState,
    pub engine: Engine,
    pub plan: Arc<Plan>,
    pub hint: Option<Hint>,
    /// When the process started, for the first-frame figure.
    pub started: Instant,
    /// `MFATUI_TIMING`: where to write first-frame and key-to-frame times (benchmarks).
    pub timing: Option<std::fs::File>,
}

/// Session expirations and account aliases, from one read of the store.
fn snapshot(engine: &Engine) -> (HashMap<String, i64>, BTreeMap<String, String>) {
    let loaded = engine.store.load();
    let sessions = loaded.sessions.into_iter().filter_map(|(k, v)| Some((k, v.expires_at()?))).collect();
    (sessions, loaded.account_aliases)
}

/// Restores the terminal however the loop ends (panics: ratatui's own hook does it).
struct TerminalGuard;

impl TerminalGuard {
    fn enter() -> anyhow::Result<(Self, DefaultTerminal)> {
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

/// OSC 52: the terminal puts the text on the clipboard (works over ssh and in tmux).
fn osc52(text: &str) {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            out.push(if i <= chunk.len() { B64[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
        }
    }
    let mut stdout = std::io::stdout();
    let _ = write!(stdout, "\x1b]52;c;{out}\x07");
    let _ = stdout.flush();
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
    pub async fn run(mut self) -> anyhow::Result<()> {
        let (_guard, mut terminal) = TerminalGuard::enter()?;
        let (ev_tx, mut ev_rx) = mpsc::unbounded_channel::<(Instant, Event)>();
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
        let (act_tx, mut act_rx) = mpsc::unbounded_channel::<Action>();
        let mut ticker = tokio::time::interval(Duration::from_secs(1));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);

        (self.state.sessions, self.state.aliases) = snapshot(&self.engine);
        self.geometry(terminal.size()?.into());
        self.tick(Action::Tick { now: self.engine.clock.now() }, &act_tx);
        terminal.draw(|f| ui::draw(f, &self.state))?;
        self.record(format!("{{\"first_frame_ms\": {:.2}}}", self.started.elapsed().as_secs_f64() * 1000.0));
        tracing::info!(profiles = self.state.rows.len(), "dashboard started");

        let mut ticks: u64 = 0;
        // When the refresher must next run. It changes only when sessions change, so it is not
        // recomputed (a store read) on every key and tick.
        let mut next_due = self.engine.next_due(&self.plan);
        // A role that keeps failing stays "due": never run due refreshes more often than this,
        // or a denied role would be retried against STS every second.
        const MIN_REFRESH_GAP: Duration = Duration::from_secs(30);
        let mut last_due_run = Instant::now() - MIN_REFRESH_GAP;
        loop {
            let due = next_due.map_or(Duration::from_secs(60), |t| {
                Duration::from_secs((t - self.engine.clock.now()).clamp(1, 60) as u64)
            });
            let due = due.max(MIN_REFRESH_GAP.saturating_sub(last_due_run.elapsed()));
            let mut key_at = None;
            let action = tokio::select! {
                Some((at, ev)) = ev_rx.recv() => {
                    key_at = Some(at);
                    match keymap::map(&self.state.mode, ev) {
                        Some(a) => a,
                        None => continue,
                    }
                }
                Some(a) = act_rx.recv() => a,
                _ = ticker.tick() => {
                    ticks += 1;
                    if ticks.is_multiple_of(5) {
                        let (sessions, aliases) = snapshot(&self.engine);
                        self.apply(Action::Sessions(sessions), &act_tx);
                        self.apply(Action::Aliases(aliases), &act_tx);
                        next_due = self.engine.next_due(&self.plan);
                    }
                    Action::Tick { now: self.engine.clock.now() }
                }
                _ = tokio::time::sleep(due) => {
                    last_due_run = Instant::now();
                    Action::RefreshDue
                }
            };
            if let Action::Resize { width, height } = action {
                self.geometry(ratatui::layout::Rect::new(0, 0, width, height));
            }
            let sessions_changed = matches!(action, Action::Finished { .. });
            let suspended = if matches!(action, Action::Tick { .. }) {
                self.tick(action, &act_tx)
            } else {
                self.apply(action, &act_tx)
            };
            if sessions_changed {
                next_due = self.engine.next_due(&self.plan);
            }
            if self.state.quit {
                break;
            }
            if suspended {
                terminal = ratatui::try_init()?;
                execute!(std::io::stdout(), EnableMouseCapture, EnableBracketedPaste)?;
                terminal.clear()?;
            }
            terminal.draw(|f| ui::draw(f, &self.state))?;
            if let Some(at) = key_at {
                self.record(format!("{{\"key_to_frame_ms\": {:.3}}}", at.elapsed().as_secs_f64() * 1000.0));
            }
        }
        stop.store(true, Ordering::Relaxed);
        tracing::info!("dashboard closed");
        Ok(())
    }

    /// A tick, plus the demo's help line: its codes change with time, not with keys.
    fn tick(&mut self, tick: Action, act_tx: &mpsc::UnboundedSender<Action>) -> bool {
        let suspended = self.apply(tick, act_tx);
        if let Some(h) = &self.hint {
            self.state.demo_hint = Some(h());
        }
        suspended
    }

    fn geometry(&mut self, area: ratatui::layout::Rect) {
        let (rows, top) = ui::table_geometry(area, &self.state);
        self.state.viewport = rows;
        self.state.table_top = top;
    }

    fn record(&mut self, line: String) {
        if let Some(f) = &mut self.timing {
            let _ = writeln!(f, "{line}");
        }
    }

    /// Update state and start whatever commands follow. Returns whether the process was suspended.
    fn apply(&mut self, action: Action, act_tx: &mpsc::UnboundedSender<Action>) -> bool {
        let mut suspended = false;
        for command in update(&mut self.state, action) {
            match command {
                Command::Copy(text) => osc52(&text),
                Command::Suspend => suspended = suspend().is_ok(),
                Command::SignIn { user, code } => {
                    tracing::info!(%user, "sign-in with a typed code");
                    self.spawn(act_tx, Some(user.clone()), crate::aws::engine::Which::Profiles(vec![user]), Some(code));
                }
                Command::Refresh(which) => {
                    tracing::info!(?which, "refresh");
                    self.spawn(act_tx, None, which, None);
                }
            }
        }
        suspended
    }

    fn spawn(
        &self,
        act_tx: &mpsc::UnboundedSender<Action>,
        signed_in: Option<String>,
        which: crate::aws::engine::Which,
        code: Option<crate::aws::secret::Secret>,
    ) {
        let (engine, plan, tx) = (self.engine.clone(), self.plan.clone(), act_tx.clone());
        let (ptx, mut prx) = mpsc::unbounded_channel::<Progress>();
        let forward = tx.clone();
        tokio::spawn(async move {
            while let Some(p) = prx.recv().await {
                let _ = forward.send(Action::Progress(p));
            }
        });
        tokio::spawn(async move {
            let reports = engine.refresh(&plan, &which, code, &Some(ptx)).await;
            for r in &reports {
                for (name, result) in &r.roles {
                    if let Err(e) = result {
                        tracing::warn!(profile = %name, error = %e, "role not renewed");
                    }
                }
            }
            let (sessions, aliases) = snapshot(&engine);
            let _ = tx.send(Action::Finished { reports, sessions, signed_in });
            let _ = tx.send(Action::Aliases(aliases));
        });
    }
}

/// Log to a file, never to the screen the dashboard draws on.
pub fn init_logging(state_dir: &std::path::Path) {
    let _ = std::fs::create_dir_all(state_dir);
    let Ok(file) = std::fs::OpenOptions::new().create(true).append(true).open(state_dir.join("mfatui.log")) else {
        return;
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_target(false)
        .try_init();
}
