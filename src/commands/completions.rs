//! `mfatui completions SHELL`: clap's script for the commands and flags, plus profile names
//! wherever a profile goes (`mfatui login <TAB>`, `exec`, `env`, `console`, `--as`, …). The
//! names are read when TAB is pressed, from the user's AWS files, by the hidden
//! `mfatui __complete-profiles`, so a profile added a minute ago is offered.

use crate::aws::config::{self, AwsEnv};
use crate::cli::{Cli, ShellArg};
use std::io::Write;

/// The hidden command the scripts call.
pub const HIDDEN: &str = "__complete-profiles";

/// Every profile name of the user's AWS files (managed ones included: `dev-admin-mfa` is a
/// name commands accept), one a line, those starting with `prefix` only. Prints nothing on any
/// error: a completion must never print a message into the user's command line.
pub fn profiles(out: &mut impl Write, env: &AwsEnv, prefix: &str) -> std::io::Result<()> {
    let Ok(cfg) = config::load(env) else { return Ok(()) };
    for name in cfg.sections.profiles.keys().filter(|n| n.starts_with(prefix)) {
        // A name a shell could not take as one word (a space, a control character) is left out.
        if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
            continue;
        }
        writeln!(out, "{name}")?;
    }
    Ok(())
}

/// The subcommands taking one profile, and those taking several.
const ONE: &str = "login logout status credential-process exec env serve console rotate";
const MANY: &str = "refresh keys audit";
/// Options whose next word is their value (not a positional).
const VALUED: &str = "--code --format --port --region --destination --margin --concurrency --export --seed";
/// Options whose value is a profile.
const PROFILE_VALUED: &str = "--as --profile";

pub fn write(out: &mut impl Write, shell: ShellArg) -> std::io::Result<()> {
    let mut script = Vec::new();
    let clap_shell = match shell {
        ShellArg::Bash => clap_complete::Shell::Bash,
        ShellArg::Zsh => clap_complete::Shell::Zsh,
        ShellArg::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(clap_shell, &mut <Cli as clap::CommandFactory>::command(), "mfatui", &mut script);
    let script = String::from_utf8_lossy(&script);
    match shell {
        ShellArg::Bash => write!(out, "{script}{}", bash()),
        ShellArg::Zsh => out.write_all(zsh(&script).as_bytes()),
        ShellArg::Fish => write!(out, "{script}{}", fish()),
    }
}

fn bash() -> String {
    format!(
        r#"
# Profile names where a profile goes (read from your AWS files as you press TAB).
_mfatui_profiles() {{
    local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}}
    local sub= given=0 skip=0 i w
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${{COMP_WORDS[i]}}
        if ((skip)); then skip=0; continue; fi
        case " {VALUED} {PROFILE_VALUED} " in *" $w "*) skip=1; continue ;; esac
        [[ $w == -* ]] && continue
        if [[ -z $sub ]]; then sub=$w; else given=$((given + 1)); fi
    done
    local want=0
    case " {PROFILE_VALUED} " in *" $prev "*) want=1 ;; esac
    if ((!want)) && [[ $cur != -* ]]; then
        case " {VALUED} " in *" $prev "*) ;; *)
            case " {ONE} " in *" $sub "*) ((given == 0)) && want=1 ;; esac
            case " {MANY} " in *" $sub "*) want=1 ;; esac
            # exec: after the profile comes the command, then its arguments.
            if [[ $sub == exec ]] && ((given == 1)); then
                COMPREPLY=($(compgen -c -- "$cur"))
                return
            elif [[ $sub == exec ]] && ((given > 1)); then
                COMPREPLY=($(compgen -f -- "$cur"))
                return
            fi
        ;; esac
    fi
    if ((want)); then
        local IFS=$'\n'
        COMPREPLY=($(compgen -W "$(command mfatui {HIDDEN} -- "$cur" 2>/dev/null)" -- "$cur"))
        return
    fi
    _mfatui "$@"
}}
if [[ "${{BASH_VERSINFO[0]}}" -eq 4 && "${{BASH_VERSINFO[1]}}" -ge 4 || "${{BASH_VERSINFO[0]}}" -gt 4 ]]; then
    complete -F _mfatui_profiles -o nosort -o bashdefault -o default mfatui
