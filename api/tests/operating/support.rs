//! Running the binary, making stores, reading them back with plain SQL.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What a run of `roster` printed, and its exit code.
#[derive(Debug)]
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The `roster` binary, with the environment cleared of Roster's settings.
pub fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_roster"));
    command.args(args).env_remove("ROSTER_STORE");
    command
}

/// Runs `roster` with `args` to the end.
pub fn roster(args: &[&str]) -> Ran {
    let output = command(args).output().unwrap();
    Ran {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// `sqlite://PATH`.
pub fn url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

pub const ADMIN: &str = "operator";
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

/// A store of `users` users and an administrator, written by `roster bench populate`.
pub fn populated(dir: &tempfile::TempDir, users: u64) -> PathBuf {
    let file = dir.path().join("source").join("events.db");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let made = roster(&[
        "bench",
        "populate",
        "--users",
        &users.to_string(),
        "--file",
        file.to_str().unwrap(),
        "--admin-username",
        ADMIN,
        "--admin-password",
        ADMIN_PASSWORD,
    ]);
    assert_eq!(made.code, 0, "{made:?}");
    file
}

/// A copy of the committed version-1 fixture store (the committed file is never written).
pub fn fixture_copy(dir: &tempfile::TempDir) -> PathBuf {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/v1-events.db");
    let copy = dir.path().join("v1").join("events.db");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    std::fs::copy(fixture, &copy).unwrap();
    copy
}

/// The count a replay printed for `event_type`.
pub fn count_of(stdout: &str, event_type: &str) -> u64 {
    stdout
        .lines()
        .find_map(|line| {
            let mut words = line.split_whitespace();
            (words.next() == Some(event_type)).then(|| words.next().unwrap().parse().unwrap())
        })
        .unwrap_or(0)
}

/// One stored row, every column but the position, as text.
pub type Row = Vec<String>;

/// Every row of the store at `path`, in position order, read with plain SQL.
pub fn rows(path: &Path) -> Vec<Row> {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut statement = conn
        .prepare(
            "SELECT hex(event_id), stream, revision, event_type, schema_version, data, actor, \
             hex(correlation_id), hex(causation_id), occurred_at FROM events ORDER BY position",
        )
        .unwrap();
    statement
        .query_map([], |row| {
            (0..10)
                .map(|i| {
                    row.get::<_, rusqlite::types::Value>(i)
                        .map(|value| match value {
                            rusqlite::types::Value::Text(text) => text,
                            other => format!("{other:?}"),
                        })
                })
                .collect::<Result<Row, _>>()
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// How many events the store at `path` holds (0 while it has no table yet).
pub fn event_count(path: &Path) -> u64 {
    let Ok(conn) =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return 0;
    };
    conn.query_row("SELECT count(*) FROM events", [], |row| {
        row.get::<_, i64>(0)
    })
    .map_or(0, |count| count.unsigned_abs())
}

/// Runs one SQL statement on the store at `path`: how a test damages a store on purpose.
pub fn damage(path: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(path).unwrap();
    assert_eq!(conn.execute(sql, []).unwrap(), 1, "{sql}");
}
