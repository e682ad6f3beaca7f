//! Text for terminal tables and messages: cells cut to a width, padding, plurals.
//!
//! Widths count chars. Nothing here uses a format width (`{:w$}`): `fmt` panics for widths
//! above `u16::MAX`, and a value from the user's files can be any length. These helpers only
//! shape what is shown; the data (JSON output) keeps full values.

use std::borrow::Cow;

/// What a cut-off text ends with.
pub const ELLIPSIS: char = '…';

/// Display width of `s`, in chars.
pub fn width(s: &str) -> usize {
    s.chars().count()
}

/// `s` cut to at most `max` chars, its last one an ellipsis when anything was cut.
pub fn clip(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some(_) if max == 0 => Cow::Borrowed(""),
        Some(_) => {
            let end = s.char_indices().nth(max - 1).map_or(s.len(), |(i, _)| i);
            let mut out = String::with_capacity(end + ELLIPSIS.len_utf8());
            out.push_str(&s[..end]);
            out.push(ELLIPSIS);
            Cow::Owned(out)
        }
    }
}

/// Append `s` to `out`, then spaces up to `width` chars.
pub fn pad(out: &mut String, s: &str, width: usize) {
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(self::width(s))));
}

/// `s` clipped to `width` chars and padded to exactly `width`: one cell of a fixed-width column.
pub fn fit(s: &str, width: usize) -> String {
    let mut out = String::with_capacity(width);
    pad(&mut out, &clip(s, width), width);
    out
}

/// Items joined with `sep`, stopping once `max` chars are reached: a chain of ten thousand
/// profiles is shown by its head without joining all of it.
pub fn join_clipped<'a>(items: impl IntoIterator<Item = &'a str>, sep: &str, max: usize) -> String {
    let mut out = String::new();
    let mut chars = 0;
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
            chars += width(sep);
        }
        // Take at most one char more than fits, so `clip` below knows something was cut.
        let room = max.saturating_add(1).saturating_sub(chars);
        let cut = item.char_indices().nth(room).map_or(item.len(), |(i, _)| i);
        out.push_str(&item[..cut]);
        chars += width(&item[..cut]);
        if chars > max {
            break;
        }
    }
    clip(&out, max).into_owned()
}

/// `1 profile`, `2 profiles`, `0 profiles`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `a`, `a and b`, `a, b and c` (with `word` = "and"; "or" for a choice).
pub fn series<S: AsRef<str>>(items: &[S], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [rest @ .., last] => {
            let rest: Vec<&str> = rest.iter().map(AsRef::as_ref).collect();
            format!("{} {word} {}", rest.join(", "), last.as_ref())
        }
    }
}

/// A table whose columns are as wide as their widest cell, each cell clipped to its column's
/// limit first. Two spaces between columns; the last column is not padded.
pub struct Table<const N: usize> {
    head: [&'static str; N],
    limits: [usize; N],
    rows: Vec<[String; N]>,
}

impl<const N: usize> Table<N> {
    pub fn new(head: [&'static str; N], limits: [usize; N]) -> Self {
        Self { head, limits, rows: Vec::new() }
    }

    pub fn push(&mut self, cells: [String; N]) {
        let cells = cells.into_iter().zip(self.limits).map(|(c, max)| match clip(&c, max) {
            Cow::Borrowed(_) => c,
            Cow::Owned(cut) => cut,
        });
        self.rows.push(array(cells));
    }

    /// The table's lines, without trailing spaces.
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        let mut widths = self.head.map(width);
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(cell));
            }
        }
        let line = move |cells: [&str; N]| {
            let mut s = String::new();
            for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
                if i + 1 == N {
                    s.push_str(cell);
                } else {
                    pad(&mut s, cell, w + 2);
                }
            }
            s.truncate(s.trim_end().len());
            s
        };
        std::iter::once(line(self.head)).chain(self.rows.iter().map(move |r| line(r.each_ref().map(String::as_str))))
    }
}

fn array<const N: usize>(items: impl Iterator<Item = String>) -> [String; N] {
    let mut items = items;
    std::array::from_fn(|_| items.next().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_counts_chars_and_marks_the_cut() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "ab…");
        assert_eq!(clip("ééééé", 4), "ééé…");
        assert_eq!(clip("abc", 0), "");
        assert_eq!(clip("", 0), "");
        assert!(matches!(clip("short", 10), Cow::Borrowed(_)));
    }

    #[test]
    fn pad_handles_widths_a_format_width_cannot() {
        let mut s = String::new();
        pad(&mut s, "x", 70_000);
        assert_eq!(s.len(), 70_000);
        let mut s = String::new();
        pad(&mut s, "longer than the width", 3);
        assert_eq!(s, "longer than the width");
    }

    #[test]
    fn join_clipped_stops_early() {
        assert_eq!(join_clipped(["a", "b", "c"], " > ", 20), "a > b > c");
        assert_eq!(join_clipped(["alpha", "beta", "gamma"], " > ", 10), "alpha > b…");
        let many = vec!["p"; 1_000_000];
        assert_eq!(width(&join_clipped(many.iter().copied(), " > ", 30)), 30);
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "profile", "profiles"), "1 profile");
        assert_eq!(plural(2, "profile", "profiles"), "2 profiles");
        assert_eq!(plural(0, "error", "errors"), "0 errors");
        assert_eq!(series(&["a", "b", "c"], "or"), "a, b or c");
        assert_eq!(series(&["a"], "and"), "a");
    }

    #[test]
    fn table_aligns_and_clips() {
        let mut t = Table::new(["A", "BB", "C"], [4, 10, 10]);
        t.push(["xxxxxxxx".into(), "y".into(), "z".into()]);
        t.push(["é".into(), "".into(), "last".into()]);
        let lines: Vec<String> = t.lines().collect();
        assert_eq!(lines, ["A     BB  C", "xxx…  y   z", "é         last"]);
    }
}
