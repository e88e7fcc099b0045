//! Each user's personal-data key, kept outside the log (a small SQLite file beside it, or
//! memory for a store that keeps nothing). Destroying a user's key is what deleting their
//! personal data means: every sealed copy of it, in the log, its backups and its replicas,
//! stops opening at once.
//!
//! The file holds one row per user: their 32-byte key, or no key once they were deleted (a
//! tombstone, so a key is never made again for a deleted user). `secure_delete` makes SQLite
//! overwrite a destroyed key's bytes instead of leaving them in a free page, and the
//! write-ahead log (one fsync per new key) is emptied after each destruction. The file also
//! holds the key of the stream names' keyed hash and how the log names its reservation streams.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, Generate, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use roster_domain::ids::UserId;
use roster_domain::store::StoreError;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError, RwLock};
use uuid::Uuid;

/// What a sealed value starts with; nothing a person types into a field does.
pub const SEALED_PREFIX: &str = "$sealed:";

/// What a sealed value reads as once its owner's key is gone.
pub const ERASED: &str = "(erased)";

/// How the log names the streams that reserve usernames and emails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameScheme {
    /// By a keyed hash of the name: the log holds no readable name.
    Keyed,
    /// As written before personal data was sealed (a log begun by an older Roster): names stay
    /// readable in stream names until the log is migrated with the `seal` transform.
    Plain,
}

impl NameScheme {
    /// How the key file records it.
    fn stored(self) -> &'static [u8] {
        match self {
            NameScheme::Keyed => b"keyed",
            NameScheme::Plain => b"plain",
        }
    }

    /// What the key file recorded.
    fn from_stored(value: &[u8]) -> NameScheme {
        if value == NameScheme::Plain.stored() {
            NameScheme::Plain
        } else {
            NameScheme::Keyed
        }
    }
}

/// The stream names' hash key, as the key file holds it.
fn name_key_of(value: Vec<u8>) -> Result<[u8; 32], StoreError> {
    value
        .try_into()
        .map_err(|_| StoreError::Backend("the key file's name key is damaged".into()))
}

/// The personal-data keys, the stream names' hash key, and where they are kept.
pub struct PersonalKeys {
    file: Option<Mutex<Connection>>,
    path: Option<PathBuf>,
    /// Every user's cipher; `None` for a deleted user (their key is gone).
    ciphers: RwLock<HashMap<UserId, Option<XChaCha20Poly1305>>>,
    name_key: [u8; 32],
    names: NameScheme,
    /// Opened only to read: no key may be made.
    read_only: bool,
}

impl std::fmt::Debug for PersonalKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersonalKeys")
            .field("path", &self.path)
            .field("names", &self.names)
            .finish_non_exhaustive()
    }
}

impl PersonalKeys {
    /// Keys that live as long as the process, for a store that keeps nothing either.
    pub fn in_memory() -> PersonalKeys {
        PersonalKeys {
            file: None,
            path: None,
            ciphers: RwLock::new(HashMap::new()),
            name_key: Key::generate().into(),
            names: NameScheme::Keyed,
            read_only: false,
        }
    }

