//! Profiles that answer through mfatui's own `credential_process` wrapper for another profile
//! (`credential_process = mfatui credential-process prod-admin`, the README's recipe): each is
//! an alias of the profile it names. The graph shows it as that profile (its kind, role, user,
//! MFA device, chain through it), the plan resolves it to that profile, and it is never an IAM
//! user of its own. Its own region, if it sets one, stays its own: clients read it from there.
//!
//! A wrapper naming the profile itself is not an alias (`wrapper::Wrapped::Adopted` is read by
//! `Section`, `OwnKeys` is the vault's); static keys next to the wrapper win in every SDK, so
//! such a profile is a user, not an alias.

use super::chain::{Chain, Links, Resolver};
use super::diagnostics::{Diagnostic, NAME_WIDTH, Severity};
use super::graph::{Profile, has_static_keys};
use super::wrapper::{Wrapped, classify};
use crate::display::clip;
use std::sync::Arc;

/// The profile `i`'s wrapper names, when it is an alias.
fn target_of(r: &Resolver, i: u32) -> Option<String> {
    let s = r.sections[i as usize];
    if has_static_keys(s) {
        return None;
    }
    match classify(&s.name, s.get("credential_process"), false)? {
        Wrapped::Alias(x) => Some(x),
        Wrapped::Adopted | Wrapped::OwnKeys => None,
    }
}

/// `name` is a profile's name plus a suffix, or the name a profile exports as.
fn could_be_managed(r: &Resolver, name: &str) -> bool {
    r.sections.iter().any(|s| {
        s.get_raw("mfatui_export_as") == Some(name)
            || name.strip_prefix(s.name.as_str()).is_some_and(|rest| !rest.is_empty())
    })
}

/// Turn every alias among `profiles` (those of `used`, in the same order) into the profile it
/// names, following aliases of aliases; a missing target or a loop is an error on the alias.
pub(super) fn resolve<'a>(
    r: &Resolver<'a>,
    links: &Arc<Links<'a>>,
    used: &[u32],
    profiles: &mut [Profile<'a>],
    managed: &std::collections::BTreeSet<String>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let position = |profiles: &[Profile], name: &str| profiles.binary_search_by(|p| p.name.cmp(name)).ok();
    for (k, &i) in used.iter().enumerate() {
        let Some(mut target) = target_of(r, i) else { continue };
        let s = r.sections[i as usize];
        let mut seen = vec![i];
        let found = loop {
            match r.index(&target) {
                Some(j) if seen.contains(&j) => {
                    break Err(format!(
                        "credential_process runs mfatui for `{}`, and the profiles it names come back to `{}`: point one of them at a profile with credentials of its own",
                        clip(&target, NAME_WIDTH),
                        clip(&s.name, NAME_WIDTH)
                    ));
                }
                Some(j) => match target_of(r, j) {
                    Some(next) => {
                        seen.push(j);
                        target = next;
                    }
                    None => break Ok(j),
                },
                // A managed name (`prod-admin-mfa`, or a `mfatui_export_as` name), written yet or
                // not, is resolved by the plan, which knows the suffix, as on the command line.
                None if managed.contains(&target) || could_be_managed(r, &target) => break Err(String::new()),
                None => {
                    break Err(format!(
                        "credential_process runs `mfatui credential-process {}`, but there is no profile `{}`: fix the name",
                        clip(&target, NAME_WIDTH),
                        clip(&target, NAME_WIDTH)
                    ));
                }
            }
        };
        let j = match found {
            Ok(j) => j,
            Err(msg) => {
                if !msg.is_empty() {
                    let at = s.located("credential_process").map_or_else(|| s.at.clone(), |l| l.at);
                    diagnostics.push(Diagnostic::new(Severity::Error, Some(&s.name), Some(at), msg));
                }
                continue;
            }
        };
        let Some(t) = position(profiles, r.name(j)).map(|p| profiles[p].clone()) else { continue };
        let own = &profiles[k];
        let (region, region_from) = match own.region {
            Some(region) => (Some(region), Some(own.name)),
            None => (t.resolved_region, t.region_from),
        };
        profiles[k] = Profile {
            name: own.name,
            at: own.at,
            alias_of: Some(r.name(j)),
            region: own.region,
            resolved_region: region,
            region_from,
            chain: Chain::new(links.clone(), own.name, j, t.chain.len() as u32 + 1),
            ..t
        };
    }
}
