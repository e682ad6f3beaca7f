//! The file a swap displaced, until nobody can write to it any more: an appender that opened
//! the user's file just before mfatui swapped in the new version writes to this one, so its
//! bytes are read from here and carried over, or the file is kept beside the new one.

use super::{FileError, io_err, sync_dir, write_atomic};
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Points in a write where a test can act (the deterministic version of a race).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stage {
    /// The last look is done; the new file is about to be swapped in.
    BeforeSwap,
    /// The displaced file matched what the edit was based on; it is about to be released.
    AfterCheck,
}

#[cfg(test)]
type Hook = Box<dyn FnMut(Stage)>;

#[cfg(test)]
thread_local! {
    pub(crate) static HOOK: std::cell::RefCell<Option<Hook>> = const { std::cell::RefCell::new(None) };
}

pub(super) fn hook(_stage: Stage) {
    #[cfg(test)]
    HOOK.with(|h| {
        if let Some(f) = h.borrow_mut().as_mut() {
            f(_stage)
        }
    });
}

pub(super) fn conflict_path(target: &Path) -> PathBuf {
    PathBuf::from(format!("{}.mfatui-conflict-{}", target.display(), crate::clock::now_secs()))
}

/// The whole text of an open file, from its start.
pub(super) fn read_held(held: &File, path: &Path) -> Result<Option<String>, FileError> {
    let bytes = held_bytes(held).map_err(io_err("read back", path))?;
    String::from_utf8(bytes).map(Some).map_err(|_| FileError::NotUtf8(path.into()))
}

