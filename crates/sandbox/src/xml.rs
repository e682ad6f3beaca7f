//! AWS Query-protocol XML: `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…`
//! and `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.

use super::state::ApiError;
use aws_sdk_sts::primitives::{DateTime, DateTimeFormat};
use std::fmt::Write;

pub const STS_NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";
pub const IAM_NS: &str = "https://iam.amazonaws.com/doc/2010-05-08/";

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// ISO 8601 UTC as AWS writes it in XML: `2026-11-21T13:00:00Z`.
pub fn timestamp(secs: i64) -> String {
    DateTime::from_secs(secs).fmt(DateTimeFormat::DateTime).unwrap_or_default()
}

/// Builds the inside of a `…Result` element.
#[derive(Default)]
pub struct Body(String);

impl Body {
    pub fn leaf(&mut self, tag: &str, text: &str) -> &mut Self {
        let _ = write!(self.0, "<{tag}>{}</{tag}>", escape(text));
        self
    }

    /// Escaped text at the current position (for `<member>text</member>` lists).
    pub fn text(&mut self, text: &str) -> &mut Self {
        self.0.push_str(&escape(text));
        self
    }

    pub fn open(&mut self, tag: &str) -> &mut Self {
        let _ = write!(self.0, "<{tag}>");
        self
    }

    pub fn close(&mut self, tag: &str) -> &mut Self {
        let _ = write!(self.0, "</{tag}>");
        self
    }

    /// `<tag><member>…</member>…</tag>` with one member per item.
    pub fn members<T>(&mut self, tag: &str, items: &[T], mut each: impl FnMut(&mut Body, &T)) -> &mut Self {
        self.open(tag);
        for item in items {
            self.open("member");
            each(self, item);
            self.close("member");
        }
        self.close(tag)
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A whole response. `result: None` for actions whose response has no `…Result` element.
pub fn response(action: &str, ns: &str, result: Option<String>, request_id: &str) -> String {
    let mut out = format!("<{action}Response xmlns=\"{ns}\">\n");
    if let Some(r) = result {
        let _ = writeln!(out, "  <{action}Result>{r}</{action}Result>");
    }
    let _ = write!(
        out,
        "  <ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>\n</{action}Response>\n"
    );
    out
}

pub fn error(ns: &str, e: &ApiError, request_id: &str) -> String {
    let kind = if e.status >= 500 { "Receiver" } else { "Sender" };
    format!(
        "<ErrorResponse xmlns=\"{ns}\">\n  <Error>\n    <Type>{kind}</Type>\n    <Code>{}</Code>\n    <Message>{}</Message>\n  </Error>\n  <RequestId>{request_id}</RequestId>\n</ErrorResponse>\n",
        escape(&e.code),
        escape(&e.message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let mut b = Body::default();
        b.leaf("UserName", "a&b").members("Keys", &["k1", "k2"], |b, k| {
            b.leaf("Id", k);
        });
        let r = response("ListThings", IAM_NS, Some(b.into_string()), "rid");
        assert!(r.contains("<ListThingsResult><UserName>a&amp;b</UserName><Keys><member><Id>k1</Id></member><member><Id>k2</Id></member></Keys></ListThingsResult>"));
        assert!(r.contains("<RequestId>rid</RequestId>"));
        let e = error(STS_NS, &ApiError::access_denied("no <way>"), "r2");
        assert!(
            e.contains("<Type>Sender</Type>")
                && e.contains("<Code>AccessDenied</Code>")
                && e.contains("no &lt;way&gt;")
        );
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
    }
}
