//! The literal layer of AWS profile-file parsing, line by line, with line numbers.
//!
//! Follows the SDKs' rules (aws-runtime's `env_config::parse`): only space and tab are
//! whitespace; a line whose first character is `#` or `;` is a comment; a line that starts with
//! whitespace continues the previous property (joined with `\n`); in a section header a comment
//! may follow directly, in a property value only after whitespace; property names are
//! lower-cased. Unlike the SDK, which rejects the whole file at the first bad line, this parser
//! records the problem with its line and carries on, so one broken profile never hides the rest.
//! Naming rules (`[profile x]` vs `[x]`) are applied later, in `sections`.

use std::borrow::Cow;
use std::ops::Range;

/// Whitespace as the profile-file spec defines it.
pub const WHITESPACE: &[char] = &[' ', '\t'];
const COMMENT: &[char] = &['#', ';'];

/// Where a key or value's text is: a range of the file's text, or of `RawFile::arena` for text
/// the file does not hold verbatim (a lower-cased key, a value joined from continuation lines).
/// Offsets rather than a `String` each: a 50 MB file has millions of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: u32,
    /// The length, and in the top bit whether the span is in the arena (a file is at most
    /// `MAX_TEXT` bytes, so a length never needs that bit).
    len_arena: u32,
}

const ARENA_BIT: u32 = 1 << 31;
/// The largest text `parse` reads.
pub const MAX_TEXT: usize = (ARENA_BIT - 1) as usize;

impl Span {
    fn new(start: usize, len: usize, in_arena: bool) -> Self {
        Self { start: start as u32, len_arena: len as u32 | if in_arena { ARENA_BIT } else { 0 } }
    }

