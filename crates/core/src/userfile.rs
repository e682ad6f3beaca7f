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

mod displaced;
use displaced::{Stage, conflict_path, hook, read_held, settle, wait_for_writers};

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

/// An exclusive advisory lock for writing `path`, released on drop. Its lock file exists only
/// while it is held (no `.credentials.mfatui.lock` is left in `~/.aws`): the holder removes it
/// before letting go, and a waiter that then gets the lock of a removed file sees that the path
/// no longer names it and starts over on the file there now, so two holders never overlap.
pub struct FileLock {
    file: File,
    path: PathBuf,
}

impl Drop for FileLock {
    fn drop(&mut self) {
        // Removed while still held: whoever locks this file next finds it gone and retries.
        if same_file(&self.file, &self.path) {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Does `path` still name the open `file`?
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

pub fn lock_for(path: &Path) -> Result<FileLock, FileError> {
    let dir = ensure_parent(path)?;
    let lock_path = dir.join(format!(".{}.mfatui.lock", file_name(path)));
    let started = Instant::now();
    let mut file = open_lock_file(&lock_path).map_err(io_err("open lock file", &lock_path))?;
    loop {
        match try_lock(&file) {
            Ok(true) if same_file(&file, &lock_path) => return Ok(FileLock { file, path: lock_path }),
            // The holder removed this lock file as it let go: lock the one there now.
            Ok(true) => file = open_lock_file(&lock_path).map_err(io_err("open lock file", &lock_path))?,
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
pub enum FileChange {
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
) -> Result<FileChange, FileError> {
    let target = real_target(path);
    let edit = |text: &str| edit(text).map_err(|e| FileError::Edit(e.to_string()));
    if !target.exists() && edit("")?.is_empty() {
        return Ok(FileChange::Unchanged);
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
            return Ok(FileChange::Unchanged);
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
        hook(Stage::BeforeSwap);
        if read.is_some() && exchange(&tmp, &target).map_err(io_err("replace", &target))? {
            // `tmp` now names what was in place. Hold it open: an appender that opened the old
            // file before the swap writes to this inode, and its bytes are read from here.
            let held = File::open(&tmp).map_err(io_err("read back", &target))?;
            let displaced = read_held(&held, &tmp)?;
            if displaced == read {
                hook(Stage::AfterCheck);
                // Only an exact match above counts as "not saved meanwhile"; a longer version
                // was a save, even one that kept the old text as its start, and treating it as
                // an append loses edits: the race test shows it.
                let after = settle(&held, &tmp, &target)?;
                match after.as_deref().and_then(|a| a.strip_prefix(read.as_deref().unwrap_or_default())) {
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
                let keep = conflict_path(&target);
                fs::rename(&tmp, &keep).map_err(io_err("keep a concurrent edit of", &target))?;
                tracing::warn!(file = %keep.display(), "two saves collided with mfatui's write within microseconds; the other version is kept in {}", keep.display());
            }
            sync_dir(&dir)?;
            late.clear();
            continue;
        }
        // No exchange here: the check above was the last look before the rename. The old file
        // is held open across the rename so that an appender's late bytes are still found.
        let held = File::open(&target).ok();
        tmp.persist(&target).map_err(|e| io_err("replace", &target)(e.error))?;
        sync_dir(&dir)?;
        if let Some(held) = held {
            wait_for_writers(&held);
            let after = read_held(&held, &target)?.unwrap_or_default();
            if let Some(more) = after.strip_prefix(read.as_deref().unwrap_or_default()).filter(|m| !m.is_empty()) {
                late = more.to_string();
                continue;
            }
        }
        return Ok(finish(&target, old_mode));
    }
    Err(FileError::Contended(target))
}

/// After a write: say once (in the log) when a wider mode was narrowed, e.g. a symlinked
/// dotfile that was 0644.
fn finish(target: &Path, old_mode: Option<u32>) -> FileChange {
    if let Some(m) = old_mode.filter(|m| *m != 0o600) {
        tracing::warn!(file = %target.display(), "changed the mode of {} from {m:o} to 600: it holds credentials", target.display());
    }
    FileChange::Written
}

#[cfg(test)]
mod tests;
