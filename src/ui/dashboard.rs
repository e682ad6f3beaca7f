//! The main view: header with the MFA sessions, the profile table, the key hints.

use super::columns::{self, Col};
use super::theme::Theme;
use crate::aws::clock::human_duration;
use crate::display::{clip, plural};
use crate::state::{AppState, Layer};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row as TRow, Table, Wrap};

pub fn header(f: &mut Frame, area: Rect, s: &AppState, t: &Theme) {
    let mut title = vec![
        Span::styled("mfatui", t.title),
        Span::styled(format!("  {}", plural(s.profiles.rows.len(), "profile", "profiles")), t.dim),
    ];
    if !s.profiles.filter.is_empty() || s.profiles.filtering {
        title.push(Span::styled(format!("  filter: {}", s.profiles.filter), t.accent));
        title.push(Span::styled(format!(" ({} shown)", s.profiles.visible.len()), t.dim));
    }
    if s.profiles.sort != crate::state::Sort::Grouped {
        title.push(Span::styled(format!("  sorted {}", s.profiles.sort.label()), t.dim));
    }
    if !s.profiles.marked.is_empty() {
        title.push(Span::styled(format!("  {} selected", s.profiles.marked.len()), t.accent));
    }
    header_lines(f, area, s, t, title);
}

/// A screen's header: its title, the MFA sessions, the demo's hint.
pub(super) fn header_lines(f: &mut Frame, area: Rect, s: &AppState, t: &Theme, title: Vec<Span<'static>>) {
    let mut lines = vec![Line::from(title), mfa_line(s, t, usize::from(area.width))];
    if let Some(h) = &s.demo_hint {
        lines.push(Line::styled(whole_parts(h, usize::from(area.width)), t.accent));
    }
    f.render_widget(Paragraph::new(lines), area);
}

/// The parts of a `·`-separated line that fit whole, in order: a part is never cut mid-path.
fn whole_parts(line: &str, width: usize) -> String {
    let mut out = String::new();
    for part in line.split(" · ") {
        let next = if out.is_empty() { part.to_string() } else { format!("{out} · {part}") };
        if crate::display::width(&next) > width {
            break;
        }
        out = next;
    }
    if out.is_empty() { clip(line, width).into_owned() } else { out }
}

/// Each MFA user's session; when they do not all fit, how many are in each state. The hint at
/// the end goes first when room runs out.
pub(super) fn mfa_line<'a>(s: &AppState, t: &Theme, width: usize) -> Line<'a> {
    let mut users: Vec<&String> = s.sessions.mfa_serials.keys().collect();
    // Each user takes at least "name 9s · ": past that many, only the counts can fit, and the
    // names are not spelled out (a config with hundreds of users redraws this every second).
    let spelled = users.len() * 6 <= width;
    if spelled {
        users.sort();
    }
    let mut each = vec![Span::styled("MFA ", t.dim)];
    let mut next: Option<i64> = None;
    let (mut live, mut ended, mut out) = (0, 0, 0);
    for (i, u) in users.iter().enumerate() {
        let left = s.left(u);
        if !spelled {
            match left {
                Some(l) if l > 0 => {
                    live += 1;
                    next = Some(next.map_or(l, |n| n.min(l)));
                }
                Some(_) => ended += 1,
                None => out += 1,
            }
            continue;
        }
        if i > 0 {
            each.push(Span::styled(" · ", t.dim));
        }
        let (text, style) = match left {
            Some(l) if l > 0 => {
                live += 1;
                next = Some(next.map_or(l, |n| n.min(l)));
                // Padded to the widest countdown ("11h 59m"), so the line does not shift as it counts.
                (format!("{u} {:>7}", human_duration(l)), if l <= s.prefs.warn_secs { t.warn } else { t.ok })
            }
            Some(_) => {
                ended += 1;
                (format!("{u} expired"), t.err)
            }
            None => {
                out += 1;
                (format!("{u} not signed in"), t.dim)
            }
        };
        each.push(Span::styled(text, style));
    }
    let tail = match next {
        _ if users.is_empty() => "no IAM user with mfa_serial in your config".to_string(),
        Some(n) => format!("   next code needed in {}", human_duration(n)),
        None => "   select a profile and press r to sign in".to_string(),
    };
    let len = |spans: &[Span]| spans.iter().map(|s| crate::display::width(&s.content)).sum::<usize>();
    if !spelled || len(&each) > width {
        each = vec![
            Span::styled(format!("MFA {}: ", plural(users.len(), "user", "users")), t.dim),
            Span::styled(format!("{live} signed in"), t.ok),
            Span::styled(" · ", t.dim),
            Span::styled(format!("{ended} expired"), if ended > 0 { t.err } else { t.dim }),
            Span::styled(" · ", t.dim),
            Span::styled(format!("{out} not signed in"), t.dim),
        ];
    }
    if len(&each) + tail.chars().count() <= width {
        each.push(Span::styled(tail, t.dim));
    }
    Line::from(each)
}

