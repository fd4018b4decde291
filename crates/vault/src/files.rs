//! Files that hold a secret or personal data — a store and its log, a key file, an export —
//! are readable by their owner only (0600), whoever makes them: the app, the command-line
//! tool or a hub. One place sets the mode, so none is made with the process's umask.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Owner read and write, nothing for anyone else.
pub const MODE: u32 = 0o600;

/// Makes `path` private before a database opens it: created empty with `MODE` when it does
/// not exist (SQLite gives its `-wal` and `-shm` files the mode of the store), narrowed to
/// `MODE` when it does, with the `-wal` and `-shm` files an earlier version left beside it.
pub fn private_store(path: &Path) -> io::Result<()> {
    match OpenOptions::new().write(true).create_new(true).mode(MODE).open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            // Only a file is a store. A device, a pipe or a folder given as one is refused and
            // its mode left alone: `--db /dev/null` once narrowed /dev/null to 0600, and every
            // other program on the machine then failed to open it.
            if !std::fs::metadata(path)?.is_file() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "bukan berkas biasa / not a regular file",
                ));
            }
            for p in [path.to_path_buf(), beside(path, "-wal"), beside(path, "-shm")] {
                narrow(&p)?;
            }
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Creates `path` for writing with `MODE`, as a new file of this user's: whatever was at
/// the path — a file someone else made for us to fill, a symbolic link to elsewhere — is
/// removed first (and if it cannot be, nothing is written), and the new file is made only
/// if nothing took the path in between. So an output never lands in a file another user
/// can read, nor through a link.
pub fn create_private(path: &Path) -> io::Result<File> {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    create_new_private(path)
}

/// Creates the folder `path` (and its parents) for files of personal data: the folder
/// itself readable and writable by its owner only, so that no one else can swap a file in it.
pub fn create_private_dir(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(path)
}

/// Creates `path` with `MODE`, refusing to replace a file already there.
pub fn create_new_private(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).mode(MODE).open(path)
}

fn narrow(path: &Path) -> io::Result<()> {
    match std::fs::metadata(path) {
        // Not ours to narrow (a `-wal` name that is a device or a pipe): the database will
        // refuse it.
        Ok(m) if !m.is_file() => Ok(()),
        Ok(m) if m.permissions().mode() & 0o077 != 0 => {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(MODE))
        }
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_device_a_pipe_or_a_folder_is_no_store_and_keeps_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        // A pipe stands in for /dev/null (a test must not risk the machine's).
        let pipe = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&pipe).status().unwrap();
        assert!(made.success());
        std::fs::set_permissions(&pipe, std::fs::Permissions::from_mode(0o666)).unwrap();
        let folder = dir.path().join("folder");
        std::fs::create_dir(&folder).unwrap();
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
        for (p, was) in [(&pipe, 0o666), (&folder, 0o755)] {
            let e = private_store(p).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{}", p.display());
            assert_eq!(mode(p), was, "{} left as it was", p.display());
        }
    }

    #[test]
    fn a_store_and_its_logs_are_the_owners_only_new_or_old() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.db");
        private_store(&new).unwrap();
        assert_eq!(mode(&new), MODE);
        let old = dir.path().join("old.db");
        for p in [old.clone(), beside(&old, "-wal")] {
            std::fs::write(&p, b"x").unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        private_store(&old).unwrap();
        assert_eq!((mode(&old), mode(&beside(&old, "-wal"))), (MODE, MODE));
        assert_eq!(std::fs::read(&old).unwrap(), b"x", "the contents stay");
        let out = dir.path().join("out.csv");
        std::fs::write(&out, b"old").unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o666)).unwrap();
        drop(create_private(&out).unwrap());
        assert_eq!((mode(&out), std::fs::read(&out).unwrap().len()), (MODE, 0));
        assert!(create_new_private(&out).is_err(), "never replaces a file");
        // A link is replaced, never written through.
        let victim = dir.path().join("victim.csv");
        std::fs::write(&victim, b"theirs").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        std::io::Write::write_all(&mut create_private(&link).unwrap(), b"ours").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"theirs");
        assert!(!std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!((std::fs::read(&link).unwrap(), mode(&link)), (b"ours".to_vec(), MODE));
        let folder = dir.path().join("a/b");
        create_private_dir(&folder).unwrap();
        assert_eq!(mode(&folder), 0o700);
    }
}
