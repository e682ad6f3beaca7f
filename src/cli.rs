//! Command-line interface types (clap derive only; behaviour lives in `commands`).

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "mfatui",
    version,
    about = "Sign in with MFA once; keep every AWS role session fresh for every tool",
    long_about = "Sign in with MFA once; keep every AWS role session fresh for every tool.\n\nWithout a command, mfatui opens its dashboard."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Managed sections in ~/.aws/credentials are named PROFILE + SUFFIX [default: -mfa, or
    /// `suffix` in ~/.config/mfatui/config.toml].
    #[arg(long, global = true, env = "MFATUI_SUFFIX")]
    pub suffix: Option<String>,
    /// Renew sessions with less than this many seconds left [default: 300].
    #[arg(long, global = true, value_parser = clap::value_parser!(i64).range(60..=3000))]
    pub margin: Option<i64>,
    /// Roles assumed at once [default: 16].
    #[arg(long, global = true, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: Option<u16>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every profile in your AWS config with its kind, account, source chain, MFA device,
    /// region and session state.
    List {
        /// Print JSON (all fields plus diagnostics) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Check your AWS config for broken profiles; exits 1 if any profile is broken.
    Doctor,
    /// Sign in an IAM user with one MFA code and assume every role rooted at it, in parallel.
    /// Sessions go to ~/.aws/credentials as PROFILE-mfa. Exit 0 all ready, 1 some roles failed,
    /// 2 sign-in failed.
    Login {
        /// The IAM user profile (a role profile means its user).
        profile: String,
        /// The 6-digit code; asked for on a terminal when needed and not given.
        #[arg(long)]
        code: Option<String>,
    },
    /// Renew sessions that are due (or all, or the named ones) from the MFA session.
    Refresh {
        #[arg(long, conflicts_with = "profiles")]
        all: bool,
        profiles: Vec<String>,
        /// A code, when an MFA session has ended.
        #[arg(long)]
        code: Option<String>,
    },
    /// Forget sessions and remove their sections: one profile, a user with its roles, or all.
    Logout { profile: Option<String> },
    /// Session state. Exit 0 valid, 1 expired or absent, 2 error: for shell prompts and direnv.
    /// Without PROFILE: AWS_PROFILE if set, else every session.
    Status {
        #[arg(long)]
        json: bool,
        profile: Option<String>,
    },
    /// Try mfatui without an AWS account: a throw-away HOME and a local AWS sandbox with MFA.
    Demo,
    /// Run the local STS/IAM sandbox alone (for scripts and other AWS clients).
    Sandbox {
        /// Port on 127.0.0.1; 0 picks a free one (printed on the first line).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// JSON seed (accounts, users, roles, policies); the demo world when absent.
        #[arg(long)]
        seed: Option<std::path::PathBuf>,
    },
}
