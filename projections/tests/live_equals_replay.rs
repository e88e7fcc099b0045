//! Property: whatever valid commands run, the projections that followed the log live equal,
//! field for field, projections rebuilt by a fresh replay of the same log.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test arrangement: a failure is a test failure

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use roster_domain::command_path::{CommandMeta, CommandPath, ExecuteError};
use roster_domain::decision::Command;
use roster_domain::ids::{ApiKeyId, PersonaId, SessionId, UserId};
use roster_domain::keyring::{AddApiKey, ApiKeyAdded, Provider, RemoveApiKey, SealedKey};
use roster_domain::persona::{CreatePersona, DeletePersona, RenamePersona, TransferPersona};
use roster_domain::session::{EndReason, EndSession, RecordSessionActivity, StartSession};
use roster_domain::store::{Actor, EventStore};
use roster_domain::stream::KeyringOwner;
use roster_domain::user::{
    ChangePassword, CreateUser, CreatedVia, DeleteUser, DisableUser, EnableUser, GrantAdmin,
    ResetPassword, RevokeAdmin, UpdateProfile,
};
use roster_domain::values::{DisplayName, Email, PasswordHash, ResourceName, TokenHash, Username};
use roster_projections::Projections;
use roster_store::MemoryStore;
use std::sync::Arc;
use std::time::Duration as StdDuration;
use uuid::Uuid;

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";

/// One step of a scenario; indexes pick among the things created so far.
#[derive(Debug, Clone)]
enum Step {
    CreateUser { name: u8, admin: bool },
    UpdateProfile { user: usize, name: u8, email: bool },
    GrantAdmin { user: usize },
    RevokeAdmin { user: usize },
    ResetPassword { user: usize, revoke: bool },
    ChangePassword { user: usize, keep: usize },
    Disable { user: usize },
    Enable { user: usize },
    Delete { user: usize },
    Login { user: usize },
    Logout { session: usize },
    Activity { session: usize },
    CreatePersona { user: usize },
    RenamePersona { persona: usize, name: u8 },
    TransferPersona { persona: usize, user: usize },
    DeletePersona { persona: usize },
    AddKey { user: usize, provider: u8 },
    RemoveKey { key: usize },
    Wait { minutes: u16 },
}

fn step() -> impl Strategy<Value = Step> {
    let i = || 0usize..12;
    prop_oneof![
        3 => (0u8..20, any::<bool>()).prop_map(|(name, admin)| Step::CreateUser { name, admin }),
        1 => (i(), 0u8..20, any::<bool>()).prop_map(|(user, name, email)| Step::UpdateProfile { user, name, email }),
        1 => i().prop_map(|user| Step::GrantAdmin { user }),
        1 => i().prop_map(|user| Step::RevokeAdmin { user }),
        1 => (i(), any::<bool>()).prop_map(|(user, revoke)| Step::ResetPassword { user, revoke }),
        1 => (i(), i()).prop_map(|(user, keep)| Step::ChangePassword { user, keep }),
        1 => i().prop_map(|user| Step::Disable { user }),
        1 => i().prop_map(|user| Step::Enable { user }),
        1 => i().prop_map(|user| Step::Delete { user }),
        3 => i().prop_map(|user| Step::Login { user }),
        1 => i().prop_map(|session| Step::Logout { session }),
        1 => i().prop_map(|session| Step::Activity { session }),
        2 => i().prop_map(|user| Step::CreatePersona { user }),
        1 => (i(), 0u8..20).prop_map(|(persona, name)| Step::RenamePersona { persona, name }),
        1 => (i(), i()).prop_map(|(persona, user)| Step::TransferPersona { persona, user }),
        1 => i().prop_map(|persona| Step::DeletePersona { persona }),
        2 => (i(), 0u8..3).prop_map(|(user, provider)| Step::AddKey { user, provider }),
        1 => i().prop_map(|key| Step::RemoveKey { key }),
        1 => (1u16..600).prop_map(|minutes| Step::Wait { minutes }),
    ]
}

struct Scenario {
    path: CommandPath,
    now: DateTime<Utc>,
    root: UserId,
    users: Vec<UserId>,
    sessions: Vec<(SessionId, UserId)>,
    personas: Vec<PersonaId>,
    keys: Vec<(ApiKeyId, UserId)>,
}

