//! Safe writes of files that hold secrets: the user's AWS files and mfatui's own state.
//!
//! Every write: take an advisory lock on a sidecar lock file (so concurrent mfatui processes
//! serialise rather than lose each other's update), read, edit, write a temp file in the same
//! directory, fsync it, swap it in, fsync the directory. A crash at any moment leaves either the
//! old file or the new one, never a mix. Files are 0600 and directories mfatui creates 0700,
//! whatever the umask. A symlinked target (dotfile managers) is written through, even when the
//! link dangles.
//!
//! Editors do not take mfatui's lock, so a user may save the file while mfatui is between
//! reading and replacing it. On Linux the new file is swapped in with `renameat2(EXCHANGE)`:
//! the file that was displaced is compared with what the edit was based on; if someone changed
//! it meanwhile, it is swapped straight back and the edit is redone on their version. Text an
//! appender wrote to the displaced file is carried over. What remains: a save that lands in the
//! microseconds between a swap and its undo is kept beside the file (`.mfatui-conflict-…`,
//! logged), and a process that opened the file before a swap and writes after mfatui has
//! checked the displaced copy writes to a file that is gone. Elsewhere (or on file systems
//! without EXCHANGE) the file is re-read just before the rename; the window left is the
//! microseconds between that check and the rename.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long to wait for another mfatui to finish writing the same file.
const LOCK_WAIT: Duration = Duration::from_secs(10);
/// Suffix of the copy kept of a user file as it was before mfatui first changed it.
pub const BACKUP_SUFFIX: &str = ".mfatui-backup";
/// Rounds of "someone changed it while we worked" before giving up (the file then holds the
/// other writer's version, untouched).
const MAX_REDOS: usize = 50;

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{} is being written by another mfatui process that has not finished for {}s; retry, or check for a stuck mfatui", path.display(), LOCK_WAIT.as_secs())]
    Busy { path: PathBuf },
    #[error("cannot {action} {}: {cause}; the file was not changed", path.display())]
    Io { action: &'static str, path: PathBuf, cause: io::Error },
    #[error("{} is not UTF-8 text, so mfatui will not edit it; save it as UTF-8 and retry", .0.display())]
    NotUtf8(PathBuf),
    #[error("{} kept changing while mfatui tried to update it ({MAX_REDOS} times); the file was not changed, retry", .0.display())]
    Contended(PathBuf),
    #[error("{0}")]
    Edit(String),
}

fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> FileError + use<> {
    let path = path.to_path_buf();
    move |cause| FileError::Io { action, path, cause }
}

/// The file a path really names: symlinks followed (also a dangling one, whose target is then
/// created), so the link itself stays a link.
pub fn real_target(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::read_link(&p) {
            Ok(next) => p = if next.is_absolute() { next } else { p.parent().unwrap_or(Path::new(".")).join(next) },
            Err(_) => return p,
        }
    }
    p
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".into())
}

/// Create `dir` and any missing parents, each 0700 whatever the umask.
pub fn private_dir(dir: &Path) -> Result<(), FileError> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        private_dir(parent)?;
    }
    match fs::create_dir(dir) {
        Ok(()) => fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io_err("protect", dir)),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io_err("create directory", dir)(e)),
    }
}

/// Open `path` for appending (mfatui's log), creating it 0600 and narrowing a wider mode.
pub fn open_private_append(path: &Path) -> Result<File, FileError> {
    if let Some(dir) = path.parent() {
        private_dir(dir)?;
    }
    let f = OpenOptions::new().create(true).append(true).mode(0o600).open(path).map_err(io_err("open", path))?;
    if f.metadata().is_ok_and(|m| m.permissions().mode() & 0o077 != 0) {
        f.set_permissions(fs::Permissions::from_mode(0o600)).map_err(io_err("protect", path))?;
    }
    Ok(f)
}

/// Create the parent directory (0700) if it is missing.
fn ensure_parent(path: &Path) -> Result<&Path, FileError> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    private_dir(dir)?;
    Ok(dir)
}

/// An exclusive advisory lock for writing `path`, released on drop.
pub struct FileLock {
    _file: File,
}

