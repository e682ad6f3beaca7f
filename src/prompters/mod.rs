//! Drivers for the engine's `Prompter` seam that need things the domain must not touch: the
//! terminal, and the running dashboard's socket. The dashboard's in-process driver lives with
//! the app (`crate::app::prompts`).

pub mod socket;
pub mod terminal;

use crate::aws::prompt::{Prompter, PrompterChain};
use std::path::Path;
use std::sync::Arc;

/// Where a command looks for a code first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// A command the user typed to sign in (`login`, `refresh`): their terminal, then a dashboard.
    TerminalFirst,
    /// A helper another program runs (`credential-process`, `serve`, `env`, `exec`): the open
    /// dashboard, where the user looks, then the terminal if there is one.
    DashboardFirst,
}

/// The usual chain: dashboard and terminal in the given order, then a clear error.
pub fn chain(state_dir: &Path, order: Order) -> Arc<dyn Prompter> {
    let dashboard: Box<dyn Prompter> = Box::new(socket::DashboardPrompter::new(state_dir));
    let terminal: Box<dyn Prompter> = Box::new(terminal::TerminalPrompter);
    Arc::new(PrompterChain(match order {
        Order::TerminalFirst => vec![terminal, dashboard],
        Order::DashboardFirst => vec![dashboard, terminal],
    }))
}
