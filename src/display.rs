//! Text for terminal tables and messages (the shaping helpers live in the core, so its
//! messages clip names as the tables do), and the command's standard output and stderr lines,
//! which pass the core's one sanitiser.

pub use mfatui_core::display::*;

/// A command's standard output: human text through the one sanitiser (whatever a server or a
/// config file put in it is shown, never obeyed), machine output (JSON, `env` lines, the
/// credential_process answer) exactly as written.
pub enum Output {
    Human(mfatui_core::sanitize::TerminalWriter<std::io::Stdout>),
    Machine(std::io::Stdout),
}

/// Standard output for a command; `machine` when it prints JSON or text for another program.
pub fn stdout(machine: bool) -> Output {
    let lock = std::io::stdout();
    if machine { Output::Machine(lock) } else { Output::Human(mfatui_core::sanitize::TerminalWriter::new(lock)) }
}

impl std::io::Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Output::Human(w) => w.write(buf),
            Output::Machine(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::Human(w) => w.flush(),
            Output::Machine(w) => w.flush(),
        }
    }
}

/// One line for stderr, made safe: for the few messages printed outside a command's output.
pub fn warn_line(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{}", mfatui_core::sanitize::message(text));
}