    pub fn len(self) -> u32 {
        self.len_arena & !ARENA_BIT
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    pub fn in_arena(self) -> bool {
        self.len_arena & ARENA_BIT != 0
    }

    pub fn range(self) -> Range<usize> {
        self.start as usize..self.start as usize + self.len() as usize
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawProperty {
    /// Lower-cased.
    pub key: Span,
    pub value: Span,
    /// 1-based line of the `key = value` line.
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSection<'a> {
    /// The text between the brackets, trimmed, comment removed: `profile dev`, `default`.
    pub header: &'a str,
    pub line: usize,
    /// This section's entries of `RawFile::properties`.
    pub properties: Range<usize>,
}

/// A line the parser could not use. The SDKs would reject the whole file here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    pub line: usize,
    pub message: String,
    /// The header of the section the line sits in, if any.
    pub section: Option<String>,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct RawFile<'a> {
    pub text: &'a str,
    /// Text the file does not hold verbatim; see `Span`.
    pub arena: String,
    pub sections: Vec<RawSection<'a>>,
    /// Every section's properties, in file order.
    pub properties: Vec<RawProperty>,
    pub problems: Vec<LineProblem>,
}

impl RawFile<'_> {
    pub fn str(&self, span: Span) -> &str {
        let src = if span.in_arena() { self.arena.as_str() } else { self.text };
        &src[span.range()]
    }

    pub fn properties_of(&self, section: &RawSection) -> &[RawProperty] {
        &self.properties[section.properties.clone()]
    }
}

enum State {
    Start,
    /// Inside the last pushed section; `property` indexes its last property, if any.
    InSection {
        property: Option<usize>,
        is_subproperty: bool,
    },
    /// After a malformed header: its lines belong to no section we can name.
    Skipping,
}

/// What every line problem costs the user outside mfatui.
const REFUSED: &str = "the AWS CLI and SDKs refuse this whole file until it is fixed";

pub fn parse(text: &str) -> RawFile<'_> {
    // Growing a Vec of thousands of sections one doubling at a time shows up in profiles.
    let headers = text.matches("\n[").count() + 1;
    let mut out = RawFile { text, sections: Vec::with_capacity(headers), ..RawFile::default() };
    if text.len() > MAX_TEXT {
        out.problems.push(LineProblem {
            line: 1,
            message: "the file is over 2 GiB, too large to be an AWS config file; mfatui does not read it".into(),
            section: None,
        });
        return out;
    }
    // Every property is a line with an `=`: sizing for them up front spares the doublings,
    // which at their peak hold three times the final size. Capped, so that a file of lines
    // like `=` (no properties at all) cannot reserve more than its own size.
    let with_equals = text.lines().filter(|l| l.contains('=')).count();
    out.properties.reserve_exact(with_equals.min(text.len() / 16 + 16));
    let span = |sub: &str| Span::new(sub.as_ptr() as usize - text.as_ptr() as usize, sub.len(), false);
    let mut state = State::Start;
    for (idx, line) in text.lines().enumerate() {
        let n = idx + 1;
        if trim_ws(line).is_empty() || line.starts_with(COMMENT) {
            continue;
        }
        let in_section = matches!(state, State::InSection { .. });
        let mut problem = |message: String| {
            let section = in_section.then(|| out.sections.last().map(|s| s.header.to_string())).flatten();
            out.problems.push(LineProblem { line: n, message, section });
        };
        if line.starts_with('[') {
            match parse_header(line) {
                Ok(header) => {
                    let at = out.properties.len();
                    out.sections.push(RawSection { header, line: n, properties: at..at });
                    state = State::InSection { property: None, is_subproperty: false };
                }
                Err(msg) => match comment_char_header(line) {
                    // `[profile a;b]`: each client reads it differently, and the problem is this
                    // section's own, not the one above it.
                    Some((header, c)) => {
                        let at = out.properties.len();
                        out.sections.push(RawSection { header, line: n, properties: at..at });
                        out.problems.push(LineProblem {
                            line: n,
                            message: format!(
                                "[{header}]: the AWS CLI and boto3 read this section as written, but the AWS SDK for Rust reads `{c}` as the start of a comment and refuses this whole file, and the AWS SDK for JavaScript ignores this section; rename it without `{c}` (letters, digits and _-/.%@:+ only)"
                            ),
                            section: Some(header.to_string()),
                        });
                        state = State::InSection { property: None, is_subproperty: false };
                    }
                    None => {
                        problem(format!("{msg}; mfatui skips it and its settings, but {REFUSED}"));
                        state = State::Skipping;
                    }
                },
            }
        } else if line.starts_with(WHITESPACE) {
            match state {
                State::Start => problem(format!(
                    "indented line before any [section] header, so {REFUSED}: move it under a [profile NAME] header or delete it (mfatui skips it and reads the rest)"
                )),
                State::Skipping => {}
                State::InSection { property: None, .. } => problem(
                    "indented line right after a section header: the AWS SDKs read an indented line as the continuation of a property and refuse this whole file until it is fixed (the AWS CLI reads it as a setting); remove the indentation".into(),
                ),
                State::InSection { property: Some(i), is_subproperty } => {
                    if is_subproperty
                        && let Err(e) = parse_property(line)
                    {
                        problem(format!("{} in the nested settings block; mfatui skips the line, but {REFUSED}", e.describe()));
                        continue;
                    }
                    let value = &mut out.properties[i].value;
                    // The value's lines are not contiguous in the file: join them in the arena.
                    // Continuation lines follow their property directly, so the value being
                    // extended is always the arena's last entry.
                    if !value.in_arena() {
                        let start = out.arena.len();
                        out.arena.push_str(&text[value.range()]);
                        *value = Span::new(start, value.len() as usize, true);
                    }
                    out.arena.push('\n');
                    out.arena.push_str(trim_ws(line));
                    *value = Span::new(value.start as usize, out.arena.len() - value.start as usize, true);
                }
            }
        } else {
            match state {
                State::Start => problem(format!(
                    "`{}` comes before any [section] header, so {REFUSED}: move the line under a header such as [default] or [profile NAME], or delete it (mfatui skips it and reads the rest)",
                    first_word(line)
                )),
                State::Skipping => {}
                State::InSection { .. } => match parse_property(line) {
                    Ok((key, value)) => {
                        let key = match key {
                            Cow::Borrowed(k) => span(k),
                            Cow::Owned(k) => {
                                let start = out.arena.len();
                                out.arena.push_str(&k);
                                Span::new(start, k.len(), true)
                            }
                        };
                        let is_subproperty = value.is_empty();
                        out.properties.push(RawProperty { key, value: span(value), line: n as u32 });
                        let section = out.sections.last_mut().expect("InSection implies a section");
                        section.properties.end = out.properties.len();
                        state = State::InSection { property: Some(out.properties.len() - 1), is_subproperty };
                    }
                    Err(e) => problem(format!("{}; mfatui skips the line, but {REFUSED}", e.describe())),
                },
            }
        }
    }
    out
}

