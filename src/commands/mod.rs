//! Headless subcommands. Each renders domain data to a writer and returns an exit code; none
//! of them prompts.

pub mod adopt;
pub mod channels;
pub mod completions;
pub mod console;
pub mod dashboard;
pub mod demo;
pub mod doctor;
pub mod iam;
pub mod init;
pub mod list;
pub mod sandbox;
pub mod session;
pub mod vault;

pub use crate::aws::clock::human_duration;
