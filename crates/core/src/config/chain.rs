//! Following `source_profile` links: which user a role's chain starts from, what it inherits
//! (MFA device, region) and where the chain breaks.
//!
//! Rules (botocore's assume-role provider): a role is sourced from `source_profile` or
//! `credential_source`; a source profile with static keys supplies them even if it also has a
//! `role_arn`; a source profile with only a role is itself assumed first (a chained role);
//! `source_profile` naming the profile itself works only when it has static keys.
//!
//! Cost: a role sourced from a role continues that role's chain, so each profile's walk is
//! computed once, in dependency order, and reused (a memo); all chains share one table of
//! links. Resolving every profile is linear in their number, a loop is found once, and the
//! stack is ours, not the thread's, so a chain of any length resolves.

use super::graph::{ProfileKind, as_source, own_kind};
use super::sections::Section;
use serde::{Serialize, Serializer};
use std::fmt;
use std::sync::Arc;

/// No profile: the end of a chain, or no profile to name.
pub(super) const NONE: u32 = u32::MAX;

/// Where a chain breaks and why. `at` is the profile whose own link is broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Break {
    pub at: u32,
    pub cause: Cause,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cause {
    /// `source_profile` names a profile that does not exist.
    Missing,
    /// `source_profile` names the profile itself, which has no keys.
    SelfWithoutKeys,
    /// The source profile has no credentials of any kind.
    SourceWithoutCredentials,
    /// `at` is a member of loop number `n` of `Resolver::loops`.
    InLoop(u32),
    /// A role with keys of its own whose chain comes back to it (botocore refuses it).
    BackToItself,
}

/// One profile's chain, as indexes into the resolver's profiles.
#[derive(Debug, Clone, Copy)]
pub(super) struct Walk {
    pub kind: ProfileKind,
    /// The second element of the chain, `NONE` for a chain of one.
    pub first: u32,
    pub len: u32,
    pub root_user: u32,
    /// The chain's last element.
    pub last: u32,
    /// The nearest profile up the chain (itself first) with `mfa_serial`, and with `region`.
    pub mfa_from: u32,
    pub region_from: u32,
    pub broken: Option<Break>,
}

/// Resolves chains over every profile of a set (managed ones too: a role may name one).
pub(super) struct Resolver<'a> {
    /// In name order, as `ConfigSet::profiles` iterates.
    pub sections: Vec<&'a Section>,
    as_source: Vec<ProfileKind>,
    /// Each resolved profile's walk. For roles without keys, which continue a chain when named
    /// as a source, it is filled as soon as a walk passes through them.
    memo: Vec<Option<Walk>>,
    on_stack: Vec<bool>,
    /// `next[i]`: the profile after `i` in any chain `i` continues; see `Links`.
    next: Vec<u32>,
    /// Members of each loop found, in link order, starting from the smallest name.
    pub loops: Vec<Vec<u32>>,
}

enum Step {
    Ends,
    ItSelf,
    Missing,
    To(u32),
}

impl<'a> Resolver<'a> {
    pub fn new(sections: Vec<&'a Section>) -> Self {
        let n = sections.len();
        Self {
            as_source: sections.iter().map(|s| as_source(s)).collect(),
            sections,
            memo: vec![None; n],
            on_stack: vec![false; n],
            next: vec![NONE; n],
            loops: Vec::new(),
        }
    }

    pub fn index(&self, name: &str) -> Option<u32> {
        self.sections.binary_search_by(|s| s.name.as_str().cmp(name)).ok().map(|i| i as u32)
    }

