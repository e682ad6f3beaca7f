//! The `:` command palette (k9s): the actions on the selection by name, completed as typed.
//! Every command is also a key; the palette is for the user who knows what they want but not
//! which key it is.

/// A palette command: its name, what it does, and on which screen it exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verb {
    pub name: &'static str,
    pub what: &'static str,
    pub key: &'static str,
    pub screen: Where,
    pub run: Run,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Where {
    Profiles,
    Iam,
    Both,
}

/// What a verb does, mapped to the action its key sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    Login,
    LoginAll,
    Logout,
    Console,
    Copy,
    CopyExport,
    Details,
    Sort,
    Audit,
    AuditAll,
    Rotate,
    Fix,
    Describe,
    Iam,
    Profiles,
    Log,
    Reload,
    Help,
    Quit,
}

pub const VERBS: &[Verb] = &[
    Verb {
        name: "login",
        what: "sign in the selected or marked profiles",
        key: "r",
        screen: Where::Profiles,
        run: Run::Login,
    },
    Verb {
        name: "login-all",
        what: "sign in and refresh everything",
        key: "R",
        screen: Where::Profiles,
        run: Run::LoginAll,
    },
    Verb {
        name: "logout",
        what: "end the selected user's sessions (or the role's)",
        key: "",
        screen: Where::Profiles,
        run: Run::Logout,
    },
    Verb {
        name: "console",
        what: "open the AWS console as the selection",
        key: "o",
        screen: Where::Profiles,
        run: Run::Console,
    },
    Verb { name: "copy", what: "copy --profile NAME", key: "c", screen: Where::Profiles, run: Run::Copy },
    Verb {
        name: "copy-export",
        what: "copy export AWS_PROFILE=NAME",
        key: "C",
        screen: Where::Profiles,
        run: Run::CopyExport,
    },
    Verb {
        name: "details",
        what: "everything about the selected profile",
        key: "i",
        screen: Where::Profiles,
        run: Run::Details,
    },
    Verb { name: "sort", what: "cycle the sort order", key: "s", screen: Where::Profiles, run: Run::Sort },
    Verb { name: "audit", what: "read and audit the selected IAM user", key: "a", screen: Where::Iam, run: Run::Audit },
    Verb { name: "audit-all", what: "read and audit every IAM user", key: "A", screen: Where::Iam, run: Run::AuditAll },
    Verb {
        name: "rotate",
        what: "rotate the selected user's access key",
        key: "r",
        screen: Where::Iam,
        run: Run::Rotate,
    },
    Verb { name: "fix", what: "show (and apply) the MFA audit's fix", key: "f", screen: Where::Iam, run: Run::Fix },
    Verb {
        name: "describe",
        what: "the selected user's keys, devices, policies and audit",
        key: "Enter",
        screen: Where::Iam,
        run: Run::Describe,
    },
    Verb { name: "iam", what: "the IAM screen", key: "Tab", screen: Where::Profiles, run: Run::Iam },
    Verb { name: "profiles", what: "the profiles screen", key: "Tab", screen: Where::Iam, run: Run::Profiles },
    Verb { name: "log", what: "show the log", key: "l", screen: Where::Both, run: Run::Log },
    Verb { name: "reload", what: "reload your AWS files", key: "F5", screen: Where::Both, run: Run::Reload },
    Verb { name: "help", what: "every key", key: "?", screen: Where::Both, run: Run::Help },
    Verb { name: "quit", what: "quit (sessions stay valid)", key: "q", screen: Where::Both, run: Run::Quit },
];

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Palette {
    pub input: String,
    /// Index into `matches()` of the highlighted one.
    pub choice: usize,
    /// Why the last Enter did nothing.
    pub error: Option<String>,
    pub iam: bool,
}

impl Palette {
    pub fn new(iam: bool) -> Self {
        Self { iam, ..Self::default() }
    }

    /// The verbs of this screen whose name starts with the input (then those containing it).
    pub fn matches(&self) -> Vec<&'static Verb> {
        let here = |v: &&Verb| match v.screen {
            Where::Both => true,
            Where::Iam => self.iam,
            Where::Profiles => !self.iam,
        };
        let typed = self.input.trim().to_lowercase();
        let mut out: Vec<&Verb> = VERBS.iter().filter(here).filter(|v| v.name.starts_with(&typed)).collect();
        out.extend(VERBS.iter().filter(here).filter(|v| !v.name.starts_with(&typed) && v.name.contains(&typed)));
        out
    }

    /// Tab: the longest prefix the matches share, or the highlighted one when that adds nothing.
    pub fn complete(&mut self) {
        let m = self.matches();
        let Some(first) = m.first() else { return };
        let typed = self.input.trim().to_lowercase();
        let prefixed: Vec<_> = m.iter().filter(|v| v.name.starts_with(&typed)).collect();
        let common = prefixed.iter().fold(first.name.to_string(), |acc, v| {
            acc.chars().zip(v.name.chars()).take_while(|(a, b)| a == b).map(|(a, _)| a).collect()
        });
        self.input = if common.len() > self.input.trim().len() {
            common
        } else {
            m[self.choice.min(m.len() - 1)].name.to_string()
        };
        self.choice = 0;
        self.error = None;
    }

    /// The verb Enter runs: the exact name typed, else the highlighted match.
    pub fn chosen(&self) -> Option<&'static Verb> {
        let typed = self.input.trim();
        let m = self.matches();
        m.iter().find(|v| v.name == typed).copied().or_else(|| m.get(self.choice).copied())
    }

    pub fn move_choice(&mut self, delta: i64) {
        let n = self.matches().len() as i64;
        if n > 0 {
            self.choice = (self.choice as i64 + delta).rem_euclid(n) as usize;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_by_prefix_and_knows_its_screen() {
        let mut p = Palette::new(false);
        p.input = "lo".into();
        let names: Vec<_> = p.matches().iter().map(|v| v.name).collect();
        assert_eq!(names, ["login", "login-all", "logout", "log", "reload"], "by prefix, then containing");
        p.complete();
        assert_eq!(p.input, "log", "the shared prefix first");
        p.input = "logo".into();
        p.complete();
        assert_eq!(p.input, "logout");
        assert_eq!(p.chosen().unwrap().run, Run::Logout);
        p.input = "rot".into();
        assert!(p.chosen().is_none(), "rotate is the IAM screen's");
        let mut iam = Palette::new(true);
        iam.input = "rot".into();
        assert_eq!(iam.chosen().unwrap().run, Run::Rotate);
        iam.input = "all".into();
        assert_eq!(iam.chosen().unwrap().name, "audit-all", "a name containing the text matches too");
    }
}
