//! Fixtures shared by the domain's given/when/then tests: fixed ids, parsed values, and the
//! histories a test starts from.
//!
//! A history fixture returns exactly the events the command that makes it would produce
//! (`admin_created` is what `CreateUser` appends for an administrator), so a test's `given`
//! is a history the store could really hold. Each test binary uses a different part of this
//! module, hence the `dead_code` allowance.
#![allow(dead_code)]
#![allow(
    clippy::expect_used,
    reason = "fixtures parse literals known to be valid; a panic here is a broken fixture"
)]

use chrono::{DateTime, TimeDelta, Utc};
use roster_domain::admins::AdminsEvent;
use roster_domain::challenge::{ChallengeEvent, ChallengeIssued, password_fingerprint};
use roster_domain::event::Event;
use roster_domain::ids::{ApiKeyId, PersonaId, SessionId, UserId};
use roster_domain::keyring::{ApiKeyAdded, KeyringEvent, SealedKey};
use roster_domain::persona::PersonaEvent;
use roster_domain::reservation::{EmailEvent, UsernameEvent};
use roster_domain::session::{SessionEvent, SessionStarted};
use roster_domain::store::Actor;
use roster_domain::stream::KeyringOwner;
use roster_domain::totp::{RECOVERY_CODES, SealedSecret, TotpEnabled, TotpEvent};
use roster_domain::user::{CreatedVia, UserCreated, UserEvent};
use roster_domain::values::{
    DisplayName, Email, PasswordHash, Provider, ResourceName, TokenHash, Username,
};
use uuid::Uuid;

/// The first administrator.
pub const ROOT: UserId = UserId(Uuid::from_u128(0x100));
/// A second administrator.
pub const ADA: UserId = UserId(Uuid::from_u128(0x101));
/// A member.
pub const ALICE: UserId = UserId(Uuid::from_u128(0x200));
/// Another member.
pub const BOB: UserId = UserId(Uuid::from_u128(0x201));
/// An id no event mentions.
pub const NOBODY: UserId = UserId(Uuid::from_u128(0x999));

/// A session.
pub const SESSION: SessionId = SessionId(Uuid::from_u128(0x300));
/// Another session.
pub const OTHER_SESSION: SessionId = SessionId(Uuid::from_u128(0x301));

/// A persona.
pub const PERSONA: PersonaId = PersonaId(Uuid::from_u128(0x400));

/// An API key.
pub const KEY: ApiKeyId = ApiKeyId(Uuid::from_u128(0x500));
/// Another API key.
pub const OTHER_KEY: ApiKeyId = ApiKeyId(Uuid::from_u128(0x501));

/// The actor for a signed-in user.
pub fn as_user(id: UserId) -> Actor {
    Actor::User(id.0)
}

/// A username known to be valid.
pub fn username(text: &str) -> Username {
    Username::parse(text).expect("fixture username is valid")
}

/// A display name known to be valid.
pub fn display_name(text: &str) -> DisplayName {
    DisplayName::parse(text).expect("fixture display name is valid")
}

/// An email address known to be valid.
pub fn email(text: &str) -> Email {
    Email::parse(text).expect("fixture email is valid")
}

/// A resource name known to be valid.
pub fn resource_name(text: &str) -> ResourceName {
    ResourceName::parse(text).expect("fixture resource name is valid")
}

/// A provider name known to be valid.
pub fn provider(text: &str) -> Provider {
    Provider::parse(text).expect("fixture provider is valid")
}

/// The hash an account is created with. A PHC string made up for the tests: no password
/// hashes to it, and none needs to.
pub fn first_hash() -> PasswordHash {
    PasswordHash::from_phc(
        "$argon2id$v=19$m=19456,t=2,p=1$Zmlyc3Qtc2FsdA$Zmlyc3QtaGFzaC1vZi1hLXBhc3N3b3Jk".into(),
    )
}

/// The hash after a password reset or change.
pub fn second_hash() -> PasswordHash {
    PasswordHash::from_phc(
        "$argon2id$v=19$m=19456,t=2,p=1$c2Vjb25kLXNhbHQ$c2Vjb25kLWhhc2gtb2YtYS1wYXNzd29yZA".into(),
    )
}