    pub fn name(&self, i: u32) -> &'a str {
        &self.sections[i as usize].name
    }

    /// The links every `Chain` walks. Call once every profile is resolved.
    pub fn links(&self) -> Arc<Links<'a>> {
        Arc::new(Links { names: self.sections.iter().map(|s| s.name.as_str()).collect(), next: self.next.clone() })
    }

    /// Profile `i`'s chain as `resolve` found it.
    pub fn resolved(&mut self, i: u32) -> Walk {
        self.memo[i as usize].unwrap_or_else(|| self.resolve(i))
    }

    /// Resolve profile `i`'s chain when it is the one being used, and remember it.
    pub fn resolve(&mut self, i: u32) -> Walk {
        let w = self.resolve_uncached(i);
        // Only roles without keys are looked up as sources, and their walk is this same one;
        // other profiles' entries are read back only through `resolved`.
        self.memo[i as usize] = Some(w);
        w
    }

    /// The walk of a profile on its own: itself, its own MFA device and region.
    fn alone(&self, i: u32, kind: ProfileKind, root_user: u32) -> Walk {
        Walk {
            kind,
            first: NONE,
            len: 1,
            root_user,
            last: i,
            mfa_from: self.own(i, "mfa_serial"),
            region_from: self.own(i, "region"),
            broken: None,
        }
    }

    fn resolve_uncached(&mut self, i: u32) -> Walk {
        let alone = |kind, root_user| self.alone(i, kind, root_user);
        match own_kind(self.sections[i as usize]) {
            kind @ (ProfileKind::User | ProfileKind::ProcessUser) => alone(kind, i),
            ProfileKind::Role if self.as_source[i as usize] == ProfileKind::Role => self.walk(i),
            // A role with keys of its own: used directly it is assumed, so its chain goes on,
            // though as anyone's source it supplies its keys and ends a chain.
            ProfileKind::Role => match self.step(i) {
                Step::To(j) if self.as_source[j as usize] == ProfileKind::Role => {
                    let w = self.walk(j);
                    let mut out = self.extend(i, j, w);
                    if w.last == i {
                        out = Walk {
                            len: w.len,
                            root_user: NONE,
                            broken: Some(Break { at: i, cause: Cause::BackToItself }),
                            ..out
                        };
                    }
                    out
                }
                Step::ItSelf => alone(ProfileKind::Role, i),
                _ => self.step_once(i),
            },
            kind => alone(kind, NONE),
        }
    }

    fn own(&self, i: u32, key: &str) -> u32 {
        if self.sections[i as usize].get(key).is_some() { i } else { NONE }
    }

    fn step(&self, i: u32) -> Step {
        let s = self.sections[i as usize];
        match s.get("source_profile") {
            None => Step::Ends,
            Some(src) if src == s.name => Step::ItSelf,
            Some(src) => self.index(src).map_or(Step::Missing, Step::To),
        }
    }

    /// `i`'s chain continued by `j`'s.
    fn extend(&mut self, i: u32, j: u32, w: Walk) -> Walk {
        self.next[i as usize] = j;
        let or = |own: u32, up: u32| if own != NONE { own } else { up };
        Walk {
            kind: ProfileKind::ChainedRole,
            first: j,
            len: w.len + 1,
            root_user: w.root_user,
            last: w.last,
            mfa_from: or(self.own(i, "mfa_serial"), w.mfa_from),
            region_from: or(self.own(i, "region"), w.region_from),
            broken: w.broken,
        }
    }

    /// A role's chain when its source does not continue it (a user, nothing, a missing name…).
    fn step_once(&mut self, i: u32) -> Walk {
        let mut w = self.alone(i, ProfileKind::Role, NONE);
        let broken = |cause| Some(Break { at: i, cause });
        match self.step(i) {
            Step::Ends => {}
            Step::ItSelf => w.broken = broken(Cause::SelfWithoutKeys),
            Step::Missing => w.broken = broken(Cause::Missing),
            Step::To(j) => {
                self.next[i as usize] = j;
                let source = self.as_source[j as usize];
                w = Walk { first: j, len: 2, last: j, ..w };
                if w.mfa_from == NONE {
                    w.mfa_from = self.own(j, "mfa_serial");
                }
                if w.region_from == NONE {
                    w.region_from = self.own(j, "region");
                }
                match source {
                    // SSO and `aws login` profiles start a chain too: the AWS CLI keeps their
                    // credentials, and mfatui reads them (`external`).
                    ProfileKind::User | ProfileKind::ProcessUser | ProfileKind::Sso | ProfileKind::Login => {
                        w.root_user = j
                    }
                    ProfileKind::ConfigOnly => w.broken = broken(Cause::SourceWithoutCredentials),
                    _ => {}
                }
            }
        }
        w
    }

    /// The chain of `start`, a role without keys, resolving (and remembering) every role
    /// without keys it passes through first.
    fn walk(&mut self, start: u32) -> Walk {
        if let Some(w) = self.memo[start as usize] {
            return w;
        }
        let mut stack = vec![start];
        self.on_stack[start as usize] = true;
        while let Some(&x) = stack.last() {
            let done = match self.step(x) {
                Step::To(j) if self.as_source[j as usize] == ProfileKind::Role => {
                    if let Some(w) = self.memo[j as usize] {
                        self.extend(x, j, w)
                    } else if self.on_stack[j as usize] {
                        let from = stack.iter().rposition(|&m| m == j).unwrap_or(0);
                        let members = stack.split_off(from);
                        self.close_loop(members);
                        continue;
                    } else {
                        self.on_stack[j as usize] = true;
                        stack.push(j);
                        continue;
                    }
                }
                _ => self.step_once(x),
            };
            self.memo[x as usize] = Some(done);
            self.on_stack[x as usize] = false;
            stack.pop();
        }
        self.memo[start as usize].unwrap_or_else(|| self.step_once(start))
    }

    /// `members[t]`'s source is `members[t + 1]`, and the last one's is the first.
    fn close_loop(&mut self, members: Vec<u32>) {
        let k = members.len();
        let id = self.loops.len() as u32;
        let mfa = self.nearest_in_loop(&members, "mfa_serial");
        let region = self.nearest_in_loop(&members, "region");
        for (t, &m) in members.iter().enumerate() {
            self.next[m as usize] = members[(t + 1) % k];
            self.on_stack[m as usize] = false;
            self.memo[m as usize] = Some(Walk {
                kind: ProfileKind::ChainedRole,
                first: members[(t + 1) % k],
                len: k as u32,
                root_user: NONE,
                last: members[(t + k - 1) % k],
                mfa_from: mfa[t],
                region_from: region[t],
                broken: Some(Break { at: m, cause: Cause::InLoop(id) }),
            });
        }
        let smallest = (0..k).min_by_key(|&t| self.name(members[t])).unwrap_or(0);
        let mut report = members;
        report.rotate_left(smallest);
        self.loops.push(report);
    }

    /// For each member, the nearest member from it around the loop that sets `key`: two
    /// passes backwards, so the second sees what lies past the loop's end.
    fn nearest_in_loop(&self, members: &[u32], key: &str) -> Vec<u32> {
        let k = members.len();
        let mut out = vec![NONE; k];
        let mut nearest = NONE;
        for step in 0..2 * k {
            let t = k - 1 - step % k;
            if self.own(members[t], key) != NONE {
                nearest = members[t];
            }
            if step >= k {
                out[t] = nearest;
            }
        }
        out
    }
}