fn first_word(line: &str) -> &str {
    let word = line.split(['=', ' ', '\t']).next().unwrap_or(line);
    let end = word.char_indices().nth(40).map_or(word.len(), |(i, _)| i);
    &word[..end]
}

/// The header text of a `[...]` line as the parser reads it, or `None` for any other line.
pub fn header_of(line: &str) -> Option<&str> {
    line.starts_with('[').then(|| parse_header(line).ok()).flatten()
}

fn parse_header(line: &str) -> Result<&str, &'static str> {
    let line = strip_comment(line, false);
    let inner =
        line.strip_prefix('[').and_then(|l| l.strip_suffix(']')).ok_or("section header is missing its closing `]`")?;
    Ok(trim_ws(inner))
}

/// A header that is whole only when `;` or `#` inside it is not read as a comment, as botocore
/// (the AWS CLI, boto3) reads it: its text and that character.
fn comment_char_header(line: &str) -> Option<(&str, char)> {
    let inner = trim_ws(trim_ws(line).strip_prefix('[')?.strip_suffix(']')?);
    let c = inner.chars().find(|c| COMMENT.contains(c))?;
    (!inner.is_empty() && !inner.contains(['[', ']'])).then_some((inner, c))
}

#[derive(Debug, PartialEq, Eq)]
enum PropertyError {
    NoEquals,
    NoName,
}

impl PropertyError {
    fn describe(&self) -> &'static str {
        match self {
            Self::NoEquals => "expected `name = value` but found no `=`",
            Self::NoName => "`= value` with no name before the `=`",
        }
    }
}

fn parse_property(line: &str) -> Result<(Cow<'_, str>, &str), PropertyError> {
    let line = strip_comment(line, true);
    let (k, v) = line.split_once('=').ok_or(PropertyError::NoEquals)?;
    let k = trim_ws(k);
    if k.is_empty() {
        return Err(PropertyError::NoName);
    }
    let key =
        if k.bytes().any(|b| b.is_ascii_uppercase()) { Cow::Owned(k.to_ascii_lowercase()) } else { Cow::Borrowed(k) };
    Ok((key, trim_ws(v)))
}

