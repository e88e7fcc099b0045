//! A store of N users written directly (one append per user: `UserCreated` with its username
//! and email reservations), for benchmarks that need many users but do not measure creating
//! them. The events are exactly those CreateUser would append.

use super::{BenchError, FIXED_HASH};
use crate::secrets::PasswordHasher;
use chrono::Utc;
use roster_domain::command_path::{CommandMeta, CommandPath};
use roster_domain::event::Event;
use roster_domain::ids::UserId;
use roster_domain::reservation::{EmailEvent, UsernameEvent};
use roster_domain::store::{Actor, EventStore, Expected, Metadata, NewEvent, StreamAppend};
use roster_domain::user::CreateUser;
use roster_domain::user::{CreatedVia, ProfileUpdated, UserCreated, UserEvent};
use roster_domain::values::Password;
use roster_domain::values::{DisplayName, Email, PasswordHash, Username};
use roster_store::SqliteStore;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use uuid::Uuid;

/// The three events of user number `n` (whose id is `id`), as one atomic append.
fn user_append(n: u64, id: UserId) -> Result<Vec<StreamAppend>, BenchError> {
    let name = format!("user{n:07}");
    let email = Email::parse(&format!("{name}@example.org"))?;
    let username = Username::parse(&name)?;
    let events = [
        Event::User(
            id,
            UserEvent::Created(UserCreated {
                username: username.clone(),
                display_name: DisplayName::parse(&format!("User {n}"))?,
                email: Some(email.clone()),
                password_hash: PasswordHash::from_phc(FIXED_HASH.to_owned()),
                is_admin: false,
                via: CreatedVia::Admin,
                must_change_password: false,
            }),
        ),
        Event::Username(username.key(), UsernameEvent::Reserved { user_id: id }),
        Event::Email(email.key(), EmailEvent::Reserved { user_id: id }),
    ];
    appends(&events, Actor::System, Expected::NoStream)
}

/// `events`, each appended to its own stream at `expected`, caused by `actor`, now.
fn appends(
    events: &[Event],
    actor: Actor,
    expected: Expected,
) -> Result<Vec<StreamAppend>, BenchError> {
    let metadata = Metadata {
        actor,
        correlation_id: Uuid::now_v7(),
        causation_id: Uuid::now_v7(),
        occurred_at: Utc::now(),
    };
    events
        .iter()
        .map(|event| {
            let data = event.encode()?;
            Ok(StreamAppend {
                stream: event.stream().to_string(),
                expected,
                events: vec![NewEvent {
                    event_id: Uuid::now_v7(),
                    event_type: data.event_type.to_owned(),
                    schema_version: data.schema_version,
                    data: data.data,
                    metadata: metadata.clone(),
                }],
            })
        })
        .collect()
}

/// Appends `users` users to `store`, many appends in flight so the store group-commits them;
/// returns their ids, in order.
pub(super) async fn populate(
    store: &dyn EventStore,
    users: u64,
) -> Result<Vec<UserId>, BenchError> {
    let ids: Vec<UserId> = (0..users).map(|_| UserId(Uuid::now_v7())).collect();
    let batches = (0..users).map(|n| user_append(n, ids[n as usize]));
    append_all(store, batches).await?;
    Ok(ids)
}

/// Appends every batch, 512 in flight at a time.
async fn append_all(
    store: &dyn EventStore,
    batches: impl Iterator<Item = Result<Vec<StreamAppend>, BenchError>>,
) -> Result<(), BenchError> {
    let mut batches = batches.peekable();
    while batches.peek().is_some() {
        let appends: Vec<_> = batches
            .by_ref()
            .take(512)
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .map(|batch| store.append(batch))
            .collect();
        for appended in futures::future::join_all(appends).await {
            appended?;
        }
    }
    Ok(())
}

/// Appends `events` profile edits, round-robin over `users`, each made by one of the first
/// `actors` users: the history an audit log reads. Returns when the middle one was made.
pub(super) async fn add_history(
    store: &dyn EventStore,
    users: &[UserId],
    actors: usize,
    events: u64,
) -> Result<chrono::DateTime<Utc>, BenchError> {
    if users.is_empty() || events == 0 {
        return Ok(Utc::now());
    }
    let mut middle = Utc::now();
    let edit = |i: u64| -> Result<Vec<StreamAppend>, BenchError> {
        let user = users[(i % users.len() as u64) as usize];
        let actor = users[(i % actors.clamp(1, users.len()) as u64) as usize];
        let event = Event::User(
            user,
            UserEvent::ProfileUpdated(ProfileUpdated {
                display_name: Some(DisplayName::parse(&format!("Edit {i}"))?),
                email: None,
            }),
        );
        appends(&[event], Actor::User(actor.0), Expected::Any)
    };
    let half = events / 2;
    append_all(store, (0..half).map(edit)).await?;
    middle = middle.max(Utc::now());
    append_all(store, (half..events).map(edit)).await?;
    Ok(middle)
}

/// Creates the first administrator through the command path, as the server's bootstrap would.
async fn create_admin(
    store: Arc<dyn EventStore>,
    username: &str,
    password: &str,
) -> Result<(), BenchError> {
    let hash = PasswordHasher::owasp()?
        .hash(&Password::parse(password)?)
        .await?;
    let command = CreateUser {
        user_id: UserId(Uuid::now_v7()),
        username: Username::parse(username)?,
        display_name: DisplayName::parse(username)?,
        email: None,
        password_hash: hash,
        is_admin: true,
        must_change_password: false,
        via: CreatedVia::Bootstrap,
    };
    let meta = CommandMeta {
        actor: Actor::System,
        command_id: Uuid::now_v7(),
        correlation_id: Uuid::now_v7(),
        occurred_at: Utc::now(),
    };
    CommandPath::new(store, Arc::new(Uuid::now_v7))
        .execute(meta, &command)
        .await?;
    Ok(())
}

pub(super) async fn run(
    users: u64,
    file: &Path,
    admin: Option<(String, String)>,
) -> Result<String, BenchError> {
    if file.exists() {
        return Err(format!("{} exists already", file.display()).into());
    }
    let path = file.to_owned();
    let store = Arc::new(tokio::task::spawn_blocking(move || SqliteStore::open(path)).await??);
    if let Some((username, password)) = admin {
        create_admin(store.clone(), &username, &password).await?;
    }
    let started = Instant::now();
    populate(store.as_ref(), users).await?;
    store.close().await;
    Ok(format!(
        "{{\"bench\":\"populate\",\"users\":{users},\"seconds\":{:.1},\"file\":{}}}",
        started.elapsed().as_secs_f64(),
        serde_json::to_string(&file.display().to_string())?
    ))
}
