//! `mfatui doctor`: every diagnostic, with file and line; exit 1 when a profile is broken.

use crate::aws::config::{ProfileGraph, Severity};
use std::io::{self, Write};

pub fn run(out: &mut impl Write, graph: &ProfileGraph, store_warning: Option<&str>) -> io::Result<i32> {
    let diags = &graph.diagnostics;
    for d in diags {
        writeln!(out, "{d}")?;
    }
    if let Some(w) = store_warning {
        writeln!(out, "warning: {w}")?;
    }
    let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
    let broken: std::collections::BTreeSet<&str> =
        diags.iter().filter(|d| d.severity == Severity::Error).filter_map(|d| d.profile.as_deref()).collect();
    let n = graph.profiles.len();
    if diags.is_empty() {
        writeln!(out, "No problems found in {n} profile(s).")?;
    } else {
        writeln!(
            out,
            "\n{errors} error(s), {} warning(s); {} of {n} profile(s) broken.",
            diags.len() - errors,
            broken.len()
        )?;
    }
    Ok(if errors > 0 { 1 } else { 0 })
}