else
    complete -F _mfatui_profiles -o bashdefault -o default mfatui
fi
"#
    )
}

/// clap's zsh script, its profile arguments completed by `_mfatui_profiles`.
fn zsh(script: &str) -> String {
    let helper = format!(
        "\n# Profile names where a profile goes (read from your AWS files as you press TAB).\n_mfatui_profiles() {{\n    local -a names\n    names=(${{(f)\"$(command mfatui {HIDDEN} -- \"$PREFIX\" 2>/dev/null)\"}})\n    compadd -a names\n}}\n"
    );
    let mut out = String::with_capacity(script.len() + helper.len());
    let mut helped = false;
    for line in script.lines() {
        let profile_arg = (line.starts_with("':profile -- ")
            || line.starts_with("'::profile -- ")
            || line.starts_with("'*::profiles -- ")
            || line.starts_with("'--as=[")
            || line.starts_with("'--profile=["))
            && line.ends_with(":_default' \\");
        if profile_arg {
            let cut = line.len() - ":_default' \\".len();
            out.push_str(&line[..cut]);
            out.push_str(":_mfatui_profiles' \\");
        } else {
            out.push_str(line);
        }
        out.push('\n');
        if !helped && line.starts_with("#compdef") {
            out.push_str(&helper);
            helped = true;
        }
    }
    if !helped {
        out.insert_str(0, &helper);
    }
    out
}

fn fish() -> String {
    let mut out = format!(
        "\n# Profile names where a profile goes (read from your AWS files as you press TAB).\n\
function __mfatui_at --description 'is the word being completed a profile, or the command after exec PROFILE?'\n\
    set -l words (commandline -opc)\n\
    set -l sub\n\
    set -l given 0\n\
    set -l skip 0\n\
    for w in $words[2..-1]\n\
        if test $skip = 1\n\
            set skip 0\n\
            continue\n\
        end\n\
        if contains -- $w {VALUED} {PROFILE_VALUED}\n\
            set skip 1\n\
            continue\n\
        end\n\
        string match -q -- '-*' $w; and continue\n\
        if test -z \"$sub\"\n\
            set sub $w\n\
        else\n\
            set given (math $given + 1)\n\
        end\n\
    end\n\
    set -l at\n\
    if contains -- $sub {MANY}; or begin; contains -- $sub {ONE}; and test $given = 0; end\n\
        set at profile\n\
    else if test \"$sub\" = exec; and test $given = 1\n\
        set at command\n\
    end\n\
    test \"$at\" = \"$argv[1]\"\n\
end\n"
    );
    let names = format!("'(command mfatui {HIDDEN} -- (commandline -ct) 2>/dev/null)'");
    out.push_str(&format!("complete -c mfatui -n '__mfatui_at profile' -f -a {names}\n"));
    out.push_str("complete -c mfatui -n '__mfatui_at command' -f -a '(__fish_complete_command)'\n");
    for flag in PROFILE_VALUED.split(' ') {
        out.push_str(&format!("complete -c mfatui -l {} -x -a {names}\n", flag.trim_start_matches('-')));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zsh_profile_arguments_call_the_helper() {
        let mut out = Vec::new();
        write(&mut out, ShellArg::Zsh).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("#compdef mfatui\n"), "{}", &text[..40]);
        assert!(text.contains("_mfatui_profiles() {"));
        let helped = text.lines().filter(|l| l.ends_with(":_mfatui_profiles' \\")).count();
        // login, refresh, logout, status, credential-process, exec, env, serve, console, keys,
        // rotate, audit, plus --as and the dashboard's --profile.
        assert!(helped >= 14, "{helped}:\n{text}");
        assert!(!text.lines().any(|l| l.contains("::profile -- ") && l.ends_with(":_default' \\")), "{text}");
    }
}