fn pick<T: Copy>(items: &[T], index: usize) -> Option<T> {
    (!items.is_empty()).then(|| items[index % items.len()])
}

impl Scenario {
    async fn run<C: Command>(&self, actor: Actor, command: C) {
        let meta = CommandMeta {
            actor,
            command_id: Uuid::now_v7(),
            correlation_id: Uuid::now_v7(),
            occurred_at: self.now,
        };
        match self.path.execute(meta, &command).await {
            Ok(_) | Err(ExecuteError::Rejected(_)) => {}
            Err(other) => panic!("command path failed: {other}"),
        }
    }

    fn admin(&self) -> Actor {
        Actor::User(self.root.0)
    }

    async fn create_user(&mut self, name: String, admin: bool, actor: Actor) -> UserId {
        let id = UserId(Uuid::now_v7());
        self.run(
            actor,
            CreateUser {
                user_id: id,
                username: Username::parse(&name).unwrap(),
                display_name: DisplayName::parse(&format!("User {name}")).unwrap(),
                email: Some(Email::parse(&format!("{name}@example.org")).unwrap()),
                password_hash: PasswordHash::from_phc(HASH.into()),
                is_admin: admin,
                must_change_password: false,
                via: CreatedVia::Admin,
            },
        )
        .await;
        self.users.push(id);
        id
    }

    async fn apply(&mut self, step: Step) {
        let hash = || PasswordHash::from_phc(HASH.into());
        let admin = self.admin();
        match step {
            Step::CreateUser {
                name,
                admin: is_admin,
            } => {
                self.create_user(format!("user{name}"), is_admin, admin)
                    .await;
            }
            Step::UpdateProfile { user, name, email } => {
                let Some(user) = pick(&self.users, user) else {
                    return;
                };
                let email =
                    email.then(|| Email::parse(&format!("mail{name}@example.org")).unwrap());
                let display_name = DisplayName::parse(&format!("Renamed {name}")).unwrap();
                self.run(
                    admin,
                    UpdateProfile {
                        user_id: user,
                        display_name,
                        email,
                    },
                )
                .await;
            }
            Step::GrantAdmin { user } => {
                let Some(user_id) = pick(&self.users, user) else {
                    return;
                };
                self.run(admin, GrantAdmin { user_id }).await;
            }
            Step::RevokeAdmin { user } => {
                let Some(user_id) = pick(&self.users, user) else {
                    return;
                };
                self.run(admin, RevokeAdmin { user_id }).await;
            }
            Step::ResetPassword { user, revoke } => {
                let Some(user_id) = pick(&self.users, user) else {
                    return;
                };
                let command = ResetPassword {
                    user_id,
                    password_hash: hash(),
                    revoke_sessions: revoke,
                    require_change: revoke,
                };
                self.run(admin, command).await;
            }
            Step::ChangePassword { user, keep } => {
                let Some(user_id) = pick(&self.users, user) else {
                    return;
                };
                let current_session = pick(&self.sessions, keep).map(|(id, _)| id);
                let command = ChangePassword {
                    user_id,
                    verified_against: Some(hash()),
                    new_password_hash: hash(),
                    current_session,
                };
                self.run(Actor::User(user_id.0), command).await;
            }
            Step::Disable { user } => {
                let Some(user_id) = pick(&self.users, user) else {
                    return;
                };
                self.run(admin, DisableUser { user_id }).await;
            }
            Step::Enable { user } => {
                let Some(user_id) = pick(&self.users, user) else {
                    return;
                };
                self.run(admin, EnableUser { user_id }).await;
            }
            Step::Delete { user } => {
                let Some(user_id) = pick(&self.users, user) else {
                    return;
                };
                self.run(admin, DeleteUser { user_id }).await;
            }
            Step::Login { user } => {
                let Some(user_id) = pick(&self.users, user) else {
                    return;
                };
                let session_id = SessionId(Uuid::now_v7());
                let command = StartSession {
                    session_id,
                    user_id,
                    verified_against: Some(hash()),
                    token_hash: TokenHash::parse(&format!("{:064x}", session_id.0.as_u128()))
                        .unwrap(),
                    expires_at: self.now + Duration::days(1),
                    user_agent: Some("proptest".into()),
                    ip: None,
                    remember_me: false,
                };
                self.run(Actor::User(user_id.0), command).await;
                self.sessions.push((session_id, user_id));
            }
            Step::Logout { session } => {
                let Some((session_id, user)) = pick(&self.sessions, session) else {
                    return;
                };
                let command = EndSession {
                    session_id,
                    reason: EndReason::Logout,
                };
                self.run(Actor::User(user.0), command).await;
            }
            Step::Activity { session } => {
                let Some((session_id, user)) = pick(&self.sessions, session) else {
                    return;
                };
                self.run(
                    Actor::User(user.0),
                    RecordSessionActivity {
                        session_id,
                        at: self.now,
                    },
                )
                .await;
            }
            Step::CreatePersona { user } => {
                let Some(owner) = pick(&self.users, user) else {
                    return;
                };
                let persona_id = PersonaId(Uuid::now_v7());
                let name = ResourceName::parse("Persona").unwrap();
                self.run(
                    Actor::User(owner.0),
                    CreatePersona {
                        persona_id,
                        owner,
                        name,
                    },
                )
                .await;
                self.personas.push(persona_id);
            }
            Step::RenamePersona { persona, name } => {
                let Some(persona_id) = pick(&self.personas, persona) else {
                    return;
                };
                let name = ResourceName::parse(&format!("Persona {name}")).unwrap();
                self.run(admin, RenamePersona { persona_id, name }).await;
            }
            Step::TransferPersona { persona, user } => {
                let (Some(persona_id), Some(to)) =
                    (pick(&self.personas, persona), pick(&self.users, user))
                else {
                    return;
                };
                self.run(admin, TransferPersona { persona_id, to }).await;
            }
            Step::DeletePersona { persona } => {
                let Some(persona_id) = pick(&self.personas, persona) else {
                    return;
                };
                self.run(admin, DeletePersona { persona_id }).await;
            }
            Step::AddKey { user, provider } => {
                let Some(owner) = pick(&self.users, user) else {
                    return;
                };
                let key_id = ApiKeyId(Uuid::now_v7());
                let key = ApiKeyAdded {
                    key_id,
                    provider: Provider::parse(
                        ["openai", "anthropic", "mistral"][provider as usize],
                    )
                    .unwrap(),
                    name: ResourceName::parse("Key").unwrap(),
                    sealed: SealedKey {
                        scheme: "test".into(),
                        nonce: "n".into(),
                        ciphertext: "c".into(),
                    },
                    last4: "wxyz".into(),
                };
                self.run(
                    Actor::User(owner.0),
                    AddApiKey {
                        owner: KeyringOwner::User(owner),
                        key,
                    },
                )
                .await;
                self.keys.push((key_id, owner));
            }
            Step::RemoveKey { key } => {
                let Some((key_id, owner)) = pick(&self.keys, key) else {
                    return;
                };
                self.run(
                    admin,
                    RemoveApiKey {
                        owner: KeyringOwner::User(owner),
                        key_id,
                    },
                )
                .await;
            }
            Step::Wait { minutes } => self.now += Duration::minutes(i64::from(minutes)),
        }
    }
}

