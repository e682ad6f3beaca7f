//! `mfatui adopt [PROFILE…|--all]` and `mfatui adopt --undo [PROFILE…]`: shows each section
//! before and after, asks on the terminal, then writes through the core's `adopt` (which
//! checks, backs up and writes). Every word about what is refused comes from the core.

use crate::aws::adopt::{self, AdoptError, Change, OTHER_TOOLS};
use crate::aws::config::{self, AwsEnv};
use crate::aws::engine::Plan;
use crate::aws::userfile::FileChange;
use crate::commands::iam::{ask_tty, has_tty};
use crate::commands::session::program_path;
use crate::display::plural;
use std::io::Write;

#[derive(Debug, Clone, Copy)]
pub struct Flags {
    pub all: bool,
    pub undo: bool,
    pub yes: bool,
}

fn show(out: &mut impl Write, path: &str, changes: &[Change]) -> std::io::Result<()> {
    for c in changes {
        writeln!(out, "{} in {path}:", c.profile)?;
        writeln!(out, "  now:")?;
        for line in c.before.lines() {
            writeln!(out, "    {line}")?;
        }
        writeln!(out, "  after:")?;
        for line in c.after.lines() {
            writeln!(out, "    {line}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// Exit 0 when done (or nothing to do), 1 when declined, 2 on a refusal or error.
pub fn run(env: &AwsEnv, settings: &crate::settings::Settings, named: &[String], flags: Flags) -> anyhow::Result<u8> {
    let cfg = config::load(env)?;
    let graph = cfg.graph();
    let plan = Plan::build(&cfg, &graph, &settings.suffix, |k| std::env::var(k).ok());
    let mut out = crate::display::stdout(false);
    let prepared = if flags.undo {
        adopt::prepare_undo(&cfg, named)
    } else {
        let profiles: Vec<String> = if flags.all {
            // Every role mfatui signs in that can be adopted; the others are said, not fatal.
            let mut ok = Vec::new();
            for r in &plan.roles {
                match adopt::prepare(&cfg, &plan, std::slice::from_ref(&r.name), &program_path()) {
                    Ok(_) => ok.push(r.name.clone()),
                    Err(AdoptError::Already(_)) => {}
                    Err(e) => writeln!(out, "skipped: {e}")?,
                }
            }
            ok
        } else if named.is_empty() {
            anyhow::bail!("name the role profiles to adopt, or use --all (mfatui list shows them)");
        } else {
            named.to_vec()
        };
        adopt::prepare(&cfg, &plan, &profiles, &program_path())
    };
    let prepared = prepared?;
    let path = prepared.path.display().to_string();
    if prepared.changes.is_empty() {
        writeln!(
            out,
            "{}",
            if flags.undo { "No adopted profiles to give back." } else { "No role profiles to adopt." }
        )?;
        return Ok(0);
    }
    show(&mut out, &path, &prepared.changes)?;
    let n = prepared.changes.len();
    let what = plural(n, "profile", "profiles");
    if !flags.undo {
        writeln!(out, "{OTHER_TOOLS}")?;
    }
    out.flush()?;
    if !flags.yes {
        if !has_tty() {
            anyhow::bail!(
                "no terminal to confirm on: run with --yes to {} {what}",
                if flags.undo { "give back" } else { "adopt" }
            );
        }
        let question = if flags.undo { format!("Give back {what}?") } else { format!("Adopt {what}?") };
        if !ask_tty(&question) {
            writeln!(out, "Nothing changed.")?;
            return Ok(1);
        }
    }
    let backup = prepared.backup_path().display().to_string();
    match prepared.write()? {
        FileChange::Written if flags.undo => {
            writeln!(out, "Gave back {what} in {path} (the file as it was: {backup}).")?
        }
        FileChange::Written => writeln!(
            out,
            "Adopted {what} in {path} (the file as it was: {backup}). Every SDK now gets them from mfatui under their own names; sign in with `mfatui login` or the dashboard."
        )?,
        FileChange::Unchanged => writeln!(out, "Nothing changed.")?,
    }
    Ok(0)
}
