//! Which actions a covering Deny or boundary still lets through without MFA, and whether that is
//! only MFA self-service. A Deny enforces MFA only for the actions it covers: an exemption is safe
//! only when every action it can match is one a user needs to set MFA up and sign in with it.

use super::advice::{dedup, list};
use super::{Cover, EscapeHatch, Exempt, Finding, FindingKind, FindingSeverity, action_matches, every_action};

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

/// Beyond this many overlapping choices (many Denies, each with a long NotAction) the search stops at
/// the covers it has been through: an audit must end, and reporting more never claims "enforced".
const MAX_CHOICES: usize = 4096;

/// The exemption a choice (one per cover) comes down to: an exact name if there is one (the
/// intersection is at most that name), else the one the others all match as text, else the first.
fn narrowest<'a>(chosen: &[&'a Exempt]) -> &'a Exempt {
    let texts: Vec<&str> = chosen.iter().map(|e| e.action.as_str()).collect();
    chosen
        .iter()
        .find(|e| !wildcard(&e.action))
        .or_else(|| chosen.iter().find(|e| texts.iter().all(|t| action_matches(t, &e.action))))
        .unwrap_or(&chosen[0])
}

/// Whether some action matches every exemption chosen, and it is not only MFA self-service.
fn open_together(chosen: &[&Exempt]) -> bool {
    let n = narrowest(chosen);
    let texts: Vec<&str> = chosen.iter().map(|e| e.action.as_str()).collect();
    let common = if wildcard(&n.action) { overlap(&texts) } else { texts.iter().all(|t| action_matches(t, &n.action)) };
    common && !is_safe(&n.action)
}

/// Exemptions every covering Deny or boundary lets through, in either scenario, beyond MFA
/// self-service: the choices of one exemption per cover that still share an action, built one
/// cover at a time so that disjoint ones are dropped early; the narrowest of each is named.
pub(super) fn escape_hatches(covers: &[Cover]) -> Vec<EscapeHatch> {
    let mut out: Vec<EscapeHatch> = Vec::new();
    for s in 0..2 {
        let active: Vec<&Cover> = covers.iter().filter(|c| c.covers[s]).collect();
        let mut choices: Vec<Vec<&Exempt>> = vec![Vec::new()];
        'covers: for c in &active {
            let mut next = Vec::new();
            for chosen in &choices {
                for e in &c.exempt[s] {
                    let mut more = chosen.clone();
                    more.push(e);
                    if open_together(&more) {
                        next.push(more);
                    }
                    if next.len() > MAX_CHOICES {
                        break 'covers; // What the covers so far let through: more than the truth, never less.
                    }
                }
            }
            choices = next;
        }
        for chosen in choices.iter().filter(|c| !c.is_empty()) {
            let n = narrowest(chosen);
            if !out.iter().any(|h| h.action.eq_ignore_ascii_case(&n.action)) {
                let (action, source, statement) = (n.action.clone(), n.source.clone(), n.statement.clone());
                out.push(EscapeHatch { why: opens(&action), action, source, statement });
            }
        }
    }
    out
}

/// The problem an escaping exemption is.
pub(super) fn finding(h: &EscapeHatch) -> Finding {
    Finding {
        severity: FindingSeverity::Problem,
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
    fn many_covers_end_the_search_without_claiming_less_than_is_open() {
        let exempt = |a: String| Exempt {
            action: a,
            source: super::super::Source::UserInline { name: "p".into() },
            statement: super::super::StatementRef { index: 0, sid: None },
        };
        // Ten Denies exempting the same 10 overlapping wildcards: 10^10 choices, all open.
        let cover = || Cover {
            label: "p".into(),
            covers: [true, true],
            exempt: [(0..10).map(|i| exempt(format!("s3:*{i}*"))).collect(), Vec::new()],
        };
        let hatches = escape_hatches(&(0..10).map(|_| cover()).collect::<Vec<_>>());
        assert!(!hatches.is_empty());
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
