//! `mfatui list`: every profile as a table, or as JSON with diagnostics.

use crate::aws::clock::rfc3339;
use crate::aws::config::diagnostics::DiagnosticJson;
use crate::aws::config::{AwsEnv, AwsPaths, Profile, ProfileGraph, Severity};
use crate::aws::external::ExternalSession;
use crate::aws::store::{Loaded, SessionState};
use crate::commands::human_duration;
use crate::display::{Table, clip, join_clipped, plural};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// One profile as `list` shows it: the resolved profile plus where it is, its session and its
/// problems. Shared by the table and the JSON.
#[derive(Debug, Serialize)]
pub struct ProfileRow<'a> {
    #[serde(flatten)]
    pub profile: &'a Profile<'a>,
    /// What a client would use: `AWS_REGION`/`AWS_DEFAULT_REGION` override the profile's
    /// resolved region.
    pub effective_region: Option<&'a str>,
    pub file: String,
    pub line: usize,
    pub session: SessionJson,
    /// For SSO and `aws login` profiles: the token or credentials the AWS CLI keeps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_session: Option<ExternalJson<'a>>,
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

/// An SSO token's or `aws login` credentials' expiry, as `list --json` shows it.
#[derive(Debug, Serialize)]
pub struct ExternalJson<'a> {
    #[serde(flatten)]
    pub session: &'a ExternalSession,
    pub expires_at_rfc3339: Option<String>,
    pub remaining_seconds: Option<i64>,
    /// In words, with the command to run when it has ended.
    pub description: String,
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

fn row<'a>(
    graph: &'a ProfileGraph<'a>,
    env: &'a AwsEnv,
    (store, external): (&Loaded, &'a BTreeMap<String, ExternalSession>),
    now: i64,
    p: &'a Profile<'a>,
) -> ProfileRow<'a> {
    // An alias shows the session of the profile it stands for.
    let stored = store.sessions.get(p.alias_of.unwrap_or(p.name));
    let state = stored.map_or(SessionState::None, |s| s.state_at(now));
    let diagnostics: Vec<DiagnosticJson> = graph.diagnostics_for(p.name).map(DiagnosticJson::from).collect();
    ProfileRow {
        profile: p,
        effective_region: env.region_override().or(p.resolved_region),
        file: p.at.path.display().to_string(),
        line: p.at.line,
        session: SessionJson::from_state(state, stored.and_then(|s| s.expires_at())),
        external_session: external.get(p.name).map(|e| ExternalJson {
            session: e,
            expires_at_rfc3339: e.expires_at.map(rfc3339),
            remaining_seconds: e.left(now).map(|l| l.max(0)),
            description: e.describe(now),
        }),
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
    /// Where each IAM user's key, seed and sessions live (`vault` setting).
    #[serde(skip_serializing_if = "Option::is_none")]
    vault: Option<&'a crate::commands::vault::VaultReport>,
    profiles: Rows<'a>,
    diagnostics: AllDiagnostics<'a>,
}

/// Every profile's row, made as it is written: collecting the rows first would hold a second
/// copy of the profiles, which for a large file is most of the memory.
struct Rows<'a> {
    graph: &'a ProfileGraph<'a>,
    env: &'a AwsEnv,
    store: &'a Loaded,
    external: &'a BTreeMap<String, ExternalSession>,
    now: i64,
}

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let sessions = (self.store, self.external);
        s.collect_seq(self.graph.profiles.iter().map(|p| row(self.graph, self.env, sessions, self.now, p)))
    }
}

struct AllDiagnostics<'a>(&'a ProfileGraph<'a>);

impl Serialize for AllDiagnostics<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.diagnostics.iter().map(DiagnosticJson::from))
    }
}

/// What `list` shows: the files, the resolved profiles, and the session store.
pub struct ListInput<'a> {
    pub paths: &'a AwsPaths,
    pub graph: &'a ProfileGraph<'a>,
    pub env: &'a AwsEnv,
    pub store: &'a Loaded,
    /// SSO and `aws login` profiles' sessions (`external::sessions`).
    pub external: &'a BTreeMap<String, ExternalSession>,
    pub now: i64,
}

