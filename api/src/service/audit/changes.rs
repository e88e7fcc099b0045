//! What one stored event changed: the streams a page needs, read and decoded once, folded up
//! to each event to tell the values before it from the values after.

use super::{AuditActor, AuditChange, AuditEntry, AuditSubject, store_error};
use crate::error::ApiError;
use roster_domain::admins::AdminsEvent;
use roster_domain::challenge::ChallengeEvent;
use roster_domain::event::Event;
use roster_domain::ids::UserId;
use roster_domain::persona::PersonaEvent;
use roster_domain::resource::{AnnotationEvent, OntologyEvent};
use roster_domain::session::SessionEvent;
use roster_domain::store::{Actor, EventStore, Recorded};
use roster_domain::stream::KeyringOwner;
use roster_domain::user::UserEvent;
use roster_store::shredding::ERASED;
use std::collections::HashMap;

/// Streams read for one page, each once and decoded once, with each event's revision.
#[derive(Default)]
pub(super) struct Streams {
    read: HashMap<String, Vec<(u64, Event)>>,
}

impl Streams {
    /// The decoded events of `stream` before revision `until` (all of them with `None`), in
    /// order; an event this version cannot read is left out.
    async fn history(
        &mut self,
        store: &dyn EventStore,
        stream: &str,
        until: Option<u64>,
    ) -> Result<&[(u64, Event)], ApiError> {
        if !self.read.contains_key(stream) {
            let events = store
                .read_stream(stream, 0)
                .await
                .map_err(store_error)?
                .into_iter()
                .filter_map(|e| {
                    let event = Event::decode(&e.stream, &e.event_type, &e.data).ok()?;
                    Some((e.revision, event))
                })
                .collect();
            self.read.insert(stream.to_owned(), events);
        }
        let events = self.read.get(stream).map_or(&[][..], Vec::as_slice);
        let end = until.map_or(events.len(), |until| {
            events.partition_point(|(revision, _)| *revision < until)
        });
        Ok(&events[..end])
    }

    /// A user's username (from their creation; usernames never change).
    async fn username(
        &mut self,
        store: &dyn EventStore,
        user: UserId,
    ) -> Result<Option<String>, ApiError> {
        let history = self
            .history(store, &format!("user-{user}"), Some(1))
            .await?;
        Ok(history.iter().find_map(|(_, event)| match event {
            Event::User(_, UserEvent::Created(created)) => {
                Some(created.username.as_str().to_owned())
            }
            _ => None,
        }))
    }
}

/// A user account as an audit entry shows it, and as `asOf` answers it.
#[derive(Debug, Default, Clone)]
pub(super) struct Account {
    pub(super) username: Option<String>,
    pub(super) display_name: Option<String>,
    pub(super) email: Option<String>,
    pub(super) is_admin: bool,
    pub(super) disabled: bool,
    pub(super) must_change_password: bool,
    pub(super) deleted: bool,
}

impl Account {
    fn fold(events: &[(u64, Event)]) -> Account {
        let mut account = Account::default();
        for (_, event) in events {
            if let Event::User(_, event) = event {
                account.apply(event);
            }
        }
        account
    }

    pub(super) fn apply(&mut self, event: &UserEvent) {
        match event {
            UserEvent::Created(created) => {
                self.username = Some(created.username.as_str().to_owned());
                self.display_name = Some(created.display_name.as_str().to_owned());
                self.email = created.email.as_ref().map(|e| e.as_str().to_owned());
                self.is_admin = created.is_admin;
                self.must_change_password = created.must_change_password;
            }
            UserEvent::ProfileUpdated(updated) => {
                if let Some(name) = &updated.display_name {
                    self.display_name = Some(name.as_str().to_owned());
                }
                if let Some(email) = &updated.email {
                    self.email = email.as_ref().map(|e| e.as_str().to_owned());
                }
            }
            UserEvent::AdminGranted {} => self.is_admin = true,
            UserEvent::AdminRevoked {} => self.is_admin = false,
            UserEvent::Disabled {} => self.disabled = true,
            UserEvent::Enabled {} => self.disabled = false,
            UserEvent::PasswordReset(reset) => self.must_change_password = reset.require_change,
            UserEvent::PasswordChanged(_) => self.must_change_password = false,
            UserEvent::Deleted {} => self.deleted = true,
        }
    }
}

