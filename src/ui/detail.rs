//! The selected row in full: the detail line under the table (what is wrong with it, wrapped,
//! or how other tools use it) and the `i` popup with every field and every message.

use super::columns;
use super::text::{wrap, wrap_at_most};
use super::theme::Theme;
use crate::aws::clock::human_duration;
use crate::aws::clock::rfc3339;
use crate::state::{Activity, AppState, Row};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// What is wrong with a row, or what it waits for, most serious first; each in full.
fn messages(s: &AppState, r: &Row, t: &Theme) -> Vec<(String, Style)> {
    let mut out = Vec::new();
    if let Some(d) = &r.diagnostic {
        out.push((d.clone(), t.err));
    }
    match s.sessions.activity.get(&r.session_of) {
        Some(Activity::Failed(e)) => out.push((e.clone(), t.err)),
        Some(Activity::NeedsCode) => {
            let user = r.user.as_deref().unwrap_or(&r.profile);
            out.push((
                format!("needs a new MFA session for {user}: press r and type the code its device shows"),
                t.warn,
            ));
        }
        Some(Activity::Refreshing) | None => {}
    }
    // An SSO or `aws login` profile: which expiry its countdown is, or the command to renew it.
    if let Some(e) = &r.external {
        let ended = e.left(s.now).is_none_or(|l| l <= 0);
        out.push((e.describe(s.now), if ended { t.err } else { t.text }));
    }
    if r.is_user {
        for k in s.old_keys(&r.profile) {
            out.push((
                format!(
                    "access key {} of {} is {} days old (more than {}): Tab opens the IAM screen, where r rotates it",
                    k.id,
                    r.profile,
                    k.age_days.unwrap_or_default(),
                    s.iam.max_age_days
                ),
                t.warn,
            ));
        }
    }
    // A broken profile's reason repeats its diagnostic.
    if let Some(reason) = r.reason.as_ref().filter(|x| r.diagnostic.as_ref().is_none_or(|d| !x.contains(d.as_str()))) {
        out.push((reason.clone(), t.text));
    }
    out
}

/// Under the table: the selected row's first message, wrapped to the width, or how to use it.
pub fn line(f: &mut Frame, area: Rect, s: &AppState, t: &Theme) {
    let Some(r) = s.selected_row() else { return };
    let width = usize::from(area.width.saturating_sub(1)).max(1);
    let rows = usize::from(area.height);
    let (text, style) = messages(s, r, t).into_iter().next().unwrap_or_else(|| {
        let how = match &r.managed {
            Some(m) => format!("{}: other tools use --profile {m}", r.profile),
            None => format!("{}: not signed in by mfatui", r.profile),
        };
        (format!("{how} · i: details"), t.dim)
    });
    let lines: Vec<Line> = wrap_at_most(&text, width, rows, "… i: more")
        .into_iter()
        .map(|l| Line::styled(format!(" {l}"), style))
        .collect();
    f.render_widget(Paragraph::new(lines), area);
}

/// Label and value lines of the popup.
fn fields(s: &AppState, r: &Row) -> Vec<(&'static str, String)> {
    let mut out = vec![("profile", r.profile.clone())];
    let kind = match (r.depth, &r.user) {
        (0, _) => r.kind.to_string(),
        (1, Some(u)) => format!("role, assumed from {u}"),
        (_, _) => format!("chained role, assumed via {}", r.via.join(" → ")),
    };
    out.push(("kind", kind));
    if let Some(u) = r.user.as_ref().filter(|u| !r.is_user && **u != r.profile) {
        // The root of the chain: an IAM user (one MFA code signs its roles in) or an SSO or
        // `aws login` profile whose cached credentials the AWS CLI keeps.
        match s.profiles.row(u).and_then(|x| x.external.as_ref()) {
            Some(e) => out.push(("source", format!("{u} ({})", e.describe(s.now)))),
            None => out.push(("IAM user", format!("{u} (its MFA code signs this role in)"))),
        }
    }
    if let Some(arn) = &r.role_arn {
        out.push(("role ARN", arn.clone()));
    } else if r.role_or_user != r.kind {
        out.push(("role", r.role_or_user.clone()));
    }
    if r.account.is_some() {
        out.push(("account", columns::account(s, r, true)));
    }
    out.push(("region", r.region_origin.describe(&r.profile, r.region.as_deref())));
    if let Some(m) = &r.mfa {
        out.push(("MFA device", m.clone()));
    }
    if let Some(e) = &r.external {
        out.push(("AWS CLI keeps", e.describe(s.now)));
    }
    if let Some(m) = &r.managed {
        out.push(("managed profile", format!("{m} (other tools: --profile {m})")));
    }
    if r.user.is_some() {
        let session = match s.sessions.lifetimes.get(&r.session_of).map(|l| l.expires_at) {
            Some(at) if at > s.now => format!("ends {} (in {})", rfc3339(at), human_duration(at - s.now)),
            Some(at) => format!("ended {}", rfc3339(at)),
            None => "none".into(),
        };
        let cap = if r.depth >= 2 { " · AWS caps a chained role's session at 1 hour" } else { "" };
        out.push(("session", format!("{session}{cap}")));
    }
    if let Some((in_config, line)) = r.defined_at {
        let file = if in_config { s.prefs.config_path.as_str() } else { "your credentials file" };
        out.push(("defined at", format!("{file}:{line}")));
    }
    if matches!(s.sessions.activity.get(&r.session_of), Some(Activity::Refreshing)) {
        out.push(("now", "refreshing".into()));
    }
    out
}

const LABEL: usize = 16;
/// The popup grows with its content up to this many columns, then wraps.
const MAX_WIDTH: usize = 100;

/// The `i` popup, sized to its content and wrapped within the terminal; taller than that, it
/// scrolls (`scroll`: its first line shown).
pub fn popup(f: &mut Frame, area: Rect, s: &AppState, scroll: u16, t: &Theme) {
    let Some(r) = s.selected_row() else { return };
    let fields = fields(s, r);
    let messages = messages(s, r, t);
    let widest = fields
        .iter()
        .map(|(_, v)| LABEL + v.chars().count())
        .chain(messages.iter().map(|(m, _)| m.chars().count()))
        .chain([r.profile.chars().count() + 12])
        .max()
        .unwrap_or(0);
    // Borders and a space of padding on each side.
    let inner = widest.min(MAX_WIDTH).min(usize::from(area.width).saturating_sub(4)).max(10);
    let mut lines: Vec<Line> = Vec::new();
    for (label, value) in &fields {
        for (i, part) in wrap(value, inner.saturating_sub(LABEL).max(1)).into_iter().enumerate() {
            let label = if i == 0 { *label } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!(" {label:<LABEL$}"), t.dim),
                Span::styled(format!("{part} "), t.text),
            ]));
        }
    }
    for (m, style) in &messages {
        lines.push(Line::from(""));
        lines.extend(wrap(m, inner).into_iter().map(|l| Line::styled(format!(" {l} "), *style)));
    }
    let total = lines.len() as u16;
    let height = (total + 2).min(area.height);
    let shown = height.saturating_sub(2);
    let first = scroll.min(total.saturating_sub(shown));
    let hint = if shown < total {
        format!(" ↑ ↓ scroll: {}–{} of {total} · any other key closes ", first + 1, first + shown)
    } else {
        " any key closes ".to_string()
    };
    let rect = super::centered(area, (inner + 4) as u16, height);
    f.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" {} ", r.profile), t.title))
        .title_bottom(Span::styled(hint, t.dim));
    f.render_widget(Paragraph::new(lines).block(block).scroll((first, 0)), rect);
}