/// A third hash, never stored by any fixture.
pub fn third_hash() -> PasswordHash {
    PasswordHash::from_phc(
        "$argon2id$v=19$m=19456,t=2,p=1$dGhpcmQtc2FsdA$dGhpcmQtaGFzaC1vZi1hLXBhc3N3b3Jk".into(),
    )
}

/// A fixed moment, so decisions that carry time are reproducible.
pub fn noon() -> DateTime<Utc> {
    DateTime::<Utc>::UNIX_EPOCH + TimeDelta::seconds(1_750_000_000)
}

/// Seven days after [`noon`], when a default session expires.
pub fn next_week() -> DateTime<Utc> {
    noon() + TimeDelta::days(7)
}

/// The SHA-256 (hex) of some session token.
pub fn token_hash() -> TokenHash {
    TokenHash::parse(&"ab".repeat(32)).expect("fixture token hash is valid")
}

/// The `UserCreated` data an administrator's form produces, with the first password hash.
pub fn user_created(name: &str, mail: Option<&str>, is_admin: bool) -> UserCreated {
    UserCreated {
        username: username(name),
        display_name: display_name(&capitalised(name)),
        email: mail.map(email),
        password_hash: first_hash(),
        is_admin,
        via: CreatedVia::Admin,
        must_change_password: false,
    }
}

/// `Alice` for `alice`: a display name that differs from the username.
pub fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Everything `CreateUser` appends for `data` under `id`.
pub fn created(id: UserId, data: UserCreated) -> Vec<Event> {
    let username_key = data.username.key();
    let email_key = data.email.as_ref().map(Email::key);
    let is_admin = data.is_admin;
    let mut events = vec![
        Event::User(id, UserEvent::Created(data)),
        Event::Username(username_key, UsernameEvent::Reserved { user_id: id }),
    ];
    if let Some(key) = email_key {
        events.push(Event::Email(key, EmailEvent::Reserved { user_id: id }));
    }
    if is_admin {
        events.push(Event::Admins(AdminsEvent::Added { user_id: id }));
    }
    events
}

/// An administrator `name`, without email.
pub fn admin_created(id: UserId, name: &str) -> Vec<Event> {
    created(id, user_created(name, None, true))
}

/// A member `name`, without email.
pub fn member_created(id: UserId, name: &str) -> Vec<Event> {
    created(id, user_created(name, None, false))
}

/// A member `name` with an email address.
pub fn member_with_email(id: UserId, name: &str, mail: &str) -> Vec<Event> {
    created(id, user_created(name, Some(mail), false))
}

/// The usual starting point: the administrator `root` and the member `alice`.
pub fn root_and_alice() -> Vec<Event> {
    [admin_created(ROOT, "root"), member_created(ALICE, "alice")].concat()
}

/// `root`, `alice` and the member `bob`.
pub fn root_alice_and_bob() -> Vec<Event> {
    [root_and_alice(), member_created(BOB, "bob")].concat()
}

/// Everything `DisableUser` appends for a member.
pub fn member_disabled(id: UserId) -> Vec<Event> {
    vec![Event::User(id, UserEvent::Disabled {})]
}

/// Everything `DisableUser` appends for an active administrator.
pub fn admin_disabled(id: UserId) -> Vec<Event> {
    vec![
        Event::User(id, UserEvent::Disabled {}),
        Event::Admins(AdminsEvent::Removed { user_id: id }),
    ]
}

/// Everything `DeleteUser` appends for a member without email.
pub fn member_deleted(id: UserId, name: &str) -> Vec<Event> {
    vec![
        Event::User(id, UserEvent::Deleted {}),
        Event::Username(
            username(name).key(),
            UsernameEvent::Released { user_id: id },
        ),
    ]
}

/// The `SessionStarted` data of a login by `user` at noon, lasting a week.
pub fn session_started_data(user: UserId) -> SessionStarted {
    SessionStarted {
        user_id: user,
        token_hash: token_hash(),
        expires_at: next_week(),
        user_agent: Some("Mozilla/5.0".into()),
        ip: Some("192.0.2.7".into()),
        remember_me: false,
    }
}

/// What `StartSession` appends for a login by `user` at noon, lasting a week.
pub fn session_started(session: SessionId, user: UserId) -> Event {
    Event::Session(session, SessionEvent::Started(session_started_data(user)))
}