    /// Opens the key file at `path`, creating it on first use. A new file names reservation
    /// streams by `names_for_new` (keyed for a new log; plain for a log that older code began).
    ///
    /// Blocking: call it at start-up or from `spawn_blocking`.
    pub fn open_file(path: &Path, names_for_new: NameScheme) -> Result<PersonalKeys, StoreError> {
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).map_err(|e| backend("create the key folder", e))?;
        }
        let conn = Connection::open(path).map_err(|e| backend("open the key file", e))?;
        conn.execute_batch(
            "PRAGMA secure_delete = ON;
             PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value BLOB NOT NULL);
             CREATE TABLE IF NOT EXISTS user_keys (user_id BLOB PRIMARY KEY, key BLOB);",
        )
        .map_err(|e| backend("set up the key file", e))?;
        restrict_to_owner(path);
        let name_key = name_key_of(setting(&conn, "name_key", || Key::generate().to_vec())?)?;
        let names = setting(&conn, "names", || names_for_new.stored().to_vec())?;
        let names = NameScheme::from_stored(&names);
        let ciphers = load_ciphers(&conn)?;
        Ok(PersonalKeys {
            file: Some(Mutex::new(conn)),
            path: Some(path.to_path_buf()),
            ciphers: RwLock::new(ciphers),
            name_key,
            names,
            read_only: false,
        })
    }

    /// Opens an existing key file only to read (for tools beside a running server): nothing is
    /// created or written; a key destroyed meanwhile is forgotten here too, in memory only.
    ///
    /// Blocking.
    pub fn open_read_only(path: &Path) -> Result<PersonalKeys, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| backend("open the key file", e))?;
        let read = |name: &str| -> Result<Vec<u8>, StoreError> {
            conn.query_row(
                "SELECT value FROM settings WHERE name = ?1",
                [name],
                |row| row.get(0),
            )
            .map_err(|e| backend("read the key file", e))
        };
        let name_key = name_key_of(read("name_key")?)?;
        let names = NameScheme::from_stored(&read("names")?);
        Ok(PersonalKeys {
            ciphers: RwLock::new(load_ciphers(&conn)?),
            file: None,
            path: Some(path.to_path_buf()),
            name_key,
            names,
            read_only: true,
        })
    }

    /// The key file, if the keys are kept in one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// How the log names reservation streams.
    pub fn names(&self) -> NameScheme {
        self.names
    }

    /// The key of the stream names' keyed hash.
    pub(super) fn name_key(&self) -> &[u8; 32] {
        &self.name_key
    }

    /// How many users have a key (live or not yet deleted).
    pub fn live_keys(&self) -> usize {
        self.read().values().filter(|c| c.is_some()).count()
    }

    /// Whether `user`'s key was destroyed.
    pub fn is_forgotten(&self, user: UserId) -> bool {
        matches!(self.read().get(&user), Some(None))
    }

    /// Makes sure each of `users` has a key, creating (and durably storing) the missing ones
    /// before anything is sealed with them. A deleted user gets no new key: an error.
    ///
    /// Blocking when a key is created.
    pub fn ensure(&self, users: &[UserId]) -> Result<(), StoreError> {
        if self.read_only {
            return Err(StoreError::Backend(
                "the personal-data key file is open only to read".into(),
            ));
        }
        let missing: Vec<UserId> = {
            let ciphers = self.read();
            if let Some(gone) = users.iter().find(|u| matches!(ciphers.get(u), Some(None))) {
                return Err(StoreError::Backend(format!(
                    "user {gone} was deleted: their personal data cannot be written again"
                )));
            }
            users
                .iter()
                .filter(|u| !ciphers.contains_key(u))
                .copied()
                .collect()
        };
        if missing.is_empty() {
            return Ok(());
        }
        let mut created = Vec::with_capacity(missing.len());
        for user in missing {
            created.push((user, Key::generate().to_vec()));
        }
        if let Some(file) = &self.file {
            let mut conn = file.lock().unwrap_or_else(PoisonError::into_inner);
            let tx = conn
                .transaction()
                .map_err(|e| backend("store a new key", e))?;
            for (user, key) in &created {
                tx.execute(
                    "INSERT OR IGNORE INTO user_keys (user_id, key) VALUES (?1, ?2)",
                    params![user.0.as_bytes().as_slice(), key],
                )
                .map_err(|e| backend("store a new key", e))?;
            }
            tx.commit().map_err(|e| backend("store a new key", e))?;
        }
        let mut ciphers = self.write();
        for (user, key) in created {
            ciphers.entry(user).or_insert(Some(cipher(&key)?));
        }
        Ok(())
    }

    /// Destroys `user`'s key, for good; `false` if it was already gone.
    ///
    /// Blocking.
    pub fn forget(&self, user: UserId) -> Result<bool, StoreError> {
        if self.is_forgotten(user) {
            return Ok(false);
        }
        if let Some(file) = &self.file {
            let conn = file.lock().unwrap_or_else(PoisonError::into_inner);
            conn.execute(
                "INSERT INTO user_keys (user_id, key) VALUES (?1, NULL)
                 ON CONFLICT (user_id) DO UPDATE SET key = NULL",
                params![user.0.as_bytes().as_slice()],
            )
            .map_err(|e| backend("destroy a key", e))?;
            // The write-ahead log still holds the page as it was, key included, until it is
            // copied back and emptied.
            conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
                .map_err(|e| backend("destroy a key", e))?;
        }
        self.write().insert(user, None);
        Ok(true)
    }

    /// Seals `text` under `user`'s key, which [`PersonalKeys::ensure`] made sure of.
    pub fn seal(&self, user: UserId, text: &str) -> Result<String, StoreError> {
        let ciphers = self.read();
        let Some(Some(cipher)) = ciphers.get(&user) else {
            return Err(StoreError::Backend(format!(
                "no personal-data key for user {user}"
            )));
        };
        let nonce = XNonce::generate();
        let aad = binding(user);
        let ciphertext = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: text.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| StoreError::Backend("personal data could not be sealed".into()))?;
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&ciphertext);
        Ok(format!("{SEALED_PREFIX}{}", STANDARD.encode(sealed)))
    }

    /// Opens a value [`PersonalKeys::seal`] made for `user`: `None` if their key is gone (or the
    /// value is not theirs, or was tampered with).
    pub fn unseal(&self, user: UserId, sealed: &str) -> Option<String> {
        let bytes = STANDARD.decode(sealed.strip_prefix(SEALED_PREFIX)?).ok()?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        let nonce = XNonce::try_from(nonce).ok()?;
        let ciphers = self.read();
        let cipher = ciphers.get(&user)?.as_ref()?;
        let aad = binding(user);
        let plain = cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: ciphertext,
                    aad: aad.as_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(plain).ok()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<UserId, Option<XChaCha20Poly1305>>> {
        self.ciphers.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<UserId, Option<XChaCha20Poly1305>>> {
        self.ciphers.write().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Copies the key file at `source` to `target` as one consistent snapshot (even while a
/// server writes it), replacing an older copy: what a migrated log needs to open.
///
/// Blocking.
pub fn copy_key_file(source: &Path, target: &Path) -> Result<(), StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn =
        Connection::open_with_flags(source, flags).map_err(|e| backend("open the key file", e))?;
    let snapshot = target.with_extension("snapshot");
    let _ = std::fs::remove_file(&snapshot);
    conn.execute("VACUUM INTO ?1", [snapshot.to_string_lossy()])
        .map_err(|e| backend("copy the key file", e))?;
    restrict_to_owner(&snapshot);
    std::fs::rename(&snapshot, target).map_err(|e| backend("copy the key file", e))?;
    Ok(())
}

/// Every user's cipher in the key file (`None` for a deleted user).
fn load_ciphers(
    conn: &Connection,
) -> Result<HashMap<UserId, Option<XChaCha20Poly1305>>, StoreError> {
    let mut ciphers = HashMap::new();
    let mut rows = conn
        .prepare("SELECT user_id, key FROM user_keys")
        .map_err(|e| backend("read the key file", e))?;
    let keys = rows
        .query_map([], |row| {
            Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, Option<Vec<u8>>>(1)?))
        })
        .map_err(|e| backend("read the key file", e))?;
    for row in keys {
        let (id, key) = row.map_err(|e| backend("read the key file", e))?;
        let id = Uuid::from_slice(&id)
            .map_err(|_| StoreError::Backend("the key file holds a damaged id".into()))?;
        let cipher = key.map(|key| cipher(&key)).transpose()?;
        ciphers.insert(UserId(id), cipher);
    }
    Ok(ciphers)
}

/// The key file kept beside the event log `database`.
pub fn key_file_beside(database: &Path) -> PathBuf {
    let name = database
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "roster".into());
    database.with_file_name(format!("{name}.personal-keys"))
}