/// Trim spec whitespace (space and tab) from both ends. Byte-wise: both are ASCII, so the cut
/// always falls on a char boundary, and it is several times faster than a `&[char]` pattern.
pub fn trim_ws(s: &str) -> &str {
    let b = s.as_bytes();
    let is_ws = |c: &u8| *c == b' ' || *c == b'\t';
    let start = b.iter().position(|c| !is_ws(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !is_ws(c)).map_or(start, |e| e + 1);
    &s[start..end]
}

/// Trim, then cut a trailing comment. In values a comment must follow whitespace, so
/// `key=abc#def` keeps its `#`.
fn strip_comment(line: &str, needs_whitespace: bool) -> &str {
    let line = trim_ws(line);
    if !line.bytes().any(|b| b == b'#' || b == b';') {
        return line;
    }
    let mut prev_ws = false;
    for (i, c) in line.char_indices() {
        if COMMENT.contains(&c) && (prev_ws || !needs_whitespace) {
            return trim_ws(&line[..i]);
        }
        prev_ws = c.is_whitespace();
    }
    line
}

/// Valid profile, section and key names: `[A-Za-z0-9_\-/.%@:+]+`.
pub fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props<'a>(f: &'a RawFile<'_>, section: usize) -> Vec<(&'a str, &'a str)> {
        f.properties_of(&f.sections[section]).iter().map(|p| (f.str(p.key), f.str(p.value))).collect()
    }

    #[test]
    fn comments_blank_lines_and_line_numbers() {
        let f = parse("# top\n; also\n\n[profile a] # c\nk = v ; inline\nx=a#b\n  \n");
        assert!(f.problems.is_empty());
        assert_eq!(f.sections[0].header, "profile a");
        assert_eq!(f.sections[0].line, 4);
        assert_eq!(props(&f, 0), vec![("k", "v"), ("x", "a#b")]);
        assert_eq!(f.properties_of(&f.sections[0])[1].line, 6);
    }

    #[test]
    fn header_comment_needs_no_whitespace() {
        let f = parse("[ profile a ]#c\n[b];c\n");
        assert_eq!(f.sections[0].header, "profile a");
        assert_eq!(f.sections[1].header, "b");
    }

    #[test]
    fn keys_are_lowercased_values_are_not() {
        let f = parse("[default]\nRegion = EU-West-1\n");
        assert_eq!(props(&f, 0), vec![("region", "EU-West-1")]);
    }

    #[test]
    fn continuation_and_subproperties() {
        let f = parse("[default]\nk = a\n  b\n\tc\ns3 =\n  max_concurrent_requests = 20\n  addressing_style=path\n");
        assert!(f.problems.is_empty());
        assert_eq!(
            props(&f, 0),
            vec![("k", "a\nb\nc"), ("s3", "\nmax_concurrent_requests = 20\naddressing_style=path")]
        );
    }

    #[test]
    fn joined_values_and_lowercased_keys_share_the_arena() {
        let f = parse("[default]\nK = a\n  b\nX = c\n  d\n  e\nplain = f\n");
        assert_eq!(props(&f, 0), vec![("k", "a\nb"), ("x", "c\nd\ne"), ("plain", "f")]);
        assert!(!f.properties[2].value.in_arena(), "a one-line value stays a range of the file");
    }

    #[test]
    fn every_line_problem_says_the_aws_tools_refuse_the_file() {
        let f = parse("stray = 1\n[profile a\n[b]\nnoequals\n");
        assert_eq!(f.problems.len(), 3);
        assert!(f.problems[0].message.starts_with("`stray` comes before any [section] header"));
        for p in &f.problems {
            assert!(p.message.contains("refuse this whole file until it is fixed"), "{}", p.message);
        }
    }

    #[test]
    fn crlf_lines() {
        let f = parse("[default]\r\nk = v\r\n");
        assert_eq!(props(&f, 0), vec![("k", "v")]);
    }

    #[test]
    fn indented_comment_is_a_continuation_like_the_sdk() {
        let f = parse("[default]\nk = v\n  # not a comment\n");
        assert_eq!(props(&f, 0), vec![("k", "v\n# not a comment")]);
    }

    #[test]
    fn problems_are_reported_and_parsing_goes_on() {
        let f = parse("orphan = 1\n[broken\nk = v\n[ok]\nnovalue\n= x\ns3 =\n  bad sub\na = b\n");
        let lines: Vec<usize> = f.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![1, 2, 5, 6, 8]);
        assert_eq!(f.sections.len(), 1);
        assert_eq!(props(&f, 0), vec![("s3", ""), ("a", "b")]);
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("some-thing:long/the_one%only.foo@bar+"));
        assert!(!is_identifier("foo!bar"));
        assert!(!is_identifier("a b"));
        assert!(!is_identifier(""));
    }
}
