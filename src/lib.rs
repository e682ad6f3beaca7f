//! mfatui: sign in with MFA once, keep every AWS role session fresh for every tool.

pub mod aws;
pub mod cli;
pub mod commands;
pub mod sandbox;
