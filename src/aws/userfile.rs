//! Safe writes of files that hold secrets: the user's AWS files and mfatui's own state.
//!
//! Every write: take an advisory lock on a sidecar lock file (so concurrent mfatui processes
//! serialise rather than lose each other's update), read, edit, write a temp file in the same
//! directory, fsync it, rename it over the target, fsync the directory. A crash at any moment
//! leaves either the old file or the new one, never a mix. Files are 0600; a directory mfatui
//! creates is 0700. A symlinked target (dotfile managers) is written through, not replaced.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long to wait for another mfatui to finish writing the same file.
const LOCK_WAIT: Duration = Duration::from_secs(10);
/// Suffix of the copy kept of a user file as it was before mfatui first changed it.
pub const BACKUP_SUFFIX: &str = ".mfatui-backup";

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{} is being written by another mfatui process that has not finished for {}s; retry, or check for a stuck mfatui", path.display(), LOCK_WAIT.as_secs())]
    Busy { path: PathBuf },
    #[error("cannot {action} {}: {source}; the file was not changed", path.display())]
    Io { action: &'static str, path: PathBuf, source: io::Error },
    #[error("{} is not UTF-8 text, so mfatui will not edit it; save it as UTF-8 and retry", .0.display())]
    NotUtf8(PathBuf),
    #[error("{0}")]
    Edit(String),
}

fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> FileError + use<> {
    let path = path.to_path_buf();
    move |source| FileError::Io { action, path, source }
}

/// The file a path really names: symlinks followed, so the link itself stays a link.
pub fn real_target(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".into())
}

/// Create the parent directory (0700) if it is missing.
fn ensure_parent(path: &Path) -> Result<&Path, FileError> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.exists() {
        fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(io_err("create directory", dir))?;
    }
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

/// Replace `path` with `bytes` atomically, mode 0600. The caller holds the lock.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let dir = ensure_parent(path)?;
    let prefix = format!(".{}.mfatui-tmp", file_name(path));
    remove_stale_temps(dir, &prefix);
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .permissions(fs::Permissions::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(io_err("create a temporary file in", dir))?;
    tmp.write_all(bytes).map_err(io_err("write", tmp.path()))?;
    tmp.as_file().sync_all().map_err(io_err("flush", tmp.path()))?;
    tmp.persist(path).map_err(|e| io_err("replace", path)(e.error))?;
    // The rename is durable only once the directory entry is on disk.
    File::open(dir).and_then(|d| d.sync_all()).map_err(io_err("flush directory", dir))?;
    Ok(())
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

/// Lock, read, edit and atomically rewrite a UTF-8 text file such as `~/.aws/credentials`.
/// The first time mfatui changes an existing file, a copy of it is kept beside it
/// (`credentials.mfatui-backup`). `edit` receives "" for a missing file.
pub fn update_text<E: std::fmt::Display>(
    path: &Path,
    edit: impl FnOnce(&str) -> Result<String, E>,
) -> Result<Outcome, FileError> {
    let target = real_target(path);
    let _lock = lock_for(&target)?;
    let (current, existed) = match fs::read(&target) {
        Ok(b) => (String::from_utf8(b).map_err(|_| FileError::NotUtf8(target.clone()))?, true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => (String::new(), false),
        Err(e) => return Err(io_err("read", &target)(e)),
    };
    let new = edit(&current).map_err(|e| FileError::Edit(e.to_string()))?;
    let mode_ok = !existed || fs::metadata(&target).is_ok_and(|m| m.permissions().mode() & 0o777 == 0o600);
    if new == current && mode_ok {
        return Ok(Outcome::Unchanged);
    }
    let mut backup = target.clone().into_os_string();
    backup.push(BACKUP_SUFFIX);
    let backup = PathBuf::from(backup);
    if existed && !backup.exists() {
        write_atomic(&backup, current.as_bytes())?;
    }
    write_atomic(&target, new.as_bytes())?;
    Ok(Outcome::Written)
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
