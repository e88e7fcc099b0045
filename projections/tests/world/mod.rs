//! A small in-memory world for read-model tests: commands are decided by the real domain
//! against the history so far, and their events applied to the read models at increasing
//! positions, at a time the test controls.

#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use roster_domain::decision::Command;
use roster_domain::event::Event;
use roster_domain::ids::ApiKeyId;
use roster_domain::ids::{PersonaId, SessionId, UserId};
use roster_domain::keyring::{AddApiKey, ApiKeyAdded, SealedKey};
use roster_domain::persona::CreatePersona;
use roster_domain::session::{RecordSessionActivity, StartSession};
use roster_domain::store::{Actor, Metadata, Position};
use roster_domain::stream::KeyringOwner;
use roster_domain::testing::decide;
use roster_domain::user::{CreateUser, CreatedVia};
use roster_domain::values::{
    DisplayName, Email, PasswordHash, Provider, ResourceName, TokenHash, Username,
};
use roster_projections::ReadModels;
use uuid::Uuid;

pub const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";

/// A key "sealed" as `ciphertext`: the read models never open one.
pub fn sealed(ciphertext: &str) -> SealedKey {
    SealedKey {
        scheme: "test".into(),
        nonce: "n".into(),
        ciphertext: ciphertext.into(),
    }
}

pub struct World {
    pub history: Vec<Event>,
    pub models: ReadModels,
    pub position: u64,
    pub now: DateTime<Utc>,
    pub root: UserId,
}

impl World {
    /// A world with one administrator, `root`, and sessions that idle out after an hour.
    pub fn new() -> World {
        let mut world = World {
            history: vec![],
            models: ReadModels::with_idle_timeout(Duration::hours(1)),
            position: 0,
            now: Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap(),
            root: UserId(Uuid::nil()),
        };
        world.root = world.user("root", true);
        world
    }

    pub fn tick(&mut self, by: Duration) {
        self.now += by;
    }

    pub fn exec<C: Command>(&mut self, actor: Actor, command: C) -> Result<Vec<Event>, C::Error> {
        let events = decide(&self.history, actor, &command)?;
        for event in &events {
            self.position += 1;
            let metadata = Metadata {
                actor,
                correlation_id: Uuid::nil(),
                causation_id: Uuid::nil(),
                occurred_at: self.now,
            };
            self.models
                .apply_decoded(Position(self.position), &metadata, Some(event.clone()));
            self.history.push(event.clone());
        }
        Ok(events)
    }

    #[track_caller]
    pub fn ok<C: Command>(&mut self, actor: Actor, command: C) {
        if let Err(e) = self.exec(actor, command) {
            panic!("command refused: {e:?}");
        }
    }

    pub fn admin(&self) -> Actor {
        Actor::User(self.root.0)
    }

    /// Creates a user (display name "<Name> Example", email <name>@example.org).
    pub fn user(&mut self, username: &str, is_admin: bool) -> UserId {
        let id = UserId(Uuid::now_v7());
        let mut display = username.to_owned();
        display[..1].make_ascii_uppercase();
        self.ok(
            Actor::System,
            CreateUser {
                user_id: id,
                username: Username::parse(username).unwrap(),
                display_name: DisplayName::parse(&format!("{display} Example")).unwrap(),
                email: Some(Email::parse(&format!("{username}@example.org")).unwrap()),
                password_hash: PasswordHash::from_phc(HASH.into()),
                is_admin,
                must_change_password: false,
                via: CreatedVia::Admin,
            },
        );
        id
    }

    /// Creates `count` users, "user0" first (see [`World::user`]).
    pub fn numbered_users(&mut self, count: usize) -> Vec<UserId> {
        (0..count)
            .map(|i| self.user(&format!("user{i}"), false))
            .collect()
    }

    /// Logs `user` in; the session expires after `lifetime`. Returns its id and token hash.
    pub fn login(&mut self, user: UserId, lifetime: Duration) -> (SessionId, String) {
        let id = SessionId(Uuid::now_v7());
        let token_hash = format!("{:064x}", id.0.as_u128());
        self.ok(
            Actor::User(user.0),
            StartSession {
                session_id: id,
                user_id: user,
                verified_against: Some(PasswordHash::from_phc(HASH.into())),
                token_hash: TokenHash::parse(&token_hash).unwrap(),
                expires_at: self.now + lifetime,
                user_agent: Some("tests".into()),
                ip: Some("127.0.0.1".into()),
                remember_me: false,
            },
        );
        (id, token_hash)
    }

    /// Records that `owner` used `session` now.
    pub fn use_session(&mut self, owner: UserId, session: SessionId) {
        self.ok(
            Actor::User(owner.0),
            RecordSessionActivity {
                session_id: session,
                at: self.now,
            },
        );
    }

    /// The ids of `user`'s active sessions, newest first.
    pub fn session_ids(&self, user: UserId) -> Vec<SessionId> {
        self.models
            .sessions
            .of_user(user, self.now)
            .iter()
            .map(|s| s.id)
            .collect()
    }

    pub fn persona(&mut self, owner: UserId, name: &str) -> PersonaId {
        let id = PersonaId(Uuid::now_v7());
        self.ok(
            Actor::User(owner.0),
            CreatePersona {
                persona_id: id,
                owner,
                name: ResourceName::parse(name).unwrap(),
            },
        );
        id
    }

    pub fn api_key(&mut self, owner: UserId, provider: &str) -> ApiKeyId {
        let id = ApiKeyId(Uuid::now_v7());
        self.ok(
            Actor::User(owner.0),
            AddApiKey {
                owner: KeyringOwner::User(owner),
                key: ApiKeyAdded {
                    key_id: id,
                    provider: Provider::parse(provider).unwrap(),
                    name: ResourceName::parse("key").unwrap(),
                    sealed: sealed("c"),
                    last4: "abcd".into(),
                },
            },
        );
        id
    }
}
