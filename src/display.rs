//! Text for people: cells that fit a column whatever the data (a 70,000-character value must
//! not panic a formatter or flood a terminal), and real plurals.

/// `s` cut to `width` characters (with an ellipsis) or padded with spaces to exactly `width`.
pub fn fit(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n > width {
        let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
        if width > 0 {
            out.push('…');
        }
        out
    } else {
        let mut out = String::with_capacity(s.len() + width - n);
        out.push_str(s);
        out.extend(std::iter::repeat_n(' ', width - n));
        out
    }
}

/// `s` cut to at most `max` characters (with an ellipsis), never padded: a last column.
pub fn cut(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if s.chars().count() <= max {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    std::borrow::Cow::Owned(out)
}

/// `1 profile`, `2 profiles`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_fit_and_plurals_agree() {
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit(&"x".repeat(70_000), 10).chars().count(), 10);
        assert_eq!((plural(1, "role", "roles"), plural(0, "role", "roles")), ("1 role".into(), "0 roles".into()));
    }
}
