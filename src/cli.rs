//! Command-line interface types (clap derive only; behaviour lives in `commands`).

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "mfatui", version, about = "Sign in with MFA once; keep every AWS role session fresh for every tool")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
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
