//! Everything the dashboard shows, as plain data. Rendering reads it; `update` changes it.

use crate::aws::config::{LoadedConfig, ProfileGraph, Severity};
use crate::aws::engine::Plan;
use crate::settings::{Settings, ThemeName};
use std::collections::{BTreeSet, HashMap, VecDeque};

pub mod iam;

pub use iam::{IamState, Screen};

pub use crate::aws::engine::rules::Lifetime;

/// A session that ends at `expires_at`, obtained long ago (tests).
#[cfg(test)]
pub fn until(expires_at: i64) -> Lifetime {
    Lifetime { expires_at, obtained_at: 0 }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub profile: String,
    /// The IAM user the row belongs to (itself for a user); `None` for other profiles.
    pub user: Option<String>,
    pub is_user: bool,
    pub kind: &'static str,
    /// 0 for users and other profiles, 1 for roles, 2+ for chained roles.
    pub depth: usize,
    pub account: Option<String>,
    pub role_or_user: String,
    pub region: Option<String>,
    pub mfa: Option<String>,
    pub diagnostic: Option<String>,
    /// Why mfatui does not sign this profile in (SSO, credential_source, …), when it does not.
    pub reason: Option<String>,
    /// The managed profile name (`dev-admin-mfa`) when mfatui signs this profile in.
    pub managed: Option<String>,
    /// Whether `region` came from a profile up the chain (or the partition's default).
    pub region_inherited: bool,
    /// Why `r` cannot sign this profile in, in the plan's words (`Plan::signable`).
    pub refusal: Option<String>,
    /// For an SSO or `aws login` profile: the token or credentials the AWS CLI keeps, read
    /// from its cache when the rows were built (`Plan::external_sessions`).
    pub external: Option<crate::aws::external::ExternalSession>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Grouped,
    Name,
    Expiry,
    Account,
}

