//! Command-line interface types (clap derive only; behaviour lives in `commands`).

use crate::aws::exports::ExportMode;
use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "Settings: ~/.config/mfatui/config.toml (refresh_margin_secs, concurrency, suffix, export, \
timeouts, theme, hide, key_max_age_days, key_propagation_secs). Logs: ~/.local/state/mfatui/mfatui.log.";

#[derive(Debug, Parser)]
#[command(
    name = "mfatui",
    version,
    about = "Sign in with MFA once; keep every AWS role session fresh for every tool",
    long_about = "Sign in with MFA once; keep every AWS role session fresh for every tool.\n\n\
Without a command, mfatui opens its dashboard: every profile of your AWS config with a live countdown, \
one MFA prompt per IAM user, every role assumed in parallel and renewed silently.",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<CliCommand>,
    /// Select this profile's row when the dashboard opens [default: AWS_PROFILE].
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    #[command(flatten)]
    pub tuning: Tuning,
}

/// Flags of the commands that sign in and renew (the dashboard, login, refresh).
#[derive(Debug, Args, Default, Clone)]
pub struct Tuning {
    /// Renew sessions with less than this many seconds left (60..=3000) [default: 300, or
    /// refresh_margin_secs in config.toml].
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(i64).range(60..=3000))]
    pub margin: Option<i64>,
    /// Roles assumed at once (1..=256) [default: 16, or concurrency in config.toml].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: Option<u16>,
    /// Where sessions go: temporary keys in ~/.aws/credentials, or credential_process profiles in
    /// ~/.aws/config (no secret written) [default: credentials, or export in config.toml].
    #[arg(long, value_name = "MODE")]
    pub export: Option<ExportArg>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EnvFormatArg {
    /// `export NAME='value'` lines for sh, bash and zsh.
    Sh,
    /// `set -gx NAME 'value'` lines.
    Fish,
    /// One JSON object with the same variables.
    Json,
    /// `NAME="value"` lines for .env files.
    Dotenv,
}

