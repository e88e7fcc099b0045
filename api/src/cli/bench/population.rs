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
use roster_domain::user::{CreatedVia, UserCreated, UserEvent};
use roster_domain::values::Password;
use roster_domain::values::{DisplayName, Email, PasswordHash, Username};
use roster_store::SqliteStore;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use uuid::Uuid;

/// The three events of user number `n`, as one atomic append.
fn user_append(n: u64) -> Result<Vec<StreamAppend>, BenchError> {
    let id = UserId(Uuid::now_v7());
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
    let metadata = Metadata {
        actor: Actor::System,
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
                expected: Expected::NoStream,
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

/// Appends `users` users to `store`, many appends in flight so the store group-commits them.
pub(super) async fn populate(store: &dyn EventStore, users: u64) -> Result<(), BenchError> {
    let mut n = 0;
    while n < users {
        let end = (n + 512).min(users);
        let appends: Vec<_> = (n..end)
            .map(user_append)
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .map(|batch| store.append(batch))
            .collect();
        for appended in futures::future::join_all(appends).await {
            appended?;
        }
        n = end;
    }
    Ok(())
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
