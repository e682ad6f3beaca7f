//! The log: a file in the state directory (0600), never the screen the dashboard draws on.

use std::io::Write;

/// The log file, opened (0600, in a 0700 directory) only when something is logged, so a
/// command with nothing to say creates nothing.
struct LazyLog {
    path: std::path::PathBuf,
    file: Option<std::fs::File>,
}

impl Write for LazyLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.file.is_none() {
            let f = crate::aws::userfile::open_private_append(&self.path).map_err(std::io::Error::other)?;
            self.file = Some(f);
        }
        self.file.as_mut().expect("opened above").write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().map_or(Ok(()), |f| f.flush())
    }
}

/// Log to a file, never to the screen the dashboard draws on.
pub fn init(state_dir: &std::path::Path) {
    let log = LazyLog { path: state_dir.join("mfatui.log"), file: None };
    let _ = tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(log))
        .with_ansi(false)
        .with_target(false)
        .try_init();
}
