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
}
