//! `mfatui` with no arguments: the full-screen dashboard. It also answers MFA prompts for other
//! mfatui processes (credential-process, serve, exec…) over its socket.

use crate::app::prompts::InProcess;
use crate::app::{Dashboard, Hint, Inbox, Reloader};
use crate::aws::config::{self, AwsEnv, Severity};
use crate::aws::engine::Plan;
use crate::display::plural;
use crate::prompters::socket::{ServeError, Server};
use crate::settings::Settings;
use crate::state::{AppState, Level};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

fn plan_for(cfg: &config::LoadedConfig, graph: &config::ProfileGraph, settings: &Settings) -> Plan {
    Plan::build(cfg, graph, &settings.suffix, |k| std::env::var(k).ok())
}

/// `endpoint`: an STS endpoint override (the demo's sandbox); `None` reads the environment.
/// `preselect`: a profile (or managed name) whose row starts selected.
pub async fn run(
    env: &AwsEnv,
    settings: &Settings,
    endpoint: Option<String>,
    started: Instant,
    hint: Option<Hint>,
    preselect: Option<String>,
) -> anyhow::Result<()> {
    // Clients of the socket and the endpoint must not run the dashboard out of descriptors.
    crate::aws::loopback::conns::raise_fd_limit();
    // Where start-up time goes, for `benches/dashboard.py` (MFATUI_TIMING): milliseconds since
    // the process started, at each step.
    let mut stages: Vec<(&str, f64)> = Vec::new();
    let mut stage = |name: &'static str| stages.push((name, started.elapsed().as_secs_f64() * 1000.0));
    let cfg = config::load(env)?;
    stage("config_read");
    let graph = cfg.graph();
    stage("graph");
    let plan = plan_for(&cfg, &graph, settings);
    stage("plan");
    let state_dir = env.state_dir()?;
    let (local_tx, local_rx) = mpsc::unbounded_channel();
    let engine = crate::commands::session::engine_builder(
        env,
        &cfg,
        settings.engine(),
        crate::prompters::Order::DashboardFirst,
    )?
    .prompter(Arc::new(InProcess::new(local_tx)))
    // mfa_process must not print over the dashboard.
    .interactive(false)
    // The demo's sandbox also serves the console federation endpoint.
    .federation(endpoint.as_ref().map(|url| format!("{url}/federation")))
    .endpoint(endpoint)
    .build();
    crate::logging::init(&state_dir);
    stage("engine");
    let mut state = AppState::new(&cfg, &graph, &plan, settings, engine.clock().now());
    stage("rows");
    // The engine's rule, which knows whether the AWS CLI's cache is kept.
    state.prefs.renewal = engine.renewal();
    state.prefs.no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let broken: Vec<_> = graph.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    match &broken[..] {
        [] => {}
        [one] => {
            let subject =
                one.profile.as_deref().map_or_else(|| "your AWS config".to_string(), |p| format!("profile {p}"));
            state.log(Level::Warn, format!("{subject}: {} (mfatui doctor lists every problem)", one.message));
        }
        many => {
            let mut names: Vec<&str> = many.iter().filter_map(|d| d.profile.as_deref()).collect();
            names.dedup();
            state.log(
                Level::Warn,
                format!(
                    "{} in your AWS config ({}): the marked rows say what, mfatui doctor lists them",
                    plural(many.len(), "problem", "problems"),
                    names.join(", ")
                ),
            );
        }
    }
    if let Some(name) = preselect {
        let target = plan.resolve(&name).map(|r| r.name().to_string()).unwrap_or(name.clone());
        if !state.profiles.select_profile(&target) {
            state.log(Level::Warn, format!("--profile {name}: no such row (mfatui list shows every profile)"));
        }
    }
    let (remote_tx, remote_rx) = mpsc::unbounded_channel();
    match Server::bind(&state_dir) {
        Ok(server) => {
            tracing::info!(socket = %server.path().display(), "answering MFA prompts for other processes");
            tokio::spawn(server.serve(remote_tx));
        }
        Err(ServeError::Taken) => {
            state.log(Level::Info, "another mfatui dashboard answers MFA prompts for other programs; this one does not")
        }
        Err(e) => state.log(Level::Warn, format!("MFA prompts from other programs will not reach this dashboard: {e}")),
    }
    let mut timing = std::env::var_os("MFATUI_TIMING").and_then(|p| std::fs::File::create(p).ok());
    if let Some(f) = &mut timing {
        use std::io::Write;
        let steps: Vec<String> = stages.iter().map(|(n, ms)| format!("\"{n}\": {ms:.2}")).collect();
        let _ = writeln!(f, "{{\"startup_ms\": {{{}}}}}", steps.join(", "));
    }
    let mut watched = vec![cfg.paths.config.clone(), cfg.paths.credentials.clone()];
    // `aws sso login` / `aws login` rewriting their caches: the rows' expiries are read again.
    watched.extend(plan.external.values().filter_map(|s| s.cache_file().map(std::path::Path::to_path_buf)));
    let (env2, settings2) = (env.clone(), settings.clone());
    let reload: Reloader = Box::new(move || {
        let cfg = config::load(&env2)?;
        let graph = cfg.graph();
        let plan = plan_for(&cfg, &graph, &settings2);
        let rows = crate::state::build_rows(&cfg, &graph, &plan, &settings2);
        Ok((plan, rows, cfg.paths.config.display().to_string()))
    });
    // One pane serves everything: the container-credentials endpoint, when configured.
    // The one plan: the loop replaces it on reload, and the endpoint serves from it.
    let plan = Arc::new(std::sync::RwLock::new(Arc::new(plan)));
    let mut serving = None;
    if let Some(port) = settings.serve_port {
        let all = crate::aws::channels::server::Scope::All;
        match crate::aws::channels::server::start(engine.clone(), plan.clone(), port, &state_dir, all).await {
            Ok(h) => {
                state.log(
                    Level::Info,
                    format!(
                        "serving credentials on {} (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE={})",
                        h.url("PROFILE"),
                        h.token_file.display()
                    ),
                );
                serving = Some(h);
            }
            Err(e) => state.log(Level::Error, format!("cannot serve credentials: {e}")),
        }
    }
    let dashboard = Dashboard {
        state,
        engine,
        plan,
        hint,
        started,
        timing,
        min_refresh_gap: Duration::from_secs(30),
        reload: Some(reload),
        watched,
    };
    let result = dashboard.run(Inbox { local: local_rx, remote: remote_rx }).await;
    drop(serving);
    result
}
