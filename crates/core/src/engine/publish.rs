//! Publishing: making the AWS files hold what the store holds, in one locked write per file.
//!
//! The store is written first (it is the truth) and the files follow. Publishing reads the store
//! inside the file's lock, so whichever process publishes last writes the newest sessions, and
//! a crash between the two writes is repaired by the next publish (any command that publishes:
//! login, refresh, the dashboard's start and every renewal).

use super::plan::Plan;
use super::{Engine, EngineError};
use crate::exports::{self, Body, ExportMode, ManagedSection};
use std::collections::{BTreeMap, BTreeSet};

/// Which profiles other tools can use now, under which name, and which not and why.
#[derive(Debug, Default, Clone)]
pub struct Published {
    pub usable: BTreeMap<String, String>,
    pub failed: BTreeMap<String, EngineError>,
}

impl Published {
    /// The managed name for `profile`, or why there is none.
    pub fn managed(&self, profile: &str) -> Result<String, EngineError> {
        match (self.usable.get(profile), self.failed.get(profile)) {
            (Some(n), _) => Ok(n.clone()),
            (None, Some(e)) => Err(e.clone()),
            (None, None) => Err(EngineError::File(format!("{profile} has no session to publish"))),
        }
    }
}

/// The `credential_process` line for `profile` (see `config::wrapper`); a name no SDK reads alike
/// has its line refused there, and is never exported in process mode.
pub fn process_command(program: &str, profile: &str) -> Result<String, crate::config::wrapper::WrapperError> {
    crate::config::wrapper::command(program, profile)
}

impl Engine {
    /// Write the managed sections of the current export mode, remove stale ones and those of the
    /// other mode. Never fails as a whole: per profile it says whether other tools can use it.
    pub fn publish(&self, plan: &Plan) -> Published {
        let mode = self.settings.export;
        let exportable: Vec<_> = plan.exported().map(|e| (e.name, e.managed, e.region)).collect();
        let wanted: BTreeSet<String> = exportable.iter().filter_map(|(_, m, _)| m.as_ref().ok().cloned()).collect();
        let mut out = Published::default();
        for (profile, managed, _) in &exportable {
            if let Err(e) = managed {
                out.failed.insert(profile.to_string(), EngineError::Export(e.clone()));
            }
        }
        // In process mode a name no SDK reads alike gets no section (and says why).
        let mut commands: BTreeMap<&str, String> = BTreeMap::new();
        if mode == ExportMode::Process {
            for (profile, _, _) in exportable.iter().filter(|(_, m, _)| m.is_ok()) {
                match process_command(&self.program, profile) {
                    Ok(line) => {
                        commands.insert(profile, line);
                    }
                    Err(e) => {
                        out.failed.insert(profile.to_string(), EngineError::Wrapper(e));
                    }
                }
            }
        }
        let stale: BTreeSet<String> = plan
            .managed_present
            .iter()
            .filter(|n| exports::is_stale(&plan.profiles, n, &wanted, &plan.suffix))
            .cloned()
            .collect();
        let now = self.clock.now();
        let sections = || -> Vec<ManagedSection> {
            let stored = self.store.load();
            exportable
                .iter()
                .filter_map(|(profile, managed, region)| {
                    let name = managed.as_ref().ok()?.clone();
                    let body = match mode {
                        ExportMode::Process => Body::Process { command: commands.get(*profile)?.clone() },
                        ExportMode::Credentials => {
                            let s = stored.sessions.get(*profile).filter(|s| s.left(now) > 0)?;
                            Body::Keys { keys: s.keys(), expiration: s.expires_at()? }
                        }
                    };
                    Some(ManagedSection { name, profile: profile.to_string(), region: Some(region.to_string()), body })
                })
                .collect()
        };
        let (this, other) = match mode {
            ExportMode::Credentials => (&self.paths.credentials, &self.paths.config),
            ExportMode::Process => (&self.paths.config, &self.paths.credentials),
        };
        let other_mode = if mode == ExportMode::Credentials { ExportMode::Process } else { ExportMode::Credentials };
        // The other mode's sections go first: in `process` mode no secret may stay behind.
        let everything: BTreeSet<String> = plan.managed_present.union(&wanted).cloned().collect();
        if let Err(e) = exports::apply(other, other_mode, &[], &everything) {
            tracing::warn!(file = %other.display(), error = %e, "cannot remove sections of the other export mode");
        }
        match exports::apply_with(this, mode, sections, &stale) {
            Ok((_, written)) => {
                for (profile, managed, _) in &exportable {
                    if let (Ok(name), true) = (managed, written.contains(*profile)) {
                        out.usable.insert(profile.to_string(), name.clone());
                    }
                }
            }
            Err(e) => {
                // Only when the write failed: which profiles it would have made usable.
                let e = EngineError::from(e);
                for s in sections() {
                    out.failed.insert(s.profile, e.clone());
                }
            }
        }
        self.sync_aws_cli_cache(plan);
        out
    }
}
