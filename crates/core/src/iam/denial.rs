//! AWS's AccessDenied wording, read in one place. IAM says why in the message only ("… with an
//! explicit deny in a permissions boundary: arn:…", "… because no identity-based policy allows
//! the iam:X action"; newer messages go on with `: <policy ARN>` or `. Go to …`, emulators may
//! say no reason at all): the errors' short form and the audit's probe both read it here, so a
//! change of AWS's wording is met once.

const EXPLICIT: &str = "explicit deny in ";
const NO_ALLOW: &str = "because no ";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denial {
    /// An explicit deny; `policy_type` without its article (`permissions boundary`,
    /// `identity-based policy`, `service control policy`, …).
    Explicit { policy_type: String, clause: String },
    /// No policy allows it (an implicit deny).
    NoAllow { clause: String },
    /// The message names no reason.
    Unstated,
}

/// The reason's clause, from `at` to where the message goes on (`: arn…`, `. Go to …`).
fn clause(message: &str, at: usize) -> String {
    let w = &message[at..];
    let end = [": arn", ". "].iter().filter_map(|k| w.find(k)).min().unwrap_or(w.len());
    w[..end].trim_end_matches('.').to_string()
}

impl Denial {
    pub fn read(message: &str) -> Denial {
        // ASCII lowercasing keeps byte offsets, so positions in `lower` index `message`.
        let lower = message.to_ascii_lowercase();
        if let Some(at) = lower.find(EXPLICIT) {
            let rest = &message[at + EXPLICIT.len()..];
            let rest = rest.strip_prefix("an ").or_else(|| rest.strip_prefix("a ")).unwrap_or(rest);
            let end = rest.find([':', '.', ';']).unwrap_or(rest.len());
            return Denial::Explicit { policy_type: rest[..end].trim().to_string(), clause: clause(message, at) };
        }
        match lower.find(NO_ALLOW) {
            Some(at) => Denial::NoAllow { clause: clause(message, at) },
            None => Denial::Unstated,
        }
    }

    /// In a few words: the message's user and action are what a reader already knows.
    pub fn short(&self) -> String {
        match self {
            Denial::Explicit { clause, .. } | Denial::NoAllow { clause } => format!("access denied, {clause}"),
            Denial::Unstated => "access denied".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Denial;

    #[test]
    fn aws_wordings_old_and_new_and_none() {
        let d = Denial::read(
            "User: arn:aws:iam::1:user/a is not authorized to perform: iam:ListAccessKeys on resource: user a with an explicit deny in a permissions boundary",
        );
        assert!(matches!(&d, Denial::Explicit { policy_type, .. } if policy_type == "permissions boundary"), "{d:?}");
        assert_eq!(d.short(), "access denied, explicit deny in a permissions boundary");
        let d = Denial::read(
            "User: x is not authorized to perform: iam:X with an explicit deny in an identity-based policy: arn:aws:iam::1:policy/D. Go to https://x",
        );
        assert!(matches!(&d, Denial::Explicit { policy_type, .. } if policy_type == "identity-based policy"), "{d:?}");
        assert_eq!(d.short(), "access denied, explicit deny in an identity-based policy");
        let d = Denial::read(
            "User: u is not authorized to perform: iam:X on resource: r because no identity-based policy allows the iam:X action",
        );
        assert_eq!(d.short(), "access denied, because no identity-based policy allows the iam:X action");
        assert_eq!(Denial::read("User: u is not authorized to perform: iam:X"), Denial::Unstated);
    }
}
