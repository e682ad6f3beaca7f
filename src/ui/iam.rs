//! The IAM screen: one section per IAM user profile — its access keys (masked ids, status,
//! created, age, last use), MFA devices (usable from the CLI or not), groups, policies,
//! boundary, the overview's problems, a rotation's progress, and the MFA audit with its
//! explanation and fix. The cursor moves over the parts of the sections; the view scrolls so
//! the part under it shows whole, its section's top too when there is room (else its user's
//! name stays on the first row). Errors are wrapped in full where they happened. The audit's
//! lines are drawn by `iam/audit.rs`, the key table by `iam/keys.rs`.

use super::columns::SPINNER;
use super::dashboard;
use super::text::wrap_after;
use super::theme::Theme;
use crate::aws::iam::api::MfaDevice;
use crate::aws::iam::enforcement::FindingSeverity;
use crate::aws::iam::keys::Overview;
use crate::display::plural;
use crate::state::AppState;
use crate::state::iam::{Dialog, Item, Part, UserSection};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState};

mod audit;
mod keys;
mod table;

use audit::{evidence, fix_block, verdict_block};
use keys::key_block;

/// Labels sit after the cursor mark and an indent.
const LABEL: usize = 13;
/// A rotation shows its last steps here; the log (`l`) has them all.
const STEPS: usize = 7;

pub fn draw(f: &mut Frame, areas: &super::Areas, s: &AppState, t: &Theme) {
    head(f, areas.header, s, t);
    match s.described() {
        Some(user) => describe(f, areas.table, s, user, t),
        None => table::draw(f, areas.table, s, t),
    }
}

fn head(f: &mut Frame, area: Rect, s: &AppState, t: &Theme) {
    let users = s.iam_users();
    let loading = users
        .iter()
        .filter(|u| s.section(u).is_some_and(|x| x.overview.loading || x.audit.loading || x.fix.loading))
        .count();
    let mut title = vec![
        Span::styled("mfatui  IAM", t.title),
        Span::styled(
            format!("  {} · keys OLD after {} days", plural(users.len(), "user", "users"), s.iam.max_age_days),
            t.dim,
        ),
    ];
    let unsigned = users.iter().filter(|u| s.needs_code(u)).count();
    if unsigned > 0 {
        title.push(Span::styled(format!(" · {unsigned} signed out"), t.warn));
    }
    if loading > 0 {
        title.push(Span::styled(format!("  {} loading {loading}", SPINNER[s.spinner % 4]), t.accent));
    }
    dashboard::header_lines(f, area, s, t, title);
}

/// One stop of the cursor and the lines it owns, after `skip` blank lines between sections.
struct Block {
    item: Item,
    lines: Vec<Line<'static>>,
    skip: usize,
}

/// One user described (k9s' `describe`): its parts top to bottom, the cursor's part whole on
/// screen, its name kept on the first row when the top is scrolled away.
fn describe(f: &mut Frame, area: Rect, s: &AppState, user: &str, t: &Theme) {
    // One column for the scrollbar.
    let width = usize::from(area.width.saturating_sub(1)).max(20);
    let items = s.iam_items(user);
    let cursor = s.iam_cursor_in(&items);
    let blocks = blocks(s, items, width, t, cursor.as_ref());
    let mut lines: Vec<Line> = Vec::new();
    let mut at = Vec::with_capacity(blocks.len());
    for b in blocks {
        at.push((lines.len() + b.skip, b.lines.len() - b.skip, b.item));
        lines.extend(b.lines);
    }
    let (total, height) = (lines.len(), usize::from(area.height));
    let sel = at.iter().position(|(_, _, i)| Some(i) == cursor.as_ref()).unwrap_or(0);
    let starts: Vec<usize> = at.iter().map(|b| b.0).collect();
    let mut offset = scroll(at[sel].0, at[sel].1, &starts, total, height);
    let mut text = Rect { width: area.width.saturating_sub(1), ..area };
    if offset > 0 && height > 2 {
        offset = scroll(at[sel].0, at[sel].1, &starts, total, height - 1);
        let sticky = format!("  {user} (continued; g goes to its top · Esc back to the table)");
        f.render_widget(Paragraph::new(Line::styled(sticky, t.title)), Rect { height: 1, ..text });
        text = Rect { y: text.y + 1, height: text.height - 1, ..text };
    }
    f.render_widget(Paragraph::new(lines).scroll((offset as u16, 0)), text);
    if total > height {
        // One thumb, in one style, over a plain track.
        let mut state = ScrollbarState::new(total - height).position(offset);
        let bar = Scrollbar::new(ScrollbarOrientation::VerticalRight)
            .begin_symbol(None)
            .end_symbol(None)
            .track_symbol(Some("│"))
            .thumb_symbol("█")
            .track_style(t.dim)
            .thumb_style(t.accent);
        f.render_stateful_widget(bar, area, &mut state);
    }
}

