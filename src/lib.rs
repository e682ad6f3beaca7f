//! mfatui: sign in with MFA once, keep every AWS role session fresh for every tool.

pub mod action;
pub mod app;
pub mod aws;
pub mod cli;
pub mod commands;
pub mod display;
pub mod keymap;
pub mod logging;
pub mod prompters;
pub mod sandbox;
pub mod settings;
pub mod state;
pub mod ui;
pub mod update;