pub fn table(f: &mut Frame, area: Rect, s: &AppState, t: &Theme) {
    if s.profiles.rows.is_empty() {
        let msg = format!(
            "No profiles in {}.\n\nAdd an IAM user with `aws configure --profile NAME`, give it mfa_serial,\nthen roles as [profile ROLE] sections with role_arn and source_profile.\nOr try `mfatui demo`.",
            s.prefs.config_path
        );
        f.render_widget(Paragraph::new(msg).style(t.dim), area);
        return;
    }
    let plan = columns::plan(s, area.width);
    let body = usize::from(area.height.saturating_sub(1));
    // The window is recomputed for the area really drawn: the selection is on screen even when
    // the state's geometry is a frame behind.
    let offset =
        crate::state::profiles::window(s.profiles.selected, s.profiles.offset, s.profiles.visible.len(), body as u16);
    let rows: Vec<TRow> = s
        .profiles
        .visible
        .iter()
        .enumerate()
        .skip(offset)
        .take(body)
        .map(|(i, &ri)| {
            let r = &s.profiles.rows[ri];
            let cells = plan.widths.iter().map(|&(col, w)| {
                let w = usize::from(w);
                let fit = |text: &str, style| Span::styled(clip(text, w).into_owned(), style);
                match col {
                    Col::Profile => {
                        let name = columns::profile(s, r);
                        let style = if r.is_user { t.title } else { t.text };
                        match columns::flag(s, r) {
                            // The flag stays whole; the name gives way.
                            Some(flag) => Cell::from(Line::from(vec![
                                Span::styled(clip(&name, w.saturating_sub(flag.len() + 1)).into_owned() + " ", style),
                                Span::styled(flag, t.warn.add_modifier(Modifier::BOLD)),
                            ])),
                            None => Cell::from(fit(&name, style)),
                        }
                    }
                    // An alias cut short names nothing: the id, whole, instead.
                    Col::Account => match columns::account(s, r, plan.id_and_alias) {
                        a if crate::display::width(&a) > w => {
                            Cell::from(fit(r.account.as_deref().unwrap_or("—"), t.dim))
                        }
                        a => Cell::from(fit(&a, t.dim)),
                    },
                    Col::Role => Cell::from(fit(&r.role_or_user, t.text)),
                    Col::Region => match columns::region(r) {
                        (region, true) => Cell::from(Line::from(vec![
                            Span::styled(clip(region, w.saturating_sub(1)).into_owned(), t.dim),
                            Span::styled("*", t.dim.add_modifier(Modifier::BOLD)),
                        ])),
                        (region, false) => Cell::from(fit(region, t.dim)),
                    },
                    Col::Mfa => Cell::from(fit(columns::mfa(r), t.dim)),
                    Col::Session => {
                        let (text, style) = columns::session(s, r, t);
                        Cell::from(fit(&text, style))
                    }
                }
            });
            let row = TRow::new(cells);
            if i == s.profiles.selected { row.style(t.selected) } else { row }
        })
        .collect();
    let widths = plan.widths.iter().map(|&(_, w)| Constraint::Length(w));
    let header = TRow::new(plan.widths.iter().map(|(c, _)| Cell::from(Span::styled(c.title(), t.header))));
    f.render_widget(Table::new(rows, widths).header(header).column_spacing(1).style(Style::default()), area);
    if s.profiles.visible.is_empty() {
        let msg = format!("no profile matches `{}` — Esc clears the filter", s.profiles.filter);
        let below = Rect { y: area.y + 1, height: area.height.saturating_sub(1), ..area };
        f.render_widget(Paragraph::new(Line::styled(format!(" {msg}"), t.warn)).wrap(Wrap { trim: false }), below);
    }
}

