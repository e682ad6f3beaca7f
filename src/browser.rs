//! Handing a URL to the user's browser, for `mfatui console` and the dashboard's console key.

use std::process::{Command, Stdio};
use std::time::Duration;

/// Open `url` in a browser: `$BROWSER` (a `:`-separated list; `%s` marks where the URL goes),
/// else `xdg-open` / `open`. The URL goes only to the launcher's argv. Returns the launcher used.
pub fn open(url: &str) -> Result<String, String> {
    let mut tried = Vec::new();
    let from_env = std::env::var("BROWSER").ok().filter(|b| !b.trim().is_empty());
    let candidates: Vec<String> = match &from_env {
        Some(b) => b.split(':').map(str::to_string).collect(),
        None if cfg!(target_os = "macos") => vec!["open".into()],
        None => vec!["xdg-open".into()],
    };
    for c in candidates {
        let Some(mut words) = shlex::split(&c).filter(|w| !w.is_empty()) else { continue };
        if words.iter().any(|w| w.contains("%s")) {
            words.iter_mut().for_each(|w| *w = w.replace("%s", url));
        } else {
            words.push(url.to_string());
        }
        let program = words.remove(0);
        let started = Command::new(&program)
            .args(&words)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        match started {
            Ok(mut child) => {
                // Launchers return at once; a browser run directly keeps running, which is fine.
                for _ in 0..30 {
                    match child.try_wait() {
                        Ok(Some(s)) if s.success() => return Ok(program),
                        Ok(Some(_)) => break,
                        Ok(None) => std::thread::sleep(Duration::from_millis(100)),
                        Err(_) => break,
                    }
                }
                if child.try_wait().ok().flatten().is_none() {
                    return Ok(program);
                }
                tried.push(program);
            }
            Err(_) => tried.push(program),
        }
    }
    Err(format!("no browser could be opened (tried {})", tried.join(", ")))
}
