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

/// Whitespace as the profile-file spec defines it.
pub const WHITESPACE: &[char] = &[' ', '\t'];
const COMMENT: &[char] = &['#', ';'];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawProperty<'a> {
    /// Lower-cased; borrowed from the file unless lower-casing changed it.
    pub key: Cow<'a, str>,
    pub value: Cow<'a, str>,
    /// 1-based line of the `key = value` line.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSection<'a> {
    /// The text between the brackets, trimmed, comment removed: `profile dev`, `default`.
    pub header: &'a str,
    pub line: usize,
    pub properties: Vec<RawProperty<'a>>,
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
    pub sections: Vec<RawSection<'a>>,
    pub problems: Vec<LineProblem>,
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

pub fn parse(text: &str) -> RawFile<'_> {
    // Growing a Vec of thousands of sections one doubling at a time shows up in profiles.
    let headers = text.matches("\n[").count() + 1;
    let mut out = RawFile { sections: Vec::with_capacity(headers), problems: Vec::new() };
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
                    out.sections.push(RawSection { header, line: n, properties: Vec::new() });
                    state = State::InSection { property: None, is_subproperty: false };
                }
                Err(msg) => {
                    problem(msg.to_string());
                    state = State::Skipping;
                }
            }
        } else if line.starts_with(WHITESPACE) {
            match state {
                State::Start => problem(
                    "indented line before any [section]: put settings under a [profile NAME] header".into(),
                ),
                State::Skipping => {}
                State::InSection { property: None, .. } => problem(
                    "indented line right after a section header: the SDKs read an indented line as the continuation of a property; remove the indentation".into(),
                ),
                State::InSection { property: Some(i), is_subproperty } => {
                    if is_subproperty
                        && !trim_ws(line).is_empty()
                        && let Err(e) = parse_property(line)
                    {
                        problem(format!("{} in the nested settings block", e.describe()));
                        continue;
                    }
                    let section = out.sections.last_mut().expect("InSection implies a section");
                    let value = section.properties[i].value.to_mut();
                    value.push('\n');
                    value.push_str(trim_ws(line));
                }
            }
        } else {
            match state {
                State::Start => problem(format!(
                    "`{}` comes before any [section] header: settings must follow a header such as [default] or [profile NAME]",
                    first_word(line)
                )),
                State::Skipping => {}
                State::InSection { .. } => match parse_property(line) {
                    Ok((key, value)) => {
                        let section = out.sections.last_mut().expect("InSection implies a section");
                        let is_subproperty = value.is_empty();
                        section.properties.push(RawProperty { key, value: Cow::Borrowed(value), line: n });
                        state = State::InSection { property: Some(section.properties.len() - 1), is_subproperty };
                    }
                    Err(e) => problem(e.describe().to_string()),
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
    let inner = line
        .strip_prefix('[')
        .and_then(|l| l.strip_suffix(']'))
        .ok_or("section header is missing its closing `]`; this section and its settings are ignored")?;
    Ok(trim_ws(inner))
}

#[derive(Debug, PartialEq, Eq)]
enum PropertyError {
    NoEquals,
    NoName,
}

impl PropertyError {
    fn describe(&self) -> &'static str {
        match self {
            Self::NoEquals => "expected `name = value` but found no `=`; this line is ignored",
            Self::NoName => "`= value` with no name before the `=`; this line is ignored",
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
        f.sections[section].properties.iter().map(|p| (p.key.as_ref(), p.value.as_ref())).collect()
    }

    #[test]
    fn comments_blank_lines_and_line_numbers() {
        let f = parse("# top\n; also\n\n[profile a] # c\nk = v ; inline\nx=a#b\n  \n");
        assert!(f.problems.is_empty());
        assert_eq!(f.sections[0].header, "profile a");
        assert_eq!(f.sections[0].line, 4);
        assert_eq!(props(&f, 0), vec![("k", "v"), ("x", "a#b")]);
        assert_eq!(f.sections[0].properties[1].line, 6);
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