/// `pretty` for a person at a terminal; compact for pipes, where it is ~20% faster to write.
pub fn write_json(
    out: &mut impl Write,
    input: &ListInput,
    vault: Option<&crate::commands::vault::VaultReport>,
    pretty: bool,
) -> io::Result<()> {
    let ListInput { paths, graph, env, store, external, now } = *input;
    let doc = ListJson {
        config_file: paths.config.display().to_string(),
        credentials_file: paths.credentials.display().to_string(),
        selected_profile: env.selected_profile(),
        region_override: env.region_override(),
        session_store_warning: store.warning.as_deref(),
        vault,
        profiles: Rows { graph, env, store, external, now },
        diagnostics: AllDiagnostics(graph),
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

/// Lines of the AWS files that make the AWS CLI and SDKs refuse a whole file are shown above
/// the table, at most this many: each breaks every profile for every other tool.
const FILE_ERRORS_SHOWN: usize = 5;

/// Widest cell of each column, in chars; longer values are cut with an ellipsis.
const LIMITS: [usize; 7] = [48, 24, 16, 60, 32, 48, 24];

pub fn write_table(out: &mut impl Write, input: &ListInput) -> io::Result<()> {
    let ListInput { paths, graph, env, store, external, now } = *input;
    if let Some(w) = &store.warning {
        writeln!(out, "warning: {w}")?;
    }
    let refusing: Vec<_> = graph.diagnostics.iter().filter(|d| d.rejects_file).collect();
    for d in refusing.iter().take(FILE_ERRORS_SHOWN) {
        writeln!(out, "{d}")?;
    }
    if refusing.len() > FILE_ERRORS_SHOWN {
        writeln!(
            out,
            "… and {} more such lines: run `mfatui doctor` to see them all",
            refusing.len() - FILE_ERRORS_SHOWN
        )?;
    }
    if !refusing.is_empty() {
        writeln!(out)?;
    }
    if graph.profiles.is_empty() {
        writeln!(
            out,
            "No profiles found in {} or {}.\nAdd an IAM user's keys with `aws configure --profile NAME`, then roles as [profile ROLE] sections with role_arn and source_profile.",
            paths.config.display(),
            paths.credentials.display()
        )?;
        return Ok(());
    }
    let mut table = Table::new(["PROFILE", "KIND", "ACCOUNT", "SOURCE CHAIN", "MFA", "REGION", "SESSION"], LIMITS);
    for p in &graph.profiles {
        let r = row(graph, env, (store, external), now, p);
        let dash = || "-".to_string();
        let kind = if r.broken { format!("{} (broken)", p.kind.label()) } else { p.kind.label().to_string() };
        let chain = if p.chain.len() > 1 { join_clipped(p.chain.iter().skip(1), " > ", LIMITS[3]) } else { dash() };
        table.push([
            p.name.to_string(),
            kind,
            p.account.map_or_else(dash, |a| a.id.to_string()),
            chain,
            p.mfa_serial.map_or_else(dash, |m| device_name(m).to_string()),
            region_cell(p, env).unwrap_or_else(dash),
            match external.get(p.name) {
                Some(e) => e.short(now),
                None => r.session.describe(),
            },
        ]);
    }
    for line in table.lines() {
        writeln!(out, "{line}")?;
    }
    // An ended SSO token or `aws login` session: the exact command that renews it.
    let ended: Vec<_> = external.values().filter(|e| e.left(now).is_none_or(|l| l <= 0)).collect();
    if !ended.is_empty() {
        writeln!(out)?;
    }
    for e in ended {
        writeln!(out, "{}: {}", e.profile, e.describe(now))?;
    }
    let errors = graph.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = graph.diagnostics.len() - errors;
    if errors + warnings > 0 {
        let mut counts = Vec::new();
        for (n, one, many) in [(errors, "error", "errors"), (warnings, "warning", "warnings")] {
            if n > 0 {
                counts.push(plural(n, one, many));
            }
        }
        writeln!(
            out,
            "\n{} in your AWS config{}: `mfatui doctor` shows {} with the line to fix.",
            counts.join(" and "),
            concerned(&graph.diagnostics),
            if errors + warnings == 1 { "it" } else { "each" }
        )?;
    }
    Ok(())
}

/// `, on data-typo` or `, on data-typo, ci and 2 more`: the profiles the problems are about.
fn concerned(diagnostics: &[crate::aws::config::Diagnostic]) -> String {
    const SHOWN: usize = 3;
    let mut names: Vec<&str> = Vec::new();
    for d in diagnostics {
        if let Some(p) = d.profile.as_deref().filter(|p| !names.contains(p)) {
            names.push(p);
        }
    }
    let shown: Vec<String> = names.iter().take(SHOWN).map(|n| clip(n, 40).into_owned()).collect();
    match (shown.as_slice(), names.len().saturating_sub(SHOWN)) {
        ([], _) => String::new(),
        ([one], _) => format!(", on profile {one}"),
        (some, 0) => format!(", on profiles {}", crate::display::series(some, "and")),
        (some, more) => format!(", on profiles {} and {more} more", some.join(", ")),
    }
}

/// The region a client would use, marked with the profile it comes from when inherited:
/// `us-east-1 (from alice)`. An environment override is shown as it is.
fn region_cell(p: &Profile, env: &AwsEnv) -> Option<String> {
    if let Some(r) = env.region_override() {
        return Some(r.to_string());
    }
    let region = p.resolved_region?;
    Some(match p.region_from {
        Some(from) if from != p.name => format!("{region} (from {from})"),
        _ => region.to_string(),
    })
}
