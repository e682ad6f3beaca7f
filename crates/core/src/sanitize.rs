//! The one rule for text that reaches a terminal or stderr: whatever a server, a config file, a
//! child process or the prompt socket sent, it is shown, never obeyed. Control characters (C0
//! but newline and tab, DEL, C1), bidi overrides and invisible characters (which disguise names)
//! and bytes that are not UTF-8 are made visible as escapes (`\x1b`, `\u{202e}`, `\xff`); the
//! rest is kept as it is. A single message is capped in length.
//!
//! JSON output does not pass here: serde escapes control characters itself, and a machine
//! reading it wants the exact value.

use std::borrow::Cow;
use std::io::{self, Write};

/// The most characters one message (an error, a server's text) may take on screen.
pub const MAX_MESSAGE_CHARS: usize = 2000;
/// The most characters one line of a command's output may take; the rest of the line is cut.
const MAX_LINE_CHARS: usize = 8000;

/// How `c` must be shown, if not as itself.
fn escape(c: char) -> Option<String> {
    let code = c as u32;
    let invisible = matches!(code,
        0x061C | 0x180E | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF);
    match c {
        '\n' | '\t' => None,
        _ if code < 0x20 || code == 0x7f => Some(format!("\\x{code:02x}")),
        _ if (0x80..0xa0).contains(&code) || invisible => Some(format!("\\u{{{code:x}}}")),
        _ => None,
    }
}

/// `text` safe to print: controls and invisible characters made visible, newlines and tabs kept.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| escape(c).is_some()) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match escape(c) {
            Some(e) => out.push_str(&e),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Bytes from outside (a child's stderr, a socket) safe to print: invalid UTF-8 as `\xNN`.
pub fn bytes_for_terminal(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(&for_terminal(chunk.valid()));
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// One message (an error, a server's or a config file's text): made safe and capped at
/// `MAX_MESSAGE_CHARS`, saying how much was cut.
pub fn message(text: &str) -> String {
    cap(&for_terminal(text), MAX_MESSAGE_CHARS)
}

/// At most `max` characters of already safe text, saying how much was cut.
pub fn cap(text: &str, max: usize) -> String {
    let total = text.chars().count();
    if total <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max).collect();
    format!("{kept}… ({} more characters)", total - max)
}

/// A writer that passes everything through `bytes_for_terminal` on its way to `inner`: the
/// human output of a command, whatever its pieces came from. Handles a character split across
/// two writes, and cuts lines longer than `MAX_LINE_CHARS`.
pub struct TerminalWriter<W: Write> {
    inner: W,
    /// The start of a UTF-8 sequence whose rest has not arrived yet.
    partial: Vec<u8>,
    /// Characters written on the current line, and whether its rest is being dropped.
    line_chars: usize,
    cutting: bool,
}

impl<W: Write> TerminalWriter<W> {
    pub fn new(inner: W) -> Self {
        Self { inner, partial: Vec::new(), line_chars: 0, cutting: false }
    }

    fn emit(&mut self, safe: &str) -> io::Result<()> {
        let mut out = String::with_capacity(safe.len());
        for c in safe.chars() {
            if c == '\n' {
                self.line_chars = 0;
                self.cutting = false;
                out.push(c);
            } else if self.cutting {
            } else if self.line_chars >= MAX_LINE_CHARS {
                self.cutting = true;
                out.push('…');
            } else {
                self.line_chars += 1;
                out.push(c);
            }
        }
        self.inner.write_all(out.as_bytes())
    }
}

impl<W: Write> Write for TerminalWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut bytes = std::mem::take(&mut self.partial);
        bytes.extend_from_slice(buf);
        // A sequence cut at the end may be completed by the next write: keep it back (at most
        // three bytes; anything longer is invalid anyway).
        let keep = incomplete_tail(&bytes);
        self.partial = bytes.split_off(bytes.len() - keep);
        let safe = bytes_for_terminal(&bytes);
        self.emit(&safe)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.partial.is_empty() {
            let rest = bytes_for_terminal(&std::mem::take(&mut self.partial));
            self.emit(&rest)?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for TerminalWriter<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// How many bytes at the end of `bytes` start a UTF-8 sequence that is not complete yet.
fn incomplete_tail(bytes: &[u8]) -> usize {
    for back in 1..=3.min(bytes.len()) {
        let b = bytes[bytes.len() - back];
        if b & 0b1100_0000 != 0b1000_0000 {
            let need = match b {
                0xC2..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF4 => 4,
                _ => return 0,
            };
            return if need > back { back } else { 0 };
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "a\x1b[2J\x1b]0;pwned\x07\x1b]52;c;ZWNobyBoaQ==\x07\u{9b}31m\u{202e}txt.exe\u{200b}b\r\x7f";

    #[test]
    fn controls_bidi_and_invisible_characters_are_made_visible() {
        let s = for_terminal(HOSTILE);
        assert!(!s.chars().any(|c| escape(c).is_some()), "{s:?}");
        assert_eq!(
            s,
            "a\\x1b[2J\\x1b]0;pwned\\x07\\x1b]52;c;ZWNobyBoaQ==\\x07\\u{9b}31m\\u{202e}txt.exe\\u{200b}b\\x0d\\x7f"
        );
        assert_eq!(for_terminal("plain text\n\tüñí 東京"), "plain text\n\tüñí 東京");
        assert!(matches!(for_terminal("ok"), Cow::Borrowed(_)));
    }

    #[test]
    fn invalid_utf8_is_shown_as_bytes() {
        assert_eq!(bytes_for_terminal(b"ok \xff\xfe \xe2\x80\xae!"), "ok \\xff\\xfe \\u{202e}!");
    }

    #[test]
    fn messages_are_capped_and_say_so() {
        let long = "x".repeat(MAX_MESSAGE_CHARS + 10);
        let m = message(&long);
        assert!(m.ends_with("… (10 more characters)"), "{}", &m[m.len() - 40..]);
        assert_eq!(message("short"), "short");
    }

    #[test]
    fn the_writer_escapes_across_writes_and_cuts_long_lines() {
        let mut out = Vec::new();
        {
            let mut w = TerminalWriter::new(&mut out);
            let bytes = "é\x1b[31m→\n".as_bytes();
            for b in bytes {
                w.write_all(std::slice::from_ref(b)).unwrap();
            }
            w.write_all(b"\xff\n").unwrap();
            w.write_all("y".repeat(MAX_LINE_CHARS + 5).as_bytes()).unwrap();
            w.write_all(b"\nend\xe2").unwrap();
        }
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.split('\n').collect();
        assert_eq!(lines[0], "é\\x1b[31m→");
        assert_eq!(lines[1], "\\xff");
        assert_eq!(lines[2].chars().count(), MAX_LINE_CHARS + 1);
        assert!(lines[2].ends_with('…'));
        assert_eq!(lines[3], "end\\xe2", "a cut sequence at the end is flushed as bytes");
    }
}
