//! The profile table's columns: what each cell says, and how the terminal's width is shared
//! among them.
//!
//! The rule: every column is measured over all rows (not only those on screen, so scrolling and
//! filtering never make columns jump) and wants its widest content, up to a cap. Columns are
//! granted in order of importance — PROFILE, ACCOUNT (id only, or alias only), and a narrow
//! SESSION first; then SESSION at its width, the account's `id alias`, REGION, ROLE / KIND and
//! MFA — and the first that does not fit ends the list, so on a narrow terminal the least
//! important go first. What is left goes to content cut by a cap, then to SESSION, the last
//! column, whose errors are the longest text (the detail line and `i` show them whole).

use super::theme::Theme;
use crate::aws::clock::human_duration;
use crate::display::width as len;
use crate::state::{Activity, AppState, Row, Sort};
use ratatui::style::Style;

pub const SPINNER: [&str; 4] = ["|", "/", "-", "\\"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Profile,
    Account,
    Role,
    Region,
    Mfa,
    Session,
}

impl Col {
    const ALL: [Col; 6] = [Col::Profile, Col::Account, Col::Role, Col::Region, Col::Mfa, Col::Session];

    pub fn title(self) -> &'static str {
        match self {
            Col::Profile => "PROFILE",
            Col::Account => "ACCOUNT",
            Col::Role => "ROLE / KIND",
            Col::Region => "REGION",
            Col::Mfa => "MFA",
            Col::Session => "SESSION",
        }
    }

    /// Beyond this a cell is cut (with …) unless width is left once every column is placed.
    fn cap(self) -> usize {
        match self {
            Col::Profile => 40,
            Col::Account => ACCOUNT_ID + 1 + ALIAS_CAP,
            Col::Role => 32,
            Col::Region => 16,
            Col::Mfa => 24,
            Col::Session => 24,
        }
    }
}

const ACCOUNT_ID: usize = 12;
const ALIAS_CAP: usize = 24;
/// "| refreshing", "needs MFA code…": enough to tell the state.
const SESSION_NARROW: usize = 12;
/// The profile column gives way below the essentials, but not below this.
const PROFILE_MIN: usize = 10;

/// The columns shown, left to right, with their widths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    pub widths: Vec<(Col, u16)>,
    /// The account column shows `id alias`; otherwise the alias alone where one is known.
    pub id_and_alias: bool,
}

/// Mark, tree indentation and name. The tree is drawn only when it is whole: in another sort,
/// or with a filter that may hide a parent, the row above is not necessarily the parent.
pub fn profile(s: &AppState, r: &Row) -> String {
    let mark = if s.profiles.marked.contains(&r.profile) { "* " } else { "  " };
    format!("{mark}{}{}", "  ".repeat(indent(s, r)), r.profile)
}

/// A user row's flag when an access key of the user is older than `key_max_age_days` (known
/// only once the IAM screen has read the user's keys).
pub fn flag(s: &AppState, r: &Row) -> Option<&'static str> {
    (r.is_user && s.has_old_key(&r.profile)).then_some("old key")
}

fn indent(s: &AppState, r: &Row) -> usize {
    if s.profiles.sort == Sort::Grouped && s.profiles.filter.is_empty() { r.depth } else { 0 }
}

/// The account's alias, when one is known (`""` in the store means it has none).
pub fn alias<'a>(s: &'a AppState, r: &Row) -> Option<&'a str> {
    r.account.as_ref().and_then(|a| s.sessions.aliases.get(a)).map(String::as_str).filter(|a| !a.is_empty())
}

pub fn account(s: &AppState, r: &Row, id_and_alias: bool) -> String {
    match (&r.account, alias(s, r)) {
        (Some(id), Some(alias)) if id_and_alias => format!("{id} {alias}"),
        (Some(_), Some(alias)) => alias.to_string(),
        (Some(id), None) => id.clone(),
        (None, _) => "—".into(),
    }
}

/// The region, and whether it is inherited (drawn with a trailing `*`).
pub fn region(r: &Row) -> (&str, bool) {
    match &r.region {
        Some(region) => (region, r.region_origin.inherited()),
        None => ("—", false),
    }
}

