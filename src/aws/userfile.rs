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
//! the file that was displaced is compared with what the edit was based on, and if someone
//! changed it meanwhile, the edit is redone on their version and swapped in again, so their
//! change is kept. Elsewhere (or on file systems without EXCHANGE) the file is re-read just
//! before the rename; the window left is the few microseconds between that check and the
//! rename, or a writer that still holds the old file open and writes after the swap.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long to wait for another mfatui to finish writing the same file.
const LOCK_WAIT: Duration = Duration::from_secs(10);
/// Suffix of the copy kept of a user file as it was before mfatui first changed it.
pub const BACKUP_SUFFIX: &str = ".mfatui-backup";
/// A concurrent edit mfatui displaced and is merging; kept (not a temp file) until merged.
const RECOVERED_SUFFIX: &str = ".mfatui-recovered";
/// Rounds of "someone changed it while we worked" before giving up.
const MAX_REDOS: usize = 20;

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
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&lock_path)
        .map_err(io_err("open lock file", &lock_path))?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(FileLock { _file: file }),
            Err(fs::TryLockError::WouldBlock) if started.elapsed() < LOCK_WAIT => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(fs::TryLockError::WouldBlock) => return Err(FileError::Busy { path: path.into() }),
            Err(fs::TryLockError::Error(e)) => return Err(io_err("lock", &lock_path)(e)),
        }
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

fn sync_dir(dir: &Path) -> Result<(), FileError> {
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
/// (`credentials.mfatui-backup`). `edit` receives "" for a missing file, and may be called
/// again on a newer text when the file changes under it. A missing file that would stay empty
/// is not created, nor is anything else (no directory, no lock file).
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
    let recovered = PathBuf::from(format!("{}{RECOVERED_SUFFIX}", target.display()));
    // What the target holds now, and what the edit is based on: the same, unless a previous run
    // died while merging someone's concurrent edit (kept as `recovered`), which is then the base.
    let mut in_place = read_text(&target)?;
    let mut base = read_text(&recovered)?.or_else(|| in_place.clone());
    let existed = in_place.is_some();
    let old_mode = fs::metadata(&target).ok().map(|m| m.permissions().mode() & 0o777);
    for _ in 0..MAX_REDOS {
        let current = base.clone().unwrap_or_default();
        let new = edit(&current)?;
        let merging = recovered.exists();
        // An unchanged text is left alone, mode included: a config file that mfatui only reads
        // keeps its mode; one it writes becomes 0600.
        if Some(&new) == in_place.as_ref() && !merging {
            return Ok(Outcome::Unchanged);
        }
        let backup = PathBuf::from(format!("{}{BACKUP_SUFFIX}", target.display()));
        if existed && !backup.exists() {
            write_atomic(&backup, in_place.as_deref().unwrap_or_default().as_bytes())?;
        }
        let tmp = temp_with(&dir, &prefix, new.as_bytes())?;
        if in_place.is_some() && exchange(&tmp, &target).map_err(io_err("replace", &target))? {
            // `tmp` now names what was in place: is it what we read?
            let displaced = read_text(&tmp)?;
            if displaced == in_place {
                drop(tmp);
                let _ = fs::remove_file(&recovered);
                sync_dir(&dir)?;
                return Ok(finish(&target, old_mode));
            }
            // Someone saved a new version meanwhile: keep it safe, then redo the edit on it.
            fs::rename(&tmp, &recovered).map_err(io_err("keep a concurrent edit of", &target))?;
            sync_dir(&dir)?;
            base = displaced;
            in_place = Some(new);
            continue;
        }
        // No exchange here: check right before the rename that nobody changed the file.
        let now = read_text(&target)?;
        if now != in_place {
            base = now.clone();
            in_place = now;
            continue;
        }
        tmp.persist(&target).map_err(|e| io_err("replace", &target)(e.error))?;
        let _ = fs::remove_file(&recovered);
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
