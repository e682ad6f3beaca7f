//! What can happen (`Action`: user intents and engine results, carrying their data) and what
//! the app asks the worker to do (`Command`).

use crate::aws::engine::{LoginReport, Progress, Which};
use crate::aws::secret::Secret;
use std::collections::HashMap;

#[derive(Debug)]
pub enum Action {
    /// Once a second: countdowns, toasts, spinner. Carries the clock.
    Tick {
        now: i64,
    },
    /// The session store as another mfatui process may have left it.
    Sessions(HashMap<String, i64>),
    /// Account aliases learnt so far (account id → alias; "" for none).
    Aliases(std::collections::BTreeMap<String, String>),
    /// The refresher's timer: renew whatever is due.
    RefreshDue,
    Resize {
        width: u16,
        height: u16,
    },
    Quit,
    Suspend,
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    /// Mouse: a click on screen row `y`.
    Click {
        y: u16,
    },
    ScrollUp,
    ScrollDown,
    RefreshSelected,
    RefreshAll,
    ToggleMark,
    StartFilter,
    FilterChar(char),
    FilterBackspace,
    FilterDone,
    /// Esc: leave the filter (or the help, or clear marks).
    Escape,
    CycleSort,
    CopyProfile,
    CopyExport,
    ToggleLog,
    ToggleHelp,
    ModalChar(char),
    ModalPaste(String),
    ModalBackspace,
    ModalSubmit,
    /// Engine news while a command runs.
    Progress(Progress),
    /// A command finished: its reports, and the sessions as now stored (expiration by profile).
    Finished {
        reports: Vec<LoginReport>,
        sessions: HashMap<String, i64>,
        signed_in: Option<String>,
    },
}

#[derive(Debug)]
pub enum Command {
    /// Sign `user` in with a typed code, then renew all its roles.
    SignIn {
        user: String,
        code: Secret,
    },
    Refresh(Which),
    /// Put text on the clipboard (OSC 52).
    Copy(String),
    Suspend,
}
