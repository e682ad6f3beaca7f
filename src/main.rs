use clap::Parser;
use mfatui::aws::config::{self, AwsEnv};
use mfatui::aws::store::{SessionStore, now_secs};
use mfatui::cli::{Cli, Command};
use mfatui::commands::{doctor, list};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
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

fn run(cli: Cli) -> anyhow::Result<u8> {
    let env = AwsEnv::from_process();
    let cfg = config::load(&env)?;
    let graph = cfg.graph();
    let store = SessionStore::in_dir(&env.state_dir()?).load();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let input = list::ListInput { paths: &cfg.paths, graph: &graph, env: &env, store: &store, now: now_secs() };
    let code = match cli.command.unwrap_or(Command::List { json: false }) {
        Command::List { json: true } => list::write_json(&mut out, &input, io::stdout().is_terminal()).map(|_| 0)?,
        Command::List { json: false } => list::write_table(&mut out, &input).map(|_| 0)?,
        Command::Doctor => doctor::run(&mut out, &graph, store.warning.as_deref())? as u8,
    };
    out.flush()?;
    // Freeing thousands of small allocations just before exit is pure cost.
    std::mem::forget(graph);
    std::mem::forget(cfg);
    Ok(code)
}
