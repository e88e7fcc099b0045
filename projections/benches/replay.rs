//! Replay benchmark: builds a SQLite log of a realistic mix of events (users, profile edits,
//! sessions, personas, API keys), then replays it into every projection and reports events/s,
//! time to ready, heap held by the projections per live user, and peak RSS.
//!
//! `cargo bench -p roster-projections --bench replay [-- EVENTS]` (default 1,000,000). The log
//! is generated once and kept under `target/bench-data/`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failure should stop it loudly

use cap::Cap;
use chrono::{Duration, TimeZone, Utc};
use roster_domain::admins::AdminsEvent;
use roster_domain::event::Event;
use roster_domain::ids::{ApiKeyId, PersonaId, SessionId, UserId};
use roster_domain::keyring::{ApiKeyAdded, KeyringEvent, SealedKey};
use roster_domain::persona::PersonaEvent;
use roster_domain::reservation::{EmailEvent, UsernameEvent};
use roster_domain::session::{EndReason, SessionEvent, SessionStarted};
use roster_domain::store::{Actor, EventStore, Expected, Metadata, NewEvent, StreamAppend};
use roster_domain::stream::KeyringOwner;
use roster_domain::user::{CreatedVia, ProfileUpdated, UserCreated, UserEvent};
use roster_domain::values::{
    DisplayName, Email, PasswordHash, Provider, ResourceName, TokenHash, Username,
};
use roster_projections::Projections;
use roster_store::SqliteStore;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use uuid::Uuid;

#[global_allocator]
static HEAP: Cap<mimalloc::MiMalloc> = Cap::new(mimalloc::MiMalloc, usize::MAX);

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$YmVuY2hzYWx0YmVuY2g$3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// The events of one user's life in the benchmark mix (about ten): created, one profile edit,
/// two logins (one used, then ended), one persona; every fifth user adds an API key of their
/// own, every tenth is made an admin.
fn user_life(n: u64) -> Vec<Event> {
    let user = UserId(Uuid::from_u64_pair(1, n));
    let name = format!("user{n:07}");
    let email = Email::parse(&format!("{name}@example.org")).unwrap();
    let mut events = vec![
        Event::User(
            user,
            UserEvent::Created(UserCreated {
                username: Username::parse(&name).unwrap(),
                display_name: DisplayName::parse(&format!("User {n}")).unwrap(),
                email: Some(email.clone()),
                password_hash: PasswordHash::from_phc(HASH.into()),
                is_admin: false,
                via: CreatedVia::Admin,
                must_change_password: false,
            }),
        ),
        Event::Username(name.clone(), UsernameEvent::Reserved { user_id: user }),
        Event::Email(email.key(), EmailEvent::Reserved { user_id: user }),
        Event::User(
            user,
            UserEvent::ProfileUpdated(ProfileUpdated {
                display_name: Some(DisplayName::parse(&format!("User Number {n}")).unwrap()),
                email: Some(Some(email)),
            }),
        ),
    ];
    let start = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
    for s in 0..2u64 {
        let session = SessionId(Uuid::from_u64_pair(2, n * 2 + s));
        events.push(Event::Session(
            session,
            SessionEvent::Started(SessionStarted {
                user_id: user,
                token_hash: TokenHash::parse(&format!("{:064x}", session.0.as_u128())).unwrap(),
                expires_at: start + Duration::days(3650),
                user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0".into()),
                ip: Some("192.0.2.10".into()),
                remember_me: s == 1,
            }),
        ));
    }
    let first_session = SessionId(Uuid::from_u64_pair(2, n * 2));
    events.push(Event::Session(
        first_session,
        SessionEvent::ActivityRecorded { at: start },
    ));
    events.push(Event::Session(
        first_session,
        SessionEvent::Ended {
            reason: EndReason::Logout,
        },
    ));
    events.push(Event::Persona(
        PersonaId(Uuid::from_u64_pair(3, n)),
        PersonaEvent::Created {
            owner: user,
            name: ResourceName::parse("Assistant").unwrap(),
        },
    ));
    if n.is_multiple_of(5) {
        events.push(Event::Keyring(
            KeyringOwner::User(user),
            KeyringEvent::Added(ApiKeyAdded {
                key_id: ApiKeyId(Uuid::from_u64_pair(4, n)),
                provider: Provider::parse("openai").unwrap(),
                name: ResourceName::parse("Work").unwrap(),
                sealed: SealedKey {
                    scheme: "xchacha20poly1305:v1".into(),
                    nonce: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into(),
                    ciphertext: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                        .into(),
                },
                last4: "wxyz".into(),
            }),
        ));
    }
    if n.is_multiple_of(10) {
        events.push(Event::User(user, UserEvent::AdminGranted {}));
        events.push(Event::Admins(AdminsEvent::Added { user_id: user }));
    }
    events
}

fn to_batch(events: Vec<Event>) -> Vec<StreamAppend> {
    let metadata = Metadata {
        actor: Actor::System,
        correlation_id: Uuid::now_v7(),
        causation_id: Uuid::now_v7(),
        occurred_at: Utc::now(),
    };
    let mut batch: Vec<StreamAppend> = Vec::new();
    for event in events {
        let stream = event.stream().to_string();
        let data = event.encode().unwrap();
        let new_event = NewEvent {
            event_id: Uuid::now_v7(),
            event_type: data.event_type.to_owned(),
            schema_version: data.schema_version,
            data: data.data,
            metadata: metadata.clone(),
        };
        match batch.iter_mut().find(|a| a.stream == stream) {
            Some(append) => append.events.push(new_event),
            None => batch.push(StreamAppend {
                stream,
                expected: Expected::Any,
                events: vec![new_event],
            }),
        }
    }
    batch
}

