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
            for p in [path.to_path_buf(), beside(path, "-wal"), beside(path, "-shm")] {
                narrow(&p)?;
            }
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Creates (or truncates) `path` for writing with `MODE`, an existing file narrowed too.
pub fn create_private(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(MODE)
        .open(path)?;
    file.set_permissions(std::fs::Permissions::from_mode(MODE))?;
    Ok(file)
}

/// Creates `path` with `MODE`, refusing to replace a file already there.
pub fn create_new_private(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).mode(MODE).open(path)
}

fn narrow(path: &Path) -> io::Result<()> {
    match std::fs::metadata(path) {
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
    }
}
