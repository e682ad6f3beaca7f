//! What can happen (`Action`: user intents and engine results, carrying their data) and what
//! the app asks the worker to do (`Command`).

use crate::aws::engine::{LoginReport, Progress, Prompting, Which};
use crate::aws::iam::api::KeyId;
use crate::aws::iam::audit::{Audit, FixPlan};
use crate::aws::iam::key_ops::KeyOp;
use crate::aws::iam::keys::Overview;
use crate::aws::iam::rotate::{Event, Question, Report, RotateOptions};
use crate::aws::secret::Secret;
use std::collections::HashMap;

#[derive(Debug)]
pub enum Action {
    /// Once a second: countdowns, toasts, spinner. Carries the clock.
    Tick {
        now: i64,
    },
    /// The session store as another mfatui process may have left it.
    Sessions(HashMap<String, crate::state::Lifetime>),
    /// Account aliases learnt so far (account id → alias; "" for none).
    Aliases(std::collections::BTreeMap<String, String>),
    /// The table's rows on screen and where the first is drawn: the app measures the frame.
    Geometry {
        viewport: u16,
        table_top: u16,
    },
    /// The AWS files read again: the rows and the config's path, or why they could not be.
    Reloaded(Result<(crate::state::Built, String), String>),
    /// The demo's help line (its devices' current codes).
    Hint(String),
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
    /// `l`: open the log with the keys, or close it.
    ToggleLog,
    /// In the log: move its cursor (positive: older), copy the entry under it.
    LogScroll(i64),
    LogCopy,
    ToggleHelp,
    /// Scroll the panel on top (help, details).
    PanelScroll(i16),
    /// `:`: the command palette, its input, Tab completion, ↑ ↓ choice, Enter.
    OpenPalette,
    PaletteChar(char),
    PaletteBackspace,
    PaletteComplete,
    PaletteMove(i64),
    PaletteRun,
    /// End the selected profile's sessions (the palette's `logout`).
    Logout,
    /// Enter on the IAM table: describe the selected user (loading it, one prompt at most).
    IamDescribe,
    /// What `mfatui init` found for a user row without mfa_serial: the device to write, or the
    /// core's words for what else to do.
    InitFound {
        profile: String,
        result: Result<Option<String>, String>,
    },
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
        sessions: HashMap<String, crate::aws::engine::rules::Lifetime>,
        all: bool,
    },
    /// `Tab`: the profiles screen or the IAM screen.
    SwitchScreen,
    /// IAM screen: rotate the key of the user under the cursor.
    IamRotate,
    /// IAM screen: the key under the cursor.
    IamKey(KeyOp),
    /// IAM screen: load the overview and audit again, of the user under the cursor or of all.
    IamReload {
        all: bool,
    },
    /// IAM screen: show (and, when the caller may, apply) the audit's fix.
    IamFix,
    /// The confirmation popup: yes (`y`, Enter), no (`n`, Esc), scroll its JSON, copy the fix's
    /// Deny statement (`c`) or its permissions boundary (`b`).
    ConfirmYes,
    ConfirmNo,
    ConfirmScroll(i16),
    ConfirmCopy,
    ConfirmCopyBoundary,
    /// Results of IAM work, each for one user, carrying its data (errors in full, as text).
    IamOverview {
        user: String,
        result: Result<Overview, String>,
    },
    IamAudit {
        user: String,
        result: Result<Box<Audit>, String>,
    },
    IamFixPlan {
        user: String,
        result: Result<FixPlan, String>,
    },
    /// A rotation asks the person; `Command::IamAnswer` with this `id` answers.
    IamQuestion {
        id: u64,
        user: String,
        question: Question,
    },
    IamEvent {
        user: String,
        event: Event,
    },
    IamRotated {
        user: String,
        result: Result<Report, String>,
    },
    IamKeyDone {
        user: String,
        key: KeyId,
        op: KeyOp,
        result: Result<(), String>,
    },
    IamFixed {
        user: String,
        result: Result<(), String>,
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
    /// Put a longer text on the clipboard; `what` names it in the message (never the text).
    CopyText {
        text: String,
        what: String,
    },
    /// Ring the bell and show a desktop notification (the MFA session is about to end).
    Notify {
        title: String,
        body: String,
    },
    Reload,
    Suspend,
    /// End `profile`'s sessions (a user's: its roles' too) and remove what was published.
    Logout {
        profile: String,
    },
    /// Look for the MFA devices of a user row without mfa_serial (`mfatui init`'s steps).
    InitDiscover {
        profile: String,
    },
    /// Write the device found into the user's profile, then read the files again.
    InitWrite {
        profile: String,
        serial: String,
    },
    /// Read `user`'s IAM overview and/or run its MFA audit (on its MFA session: the engine
    /// prompts when there is none).
    IamLoad {
        user: String,
        overview: bool,
        audit: bool,
        max_age_days: i64,
    },
    /// Check what the audit's fix takes and whether the caller may apply it.
    IamPlanFix {
        user: String,
        audit: Box<Audit>,
    },
    IamApplyFix {
        user: String,
        plan: FixPlan,
    },
    IamRotate {
        user: String,
        opts: RotateOptions,
    },
    IamKey {
        user: String,
        key: KeyId,
        op: KeyOp,
    },
    /// The answer to a rotation's question.
    IamAnswer {
        id: u64,
        yes: bool,
    },
}