/// A persona `name` created for `owner`.
pub fn persona_created(persona: PersonaId, owner: UserId, name: &str) -> Event {
    Event::Persona(
        persona,
        PersonaEvent::Created {
            owner,
            name: resource_name(name),
        },
    )
}

/// A sealed key; `n` makes each one different. The ciphertext is recognisable on purpose, so
/// a test can check it is not printed.
pub fn sealed(n: u8) -> SealedKey {
    SealedKey {
        scheme: "xchacha20poly1305:v1".into(),
        nonce: format!("bm9uY2U{n}"),
        ciphertext: format!("Q0lQSEVSVEVYVA{n}"),
    }
}

/// The contents of a new key `id` for `provider`.
pub fn api_key(id: ApiKeyId, provider_name: &str) -> ApiKeyAdded {
    ApiKeyAdded {
        key_id: id,
        provider: provider(provider_name),
        name: resource_name(&format!("{provider_name} key")),
        sealed: sealed(1),
        last4: "wxyz".into(),
    }
}

/// What `AddApiKey` appends to `owner`'s keyring.
pub fn api_key_added(owner: KeyringOwner, id: ApiKeyId, provider_name: &str) -> Event {
    Event::Keyring(owner, KeyringEvent::Added(api_key(id, provider_name)))
}

/// A time step of RFC 6238 (30-second steps) around [`noon`].
pub const STEP: u64 = 58_333_333;

/// A sealed TOTP secret; `n` makes each one different. Recognisable on purpose, so a test
/// can check it is not printed.
pub fn sealed_secret(n: u8) -> SealedSecret {
    SealedSecret {
        scheme: "xchacha20poly1305:v1".into(),
        nonce: format!("bm9uY2U{n}"),
        ciphertext: format!("U0VBTEVEU0VDUkVU{n}"),
    }
}

/// The SHA-256 of recovery code number `n`.
pub fn recovery_code_hash(n: u8) -> TokenHash {
    TokenHash::parse(&format!("{n:02x}").repeat(32)).expect("fixture hash is valid")
}

/// The hashes of the ten recovery codes every fixture enables with.
pub fn recovery_code_hashes() -> Vec<TokenHash> {
    (0..RECOVERY_CODES as u8).map(recovery_code_hash).collect()
}

/// What `StartTotpEnrollment` appends for `user` enrolling secret number `n`.
pub fn totp_enrollment_started(user: UserId, n: u8) -> Event {
    Event::Totp(
        user,
        TotpEvent::EnrollmentStarted {
            secret: sealed_secret(n),
        },
    )
}

/// What `ConfirmTotp` appends for a code of `step`, with the fixture recovery codes.
pub fn totp_enabled(user: UserId, step: u64) -> Event {
    Event::Totp(
        user,
        TotpEvent::Enabled(TotpEnabled {
            step,
            recovery_codes: recovery_code_hashes(),
        }),
    )
}

/// `user` enrolled secret 1 and confirmed it with a code of [`STEP`].
pub fn totp_on(user: UserId) -> Vec<Event> {
    vec![totp_enrollment_started(user, 1), totp_enabled(user, STEP)]
}

/// The SHA-256 of some challenge token.
pub fn challenge_hash() -> TokenHash {
    TokenHash::parse(&"cd".repeat(32)).expect("fixture hash is valid")
}

/// The stream hash of a fixture idempotency key.
pub fn idempotency_key() -> TokenHash {
    TokenHash::parse(&"ab".repeat(32)).expect("fixture hash is valid")
}

/// When the fixture challenge expires: five minutes after [`noon`].
pub fn challenge_expiry() -> DateTime<Utc> {
    noon() + TimeDelta::minutes(5)
}

/// What `IssueLoginChallenge` appends for `user`, whose password verified against the first
/// hash at noon.
pub fn challenge_issued(user: UserId) -> Event {
    Event::Challenge(
        challenge_hash(),
        ChallengeEvent::Issued(ChallengeIssued {
            user_id: user,
            expires_at: challenge_expiry(),
            password_fingerprint: password_fingerprint(&first_hash()),
            remember_me: false,
        }),
    )
}
