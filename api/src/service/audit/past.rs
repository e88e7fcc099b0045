//! One account as its history tells it: the events about the user (from the audit index's
//! positions, read from the store) folded up to an instant. Nothing decoded is kept after the
//! answer: a question about the past reads the few events it needs again. (A little over 400
//! lines with its test: what an account held is one fold, read in one sitting.)

use super::changes::Account;
use super::store_error;
use crate::error::ApiError;
use chrono::{DateTime, Utc};
use roster_domain::event::Event;
use roster_domain::ids::{ApiKeyId, PersonaId, SessionId, UserId};
use roster_domain::keyring::KeyringEvent;
use roster_domain::persona::PersonaEvent;
use roster_domain::session::SessionEvent;
use roster_domain::store::{Actor, EventStore, Position};
use roster_domain::stream::KeyringOwner;
use roster_domain::totp::TotpEvent;
use roster_domain::user::UserEvent;

/// How many events about a user are read from the store at once.
const CHUNK: usize = 512;

/// A session of the user, as its events tell it (never its token or the token's hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastSession {
    /// Its id.
    pub id: SessionId,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it would stop working, whatever happened.
    pub expires_at: DateTime<Utc>,
    /// The client it started from.
    pub user_agent: Option<String>,
    /// The address it started from.
    pub ip: Option<String>,
    /// "Remember me".
    pub remember_me: bool,
    /// When and why it ended (`logout`, `revoked`, `user_deleted`, ...), if it did.
    pub ended: Option<(DateTime<Utc>, String)>,
}

/// A persona the user owned at some time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastPersona {
    /// Its id.
    pub id: PersonaId,
    /// Its name (the last one it had while the user held it).
    pub name: String,
    /// When the user came to hold it (created or received).
    pub since: DateTime<Utc>,
    /// When the user stopped holding it (deleted or handed on), if they did.
    pub until: Option<DateTime<Utc>>,
}

/// A model-service API key of the user: what may be shown of it, never the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastApiKey {
    /// Its id.
    pub id: ApiKeyId,
    /// The model service.
    pub provider: String,
    /// The owner's label.
    pub name: String,
    /// The last four characters.
    pub last4: String,
    /// When it was added.
    pub added_at: DateTime<Utc>,
    /// When it was removed, if it was.
    pub removed_at: Option<DateTime<Utc>>,
}

/// An account folded from its history up to an instant.
#[derive(Debug, Clone)]
pub struct PastAccount {
    /// The user.
    pub id: UserId,
    /// The account's fields then.
    pub(super) account: Account,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When its own stream last changed.
    pub updated_at: DateTime<Utc>,
    /// The revision of its last own event.
    pub version: u64,
    /// When it was deleted and by whom, if it was.
    pub deleted: Option<(DateTime<Utc>, Actor)>,
    /// Two-factor authentication was on.
    pub totp_enabled: bool,
    /// Its sessions, in order of starting.
    pub sessions: Vec<PastSession>,
    /// The personas it held, in order.
    pub personas: Vec<PastPersona>,
    /// Its API keys, in order of adding.
    pub api_keys: Vec<PastApiKey>,
    /// The positions of the events folded, oldest first.
    pub positions: Vec<Position>,
}

impl PastAccount {
    fn new(id: UserId, at: DateTime<Utc>) -> PastAccount {
        PastAccount {
            id,
            account: Account::default(),
            created_at: at,
            updated_at: at,
            version: 0,
            deleted: None,
            totp_enabled: false,
            sessions: Vec::new(),
            personas: Vec::new(),
            api_keys: Vec::new(),
            positions: Vec::new(),
        }
    }

    /// The username.
    pub fn username(&self) -> &str {
        self.account.username.as_deref().unwrap_or_default()
    }

    /// The display name.
    pub fn display_name(&self) -> &str {
        self.account.display_name.as_deref().unwrap_or_default()
    }

    /// The email, if any.
    pub fn email(&self) -> Option<&str> {
        self.account.email.as_deref()
    }

    /// Held the admin role.
    pub fn is_admin(&self) -> bool {
        self.account.is_admin
    }

    /// Could not log in.
    pub fn disabled(&self) -> bool {
        self.account.disabled
    }

    /// Had to choose a new password at next login.
    pub fn must_change_password(&self) -> bool {
        self.account.must_change_password
    }

    /// Personas held at `at`.
    pub fn personas_at(&self, at: DateTime<Utc>) -> usize {
        let held = |p: &&PastPersona| p.since <= at && p.until.is_none_or(|until| until > at);
        self.personas.iter().filter(held).count()
    }

