//! A user's access keys on the IAM screen: a table when it fits the width, else a key per line
//! with its last use under it.

use super::super::theme::Theme;
use super::para;
use crate::aws::iam::keys::KeyInfo;
use crate::aws::iam::rotate::{day, last_used_text};
use ratatui::text::{Line, Span};

/// A key's cells: id, status, created, age (and OLD), last used, service, region, in the files.
fn cells(k: &KeyInfo) -> [String; 8] {
    let age = k.age_days.map_or("?".to_string(), |d| format!("{d} days{}", if k.old { " OLD" } else { "" }));
    let (date, service, region) = match &k.last_used {
        Ok(l) => (
            l.date.map_or("never".into(), |d| day(Some(d))),
            l.service.clone().unwrap_or_else(|| "—".into()),
            l.region.clone().unwrap_or_else(|| "—".into()),
        ),
        Err(_) => ("unknown".into(), "—".into(), "—".into()),
    };
    let status = if k.active { "Active" } else { "Inactive" };
    let files = if k.in_use { "in your AWS files" } else { "" };
    [k.id.to_string(), status.into(), day(k.created), age, date, service, region, files.into()]
}

const TITLES: [&str; 8] = ["KEY", "STATUS", "CREATED", "AGE", "LAST USED", "SERVICE", "REGION", ""];

pub(super) fn key_block(
    keys: &[KeyInfo],
    k: &KeyInfo,
    first: bool,
    on: bool,
    width: usize,
    max_age: i64,
    t: &Theme,
) -> (Vec<Line<'static>>, usize) {
    let all: Vec<[String; 8]> = keys.iter().map(cells).collect();
    let widths: Vec<usize> =
        (0..8).map(|c| all.iter().map(|r| r[c].chars().count()).chain([TITLES[c].len()]).max().unwrap_or(0)).collect();
    let table = 4 + widths.iter().sum::<usize>() + 2 * 7 <= width;
    let mut out = Vec::new();
    if first {
        out.push(Line::styled(format!("    access keys (old after {max_age} days)"), t.dim));
        if table {
            let titles: Vec<String> = (0..8).map(|c| format!("{:<w$}", TITLES[c], w = widths[c])).collect();
            out.push(Line::styled(format!("    {}", titles.join("  ").trim_end()), t.header));
        }
    }
    let focus = out.len();
    let c = cells(k);
    let age_style = if k.old { t.err } else { t.text };
    let mark = format!("{}   ", if on { ">" } else { " " });
    if table {
        let pad = |i: usize| format!("{:<w$}", c[i], w = widths[i]);
        let mut spans = vec![Span::styled(mark, t.dim), Span::styled(pad(0), t.title), Span::raw("  ")];
        spans.push(Span::styled(pad(1), if k.active { t.ok } else { t.dim }));
        spans.push(Span::raw("  "));
        spans.push(Span::styled(pad(2), t.text));
        spans.push(Span::raw("  "));
        spans.push(Span::styled(pad(3), age_style));
        for i in 4..7 {
            spans.push(Span::raw("  "));
            spans.push(Span::styled(pad(i), t.text));
        }
        if k.in_use {
            spans.push(Span::raw("  "));
            spans.push(Span::styled(c[7].clone(), t.accent));
        }
        out.push(Line::from(spans));
    } else {
        let files = if k.in_use { "  in your AWS files" } else { "" };
        out.push(Line::from(vec![
            Span::styled(mark, t.dim),
            Span::styled(c[0].clone(), t.title),
            Span::styled(format!("  {}", c[1]), if k.active { t.ok } else { t.dim }),
            Span::styled(format!("  created {} (", c[2]), t.text),
            Span::styled(c[3].clone(), age_style),
            Span::styled(")", t.text),
            Span::styled(files, t.accent),
        ]));
        if k.last_used.is_ok() {
            out.extend(para("      ".into(), None, &last_used_text(&k.last_used), t.text, width, t));
        }
    }
    if let Err(e) = &k.last_used {
        out.extend(para("      ".into(), None, &format!("last use unknown: {e}"), t.err, width, t));
    }
    (out, focus)
}
