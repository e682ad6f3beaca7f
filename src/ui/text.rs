//! Word wrapping for popups and the detail line: ratatui's own wrap cannot indent continuation
//! lines or tell how many lines a text takes, which sizing a popup to its content needs.

/// `text` broken into lines of at most `width` characters, at spaces where it can, inside long
/// words (ARNs, paths) where it must. Never empty: an empty text is one empty line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    wrap_after(text, width, width)
}

/// Like `wrap`, with a first line of `first` characters (it follows something on its line).
pub fn wrap_after(text: &str, first: usize, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let room = |lines: &Vec<String>| if lines.is_empty() { first } else { width }.max(1);
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut len = 0;
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let mut chars: Vec<char> = word.chars().collect();
            if len > 0 && len + 1 + chars.len() > room(&lines) {
                lines.push(std::mem::take(&mut line));
                len = 0;
            }
            while chars.len() > room(&lines) {
                if len > 0 {
                    lines.push(std::mem::take(&mut line));
                    len = 0;
                }
                let w = room(&lines);
                lines.push(chars.drain(..w).collect());
            }
            if len > 0 {
                line.push(' ');
                len += 1;
            }
            line.extend(&chars);
            len += chars.len();
        }
        lines.push(line);
    }
    lines
}

/// At most `max` lines of `text` wrapped to `width`; when some are left out, the last one kept
/// ends in `more` (an ellipsis and where to read the rest).
pub fn wrap_at_most(text: &str, width: usize, max: usize, more: &str) -> Vec<String> {
    let mut lines = wrap(text, width);
    if lines.len() > max {
        lines.truncate(max.max(1));
        if let Some(last) = lines.last_mut() {
            let keep = width.saturating_sub(more.chars().count());
            let cut: String = last.chars().take(keep).collect();
            *last = format!("{}{more}", cut.trim_end());
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_inside_long_words() {
        assert_eq!(wrap("access denied: not authorized", 14), ["access denied:", "not authorized"]);
        assert_eq!(wrap("arn:aws:iam::1:role/x ok", 8), ["arn:aws:", "iam::1:r", "ole/x ok"]);
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(wrap("a\nb", 10), ["a", "b"]);
        assert!(wrap(&"word ".repeat(1000), 30).iter().all(|l| l.chars().count() <= 30));
        assert_eq!(wrap_at_most("one two three four", 9, 1, "… i"), ["one tw… i"]);
        assert_eq!(wrap_at_most("one two", 9, 1, "… i"), ["one two"]);
        assert_eq!(wrap_after("one two three", 3, 9), ["one", "two three"]);
        assert_eq!(wrap_after("abcdefgh", 3, 5), ["abc", "defgh"]);
        assert_eq!(wrap_after("ab abcdefgh", 3, 9), ["ab", "abcdefgh"]);
    }
}