/// Every chain's links: `names[i]` is followed by `next[i]` wherever profile `i` continues a
/// chain. Loops are cut by a chain's length, not by its links.
#[derive(Debug)]
pub struct Links<'a> {
    names: Vec<&'a str>,
    next: Vec<u32>,
}

/// A profile's chain: the profile, then its source, to the root (`[dev, ops, alice]`).
/// Cheap to hold for every profile: chains share their links, so a chain of ten thousand
/// profiles is not ten thousand copies of most of itself.
#[derive(Clone)]
pub struct Chain<'a> {
    links: Arc<Links<'a>>,
    head: &'a str,
    first: u32,
    len: u32,
}

impl<'a> Chain<'a> {
    pub(super) fn new(links: Arc<Links<'a>>, head: &'a str, first: u32, len: u32) -> Self {
        Self { links, head, first, len }
    }

    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Never: a chain holds at least its own profile.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The `i`th profile (0 is the profile itself). Walks `i` links.
    pub fn get(&self, i: usize) -> Option<&&'a str> {
        if i >= self.len() {
            return None;
        }
        if i == 0 {
            return Some(&self.head);
        }
        let mut at = self.first;
        for _ in 1..i {
            at = self.links.next[at as usize];
        }
        self.links.names.get(at as usize)
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        let mut at = self.first;
        std::iter::once(self.head)
            .chain(std::iter::from_fn(move || {
                let name = *self.links.names.get(at as usize)?;
                at = self.links.next[at as usize];
                Some(name)
            }))
            .take(self.len())
    }
}

impl PartialEq for Chain<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl Eq for Chain<'_> {}

impl PartialEq<Vec<&str>> for Chain<'_> {
    fn eq(&self, other: &Vec<&str>) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter().copied())
    }
}

impl fmt::Debug for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Chain<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

#[cfg(test)]
#[path = "chain_tests.rs"]
mod tests;