impl Sort {
    pub fn next(self) -> Self {
        match self {
            Self::Grouped => Self::Name,
            Self::Name => Self::Expiry,
            Self::Expiry => Self::Account,
            Self::Account => Self::Grouped,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Grouped => "by user",
            Self::Name => "by name",
            Self::Expiry => "by expiry",
            Self::Account => "by account",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Activity {
    Refreshing,
    Failed(String),
    NeedsCode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Info,
    Success,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub level: Level,
    pub text: String,
    pub until: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub at: i64,
    pub level: Level,
    pub text: String,
}

/// One MFA prompt: a user whose MFA session someone needs. Prompts queue; the first is shown
/// as the modal and takes the keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaModal {
    pub user: String,
    pub serial: String,
    pub input: String,
    pub error: Option<String>,
    /// The code was sent; waiting for STS.
    pub busy: bool,
    /// Who needs it: "you (r)", "aws (pid 4242) needs prod-admin".
    pub askers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Filter,
    Help,
    /// Everything about the selected row (`i`).
    Details,
}

/// Which layer gets the keys: the top one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    Prompt,
    /// A yes/no popup (IAM: rotate, deactivate, delete, the fix).
    Confirm,
    Details,
    Help,
    Filter,
    Normal,
    /// The IAM screen, nothing over it.
    Iam,
}

pub const TOAST_SECS: i64 = 6;
const LOG_LINES: usize = 500;

#[derive(Debug)]
pub struct AppState {
    pub rows: Vec<Row>,
    /// Indices into `rows` after filter and sort; recomputed only when those change.
    pub visible: Vec<usize>,
    /// Index into `visible`.
    pub selected: usize,
    /// First visible row shown.
    pub offset: usize,
    /// Table rows that fit on screen, and where the first one is drawn (set on resize).
    pub viewport: u16,
    pub table_top: u16,
    pub marked: BTreeSet<String>,
    pub filter: String,
    pub sort: Sort,
    pub mode: Mode,
    /// MFA prompts waiting for a code, the first one shown.
    pub prompts: std::collections::VecDeque<MfaModal>,
    /// Expiration (Unix seconds) by profile, from the session store.
    pub sessions: HashMap<String, Lifetime>,
    /// Account aliases by account id, from the session store ("" when the account has none).
    pub aliases: std::collections::BTreeMap<String, String>,
    pub activity: HashMap<String, Activity>,
    pub toasts: Vec<Toast>,
    pub log: VecDeque<LogLine>,
    pub show_log: bool,
    pub now: i64,
    pub spinner: usize,
    pub theme: ThemeName,
    pub no_color: bool,
    /// When sessions are renewed: the engine's rule (`Engine::renewal`), set by the dashboard.
    pub renewal: crate::aws::engine::rules::Renewal,
    pub warn_secs: i64,
    pub suffix: String,
    /// MFA users and their device serials.
    pub mfa_serials: HashMap<String, String>,
    /// Users warned that their MFA session is about to end.
    pub warned: BTreeSet<String>,
    /// A help line for the demo: the current codes of its MFA devices.
    pub demo_hint: Option<String>,
    pub config_path: String,
    pub quit: bool,
    pub screen: Screen,
    pub iam: IamState,
    /// Popups waiting for yes or no, the first one shown.
    pub confirms: VecDeque<iam::Popup>,
}

fn device(serial: &str) -> String {
    serial.rsplit_once(":mfa/").map_or(serial, |(_, d)| d).to_string()
}

/// The rows and the MFA users' devices.
pub type Built = (Vec<Row>, HashMap<String, String>);

/// The rows, grouped by user with chained roles under their parent, and the MFA users' devices.
pub fn build_rows(graph: &ProfileGraph, plan: &Plan, settings: &Settings) -> Built {
    let mut rows = Vec::new();
    let externals = plan.external_sessions();
    let export_region = |name: &str| {
        plan.users
            .get(name)
            .map(|u| u.export_region.clone())
            .or_else(|| plan.role(name).map(|r| r.export_region.clone()))
    };
    let row_for = |p: &crate::aws::config::Profile, depth: usize, user: Option<&str>, managed: Option<String>| {
        let region = export_region(p.name).or_else(|| p.region.map(str::to_string));
        Row {
            profile: p.name.to_string(),
            user: user.map(str::to_string),
            // An SSO or `aws login` profile heads its roles' group but is no IAM user.
            is_user: depth == 0 && user.is_some_and(|u| plan.users.get(u).is_none_or(|u| u.is_iam_user())),
            kind: if graph.is_broken(p.name) { "broken" } else { p.kind.label() },
            depth,
            account: p.account.map(|a| a.id.to_string()),
            role_or_user: match p.role_arn.and_then(crate::aws::config::arn::parse_role_arn) {
                Some(r) => r.name.to_string(),
                None => p.kind.label().to_string(),
            },
            region_inherited: region.is_some() && p.region != region.as_deref(),
            region,
            mfa: p.mfa_serial.map(device),
            diagnostic: graph
                .diagnostics_for(p.name)
                .find(|d| d.severity == Severity::Error)
                .map(|d| d.message.clone()),
            reason: plan.others.get(p.name).cloned(),
            // A planned role is always signable: only users and other profiles are asked (a
            // resolve per role would make building the rows quadratic in the roles).
            refusal: (depth == 0).then(|| plan.signable(p.name).err().map(|e| e.to_string())).flatten(),
            managed: managed.filter(|_| !plan.external.contains_key(p.name)),
            external: externals.get(p.name).cloned(),
        }
    };
    let mut placed = BTreeSet::new();
    for user in plan.users.values() {
        let Some(p) = graph.get(&user.name) else { continue };
        if settings.hides(p.name) {
            continue;
        }
        rows.push(row_for(p, 0, Some(&user.name), user.managed.clone().ok()));
        placed.insert(user.name.clone());
        // Depth-first, so a chained role sits right under its parent.
        let mut stack: Vec<&str> =
            plan.roles_of(&user.name).filter(|r| r.parent == user.name).map(|r| r.name.as_str()).collect();
        stack.reverse();
        while let Some(name) = stack.pop() {
            let (Some(r), Some(p)) = (plan.role(name), graph.get(name)) else { continue };
            placed.insert(name.to_string());
            if !settings.hides(name) {
                rows.push(row_for(p, r.depth, Some(&user.name), r.managed.clone().ok()));
            }
            stack.extend(plan.roles.iter().filter(|c| c.parent == name).map(|c| c.name.as_str()).rev());
        }
    }
    for p in graph.profiles.iter().filter(|p| !placed.contains(p.name) && !settings.hides(p.name)) {
        rows.push(row_for(p, 0, None, None));
    }
    let mfa_serials = plan.users.values().filter_map(|u| Some((u.name.clone(), u.mfa_serial.clone()?))).collect();
    (rows, mfa_serials)
}

impl AppState {
    pub fn new(cfg: &LoadedConfig, graph: &ProfileGraph, plan: &Plan, settings: &Settings, now: i64) -> Self {
        let (rows, mfa_serials) = build_rows(graph, plan, settings);
        let mut s = Self {
            rows,
            visible: Vec::new(),
            selected: 0,
            offset: 0,
            viewport: 20,
            table_top: 3,
            marked: BTreeSet::new(),
            filter: String::new(),
            sort: Sort::Grouped,
            mode: Mode::Normal,
            prompts: Default::default(),
            sessions: HashMap::new(),
            aliases: Default::default(),
            activity: HashMap::new(),
            toasts: Vec::new(),
            log: VecDeque::new(),
            show_log: false,
            now,
            spinner: 0,
            theme: settings.theme,
            no_color: false,
            renewal: crate::aws::engine::rules::Renewal {
                margin_secs: settings.refresh_margin_secs,
                for_clients: false,
            },
            warn_secs: settings.mfa_warn_mins * 60,
            suffix: settings.suffix.clone(),
            mfa_serials,
            warned: BTreeSet::new(),
            demo_hint: None,
            config_path: cfg.paths.config.display().to_string(),
            quit: false,
            screen: Screen::Profiles,
            iam: IamState {
                max_age_days: settings.key_max_age_days,
                propagation_secs: settings.key_propagation_secs,
                ..IamState::default()
            },
            confirms: VecDeque::new(),
        };
        s.refilter();
        s
    }

