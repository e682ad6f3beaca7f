//! Removing what looks like a secret from text mfatui did not write itself: the stderr of a
//! user's `mfa_process` or `credential_process`, the first bytes of a strange server answer.
//! Errs on the side of hiding: a long mixed-case or base32 word is treated as a secret.

/// Replace every secret-looking word with `[hidden]`.
pub fn scrub(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if looks_secret(word) {
            out.push_str("[hidden]");
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || "/+=_-".contains(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// At most `max` characters of scrubbed text, on one line: for error messages.
pub fn scrub_line(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let clean = scrub(&one_line);
    if clean.chars().count() > max { clean.chars().take(max).collect::<String>() + "…" } else { clean }
}

fn looks_secret(word: &str) -> bool {
    let core = word.trim_matches(|c| "=-_".contains(c));
    if core.len() < 16 || core.starts_with('/') {
        return false;
    }
    let upper = core.bytes().any(|b| b.is_ascii_uppercase());
    let lower = core.bytes().any(|b| b.is_ascii_lowercase());
    let digit = core.bytes().any(|b| b.is_ascii_digit());
    // Base32 TOTP seeds (A-Z, 2-7), AWS key ids (AKIA…), secret keys and tokens (mixed base64).
    let base32 = core.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b));
    base32 || (upper as u8 + lower as u8 + digit as u8) >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_keys_tokens_and_seeds_but_keeps_prose_and_paths() {
        let text = "oathtool --totp -b JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP failed: bad key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY id AKIAIOSFODNN7EXAMPLE";
        let s = scrub(text);
        for secret in ["JBSWY3DPEHPK3PXP", "wJalrXUtnFEMI", "AKIAIOSFODNN7EXAMPLE"] {
            assert!(!s.contains(secret), "{s}");
        }
        assert!(s.starts_with("oathtool --totp -b [hidden] failed: bad key [hidden]"), "{s}");
        let prose = "vault is locked: run op signin first (see /usr/share/doc/onepassword-cli/README)";
        assert_eq!(scrub(prose), prose);
    }

    #[test]
    fn lines_are_capped() {
        assert_eq!(scrub_line("a\nb   c", 10), "a b c");
        assert_eq!(scrub_line(&"word ".repeat(50), 9), "word word…");
    }
}