fn flag(value: bool) -> Option<String> {
    Some(value.to_string())
}

/// What a user event changed, given the account before it.
fn user_changes(before: &Account, event: &UserEvent) -> Vec<AuditChange> {
    let mut after = before.clone();
    after.apply(event);
    match event {
        UserEvent::Created(_) => vec![
            AuditChange::new("username", None, after.username),
            AuditChange::new("displayName", None, after.display_name),
            AuditChange::new("email", None, after.email),
            AuditChange::new("isAdmin", None, flag(after.is_admin)),
        ],
        UserEvent::ProfileUpdated(_) => {
            // An erased value may hide a change: it is listed, as erased, rather than dropped.
            let changed = |before: &Option<String>, after: &Option<String>| {
                before != after || after.as_deref() == Some(ERASED)
            };
            let mut changes = Vec::new();
            if changed(&before.display_name, &after.display_name) {
                changes.push(AuditChange::new(
                    "displayName",
                    before.display_name.clone(),
                    after.display_name,
                ));
            }
            if changed(&before.email, &after.email) {
                changes.push(AuditChange::new("email", before.email.clone(), after.email));
            }
            changes
        }
        UserEvent::AdminGranted {} | UserEvent::AdminRevoked {} => vec![AuditChange::new(
            "isAdmin",
            flag(before.is_admin),
            flag(after.is_admin),
        )],
        UserEvent::Disabled {} | UserEvent::Enabled {} => vec![AuditChange::new(
            "disabled",
            flag(before.disabled),
            flag(after.disabled),
        )],
        UserEvent::PasswordReset(_) | UserEvent::PasswordChanged(_) => {
            vec![AuditChange::new("password", None, None)]
        }
        UserEvent::Deleted {} => vec![AuditChange::new("deleted", flag(false), flag(true))],
    }
}

/// A named thing (persona, ontology, annotation) as an audit entry shows it.
#[derive(Debug, Default, Clone)]
struct Named {
    name: Option<String>,
    owner: Option<UserId>,
}

impl Named {
    fn fold(events: &[(u64, Event)]) -> Named {
        let mut named = Named::default();
        for (_, event) in events {
            named.apply(event);
        }
        named
    }

    fn apply(&mut self, event: &Event) {
        match event {
            Event::Persona(_, PersonaEvent::Created { owner, name })
            | Event::Ontology(_, OntologyEvent::Created { owner, name })
            | Event::Annotation(_, AnnotationEvent::Created { owner, name }) => {
                self.name = Some(name.as_str().to_owned());
                self.owner = Some(*owner);
            }
            Event::Persona(_, PersonaEvent::Renamed { name }) => {
                self.name = Some(name.as_str().to_owned());
            }
            Event::Persona(_, PersonaEvent::Transferred { to, .. }) => self.owner = Some(*to),
            _ => {}
        }
    }
}

/// What a persona, ontology or annotation event changed.
fn named_changes(before: &Named, event: &Event) -> Vec<AuditChange> {
    let mut after = before.clone();
    after.apply(event);
    let owner = |named: &Named| named.owner.map(|o| o.to_string());
    let mut changes = Vec::new();
    if before.name != after.name {
        changes.push(AuditChange::new(
            "name",
            before.name.clone(),
            after.name.clone(),
        ));
    }
    if before.owner != after.owner {
        changes.push(AuditChange::new("owner", owner(before), owner(&after)));
    }
    changes
}

fn user_subject(user: UserId, label: Option<String>) -> Option<AuditSubject> {
    Some(AuditSubject {
        kind: "user",
        id: user.to_string(),
        label,
    })
}

