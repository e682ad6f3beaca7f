use clap::Parser;
use mfatui::aws::clock::now_secs;
use mfatui::aws::config::{self, AwsEnv};
use mfatui::aws::engine::{Plan, Which};
use mfatui::aws::store::SessionStore;
use mfatui::cli::{Cli, CliCommand, Tuning, VaultAction};
use mfatui::commands::{
    self, adopt, channels, completions, console, dashboard, demo, doctor, iam, init, list, sandbox, session,
};
use mfatui::prompters::Order;
use mfatui::settings::Settings;
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
            mfatui::display::warn_line(&format!("mfatui: error: {e:#}"));
            ExitCode::from(2)
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

/// The settings file, with command-line flags on top.
fn settings(env: &AwsEnv, tuning: &Tuning) -> anyhow::Result<Settings> {
    let config_home = std::env::var_os("XDG_CONFIG_HOME").map(std::path::PathBuf::from).filter(|p| p.is_absolute());
    let path = Settings::path(config_home.as_deref(), env.home.as_deref());
    let mut s = Settings::load(path.as_deref())?;
    if let Some(m) = tuning.margin {
        s.refresh_margin_secs = m;
    }
    if let Some(c) = tuning.concurrency {
        s.concurrency = usize::from(c);
    }
    if let Some(e) = tuning.export {
        s.export = e.into();
    }
    Ok(s)
}

fn run(cli: Cli, started: std::time::Instant) -> anyhow::Result<u8> {
    let env = AwsEnv::from_process();
    if !matches!(
        cli.command,
        Some(
            CliCommand::List { .. }
                | CliCommand::Doctor
                | CliCommand::Sandbox { .. }
                | CliCommand::Demo
                | CliCommand::Completions { .. }
                | CliCommand::CompleteProfiles { .. }
                | CliCommand::Man
        )
    ) {
        session::check_environment()?;
    }
    let Some(command) = cli.command else {
        if !io::stdin().is_terminal() || !io::stdout().is_terminal() {
            anyhow::bail!(
                "the dashboard needs a terminal (stdin and stdout are not one here); for scripts use the headless commands: mfatui login, refresh, status, list (mfatui --help lists them all)"
            );
        }
        let s = settings(&env, &cli.tuning)?;
        let preselect = cli.profile.or_else(|| env.profile.clone());
        return runtime()?.block_on(dashboard::run(&env, &s, None, started, None, preselect)).map(|_| 0);
    };
    match command {
        CliCommand::Demo => {
            let s = settings(&env, &Tuning::default())?;
            runtime()?.block_on(demo::run(&s, started)).map(|_| 0)
        }
        CliCommand::Sandbox { port, seed } => runtime()?.block_on(sandbox::run(port, seed.as_deref())).map(|_| 0),
        CliCommand::Vault { action } => {
            let s = settings(&env, &Tuning::default())?;
            match action {
                VaultAction::Add { profile } => commands::vault::add(&env, &s, &profile),
                VaultAction::Import { profiles, all, from } => commands::vault::import(&env, &s, &profiles, all, from),
                VaultAction::Export { profile } => commands::vault::export(&env, &s, &profile),
            }
        }
        CliCommand::List { json } => read_only(&env, json, false),
        CliCommand::Doctor => read_only(&env, false, true),
        CliCommand::Login { profile, code, tuning } => {
            let code = session::read_code(code)?;
            with_engine(&env, &tuning, Order::TerminalFirst, false, |out, engine, plan, rt| match &profile {
                Some(profile) => rt.block_on(session::login(out, engine, plan, profile, code)),
                None => rt.block_on(session::login_all(out, engine, plan, code)),
            })
        }
        CliCommand::Refresh { all, profiles, code, tuning } => {
            let code = session::read_code(code)?;
            with_engine(&env, &tuning, Order::TerminalFirst, false, |out, engine, plan, rt| {
                let which = if all {
                    Which::All
                } else if profiles.is_empty() {
                    Which::Due
                } else {
                    let names = profiles
                        .iter()
                        .map(|p| plan.resolve(p).map(|r| r.name().to_string()))
                        .collect::<Result<_, _>>()?;
                    Which::Profiles(names)
                };
                rt.block_on(session::refresh(out, engine, plan, &which, code))
            })
        }
        CliCommand::CredentialProcess { profile } => {
            channels::credential_process(&env, &settings(&env, &Tuning::default())?, &profile)
        }
        CliCommand::Exec { profile, server, allow_nested, command } => {
            channels::exec(&env, &settings(&env, &Tuning::default())?, &profile, &command, server, allow_nested)
        }
        CliCommand::Env { profile, format } => {
            channels::env_command(&env, &settings(&env, &Tuning::default())?, &profile, format.into())
        }
        CliCommand::Serve { port, all, profile } => {
            channels::serve(&env, &settings(&env, &Tuning::default())?, port, profile.as_deref(), all)
        }
        CliCommand::Console { profile, print, region, destination } => console::run(
            &env,
            &settings(&env, &Tuning::default())?,
            &profile,
            print,
            region.as_deref(),
            destination.as_deref(),
        ),
        CliCommand::Completions { shell } => {
            completions::write(&mut io::stdout().lock(), shell)?;
            Ok(0)
        }
        CliCommand::CompleteProfiles { prefix } => {
            completions::profiles(&mut io::stdout().lock(), &env, &prefix)?;
            Ok(0)
        }
        CliCommand::Man => {
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut io::stdout())?;
            Ok(0)
        }
        CliCommand::Logout { profile } => {
            with_engine(&env, &Tuning::default(), Order::TerminalFirst, false, |out, engine, plan, _| {
                session::logout(out, engine, plan, profile.as_deref())
            })
        }
        CliCommand::Keys { profiles, json } => iam::keys(&env, settings(&env, &Tuning::default())?, &profiles, json),
        CliCommand::Rotate { profile, yes, keep_old, make_room } => {
            let flags = iam::RotateFlags { yes, keep_old, make_room };
            iam::rotate(&env, settings(&env, &Tuning::default())?, &profile, flags)
        }
        CliCommand::Audit { profiles, json, fix, yes, as_profile } => {
            let flags = iam::AuditFlags { json, fix, yes, as_profile };
            iam::audit(&env, settings(&env, &Tuning::default())?, &profiles, flags)
        }
        CliCommand::Adopt { profiles, all, undo, yes } => {
            let flags = adopt::Flags { all, undo, yes };
            adopt::run(&env, &settings(&env, &Tuning::default())?, &profiles, flags)
        }
        CliCommand::Init { profile, serial, yes } => {
            let profile = profile.or(env.profile.clone());
            init::run(&env, settings(&env, &Tuning::default())?, profile.as_deref(), serial.as_deref(), yes)
        }
        CliCommand::Status { json, profile } => {
            let profile = profile.or(env.profile.clone());
            with_engine(&env, &Tuning::default(), Order::TerminalFirst, json, |out, engine, plan, _| {
                session::status(out, engine, plan, profile.as_deref(), json)
            })
        }
    }
}

