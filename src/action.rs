//! What can happen (`Action`: user intents and engine results, carrying their data) and what
//! the app asks the worker to do (`Command`).

use crate::aws::engine::{LoginReport, Progress, Prompting, Which};
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
    /// `i`: open (or close) the selected row's details.
    ToggleDetails,
    /// Open the web console for the selected row (a role; a user gets its sign-in page).
    OpenConsole,
    ModalChar(char),
    ModalPaste(String),
    ModalBackspace,
    ModalSubmit,
    /// Someone needs `user`'s MFA session: this dashboard's engine, or another process over the
    /// socket (`asker` says who). Joins the prompt for that user if there is one.
    Prompt {
        user: String,
        serial: String,
        asker: String,
        retry_reason: Option<String>,
    },
    /// Reload the AWS files (they changed, or F5).
    Reload,
    /// Something finished in the background and has news for the log (a copy, …).
    Notice {
        level: crate::state::Level,
        text: String,
    },
    /// Engine news while a command runs.
    Progress(Progress),
    /// A command finished: its reports, and the sessions as now stored (expiration by profile).
    /// `all`: it was `R`, whose end is summarised.
    Finished {
        reports: Vec<LoginReport>,
        sessions: HashMap<String, i64>,
        all: bool,
    },
}

#[derive(Debug)]
pub enum Command {
    /// Renew sessions; `prompting` says whether the engine may ask for codes (it asks through
    /// the dashboard's own prompter, so prompts come back as `Action::Prompt`).
    Refresh {
        which: Which,
        prompting: Prompting,
        all: bool,
    },
    /// The answer to `user`'s prompt: a code, or `None` when refused (Esc). The app hands it to
    /// the engine that asked, or, when only other processes asked, signs the user in itself.
    Answer {
        user: String,
        code: Option<Secret>,
    },
    /// `user` is signed in: tell every process that asked.
    SignedIn {
        user: String,
    },
    /// Open the web console as `profile` (or copy the link when no browser opens).
    Console {
        profile: String,
    },
    /// Put text on the clipboard.
    Copy(String),
    /// Ring the bell and show a desktop notification (the MFA session is about to end).
    Notify {
        title: String,
        body: String,
    },
    Reload,
    Suspend,
}