pub fn mfa(r: &Row) -> &str {
    r.mfa.as_deref().unwrap_or("—")
}

/// The session cell: what is wrong first, then what is happening, then the countdown.
pub fn session(s: &AppState, r: &Row, t: &Theme) -> (String, Style) {
    if let Some(d) = &r.diagnostic {
        return (format!("! {d}"), t.err);
    }
    match s.sessions.activity.get(&r.session_of) {
        Some(Activity::Refreshing) => return (format!("{} refreshing", SPINNER[s.spinner % 4]), t.accent),
        Some(Activity::Failed(e)) => return (format!("x {e}"), t.err),
        Some(Activity::NeedsCode) => return ("needs MFA code: press r".into(), t.warn),
        None => {}
    }
    // What the AWS CLI keeps for an SSO or `aws login` profile: its own countdown, and the
    // command that renews it once ended.
    if let Some(e) = &r.external {
        return match e.left(s.now) {
            Some(l) if l > 0 => (e.short(s.now), if l <= 600 { t.warn } else { t.ok }),
            _ => (format!("{}: {}", e.short(s.now), e.renew_command), t.err),
        };
    }
    if r.user.is_none() {
        return ("—".into(), t.dim);
    }
    match s.left(&r.session_of) {
        None => ("—".into(), t.dim),
        Some(l) if l <= 0 => ("expired".into(), t.err),
        // "~": the refresher renews it on its next pass, by the engine's own rule.
        Some(l) if s.sessions.lifetimes.get(&r.session_of).is_some_and(|x| x.is_due(s.now, &s.prefs.renewal)) => {
            (format!("~ {}", human_duration(l)), t.warn)
        }
        Some(l) => (human_duration(l), t.ok),
    }
}