/// The first line shown: the selected block whole (its start when taller than the view), with
/// as many whole blocks of its section above it as fit (`starts`: where its blocks start).
fn scroll(start: usize, len: usize, starts: &[usize], total: usize, height: usize) -> usize {
    if total <= height {
        return 0;
    }
    let lowest = (start + len).saturating_sub(height);
    let first = starts.iter().copied().find(|&b| b >= lowest).unwrap_or(start);
    first.min(start).min(total - height)
}

fn blocks(s: &AppState, items: Vec<Item>, width: usize, t: &Theme, cursor: Option<&Item>) -> Vec<Block> {
    let empty = UserSection::default();
    let mut out: Vec<Block> = Vec::new();
    for item in items {
        let sec = s.section(&item.user).unwrap_or(&empty);
        let on = cursor == Some(&item);
        // The line the cursor marks: after a key table's titles, else the first.
        let mut focus = 0;
        let mut b = match &item.part {
            Part::User => user_block(s, &item.user, sec, width, t, on),
            Part::Problem(i) => {
                let text = sec.overview.data.as_ref().map(|o| o.problems[*i].clone()).unwrap_or_default();
                let prefix = format!("{}   ", if on { ">" } else { " " });
                hanging(prefix, Some(("!".into(), t.warn)), &text, t.warn, width, t, true)
            }
            Part::Key(id) => {
                let keys = sec.keys();
                let first = keys.first().is_some_and(|k| k.id == *id);
                let k = keys.iter().find(|k| k.id == *id).expect("an item per key");
                let (lines, at) = key_block(keys, k, first, on, width, s.iam.max_age_days, t);
                focus = at;
                lines
            }
            Part::Rotation => rotation_block(s, sec, on, width, t),
            Part::Verdict => verdict_block(s, sec, on, width, t),
            Part::Finding(i) => {
                let f = sec.findings()[*i];
                let style = if f.severity == FindingSeverity::Problem { t.err } else { t.warn };
                para(lead(on, ""), Some((format!("{}:", f.severity.tag()), style)), &f.message, t.text, width, t)
            }
            Part::Evidence => evidence(sec.audit.data.as_deref(), on, width, t),
            Part::Fix => fix_block(sec, &item.user, on, width, t),
        };
        let skip = usize::from(item.part == Part::User && !out.is_empty());
        if skip > 0 {
            b.insert(0, Line::from(""));
        }
        if on {
            let f = focus + skip;
            b[f] = std::mem::take(&mut b[f]).patch_style(t.selected);
        }
        out.push(Block { item, lines: b, skip });
    }
    out
}

/// `> ` on the cursor's line, then the label column.
fn lead(on: bool, label: &str) -> String {
    format!("{}   {label:<LABEL$}", if on { ">" } else { " " })
}

/// `prefix`, an optional styled word, then `text` wrapped under the text column.
fn para(
    prefix: String,
    head: Option<(String, Style)>,
    text: &str,
    style: Style,
    width: usize,
    t: &Theme,
) -> Vec<Line<'static>> {
    hanging(prefix, head, text, style, width, t, false)
}

/// Like `para`; with `under_head`, continuation lines start under the text, not the word.
fn hanging(
    prefix: String,
    head: Option<(String, Style)>,
    text: &str,
    style: Style,
    width: usize,
    t: &Theme,
    under_head: bool,
) -> Vec<Line<'static>> {
    let head_len = head.as_ref().map_or(0, |(h, _)| h.chars().count() + 1);
    let indent = prefix.chars().count() + if under_head { head_len } else { 0 };
    let room = width.saturating_sub(indent);
    let first = width.saturating_sub(prefix.chars().count() + head_len);
    wrap_after(text, first, room)
        .into_iter()
        .enumerate()
        .map(|(i, part)| {
            let mut spans = Vec::new();
            if i == 0 {
                spans.push(Span::styled(prefix.clone(), t.dim));
                if let Some((h, hs)) = &head {
                    spans.push(Span::styled(format!("{h} "), *hs));
                }
            } else {
                spans.push(Span::raw(" ".repeat(indent)));
            }
            spans.push(Span::styled(part, style));
            Line::from(spans)
        })
        .collect()
}

fn list<T>(r: &Result<Vec<T>, String>, show: impl Fn(&T) -> String) -> (String, bool) {
    match r {
        Ok(v) if v.is_empty() => ("none".into(), true),
        Ok(v) => (v.iter().map(show).collect::<Vec<_>>().join(", "), true),
        Err(e) => (format!("not readable: {e}"), false),
    }
}

fn device(d: &MfaDevice, configured: Option<&str>) -> String {
    let name = d.serial.rsplit('/').next().unwrap_or(&d.serial);
    let kind = d.kind.describe();
    let yours = if configured == Some(d.serial.as_str()) { " (your mfa_serial)" } else { "" };
    format!("{name}: {kind}{yours}")
}

