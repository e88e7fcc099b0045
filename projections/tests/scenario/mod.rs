//! Random but valid-looking histories for the replay property: steps that pick among the
//! users, sessions and belongings created so far, run through the real command path into a
//! store. Many steps are refused by the domain (a name taken, a user deleted); each step
//! reports whether it was accepted, so the property can tell a generator that reaches every
//! command from one whose commands are all refused.
//!
//! One file on purpose: the generator's steps share the state they pick from, and reading them
//! side by side shows which event kinds the property reaches.

#![allow(dead_code)]

pub mod coverage;

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use roster_domain::challenge::{CompleteLoginChallenge, IssueLoginChallenge};
use roster_domain::command_path::{CommandMeta, CommandPath, ExecuteError};
use roster_domain::decision::Command;
use roster_domain::idempotency::{
    AbandonIdempotentRequest, CompleteIdempotentRequest, IdempotentAnswer, StartIdempotentRequest,
};
use roster_domain::ids::{AnnotationId, ApiKeyId, OntologyId, PersonaId, SessionId, UserId};
use roster_domain::keyring::{
    AddApiKey, ApiKeyAdded, ApiKeyReplaced, RemoveApiKey, ReplaceApiKey, SealedKey,
};
use roster_domain::persona::{CreatePersona, DeletePersona, RenamePersona, TransferPersona};
use roster_domain::resource::{CreateAnnotation, CreateOntology, DeleteAnnotation, DeleteOntology};
use roster_domain::session::{
    EndReason, EndSession, RecordSessionActivity, SessionStarted, StartSession,
};
use roster_domain::store::{Actor, EventStore};
use roster_domain::stream::KeyringOwner;
use roster_domain::totp::{
    ConfirmTotp, DisableTotp, RECOVERY_CODES, RemoveTotp, SealedSecret, SecondFactorProof,
    StartTotpEnrollment,
};
use roster_domain::user::{
    ChangePassword, CreateUser, CreatedVia, DeleteUser, DisableUser, EnableUser, GrantAdmin,
    ResetPassword, RevokeAdmin, UpdateProfile,
};
use roster_domain::values::{
    DisplayName, Email, PasswordHash, Provider, ResourceName, TokenHash, Username,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use uuid::Uuid;

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";

/// How the generator writes a username: the same name in other letter cases is the same
/// reservation, so these collide with each other and take a released name back.
const CASES: [&str; 4] = ["user", "User", "USER", "uSeR"];

/// Display names, some of them with letters that fold to more than ASCII lowercase.
const DISPLAY_NAMES: [&str; 4] = ["User", "Ödön", "ΟΔΟΣ", "İris"];

/// One step of a scenario; indexes pick among the things created so far.
#[derive(Debug, Clone)]
pub enum Step {
    CreateUser {
        name: u8,
        case: u8,
        admin: bool,
        email: bool,
        must_change_password: bool,
        display: u8,
    },
    Register {
        name: u8,
        case: u8,
        email: bool,
    },
    UpdateProfile {
        user: usize,
        name: u8,
        email: bool,
        display: u8,
    },
    GrantAdmin {
        user: usize,
    },
    RevokeAdmin {
        user: usize,
    },
    ResetPassword {
        user: usize,
        revoke: bool,
        require_change: bool,
    },
    ChangePassword {
        user: usize,
        keep: usize,
    },
    Disable {
        user: usize,
    },
    Enable {
        user: usize,
    },
    Delete {
        user: usize,
    },
    Login {
        user: usize,
        hours: u8,
        remember_me: bool,
    },
    Logout {
        session: usize,
    },
    /// An administrator ends someone's session (a disabled user's too).
    Revoke {
        session: usize,
    },
    Activity {
        session: usize,
    },
    CreatePersona {
        user: usize,
    },
    RenamePersona {
        persona: usize,
        name: u8,
    },
    TransferPersona {
        persona: usize,
        user: usize,
    },
    DeletePersona {
        persona: usize,
    },
    CreateOntology {
        user: usize,
    },
    DeleteOntology {
        ontology: usize,
    },
    CreateAnnotation {
        user: usize,
    },
    DeleteAnnotation {
        annotation: usize,
    },
    /// A key for a user (`Some`) or for the system keyring (`None`).
    AddKey {
        owner: Option<usize>,
        provider: u8,
    },
    ReplaceKey {
        key: usize,
        last4: u8,
    },
    RemoveKey {
        key: usize,
    },
    /// A user enrols TOTP secret number `secret`.
    EnrollTotp {
        user: usize,
        secret: u8,
    },
    /// A user confirms their pending enrolment (with a code that matched, or not).
    ConfirmTotp {
        user: usize,
        right: bool,
    },
    /// A user with two-factor authentication on gives the right password.
    LoginChallenge {
        user: usize,
        remember_me: bool,
    },
    /// A challenge is completed with the next code, a recovery code, or a code from the past.
    CompleteChallenge {
        challenge: usize,
        proof: u8,
        hours: u8,
    },
    DisableTotp {
        user: usize,
        recovery: bool,
    },
    RemoveTotp {
        user: usize,
    },
    /// A request arrives with idempotency key number `key`; `request` picks its fingerprint.
    StartRequest {
        key: u8,
        request: u8,
    },
    /// A running request is answered, or fails with a server error.
    EndRequest {
        request: usize,
        answered: bool,
    },
    Wait {
        minutes: u16,
    },
}

impl Step {
    /// The step's kind, as its variant is named.
    pub fn kind(&self) -> String {
        let debug = format!("{self:?}");
        debug
            .split([' ', '{'])
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    /// Every kind of step that runs a command.
    pub const COMMANDS: [&'static str; 33] = [
        "CreateUser",
        "Register",
        "UpdateProfile",
        "GrantAdmin",
        "RevokeAdmin",
        "ResetPassword",
        "ChangePassword",
        "Disable",
        "Enable",
        "Delete",
        "Login",
        "Logout",
        "Revoke",
        "Activity",
        "CreatePersona",
        "RenamePersona",
        "TransferPersona",
        "DeletePersona",
        "CreateOntology",
        "DeleteOntology",
        "CreateAnnotation",
        "DeleteAnnotation",
        "AddKey",
        "ReplaceKey",
        "RemoveKey",
        "EnrollTotp",
        "ConfirmTotp",
        "LoginChallenge",
        "CompleteChallenge",
        "DisableTotp",
        "RemoveTotp",
        "StartRequest",
        "EndRequest",
    ];
}

pub fn step() -> impl Strategy<Value = Step> {
    let i = || 0usize..12;
    let name = || 0u8..16;
    prop_oneof![
        3 => (name(), 0u8..4, any::<bool>(), any::<bool>(), any::<bool>(), 0u8..4).prop_map(
            |(name, case, admin, email, must_change_password, display)| Step::CreateUser {
                name, case, admin, email, must_change_password, display,
            }
        ),
        1 => (name(), 0u8..4, any::<bool>())
            .prop_map(|(name, case, email)| Step::Register { name, case, email }),
        1 => (i(), name(), any::<bool>(), 0u8..4).prop_map(|(user, name, email, display)| {
            Step::UpdateProfile { user, name, email, display }
        }),
        1 => i().prop_map(|user| Step::GrantAdmin { user }),
        1 => i().prop_map(|user| Step::RevokeAdmin { user }),
        1 => (i(), any::<bool>(), any::<bool>()).prop_map(|(user, revoke, require_change)| {
            Step::ResetPassword { user, revoke, require_change }
        }),
        1 => (i(), i()).prop_map(|(user, keep)| Step::ChangePassword { user, keep }),
        1 => i().prop_map(|user| Step::Disable { user }),
        2 => i().prop_map(|user| Step::Enable { user }),
        1 => i().prop_map(|user| Step::Delete { user }),
        3 => (i(), 1u8..48, any::<bool>()).prop_map(|(user, hours, remember_me)| {
            Step::Login { user, hours, remember_me }
        }),
        1 => i().prop_map(|session| Step::Logout { session }),
        1 => i().prop_map(|session| Step::Revoke { session }),
        2 => i().prop_map(|session| Step::Activity { session }),
        2 => i().prop_map(|user| Step::CreatePersona { user }),
        1 => (i(), name()).prop_map(|(persona, name)| Step::RenamePersona { persona, name }),
        1 => (i(), i()).prop_map(|(persona, user)| Step::TransferPersona { persona, user }),
        1 => i().prop_map(|persona| Step::DeletePersona { persona }),
        1 => i().prop_map(|user| Step::CreateOntology { user }),
        1 => i().prop_map(|ontology| Step::DeleteOntology { ontology }),
        1 => i().prop_map(|user| Step::CreateAnnotation { user }),
        1 => i().prop_map(|annotation| Step::DeleteAnnotation { annotation }),
        2 => (prop::option::weighted(0.75, i()), 0u8..3)
            .prop_map(|(owner, provider)| Step::AddKey { owner, provider }),
        1 => (i(), any::<u8>()).prop_map(|(key, last4)| Step::ReplaceKey { key, last4 }),
        1 => i().prop_map(|key| Step::RemoveKey { key }),
        2 => (i(), 0u8..3).prop_map(|(user, secret)| Step::EnrollTotp { user, secret }),
        2 => (i(), prop::bool::weighted(0.8))
            .prop_map(|(user, right)| Step::ConfirmTotp { user, right }),
        3 => (i(), any::<bool>())
            .prop_map(|(user, remember_me)| Step::LoginChallenge { user, remember_me }),
        // Good proofs (the next code, a recovery code) twice as often as bad ones: each ends a
        // chain of steps (enrol, confirm, challenge) that few cases complete.
        4 => (i(), prop_oneof![2 => 0u8..2, 1 => 2u8..4], 1u8..48).prop_map(|(challenge, proof, hours)| {
            Step::CompleteChallenge { challenge, proof, hours }
        }),
        1 => (i(), any::<bool>()).prop_map(|(user, recovery)| Step::DisableTotp { user, recovery }),
        1 => i().prop_map(|user| Step::RemoveTotp { user }),
        1 => (0u8..4, 0u8..2).prop_map(|(key, request)| Step::StartRequest { key, request }),
        1 => (i(), any::<bool>())
            .prop_map(|(request, answered)| Step::EndRequest { request, answered }),
        1 => (1u16..600).prop_map(|minutes| Step::Wait { minutes }),
    ]
}

/// The world a scenario runs in: the command path, its clock, and what exists so far.
pub struct Scenario {
    path: CommandPath,
    pub now: DateTime<Utc>,
    root: UserId,
    users: Vec<UserId>,
    sessions: Vec<(SessionId, UserId)>,
    personas: Vec<PersonaId>,
    ontologies: Vec<OntologyId>,
    annotations: Vec<AnnotationId>,
    keys: Vec<(ApiKeyId, KeyringOwner)>,
    /// What each user enrolled, as far as the domain accepted it.
    totp: BTreeMap<UserId, TotpFixture>,
    /// Challenges issued: their hash, user and "remember me".
    challenges: Vec<(TokenHash, UserId, bool)>,
    /// Requests started under an idempotency key: the key's hash and when it started.
    requests: Vec<(TokenHash, DateTime<Utc>)>,
    /// Hands out time steps, recovery codes and challenge tokens, each different.
    counter: u64,
}

/// A user's second factor, as the scenario enrolled it.
#[derive(Debug, Clone, Default)]
struct TotpFixture {
    /// The secret enrolled last (pending until confirmed).
    pending: Option<u8>,
    /// The secret in force, and its recovery codes (used ones included).
    on: Option<(u8, Vec<TokenHash>)>,
}

fn sealed_secret(n: u8) -> SealedSecret {
    SealedSecret {
        scheme: "test".into(),
        nonce: format!("n{n}"),
        ciphertext: format!("s{n}"),
    }
}

fn pick<T: Copy>(items: &[T], index: usize) -> Option<T> {
    (!items.is_empty()).then(|| items[index % items.len()])
}

/// Keeps `item` among those steps pick from if its command was accepted; passes that on.
fn remember<T>(items: &mut Vec<T>, item: T, accepted: bool) -> bool {
    if accepted {
        items.push(item);
    }
    accepted
}

fn hash() -> PasswordHash {
    PasswordHash::from_phc(HASH.into())
}

fn sealed(n: u8) -> SealedKey {
    SealedKey {
        scheme: "test".into(),
        nonce: format!("n{n}"),
        ciphertext: format!("c{n}"),
    }
}

impl Scenario {
    /// A store whose first user, the administrator `root`, was bootstrapped.
    pub async fn bootstrapped(store: Arc<dyn EventStore>) -> Scenario {
        let mut scenario = Scenario {
            path: CommandPath::new(store, Arc::new(Uuid::now_v7)),
            now: Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap(),
            root: UserId(Uuid::nil()),
            users: vec![],
            sessions: vec![],
            personas: vec![],
            ontologies: vec![],
            annotations: vec![],
            keys: vec![],
            totp: BTreeMap::new(),
            challenges: vec![],
            requests: vec![],
            counter: 1_000,
        };
        let root = UserId(Uuid::now_v7());
        let bootstrap = CreateUser {
            user_id: root,
            username: Username::parse("Root").unwrap(),
            display_name: DisplayName::parse("Administrator").unwrap(),
            email: None,
            password_hash: hash(),
            is_admin: true,
            must_change_password: true,
            via: CreatedVia::Bootstrap,
        };
        assert!(scenario.run(Actor::System, bootstrap).await, "bootstrap");
        scenario.root = root;
        scenario.users.push(root);
        scenario
    }

    /// Runs `command`; whether the domain accepted it.
    async fn run<C: Command>(&self, actor: Actor, command: C) -> bool {
        let meta = CommandMeta {
            actor,
            command_id: Uuid::now_v7(),
            correlation_id: Uuid::now_v7(),
            occurred_at: self.now,
        };
        match self.path.execute(meta, &command).await {
            Ok(_) => true,
            Err(ExecuteError::Rejected(_)) => false,
            Err(other) => panic!("command path failed: {other}"),
        }
    }

    fn admin(&self) -> Actor {
        Actor::User(self.root.0)
    }

    fn user(&self, index: usize) -> Option<UserId> {
        pick(&self.users, index)
    }

    /// Runs one step; whether it ran a command that the domain accepted.
    pub async fn apply(&mut self, step: Step) -> bool {
        let admin = self.admin();
        match step {
            Step::CreateUser {
                name,
                case,
                admin: is_admin,
                email,
                must_change_password,
                display,
            } => {
                let via = CreatedVia::Admin;
                let id = UserId(Uuid::now_v7());
                let command = new_user(id, name, case, email, display, via);
                let command = CreateUser {
                    is_admin,
                    must_change_password,
                    ..command
                };
                self.created(id, admin, command).await
            }
            Step::Register { name, case, email } => {
                let id = UserId(Uuid::now_v7());
                let command = new_user(id, name, case, email, 0, CreatedVia::Registration);
                self.created(id, Actor::User(id.0), command).await
            }
            Step::UpdateProfile {
                user,
                name,
                email,
                display,
            } => {
                let Some(user_id) = self.user(user) else {
                    return false;
                };
                let command = UpdateProfile {
                    user_id,
                    display_name: display_name(display, name),
                    email: email.then(|| Email::parse(&format!("Mail{name}@Example.org")).unwrap()),
                };
                self.run(admin, command).await
            }
            Step::GrantAdmin { user } => self.on_user(user, |user_id| GrantAdmin { user_id }).await,
            Step::RevokeAdmin { user } => {
                self.on_user(user, |user_id| RevokeAdmin { user_id }).await
            }
            Step::ResetPassword {
                user,
                revoke,
                require_change,
            } => {
                let Some(user_id) = self.user(user) else {
                    return false;
                };
                let command = ResetPassword {
                    user_id,
                    password_hash: hash(),
                    revoke_sessions: revoke,
                    require_change,
                };
                self.run(admin, command).await
            }
            Step::ChangePassword { user, keep } => {
                let Some(user_id) = self.user(user) else {
                    return false;
                };
                let command = ChangePassword {
                    user_id,
                    verified_against: Some(hash()),
                    new_password_hash: hash(),
                    current_session: pick(&self.sessions, keep).map(|(id, _)| id),
                };
                self.run(Actor::User(user_id.0), command).await
            }
            Step::Disable { user } => self.on_user(user, |user_id| DisableUser { user_id }).await,
            Step::Enable { user } => self.on_user(user, |user_id| EnableUser { user_id }).await,
            Step::Delete { user } => self.on_user(user, |user_id| DeleteUser { user_id }).await,
            Step::Login {
                user,
                hours,
                remember_me,
            } => {
                let Some(user_id) = self.user(user) else {
                    return false;
                };
                let session_id = SessionId(Uuid::now_v7());
                let command = StartSession {
                    session_id,
                    user_id,
                    verified_against: Some(hash()),
                    token_hash: TokenHash::parse(&format!("{:064x}", session_id.0.as_u128()))
                        .unwrap(),
                    expires_at: self.now + Duration::hours(i64::from(hours)),
                    user_agent: Some(["proptest", "other agent"][usize::from(hours % 2)].into()),
                    ip: remember_me.then(|| "192.0.2.1".into()),
                    remember_me,
                };
                let accepted = self.run(Actor::User(user_id.0), command).await;
                remember(&mut self.sessions, (session_id, user_id), accepted)
            }
            Step::Logout { session } => self.end_session(session, EndReason::Logout, None).await,
            Step::Revoke { session } => {
                self.end_session(session, EndReason::Revoked, Some(admin))
                    .await
            }
            Step::Activity { session } => {
                let Some((session_id, user)) = pick(&self.sessions, session) else {
                    return false;
                };
                let command = RecordSessionActivity {
                    session_id,
                    at: self.now,
                };
                self.run(Actor::User(user.0), command).await
            }
            Step::CreatePersona { user } => {
                let persona_id = PersonaId(Uuid::now_v7());
                let name = ResourceName::parse("Persona").unwrap();
                let command = |owner| CreatePersona {
                    persona_id,
                    owner,
                    name,
                };
                let accepted = self.as_owner(user, command).await;
                remember(&mut self.personas, persona_id, accepted)
            }
            Step::RenamePersona { persona, name } => {
                let name = ResourceName::parse(&format!("Persona {name}")).unwrap();
                let command = |persona_id| RenamePersona { persona_id, name };
                self.on_picked(&self.personas, persona, command).await
            }
            Step::TransferPersona { persona, user } => {
                let (Some(persona_id), Some(to)) = (pick(&self.personas, persona), self.user(user))
                else {
                    return false;
                };
                self.run(admin, TransferPersona { persona_id, to }).await
            }
            Step::DeletePersona { persona } => {
                let command = |persona_id| DeletePersona { persona_id };
                self.on_picked(&self.personas, persona, command).await
            }
            Step::CreateOntology { user } => {
                let id = OntologyId(Uuid::now_v7());
                let name = ResourceName::parse("Birds").unwrap();
                let command = |owner| CreateOntology { id, owner, name };
                let accepted = self.as_owner(user, command).await;
                remember(&mut self.ontologies, id, accepted)
            }
            Step::DeleteOntology { ontology } => {
                let command = |id| DeleteOntology { id };
                self.on_picked(&self.ontologies, ontology, command).await
            }
            Step::CreateAnnotation { user } => {
                let id = AnnotationId(Uuid::now_v7());
                let name = ResourceName::parse("Robin").unwrap();
                let command = |owner| CreateAnnotation { id, owner, name };
                let accepted = self.as_owner(user, command).await;
                remember(&mut self.annotations, id, accepted)
            }
            Step::DeleteAnnotation { annotation } => {
                let command = |id| DeleteAnnotation { id };
                self.on_picked(&self.annotations, annotation, command).await
            }
            Step::AddKey { owner, provider } => self.add_key(owner, provider).await,
            Step::ReplaceKey { key, last4 } => {
                let Some((key_id, owner)) = pick(&self.keys, key) else {
                    return false;
                };
                let command = ReplaceApiKey {
                    owner,
                    key: ApiKeyReplaced {
                        key_id,
                        name: ResourceName::parse(&format!("Key {last4}")).unwrap(),
                        sealed: sealed(last4),
                        last4: format!("{last4:04}").chars().take(4).collect(),
                    },
                };
                self.run(self.keyring_actor(owner), command).await
            }
            Step::RemoveKey { key } => {
                let Some((key_id, owner)) = pick(&self.keys, key) else {
                    return false;
                };
                let actor = self.keyring_actor(owner);
                self.run(actor, RemoveApiKey { owner, key_id }).await
            }
            Step::EnrollTotp { user, secret } => {
                let Some(user_id) = self.user(user) else {
                    return false;
                };
                let command = StartTotpEnrollment {
                    user_id,
                    secret: sealed_secret(secret),
                };
                let accepted = self.run(Actor::User(user_id.0), command).await;
                if accepted {
                    self.totp.entry(user_id).or_default().pending = Some(secret);
                }
                accepted
            }
            Step::ConfirmTotp { user, right } => {
                let enrolling = self.with_totp(|f| f.pending.is_some());
                let Some(user_id) = pick(&enrolling, user) else {
                    return false;
                };
                let secret = self.totp[&user_id].pending.unwrap_or_default();
                let codes: Vec<TokenHash> = (0..RECOVERY_CODES).map(|_| self.hash()).collect();
                let command = ConfirmTotp {
                    user_id,
                    verified_against: sealed_secret(secret),
                    step: right.then(|| self.step()),
                    recovery_codes: codes.clone(),
                };
                let accepted = self.run(Actor::User(user_id.0), command).await;
                if accepted {
                    self.totp.insert(
                        user_id,
                        TotpFixture {
                            pending: None,
                            on: Some((secret, codes)),
                        },
                    );
                }
                accepted
            }
            Step::LoginChallenge { user, remember_me } => {
                let on = self.with_totp(|f| f.on.is_some());
                let Some(user_id) = pick(&on, user) else {
                    return false;
                };
                let challenge = self.hash();
                let command = IssueLoginChallenge {
                    challenge: challenge.clone(),
                    user_id,
                    verified_against: Some(hash()),
                    expires_at: self.now + Duration::minutes(5),
                    remember_me,
                };
                let accepted = self.run(Actor::User(user_id.0), command).await;
                remember(
                    &mut self.challenges,
                    (challenge, user_id, remember_me),
                    accepted,
                )
            }
            Step::CompleteChallenge {
                challenge,
                proof,
                hours,
            } => {
                let Some((hash, user_id, remember_me)) = self.challenge(challenge) else {
                    return false;
                };
                let proof = self.proof(user_id, proof);
                let session_id = SessionId(Uuid::now_v7());
                let command = CompleteLoginChallenge {
                    challenge: hash,
                    proof,
                    now: self.now,
                    session_id,
                    session: SessionStarted {
                        user_id,
                        token_hash: TokenHash::parse(&format!("{:064x}", session_id.0.as_u128()))
                            .unwrap(),
                        expires_at: self.now + Duration::hours(i64::from(hours)),
                        user_agent: Some("authenticator".into()),
                        ip: None,
                        remember_me,
                    },
                };
                let accepted = self.run(Actor::User(user_id.0), command).await;
                remember(&mut self.sessions, (session_id, user_id), accepted)
            }
            Step::DisableTotp { user, recovery } => {
                let on = self.with_totp(|f| f.on.is_some());
                let Some(user_id) = pick(&on, user) else {
                    return false;
                };
                let proof = self.proof(user_id, u8::from(recovery));
                let accepted = self
                    .run(Actor::User(user_id.0), DisableTotp { user_id, proof })
                    .await;
                if accepted {
                    self.totp.remove(&user_id);
                }
                accepted
            }
            Step::RemoveTotp { user } => {
                let enrolled = self.with_totp(|_| true);
                let Some(user_id) = pick(&enrolled, user) else {
                    return false;
                };
                let accepted = self.run(admin, RemoveTotp { user_id }).await;
                if accepted {
                    self.totp.remove(&user_id);
                }
                accepted
            }
            Step::StartRequest { key, request } => {
                let key = TokenHash::parse(&format!("{key:02x}").repeat(32)).unwrap();
                let command = StartIdempotentRequest {
                    key: key.clone(),
                    fingerprint: format!("{request:02x}").repeat(32),
                    now: self.now,
                    runs_at_most: Duration::seconds(40),
                };
                let accepted = self.run(admin, command).await;
                remember(&mut self.requests, (key, self.now), accepted)
            }
            Step::EndRequest { request, answered } => {
                let Some((key, started_at)) = self.request(request) else {
                    return false;
                };
                if answered {
                    let answer = IdempotentAnswer {
                        status: 201,
                        content_type: Some("application/json".into()),
                        etag: None,
                        body: "{}".into(),
                        at: self.now,
                    };
                    let command = CompleteIdempotentRequest {
                        key,
                        started_at,
                        answer,
                    };
                    self.run(admin, command).await
                } else {
                    let command = AbandonIdempotentRequest {
                        key,
                        started_at,
                        at: self.now,
                    };
                    self.run(admin, command).await
                }
            }
            Step::Wait { minutes } => {
                self.now += Duration::minutes(i64::from(minutes));
                false
            }
        }
    }

    /// A request started so far (running or not).
    fn request(&self, index: usize) -> Option<(TokenHash, DateTime<Utc>)> {
        (!self.requests.is_empty()).then(|| self.requests[index % self.requests.len()].clone())
    }

    /// Users whose enrolment fits `filter`.
    fn with_totp(&self, filter: impl Fn(&TotpFixture) -> bool) -> Vec<UserId> {
        self.totp
            .iter()
            .filter(|(_, fixture)| filter(fixture))
            .map(|(user, _)| *user)
            .collect()
    }

    fn challenge(&self, index: usize) -> Option<(TokenHash, UserId, bool)> {
        (!self.challenges.is_empty())
            .then(|| self.challenges[index % self.challenges.len()].clone())
    }

    /// A proof for `user`: 0 the next code, 1 one of their recovery codes (perhaps used
    /// already), 2 a code of a step already spent, 3 a code that matched nothing.
    fn proof(&mut self, user: UserId, kind: u8) -> SecondFactorProof {
        let (secret, codes) = self
            .totp
            .get(&user)
            .and_then(|f| f.on.clone())
            .unwrap_or_default();
        let verified_against = sealed_secret(secret);
        match kind {
            1 if !codes.is_empty() => {
                let n = usize::try_from(self.counter).unwrap_or_default() % codes.len();
                SecondFactorProof::RecoveryCode(codes[n].clone())
            }
            2 => SecondFactorProof::Code {
                verified_against,
                step: Some(0),
            },
            3 => SecondFactorProof::Code {
                verified_against,
                step: None,
            },
            _ => SecondFactorProof::Code {
                verified_against,
                step: Some(self.step()),
            },
        }
    }

    /// A time step after every one handed out so far.
    fn step(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// A SHA-256-shaped hash not handed out before.
    fn hash(&mut self) -> TokenHash {
        TokenHash::parse(&format!("{:064x}", self.step())).unwrap()
    }

    async fn created(&mut self, id: UserId, actor: Actor, command: CreateUser) -> bool {
        let accepted = self.run(actor, command).await;
        remember(&mut self.users, id, accepted)
    }

    /// Runs, as the administrator, the command `make` builds for the user at `user`.
    async fn on_user<C: Command>(&self, user: usize, make: impl FnOnce(UserId) -> C) -> bool {
        self.on_picked(&self.users, user, make).await
    }

    /// Runs, as the administrator, the command `make` builds for what `index` picks.
    async fn on_picked<T: Copy, C: Command>(
        &self,
        items: &[T],
        index: usize,
        make: impl FnOnce(T) -> C,
    ) -> bool {
        match pick(items, index) {
            Some(item) => self.run(self.admin(), make(item)).await,
            None => false,
        }
    }

    /// Runs, as the user at `user`, the command `make` builds for them.
    async fn as_owner<C: Command>(&self, user: usize, make: impl FnOnce(UserId) -> C) -> bool {
        match self.user(user) {
            Some(owner) => self.run(Actor::User(owner.0), make(owner)).await,
            None => false,
        }
    }

    /// Ends a session as its owner, or as `by`.
    async fn end_session(&self, session: usize, reason: EndReason, by: Option<Actor>) -> bool {
        let Some((session_id, user)) = pick(&self.sessions, session) else {
            return false;
        };
        let actor = by.unwrap_or(Actor::User(user.0));
        self.run(actor, EndSession { session_id, reason }).await
    }

    /// The owner manages their own keys; an administrator the system's.
    fn keyring_actor(&self, owner: KeyringOwner) -> Actor {
        match owner {
            KeyringOwner::User(user) => Actor::User(user.0),
            KeyringOwner::System => self.admin(),
        }
    }

    async fn add_key(&mut self, owner: Option<usize>, provider: u8) -> bool {
        let owner = match owner {
            Some(user) => match self.user(user) {
                Some(user) => KeyringOwner::User(user),
                None => return false,
            },
            None => KeyringOwner::System,
        };
        let key_id = ApiKeyId(Uuid::now_v7());
        let key = ApiKeyAdded {
            key_id,
            provider: Provider::parse(["openai", "anthropic", "mistral"][usize::from(provider)])
                .unwrap(),
            name: ResourceName::parse("Key").unwrap(),
            sealed: sealed(provider),
            last4: "wxyz".into(),
        };
        let accepted = self
            .run(self.keyring_actor(owner), AddApiKey { owner, key })
            .await;
        remember(&mut self.keys, (key_id, owner), accepted)
    }
}

fn display_name(display: u8, name: u8) -> DisplayName {
    let first = DISPLAY_NAMES[usize::from(display) % DISPLAY_NAMES.len()];
    DisplayName::parse(&format!("{first} {name}")).unwrap()
}

/// A `CreateUser` for name number `name`, written in letter case `case`.
fn new_user(
    id: UserId,
    name: u8,
    case: u8,
    email: bool,
    display: u8,
    via: CreatedVia,
) -> CreateUser {
    let username = format!("{}{name}", CASES[usize::from(case) % CASES.len()]);
    CreateUser {
        user_id: id,
        username: Username::parse(&username).unwrap(),
        display_name: display_name(display, name),
        email: email.then(|| Email::parse(&format!("{username}@Example.org")).unwrap()),
        password_hash: hash(),
        is_admin: false,
        must_change_password: false,
        via,
    }
}