/// One stored event, explained: its actor, subject and changes.
pub(super) async fn explain(
    store: &dyn EventStore,
    streams: &mut Streams,
    record: Recorded,
) -> Result<AuditEntry, ApiError> {
    let actor = match record.metadata.actor {
        Actor::System => AuditActor {
            id: "system".to_owned(),
            username: None,
        },
        Actor::User(id) => AuditActor {
            id: id.to_string(),
            username: streams.username(store, UserId(id)).await?,
        },
    };
    let event = Event::decode(&record.stream, &record.event_type, &record.data).ok();
    let (subject, changes) = match &event {
        Some(event) => subject_and_changes(store, streams, &record, event).await?,
        None => (None, Vec::new()),
    };
    Ok(AuditEntry {
        position: record.position,
        event_id: record.event_id,
        event_type: record.event_type,
        at: record.metadata.occurred_at,
        actor,
        subject,
        changes,
        correlation_id: record.metadata.correlation_id,
        causation_id: record.metadata.causation_id,
    })
}

async fn subject_and_changes(
    store: &dyn EventStore,
    streams: &mut Streams,
    record: &Recorded,
    event: &Event,
) -> Result<(Option<AuditSubject>, Vec<AuditChange>), ApiError> {
    let user_of = match event {
        Event::Username(_, e) => Some(e.user_id()),
        Event::Email(_, e) => Some(e.user_id()),
        Event::Admins(AdminsEvent::Added { user_id } | AdminsEvent::Removed { user_id }) => {
            Some(*user_id)
        }
        Event::Totp(user, _) | Event::Keyring(KeyringOwner::User(user), _) => Some(*user),
        Event::Challenge(_, ChallengeEvent::Issued(issued)) => Some(issued.user_id),
        Event::Challenge(_, ChallengeEvent::Completed { user_id, .. }) => Some(*user_id),
        _ => None,
    };
    if let Some(user) = user_of {
        let label = streams.username(store, user).await?;
        return Ok((user_subject(user, label), Vec::new()));
    }
    Ok(match event {
        Event::User(user, e) => {
            let before = Account::fold(
                streams
                    .history(store, &record.stream, Some(record.revision))
                    .await?,
            );
            let label = streams.username(store, *user).await?;
            (user_subject(*user, label), user_changes(&before, e))
        }
        Event::Session(id, e) => {
            let started = streams.history(store, &record.stream, Some(1)).await?;
            let owner = started.iter().find_map(|(_, event)| match event {
                Event::Session(_, SessionEvent::Started(started)) => Some(started.user_id),
                _ => None,
            });
            let label = match owner {
                Some(owner) => streams.username(store, owner).await?,
                None => None,
            };
            let changes = match e {
                SessionEvent::Ended { reason } => vec![AuditChange::new(
                    "reason",
                    None,
                    serde_json::to_value(reason)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned)),
                )],
                _ => Vec::new(),
            };
            let subject = AuditSubject {
                kind: "session",
                id: id.to_string(),
                label,
            };
            (Some(subject), changes)
        }
        Event::Persona(..) | Event::Ontology(..) | Event::Annotation(..) => {
            let (kind, id) = match event {
                Event::Persona(id, _) => ("persona", id.to_string()),
                Event::Ontology(id, _) => ("ontology", id.to_string()),
                Event::Annotation(id, _) => ("annotation", id.to_string()),
                _ => ("system", String::new()),
            };
            let before = Named::fold(
                streams
                    .history(store, &record.stream, Some(record.revision))
                    .await?,
            );
            let changes = named_changes(&before, event);
            let mut after = before;
            after.apply(event);
            let subject = AuditSubject {
                kind,
                id,
                label: after.name,
            };
            (Some(subject), changes)
        }
        Event::Keyring(KeyringOwner::System, _) => (
            Some(AuditSubject {
                kind: "system",
                id: "system".to_owned(),
                label: Some("system".to_owned()),
            }),
            Vec::new(),
        ),
        _ => (None, Vec::new()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_show_a_password_change_without_any_value() {
        let reset = UserEvent::PasswordReset(roster_domain::user::PasswordReset {
            password_hash: roster_domain::values::PasswordHash::from_phc(
                "$argon2id$v=19$x".to_owned(),
            ),
            revoke_sessions: true,
            require_change: false,
        });
        assert_eq!(
            user_changes(&Account::default(), &reset),
            vec![AuditChange::new("password", None, None)]
        );
    }
}
