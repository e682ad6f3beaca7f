//! mfatui: sign in with MFA once, keep every AWS role session fresh for every tool.

pub mod action;
pub mod app;
pub mod browser;
pub mod cli;
pub mod commands;
pub mod display;
pub mod keymap;
pub mod logging;
pub mod prompters;
pub mod settings;
pub mod state;
pub mod ui;
pub mod update;

/// The domain crate, under the name the binary and its tests have always used.
pub use mfatui_core as aws;
/// The local STS/IAM/federation server crate (tests, `mfatui demo`, `mfatui sandbox`).
pub use mfatui_sandbox as sandbox;
