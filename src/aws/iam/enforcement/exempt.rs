//! Which actions a covering Deny or boundary still lets through without MFA, and whether that is
//! only MFA self-service. A Deny enforces MFA only for the actions it covers: an exemption is safe
//! only when every action it can match is one a user needs to set MFA up and sign in with it.

use super::advice::{dedup, list};
use super::{Cover, EscapeHatch, Finding, FindingKind, Severity, action_matches, every_action};

/// MFA self-service: what a user without MFA must still be able to do to enrol a device and sign in
/// with it. Source: AWS IAM User Guide, example policies "AWS: Allows MFA-authenticated IAM users to
/// manage their own MFA device on the Security credentials page" (statement
/// `BlockMostAccessUnlessSignedInWithMFA`) and "... to manage their own credentials ..."
/// (`DenyAllExceptListedIfNoMFA`, which also exempts `iam:GetMFADevice`, a read of the user's own
/// device). `iam:ListUsers`, which one AWS example exempts, is left out: it reveals every user of the
/// account, which is not self-service.
pub const SELF_SERVICE: [&str; 10] = [
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:GetUser",
    "iam:GetMFADevice",
    "iam:ListMFADevices",
    "iam:ListVirtualMFADevices",
    "iam:ResyncMFADevice",
    "iam:ChangePassword",
    "iam:GetAccountPasswordPolicy",
    "sts:GetSessionToken",
];

/// AWS never denies it ("no permissions are required"), so exempting it opens nothing.
const NEVER_DENIED: &str = "sts:GetCallerIdentity";

/// Named as examples of what an exemption opens; never used to decide whether it is safe.
const EXAMPLES: [(&str, &str); 15] = [
    ("iam:CreateAccessKey", "mints access keys without MFA: a leaked key can create more"),
    ("iam:UpdateAccessKey", "enables or disables access keys without MFA"),
    ("iam:DeleteAccessKey", "deletes access keys without MFA: a leaked key can lock the owner out"),
    ("iam:CreateLoginProfile", "sets a console password without MFA"),
    ("iam:UpdateLoginProfile", "changes the console password without MFA"),
    ("iam:DeactivateMFADevice", "removes the MFA device without MFA: an attacker can enroll their own"),
    ("iam:DeleteVirtualMFADevice", "deletes the virtual MFA device without MFA"),
    ("iam:AttachUserPolicy", "grants itself any policy without MFA"),
    ("sts:AssumeRole", "assumes roles without MFA: their permissions apply unless each trust policy requires MFA"),
    ("s3:GetObject", "reads S3 objects without MFA"),
    ("secretsmanager:GetSecretValue", "reads secrets without MFA"),
    ("ssm:GetParameter", "reads SSM parameters, often secrets, without MFA"),
    ("kms:Decrypt", "decrypts with KMS keys without MFA"),
    ("ec2:DescribeInstances", "maps the account's EC2 instances without MFA"),
    ("iam:GetAccountAuthorizationDetails", "dumps every user, role and policy of the account without MFA"),
];

