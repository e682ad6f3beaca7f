//! The confirmation popup: what is about to happen, named (the key, its last use, the user),
//! and the keys that answer. A fix's JSON scrolls inside it while the question above and the
//! answer keys on the border stay put. Sized to its content within the terminal.

use super::centered;
use super::text::wrap;
use super::theme::Theme;
use crate::aws::iam::enforcement::Fix;
use crate::aws::iam::key_ops::KeyOp;
use crate::aws::iam::rotate::Question;
use crate::state::iam::{Dialog, Popup};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// The popup grows with its text up to this many columns, then wraps.
const MAX_WIDTH: usize = 90;

struct Content {
    title: String,
    head: Vec<(String, Style)>,
    /// Scrolls: labels wrapped at spaces, JSON cut at the width, never re-wrapped.
    body: Vec<Body>,
    tail: Vec<(String, Style)>,
    keys: &'static str,
}

enum Body {
    Label(String),
    Json(String),
}

/// The fix as `mfatui audit` prints it: the Deny under its label, then the boundary under its own.
fn fix_body(fix: &Fix) -> Vec<Body> {
    let json = |text: &str| text.lines().map(|l| Body::Json(l.to_string())).collect::<Vec<_>>();
    let mut out = vec![Body::Label(fix.deny_label.clone())];
    out.extend(json(&fix.deny_statement));
    out.push(Body::Label(String::new()));
    out.push(Body::Label(fix.boundary_label.clone()));
    out.extend(json(&fix.boundary_document));
    out
}

/// A question in the domain's words: its title, the ask, then its detail.
fn worded(w: crate::aws::iam::rotate::Wording, keys: &'static str, t: &Theme) -> Content {
    let head = std::iter::once((w.ask, t.title)).chain(w.detail.into_iter().map(|d| (d, t.text))).collect();
    Content { title: format!(" {} ", w.title), head, body: vec![], tail: vec![], keys }
}

fn content(c: &Dialog, t: &Theme) -> Content {
    let plain = |s: String| (s, t.text);
    match c {
        Dialog::Question { question, .. } => {
            let keys = match question {
                Question::Rotate { resume: None, .. } => " y rotate · n or Esc: nothing changes ",
                Question::Rotate { .. } => " y resume · n or Esc: leave it for now ",
                Question::MakeRoom { .. } => " y delete it and go on · n or Esc: stop ",
            };
            worded(question.text(), keys, t)
        }
        Dialog::Key { user, op, key } => {
            let keys = match op {
                KeyOp::Deactivate => " y deactivate · n or Esc: leave it ",
                KeyOp::Delete => " y delete · n or Esc: keep it ",
            };
            worded(op.question(user, key), keys, t)
        }
        Dialog::Fix { user, fix, plan: Ok(p) } => Content {
            title: format!(" Apply the fix for {user}? "),
            head: vec![(p.question(), t.title), plain(fix.description.clone())],
            body: fix_body(fix),
            tail: vec![],
            keys: " y apply the boundary · n or Esc: nothing changes · j k scroll · c copy the Deny · b the boundary ",
        },
        Dialog::Fix { user, fix, plan: Err(e) } => Content {
            title: format!(" The fix for {user} "),
            head: vec![plain(fix.description.clone())],
            body: fix_body(fix),
            tail: vec![(format!("Not applied from here: {e}"), t.warn)],
            keys: " Esc close · j k scroll · c copy the Deny · b copy the boundary ",
        },
        Dialog::WriteSerial { profile, serial } => Content {
            title: format!(" Use {} for {profile}? ", serial.rsplit('/').next().unwrap_or(serial)),
            head: vec![
                (format!("Add mfa_serial = {serial} to [profile {profile}] of your config?"), t.title),
                plain(format!(
                    "It is the one MFA device of {profile} that gives codes. Nothing else in your files changes; then r signs {profile} in with its code."
                )),
            ],
            body: vec![],
            tail: vec![],
            keys: " y write it · n or Esc: nothing changes ",
        },
        Dialog::Refused { title, text } => Content {
            title: format!(" {title} "),
            head: vec![(text.clone(), t.text)],
            body: vec![],
            tail: vec![],
            keys: " Enter or Esc: close ",
        },
    }
}

/// A JSON line cut into pieces of `width`, its indentation kept.
fn chunks(line: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    if chars.is_empty() {
        return vec![String::new()];
    }
    chars.chunks(width.max(1)).map(|c| c.iter().collect()).collect()
}

pub fn draw(f: &mut Frame, area: Rect, p: &Popup, t: &Theme) {
    let c = content(&p.dialog, t);
    let widest = c
        .head
        .iter()
        .chain(&c.tail)
        .map(|(s, _)| s.chars().count())
        .chain(c.body.iter().map(|l| match l {
            Body::Json(l) => l.chars().count(),
            Body::Label(_) => 0,
        }))
        .chain([c.title.chars().count(), c.keys.chars().count()])
        .max()
        .unwrap_or(0);
    // A space of padding each side inside the borders.
    let inner = widest.min(MAX_WIDTH).min(usize::from(area.width).saturating_sub(4)).max(10);
    let para = |parts: &[(String, Style)]| -> Vec<Line<'static>> {
        let mut out = Vec::new();
        for (i, (text, style)) in parts.iter().enumerate() {
            if i > 0 {
                out.push(Line::from(""));
            }
            out.extend(wrap(text, inner).into_iter().map(|l| Line::styled(format!(" {l}"), *style)));
        }
        out
    };
    let head = para(&c.head);
    let tail = para(&c.tail);
    let body: Vec<(String, Style)> = c
        .body
        .iter()
        .flat_map(|l| match l {
            Body::Json(l) => chunks(l, inner).into_iter().map(|l| (l, t.accent)).collect::<Vec<_>>(),
            Body::Label(l) if l.is_empty() => vec![(String::new(), t.text)],
            Body::Label(l) => wrap(l, inner).into_iter().map(|l| (l, t.title)).collect(),
        })
        .collect();
    let fixed = head.len() + tail.len() + usize::from(!body.is_empty()) + usize::from(!tail.is_empty());
    let room = usize::from(area.height).saturating_sub(2 + fixed);
    let shown = body.len().min(room);
    let first = usize::from(p.scroll).min(body.len().saturating_sub(shown));
    let mut lines = head;
    if !body.is_empty() {
        lines.push(Line::from(""));
        lines.extend(body[first..first + shown].iter().map(|(l, style)| Line::styled(format!(" {l}"), *style)));
    }
    if !tail.is_empty() {
        lines.push(Line::from(""));
        lines.extend(tail);
    }
    let height = (lines.len() + 2).min(usize::from(area.height)) as u16;
    let r = centered(area, (inner + 4) as u16, height);
    f.render_widget(Clear, r);
    let mut block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(c.title, t.title))
        .title_bottom(Span::styled(c.keys, t.dim));
    if shown < body.len() {
        let at = format!(" lines {}–{} of {} ", first + 1, first + shown, body.len());
        block = block.title_top(Line::styled(at, t.accent).right_aligned());
    }
    f.render_widget(Paragraph::new(lines).block(block), r);
}