fn info(o: &Overview, width: usize, t: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let mut field = |label: &str, (text, ok): (String, bool)| {
        out.extend(para(lead(false, label), None, &text, if ok { t.text } else { t.err }, width, t));
    };
    match &o.mfa_devices {
        Ok(devices) if !devices.is_empty() => {
            for (i, d) in devices.iter().enumerate() {
                field(if i == 0 { "MFA devices" } else { "" }, (device(d, o.configured_serial.as_deref()), true));
            }
        }
        other => field("MFA devices", list(other, |_: &MfaDevice| String::new())),
    }
    field("groups", list(&o.groups, String::clone));
    let (managed, m_ok) = list(&o.attached_policies, |p| p.name.clone());
    let (inline, i_ok) = list(&o.inline_policies, String::clone);
    field("policies", (format!("managed: {managed} · inline: {inline}"), m_ok && i_ok));
    let boundary = match &o.boundary {
        Ok(Some(arn)) => (arn.rsplit('/').next().unwrap_or(arn).to_string(), true),
        Ok(None) => ("none".into(), true),
        Err(e) => (format!("not readable: {e}"), false),
    };
    field("boundary", boundary);
    match &o.keys {
        Ok(k) if k.is_empty() => field("access keys", ("none".into(), true)),
        Err(e) => field("access keys", (format!("not readable: {e}"), false)),
        Ok(_) => {}
    }
    out
}

fn user_block(s: &AppState, user: &str, sec: &UserSection, width: usize, t: &Theme, on: bool) -> Vec<Line<'static>> {
    let spin = SPINNER[s.spinner % 4];
    let who = match &sec.overview.data {
        Some(o) if o.mfa_session => format!("{} · IAM calls on its MFA session", o.arn),
        Some(o) => format!("{} · no mfa_serial: IAM calls signed with its long-term key", o.arn),
        None => s
            .profiles
            .rows
            .iter()
            .find(|r| r.profile == user)
            .and_then(|r| r.account.clone())
            .map_or_else(|| "IAM user".to_string(), |a| format!("IAM user in {a}")),
    };
    let rotation = sec.rotation.as_ref().filter(|r| r.running);
    let asking = s.overlays.confirms().any(|p| matches!(&p.dialog, Dialog::Question { user: u, .. } if u == user));
    let status = match &sec.busy {
        Some(b) => format!("  {spin} {b}…"),
        // Until the person says yes nothing has changed: the line must not say it is rotating.
        None if rotation.is_some() && asking => "  waiting for your answer to rotate its key".to_string(),
        None if rotation.is_some_and(|r| !r.confirmed) => format!("  {spin} reading its keys before asking to rotate…"),
        None if rotation.is_some() => format!("  {spin} rotating its key…"),
        None if sec.overview.loading || sec.audit.loading => format!("  {spin} loading…"),
        None => String::new(),
    };
    let prefix = format!("{} ", if on { ">" } else { " " });
    let mut out = para(prefix, Some((user.to_string(), t.title)), &format!("{who}{status}"), t.dim, width, t);
    let retry = |e: &str| format!("{e} · a: try again");
    match (&sec.overview.data, &sec.overview.error) {
        (Some(o), e) => {
            out.extend(info(o, width, t));
            if let Some(e) = e {
                out.extend(para(lead(false, "reload"), None, &retry(&format!("failed: {e}")), t.err, width, t));
            }
        }
        (None, Some(e)) => out.extend(para(lead(false, "not read"), None, &retry(e), t.err, width, t)),
        (None, None) if sec.overview.loading => {
            out.extend(para(lead(false, ""), None, "reading keys, devices and policies…", t.dim, width, t))
        }
        (None, None) => out.extend(para(lead(false, ""), None, "not read yet: a reads it", t.dim, width, t)),
    }
    out
}

fn rotation_block(s: &AppState, sec: &UserSection, on: bool, width: usize, t: &Theme) -> Vec<Line<'static>> {
    let Some(r) = &sec.rotation else { return vec![Line::from("")] };
    let label = "rotation";
    let mut out = Vec::new();
    if r.steps.is_empty() {
        let text = format!("{} starting: signing in and listing the keys…", SPINNER[s.spinner % 4]);
        return para(lead(on, label), None, &text, t.dim, width, t);
    }
    let hidden = r.steps.len().saturating_sub(STEPS);
    if hidden > 0 {
        let more = format!("… {} earlier (l shows the log)", plural(hidden, "step", "steps"));
        out.extend(para(lead(on, label), None, &more, t.dim, width, t));
    }
    for step in &r.steps[hidden..] {
        let prefix = if out.is_empty() { lead(on, label) } else { lead(false, "") };
        let style = super::log::style(step.level, t).1;
        out.extend(para(prefix, None, &step.text, style, width, t));
    }
    out
}
