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
    let mark = if s.marked.contains(&r.profile) { "* " } else { "  " };
    format!("{mark}{}{}", "  ".repeat(indent(s, r)), r.profile)
}

/// A user row's flag when an access key of the user is older than `key_max_age_days` (known
/// only once the IAM screen has read the user's keys).
pub fn flag(s: &AppState, r: &Row) -> Option<&'static str> {
    (r.is_user && s.has_old_key(&r.profile)).then_some("old key")
}

fn indent(s: &AppState, r: &Row) -> usize {
    if s.sort == Sort::Grouped && s.filter.is_empty() { r.depth } else { 0 }
}

/// The account's alias, when one is known (`""` in the store means it has none).
pub fn alias<'a>(s: &'a AppState, r: &Row) -> Option<&'a str> {
    r.account.as_ref().and_then(|a| s.aliases.get(a)).map(String::as_str).filter(|a| !a.is_empty())
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
        Some(region) => (region, r.region_inherited),
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
    match s.activity.get(&r.profile) {
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
    match s.left(&r.profile) {
        None => ("—".into(), t.dim),
        Some(l) if l <= 0 => ("expired".into(), t.err),
        // "~": the refresher renews it on its next pass, by the engine's own rule.
        Some(l) if s.sessions.get(&r.profile).is_some_and(|x| x.is_due(s.now, &s.renewal)) => {
            (format!("~ {}", human_duration(l)), t.warn)
        }
        Some(l) => (human_duration(l), t.ok),
    }
}

/// Share `width` among the columns (see the module doc).
pub fn plan(s: &AppState, width: u16, t: &Theme) -> Columns {
    let ix = |c: Col| c as usize;
    // Widest content per column, and of the account column in its short form.
    let mut full = [0usize; 6];
    let mut short_account = 0;
    for r in &s.rows {
        let grow = |full: &mut [usize; 6], c: Col, n: usize| full[ix(c)] = full[ix(c)].max(n);
        let flagged = flag(s, r).map_or(0, |f| 1 + len(f));
        grow(&mut full, Col::Profile, 2 + 2 * indent(s, r) + len(&r.profile) + flagged);
        let (id, alias) = (r.account.as_deref().map_or(1, len), alias(s, r).map(len));
        grow(&mut full, Col::Account, alias.map_or(id, |a| id + 1 + a));
        short_account = short_account.max(alias.unwrap_or(id));
        grow(&mut full, Col::Role, len(&r.role_or_user));
        let (region, inherited) = region(r);
        grow(&mut full, Col::Region, len(region) + usize::from(inherited));
        grow(&mut full, Col::Mfa, len(mfa(r)));
        grow(&mut full, Col::Session, len(&session(s, r, t).0));
    }
    let want = Col::ALL.map(|c| full[ix(c)].max(len(c.title())).min(c.cap()));
    let short_account = short_account.max(len(Col::Account.title())).min(ALIAS_CAP);

    let used = |w: &[usize; 6]| {
        let shown = w.iter().filter(|&&n| n > 0).count();
        w.iter().sum::<usize>() + shown.saturating_sub(1)
    };
    let total = usize::from(width);
    let mut w = [0usize; 6];
    w[ix(Col::Profile)] = want[ix(Col::Profile)];
    w[ix(Col::Account)] = short_account;
    w[ix(Col::Session)] = want[ix(Col::Session)].min(SESSION_NARROW);
    let mut id_and_alias = false;
    for c in [Col::Session, Col::Account, Col::Region, Col::Role, Col::Mfa] {
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
        let t = Theme::new(s.theme, false);
        plan(s, width, &t).widths.into_iter().map(|(c, _)| c).collect()
    }

    #[test]
    fn the_least_important_columns_go_first_and_the_width_is_used() {
        use Col::*;
        let mut s = demo_state();
        s.aliases.insert("222222222222".into(), "acme-development".into());
        let t = Theme::new(s.theme, false);
        for width in [40, 60, 80, 100, 120, 200] {
            let p = plan(&s, width, &t);
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
        let p = plan(&s, 200, &t);
        let width_of = |c| p.widths.iter().find(|(x, _)| *x == c).unwrap().1 as usize;
        assert!(p.id_and_alias && width_of(Account) >= "222222222222 acme-development".len());
        assert!(width_of(Profile) >= "      prod-breakglass".len());
    }

    #[test]
    fn the_countdown_says_renewing_soon_by_the_engines_own_rule() {
        let mut s = demo_state();
        let t = Theme::new(s.theme, false);
        let row = s.rows.iter().find(|r| r.profile == "dev-admin").unwrap().clone();
        let within_margin = s.now + s.renewal.margin_secs - 10;
        // Just renewed: inside the margin, but the refresher waits its minimum interval.
        s.sessions.insert(row.profile.clone(), Lifetime { expires_at: within_margin, obtained_at: s.now - 5 });
        assert!(!session(&s, &row, &t).0.starts_with('~'), "{:?}", session(&s, &row, &t));
        s.sessions.insert(row.profile.clone(), Lifetime { expires_at: within_margin, obtained_at: s.now - 600 });
        assert!(session(&s, &row, &t).0.starts_with("~ "), "{:?}", session(&s, &row, &t));
    }
}
