//! `mfatui doctor`: every diagnostic, with file and line; exit 1 when a profile is broken.

use crate::aws::config::{ProfileGraph, Severity};
use crate::aws::external::ExternalSession;
use crate::display::plural;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// `unpublishable`: profiles whose session other tools cannot be given, and why (a managed name
/// taken by one of the user's own profiles, …).
pub fn run(
    out: &mut impl Write,
    graph: &ProfileGraph,
    store_warning: Option<&str>,
    unpublishable: &[(String, String)],
    (external, now): (&BTreeMap<String, ExternalSession>, i64),
) -> io::Result<i32> {
    let diags = &graph.diagnostics;
    // Lines that make the AWS CLI and SDKs refuse a whole file first: they break everything.
    for d in diags.iter().filter(|d| d.rejects_file).chain(diags.iter().filter(|d| !d.rejects_file)) {
        writeln!(out, "{d}")?;
    }
    for (profile, why) in unpublishable {
        writeln!(out, "error: profile `{profile}`: mfatui cannot publish its session: {why}")?;
    }
    if let Some(w) = store_warning {
        writeln!(out, "warning: {w}")?;
    }
    // Not problems of the files: what the AWS CLI keeps for SSO and `aws login` profiles, and
    // the command that renews what has ended.
    for e in external.values().filter(|e| !graph.is_broken(&e.profile)) {
        writeln!(out, "note: profile `{}`: {}", e.profile, e.describe(now))?;
    }
    let warnings = diags.iter().filter(|d| d.severity != Severity::Error).count();
    let errors = diags.len() - warnings + unpublishable.len();
    let broken = graph.profiles.iter().filter(|p| graph.is_broken(p.name)).count();
    let profiles = plural(graph.profiles.len(), "profile", "profiles");
    if diags.is_empty() && unpublishable.is_empty() {
        writeln!(out, "No problems found in {profiles}.")?;
    } else {
        writeln!(
            out,
            "\n{}, {}; {broken} of {profiles} broken.",
            plural(errors, "error", "errors"),
            plural(warnings, "warning", "warnings"),
        )?;
    }
    Ok(if errors > 0 { 1 } else { 0 })
}

#[cfg(test)]
mod tests {
    use crate::aws::config::{ConfigSet, FileKind, ProfileGraph};

    #[test]
    fn a_loop_of_a_thousand_profiles_prints_a_few_lines() {
        let mut config = String::new();
        for i in 0..1_000 {
            config.push_str(&format!(
                "[profile l{i:04}]\nrole_arn = arn:aws:iam::111111111111:role/l{i:04}\nsource_profile = l{:04}\n",
                (i + 1) % 1_000
            ));
        }
        let mut set = ConfigSet::default();
        set.merge_file(FileKind::Config, std::path::Path::new("/h/.aws/config"), &config);
        let g = ProfileGraph::build(&set);
        let mut out = Vec::new();
        super::run(&mut out, &g, None, &[], (&Default::default(), 0)).unwrap();
        assert!(out.len() < 2_000, "doctor prints {} bytes", out.len());
    }
}