/// A command that signs in or reads sessions: config, plan, engine and a runtime, then `f`.
fn with_engine(
    env: &AwsEnv,
    tuning: &Tuning,
    order: Order,
    machine: bool,
    f: impl FnOnce(
        &mut mfatui::display::Output,
        &mfatui::aws::engine::Engine,
        &Plan,
        &tokio::runtime::Runtime,
    ) -> anyhow::Result<u8>,
) -> anyhow::Result<u8> {
    let (engine, plan) = session::ready(env, &settings(env, tuning)?, order)?;
    mfatui::logging::init(&env.state_dir()?);
    let rt = runtime()?;
    let mut out = mfatui::display::stdout(machine);
    let code = f(&mut out, &engine, &plan, &rt)?;
    out.flush()?;
    Ok(code)
}

fn read_only(env: &AwsEnv, json: bool, doctor: bool) -> anyhow::Result<u8> {
    let cfg = config::load(env)?;
    let graph = cfg.graph();
    let s = settings(env, &Tuning::default())?;
    let vault = commands::session::vault_for_here();
    let store_at = SessionStore::for_mode(&env.state_dir()?, s.vault, vault);
    let store = store_at.load();
    let mut out = BufWriter::new(mfatui::display::stdout(json));
    let external = mfatui::aws::external::sessions(&cfg.sections, &|k| std::env::var(k).ok());
    let input =
        list::ListInput { paths: &cfg.paths, graph: &graph, env, store: &store, external: &external, now: now_secs() };
    let code = if doctor {
        let plan = Plan::build(&cfg, &graph, &s.suffix, |k| std::env::var(k).ok());
        let unpublishable: Vec<(String, String)> =
            plan.exported().filter_map(|e| Some((e.name.to_string(), e.managed.as_ref().err()?.to_string()))).collect();
        let code =
            doctor::run(&mut out, &graph, store.warning.as_deref(), &unpublishable, (&external, now_secs()))? as u8;
        let secrets = commands::vault::report(&plan, &cfg, &s, store_at.path());
        if !secrets.users.is_empty() {
            writeln!(out)?;
            for line in commands::vault::doctor_lines(&secrets) {
                writeln!(out, "{}", mfatui::aws::sanitize::for_terminal(&line))?;
            }
        }
        code
    } else if json {
        let plan = Plan::build(&cfg, &graph, &s.suffix, |k| std::env::var(k).ok());
        let secrets = commands::vault::report(&plan, &cfg, &s, store_at.path());
        list::write_json(&mut out, &input, Some(&secrets), io::stdout().is_terminal()).map(|_| 0)?
    } else {
        list::write_table(&mut out, &input).map(|_| 0)?
    };
    out.flush()?;
    // Freeing thousands of small allocations just before exit is pure cost.
    std::mem::forget(graph);
    std::mem::forget(cfg);
    Ok(code)
}