pub fn lock_for(path: &Path) -> Result<FileLock, FileError> {
    let dir = ensure_parent(path)?;
    let lock_path = dir.join(format!(".{}.mfatui.lock", file_name(path)));
    let file = open_lock_file(&lock_path).map_err(io_err("open lock file", &lock_path))?;
    let started = Instant::now();
    loop {
        match try_lock(&file) {
            Ok(true) => return Ok(FileLock { _file: file }),
            Ok(false) if started.elapsed() < LOCK_WAIT => std::thread::sleep(Duration::from_millis(5)),
            Ok(false) => return Err(FileError::Busy { path: path.into() }),
            Err(e) => return Err(io_err("lock", &lock_path)(e)),
        }
    }
}

/// A lock file (created 0600 if missing, never truncated: another process may hold it).
pub fn open_lock_file(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().create(true).truncate(false).write(true).mode(0o600).open(path)
}

/// Take `file`'s exclusive advisory lock if it is free; `false` when another process holds it.
pub fn try_lock(file: &File) -> std::io::Result<bool> {
    match file.try_lock() {
        Ok(()) => Ok(true),
        Err(fs::TryLockError::WouldBlock) => Ok(false),
        Err(fs::TryLockError::Error(e)) => Err(e),
    }
}

/// A temp file in `dir` holding `bytes`, flushed to disk, mode 0600.
fn temp_with(dir: &Path, prefix: &str, bytes: &[u8]) -> Result<tempfile::TempPath, FileError> {
    let mut tmp = tempfile::Builder::new()
        .prefix(prefix)
        .permissions(fs::Permissions::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(io_err("create a temporary file in", dir))?;
    tmp.write_all(bytes).map_err(io_err("write", tmp.path()))?;
    tmp.as_file().sync_all().map_err(io_err("flush", tmp.path()))?;
    Ok(tmp.into_temp_path())
}

pub(crate) fn sync_dir(dir: &Path) -> Result<(), FileError> {
    // A rename is durable only once the directory entry is on disk.
    File::open(dir).and_then(|d| d.sync_all()).map_err(io_err("flush directory", dir))
}

/// Replace `path` with `bytes` atomically, mode 0600. The caller holds the lock.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let dir = ensure_parent(path)?;
    let prefix = format!(".{}.mfatui-tmp", file_name(path));
    remove_stale_temps(dir, &prefix);
    let tmp = temp_with(dir, &prefix, bytes)?;
    tmp.persist(path).map_err(|e| io_err("replace", path)(e.error))?;
    sync_dir(dir)
}

/// Temp files a killed writer left behind. Safe to delete: only the lock holder writes them.
fn remove_stale_temps(dir: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with(prefix) {
            let _ = fs::remove_file(e.path());
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Unchanged,
    Written,
}

/// Atomically exchange two paths (Linux). `Ok(false)` when the platform or file system
/// cannot, so the caller falls back to a checked rename.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use std::os::unix::ffi::OsStrExt;
    let ca = std::ffi::CString::new(a.as_os_str().as_bytes()).map_err(io::Error::other)?;
    let cb = std::ffi::CString::new(b.as_os_str().as_bytes()).map_err(io::Error::other)?;
    // SAFETY: both pointers are valid NUL-terminated strings for the duration of the call.
    let r = unsafe { libc::renameat2(libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE) };
    if r == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::ENOTSUP) => Ok(false),
        _ => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<bool> {
    Ok(false)
}

fn read_text(path: &Path) -> Result<Option<String>, FileError> {
    match fs::read(path) {
        Ok(b) => String::from_utf8(b).map(Some).map_err(|_| FileError::NotUtf8(path.into())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err("read", path)(e)),
    }
}

