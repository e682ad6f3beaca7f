//! Copying text for the user, and saying truthfully where it went.
//!
//! OSC 52 (the terminal puts the text on the clipboard) works over ssh but cannot be confirmed,
//! and tmux drops it by default (`set-clipboard external`). So, in order: a desktop clipboard
//! tool when there is a desktop (confirmed by its exit status), tmux's own paste buffer inside
//! tmux (`load-buffer -w` also offers it to the outer terminal's clipboard), else OSC 52 with an
//! honest "sent, not confirmed".

use std::io::Write;
use std::process::{Command, Stdio};

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}

/// Feed `text` to `program args` on stdin (never argv: the console URL carries a token).
fn pipe(program: &str, args: &[&str], text: &str) -> bool {
    let Ok(mut child) =
        Command::new(program).args(args).stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null()).spawn()
    else {
        return false;
    };
    let written = child.stdin.take().is_some_and(|mut s| s.write_all(text.as_bytes()).is_ok());
    child.wait().is_ok_and(|s| s.success()) && written
}

fn osc52(text: &str) {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            out.push(if i <= chunk.len() { B64[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
        }
    }
    let mut stdout = std::io::stdout();
    let _ = write!(stdout, "\x1b]52;c;{out}\x07");
    let _ = stdout.flush();
}

/// Copy `text`; the message to show says where it went. Runs helper programs: call it off the
/// UI thread.
pub fn copy(text: &str, what: &str) -> (bool, String) {
    let desktop = std::env::var_os("WAYLAND_DISPLAY").is_some() || std::env::var_os("DISPLAY").is_some();
    let tools: &[(&str, &[&str])] =
        &[("wl-copy", &[]), ("xclip", &["-selection", "clipboard"]), ("xsel", &["--clipboard", "--input"])];
    if desktop {
        for (tool, args) in tools {
            if on_path(tool) && pipe(tool, args, text) {
                return (true, format!("copied {what} to the clipboard ({tool})"));
            }
        }
    }
    if cfg!(target_os = "macos") && on_path("pbcopy") && pipe("pbcopy", &[], text) {
        return (true, format!("copied {what} to the clipboard"));
    }
    if std::env::var_os("TMUX").is_some()
        && on_path("tmux")
        && (pipe("tmux", &["load-buffer", "-b", "mfatui", "-w", "-"], text)
            || pipe("tmux", &["load-buffer", "-b", "mfatui", "-"], text))
    {
        let how = "paste with prefix ] or tmux paste-buffer -b mfatui";
        return (true, format!("copied {what} to tmux's paste buffer \"mfatui\" ({how})"));
    }
    osc52(text);
    (false, format!("sent {what} to the terminal's clipboard (OSC 52); mfatui cannot confirm the terminal accepted it"))
}

/// The terminal bell, and a desktop notification where a notifier exists.
pub fn notify(title: &str, body: &str) {
    let _ = std::io::stdout().write_all(b"\x07").and_then(|_| std::io::stdout().flush());
    let session = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        || std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some();
    if session && on_path("notify-send") {
        let _ = Command::new("notify-send")
            .args(["--app-name=mfatui", "--", title, body])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map(|mut c| std::thread::spawn(move || c.wait()));
    }
}