    /// Sessions working at `at` (started, not ended, not expired; the idle timeout is not
    /// applied: the log records activity coarsely).
    pub fn sessions_at(&self, at: DateTime<Utc>) -> usize {
        let working = |s: &&PastSession| {
            s.started_at <= at
                && s.expires_at > at
                && s.ended.as_ref().is_none_or(|(ended, _)| *ended > at)
        };
        self.sessions.iter().filter(working).count()
    }

    /// API keys held at `at`.
    pub fn api_keys_at(&self, at: DateTime<Utc>) -> usize {
        let held = |k: &&PastApiKey| k.added_at <= at && k.removed_at.is_none_or(|r| r > at);
        self.api_keys.iter().filter(held).count()
    }

    fn end_sessions(&mut self, at: DateTime<Utc>, reason: &str, kept: Option<SessionId>) {
        for session in &mut self.sessions {
            if session.ended.is_none() && Some(session.id) != kept && session.expires_at > at {
                session.ended = Some((at, reason.to_owned()));
            }
        }
    }

    fn apply(&mut self, event: &Event, at: DateTime<Utc>, actor: Actor, revision: u64) {
        match event {
            Event::User(id, e) if *id == self.id => {
                if matches!(e, UserEvent::Created(_)) {
                    self.created_at = at;
                }
                self.account.apply(e);
                self.updated_at = at;
                self.version = revision;
                match e {
                    UserEvent::Deleted {} => {
                        self.deleted = Some((at, actor));
                        self.end_sessions(at, "user_deleted", None);
                        for persona in self.personas.iter_mut().filter(|p| p.until.is_none()) {
                            persona.until = Some(at);
                        }
                        for key in self.api_keys.iter_mut().filter(|k| k.removed_at.is_none()) {
                            key.removed_at = Some(at);
                        }
                        self.totp_enabled = false;
                    }
                    UserEvent::Disabled {} => self.end_sessions(at, "revoked", None),
                    UserEvent::PasswordReset(reset) if reset.revoke_sessions => {
                        self.end_sessions(at, "revoked", None)
                    }
                    UserEvent::PasswordChanged(changed) => {
                        self.end_sessions(at, "revoked", changed.kept_session)
                    }
                    _ => {}
                }
            }
            Event::Session(id, e) => self.apply_session(*id, e, at),
            Event::Persona(id, e) => self.apply_persona(*id, e, at),
            Event::Keyring(KeyringOwner::User(owner), e) if *owner == self.id => {
                self.apply_key(e, at)
            }
            Event::Totp(user, e) if *user == self.id => match e {
                TotpEvent::Enabled(_) => self.totp_enabled = true,
                TotpEvent::Disabled {} | TotpEvent::Removed {} => self.totp_enabled = false,
                _ => {}
            },
            _ => {}
        }
    }

    fn apply_session(&mut self, id: SessionId, event: &SessionEvent, at: DateTime<Utc>) {
        match event {
            SessionEvent::Started(started) if started.user_id == self.id => {
                self.sessions.push(PastSession {
                    id,
                    started_at: at,
                    expires_at: started.expires_at,
                    user_agent: started.user_agent.clone(),
                    ip: started.ip.clone(),
                    remember_me: started.remember_me,
                    ended: None,
                });
            }
            SessionEvent::Ended { reason } => {
                let reason = serde_json::to_value(reason)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                if let Some(session) = self.sessions.iter_mut().find(|s| s.id == id) {
                    session.ended.get_or_insert((at, reason));
                }
            }
            _ => {}
        }
    }

    fn apply_persona(&mut self, id: PersonaId, event: &PersonaEvent, at: DateTime<Utc>) {
        let held = self
            .personas
            .iter_mut()
            .rfind(|p| p.id == id && p.until.is_none());
        match (event, held) {
            (PersonaEvent::Created { owner, name }, _) if *owner == self.id => {
                self.personas.push(PastPersona {
                    id,
                    name: name.as_str().to_owned(),
                    since: at,
                    until: None,
                });
            }
            (PersonaEvent::Transferred { to, .. }, None) if *to == self.id => {
                let name = self
                    .personas
                    .iter()
                    .rfind(|p| p.id == id)
                    .map(|p| p.name.clone())
                    .unwrap_or_default();
                self.personas.push(PastPersona {
                    id,
                    name,
                    since: at,
                    until: None,
                });
            }
            (PersonaEvent::Transferred { to, .. }, Some(held)) if *to != self.id => {
                held.until = Some(at)
            }
            (PersonaEvent::Renamed { name }, Some(held)) => held.name = name.as_str().to_owned(),
            (PersonaEvent::Deleted {}, Some(held)) => held.until = Some(at),
            _ => {}
        }
    }