/// Lock, read, edit and atomically rewrite a UTF-8 text file such as `~/.aws/credentials`.
/// The first time mfatui changes an existing file, a copy of it is kept beside it
/// (`credentials.mfatui-backup`). `edit` receives "" for a missing file, and is called again on
/// the newer text when someone else changes the file meanwhile. A missing file that would stay
/// empty is not created, nor is anything else (no directory, no lock file).
pub fn update_text<E: std::fmt::Display>(
    path: &Path,
    edit: impl Fn(&str) -> Result<String, E>,
) -> Result<Outcome, FileError> {
    let target = real_target(path);
    let edit = |text: &str| edit(text).map_err(|e| FileError::Edit(e.to_string()));
    if !target.exists() && edit("")?.is_empty() {
        return Ok(Outcome::Unchanged);
    }
    let _lock = lock_for(&target)?;
    let dir = ensure_parent(&target)?.to_path_buf();
    let prefix = format!(".{}.mfatui-tmp", file_name(&target));
    remove_stale_temps(&dir, &prefix);
    let old_mode = fs::metadata(&target).ok().map(|m| m.permissions().mode() & 0o777);
    // Text appended by someone to the file mfatui just replaced, to carry over.
    let mut late = String::new();
    for round in 0..MAX_REDOS {
        if round > 0 {
            // Someone is saving right now: give them a moment before trying again.
            std::thread::sleep(Duration::from_millis(1 + rand::random::<u64>() % 8));
        }
        let read = read_text(&target)?;
        let current = read.clone().unwrap_or_default() + &late;
        let new = edit(&current)?;
        if Some(&new) == read.as_ref() {
            return Ok(Outcome::Unchanged);
        }
        let backup = PathBuf::from(format!("{}{BACKUP_SUFFIX}", target.display()));
        if read.is_some() && !backup.exists() {
            write_atomic(&backup, read.as_deref().unwrap_or_default().as_bytes())?;
        }
        let tmp = temp_with(&dir, &prefix, new.as_bytes())?;
        // Writing and flushing the new file takes a while: look again just before swapping, so
        // a save made meanwhile is redone on rather than swapped away (and back).
        if read_text(&target)? != read {
            continue;
        }
        if read.is_some() && exchange(&tmp, &target).map_err(io_err("replace", &target))? {
            // `tmp` now names what was in place: is it what the edit was based on?
            let displaced = read_text(&tmp)?;
            if displaced == read {
                // An appender that opened the old file before the swap may still write to it:
                // look again. (Only an exact match above counts as "not saved meanwhile"; a
                // longer version was a save, even one that kept the old text as its start, and
                // treating it as an append loses edits: the race test shows it.)
                let after = read_text(&tmp)?.unwrap_or_default();
                drop(tmp);
                sync_dir(&dir)?;
                match after.strip_prefix(read.as_deref().unwrap_or_default()) {
                    Some(more) if !more.is_empty() => {
                        late = more.to_string();
                        continue;
                    }
                    _ => return Ok(finish(&target, old_mode)),
                }
            }
            // Someone saved a new version meanwhile: put it back at once, then redo the edit on
            // it. What comes back is mfatui's version, unless a save landed on it in the
            // microseconds since; such a version is kept beside the file, never deleted.
            exchange(&tmp, &target).map_err(io_err("restore a concurrent edit of", &target))?;
            if read_text(&tmp)?.as_ref() != Some(&new) {
                let keep =
                    PathBuf::from(format!("{}.mfatui-conflict-{}", target.display(), crate::aws::store::now_secs()));
                fs::rename(&tmp, &keep).map_err(io_err("keep a concurrent edit of", &target))?;
                tracing::warn!(file = %keep.display(), "two saves collided with mfatui's write within microseconds; the other version is kept in {}", keep.display());
            }
            sync_dir(&dir)?;
            late.clear();
            continue;
        }
        // No exchange here: the check above was the last look before the rename.
        tmp.persist(&target).map_err(|e| io_err("replace", &target)(e.error))?;
        sync_dir(&dir)?;
        return Ok(finish(&target, old_mode));
    }
    Err(FileError::Contended(target))
}

