//! `mfatui list`: every profile as a table, or as JSON with diagnostics.

use crate::aws::config::diagnostics::DiagnosticJson;
use crate::aws::config::{AwsEnv, AwsPaths, Profile, ProfileGraph, Severity};
use crate::aws::store::{Loaded, SessionState, rfc3339};
use crate::commands::human_duration;
use serde::Serialize;
use std::io::{self, Write};

/// One profile as `list` shows it: the resolved profile plus where it is, its session and its
/// problems. Shared by the table and the JSON.
#[derive(Debug, Serialize)]
pub struct ProfileRow<'a> {
    #[serde(flatten)]
    pub profile: &'a Profile<'a>,
    /// What a client would use: `AWS_REGION`/`AWS_DEFAULT_REGION` override the profile's.
    pub effective_region: Option<&'a str>,
    pub file: String,
    pub line: usize,
    pub session: SessionJson,
    pub broken: bool,
    pub diagnostics: Vec<DiagnosticJson<'a>>,
}

#[derive(Debug, Serialize)]
pub struct SessionJson {
    /// `none`, `valid` or `expired`.
    pub state: &'static str,
    pub expires_at: Option<String>,
    pub remaining_seconds: Option<i64>,
}

impl SessionJson {
    pub fn from_state(state: SessionState, expires_at: Option<i64>) -> Self {
        let (state, remaining) = match state {
            SessionState::None => ("none", None),
            SessionState::Valid { remaining_secs } => ("valid", Some(remaining_secs)),
            SessionState::Expired { .. } => ("expired", Some(0)),
        };
        Self { state, expires_at: expires_at.map(rfc3339), remaining_seconds: remaining }
    }

    fn describe(&self) -> String {
        match (self.state, self.remaining_seconds) {
            ("valid", Some(r)) => format!("valid {}", human_duration(r)),
            (s, _) => s.to_string(),
        }
    }
}

pub fn rows<'a>(graph: &'a ProfileGraph<'a>, env: &'a AwsEnv, store: &Loaded, now: i64) -> Vec<ProfileRow<'a>> {
    graph.profiles.iter().map(|p| row(graph, env, store, now, p)).collect()
}

fn row<'a>(
    graph: &'a ProfileGraph<'a>,
    env: &'a AwsEnv,
    store: &Loaded,
    now: i64,
    p: &'a Profile<'a>,
) -> ProfileRow<'a> {
    let stored = store.sessions.get(p.name);
    let state = stored.map_or(SessionState::None, |s| s.state_at(now));
    let diagnostics: Vec<DiagnosticJson> = graph.diagnostics_for(p.name).map(DiagnosticJson::from).collect();
    ProfileRow {
        profile: p,
        effective_region: env.region_override().or(p.region),
        file: p.at.path.display().to_string(),
        line: p.at.line,
        session: SessionJson::from_state(state, stored.and_then(|s| s.expires_at())),
        broken: diagnostics.iter().any(|d| d.severity == Severity::Error),
        diagnostics,
    }
}

#[derive(Serialize)]
struct ListJson<'a> {
    config_file: String,
    credentials_file: String,
    selected_profile: &'a str,
    region_override: Option<&'a str>,
    session_store_warning: Option<&'a str>,
    profiles: Vec<ProfileRow<'a>>,
    diagnostics: Vec<DiagnosticJson<'a>>,
}

/// What `list` shows: the files, the resolved profiles, and the session store.
pub struct ListInput<'a> {
    pub paths: &'a AwsPaths,
    pub graph: &'a ProfileGraph<'a>,
    pub env: &'a AwsEnv,
    pub store: &'a Loaded,
    pub now: i64,
}

/// `pretty` for a person at a terminal; compact for pipes, where it is ~20% faster to write.
pub fn write_json(out: &mut impl Write, input: &ListInput, pretty: bool) -> io::Result<()> {
    let ListInput { paths, graph, env, store, now } = *input;
    let doc = ListJson {
        config_file: paths.config.display().to_string(),
        credentials_file: paths.credentials.display().to_string(),
        selected_profile: env.selected_profile(),
        region_override: env.region_override(),
        session_store_warning: store.warning.as_deref(),
        profiles: rows(graph, env, store, now),
        diagnostics: graph.diagnostics.iter().map(DiagnosticJson::from).collect(),
    };
    if pretty {
        serde_json::to_writer_pretty(&mut *out, &doc)?;
    } else {
        serde_json::to_writer(&mut *out, &doc)?;
    }
    writeln!(out)
}

/// The MFA device's short name: `alice-phone` from `arn:aws:iam::…:mfa/alice-phone`.
fn device_name(serial: &str) -> &str {
    serial.rsplit_once(":mfa/").map_or(serial, |(_, d)| d)
}

pub fn write_table(out: &mut impl Write, input: &ListInput) -> io::Result<()> {
    let ListInput { paths, graph, env, store, now } = *input;
    if let Some(w) = &store.warning {
        writeln!(out, "warning: {w}")?;
    }
    let rows = rows(graph, env, store, now);
    if rows.is_empty() {
        writeln!(
            out,
            "No profiles found in {} or {}.\nAdd an IAM user's keys with `aws configure --profile NAME`, then roles as [profile ROLE] sections with role_arn and source_profile.",
            paths.config.display(),
            paths.credentials.display()
        )?;
        return Ok(());
    }
    const HEAD: [&str; 7] = ["PROFILE", "KIND", "ACCOUNT", "SOURCE CHAIN", "MFA", "REGION", "SESSION"];
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            let dash = || "-".to_string();
            let p = r.profile;
            let kind = if r.broken { format!("{} (broken)", p.kind.label()) } else { p.kind.label().to_string() };
            let chain = if p.chain.len() > 1 { p.chain[1..].join(" > ") } else { dash() };
            [
                p.name.to_string(),
                kind,
                p.account.map_or_else(dash, |a| a.id.to_string()),
                chain,
                p.mfa_serial.map_or_else(dash, |m| device_name(m).to_string()),
                r.effective_region.map_or_else(dash, str::to_string),
                r.session.describe(),
            ]
        })
        .collect();
    let mut widths = HEAD.map(str::len);
    for c in &cells {
        for (w, cell) in widths.iter_mut().zip(c) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |out: &mut dyn Write, cols: &[&str]| -> io::Result<()> {
        let mut s = String::new();
        for (i, (c, w)) in cols.iter().zip(widths).enumerate() {
            if i + 1 == cols.len() {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<w$}  "));
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    line(out, &HEAD)?;
    for c in &cells {
        line(out, &c.each_ref().map(String::as_str))?;
    }
    let errors = graph.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = graph.diagnostics.len() - errors;
    if errors + warnings > 0 {
        writeln!(
            out,
            "\n{errors} error(s), {warnings} warning(s) in your AWS config: run `mfatui doctor` to see where."
        )?;
    }
    Ok(())
}