/// Key hints, in the order of the keys' importance: the least important are left out when the
/// terminal is too narrow for all of them (at 80 columns the profiles screen shows all but `o`
/// and `q`, which `?` and `:` list). Shown in a fixed order (`order`), so a hint does not move
/// when another one is left out.
pub fn footer(f: &mut Frame, area: Rect, s: &AppState, t: &Theme) {
    use crate::state::iam::Dialog;
    let (hints, order): (&[(&str, &str)], &[&str]) = match s.layer() {
        Layer::Filter => (&[("type", "filter"), ("Enter", "keep"), ("Esc", "clear")], &[]),
        Layer::Prompt => (&[("digits", "code"), ("Enter", "sign in"), ("Esc", "refuse")], &[]),
        Layer::Help | Layer::Details => (&[("↑ ↓", "scroll"), ("any other key", "close")], &[]),
        Layer::Palette => (&[], &[]),
        Layer::Log => (&[("↑ ↓", "scroll"), ("g G", "oldest/newest"), ("y", "copy entry"), ("l Esc", "close")], &[]),
        Layer::Confirm => match s.popup().map(|p| &p.dialog) {
            Some(Dialog::Refused { .. }) => (&[("Enter", "close")], &[]),
            Some(Dialog::Fix { plan: Err(_), .. }) => (
                &[("Esc", "close"), ("j k", "scroll"), ("c", "copy the Deny"), ("b", "copy the boundary")],
                &["j k", "c", "b", "Esc"],
            ),
            Some(Dialog::Fix { .. }) => (
                &[
                    ("y", "apply"),
                    ("n", "cancel"),
                    ("j k", "scroll"),
                    ("c", "copy the Deny"),
                    ("b", "copy the boundary"),
                ],
                &["y", "n", "j k", "c", "b"],
            ),
            _ => (&[("y", "yes"), ("n", "no")], &[]),
        },
        Layer::Normal => (
            &[
                ("r", "login"),
                ("?", "help"),
                ("Tab", "IAM"),
                (":", "cmd"),
                ("i", "info"),
                ("/", "find"),
                ("R", "all"),
                ("Spc", "mark"),
                ("l", "log"),
                ("c", "copy"),
                ("s", "sort"),
                ("o", "console"),
                ("q", "quit"),
            ],
            &["r", "R", "Spc", "/", "s", "i", "o", "c", "l", ":", "Tab", "?", "q"],
        ),
        Layer::Iam => (
            &[
                ("Enter", "open"),
                ("r", "rotate"),
                ("a", "audit"),
                ("?", "help"),
                ("Tab", "profiles"),
                ("f", "fix"),
                ("A", "all"),
                ("l", "log"),
                (":", "cmd"),
                ("q", "quit"),
            ],
            &["Enter", "r", "a", "A", "f", "l", ":", "Tab", "?", "q"],
        ),
        Layer::Describe => (
            &[
                ("Esc", "back"),
                ("r", "rotate"),
                ("d", "deactivate"),
                ("x", "delete"),
                ("a", "audit"),
                ("f", "fix"),
                ("↑ ↓", "move"),
                ("?", "help"),
            ],
            &["↑ ↓", "r", "d", "x", "a", "f", "Esc", "?"],
        ),
    };
    let width = |(k, v): &(&str, &str)| crate::display::width(k) + crate::display::width(v) + 2;
    let mut keep = hints.len();
    while keep > 1 && hints[..keep].iter().map(width).sum::<usize>() > usize::from(area.width) {
        keep -= 1;
    }
    let mut shown: Vec<&(&str, &str)> = hints[..keep].iter().collect();
    shown.sort_by_key(|(k, _)| order.iter().position(|o| o == k).unwrap_or(0));
    let mut spans = Vec::new();
    for (k, v) in shown {
        spans.push(Span::styled(format!(" {k}"), t.accent));
        spans.push(Span::styled(format!(" {v}"), t.dim));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
