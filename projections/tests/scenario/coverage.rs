//! What a history exercised: every event type it holds, and the cases of the read models that
//! the replay property says nothing about unless some history reaches them.

use roster_domain::event::{Event, all_event_types};
use roster_domain::ids::{SessionId, UserId};
use roster_domain::keyring::KeyringEvent;
use roster_domain::reservation::UsernameEvent;
use roster_domain::session::SessionEvent;
use roster_domain::store::Recorded;
use roster_domain::stream::KeyringOwner;
use roster_domain::user::{CreatedVia, UserEvent};
use std::collections::{BTreeMap, BTreeSet};

const VIA_ADMIN: &str = "UserCreated by an administrator";
const VIA_REGISTRATION: &str = "UserCreated by registration";
const VIA_BOOTSTRAP: &str = "UserCreated by bootstrap";
const WITHOUT_EMAIL: &str = "UserCreated without an email";
const MUST_CHANGE: &str = "UserCreated with must_change_password";
const MIXED_CASE: &str = "UserCreated with a mixed-case username";
const NAME_TAKEN_BACK: &str = "UsernameReserved after its release";
const SYSTEM_KEY: &str = "ApiKeyAdded to the system keyring";
const DROPPED_SESSION: &str = "a session event after an account change ended the session";

/// Everything a run of the property must have seen.
pub fn expected() -> BTreeSet<String> {
    let cases = [
        VIA_ADMIN,
        VIA_REGISTRATION,
        VIA_BOOTSTRAP,
        WITHOUT_EMAIL,
        MUST_CHANGE,
        MIXED_CASE,
        NAME_TAKEN_BACK,
        SYSTEM_KEY,
        DROPPED_SESSION,
    ];
    all_event_types()
        .into_iter()
        .chain(cases)
        .map(str::to_owned)
        .collect()
}

/// What `log` exercised.
pub fn seen(log: &[Recorded]) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut released = BTreeSet::new();
    // Sessions not ended by their own event: still open here, or ended by an account change.
    let mut open: BTreeMap<SessionId, UserId> = BTreeMap::new();
    let mut dropped = BTreeSet::new();
    for recorded in log {
        seen.insert(recorded.event_type.clone());
        let event = Event::decode(&recorded.stream, &recorded.event_type, &recorded.data)
            .unwrap_or_else(|e| panic!("the scenario wrote an unreadable event: {e}"));
        let mut case = |label: &str| seen.insert(label.to_owned());
        match event {
            Event::User(_, UserEvent::Created(created)) => {
                case(match created.via {
                    CreatedVia::Admin => VIA_ADMIN,
                    CreatedVia::Registration => VIA_REGISTRATION,
                    CreatedVia::Bootstrap => VIA_BOOTSTRAP,
                });
                let username = created.username.as_str();
                if created.email.is_none() {
                    case(WITHOUT_EMAIL);
                }
                if created.must_change_password {
                    case(MUST_CHANGE);
                }
                if username != username.to_ascii_lowercase() {
                    case(MIXED_CASE);
                }
            }
            Event::Username(key, UsernameEvent::Released { .. }) => {
                released.insert(key);
            }
            Event::Username(key, UsernameEvent::Reserved { .. }) if released.contains(&key) => {
                case(NAME_TAKEN_BACK);
            }
            Event::Keyring(KeyringOwner::System, KeyringEvent::Added(_)) => {
                case(SYSTEM_KEY);
            }
            Event::Session(id, SessionEvent::Started(started)) => {
                open.insert(id, started.user_id);
            }
            Event::Session(id, event) => {
                if dropped.contains(&id) {
                    case(DROPPED_SESSION);
                }
                if let SessionEvent::Ended { .. } = event {
                    open.remove(&id);
                    dropped.remove(&id);
                }
            }
            Event::User(user, change) => {
                let kept = match &change {
                    UserEvent::Disabled {} => Some(None),
                    UserEvent::PasswordReset(reset) if reset.revoke_sessions => Some(None),
                    UserEvent::PasswordChanged(changed) => Some(changed.kept_session),
                    _ => None,
                };
                let ends = matches!(change, UserEvent::Deleted {}) || kept.is_some();
                let ended: Vec<SessionId> = open
                    .iter()
                    .filter(|(id, owner)| ends && **owner == user && kept != Some(Some(**id)))
                    .map(|(id, _)| *id)
                    .collect();
                for id in ended {
                    open.remove(&id);
                    if kept.is_some() {
                        dropped.insert(id);
                    }
                }
            }
            _ => {}
        }
    }
    seen
}
