//! `mfatui doctor`: every diagnostic, with file and line; exit 1 when a profile is broken.

use crate::aws::config::{ProfileGraph, Severity};
use crate::display::plural;
use std::io::{self, Write};

pub fn run(out: &mut impl Write, graph: &ProfileGraph, store_warning: Option<&str>) -> io::Result<i32> {
    let diags = &graph.diagnostics;
    // Lines that make the AWS CLI and SDKs refuse a whole file first: they break everything.
    for d in diags.iter().filter(|d| d.rejects_file).chain(diags.iter().filter(|d| !d.rejects_file)) {
        writeln!(out, "{d}")?;
    }
    if let Some(w) = store_warning {
        writeln!(out, "warning: {w}")?;
    }
    let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
    let broken = graph.profiles.iter().filter(|p| graph.is_broken(p.name)).count();
    let profiles = plural(graph.profiles.len(), "profile", "profiles");
    if diags.is_empty() {
        writeln!(out, "No problems found in {profiles}.")?;
    } else {
        writeln!(
            out,
            "\n{}, {}; {broken} of {profiles} broken.",
            plural(errors, "error", "errors"),
            plural(diags.len() - errors, "warning", "warnings"),
        )?;
    }
    Ok(if errors > 0 { 1 } else { 0 })
}