    /// Take the rows built from reloaded files; selection, filter, marks, activity and the log
    /// stay.
    pub fn adopt(&mut self, (rows, mfa_serials): Built, config_path: String) {
        let keep = self.selected_row().map(|r| r.profile.clone());
        self.rows = rows;
        self.mfa_serials = mfa_serials;
        self.config_path = config_path;
        let present: BTreeSet<&str> = self.rows.iter().map(|r| r.profile.as_str()).collect();
        self.marked.retain(|m| present.contains(m.as_str()));
        self.refilter_keeping(keep);
    }

    /// Select a profile's row (when it is shown).
    pub fn select_profile(&mut self, profile: &str) -> bool {
        match self.visible.iter().position(|&i| self.rows[i].profile == profile) {
            Some(i) => {
                self.selected = i;
                self.scroll_into_view();
                true
            }
            None => false,
        }
    }

    /// Seconds left on a profile's session, if it has one.
    pub fn left(&self, profile: &str) -> Option<i64> {
        self.sessions.get(profile).map(|l| l.left(self.now))
    }

    /// The layer that gets keys first.
    pub fn layer(&self) -> Layer {
        if self.prompts.front().is_some() {
            return Layer::Prompt;
        }
        if self.confirms.front().is_some() {
            return Layer::Confirm;
        }
        match (&self.mode, self.screen) {
            (Mode::Details, _) => Layer::Details,
            (Mode::Help, _) => Layer::Help,
            (Mode::Filter, _) => Layer::Filter,
            (Mode::Normal, Screen::Profiles) => Layer::Normal,
            (Mode::Normal, Screen::Iam) => Layer::Iam,
        }
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.visible.get(self.selected).map(|&i| &self.rows[i])
    }

    pub fn log(&mut self, level: Level, text: impl Into<String>) {
        // ratatui drops control characters when drawing; escaping them first shows the reader
        // that something odd was there (and the log, which can be copied, holds the same text).
        let text = crate::aws::sanitize::message(&text.into());
        self.note(level, text.clone());
        self.toasts.push(Toast { level, text, until: self.now + TOAST_SECS });
    }

    /// Into the log only: steps of long work (a rotation) would bury the toasts.
    pub fn note(&mut self, level: Level, text: impl Into<String>) {
        if self.log.len() == LOG_LINES {
            self.log.pop_front();
        }
        let text = crate::aws::sanitize::message(&text.into());
        self.log.push_back(LogLine { at: self.now, level, text });
    }

    fn matches(&self, r: &Row) -> bool {
        if self.filter.is_empty() {
            return true;
        }
        let f = self.filter.to_lowercase();
        let alias = r.account.as_ref().and_then(|a| self.aliases.get(a));
        [Some(&r.profile), r.account.as_ref(), alias, Some(&r.role_or_user), r.user.as_ref()]
            .iter()
            .flatten()
            .any(|s| s.to_lowercase().contains(&f))
    }

    /// Recompute `visible` after the filter, the sort or the sessions changed.
    pub fn refilter(&mut self) {
        self.refilter_keeping(self.selected_row().map(|r| r.profile.clone()));
    }

    /// The visible rows again, with `keep`'s row selected when it is still shown.
    fn refilter_keeping(&mut self, keep: Option<String>) {
        let mut v: Vec<usize> = (0..self.rows.len()).filter(|&i| self.matches(&self.rows[i])).collect();
        match self.sort {
            Sort::Grouped => {}
            Sort::Name => v.sort_by(|&a, &b| self.rows[a].profile.cmp(&self.rows[b].profile)),
            Sort::Account => v.sort_by(|&a, &b| {
                (&self.rows[a].account, &self.rows[a].profile).cmp(&(&self.rows[b].account, &self.rows[b].profile))
            }),
            Sort::Expiry => {
                v.sort_by_key(|&i| (self.sessions.get(&self.rows[i].profile).map_or(i64::MAX, |l| l.expires_at), i))
            }
        }
        self.visible = v;
        self.selected = keep.and_then(|k| self.visible.iter().position(|&i| self.rows[i].profile == k)).unwrap_or(0);
        self.scroll_into_view();
    }

    pub fn scroll_into_view(&mut self) {
        let rows = usize::from(self.viewport.max(1));
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
        self.offset = self.offset.min(self.visible.len().saturating_sub(rows));
    }
}
