//! The writer's own tests; the appender's window is tested in displaced.rs.

use super::*;

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn creates_dir_0700_and_file_0600() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join(".aws/credentials");
    let out = update_text(&path, |s| Ok::<_, String>(format!("{s}[a]\nk = v\n"))).unwrap();
    assert_eq!(out, FileChange::Written);
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
    assert_eq!(update_text(&path, |s| Ok::<_, String>(s.to_string())).unwrap(), FileChange::Unchanged);
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

mod race_tests {
    use super::super::*;
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
            let _ = update_text(&path, |t| crate::edit::upsert_section(t, "m", &[("t", value.as_str())]));
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

#[test]
fn no_lock_file_is_left_and_the_lock_still_excludes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    fs::write(&path, "x = 0\n").unwrap();
    // Many threads incrementing under the lock: a lock that let two in at once loses counts.
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                for _ in 0..40 {
                    let _lock = lock_for(&path).unwrap();
                    let n: u32 = fs::read_to_string(&path).unwrap().trim_start_matches("x = ").trim().parse().unwrap();
                    write_atomic(&path, format!("x = {}\n", n + 1).as_bytes()).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(fs::read_to_string(&path).unwrap(), "x = 320\n");
    update_text(&path, |s| Ok::<_, String>(format!("{s}[a]\n"))).unwrap();
    let left: Vec<String> =
        fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert!(!left.iter().any(|n| n.contains("lock")), "{left:?}");
    // Held, it is there and refuses another holder (the file a stuck writer holds is reported).
    let held = lock_for(&path).unwrap();
    assert!(dir.path().join(".credentials.mfatui.lock").exists());
    let other = open_lock_file(&dir.path().join(".credentials.mfatui.lock")).unwrap();
    assert!(!try_lock(&other).unwrap());
    drop(held);
    assert!(!dir.path().join(".credentials.mfatui.lock").exists());
}
