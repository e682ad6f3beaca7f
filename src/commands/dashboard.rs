//! `mfatui` with no arguments: the full-screen dashboard.

use crate::app::{Dashboard, Hint, init_logging};
use crate::aws::config::{self, AwsEnv, Severity};
use crate::aws::engine::Plan;
use crate::settings::Settings;
use crate::state::{AppState, Level};
use std::sync::Arc;
use std::time::Instant;

/// `endpoint`: an STS endpoint override (the demo's sandbox); `None` reads the environment.
pub async fn run(
    env: &AwsEnv,
    settings: &Settings,
    endpoint: Option<String>,
    started: Instant,
    hint: Option<Hint>,
) -> anyhow::Result<()> {
    let cfg = config::load(env)?;
    let graph = cfg.graph();
    let plan = Plan::build(&cfg, &graph, &settings.suffix, |k| std::env::var(k).ok());
    let mut engine = crate::commands::session::engine(env, &cfg, settings.engine())?;
    engine.interactive = false;
    if endpoint.is_some() {
        engine.endpoint = endpoint;
    }
    init_logging(&env.state_dir()?);
    let mut state = AppState::new(&cfg, &graph, &plan, settings, engine.clock.now());
    state.no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let broken = graph.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    if broken > 0 {
        state.log(
            Level::Warn,
            format!("{broken} problem(s) in your AWS config: see the marked rows, or run mfatui doctor"),
        );
    }
    let timing = std::env::var_os("MFATUI_TIMING").and_then(|p| std::fs::File::create(p).ok());
    Dashboard { state, engine, plan: Arc::new(plan), hint, started, timing }.run().await
}
