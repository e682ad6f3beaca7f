use clap::Parser;
use mfatui::aws::config::{self, AwsEnv};
use mfatui::aws::engine::{Plan, Settings, Which};
use mfatui::aws::store::{SessionStore, now_secs};
use mfatui::cli::{Cli, Command};
use mfatui::commands::{dashboard, demo, doctor, list, sandbox, session};
use mfatui::settings::Settings as UserSettings;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    let cli = Cli::parse();
    match run(cli, started) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // A closed pipe (`mfatui list | head`) is the reader's choice, not an error.
            if e.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe) {
                return ExitCode::SUCCESS;
            }
            eprintln!("mfatui: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Ask for a code on the terminal; `None` when there is no terminal to ask on.
fn prompt_code(user: &str, serial: &str) -> anyhow::Result<Option<String>> {
    if !io::stdin().is_terminal() {
        return Ok(None);
    }
    eprint!("MFA code for {user} ({serial}): ");
    io::stderr().flush()?;
    let mut line = String::new();
    io::stdin().read_line(&mut line)?;
    Ok(Some(line.trim().to_string()))
}

fn run_session(command: Command, settings: Settings) -> anyhow::Result<u8> {
    let env = AwsEnv::from_process();
    let cfg = config::load(&env)?;
    let graph = cfg.graph();
    let plan = Plan::build(&cfg, &graph, &settings.suffix, |k| std::env::var(k).ok());
    let engine = session::engine(&env, &cfg, settings)?;
    let mut out = io::stdout().lock();
    let rt = runtime()?;
    let code = match command {
        Command::Login { profile, code } => {
            rt.block_on(session::login(&mut out, &engine, &plan, &profile, code, prompt_code))?
        }
        Command::Refresh { all, profiles, code } => {
            let which = if all {
                Which::All
            } else if profiles.is_empty() {
                Which::Due
            } else {
                Which::Profiles(profiles)
            };
            rt.block_on(session::refresh(&mut out, &engine, &plan, &which, code))?
        }
        Command::Logout { profile } => session::logout(&mut out, &engine, &plan, profile.as_deref())?,
        Command::Status { json, profile } => {
            let profile = profile.or(env.profile.clone());
            session::status(&mut out, &engine, &plan, profile.as_deref(), json)?
        }
        _ => 2,
    };
    out.flush()?;
    Ok(code)
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

/// The settings file, with command-line flags on top.
fn settings(cli: &Cli, env: &AwsEnv) -> anyhow::Result<UserSettings> {
    let config_home = std::env::var_os("XDG_CONFIG_HOME").map(std::path::PathBuf::from).filter(|p| p.is_absolute());
    let path = UserSettings::path(config_home.as_deref(), env.home.as_deref());
    let mut s = UserSettings::load(path.as_deref())?;
    if let Some(suffix) = &cli.suffix {
        s.suffix = suffix.clone();
    }
    if let Some(m) = cli.margin {
        s.refresh_margin_secs = m;
    }
    if let Some(c) = cli.concurrency {
        s.concurrency = usize::from(c);
    }
    Ok(s)
}

fn run(cli: Cli, started: std::time::Instant) -> anyhow::Result<u8> {
    let user_settings = settings(&cli, &AwsEnv::from_process())?;
    let settings = user_settings.engine();
    let command = match cli.command {
        Some(c) => c,
        None => {
            let env = AwsEnv::from_process();
            return runtime()?.block_on(dashboard::run(&env, &user_settings, None, started, None)).map(|_| 0);
        }
    };
    let (json, doctor) = match command {
        Command::Demo => return runtime()?.block_on(demo::run(&user_settings, started)).map(|_| 0),
        Command::Sandbox { port, seed } => return runtime()?.block_on(sandbox::run(port, seed.as_deref())).map(|_| 0),
        Command::List { json } => (json, false),
        Command::Doctor => (false, true),
        other => return run_session(other, settings),
    };
    let env = AwsEnv::from_process();
    let cfg = config::load(&env)?;
    let graph = cfg.graph();
    let store = SessionStore::in_dir(&env.state_dir()?).load();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let input = list::ListInput { paths: &cfg.paths, graph: &graph, env: &env, store: &store, now: now_secs() };
    let code = if doctor {
        doctor::run(&mut out, &graph, store.warning.as_deref())? as u8
    } else if json {
        list::write_json(&mut out, &input, io::stdout().is_terminal()).map(|_| 0)?
    } else {
        list::write_table(&mut out, &input).map(|_| 0)?
    };
    out.flush()?;
    // Freeing thousands of small allocations just before exit is pure cost.
    std::mem::forget(graph);
    std::mem::forget(cfg);
    Ok(code)
}