/// A sealed value opens only as the data of the user it was sealed for.
fn binding(user: UserId) -> String {
    format!("roster-personal-data|{user}")
}

fn cipher(key: &[u8]) -> Result<XChaCha20Poly1305, StoreError> {
    let key = Key::try_from(key)
        .map_err(|_| StoreError::Backend("the key file holds a damaged key".into()))?;
    Ok(XChaCha20Poly1305::new(&key))
}

fn setting(
    conn: &Connection,
    name: &str,
    default: impl FnOnce() -> Vec<u8>,
) -> Result<Vec<u8>, StoreError> {
    let found: Option<Vec<u8>> = conn
        .query_row(
            "SELECT value FROM settings WHERE name = ?1",
            [name],
            |row| row.get(0),
        )
        .optional()
        .map_err(|e| backend("read the key file", e))?;
    if let Some(value) = found {
        return Ok(value);
    }
    let value = default();
    conn.execute(
        "INSERT INTO settings (name, value) VALUES (?1, ?2)",
        params![name, value],
    )
    .map_err(|e| backend("write the key file", e))?;
    Ok(value)
}

fn backend(what: &str, error: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("cannot {what}: {error}"))
}

/// Keys are for the service's own user alone.
#[cfg(unix)]
fn restrict_to_owner(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}

#[cfg(not(unix))]
fn restrict_to_owner(_path: &Path) {}
