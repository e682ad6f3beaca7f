//! The profiles screen's own state: its rows, what the filter and the sort show of them, the
//! selection and the marks, and the window of rows on screen. `update::profiles` owns it.

use super::rows::Row;
use super::sessions::Sessions;
use std::collections::BTreeSet;

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

/// The widths the table's columns want from what does not change between loads of the files,
/// measured once per load: measuring 2,000 rows every frame would cost each second's redraw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Measure {
    /// Mark, the tree's indentation (measured whether or not it is drawn) and name.
    pub profile: usize,
    /// The distinct account ids (their aliases arrive later, from the store).
    pub accounts: BTreeSet<String>,
    pub account_id: usize,
    pub role: usize,
    /// With the `*` of an inherited one.
    pub region: usize,
    pub mfa: usize,
    /// `! DIAGNOSTIC` in the session column.
    pub diagnostic: usize,
}

impl Measure {
    pub fn of(rows: &[Row]) -> Self {
        let w = crate::display::width;
        let mut m = Measure::default();
        for r in rows {
            m.profile = m.profile.max(2 + 2 * r.depth + w(&r.profile));
            if let Some(a) = &r.account {
                m.account_id = m.account_id.max(w(a));
                if !m.accounts.contains(a) {
                    m.accounts.insert(a.clone());
                }
            }
            m.role = m.role.max(w(&r.role_or_user));
            let region =
                r.region.as_deref().map_or(1, w) + usize::from(r.region.is_some() && r.region_origin.inherited());
            m.region = m.region.max(region);
            m.mfa = m.mfa.max(r.mfa.as_deref().map_or(1, w));
            m.diagnostic = m.diagnostic.max(r.diagnostic.as_deref().map_or(0, |d| 2 + w(d)));
        }
        m
    }
}

#[derive(Debug, Clone)]
pub struct ProfilesView {
    pub rows: Vec<Row>,
    /// `rows` measured for the table's columns.
    pub measure: Measure,
    /// Indices into `rows` after filter and sort; recomputed only when those change.
    pub visible: Vec<usize>,
    /// Index into `visible`.
    pub selected: usize,
    /// First visible row shown.
    pub offset: usize,
    /// Table rows that fit on screen, and where the first one is drawn (`Action::Geometry`).
    pub viewport: u16,
    pub table_top: u16,
    pub marked: BTreeSet<String>,
    pub filter: String,
    /// The filter is being typed (it takes the keys).
    pub filtering: bool,
    pub sort: Sort,
}

impl ProfilesView {
    pub fn new(rows: Vec<Row>) -> Self {
        Self {
            measure: Measure::of(&rows),
            rows,
            visible: Vec::new(),
            selected: 0,
            offset: 0,
            viewport: 20,
            table_top: 3,
            marked: BTreeSet::new(),
            filter: String::new(),
            filtering: false,
            sort: Sort::Grouped,
        }
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.visible.get(self.selected).map(|&i| &self.rows[i])
    }

    pub fn row(&self, profile: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.profile == profile)
    }

    fn matches(&self, r: &Row, sessions: &Sessions) -> bool {
        if self.filter.is_empty() {
            return true;
        }
        let f = self.filter.to_lowercase();
        let alias = r.account.as_ref().and_then(|a| sessions.aliases.get(a));
        [Some(&r.profile), r.account.as_ref(), alias, Some(&r.role_or_user), r.user.as_ref()]
            .iter()
            .flatten()
            .any(|s| s.to_lowercase().contains(&f))
    }

    /// Recompute `visible` after the filter, the sort or the sessions changed.
    pub fn refilter(&mut self, sessions: &Sessions) {
        let keep = self.selected_row().map(|r| r.profile.clone());
        self.refilter_keeping(keep, sessions);
    }

    /// Take the rows built from reloaded files; selection, filter and marks stay.
    pub fn replace_rows(&mut self, rows: Vec<Row>, sessions: &Sessions) {
        let keep = self.selected_row().map(|r| r.profile.clone());
        self.measure = Measure::of(&rows);
        self.rows = rows;
        let present: BTreeSet<&str> = self.rows.iter().map(|r| r.profile.as_str()).collect();
        self.marked.retain(|m| present.contains(m.as_str()));
        self.refilter_keeping(keep, sessions);
    }

    /// The visible rows again, with `keep`'s row selected when it is still shown.
    fn refilter_keeping(&mut self, keep: Option<String>, sessions: &Sessions) {
        let mut v: Vec<usize> = (0..self.rows.len()).filter(|&i| self.matches(&self.rows[i], sessions)).collect();
        let rows = &self.rows;
        match self.sort {
            Sort::Grouped => {}
            Sort::Name => v.sort_by(|&a, &b| rows[a].profile.cmp(&rows[b].profile)),
            Sort::Account => {
                v.sort_by(|&a, &b| (&rows[a].account, &rows[a].profile).cmp(&(&rows[b].account, &rows[b].profile)))
            }
            Sort::Expiry => {
                v.sort_by_key(|&i| (sessions.lifetimes.get(&rows[i].session_of).map_or(i64::MAX, |l| l.expires_at), i))
            }
        }
        self.visible = v;
        self.selected = keep.and_then(|k| self.visible.iter().position(|&i| self.rows[i].profile == k)).unwrap_or(0);
        self.scroll_into_view();
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

    pub fn move_to(&mut self, i: usize) {
        self.selected = i.min(self.visible.len().saturating_sub(1));
        self.scroll_into_view();
    }

    pub fn move_by(&mut self, delta: i64) {
        self.move_to((self.selected as i64 + delta).max(0) as usize);
    }

    pub fn scroll_into_view(&mut self) {
        self.offset = window(self.selected, self.offset, self.visible.len(), self.viewport);
    }
}

/// The first row to show so that `selected` is on screen with `rows` rows: the same rule for the
/// state (after a move) and for drawing (in whatever area the frame really has), so the
/// selection is visible even when the geometry changed since the last move.
pub fn window(selected: usize, offset: usize, len: usize, rows: u16) -> usize {
    let rows = usize::from(rows.max(1));
    let selected = selected.min(len.saturating_sub(1));
    let mut offset = offset;
    if selected < offset {
        offset = selected;
    } else if selected >= offset + rows {
        offset = selected + 1 - rows;
    }
    offset.min(len.saturating_sub(rows))
}

#[cfg(test)]
mod tests {
    use super::window;

    #[test]
    fn the_selected_row_is_always_in_the_window() {
        for len in [0usize, 1, 5, 40] {
            for rows in [1u16, 3, 10, 50] {
                for selected in 0..len.max(1) {
                    for offset in [0, selected, len] {
                        let o = window(selected, offset, len, rows);
                        if len > 0 {
                            assert!(
                                o <= selected && selected < o + usize::from(rows),
                                "{len} {rows} {selected} {offset}"
                            );
                        }
                    }
                }
            }
        }
    }
}
