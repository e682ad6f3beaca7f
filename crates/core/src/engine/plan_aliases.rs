//! The plan's side of aliases (`config/alias.rs`): which profiles stand for a planned one, and
//! the reason every profile the plan does not sign in is given.

use super::{Plan, reason};
use crate::config::ProfileGraph;

/// Record the aliases (the graph's, and those of managed names, which only the plan resolves),
/// then a reason for every other profile that is neither a planned user nor a planned role.
pub(super) fn place_the_rest(plan: &mut Plan, graph: &ProfileGraph, by_managed_name: Vec<(String, String)>) {
    for (alias, target) in by_managed_name {
        match plan.resolve(&target).map(|r| r.name().to_string()) {
            Ok(to) => drop(plan.aliases.insert(alias, to)),
            Err(e) => drop(plan.others.insert(alias.clone(), format!("{alias} is an alias of {target}: {e}"))),
        }
    }
    for p in &graph.profiles {
        if plan.aliases.contains_key(p.name) || plan.others.contains_key(p.name) && p.alias_of.is_none() {
            continue;
        }
        match p.alias_of {
            Some(target)
                if !graph.is_broken(p.name) && (plan.users.contains_key(target) || plan.role(target).is_some()) =>
            {
                plan.aliases.insert(p.name.to_string(), target.to_string());
            }
            Some(target) => {
                let why = plan.others.get(target).cloned().unwrap_or_else(|| reason(graph, target));
                plan.others.insert(p.name.to_string(), format!("{} is an alias of {target}: {why}", p.name));
            }
            None if !plan.users.contains_key(p.name) && plan.role(p.name).is_none() => {
                plan.others.insert(p.name.to_string(), reason(graph, p.name));
            }
            None => {}
        }
    }
}
