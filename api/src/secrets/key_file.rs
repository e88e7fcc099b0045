//! The vault key kept in a file beside the SQLite database, for when `ROSTER_SECRET_KEY` is
//! not set: a fresh `cargo run` can then store API keys with no setup.
//!
//! The key never enters the event log (there it would protect nothing). It lives in its own
//! file, `secret.key` in the database's folder, readable by its owner only (0600), written
//! whole or not at all. It must be backed up with the database: without it the stored API
//! keys cannot be opened. A file that exists but cannot be read or parsed stops the start-up,
//! because replacing it with a fresh key would silently orphan every key sealed under it.

use super::KeyVault;
use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};

/// The key file's name, in the database's folder.
pub const KEY_FILE_NAME: &str = "secret.key";

/// Why the key file could not be used. Never contains the key.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The file exists but cannot be read.
    #[error(
        "cannot read the secret key file {path}: {reason}; fix its permissions, or restore it from the backup of this database"
    )]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// The file does not hold a 32-byte key.
    #[error(
        "the secret key file {path} is malformed (expected 32 bytes as 64 hex digits or base64); restore it from the backup of this database, or set ROSTER_SECRET_KEY"
    )]
    Malformed {
        /// The file.
        path: PathBuf,
    },
    /// A new key file could not be written.
    #[error("cannot create the secret key file {path}: {reason}")]
    Unwritable {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
}

/// Whether the key was already there or was made now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFileOutcome {
    /// An existing key file was read.
    Loaded,
    /// There was none: a new key was generated and written.
    Created,
}

/// Where the key file of the database at `database` lives.
pub fn key_file_beside(database: &Path) -> PathBuf {
    match database.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder.join(KEY_FILE_NAME),
        _ => PathBuf::from(KEY_FILE_NAME),
    }
}

/// Reads the key at `path`, or generates one and writes it there if there is no file.
/// Blocking (file I/O): call it at start-up or from `spawn_blocking`.
pub fn load_or_create(path: &Path) -> Result<(KeyVault, KeyFileOutcome), KeyFileError> {
    match fs::read_to_string(path) {
        Ok(text) => Ok((parse(path, &text)?, KeyFileOutcome::Loaded)),
        Err(e) if e.kind() == ErrorKind::NotFound => create(path),
        Err(e) => Err(KeyFileError::Unreadable {
            path: path.to_owned(),
            reason: e.to_string(),
        }),
    }
}

/// Whether anyone but the owner may read the file (worth a warning, not a refusal: the
/// operator may have reasons, and refusing would take the stored keys offline).
#[cfg(unix)]
pub fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
}

/// Whether anyone but the owner may read the file (unknown off Unix).
#[cfg(not(unix))]
pub fn readable_by_others(_path: &Path) -> bool {
    false
}

fn parse(path: &Path, text: &str) -> Result<KeyVault, KeyFileError> {
    KeyVault::from_config(text).map_err(|_| KeyFileError::Malformed {
        path: path.to_owned(),
    })
}

fn create(path: &Path) -> Result<(KeyVault, KeyFileOutcome), KeyFileError> {
    let unwritable = |e: std::io::Error| KeyFileError::Unwritable {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    let folder = path
        .parent()
        .filter(|f| !f.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(folder).map_err(unwritable)?;
    let mut key = [0u8; 32];
    super::random_bytes(&mut key).map_err(|e| KeyFileError::Unwritable {
        path: path.to_owned(),
        reason: format!("no randomness available: {e}"),
    })?;
    let text = hex::encode(key);
    let temporary = folder.join(format!(".{KEY_FILE_NAME}.{}.tmp", std::process::id()));
    write_private(&temporary, &text).map_err(unwritable)?;
    // Published under its final name only once complete and on disk, so a crash leaves either
    // no key file or a whole one. A hard link, unlike a rename, never replaces a key file that
    // another instance published meanwhile; the rename is for file systems without links.
    let published = match fs::hard_link(&temporary, path) {
        Ok(()) => fs::remove_file(&temporary),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            let _ = fs::remove_file(&temporary);
            return load_or_create(path);
        }
        Err(_) => fs::rename(&temporary, path),
    };
    if let Err(e) = published {
        let _ = fs::remove_file(&temporary);
        return Err(unwritable(e));
    }
    sync_folder(folder).map_err(unwritable)?;
    Ok((parse(path, &text)?, KeyFileOutcome::Created))
}

/// Writes `text` to a new file only its owner can read, and waits until it is on disk.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = match options.open(path) {
        Ok(file) => file,
        // A leftover of a crashed start: it was never published, so it holds nothing needed.
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            fs::remove_file(path)?;
            options.open(path)?
        }
        Err(e) => return Err(e),
    };
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

/// Makes the new directory entry durable too (a synced file under an unsynced name can vanish
/// in a power loss).
#[cfg(unix)]
fn sync_folder(folder: &Path) -> std::io::Result<()> {
    std::fs::File::open(folder)?.sync_all()
}

/// Windows cannot open a folder as a file; NTFS journals the rename itself.
#[cfg(not(unix))]
fn sync_folder(_folder: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_create_a_key_once_and_read_the_same_one_later() {
        let dir = tempfile::tempdir().unwrap();
        let path = key_file_beside(&dir.path().join("data").join("events.db"));
        assert_eq!(path, dir.path().join("data").join(KEY_FILE_NAME));
        let (first, outcome) = load_or_create(&path).unwrap();
        assert_eq!(outcome, KeyFileOutcome::Created);
        let written = fs::read_to_string(&path).unwrap();
        let (second, outcome) = load_or_create(&path).unwrap();
        assert_eq!(outcome, KeyFileOutcome::Loaded);
        assert_eq!(fs::read_to_string(&path).unwrap(), written, "not rewritten");
        assert!(!readable_by_others(&path));
        // Same key: what one seals, the other opens.
        use roster_domain::ids::ApiKeyId;
        use roster_domain::stream::KeyringOwner;
        use roster_domain::values::Provider;
        let provider = Provider::parse("openai").unwrap();
        let id = ApiKeyId(uuid::Uuid::now_v7());
        let sealed = first
            .seal("sk-1234", KeyringOwner::System, &provider, id)
            .unwrap();
        assert_eq!(
            second
                .open(&sealed, KeyringOwner::System, &provider, id)
                .unwrap(),
            "sk-1234"
        );
        let leftovers = fs::read_dir(path.parent().unwrap()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file left behind");
    }

    #[test]
    fn it_should_refuse_a_malformed_key_file_and_leave_it_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE_NAME);
        fs::write(&path, "not a key").unwrap();
        let error = load_or_create(&path).map(|_| ()).unwrap_err();
        assert!(matches!(error, KeyFileError::Malformed { .. }), "{error}");
        assert!(error.to_string().contains(KEY_FILE_NAME));
        assert_eq!(fs::read_to_string(&path).unwrap(), "not a key");
    }

    #[test]
    fn it_should_refuse_a_key_file_it_cannot_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE_NAME);
        fs::create_dir(&path).unwrap();
        let error = load_or_create(&path).map(|_| ()).unwrap_err();
        assert!(matches!(error, KeyFileError::Unreadable { .. }), "{error}");
    }

    #[test]
    fn it_should_put_the_key_file_of_a_bare_file_name_in_the_working_folder() {
        assert_eq!(
            key_file_beside(Path::new("events.db")),
            PathBuf::from(KEY_FILE_NAME)
        );
    }
}