fn wildcard(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

/// Whether exempting `pattern` keeps MFA enforced. A pattern with `*` or `?` matches infinitely many
/// action names (any character may stand in), and the self-service set is finite, so it never is.
pub(super) fn is_safe(pattern: &str) -> bool {
    !wildcard(pattern)
        && (pattern.eq_ignore_ascii_case(NEVER_DENIED) || SELF_SERVICE.iter().any(|s| s.eq_ignore_ascii_case(pattern)))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tok {
    Lit(char),
    Star,
    One,
}

fn tokens(p: &str) -> Vec<Tok> {
    p.chars()
        .map(|c| match c {
            '*' => Tok::Star,
            '?' => Tok::One,
            c => Tok::Lit(c),
        })
        .collect()
}

/// Whether some action name matches every pattern (IAM's `*`, `?`, case-insensitive): a walk over the
/// product of the patterns' positions, each step reading one character all of them accept.
fn overlap(patterns: &[&str]) -> bool {
    let toks: Vec<Vec<Tok>> = patterns.iter().map(|p| tokens(p)).collect();
    let fold = |c: char| c.to_lowercase().collect::<String>();
    let mut seen = std::collections::HashSet::new();
    let mut todo = vec![vec![0; toks.len()]];
    while let Some(at) = todo.pop() {
        if !seen.insert(at.clone()) {
            continue;
        }
        let done = |i: usize, a: usize| toks[i][a..].iter().all(|t| *t == Tok::Star);
        if at.iter().enumerate().all(|(i, &a)| done(i, a)) {
            return true;
        }
        // A `*` may match nothing: move past it, one pattern at a time.
        for (i, t) in toks.iter().enumerate() {
            if t.get(at[i]) == Some(&Tok::Star) {
                let mut next = at.clone();
                next[i] += 1;
                todo.push(next);
            }
        }
        // One character read by all: a `*` stays, `?` and a literal move on; literals must agree.
        let mut lit: Option<String> = None;
        let mut next = at.clone();
        let readable = toks.iter().enumerate().all(|(i, t)| match t.get(at[i]) {
            None => false,
            Some(Tok::Star) => true,
            Some(Tok::One) => {
                next[i] += 1;
                true
            }
            Some(Tok::Lit(c)) => {
                next[i] += 1;
                let c = fold(*c);
                lit.get_or_insert_with(|| c.clone()) == &c
            }
        });
        if readable {
            todo.push(next);
        }
    }
    false
}

/// What exempting `pattern` opens, in words.
fn opens(pattern: &str) -> String {
    if every_action(pattern) {
        return "it matches every action, so the Deny denies nothing".into();
    }
    match (wildcard(pattern), EXAMPLES.iter().find(|(a, _)| action_matches(pattern, a))) {
        (true, Some((a, why))) => format!("it matches {a}, which {why}, and every other action it fits"),
        (true, None) => "a wildcard: every action it fits, including ones AWS adds later".into(),
        (false, Some((_, why))) => format!("it {why}"),
        (false, None) => "not MFA self-service".into(),
    }
}

/// Exemptions every covering Deny or boundary lets through, in either scenario, beyond MFA
/// self-service. Each choice of one exemption per cover whose patterns overlap is an action every
/// cover lets through; the narrowest of them is named.
pub(super) fn escape_hatches(covers: &[Cover]) -> Vec<EscapeHatch> {
    let mut out: Vec<EscapeHatch> = Vec::new();
    for s in 0..2 {
        let active: Vec<&Cover> = covers.iter().filter(|c| c.covers[s]).collect();
        if active.is_empty() || active.iter().any(|c| c.exempt[s].is_empty()) {
            continue;
        }
        let mut pick = vec![0usize; active.len()];
        loop {
            let chosen: Vec<&super::Exempt> = active.iter().zip(&pick).map(|(c, &i)| &c.exempt[s][i]).collect();
            let texts: Vec<&str> = chosen.iter().map(|e| e.action.as_str()).collect();
            // The one the others all match as text is the narrowest; an exact name is at most itself.
            let narrowest = chosen
                .iter()
                .find(|e| !wildcard(&e.action))
                .or_else(|| chosen.iter().find(|e| texts.iter().all(|t| action_matches(t, &e.action))))
                .unwrap_or(&chosen[0]);
            let escapes = if wildcard(&narrowest.action) {
                overlap(&texts)
            } else {
                texts.iter().all(|t| action_matches(t, &narrowest.action))
            };
            if escapes
                && !is_safe(&narrowest.action)
                && !out.iter().any(|h| h.action.eq_ignore_ascii_case(&narrowest.action))
            {
                out.push(EscapeHatch {
                    action: narrowest.action.clone(),
                    why: opens(&narrowest.action),
                    source: narrowest.source.clone(),
                    statement: narrowest.statement.clone(),
                });
            }
            // The next choice, odometer-style.
            let mut i = 0;
            while i < pick.len() {
                pick[i] += 1;
                if pick[i] < active[i].exempt[s].len() {
                    break;
                }
                pick[i] = 0;
                i += 1;
            }
            if i == pick.len() {
                break;
            }
        }
    }
    out
}

/// The problem an escaping exemption is.
pub(super) fn finding(h: &EscapeHatch) -> Finding {
    Finding {
        severity: Severity::Problem,
        kind: FindingKind::ReachableWithoutMfa,
        source: Some(h.source.clone()),
        statement: Some(h.statement.clone()),
        message: format!(
            "`{}` is reachable without MFA: {} (exempted by {} ({}))",
            h.action, h.why, h.source, h.statement
        ),
    }
}

/// Why the verdict is "not enforced" although Denies or a boundary cover both kinds of request.
pub(super) fn reachable(hatches: &[EscapeHatch]) -> String {
    let names: Vec<String> = hatches.iter().map(|h| format!("`{}`", h.action)).collect();
    let verb = if names.len() == 1 { "is" } else { "are" };
    let names = match &names[..] {
        [rest @ .., a, b] if rest.len() < 2 => {
            vec![rest.iter().chain([&format!("{a} and {b}")]).cloned().collect::<Vec<_>>().join(", ")]
        }
        _ => names,
    };
    let by = dedup(hatches.iter().map(|h| h.source.to_string()).collect());
    format!("{} {verb} reachable without MFA (exempted by {})", list(&names), by.join(" and "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exact_self_service_names_are_safe() {
        for safe in ["iam:EnableMFADevice", "IAM:enablemfadevice", "sts:GetSessionToken", "sts:GetCallerIdentity"] {
            assert!(is_safe(safe), "{safe}");
        }
        for unsafe_ in ["*", "s*", "iam:*", "sts:*", "*:Get*", "iam:Get*", "iam:GetUse?", "iam:ListUsers", "s3:*"] {
            assert!(!is_safe(unsafe_), "{unsafe_}");
        }
    }

    #[test]
    fn overlap_finds_a_common_action_or_proves_there_is_none() {
        assert!(overlap(&["s3:Get*", "s3:*Object"]), "s3:GetObject");
        assert!(overlap(&["*", "iam:Get*"]));
        assert!(overlap(&["IAM:get*", "iam:GetUser"]), "case-insensitive");
        assert!(overlap(&["iam:Get?ser", "*User"]));
        assert!(!overlap(&["s3:*", "iam:*"]));
        assert!(!overlap(&["iam:Get*", "iam:List*"]));
        assert!(!overlap(&["iam:Get?", "iam:Get"]), "? reads exactly one character");
        assert!(overlap(&["a*b*c", "*b*", "a*c"]));
    }

    #[test]
    fn what_an_exemption_opens_names_examples() {
        assert!(opens("*").contains("denies nothing"));
        assert!(opens("s*").contains("sts:AssumeRole"), "{}", opens("s*"));
        assert!(opens("*:Get*").contains("s3:GetObject"), "{}", opens("*:Get*"));
        assert!(opens("iam:*").contains("iam:CreateAccessKey"));
        assert_eq!(opens("iam:ListUsers"), "not MFA self-service");
        assert!(opens("iam:Get*").contains("iam:GetAccountAuthorizationDetails"));
    }
}