impl From<EnvFormatArg> for crate::aws::channels::EnvFormat {
    fn from(a: EnvFormatArg) -> Self {
        match a {
            EnvFormatArg::Sh => Self::Sh,
            EnvFormatArg::Fish => Self::Fish,
            EnvFormatArg::Json => Self::Json,
            EnvFormatArg::Dotenv => Self::Dotenv,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportArg {
    Credentials,
    Process,
}

impl From<ExportArg> for ExportMode {
    fn from(a: ExportArg) -> Self {
        match a {
            ExportArg::Credentials => ExportMode::Credentials,
            ExportArg::Process => ExportMode::Process,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum VaultAction {
    /// Store an IAM user's access key in the OS keychain, typed without echo (or two lines on
    /// stdin: key id, then secret); its profile then answers through mfatui.
    Add { profile: String },
    /// Move IAM users' access keys from ~/.aws/credentials (or from aws-vault) into the OS
    /// keychain: each key is checked with GetCallerIdentity, stored and read back, and only then
    /// are its two lines removed; the profile gets `credential_process = mfatui
    /// credential-process NAME`, so every client keeps working.
    #[command(after_help = "Examples:
  mfatui vault import --all
  mfatui vault import alice
  mfatui vault import --from aws-vault alice
  AWS_VAULT_FILE_PASSPHRASE=… mfatui vault import --from aws-vault-file --all")]
    Import {
        profiles: Vec<String>,
        /// Every IAM user profile with keys to import.
        #[arg(long, conflicts_with = "profiles")]
        all: bool,
        /// Where the keys are now.
        #[arg(long, value_name = "WHERE", default_value = "files")]
        from: crate::commands::vault::FromArg,
    },
    /// Write a user's access key back into ~/.aws/credentials and remove it from the keychain.
    Export { profile: String },
}

#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Keep long-term access keys in the OS keychain (set `vault = keychain` in config.toml to
    /// encrypt the session store too): add, import, export.
    Vault {
        #[command(subcommand)]
        action: VaultAction,
    },
    /// List every profile in your AWS config with its kind, account, source chain, MFA device,
    /// region and session state.
    #[command(after_help = "Example: mfatui list --json | jq '.profiles[] | select(.broken)'")]
    List {
        /// Print JSON (all fields plus diagnostics) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Check your AWS config for broken profiles; exits 1 if any profile is broken.
    #[command(after_help = "Example: mfatui doctor")]
    Doctor,
    /// Sign in an IAM user with one MFA code and assume every role rooted at it, in parallel
    /// (or, given a role, just that role; given nothing, every user whose MFA session has ended
    /// or whose roles are due). Exit 0 all ready, 1 some roles failed, 2 sign-in failed.
    #[command(
        after_help = "Examples:\n  mfatui login\n  mfatui login alice\n  mfatui login prod-admin --code 123456\n  op item get aws --otp | mfatui login alice --code -"
    )]
    Login {
        /// An IAM user profile, a role profile, or a managed name such as dev-admin-mfa
        /// [default: every user that needs it].
        profile: Option<String>,
        /// The 6-digit code, or `-` to read it from stdin (keeps it out of the process list).
        /// Used only when a new MFA session is needed; asked for on the terminal when missing.
        #[arg(long, value_name = "CODE")]
        code: Option<String>,
        #[command(flatten)]
        tuning: Tuning,
    },
    /// Renew sessions that are due (or all, or the named ones) from the MFA session. Exit 0 all
    /// renewed or kept, 1 some failed.
    #[command(
        after_help = "Examples:\n  mfatui refresh\n  mfatui refresh --all\n  mfatui refresh dev-admin prod-admin-mfa"
    )]
    Refresh {
        /// Renew every session, due or not.
        #[arg(long, conflicts_with = "profiles")]
        all: bool,
        /// Profiles to renew (a user means all of its roles); managed names are accepted.
        profiles: Vec<String>,
        /// A code for users whose MFA session has ended (`-` reads it from stdin); users with a
        /// live session are never sent it.
        #[arg(long, value_name = "CODE")]
        code: Option<String>,
        #[command(flatten)]
        tuning: Tuning,
    },
    /// Forget sessions and remove their secrets from your AWS files: one profile, a user with its
    /// roles, or everything.
    #[command(after_help = "Examples:\n  mfatui logout alice\n  mfatui logout")]
    Logout {
        /// A profile or managed name; all sessions when absent.
        profile: Option<String>,
    },
    /// Session state. Exit 0 valid, 1 expired, absent or unusable, 2 error: for shell prompts and
    /// direnv.
    #[command(after_help = "Example: mfatui status \"$AWS_PROFILE\" >/dev/null || mfatui login \"$AWS_PROFILE\"")]
    Status {
        #[arg(long)]
        json: bool,
        /// A profile or managed name [default: AWS_PROFILE if set, else every session].
        profile: Option<String>,
    },
    /// Print credentials for one profile as `credential_process` JSON (for ~/.aws/config:
    /// `credential_process = mfatui credential-process PROFILE`). Renews the session when due;
    /// asks for a code (in the open dashboard, else on the terminal) only when the MFA session
    /// is gone. Errors go to stderr with a non-zero exit.
    #[command(
        name = "credential-process",
        after_help = "Example (~/.aws/config):\n  [profile prod]\n  credential_process = mfatui credential-process prod-admin\n  region = eu-west-1"
    )]
    CredentialProcess {
        /// A profile or managed name.
        profile: String,
    },
    /// Run a command with a profile's credentials in its environment (AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION, AWS_REGION). Its exit
    /// status is mfatui's.
    #[command(
        after_help = "Examples:\n  mfatui exec prod-admin aws sts get-caller-identity\n  mfatui exec --server prod-admin terraform apply   # fresh credentials for hours\n  mfatui exec dev-admin                             # a shell"
    )]
    Exec {
        /// A profile or managed name.
        profile: String,
        /// Give the command a local credentials endpoint instead of fixed keys, so a command
        /// that runs for hours keeps getting fresh credentials. It serves PROFILE only.
        #[arg(long)]
        server: bool,
        /// Allow running inside another `mfatui exec`.
        #[arg(long)]
        allow_nested: bool,
        /// The command and its arguments, after the profile (`--` before it is optional)
        /// [default: $SHELL].
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "COMMAND")]
        command: Vec<String>,
    },
    /// Print a profile's credentials as environment variables to `eval` (direnv, CI scripts).
    #[command(
        after_help = "Examples:\n  eval \"$(mfatui env dev-admin)\"\n  mfatui env dev-admin --format fish | source\n  mfatui env dev-admin --format dotenv > .env"
    )]
    Env {
        /// A profile or managed name.
        profile: String,
        #[arg(long, value_enum, default_value_t = EnvFormatArg::Sh)]
        format: EnvFormatArg,
    },
    /// Serve credentials to SDKs and containers on 127.0.0.1 as a container-credentials
    /// endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE).
    #[command(
        after_help = "Examples:\n  mfatui serve --port 9911 prod-admin   # serves prod-admin only\n  mfatui serve --all                    # every profile, MFA sessions included"
    )]
    Serve {
        /// Port on 127.0.0.1 (0..=65535); 0 picks a free one.
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Serve every profile mfatui signs in, the IAM users' MFA sessions included (they can
        /// assume every role), instead of PROFILE only.
        #[arg(long)]
        all: bool,
        /// The one profile served (with --all: the one the printed variables name).
        profile: Option<String>,
    },
    /// Open the AWS web console as a role, from its session (no MFA prompt unless the MFA session
    /// has ended). For an IAM user, opens its account's sign-in page. The link signs in for 15
    /// minutes.
    #[command(
        after_help = "Examples:\n  mfatui console prod-admin\n  mfatui console prod-admin --destination s3 --region eu-west-1\n  mfatui console dev-admin --print   # on a remote shell: open the link locally"
    )]
    Console {
        /// A role profile (or a user, for its sign-in page); managed names are accepted.
        profile: String,
        /// Print the link instead of opening a browser.
        #[arg(long)]
        print: bool,
        /// The console region [default: the profile's].
        #[arg(long, value_name = "REGION")]
        region: Option<String>,
        /// A service (s3, ec2, iam, lambda, …) or a full https:// URL [default: the console home].
        #[arg(long, value_name = "SERVICE_OR_URL")]
        destination: Option<String>,
    },
    /// Print a shell completion script (commands, flags, and your profile names, read from your
    /// AWS files as you press TAB).
    #[command(
        after_help = "Install:\n  mfatui completions bash > ~/.local/share/bash-completion/completions/mfatui\n  mfatui completions zsh > ~/.zfunc/_mfatui      # with fpath+=~/.zfunc in ~/.zshrc\n  mfatui completions fish > ~/.config/fish/completions/mfatui.fish"
    )]
    Completions {
        #[arg(value_enum)]
        shell: ShellArg,
    },
    /// Profile names for the shell completion scripts (one a line); hidden.
    #[command(name = "__complete-profiles", hide = true)]
    CompleteProfiles {
        /// Only names starting with this.
        #[arg(default_value = "", allow_hyphen_values = true)]
        prefix: String,
    },
    /// Print the man page (roff).
    #[command(
        after_help = "Install: mkdir -p ~/.local/share/man/man1 && mfatui man > ~/.local/share/man/man1/mfatui.1"
    )]
    Man,
    /// IAM users at a glance: access keys (masked id, status, age, last use; older than
    /// key_max_age_days, 1..=3650 [default: 90], flagged), MFA devices (usable from the CLI or
    /// not), groups, policies and permissions boundary. IAM calls use the user's MFA session.
    #[command(after_help = "Examples:\n  mfatui keys\n  mfatui keys alice --json | jq '.users[0].access_keys'")]
    Keys {
        /// IAM user profiles (a role or managed name means its user) [default: every IAM user].
        profiles: Vec<String>,
        /// Print JSON (stable field names; key ids masked) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Rotate an IAM user's access key without ever losing access: create, save into your AWS
    /// files (only the key id and secret change), verify, deactivate and delete the old key.
    /// Resumable: after an interruption, run it again. Waits up to key_propagation_secs
    /// (1..=600 [default: 60]) for IAM to accept the new key.
    #[command(
        after_help = "Examples:\n  mfatui rotate alice\n  mfatui rotate alice --yes --make-room\n  mfatui rotate ci-bot --keep-old"
    )]
    Rotate {
        /// An IAM user profile (a role or managed name means its user).
        profile: String,
        /// Do not ask for confirmation (needed without a terminal).
        #[arg(long)]
        yes: bool,
        /// Leave the old key inactive instead of deleting it.
        #[arg(long)]
        keep_old: bool,
        /// When the user already has two keys (the most IAM allows), delete the one that is not
        /// in your AWS files (an inactive one first) to make room.
        #[arg(long)]
        make_room: bool,
    },
    /// Is MFA really enforced? For each IAM user: the policies that apply (static analysis), a
    /// live probe with the long-term key and no MFA, and AWS's policy simulator. Exit 0
    /// enforced, 1 not enforced, 2 unknown or error; with several users, the worst.
    #[command(
        after_help = "Examples:\n  mfatui audit\n  mfatui audit bob --json | jq '.users[0].verdict'\n  mfatui audit bob --as alice --fix"
    )]
    Audit {
        /// IAM user profiles (a role or managed name means its user) [default: every IAM user].
        profiles: Vec<String>,
        /// Print JSON (stable field names) instead of text.
        #[arg(long)]
        json: bool,
        /// For users that are not enforced: create an MfaRequired policy if missing and set it as
        /// the user's permissions boundary (shows the JSON and asks first).
        #[arg(long)]
        fix: bool,
        /// Do not ask before --fix changes anything.
        #[arg(long, requires = "fix")]
        yes: bool,
        /// Make the IAM calls as this IAM user profile (an administrator auditing and fixing
        /// others) [default: each user itself]. The probe always uses the audited user's key.
        #[arg(long = "as", value_name = "PROFILE")]
        as_profile: Option<String>,
    },
    /// Make your own role profiles work in every SDK (boto3, JavaScript, Go, Terraform) under
    /// their original names: each gets `credential_process = mfatui credential-process NAME`
    /// and its role settings move to mfatui_ keys in the same section. Shows each change and
    /// asks first; `--undo` gives the sections back byte for byte.
    #[command(
        after_help = "Examples:\n  mfatui adopt prod-admin\n  mfatui adopt --all --yes\n  mfatui adopt --undo\n  mfatui adopt --undo prod-admin"
    )]
    Adopt {
        /// Role profiles to adopt (or with --undo, to give back) [with --undo: every adopted one].
        profiles: Vec<String>,
        /// Every role profile mfatui signs in.
        #[arg(long, conflicts_with = "profiles")]
        all: bool,
        /// Give adopted sections back as they were.
        #[arg(long, conflicts_with = "all")]
        undo: bool,
        /// Do not ask for confirmation (needed without a terminal).
        #[arg(long)]
        yes: bool,
    },
    /// Start from access keys alone: find the IAM user's MFA devices (GetCallerIdentity,
    /// ListMFADevices), let you pick one, and write its `mfa_serial` into `[profile NAME]` of
    /// ~/.aws/config (nothing else changes).
    #[command(
        after_help = "Examples:\n  mfatui init\n  mfatui init alice\n  mfatui init alice --serial arn:aws:iam::123456789012:mfa/alice"
    )]
    Init {
        /// The IAM user profile with access keys [default: AWS_PROFILE, else the only user without mfa_serial].
        profile: Option<String>,
        /// Use this device (ARN or hardware serial) instead of asking IAM.
        #[arg(long, value_name = "SERIAL")]
        serial: Option<String>,
        /// Do not ask for confirmation; with several usable devices, --serial is needed.
        #[arg(long)]
        yes: bool,
    },
    /// Try mfatui without an AWS account: a throw-away HOME and a local AWS sandbox with MFA.
    #[command(after_help = "Example: mfatui demo")]
    Demo,
    /// Run the local STS/IAM sandbox alone (for scripts and other AWS clients).
    #[command(
        after_help = "Example: mfatui sandbox --port 4566 &  AWS_ENDPOINT_URL=http://127.0.0.1:4566 aws sts get-caller-identity"
    )]
    Sandbox {
        /// Port on 127.0.0.1 (0..=65535); 0 picks a free one (printed on the first line).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// JSON seed (accounts, users, roles, policies, groups); the demo world when absent.
        #[arg(long, value_name = "FILE")]
        seed: Option<std::path::PathBuf>,
    },
}