async fn generate(path: &PathBuf, target: u64) -> u64 {
    let store = SqliteStore::open(path).unwrap();
    let mut written = 0u64;
    let mut user = 0u64;
    while written < target {
        // One append per user keeps each batch's streams distinct; many in flight at once let
        // the store group-commit them.
        let mut pending = Vec::new();
        for _ in 0..256 {
            if written >= target {
                break;
            }
            let mut life = user_life(user);
            life.truncate((target - written) as usize);
            written += life.len() as u64;
            user += 1;
            pending.push(store.append(to_batch(life)));
        }
        for appended in futures::future::join_all(pending).await {
            appended.unwrap();
        }
    }
    store.close().await;
    user
}

/// Times each stage alone: reading rows (page by page, and through the live feed the runner
/// uses), decoding them, applying them.
async fn phases(store: &dyn EventStore) {
    use futures::StreamExt;
    use roster_domain::store::Position;
    let head = store.head().await.unwrap();
    let started = Instant::now();
    let mut feed = store.subscribe_all(Position::START);
    let mut fed = 0u64;
    while let Some(recorded) = feed.next().await {
        if recorded.unwrap().position >= head {
            break;
        }
        fed += 1;
    }
    let feed_rate = (fed + 1) as f64 / started.elapsed().as_secs_f64();
    drop(feed);

    // Pages are kept as read: one flat vector would time its own regrowth, not the store.
    let started = Instant::now();
    let mut pages = Vec::new();
    let mut after = Position::START;
    loop {
        let page = store.read_all(after, 4096).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.position;
        pages.push(page);
    }
    let read = started.elapsed();
    let started = Instant::now();
    let decoded: Vec<Vec<_>> = pages
        .iter()
        .map(|page| {
            page.iter()
                .map(|r| Event::decode(&r.stream, &r.event_type, &r.data).ok())
                .collect()
        })
        .collect();
    let decode = started.elapsed();
    let started = Instant::now();
    let mut models = roster_projections::ReadModels::default();
    for (page, events) in pages.iter().zip(decoded) {
        for (r, e) in page.iter().zip(events) {
            models.apply_decoded(r.position, &r.metadata, e);
        }
    }
    let apply = started.elapsed();
    let n = pages.iter().map(Vec::len).sum::<usize>() as f64;
    eprintln!(
        "phases: feed {feed_rate:.0}/s, read {:.0}/s, decode {:.0}/s, apply {:.0}/s",
        n / read.as_secs_f64(),
        n / decode.as_secs_f64(),
        n / apply.as_secs_f64()
    );
}

/// Heap held by each read model, per live user: measured by dropping them one by one.
fn heap_by_model(projections: &Projections, users: usize) {
    let mut models = projections.read(Clone::clone);
    let mut report = Vec::new();
    let mut measure = |name: &str,
                       models: &mut roster_projections::ReadModels,
                       drop_it: fn(&mut roster_projections::ReadModels)| {
        let before = HEAP.allocated();
        drop_it(models);
        report.push(format!(
            "{name} {:.0}",
            before.saturating_sub(HEAP.allocated()) as f64 / users.max(1) as f64
        ));
    };
    measure("audit", &mut models, |m| m.audit = Default::default());
    measure("sessions", &mut models, |m| m.sessions = Default::default());
    measure("owned", &mut models, |m| m.owned = Default::default());
    measure("users", &mut models, |m| m.users = Default::default());
    eprintln!("heap per live user by model (bytes): {}", report.join(", "));
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let target: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-data");
    let path = dir.join(format!("replay-{target}.db"));
    if !path.exists() {
        let tmp = dir.join(format!("replay-{target}.partial.db"));
        let _ = std::fs::remove_file(&tmp);
        let started = Instant::now();
        let users = generate(&tmp, target).await;
        std::fs::rename(&tmp, &path).unwrap();
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
        }
        eprintln!(
            "generated {target} events for {users} users in {:.1?}",
            started.elapsed()
        );
    }

    let store: Arc<dyn EventStore> = Arc::new(SqliteStore::open(&path).unwrap());
    if std::env::var_os("ROSTER_BENCH_PHASES").is_some() {
        phases(store.as_ref()).await;
    }
    let heap_before = HEAP.allocated();
    let projections = Projections::new(Duration::days(30));
    let started = Instant::now();
    let position = projections.replay(store.clone()).await.unwrap();
    let elapsed = started.elapsed();
    let (users, events_skipped, sessions) = projections.read(|m| {
        (
            m.users.count(),
            m.skipped(),
            m.totals(Utc.with_ymd_and_hms(2026, 6, 2, 0, 0, 0).unwrap())
                .active_sessions,
        )
    });
    let heap = HEAP.allocated().saturating_sub(heap_before);
    if std::env::var_os("ROSTER_BENCH_PHASES").is_some() {
        heap_by_model(&projections, users);
    }
    let events = position.0;
    println!(
        "{{\"bench\":\"replay\",\"events\":{events},\"live_users\":{users},\"active_sessions\":{sessions},\"skipped\":{events_skipped},\"seconds\":{:.3},\"events_per_s\":{:.0},\"projection_heap_bytes_per_user\":{:.0},\"peak_rss_kib\":{}}}",
        elapsed.as_secs_f64(),
        events as f64 / elapsed.as_secs_f64(),
        heap as f64 / users.max(1) as f64,
        peak_rss_kib(),
    );
}