/// After a write: say once (in the log) when a wider mode was narrowed, e.g. a symlinked
/// dotfile that was 0644.
fn finish(target: &Path, old_mode: Option<u32>) -> Outcome {
    if let Some(m) = old_mode.filter(|m| *m != 0o600) {
        tracing::warn!(file = %target.display(), "changed the mode of {} from {m:o} to 600: it holds credentials", target.display());
    }
    Outcome::Written
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn creates_dir_0700_and_file_0600() {
        let home = tempfile::tempdir().unwrap();
        let path = home.path().join(".aws/credentials");
        let out = update_text(&path, |s| Ok::<_, String>(format!("{s}[a]\nk = v\n"))).unwrap();
        assert_eq!(out, Outcome::Written);
        assert_eq!(mode(&home.path().join(".aws")), 0o700);
        assert_eq!(mode(&path), 0o600);
        assert_eq!(fs::read_to_string(&path).unwrap(), "[a]\nk = v\n");
        assert!(!home.path().join(".aws/credentials.mfatui-backup").exists(), "nothing to back up");
    }

    #[test]
    fn backup_is_taken_once_and_wide_modes_are_narrowed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        fs::write(&path, "original\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        update_text(&path, |_| Ok::<_, String>("first\n".into())).unwrap();
        update_text(&path, |_| Ok::<_, String>("second\n".into())).unwrap();
        let backup = dir.path().join("credentials.mfatui-backup");
        assert_eq!(fs::read_to_string(&backup).unwrap(), "original\n");
        assert_eq!((mode(&path), mode(&backup)), (0o600, 0o600));
        assert_eq!(fs::read_to_string(&path).unwrap(), "second\n");
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn unchanged_content_is_not_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c");
        fs::write(&path, "x\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(update_text(&path, |s| Ok::<_, String>(s.to_string())).unwrap(), Outcome::Unchanged);
        assert!(!dir.path().join("c.mfatui-backup").exists());
    }

    #[test]
    fn symlinks_are_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("dotfiles-credentials");
        fs::write(&real, "a\n").unwrap();
        let link = dir.path().join("credentials");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        update_text(&link, |_| Ok::<_, String>("b\n".into())).unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_to_string(&real).unwrap(), "b\n");
    }

    #[test]
    fn refuses_non_utf8_and_failed_edits_without_writing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c");
        fs::write(&path, b"\xff\xfe[a]\n").unwrap();
        assert!(matches!(update_text(&path, |s| Ok::<_, String>(s.into())), Err(FileError::NotUtf8(_))));
        fs::write(&path, "ok\n").unwrap();
        let err = update_text(&path, |_| Err::<String, _>("bad value")).unwrap_err();
        assert_eq!(err.to_string(), "bad value");
        assert_eq!(fs::read_to_string(&path).unwrap(), "ok\n");
    }
}

#[cfg(test)]
mod race_tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// An editor saving by rename while mfatui rewrites the file: the file never disappears from
    /// under the editor, and none of its lines is lost. (Appenders are covered end to end in
    /// tests/editors.rs: one that holds the file open across a swap and writes after mfatui's
    /// check is the documented window, and a loaded machine makes that window wide here.)
    /// An editor saving by rename or appending every 2 ms (MFATUI_RACE_US to change it).
    #[test]
    fn an_editor_racing_the_writer_loses_nothing() {
        let pause: u64 = std::env::var("MFATUI_RACE_US").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        fs::write(&path, "[u]\nk = v\n").unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let editor = {
            let (path, stop) = (path.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut missing = 0;
                for i in 0..1500 {
                    std::thread::sleep(std::time::Duration::from_micros(pause));
                    let line = format!("# edit {i}\n");
                    {
                        let Ok(text) = fs::read_to_string(&path) else {
                            missing += 1;
                            continue;
                        };
                        let tmp = path.with_extension(format!("swp{i}"));
                        fs::write(&tmp, text + &line).unwrap();
                        fs::rename(&tmp, &path).unwrap();
                    }
                }
                stop.store(true, Ordering::SeqCst);
                missing
            })
        };
        let mut n = 0u64;
        while !stop.load(Ordering::SeqCst) {
            n += 1;
            let value = n.to_string();
            let _ = update_text(&path, |t| crate::aws::edit::upsert_section(t, "m", &[("t", value.as_str())]));
        }
        let missing = editor.join().unwrap();
        // Versions kept beside the file after a collision count as kept, not lost.
        let mut text = fs::read_to_string(&path).unwrap();
        for e in fs::read_dir(dir.path()).unwrap().flatten() {
            if e.file_name().to_string_lossy().contains("mfatui-conflict") {
                text += &fs::read_to_string(e.path()).unwrap();
            }
        }
        let lost: Vec<usize> = (0..1500).filter(|i| !text.contains(&format!("# edit {i}\n"))).collect();
        println!("1500 edits {pause} us apart, {n} writes: {} lost", lost.len());
        assert_eq!(missing, 0, "the file vanished {missing} times under the editor");
        assert!(lost.is_empty(), "{} lost after {n} writes: {lost:?}", lost.len());
    }
}