async fn live_and_replayed(steps: Vec<Step>) {
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    let live = Projections::new(Duration::hours(2));
    let follower = live.follow(store.clone());
    let mut scenario = Scenario {
        path: CommandPath::new(store.clone(), Arc::new(Uuid::now_v7)),
        now: Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap(),
        root: UserId(Uuid::nil()),
        users: vec![],
        sessions: vec![],
        personas: vec![],
        keys: vec![],
    };
    scenario.root = scenario
        .create_user("root".into(), true, Actor::System)
        .await;
    for step in steps {
        scenario.apply(step).await;
    }

    let head = store.head().await.unwrap();
    live.wait_for(head, StdDuration::from_secs(10))
        .await
        .unwrap();
    follower.abort();
    let replayed = Projections::new(Duration::hours(2));
    assert_eq!(replayed.replay(store).await.unwrap(), head);

    let (live, replayed) = (live.read(Clone::clone), replayed.read(Clone::clone));
    assert_eq!(live.users, replayed.users);
    assert_eq!(live.sessions, replayed.sessions);
    assert_eq!(live.owned, replayed.owned);
    assert_eq!(live.audit, replayed.audit);
    assert_eq!(live, replayed);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn live_projections_equal_a_fresh_replay(steps in prop::collection::vec(step(), 1..120)) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(live_and_replayed(steps));
    }
}
