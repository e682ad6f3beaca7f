//! "Did you mean": the names nearest to one that matched nothing. One rule for every place an
//! unknown profile is reported (a command's argument, a `source_profile`, `AWS_PROFILE`), so a
//! typo (`prod-admn`, `alcie`) and an ambiguous prefix (`prod`) get the same help everywhere.

/// At most this many names are offered; more would be a list, and `mfatui list` is the list.
pub const MAX_SHOWN: usize = 5;

/// The edit distance of `a` and `b` (insertions, deletions, substitutions and transpositions of
/// two neighbours, each 1: the optimal string alignment distance), compared without case;
/// `None` once it is certainly over `max` (so long names cost little).
pub fn distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().flat_map(char::to_lowercase).collect();
    let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    // Three rows of the table: two back (for transpositions), the previous, the current.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[b.len()]).filter(|d| *d <= max)
}

/// How many edits still count as a typo of a name this long: 1 up to 4 characters, 2 up to 10,
/// 3 beyond (so `dev` does not "mean" every three-letter name).
fn typo_budget(len: usize) -> usize {
    match len {
        0..=4 => 1,
        5..=10 => 2,
        _ => 3,
    }
}

/// The candidates `name` probably meant, best first, at most `MAX_SHOWN` (and how many more
/// matched): typos by edit distance first, then names that start with it (`prod` →
/// `prod-admin`, `prod-readonly`), then names that contain it. Of the typos only the closest
/// are kept. Ties keep the candidates' order,
/// so a caller lists the names users type before the ones derived from them.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> (Vec<&'a str>, usize) {
    shown(ranked(name, candidates))
}

/// The first `MAX_SHOWN` of a ranking, and how many more there are.
pub fn shown(mut ranked: Vec<&str>) -> (Vec<&str>, usize) {
    let more = ranked.len().saturating_sub(MAX_SHOWN);
    ranked.truncate(MAX_SHOWN);
    (ranked, more)
}

/// Every candidate `nearest` would offer, best first.
pub fn ranked<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let wanted = name.to_lowercase();
    let len = name.chars().count();
    if len == 0 {
        return Vec::new();
    }
    let budget = typo_budget(len);
    let mut scored: Vec<(usize, usize, &'a str)> = Vec::new();
    for (order, c) in candidates.into_iter().enumerate() {
        if c == name || scored.iter().any(|(_, _, s)| *s == c) {
            continue;
        }
        let lower = c.to_lowercase();
        let score = if let Some(d) = distance(&wanted, &lower, budget) {
            d
        } else if lower.starts_with(&wanted) {
            budget + 1
        } else if len >= 3 && (lower.contains(&wanted) || wanted.contains(&lower) && lower.chars().count() >= 3) {
            budget + 2
        } else {
            continue;
        };
        scored.push((score, order, c));
    }
    // Only the closest typos: one edit away beats three, which would only be noise then; and
    // with a typo found, names merely inside the word (`prod-admin` in `prod-admin-mfx`) are too.
    let closest = scored.iter().map(|(d, _, _)| *d).min().unwrap_or(0);
    let typo = closest <= budget;
    scored.retain(|(d, _, _)| if *d <= budget { *d == closest } else { !(typo && *d == budget + 2) });
    scored.sort_unstable();
    scored.into_iter().map(|(_, _, c)| c).collect()
}

/// The words for `nearest`'s answer: ` (did you mean prod-admin?)`, ` (did you mean a, b or
/// c?)`, ` (did you mean a, b, c, d or e? 3 more are alike)`; empty when nothing is near.
pub fn hint(near: &[&str], more: usize) -> String {
    let names: Vec<String> = near.iter().map(|n| crate::display::clip(n, 60).into_owned()).collect();
    if names.is_empty() {
        return String::new();
    }
    let listed = crate::display::series(&names, "or");
    let more = match more {
        0 => String::new(),
        1 => " 1 more is alike".into(),
        n => format!(" {n} more are alike"),
    };
    format!(" (did you mean {listed}?{more})")
}

/// `hint(nearest(name, candidates))`: the whole suffix for an "unknown profile" message.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let (near, more) = nearest(name, candidates);
    hint(&near, more)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [&str; 9] = [
        "alice",
        "bob",
        "dev-admin",
        "prod-admin",
        "prod-readonly",
        "prod-breakglass",
        "prod-data",
        "prod-ops",
        "prod-audit",
    ];

    #[test]
    fn distance_counts_edits_and_swaps() {
        assert_eq!(distance("prod-admn", "prod-admin", 3), Some(1));
        assert_eq!(distance("alcie", "alice", 3), Some(1), "a swap is one edit");
        assert_eq!(distance("Alice", "alice", 0), Some(0), "case is not an edit");
        assert_eq!(distance("kitten", "sitting", 3), Some(3));
        assert_eq!(distance("abc", "xyzxyz", 2), None, "over the budget");
        assert_eq!(distance("", "ab", 2), Some(2));
    }

    #[test]
    fn typos_suggest_the_name_meant() {
        assert_eq!(nearest("prod-admn", NAMES), (vec!["prod-admin"], 0));
        assert_eq!(nearest("alcie", NAMES), (vec!["alice"], 0));
        assert_eq!(did_you_mean("alcie", NAMES), " (did you mean alice?)");
        assert_eq!(nearest("zzzzzz", NAMES), (vec![], 0));
    }

    #[test]
    fn an_ambiguous_prefix_lists_several_and_counts_the_rest() {
        let (near, more) = nearest("prod", NAMES);
        assert_eq!(near, ["prod-admin", "prod-readonly", "prod-breakglass", "prod-data", "prod-ops"]);
        assert_eq!(more, 1);
        let text = did_you_mean("prod", NAMES);
        assert!(text.starts_with(" (did you mean prod-admin, prod-readonly, prod-breakglass, prod-data or prod-ops?"));
        assert!(text.ends_with("? 1 more is alike)"), "{text}");
        assert_eq!(did_you_mean("prod-r", NAMES), " (did you mean prod-readonly?)");
    }

    #[test]
    fn closer_names_come_first_and_nothing_twice() {
        let names = ["prod-admin-mfa", "prod-admin", "prod-admin"];
        assert_eq!(nearest("prod-admi", names).0, ["prod-admin", "prod-admin-mfa"]);
        assert_eq!(nearest("deve", ["dev", "development"]).0, ["dev", "development"]);
        assert_eq!(nearest("prod-admin-mfx", ["prod-admin", "prod-admin-mfa"]).0, ["prod-admin-mfa"]);
        assert_eq!(nearest("prod-admin-x", ["prod-admin"]).0, ["prod-admin"], "inside it, with no typo near");
    }
}