    fn apply_key(&mut self, event: &KeyringEvent, at: DateTime<Utc>) {
        match event {
            KeyringEvent::Added(added) => self.api_keys.push(PastApiKey {
                id: added.key_id,
                provider: added.provider.as_str().to_owned(),
                name: added.name.as_str().to_owned(),
                last4: added.last4.clone(),
                added_at: at,
                removed_at: None,
            }),
            KeyringEvent::Replaced(replaced) => {
                if let Some(key) = self.api_keys.iter_mut().find(|k| k.id == replaced.key_id) {
                    key.name = replaced.name.as_str().to_owned();
                    key.last4.clone_from(&replaced.last4);
                }
            }
            KeyringEvent::Removed { key_id } => {
                if let Some(key) = self.api_keys.iter_mut().find(|k| k.id == *key_id) {
                    key.removed_at.get_or_insert(at);
                }
            }
        }
    }
}

/// Folds the events about `user` at `positions` (oldest first) that happened at or before
/// `until` (all of them with `None`). `None` when the account had not been created by then.
pub(super) async fn fold(
    store: &dyn EventStore,
    user: UserId,
    positions: &[Position],
    until: Option<DateTime<Utc>>,
) -> Result<Option<PastAccount>, ApiError> {
    let mut past: Option<PastAccount> = None;
    for chunk in positions.chunks(CHUNK) {
        let records = store.read_positions(chunk).await.map_err(store_error)?;
        // Positions follow commit order and times follow it within a command's duration: once
        // a whole chunk is later than `until`, nothing after it can be earlier.
        if let Some(until) = until
            && records.iter().all(|r| r.metadata.occurred_at > until)
        {
            break;
        }
        for record in records {
            let at = record.metadata.occurred_at;
            if until.is_some_and(|until| at > until) {
                continue;
            }
            let Ok(event) = Event::decode(&record.stream, &record.event_type, &record.data) else {
                continue;
            };
            let created = matches!(&event, Event::User(id, UserEvent::Created(_)) if *id == user);
            let account = match &mut past {
                Some(account) => account,
                None if created => past.insert(PastAccount::new(user, at)),
                None => continue,
            };
            account.positions.push(record.position);
            account.apply(&event, at, record.metadata.actor, record.revision);
        }
    }
    Ok(past)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use roster_domain::session::SessionStarted;
    use roster_domain::values::{ResourceName, TokenHash};
    use uuid::Uuid;

    fn minute(n: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 9, n, 0).unwrap()
    }

    #[test]
    fn it_should_count_what_an_account_held_at_each_instant() {
        let (carol, dave) = (UserId(Uuid::now_v7()), UserId(Uuid::now_v7()));
        let (persona, session) = (PersonaId(Uuid::now_v7()), SessionId(Uuid::now_v7()));
        let mut past = PastAccount::new(carol, minute(0));
        let started = SessionStarted {
            user_id: carol,
            token_hash: TokenHash::parse(&"ab".repeat(32)).unwrap(),
            expires_at: minute(50),
            user_agent: None,
            ip: None,
            remember_me: false,
        };
        let events = [
            (
                minute(1),
                Event::Session(session, SessionEvent::Started(started)),
            ),
            (
                minute(2),
                Event::Persona(
                    persona,
                    PersonaEvent::Created {
                        owner: carol,
                        name: ResourceName::parse("Bot").unwrap(),
                    },
                ),
            ),
            (minute(3), Event::User(carol, UserEvent::Disabled {})),
            (
                minute(4),
                Event::Persona(
                    persona,
                    PersonaEvent::Transferred {
                        from: carol,
                        to: dave,
                    },
                ),
            ),
        ];
        for (revision, (at, event)) in events.iter().enumerate() {
            past.apply(event, *at, Actor::System, revision as u64);
        }
        let counts = |at| (past.sessions_at(at), past.personas_at(at));
        assert_eq!(counts(minute(0)), (0, 0));
        assert_eq!(counts(minute(2)), (1, 1));
        assert_eq!(counts(minute(3)), (0, 1), "disabling ends her sessions");
        assert_eq!(counts(minute(4)), (0, 0), "the persona went to dave");
        assert_eq!(
            past.sessions[0].ended,
            Some((minute(3), "revoked".to_owned()))
        );
        assert!(past.disabled());
    }
}
