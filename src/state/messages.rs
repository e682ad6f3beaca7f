//! What the dashboard has to say: one message line (the newest message, its repeats merged) and
//! the log behind it, which keeps every message in full and scrolls with its own focus (`l`).
//! Nothing here covers the table: the line has its own row, the log its own pane.

use std::collections::VecDeque;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Info,
    Success,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// When it was said first, and last (a repeat moves `last`).
    pub at: i64,
    pub last: i64,
    pub level: Level,
    pub text: String,
    /// How many times in a row it was said.
    pub count: u32,
    /// Steps of long work (a rotation's) go to the log only: they would hide the line's news.
    pub quiet: bool,
}

/// How long the line shows a message after it was said.
pub const LINE_SECS: i64 = 10;
const LOG_ENTRIES: usize = 500;

#[derive(Debug, Clone, Default)]
pub struct Messages {
    pub entries: VecDeque<Entry>,
    /// The log pane is shown, and has the keys (it scrolls and copies).
    pub open: bool,
    /// The entry the log's cursor is on, counted from the newest (0 = newest).
    pub cursor: usize,
}

impl Messages {
    /// Add a message; the same text said again in a row is counted, not repeated.
    pub fn push(&mut self, now: i64, level: Level, text: &str, quiet: bool) {
        // ratatui drops control characters when drawing; escaping them first shows the reader
        // that something odd was there (and the log, which can be copied, holds the same text).
        let text = crate::aws::sanitize::message(text);
        if let Some(e) = self.entries.back_mut().filter(|e| e.text == text && e.level == level) {
            e.count += 1;
            e.last = now;
            e.quiet &= quiet;
            return;
        }
        if self.entries.len() == LOG_ENTRIES {
            self.entries.pop_front();
        }
        self.entries.push_back(Entry { at: now, last: now, level, text, count: 1, quiet });
        if self.open && self.cursor > 0 {
            // The cursor stays on the entry it was on.
            self.cursor = (self.cursor + 1).min(self.entries.len() - 1);
        }
    }

    /// The message for the line: the newest one said in the last `LINE_SECS`, and how many other
    /// messages came with it (said within the same window).
    pub fn line(&self, now: i64) -> Option<(&Entry, usize)> {
        let newest = self.entries.iter().rev().find(|e| !e.quiet)?;
        if now - newest.last >= LINE_SECS {
            return None;
        }
        let others = self.entries.iter().filter(|e| !e.quiet && now - e.last < LINE_SECS).count() - 1;
        Some((newest, others))
    }

    /// The entry under the log's cursor.
    pub fn selected(&self) -> Option<&Entry> {
        self.entries.len().checked_sub(1 + self.cursor).map(|i| &self.entries[i])
    }

    /// Move the log's cursor by `delta` entries (positive: older).
    pub fn scroll(&mut self, delta: i64) {
        let last = self.entries.len().saturating_sub(1) as i64;
        self.cursor = (self.cursor as i64 + delta).clamp(0, last) as usize;
    }
}

/// An entry as the log and the clipboard show it: the text, and how often it was said.
pub fn full_text(e: &Entry) -> String {
    match e.count {
        1 => e.text.clone(),
        n => format!("{} (×{n})", e.text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_counted_and_the_line_shows_the_newest_for_a_while() {
        let mut m = Messages::default();
        m.push(100, Level::Info, "alice: prompt refused", false);
        m.push(101, Level::Info, "alice: prompt refused", false);
        m.push(102, Level::Warn, "3 roles not assumed", false);
        assert_eq!(m.entries.len(), 2);
        assert_eq!(full_text(&m.entries[0]), "alice: prompt refused (×2)");
        let (e, others) = m.line(103).unwrap();
        assert_eq!((e.text.as_str(), others), ("3 roles not assumed", 1));
        assert!(m.line(102 + LINE_SECS).is_none(), "the line empties; the log keeps it");
        m.push(200, Level::Info, "rotate alice: step", true);
        assert!(m.line(200).is_none(), "steps are for the log only");
    }

    #[test]
    fn the_log_cursor_stays_on_its_entry_and_in_bounds() {
        let mut m = Messages { open: true, ..Messages::default() };
        for i in 0..5 {
            m.push(i, Level::Info, &format!("m{i}"), false);
        }
        m.scroll(2);
        assert_eq!(m.selected().unwrap().text, "m2");
        m.push(9, Level::Info, "m5", false);
        assert_eq!(m.selected().unwrap().text, "m2", "a new message does not move the reader");
        m.scroll(100);
        assert_eq!(m.selected().unwrap().text, "m0");
        m.scroll(-100);
        assert_eq!(m.selected().unwrap().text, "m5");
    }
}