/// Share `width` among the columns (see the module doc).
pub fn plan(s: &AppState, width: u16) -> Columns {
    let ix = |c: Col| c as usize;
    // Widest content per column, and of the account column in its short form: what comes from
    // the files was measured when they were read; what changes (aliases, activity, old keys) is
    // measured here, over the few it concerns.
    let m = &s.profiles.measure;
    let mut full = [0usize; 6];
    full[ix(Col::Profile)] = m.profile;
    for (user, _) in s.iam.sections.iter().filter(|(u, _)| s.has_old_key(u)) {
        full[ix(Col::Profile)] = full[ix(Col::Profile)].max(2 + len(user) + 1 + len("old key"));
    }
    let (mut id_alias, mut short_account) = (m.account_id.max(1), m.account_id.max(1));
    for a in &m.accounts {
        if let Some(alias) = s.sessions.aliases.get(a).filter(|x| !x.is_empty()) {
            id_alias = id_alias.max(len(a) + 1 + len(alias));
            short_account = short_account.max(len(alias));
        }
    }
    full[ix(Col::Account)] = id_alias;
    full[ix(Col::Role)] = m.role;
    full[ix(Col::Region)] = m.region;
    full[ix(Col::Mfa)] = m.mfa;
    // A countdown ("~ 11h 59m") or a state; failures are capped by the column anyway.
    let activity = s.sessions.activity.values().map(|a| match a {
        Activity::Refreshing => len("| refreshing"),
        Activity::Failed(e) => 2 + len(e),
        Activity::NeedsCode => len("needs MFA code: press r"),
    });
    full[ix(Col::Session)] = activity.chain([m.diagnostic, len("~ 11h 59m")]).max().unwrap_or(0);
    let want = Col::ALL.map(|c| full[ix(c)].max(len(c.title())).min(c.cap()));
    let short_account = short_account.max(len(Col::Account.title())).min(ALIAS_CAP);

    let used = |w: &[usize; 6]| {
        let shown = w.iter().filter(|&&n| n > 0).count();
        w.iter().sum::<usize>() + shown.saturating_sub(1)
    };
    let total = usize::from(width);
    let mut w = [0usize; 6];
    w[ix(Col::Profile)] = want[ix(Col::Profile)];
    // The account's base width does not depend on aliases (they arrive after sign-in): an alias
    // longer than an id is cut until width is left over, so its arrival never drops a column.
    w[ix(Col::Account)] = ACCOUNT_ID.max(len(Col::Account.title()));
    w[ix(Col::Session)] = want[ix(Col::Session)].min(SESSION_NARROW);
    let mut id_and_alias = false;
    for c in [Col::Session, Col::Region, Col::Role, Col::Mfa, Col::Account] {
        let mut next = w;
        next[ix(c)] = want[ix(c)];
        if used(&next) > total {
            break;
        }
        id_and_alias |= c == Col::Account;
        w = next;
    }
    if used(&w) > total {
        let over = used(&w) - total;
        w[ix(Col::Profile)] = w[ix(Col::Profile)].saturating_sub(over).max(PROFILE_MIN);
    }
    let mut left = total.saturating_sub(used(&w));
    for c in [Col::Profile, Col::Account, Col::Role, Col::Mfa] {
        let widest = if c == Col::Account && !id_and_alias { short_account } else { full[ix(c)] };
        if w[ix(c)] > 0 {
            let grow = widest.saturating_sub(w[ix(c)]).min(left);
            w[ix(c)] += grow;
            left -= grow;
        }
    }
    w[ix(Col::Session)] += left;
    Columns {
        widths: Col::ALL.into_iter().filter(|&c| w[ix(c)] > 0).map(|c| (c, w[ix(c)] as u16)).collect(),
        id_and_alias,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Lifetime;
    use crate::update::tests::demo_state;

    fn shown(s: &AppState, width: u16) -> Vec<Col> {
        plan(s, width).widths.into_iter().map(|(c, _)| c).collect()
    }

    #[test]
    fn the_least_important_columns_go_first_and_the_width_is_used() {
        use Col::*;
        let mut s = demo_state();
        s.sessions.aliases.insert("222222222222".into(), "acme-development".into());
        for width in [40, 60, 80, 100, 120, 200] {
            let p = plan(&s, width);
            let sum: u16 = p.widths.iter().map(|(_, w)| w).sum::<u16>() + p.widths.len() as u16 - 1;
            assert_eq!(sum, width, "every column placed and the whole width used: {p:?}");
        }
        assert_eq!(shown(&s, 200), [Profile, Account, Role, Region, Mfa, Session]);
        assert_eq!(shown(&s, 60), [Profile, Account, Session]);
        let mut dropped = Vec::new();
        for width in (40..200).rev() {
            for c in [Mfa, Role, Region] {
                if !shown(&s, width).contains(&c) && !dropped.contains(&c) {
                    dropped.push(c);
                }
            }
        }
        assert_eq!(dropped, [Mfa, Role, Region], "MFA goes first, then ROLE / KIND, then REGION");
        // Wide: aliases whole, and nothing cut while width is left.
        let p = plan(&s, 200);
        let width_of = |c| p.widths.iter().find(|(x, _)| *x == c).unwrap().1 as usize;
        assert!(p.id_and_alias && width_of(Account) >= "222222222222 acme-development".len());
        assert!(width_of(Profile) >= "      prod-breakglass".len());
    }

    #[test]
    fn the_countdown_says_renewing_soon_by_the_engines_own_rule() {
        let mut s = demo_state();
        let t = Theme::new(s.prefs.theme, false);
        let row = s.profiles.rows.iter().find(|r| r.profile == "dev-admin").unwrap().clone();
        let within_margin = s.now + s.prefs.renewal.margin_secs - 10;
        // Just renewed: inside the margin, but the refresher waits its minimum interval.
        s.sessions
            .lifetimes
            .insert(row.profile.clone(), Lifetime { expires_at: within_margin, obtained_at: s.now - 5 });
        assert!(!session(&s, &row, &t).0.starts_with('~'), "{:?}", session(&s, &row, &t));
        s.sessions
            .lifetimes
            .insert(row.profile.clone(), Lifetime { expires_at: within_margin, obtained_at: s.now - 600 });
        assert!(session(&s, &row, &t).0.starts_with("~ "), "{:?}", session(&s, &row, &t));
    }
}