fn held_bytes(held: &File) -> io::Result<Vec<u8>> {
    use std::io::{Read, Seek};
    let mut f = held;
    let mut bytes = Vec::new();
    f.seek(io::SeekFrom::Start(0))?;
    f.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// How long a program may keep the replaced file open for writing before mfatui stops waiting
/// for it and keeps that file beside the new one instead of deleting it.
const WRITER_WAIT: Duration = Duration::from_secs(2);

/// The displaced file (at `displaced`, open as `held`) once nobody can write to it any more:
/// its final text. Appenders that opened it before the swap are waited for (a program still
/// holding it for writing after `WRITER_WAIT` gets it kept as a conflict file, so what it
/// writes later is not lost either); then the name is removed, and the file is checked once
/// more for a writer that was inside `open` at that moment.
pub(super) fn settle(held: &File, displaced: &Path, target: &Path) -> Result<Option<String>, FileError> {
    let dir = displaced.parent().unwrap_or(Path::new("."));
    if !wait_for_writers(held) {
        let keep = conflict_path(target);
        fs::rename(displaced, &keep).map_err(io_err("keep a concurrent edit of", target))?;
        sync_dir(dir)?;
        tracing::warn!(file = %keep.display(), "a program kept {} open for writing while mfatui replaced it; the file it is writing to is kept as {}", target.display(), keep.display());
        return read_held(held, displaced);
    }
    fs::remove_file(displaced).map_err(io_err("remove the replaced copy of", target))?;
    sync_dir(dir)?;
    wait_for_writers(held);
    read_held(held, displaced).or_else(|e| {
        // Bytes that are not text were appended: they cannot be merged, so they are kept.
        let keep = conflict_path(target);
        write_atomic(&keep, &held_bytes(held).unwrap_or_default())?;
        tracing::warn!(file = %keep.display(), "text that is not UTF-8 was appended to {} while mfatui replaced it; it is kept as {}", target.display(), keep.display());
        Err(e)
    })
}

/// Wait until no process has `held`'s file open for writing (at most `WRITER_WAIT`); `false`
/// if one still does. On Linux a read lease can be taken only while nobody has the file open
/// for writing, so trying one is an exact, instant test; it is released at once. Where leases
/// are refused (another owner, a file system without them), a short pause stands in.
pub(super) fn wait_for_writers(held: &File) -> bool {
    let started = Instant::now();
    loop {
        match no_writers(held) {
            Some(true) => return true,
            Some(false) if started.elapsed() < WRITER_WAIT => std::thread::sleep(Duration::from_millis(1)),
            Some(false) => return false,
            None => {
                std::thread::sleep(Duration::from_millis(5));
                return true;
            }
        }
    }
}

#[cfg(target_os = "linux")]
fn no_writers(held: &File) -> Option<bool> {
    use std::os::fd::AsRawFd;
    quiet_lease_breaks();
    let fd = held.as_raw_fd();
    // SAFETY: fcntl on a descriptor this function's caller keeps open; no memory is passed.
    if unsafe { libc::fcntl(fd, libc::F_SETLEASE, libc::F_RDLCK) } == 0 {
        // SAFETY: as above.
        unsafe { libc::fcntl(fd, libc::F_SETLEASE, libc::F_UNLCK) };
        return Some(true);
    }
    match io::Error::last_os_error().raw_os_error() {
        Some(libc::EAGAIN) => Some(false),
        _ => None,
    }
}

#[cfg(not(target_os = "linux"))]
fn no_writers(_: &File) -> Option<bool> {
    None
}

/// A lease is broken with SIGIO, whose default action ends the process; mfatui holds a lease
/// only for an instant, but an `open` landing in that instant must not kill it. A handler
/// (not SIG_IGN) so that child processes still get the default.
#[cfg(target_os = "linux")]
fn quiet_lease_breaks() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    extern "C" fn ignore(_: libc::c_int) {}
    ONCE.call_once(|| {
        // SAFETY: installs an async-signal-safe handler that does nothing; the struct is zeroed
        // and then filled as sigaction(2) requires.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = ignore as extern "C" fn(libc::c_int) as usize;
            sa.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(libc::SIGIO, &sa, std::ptr::null_mut());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::*;
    use std::sync::mpsc;

    /// An appender that opens the file just before the swap and writes after the displaced copy
    /// was checked: the window the issue measured, made to happen every time.
    fn append_across_the_swap(hold: Duration) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        fs::write(&path, "[u]\nk = v\n").unwrap();
        let (opened_tx, opened_rx) = mpsc::channel();
        let (checked_tx, checked_rx) = mpsc::channel::<()>();
        let appender = {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut f = OpenOptions::new().append(true).open(&path).unwrap();
                opened_tx.send(()).unwrap();
                checked_rx.recv().unwrap();
                std::thread::sleep(hold);
                f.write_all(b"[late]\nx = 1\n").unwrap();
            })
        };
        let mut pending = Some(appender);
        HOOK.with(|h| {
            *h.borrow_mut() = Some(Box::new(move |stage| match stage {
                Stage::BeforeSwap if pending.is_some() => opened_rx.recv().unwrap(),
                Stage::AfterCheck if pending.is_some() => {
                    checked_tx.send(()).unwrap();
                    pending.take();
                }
                _ => {}
            }))
        });
        let out = update_text(&path, |t| crate::edit::upsert_section(t, "m", &[("t", "1")])).unwrap();
        HOOK.with(|h| h.borrow_mut().take());
        assert_eq!(out, FileChange::Written);
        (dir, path)
    }

    #[test]
    fn an_append_to_the_replaced_file_after_the_check_is_carried_over() {
        let (dir, path) = append_across_the_swap(Duration::from_millis(50));
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains("[late]\nx = 1\n") && text.contains("[m]"), "{text}");
        let others: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert!(!others.iter().any(|n| n.to_string_lossy().contains("conflict")), "{others:?}");
    }

    #[test]
    fn a_program_writing_long_after_the_swap_has_its_file_kept() {
        let (dir, path) = append_across_the_swap(WRITER_WAIT + Duration::from_millis(500));
        // The appender is still writing when update_text returns: give it time to finish.
        let deadline = Instant::now() + Duration::from_secs(5);
        let kept = loop {
            let kept: Vec<PathBuf> = fs::read_dir(dir.path())
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().contains("mfatui-conflict"))
                .collect();
            if kept.iter().any(|k| fs::read_to_string(k).unwrap().contains("[late]")) || Instant::now() > deadline {
                break kept;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(kept.len(), 1, "{kept:?}");
        assert!(fs::read_to_string(&kept[0]).unwrap().contains("[late]\nx = 1\n"));
        assert!(fs::read_to_string(&path).unwrap().contains("[m]"));
    }
}
