//! Everything the dashboard shows, as plain data, split by layer: each sub-state has one owner
//! in `update` (the profiles view, the IAM view, the sessions, the messages, the overlays).
//! Rendering reads it; `update` is the only place it changes — what arrives from outside (the
//! store's snapshot, reloaded files, the terminal's geometry, the demo's codes) comes as actions.

use crate::aws::config::{LoadedConfig, ProfileGraph};
use crate::aws::engine::Plan;
use crate::settings::{Settings, ThemeName};

pub mod iam;
pub mod messages;
pub mod overlays;
pub mod palette;
pub mod profiles;
pub mod rows;
pub mod sessions;

pub use iam::{IamState, Screen};
pub use messages::{Level, Messages};
pub use overlays::{MfaModal, Overlay, Overlays, Panel};
pub use profiles::{ProfilesView, Sort};
pub use rows::{Built, Row, build_rows};
pub use sessions::{Activity, Sessions};

pub use crate::aws::engine::rules::Lifetime;

/// A session that ends at `expires_at`, obtained long ago (tests).
#[cfg(test)]
pub fn until(expires_at: i64) -> Lifetime {
    Lifetime { expires_at, obtained_at: 0 }
}

/// Which layer gets the keys: the top overlay, else the log when it has the focus, else the
/// filter being typed, else the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    Prompt,
    /// A yes/no popup (IAM: rotate, deactivate, delete, the fix).
    Confirm,
    Palette,
    Help,
    Details,
    /// One IAM user described (Enter on the IAM table).
    Describe,
    Log,
    Filter,
    Normal,
    /// The IAM table, nothing over it.
    Iam,
}

/// The user's settings the screens need.
#[derive(Debug, Clone)]
pub struct Prefs {
    pub theme: ThemeName,
    pub no_color: bool,
    /// When sessions are renewed: the engine's rule (`Engine::renewal`), set by the dashboard.
    pub renewal: crate::aws::engine::rules::Renewal,
    pub warn_secs: i64,
    pub suffix: String,
    pub config_path: String,
}

#[derive(Debug, Clone)]
pub struct AppState {
    pub profiles: ProfilesView,
    pub iam: IamState,
    pub sessions: Sessions,
    pub messages: Messages,
    pub prefs: Prefs,
    pub overlays: Overlays,
    pub screen: Screen,
    pub now: i64,
    pub spinner: usize,
    /// A help line for the demo: the current codes of its MFA devices.
    pub demo_hint: Option<String>,
    pub quit: bool,
}
impl AppState {
    pub fn new(cfg: &LoadedConfig, graph: &ProfileGraph, plan: &Plan, settings: &Settings, now: i64) -> Self {
        let (rows, mfa_serials) = build_rows(cfg, graph, plan, settings);
        let mut s = Self {
            profiles: ProfilesView::new(rows),
            iam: IamState {
                max_age_days: settings.key_max_age_days,
                propagation_secs: settings.key_propagation_secs,
                ..IamState::default()
            },
            sessions: Sessions { mfa_serials, ..Sessions::default() },
            messages: Messages::default(),
            prefs: Prefs {
                theme: settings.theme,
                no_color: false,
                renewal: crate::aws::engine::rules::Renewal {
                    margin_secs: settings.refresh_margin_secs,
                    for_clients: false,
                },
                warn_secs: settings.mfa_warn_mins * 60,
                suffix: settings.suffix.clone(),
                config_path: cfg.paths.config.display().to_string(),
            },
            overlays: Overlays::default(),
            screen: Screen::Profiles,
            now,
            spinner: 0,
            demo_hint: None,
            quit: false,
        };
        s.refilter();
        s
    }

    /// Seconds left on a profile's session, if it has one.
    pub fn left(&self, profile: &str) -> Option<i64> {
        self.sessions.left(profile, self.now)
    }

    /// The layer that gets keys first.
    pub fn layer(&self) -> Layer {
        match self.overlays.top() {
            Some(Overlay::Prompt(_)) => Layer::Prompt,
            Some(Overlay::Confirm(_)) => Layer::Confirm,
            Some(Overlay::Palette(_)) => Layer::Palette,
            Some(Overlay::Panel(Panel::Help { .. })) => Layer::Help,
            Some(Overlay::Panel(Panel::Details { .. })) => Layer::Details,
            Some(Overlay::Panel(Panel::Describe { .. })) => Layer::Describe,
            None if self.messages.open => Layer::Log,
            None if self.screen == Screen::Profiles && self.profiles.filtering => Layer::Filter,
            None if self.screen == Screen::Profiles => Layer::Normal,
            None => Layer::Iam,
        }
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.profiles.selected_row()
    }

    /// A message for the line and the log. Name its subject: the line shows it alone.
    pub fn log(&mut self, level: Level, text: impl Into<String>) {
        self.messages.push(self.now, level, &text.into(), false);
    }

    /// Into the log only: steps of long work (a rotation) would bury the line's news.
    pub fn note(&mut self, level: Level, text: impl Into<String>) {
        self.messages.push(self.now, level, &text.into(), true);
    }

    /// Recompute the visible rows after the filter, the sort or the sessions changed.
    pub fn refilter(&mut self) {
        self.profiles.refilter(&self.sessions);
    }

    /// The confirmation popup shown, if any.
    pub fn popup(&self) -> Option<&iam::Popup> {
        self.overlays.confirm()
    }
}
